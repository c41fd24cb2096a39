//! The expenses pages: the list (`GET /expenses`, filters, sort and pagination in a
//! bookmarkable query), delete with restore, bulk delete with undo, and the add / edit forms
//! (in [`form`]). Every POST calls one service function and redirects back (303) to the list it
//! came from, with a banner chosen by a fixed code (never reflected input); another user's or
//! a missing expense is a 404 page; the bootstrap administrator gets a 403 page.
//!
//! - [`banner`] — the list's banners: fixed messages by code, the undo token and the id to
//!   restore.
//! - [`fields`] — what the expense and budget forms share: field names in messages, category
//!   options.
//! - [`list`] — the list's query string, its canonical URL and page links, and the rows.
//! - [`form`] — the add and edit forms: parsing, inline errors with the typed values, 422.

pub mod banner;
pub mod fields;
pub mod form;
pub mod list;

use banner::banner;
use fields::{category_options, field_error};

use std::collections::HashMap;

use axum::Form;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::routing::{get, post};
use domain::id::ExpenseId;
use serde::Deserialize;
use service::auth::Principal;
use service::categories::{self, Category};
use service::expenses::{self, ExpenseQuery, Expenses};
use service::{App, Error};

use super::common::{with_cookie, with_param};
use super::forms::{UndoForm, back_to, param};
use super::kit::{DataPage, Fail, PageError, PageResult};
use super::{chrome, see_other};
use crate::extract::PathId;
use crate::links;
use crate::locale::Locale;
use crate::pages::with_notice;
use crate::routes::Table;
use crate::views::bills::CategoryChip;
use crate::views::expenses::{ExpensesPage, FilterValues};
use crate::views::{self, Chrome};
use banner::Banner;

/// The most expenses one bulk delete takes (as the API).
const BULK_LIMIT: usize = 500;

/// The expenses routes.
pub(crate) fn routes(table: Table) -> Table {
    table
        .add("GET", links::EXPENSES.path(), get(show))
        .add("POST", links::EXPENSES.path(), post(form::create))
        .add("GET", links::EXPENSE_NEW.path(), get(form::new))
        .add(
            "POST",
            links::EXPENSES_BULK_DELETE.path(),
            post(bulk_delete),
        )
        .add("POST", links::EXPENSES_UNDO.path(), post(undo))
        .add("GET", links::EXPENSE_EDIT.template(), get(form::edit))
        .add("POST", links::EXPENSE.template(), post(form::update))
        .add("POST", links::EXPENSE_DELETE.template(), post(delete))
        .add("POST", links::EXPENSE_RESTORE.template(), post(restore))
}

/// Where a form returns to: an expenses list URL from the form, else `/expenses`.
pub fn back(raw: Option<&str>) -> String {
    back_to(links::EXPENSES.path(), raw)
}

/// The caller's categories (deleted ones too, so old expenses keep their names).
async fn all_categories(app: &App, user: &Principal) -> Result<Vec<Category>, Error> {
    categories::list(app, user, true).await
}

/// The 404 page's words for an expense that is missing or someone else's.
pub(crate) const MISSING: &str =
    "There is no such expense. It may have been deleted for good, or the link is wrong.";

/// The heading of the error page when the expenses could not be shown.
pub(crate) const NOT_SHOWN: &str = "The expenses could not be shown";

/// The page of expenses `query` asks for, and its number; past the last page (its rows were
/// just deleted, or an old link) the last page instead.
async fn find(
    app: &App,
    user: &Principal,
    query: ExpenseQuery,
    page: i64,
) -> Result<(Expenses, i64), Error> {
    let found = expenses::list(app, user, query.clone()).await?;
    if !found.items.is_empty() || found.total == 0 || page == 1 {
        return Ok((found, page));
    }
    let last = (found.total + list::PAGE_SIZE - 1) / list::PAGE_SIZE;
    let query = ExpenseQuery {
        offset: (last - 1) * list::PAGE_SIZE,
        ..query
    };
    Ok((expenses::list(app, user, query).await?, last))
}

/// `GET /expenses?…`: the filtered list.
pub async fn show(page: DataPage, Query(pairs): Query<Vec<(String, String)>>) -> PageResult {
    let ctx = page.context().await;
    let request = list::parse(&ctx.locale, &pairs);
    let categories = all_categories(&page.app, &page.user)
        .await
        .not_shown(NOT_SHOWN)?;
    let (found, shown, errors) = load(&page, request.query, request.page, request.errors).await?;
    let (chrome, cookie) = chrome(&page.app, &page.caller, &ctx, "Expenses");
    let listed = Listed {
        categories: &categories,
        found: &found,
        page: shown,
        errors,
    };
    let view = present(&ctx.locale, chrome, listed, request.values, banner(&pairs));
    Ok(with_cookie(views::render(&view), cookie))
}

