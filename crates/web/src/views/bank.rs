//! The transactions and imports pages: the transaction list with its filters, the import page
//! (upload form and history), and one import (its question, its preview to review, or what it
//! wrote, with undo). All strings arrive formatted by the handler; this module only draws them.

use askama::Template;
use axum::http::StatusCode;

use super::{Chrome, Page, Section};

/// An option of a select: (value, label, selected).
pub type Choice = (String, String, bool);

/// One transaction row.
#[derive(Debug, Clone, Default)]
pub struct TransactionRowView {
    pub id: String,
    pub version: i64,
    /// The category select: (id, name, selected).
    pub categories: Vec<Choice>,
    pub posted_on: String,
    pub account: String,
    pub payee: String,
    pub memo: String,
    pub amount: String,
    pub money_in: bool,
    pub state: &'static str,
    /// The transaction's page (match it, or see what it is matched to).
    pub href: String,
}

/// `GET /transactions`.
#[derive(Debug, Clone, Template)]
#[template(path = "transactions_page.html")]
pub struct TransactionsPage {
    pub chrome: Chrome,
    pub status: StatusCode,
    pub accounts: Vec<Choice>,
    pub states: Vec<Choice>,
    pub sorts: Vec<Choice>,
    /// The filters as typed: (name, value).
    pub q: String,
    pub from: String,
    pub to: String,
    pub min_amount: String,
    pub max_amount: String,
    pub errors: Vec<(String, String)>,
    pub rows: Vec<TransactionRowView>,
    pub total: i64,
    /// "Showing 51–100 of 50 000".
    pub showing: String,
    pub previous: Option<String>,
    pub next: Option<String>,
    pub has_accounts: bool,
    /// This list's URL, for the row forms to come back to.
    pub return_to: String,
    pub notice: Option<String>,
    /// Matches of the last 7 days, each with Undo.
    pub recent: Vec<RecentItem>,
    /// The person's accounts, each with a rename form.
    pub account_items: Vec<AccountItem>,
    /// The currencies the add-account form offers.
    pub currencies: Vec<Choice>,
}

/// One account on the transactions page.
#[derive(Debug, Clone, Default)]
pub struct AccountItem {
    pub id: String,
    pub name: String,
    /// "USD · First Bank · …1234".
    pub details: String,
    pub version: i64,
}

impl Page for TransactionsPage {
    fn section(&self) -> Section {
        Section::Transactions
    }
    fn status(&self) -> StatusCode {
        self.status
    }
}

/// One import in the history.
#[derive(Debug, Clone, Default)]
pub struct ImportItem {
    pub href: String,
    pub file_name: String,
    pub format: String,
    pub state: String,
    pub rows: String,
    pub when: String,
}

/// `GET /imports`: the upload form and the history.
#[derive(Debug, Clone, Template)]
#[template(path = "imports_page.html")]
pub struct ImportsPage {
    pub chrome: Chrome,
    pub accounts: Vec<Choice>,
    /// The person's presets, for the upload form's select.
    pub presets: Vec<Choice>,
    pub currencies: Vec<Choice>,
    pub history: Vec<ImportItem>,
    pub notice: Option<String>,
    pub max_mb: usize,
}

impl Page for ImportsPage {
    fn section(&self) -> Section {
        Section::Transactions
    }
}

/// One previewed row.
#[derive(Debug, Clone, Default)]
pub struct PreviewItem {
    pub row: usize,
    pub posted_on: String,
    pub payee: String,
    pub memo: String,
    pub amount: String,
    /// `new`, `duplicate`, `possible` or `error`.
    pub label: &'static str,
    pub label_text: String,
    /// Why it is (possibly) a duplicate, or what is wrong with it.
    pub why: String,
    /// The row's tick box: `exclude` ("Leave out") on new, possible and unreadable rows,
    /// `include` ("Import anyway") on duplicates.
    pub choice: &'static str,
    pub choice_label: &'static str,
    /// Ticked by default (an unreadable row is left out unless unticked).
    pub checked: bool,
}

