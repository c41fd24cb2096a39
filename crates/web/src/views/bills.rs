//! The bill pages: the list (`GET /bills`), the add and edit form, the detail page (in
//! `detail`) and the payment edit form (in `payment`). All strings arrive formatted by the
//! handlers' presenter (`pages::bills::present`); this module only draws them.
//!
//! Form values travel as the text the user typed ([`BillFields`] and friends), so a refused
//! form comes back exactly as it was sent, with `(field, message)` errors beside the inputs.

mod detail;
mod payment;

use askama::Template;
use axum::http::StatusCode;
use serde::Deserialize;

use super::{Chrome, Page, Section, error_for};

pub use detail::{
    BillPage, DueText, Fact, HistoryOffer, OccurrenceFields, OccurrenceRow, PaymentRow,
};
pub use payment::{BillPaymentPage, PaymentFields};

/// One `<option>` of a select.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SelectOption {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

impl SelectOption {
    /// An option, selected when `value` is `current`.
    pub fn new(value: impl Into<String>, label: impl Into<String>, current: &str) -> Self {
        let value = value.into();
        Self {
            selected: value == current,
            label: label.into(),
            value,
        }
    }
}

/// A category as a chip: its name, and its colour as a swatch beside the text.
#[derive(Debug, Clone, Default)]
pub struct CategoryChip {
    pub name: String,
    /// `#rrggbb`, validated when the category was saved.
    pub color: String,
}

/// One filter tab of the list (Active, Inactive, Deleted).
#[derive(Debug, Clone, Default)]
pub struct Tab {
    pub label: &'static str,
    pub count: usize,
    pub href: String,
    pub current: bool,
}

/// One bill in the list.
#[derive(Debug, Clone, Default)]
pub struct BillListRow {
    pub id: String,
    pub name: String,
    pub category: Option<CategoryChip>,
    /// "$1,234.56" (or "≈ $80.00" for an estimated bill).
    pub amount: String,
    /// "$60.00 – $100.00" for an estimated bill's range; empty otherwise.
    pub range: String,
    /// "Monthly on the 15th".
    pub cycle: String,
    /// The next due date, when the bill is live.
    pub next_due: Option<DueText>,
    /// "Autopay" or "Autopay verified", when autopay is on.
    pub autopay: Option<&'static str>,
    pub debt: bool,
    pub subscription: bool,
}

/// `GET /bills`: the user's bills, filtered by tab, text, category, and sorted.
#[derive(Debug, Clone, Template)]
#[template(path = "bills_page.html")]
pub struct BillsPage {
    pub chrome: Chrome,
    pub tabs: Vec<Tab>,
    /// The current tab's value (`active`, `inactive`, `deleted`), kept by the filter form.
    pub show: &'static str,
    /// The current tab's label, in the table's caption.
    pub show_label: &'static str,
    /// The search text as typed.
    pub q: String,
    pub category_options: Vec<SelectOption>,
    pub sort_options: Vec<SelectOption>,
    pub dir_options: Vec<SelectOption>,
    pub rows: Vec<BillListRow>,
    /// The user has no bills at all (the empty state offers "Add bill").
    pub no_bills: bool,
    /// A search or category filter is applied (an empty result offers to clear it).
    pub filtered: bool,
    /// The URL of this tab without search or filters.
    pub clear_href: String,
    pub notice: Option<String>,
    pub error: Option<String>,
    /// A bill was just deleted: its id, for the banner's Restore button.
    pub undo_bill: Option<String>,
}

impl Page for BillsPage {
    fn section(&self) -> Section {
        Section::Bills
    }
}

/// The bill form's values as typed: every field is text, so nothing is lost on a refusal.
/// Checkboxes are `"true"` when ticked and empty otherwise.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct BillFields {
    pub name: String,
    pub category_id: String,
    /// A category to create with a new bill (instead of picking one of `category_id`'s).
    pub new_category: String,
    pub notes: String,
    pub amount_kind: String,
    pub expected_amount: String,
    pub expected_min: String,
    pub expected_max: String,
    pub currency: String,
    pub cycle: String,
    pub anchor_date: String,
    pub due_day: String,
    pub autopay: String,
    pub autopay_verified_on: String,
    pub auto_mark_paid: String,
    pub is_subscription: String,
    pub reminder_days: String,
    pub website: String,
    pub account_details: String,
    pub debt_balance: String,
    pub apr: String,
    pub min_payment: String,
    pub payoff_order: String,
    /// The version the edit is based on (edit form only).
    pub version: String,
}

