//! Merchant rules on the pages: the "Bank matching rules" section of the bill page (its rules
//! and the form to add one) and the rule page (`RulePage`: the same form with its values, the
//! preview of what it would match, count first, or its refusal with the message under the
//! field). All strings arrive formatted by the handler.

use askama::Template;
use axum::http::StatusCode;

use super::bills::SelectOption;
use super::{Chrome, Page, Section, error_for};

/// One rule in the bill page's list.
#[derive(Debug, Clone, Default)]
pub struct RuleRowView {
    pub id: String,
    /// `Payee contains "ACME FIBER"`.
    pub payee: String,
    /// "Between $55.00 and $65.00", "Any amount".
    pub amount: String,
    pub account: String,
    pub category: String,
    pub enabled: bool,
}

/// The rule form's fields as typed (or the rule's values), and their refusals.
#[derive(Debug, Clone, Default)]
pub struct RuleFormView {
    pub bill_id: String,
    pub payee_match: Vec<SelectOption>,
    pub payee_text: String,
    pub min_amount: String,
    pub max_amount: String,
    pub accounts: Vec<SelectOption>,
    pub categories: Vec<SelectOption>,
    pub enabled: bool,
    /// Editing: the rule and the version the edit is based on.
    pub rule_id: Option<String>,
    pub version: String,
    /// Where "Save rule" posts (the add or the edit route).
    pub save_to: String,
    /// Where "Preview" posts.
    pub preview_to: String,
    pub errors: Vec<(String, String)>,
}

impl RuleFormView {
    /// The refusal of `field`, if any.
    pub fn error(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

/// The bill page's "Bank matching rules" section.
#[derive(Debug, Clone, Default)]
pub struct RulesSection {
    pub rules: Vec<RuleRowView>,
    pub form: RuleFormView,
}

/// One transaction a draft rule takes.
#[derive(Debug, Clone, Default)]
pub struct PreviewRowView {
    pub posted_on: String,
    pub account: String,
    pub payee: String,
    pub amount: String,
    pub state: &'static str,
}

/// What a draft rule would match: the count first, then the transactions.
#[derive(Debug, Clone, Default)]
pub struct RulePreviewPart {
    /// "Matches 3 transactions; 2 are not matched yet and would be matched when applied."
    pub count: String,
    pub rows: Vec<PreviewRowView>,
}

/// `POST /bills/{id}/rules/preview`, `GET /rules/{id}/edit`, and a refused rule form.
#[derive(Debug, Clone, Template)]
#[template(path = "rule_page.html")]
pub struct RulePage {
    pub chrome: Chrome,
    pub status: StatusCode,
    pub heading: String,
    pub bill_id: String,
    pub bill_name: String,
    pub form: RuleFormView,
    pub preview: Option<RulePreviewPart>,
}

impl Page for RulePage {
    fn section(&self) -> Section {
        Section::Bills
    }
    fn status(&self) -> StatusCode {
        self.status
    }
}
