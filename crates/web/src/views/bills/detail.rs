//! The bill detail page (`GET /bills/{id}`): every field of the bill, its next due date, its
//! payments (edit, delete, restore), the "Record payment" form, the overrides of its recent and
//! upcoming occurrences, its active-range history and its lifecycle actions (deactivate,
//! delete, restore, delete for good).

use askama::Template;
use axum::http::StatusCode;
use serde::Deserialize;

use super::{CategoryChip, PaymentFields, SelectOption};
use crate::views::{Chrome, Page, Section, error_for};

/// A due date as shown: "Fri 20 Mar 2026", its ISO form and how far away it is.
#[derive(Debug, Clone, Default)]
pub struct DueText {
    pub label: String,
    /// `YYYY-MM-DD`, for `<time datetime>`.
    pub iso: String,
    /// "in 3 days", "today"; empty when not useful.
    pub relative: String,
}

/// One line of a description list.
#[derive(Debug, Clone, Default)]
pub struct Fact {
    pub label: &'static str,
    pub value: String,
}

/// One payment of the bill.
#[derive(Debug, Clone, Default)]
pub struct PaymentRow {
    pub id: String,
    pub paid_on: String,
    pub paid_on_iso: String,
    pub amount: String,
    /// "Mar 20": the occurrence the payment settles.
    pub cycle_due: String,
    pub method: String,
    pub note: String,
    /// "Manual", "Import", "Bank".
    pub source: &'static str,
    pub autopay_failed: bool,
}

/// One occurrence of the bill, with its override form.
#[derive(Debug, Clone, Default)]
pub struct OccurrenceRow {
    /// "Fri 20 Mar 2026".
    pub due_label: String,
    /// `YYYY-MM-DD`: the form's `due_date`, and part of the inputs' ids.
    pub due_iso: String,
    /// The amount expected for this occurrence (its actual amount when one is set).
    pub expected: String,
    pub paid: String,
    pub status_label: &'static str,
    pub badge_class: &'static str,
    /// The override form's values (the saved ones, or the refused ones as typed).
    pub form: OccurrenceFields,
    /// `(field, message)` of a refused override.
    pub errors: Vec<(String, String)>,
    /// Show the override form open (it was just refused).
    pub open: bool,
    /// "Snoozed until Mar 25", "Note: …": what the overrides say, in words.
    pub overrides: Vec<String>,
}

impl OccurrenceRow {
    /// The error message for `field` of this occurrence's form.
    pub fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }

    /// The id of this occurrence's input for `field` (unique on the page).
    pub fn id(&self, field: &str) -> String {
        format!("occ-{}-{field}", self.due_iso)
    }
}

/// The occurrence override form as typed; `skipped` is `"true"` when ticked.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct OccurrenceFields {
    pub due_date: String,
    pub actual_amount: String,
    pub note: String,
    pub skipped: String,
    pub snoozed_until: String,
}

/// `GET /bills/{id}` (and its refused forms: 422 with the errors beside the inputs).
#[derive(Debug, Clone, Template)]
#[template(path = "bill_page.html")]
pub struct BillPage {
    pub chrome: Chrome,
    pub status: StatusCode,
    pub id: String,
    pub name: String,
    pub is_active: bool,
    pub deleted: bool,
    /// "Deleted on 14 Mar 2026", for the deleted banner.
    pub deleted_on: String,
    pub category: Option<CategoryChip>,
    pub amount: String,
    pub range: String,
    pub cycle: String,
    pub next_due: Option<DueText>,
    /// Badges beside the name: "Autopay", "Debt", "Subscription".
    pub markers: Vec<&'static str>,
    /// Schedule, autopay, reminders…: the bill's settings in words.
    pub facts: Vec<Fact>,
    /// The debt fields, when any is set.
    pub debt: Vec<Fact>,
    /// A validated http(s) address (safe as an `href`).
    pub website: Option<String>,
    pub notes: String,
    pub account_details: Option<String>,
    /// "1 Mar 2026 – now", oldest first.
    pub history: Vec<String>,
    pub payments: Vec<PaymentRow>,
    pub deleted_payments: Vec<PaymentRow>,
    /// More payments exist than are listed.
    pub payments_truncated: bool,
    /// The "Record payment" form as typed (or its defaults).
    pub payment: PaymentFields,
    pub payment_errors: Vec<(String, String)>,
    /// The occurrences a payment may settle; the first is "automatic".
    pub cycle_options: Vec<SelectOption>,
    pub occurrences: Vec<OccurrenceRow>,
    /// The deactivate / reactivate date as typed (default today).
    pub active_on: String,
    pub active_error: Option<String>,
    /// The refusal of "delete for good" without its confirmation box.
    pub confirm_error: Option<String>,
    /// Every error on the page, as `(anchor id, message)`, for the summary at the top.
    pub summary: Vec<(String, String)>,
    pub notice: Option<String>,
    pub error: Option<String>,
    /// A payment was just deleted: its id, for the banner's Restore button.
    pub undo_payment: Option<String>,
    /// Earlier due dates were just marked paid: the token of the banner's Undo button.
    pub undo_history: Option<String>,
    /// The bill's occurrences before this month still owing: the offer to mark them paid.
    pub history_offer: Option<HistoryOffer>,
    /// The "Bank matching rules" section (none for a deleted bill).
    pub rules: Option<crate::views::rules::RulesSection>,
}

/// "N earlier due dates, from Month YYYY, are not marked paid."
#[derive(Debug, Clone, Default)]
pub struct HistoryOffer {
    pub count: usize,
    /// The earliest of them, as a month ("June 2025").
    pub from: String,
}

impl BillPage {
    /// The "Record payment" form's error for `field`.
    pub fn payment_error(&self, field: &str) -> Option<&str> {
        error_for(&self.payment_errors, field)
    }
}

impl Page for BillPage {
    fn section(&self) -> Section {
        Section::Bills
    }

    fn status(&self) -> StatusCode {
        self.status
    }
}
