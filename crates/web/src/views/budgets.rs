//! The budgets page (`GET /budgets`): each budget's limit, what was spent in its current
//! period, what remains, the percentage and the state — in words (a badge) and as a `<meter>`,
//! never colour alone — with forms to change a limit, delete a budget (confirmed) and create
//! one. A refused form is drawn again with its message next to the field and the typed value
//! kept. All strings arrive formatted by the handler; this module only draws them.

use askama::Template;
use axum::http::StatusCode;

use super::expenses::{CategoryOption, Choice};
use super::{Chrome, Page, Section, error_for};

/// `GET /budgets` (and the page again after a refused form).
#[derive(Debug, Clone, Template)]
#[template(path = "budgets_page.html")]
pub struct BudgetsPage {
    pub chrome: Chrome,
    pub rows: Vec<BudgetRow>,
    /// The caller's live categories, for the create form.
    pub categories: Vec<CategoryOption>,
    pub periods: Vec<Choice>,
    /// The create form's limit as typed.
    pub new_limit: String,
    /// `(field, message)` for the create form.
    pub new_errors: Vec<(String, String)>,
    /// The currency new budgets are kept in (the user's).
    pub currency: String,
    /// An amount as the user's locale writes it, for the hint ("250,50").
    pub amount_example: String,
    pub notice: Option<String>,
    pub error: Option<String>,
    pub status: StatusCode,
}

/// One budget.
#[derive(Debug, Clone, Default)]
pub struct BudgetRow {
    pub id: String,
    pub category: String,
    /// "Monthly" or "Yearly".
    pub period: String,
    /// "Mar 1 – Mar 31, 2026".
    pub range: String,
    pub limit: String,
    pub spent: String,
    /// "Remaining", or "Over by" once the limit is passed.
    pub remaining_label: &'static str,
    /// What is left, or by how much the limit was passed (never negative).
    pub remaining: String,
    /// The integer percentage of the limit spent (may pass 100).
    pub percent: i64,
    /// The percentage for the `<meter>` (0–100; the text carries the rest).
    pub meter: i64,
    /// "Under budget", "Warning", "Over budget".
    pub state_label: &'static str,
    /// The badge's modifier class.
    pub badge_class: &'static str,
    /// The limit input's value: the stored limit, or what was typed when refused.
    pub limit_input: String,
    pub version: i64,
    /// Why the last change of this budget's limit was refused.
    pub error: Option<String>,
}

impl Page for BudgetsPage {
    fn section(&self) -> Section {
        Section::Budgets
    }

    fn status(&self) -> StatusCode {
        self.status
    }
}

impl BudgetsPage {
    /// The create form's fields, so the summary links only to fields that exist.
    const FIELDS: [&str; 3] = ["category_id", "period", "limit"];

    /// The create form's message for `field`, if any.
    pub fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.new_errors, field)
    }

    /// Whether the summary can link to `field` of the create form.
    pub fn has_field(&self, field: &str) -> bool {
        Self::FIELDS.contains(&field)
    }
}
