//! One occurrence's month state (`GET /tracker/occurrence`): the actual amount this time, a
//! note and a snooze date for one bill's due date, reached from the tracker's "This month"
//! button. A refused form comes back with 422, a message under each bad field and what was
//! typed kept.

use askama::Template;
use axum::http::StatusCode;

use super::{Chrome, Page, Section, error_for};

/// The edit page of one occurrence.
#[derive(Debug, Clone, Template)]
#[template(path = "occurrence_page.html")]
pub struct OccurrencePage {
    pub chrome: Chrome,
    pub status: StatusCode,
    pub bill_id: String,
    pub bill_name: String,
    /// `YYYY-MM-DD`, for the form.
    pub due_date: String,
    /// "Sunday, November 1, 2026".
    pub due_label: String,
    /// The expected amount with its currency ("$44.10").
    pub expected: String,
    /// An amount as the user's locale writes it, for the hint ("12,34").
    pub amount_example: String,
    /// The status badge's text and class.
    pub status_label: &'static str,
    pub badge_class: &'static str,
    /// Where Save and Cancel return to (a tracker URL).
    pub return_to: String,
    /// The values in the form: saved ones, or what was typed.
    pub actual_amount: String,
    pub note: String,
    pub snoozed_until: String,
    /// `(field, message)` for each refused field.
    pub errors: Vec<(String, String)>,
}

impl OccurrencePage {
    const FIELDS: [&'static str; 3] = ["actual_amount", "note", "snoozed_until"];

    /// The message for `field`, if any.
    pub fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }

    /// Whether the summary can link to `field`.
    pub fn has_field(&self, field: &str) -> bool {
        Self::FIELDS.contains(&field)
    }
}

impl Page for OccurrencePage {
    fn section(&self) -> Section {
        Section::Tracker
    }

    fn status(&self) -> StatusCode {
        self.status
    }
}