/// `GET /bills/new` and `GET /bills/{id}/edit` (and their refusals: 422 with the errors, 409
/// when the bill changed elsewhere).
#[derive(Debug, Clone, Template)]
#[template(path = "bill_form_page.html")]
pub struct BillFormPage {
    pub chrome: Chrome,
    pub status: StatusCode,
    /// "Add a bill" or "Edit Rent".
    pub heading: String,
    /// Where the form posts: `/bills` or `/bills/{id}`.
    pub action: String,
    /// Where "Cancel" goes.
    pub cancel_href: String,
    pub submit_label: &'static str,
    /// The bill being edited; `None` for a new bill.
    pub bill_id: Option<String>,
    pub fields: BillFields,
    pub categories: Vec<SelectOption>,
    /// The caller has no live category yet: the form offers the starter set.
    pub offer_starter_set: bool,
    pub currencies: Vec<SelectOption>,
    pub cycles: Vec<SelectOption>,
    pub kinds: Vec<SelectOption>,
    pub autopays: Vec<SelectOption>,
    /// `(field, message)`; the message already names the field ("Amount must …").
    pub errors: Vec<(String, String)>,
    /// The bill changed elsewhere since the form was opened: nothing was saved.
    pub conflict: bool,
    /// The amount's hint, as the user's locale writes amounts ("For example 89,99").
    pub amount_hint: String,
}

impl BillFormPage {
    /// The form's fields, so the error summary links only to inputs that exist.
    const FIELDS: [&'static str; 23] = [
        "name",
        "category_id",
        "new_category",
        "notes",
        "amount_kind",
        "expected_amount",
        "expected_min",
        "expected_max",
        "currency",
        "cycle",
        "anchor_date",
        "due_day",
        "autopay",
        "autopay_verified_on",
        "auto_mark_paid",
        "is_subscription",
        "reminder_days",
        "website",
        "account_details",
        "debt_balance",
        "apr",
        "min_payment",
        "payoff_order",
    ];

    /// The error message for `field`, if any.
    pub fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }

    /// Whether the summary can link to `field`.
    pub fn has_field(&self, field: &str) -> bool {
        Self::FIELDS.contains(&field)
    }

    /// Whether any of `fields` holds a typed value or an error: its optional section opens
    /// (without JavaScript nothing typed is ever out of sight).
    fn holds_any(&self, fields: &[&str]) -> bool {
        fields.iter().any(|field| {
            self.error_for(field).is_some() || !self.fields.value_of(field).trim().is_empty()
        })
    }

    /// The estimate's range opens for an estimated bill, or when it holds something.
    pub fn open_range(&self) -> bool {
        self.fields.amount_kind.trim() == "estimated"
            || self.holds_any(&["expected_min", "expected_max"])
    }

    /// The verified date opens with verified autopay, or when it holds something.
    pub fn open_verified(&self) -> bool {
        self.fields.autopay.trim() == "verified" || self.holds_any(&["autopay_verified_on"])
    }

    /// "More details" opens when one of its fields holds something.
    pub fn open_more(&self) -> bool {
        self.fields.is_subscription == "true"
            || self.holds_any(&["website", "account_details", "notes", "reminder_days"])
    }

    /// The debt section opens when one of its fields holds something.
    pub fn open_debt(&self) -> bool {
        self.holds_any(&["debt_balance", "apr", "min_payment", "payoff_order"])
    }
}

impl BillFields {
    /// The typed text of the optional field `field` (empty for any other name).
    fn value_of(&self, field: &str) -> &str {
        match field {
            "expected_min" => &self.expected_min,
            "expected_max" => &self.expected_max,
            "autopay_verified_on" => &self.autopay_verified_on,
            "website" => &self.website,
            "account_details" => &self.account_details,
            "notes" => &self.notes,
            "reminder_days" => &self.reminder_days,
            "debt_balance" => &self.debt_balance,
            "apr" => &self.apr,
            "min_payment" => &self.min_payment,
            "payoff_order" => &self.payoff_order,
            _ => "",
        }
    }
}

impl Page for BillFormPage {
    fn section(&self) -> Section {
        Section::Bills
    }

    fn status(&self) -> StatusCode {
        self.status
    }
}
