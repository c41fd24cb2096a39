//! The cash page (`GET /tracker/cash`): the recurring income per payday and each pay period's
//! starting cash and income for one month, the inputs of the tracker's safe-to-spend. A refused
//! form comes back with 422, a message under each bad field and what was typed kept. All
//! strings arrive formatted by the handler.

use askama::Template;
use axum::http::StatusCode;

use super::{Chrome, Page, Section, error_for};

/// The form of one month.
#[derive(Debug, Clone, Template)]
#[template(path = "cash_page.html")]
pub struct CashPage {
    pub chrome: Chrome,
    pub status: StatusCode,
    /// "March 2026".
    pub month_label: String,
    pub year: i32,
    pub month: u32,
    /// This page for the months before and after.
    pub prev_href: String,
    pub next_href: String,
    /// The tracker's month.
    pub tracker_href: String,
    /// The user's currency code.
    pub currency: String,
    /// "the 1st and the 15th".
    pub paydays: String,
    /// The recurring income per payday: saved, or as typed.
    pub income_per_payday: String,
    pub periods: Vec<CashPeriod>,
    /// `(field, message)` for each refused field.
    pub errors: Vec<(String, String)>,
}

/// One pay period's fields.
#[derive(Debug, Clone, Default)]
pub struct CashPeriod {
    pub index: usize,
    /// "Mar 15 – Mar 31".
    pub range: String,
    /// Starting cash: saved, or as typed.
    pub starting_cash: String,
    /// This month's own income: saved, or as typed.
    pub income: String,
    /// What a blank income means for this period.
    pub income_hint: String,
}

impl CashPage {
    /// The message for `field`, if any.
    pub fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }

    /// Whether the summary can link to `field`.
    pub fn has_field(&self, field: &str) -> bool {
        field == "income_per_payday"
            || self.periods.iter().any(|p| {
                field == format!("starting_cash_{}", p.index)
                    || field == format!("income_{}", p.index)
            })
    }
}

impl Page for CashPage {
    fn section(&self) -> Section {
        Section::Tracker
    }

    fn status(&self) -> StatusCode {
        self.status
    }
}
