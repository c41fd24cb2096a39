//! The categories page (`GET /categories`): the user's categories with their bill counts, the
//! create form, an edit form per category (name, colour, spending), delete with restore, and
//! the deleted ones. All strings arrive formatted by the handler; this module only draws them.

use askama::Template;
use axum::http::StatusCode;
use serde::Deserialize;

use super::{Chrome, Page, Section, error_for};

/// A category form as typed; `is_spending` is `"true"` when ticked.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CategoryFields {
    pub name: String,
    /// `#rrggbb`.
    pub color: String,
    pub is_spending: String,
    /// The version an edit is based on (edit forms only).
    pub version: String,
}

/// One category.
#[derive(Debug, Clone, Default)]
pub struct CategoryItem {
    pub id: String,
    pub name: String,
    /// `#rrggbb`, validated when saved.
    pub color: String,
    pub is_spending: bool,
    /// How many live bills are in it.
    pub bill_count: i64,
    /// The bills list filtered to this category.
    pub bills_href: String,
    /// "Deleted 14 Mar 2026" for a deleted category; empty otherwise.
    pub deleted_on: String,
    /// The edit form's values (the saved ones, or the refused ones as typed).
    pub form: CategoryFields,
    /// `(field, message)` of a refused edit.
    pub errors: Vec<(String, String)>,
    /// Show the edit form open (it was just refused).
    pub open: bool,
}

impl CategoryItem {
    /// The edit form's error for `field`.
    pub fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }

    /// The id of this category's edit input for `field` (unique on the page).
    pub fn field_id(&self, field: &str) -> String {
        format!("{field}-{}", self.id)
    }
}

/// `GET /categories` (and its refused forms: 422 or 409 with the errors beside the inputs).
#[derive(Debug, Clone, Template)]
#[template(path = "categories_page.html")]
pub struct CategoriesPage {
    pub chrome: Chrome,
    pub status: StatusCode,
    pub rows: Vec<CategoryItem>,
    pub deleted: Vec<CategoryItem>,
    /// The create form as typed (or its defaults).
    pub create: CategoryFields,
    pub create_errors: Vec<(String, String)>,
    /// Every error on the page, as `(anchor id, message)`, for the summary at the top.
    pub summary: Vec<(String, String)>,
    pub notice: Option<String>,
    pub error: Option<String>,
    /// A category was just deleted: its id, for the banner's Restore button.
    pub undo: Option<String>,
}

impl CategoriesPage {
    /// The create form's error for `field`.
    pub fn create_error(&self, field: &str) -> Option<&str> {
        error_for(&self.create_errors, field)
    }
}

impl Page for CategoriesPage {
    fn section(&self) -> Section {
        Section::Bills
    }

    fn status(&self) -> StatusCode {
        self.status
    }
}