/// What one import page shows.
#[derive(Debug, Clone)]
pub enum ImportBody {
    /// A CSV file's columns to map (and the date order).
    Mapping {
        reason: Option<String>,
        header: Vec<String>,
        sample: Vec<Vec<String>>,
        columns: Vec<Choice>,
        delimiter: Vec<Choice>,
    },
    DateOrder {
        reason: String,
    },
    Statement {
        reason: String,
    },
    Preview {
        account: String,
        counts: String,
        rows: Vec<PreviewItem>,
        /// "Read with your preset “Giro”" when a preset was used.
        preset: Option<String>,
        warnings: Vec<String>,
        /// "and 99 800 more new rows, all imported" when not every row is shown.
        more: Option<String>,
        expires: String,
    },
    Done {
        summary: String,
        can_undo: bool,
        rows_imported: i64,
    },
}

/// `GET /imports/{id}`.
#[derive(Debug, Clone, Template)]
#[template(path = "import_page.html")]
pub struct ImportPage {
    pub chrome: Chrome,
    pub status: StatusCode,
    pub id: String,
    pub file_name: String,
    pub body: ImportBody,
    pub error: Option<String>,
    pub notice: Option<String>,
    pub date_orders: Vec<Choice>,
}

impl Page for ImportPage {
    fn section(&self) -> Section {
        Section::Transactions
    }
    fn status(&self) -> StatusCode {
        self.status
    }
}

/// One saved preset.
#[derive(Debug, Clone, Default)]
pub struct PresetItem {
    pub id: String,
    pub name: String,
    pub version: i64,
    /// "For Checking" or "For any account".
    pub account: String,
    /// The header row it recognises, joined.
    pub header: String,
}

/// `GET /imports/presets`.
#[derive(Debug, Clone, Template)]
#[template(path = "import_presets_page.html")]
pub struct PresetsPage {
    pub chrome: Chrome,
    pub presets: Vec<PresetItem>,
    pub notice: Option<String>,
}

impl Page for PresetsPage {
    fn section(&self) -> Section {
        Section::Transactions
    }
}

/// A suggested bill on a transaction's page.
#[derive(Debug, Clone, Default)]
pub struct SuggestionItem {
    pub bill_id: String,
    pub bill_name: String,
    pub score: u8,
    /// "amount equal, 2 days after due, payee like 3 earlier matches".
    pub why: String,
}

/// `GET /transactions/{id}`: one transaction, and matching it to a bill.
#[derive(Debug, Clone, Template)]
#[template(path = "transaction_page.html")]
pub struct TransactionPage {
    pub chrome: Chrome,
    pub id: String,
    pub posted_on: String,
    pub payee: String,
    pub memo: String,
    pub amount: String,
    pub account: String,
    /// `unmatched`, `matched` or `ignored`.
    pub state: &'static str,
    /// "Matched to Rent (the payment for 1 Mar 2027)".
    pub matched_to: Option<String>,
    pub suggestions: Vec<SuggestionItem>,
    /// Every live bill, for matching by hand.
    pub bills: Vec<Choice>,
    /// Only money out matches a bill.
    pub money_out: bool,
    /// The expense it was recorded as (its page).
    pub recorded_as: Option<String>,
    /// The person's categories for "record as an expense" (the transaction's own selected).
    pub categories: Vec<Choice>,
    pub notice: Option<String>,
}

impl Page for TransactionPage {
    fn section(&self) -> Section {
        Section::Transactions
    }
}

/// A recent match in the transactions page's undo panel.
#[derive(Debug, Clone, Default)]
pub struct RecentItem {
    pub transaction_id: String,
    /// "Power Co −40.00 → Electricity (due 5 Mar 2027)".
    pub text: String,
    /// "Undo until 14 Mar 2027".
    pub until: String,
}