/// The page of expenses a valid request asks for, the page number shown, and the refused
/// filters (with no rows then).
async fn load(
    page: &DataPage,
    query: ExpenseQuery,
    number: i64,
    mut errors: Vec<(String, String)>,
) -> Result<(Expenses, i64, Vec<(String, String)>), PageError> {
    if errors.is_empty() {
        match find(&page.app, &page.user, query, number).await {
            Ok((found, shown)) => return Ok((found, shown, errors)),
            Err(Error::Invalid(invalid)) => errors.push(field_error(invalid)),
            Err(err) => return Err(err).not_shown(NOT_SHOWN),
        }
    }
    let none = Expenses {
        items: Vec::new(),
        total: 0,
        limit: list::PAGE_SIZE,
        offset: 0,
    };
    Ok((none, number, errors))
}

/// What the list shows: the caller's categories, the rows found, the page number, and the
/// refused filters.
struct Listed<'a> {
    categories: &'a [Category],
    found: &'a Expenses,
    page: i64,
    errors: Vec<(String, String)>,
}

/// The list page for the filters as typed.
fn present(
    l: &Locale,
    chrome: Chrome,
    listed: Listed<'_>,
    values: FilterValues,
    banner: Banner,
) -> ExpensesPage {
    let names: HashMap<String, CategoryChip> = listed
        .categories
        .iter()
        .map(|c| {
            let chip = CategoryChip {
                name: c.name.clone(),
                color: c.color.clone(),
            };
            (c.id.to_string(), chip)
        })
        .collect();
    let found = listed.found;
    let return_to = list::href(&values, listed.page);
    ExpensesPage {
        chrome,
        categories: category_options(listed.categories, &values.category_id),
        sort_options: list::sort_options(&values),
        rows: list::rows(l, &found.items, &names, &return_to),
        total: found.total,
        page_sums: list::page_sums(l, &found.items),
        pagination: list::pagination(&values, listed.page, found.total),
        return_to,
        filtered: list::filtered(&values),
        status: if listed.errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        filters: values,
        filter_errors: listed.errors,
        notice: banner.notice,
        error: banner.error,
        undo_token: banner.undo_token,
        restore_id: banner.restore_id,
    }
}

/// A form that only says where to return to.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ReturnForm {
    pub return_to: Option<String>,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

/// `POST /expenses/{id}/delete`: soft delete, then back with a "Restore" banner.
pub async fn delete(
    page: DataPage,
    PathId(id): PathId<ExpenseId>,
    Form(form): Form<ReturnForm>,
) -> PageResult {
    let to = back(form.return_to.as_deref());
    let deleted = expenses::delete(&page.app, &page.user, id).await;
    deleted.back_to(&to).missing(MISSING)?;
    let to = with_param(&to, "notice", "deleted");
    Ok(see_other(&with_param(&to, "deleted", &id.to_string())))
}

/// `POST /expenses/{id}/restore`: brings a deleted expense back.
pub async fn restore(
    page: DataPage,
    PathId(id): PathId<ExpenseId>,
    Form(form): Form<ReturnForm>,
) -> PageResult {
    let to = back(form.return_to.as_deref());
    let restored = expenses::restore(&page.app, &page.user, id).await;
    restored.back_to(&to).missing(MISSING)?;
    Ok(with_notice(&to, "restored"))
}

/// `POST /expenses/bulk-delete` (`ids` repeated): deletes the selected expenses under one
/// undo token, then back with an "Undo" banner. Ids that are not the caller's are left alone.
pub async fn bulk_delete(page: DataPage, Form(fields): Form<Vec<(String, String)>>) -> PageResult {
    let to = back(param(&fields, "return_to"));
    let ids: Vec<ExpenseId> = fields
        .iter()
        .filter(|(k, _)| k == "ids")
        .filter_map(|(_, v)| v.trim().parse().ok())
        .collect();
    let refused = match ids.len() {
        0 => Some("none_selected"),
        n if n > BULK_LIMIT => Some("invalid"),
        _ => None,
    };
    if let Some(code) = refused {
        return Ok(see_other(&with_param(&to, "error", code)));
    }
    let done = expenses::bulk_delete(&page.app, &page.user, &ids)
        .await
        .back_to(&to)?;
    let Some(token) = done.undo_token else {
        return Ok(see_other(&with_param(&to, "error", "not_found")));
    };
    let to = with_param(&to, "notice", "bulk_deleted");
    let to = with_param(&to, "count", &done.deleted.len().to_string());
    Ok(see_other(&with_param(&to, "undo", &token)))
}

/// `POST /expenses/undo`: brings back exactly what one bulk delete deleted.
pub async fn undo(page: DataPage, Form(form): Form<UndoForm>) -> PageResult {
    let to = back(form.return_to.as_deref());
    let restored = expenses::undo(&page.app, &page.user, &form.undo_token)
        .await
        .back_to(&to)?;
    if restored == 0 {
        return Ok(see_other(&with_param(&to, "error", "nothing_to_undo")));
    }
    let to = with_param(&to, "notice", "undone");
    Ok(see_other(&with_param(&to, "count", &restored.to_string())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_return_only_to_the_expenses_list() {
        assert_eq!(back(Some("/expenses?q=x&page=2")), "/expenses?q=x&page=2");
        assert_eq!(back(Some("/expensesx")), "/expenses");
        assert_eq!(back(Some("/")), "/expenses");
        assert_eq!(back(Some("//evil.test/expenses")), "/expenses");
        assert_eq!(back(None), "/expenses");
    }
}
