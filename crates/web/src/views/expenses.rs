//! The expenses pages: the filtered, sorted, paginated list of one-off expenses with bulk delete
//! and undo (`GET /expenses`), and the add / edit form (`GET /expenses/new`,
//! `GET /expenses/{id}/edit`). Every action is a plain POST form that redirects back (303), so
//! the pages work without JavaScript; a refused form is drawn again with 422, its messages next
//! to the fields and the typed values kept. All strings arrive formatted by the handler; this
//! module only draws them.

use askama::Template;
use axum::http::StatusCode;

use super::{Chrome, Page, Section, error_for};
use crate::links;

/// `GET /expenses`.
#[derive(Debug, Clone, Template)]
#[template(path = "expenses_page.html")]
pub struct ExpensesPage {
    pub chrome: Chrome,
    /// The filters as typed (kept on errors, and in every page link).
    pub filters: FilterValues,
    /// `(field, message)` for refused filters; the list is not drawn while there are any.
    pub filter_errors: Vec<(String, String)>,
    pub categories: Vec<CategoryOption>,
    pub sort_options: Vec<Choice>,
    pub rows: Vec<ExpenseRow>,
    /// How many expenses match the filters in all.
    pub total: i64,
    /// The sum of the rows shown, one entry per currency ("$1,234.50").
    pub page_sums: Vec<String>,
    pub pagination: Pagination,
    /// This list with these filters, sort and page: where every form returns to.
    pub return_to: String,
    /// Some filter is set (the empty state then offers to clear them).
    pub filtered: bool,
    pub notice: Option<String>,
    pub error: Option<String>,
    /// A bulk delete just happened: offer to undo it.
    pub undo_token: Option<String>,
    /// An expense was just deleted: offer to restore it.
    pub restore_id: Option<String>,
    pub status: StatusCode,
}

/// The list filters as the user typed them.
#[derive(Debug, Clone, Default)]
pub struct FilterValues {
    pub from: String,
    pub to: String,
    pub month: String,
    pub category_id: String,
    pub q: String,
    pub min_amount: String,
    pub max_amount: String,
    pub sort: String,
    pub dir: String,
}

/// One option of a category select.
#[derive(Debug, Clone, Default)]
pub struct CategoryOption {
    pub id: String,
    pub name: String,
    pub selected: bool,
}

/// One option of a fixed select (sort key, direction, currency, period).
#[derive(Debug, Clone, Default)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// One expense in the list.
#[derive(Debug, Clone, Default)]
pub struct ExpenseRow {
    pub id: String,
    /// The edit form, returning to this list.
    pub edit_href: String,
    /// `YYYY-MM-DD`, for `<time datetime>`.
    pub date: String,
    /// "Sat 14 Mar 2026".
    pub date_label: String,
    /// The payee, else the note, else "No description".
    pub description: String,
    /// The note when the payee is the description.
    pub detail: Option<String>,
    pub method: Option<String>,
    /// The category's name and colour (a swatch beside the name, as on the bills list).
    pub category: Option<super::bills::CategoryChip>,
    /// The amount with its currency ("$12.34", "-€5.00").
    pub amount: String,
    /// A negative amount: shown with the word "Refund".
    pub refund: bool,
}

/// Page links that keep the filters and the sort.
#[derive(Debug, Clone, Default)]
pub struct Pagination {
    pub page: i64,
    pub pages: i64,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
    /// Numbered links around the current page; `None` is a gap ("…").
    pub links: Vec<Option<PageLink>>,
}

/// One numbered page link.
#[derive(Debug, Clone, Default)]
pub struct PageLink {
    pub number: i64,
    pub href: String,
    pub current: bool,
}

impl Page for ExpensesPage {
    fn section(&self) -> Section {
        Section::Expenses
    }

    fn status(&self) -> StatusCode {
        self.status
    }
}

impl ExpensesPage {
    /// The filter form's message for `field`, if any.
    pub fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.filter_errors, field)
    }
}

/// `GET /expenses/new` and `GET /expenses/{id}/edit` (and the same form refused, with 422).
#[derive(Debug, Clone, Template)]
#[template(path = "expense_form_page.html")]
pub struct ExpenseFormPage {
    pub chrome: Chrome,
    /// `Some` when editing an existing expense.
    pub editing: Option<Editing>,
    pub values: ExpenseValues,
    /// `(field, message)`; the summary links to the fields by id.
    pub errors: Vec<(String, String)>,
    pub categories: Vec<CategoryOption>,
    pub currencies: Vec<Choice>,
    /// An amount as the user's locale writes it, for the hint ("12,34").
    pub amount_example: String,
    /// The list to go back to (with its filters).
    pub return_to: String,
    pub status: StatusCode,
}

/// The expense being edited.
#[derive(Debug, Clone, Default)]
pub struct Editing {
    pub id: String,
    /// The version the form was opened at; a newer stored one is a conflict.
    pub version: String,
}

/// The expense form's fields as typed.
#[derive(Debug, Clone, Default)]
pub struct ExpenseValues {
    pub amount: String,
    pub currency: String,
    pub spent_on: String,
    pub category_id: String,
    pub payee: String,
    pub note: String,
    pub method: String,
}

impl Page for ExpenseFormPage {
    fn section(&self) -> Section {
        Section::Expenses
    }

    fn status(&self) -> StatusCode {
        self.status
    }
}

impl ExpenseFormPage {
    /// The fields of the form, so the summary links only to fields that exist.
    const FIELDS: [&str; 7] = [
        "amount",
        "currency",
        "spent_on",
        "category_id",
        "payee",
        "note",
        "method",
    ];

    /// The message for `field`, if any.
    pub fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }

    /// Whether the summary can link to `field`.
    pub fn has_field(&self, field: &str) -> bool {
        Self::FIELDS.contains(&field)
    }

    /// The form's action.
    pub fn action(&self) -> String {
        match &self.editing {
            Some(editing) => links::EXPENSE.at(&editing.id),
            None => links::EXPENSES.path().to_owned(),
        }
    }
}
