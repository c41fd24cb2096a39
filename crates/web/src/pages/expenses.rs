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
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use domain::id::ExpenseId;
use serde::Deserialize;
use service::auth::Principal;
use service::categories::{self, CategoryView};
use service::expenses::{self, ExpensePage, ExpenseQuery};
use service::{App, Error};

use super::common::{DataPageUser, failed, with_cookie, with_param};
use super::forms::{NotShown, UndoForm, back_to, failed_or_404, not_shown, param};
use super::{PageContext, chrome, error_page, see_other};
use crate::AppState;
use crate::auth::Caller;
use crate::routes::Table;
use crate::views;
use crate::views::bills::CategoryChip;
use crate::views::expenses::ExpensesPage;

/// The most expenses one bulk delete takes (as the API).
const BULK_LIMIT: usize = 500;

/// The expenses routes.
pub(crate) fn routes(table: Table) -> Table {
    table
        .add("GET", "/expenses", get(show))
        .add("POST", "/expenses", post(form::create))
        .add("GET", "/expenses/new", get(form::new))
        .add("POST", "/expenses/bulk-delete", post(bulk_delete))
        .add("POST", "/expenses/undo", post(undo))
        .add("GET", "/expenses/{id}/edit", get(form::edit))
        .add("POST", "/expenses/{id}", post(form::update))
        .add("POST", "/expenses/{id}/delete", post(delete))
        .add("POST", "/expenses/{id}/restore", post(restore))
}

/// Where a form returns to: an expenses list URL from the form, else `/expenses`.
pub fn back(raw: Option<&str>) -> String {
    back_to("/expenses", raw)
}

/// The caller's categories (deleted ones too, so old expenses keep their names).
async fn all_categories(app: &App, user: &Principal) -> Result<Vec<CategoryView>, Error> {
    categories::list(app, user, true).await
}

/// The 404 page for an expense that is missing or someone else's.
pub fn not_found(app: &App, caller: &Caller, ctx: &PageContext) -> Response {
    error_page(
        app,
        caller,
        ctx,
        StatusCode::NOT_FOUND,
        "There is no such expense. It may have been deleted for good, or the link is wrong.",
    )
}

/// A failed page load: 403 for the bootstrap administrator, else a 503 page.
pub fn show_failed(app: &App, caller: &Caller, ctx: &PageContext, err: Error) -> Response {
    let page = NotShown {
        title: "Expenses",
        heading: "The expenses could not be shown",
        invalid: None,
    };
    not_shown(app, caller, ctx, err, &page)
}

/// The page of expenses `query` asks for, and its number; past the last page (its rows were
/// just deleted, or an old link) the last page instead.
async fn find(
    app: &App,
    user: &Principal,
    query: ExpenseQuery,
    page: i64,
) -> Result<(ExpensePage, i64), Error> {
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
pub async fn show(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let app = &state.app;
    let request = list::parse(&ctx.locale, &pairs);
    let banner = banner(&pairs);
    let categories = match all_categories(app, &user).await {
        Ok(c) => c,
        Err(err) => return show_failed(app, &caller, &ctx, err),
    };
    let mut errors = request.errors;
    let mut page_number = request.page;
    let found = if errors.is_empty() {
        match find(app, &user, request.query, request.page).await {
            Ok((found, shown)) => {
                page_number = shown;
                Some(found)
            }
            Err(Error::Invalid(invalid)) => {
                errors.push(field_error(invalid));
                None
            }
            Err(err) => return show_failed(app, &caller, &ctx, err),
        }
    } else {
        None
    };
    let found = found.unwrap_or(ExpensePage {
        items: Vec::new(),
        total: 0,
        limit: list::PAGE_SIZE,
        offset: 0,
    });
    let names: HashMap<String, CategoryChip> = categories
        .iter()
        .map(|c| {
            let chip = CategoryChip {
                name: c.name.clone(),
                color: c.color.clone(),
            };
            (c.id.to_string(), chip)
        })
        .collect();
    let values = request.values;
    let return_to = list::href(&values, page_number);
    let (chrome, cookie) = chrome(app, &caller, &ctx, "Expenses");
    let page = ExpensesPage {
        chrome,
        categories: category_options(&categories, &values.category_id),
        sort_options: list::sort_options(&values),
        rows: list::rows(&ctx.locale, &found.items, &names, &return_to),
        total: found.total,
        page_sums: list::page_sums(&ctx.locale, &found.items),
        pagination: list::pagination(&values, page_number, found.total),
        return_to,
        filtered: list::filtered(&values),
        status: if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        filters: values,
        filter_errors: errors,
        notice: banner.notice,
        error: banner.error,
        undo_token: banner.undo_token,
        restore_id: banner.restore_id,
    };
    with_cookie(views::render(&page), cookie)
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
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    Path(id): Path<String>,
    Form(form): Form<ReturnForm>,
) -> Response {
    let app = &state.app;
    let to = back(form.return_to.as_deref());
    let Ok(id) = id.parse::<ExpenseId>() else {
        return not_found(app, &caller, &ctx);
    };
    match expenses::delete(app, &user, id).await {
        Ok(()) => see_other(&with_param(
            &with_param(&to, "notice", "deleted"),
            "deleted",
            &id.to_string(),
        )),
        Err(err) => failed_or_404(app, &caller, &ctx, &to, err, not_found),
    }
}

/// `POST /expenses/{id}/restore`: brings a deleted expense back.
pub async fn restore(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    Path(id): Path<String>,
    Form(form): Form<ReturnForm>,
) -> Response {
    let app = &state.app;
    let to = back(form.return_to.as_deref());
    let Ok(id) = id.parse::<ExpenseId>() else {
        return not_found(app, &caller, &ctx);
    };
    match expenses::restore(app, &user, id).await {
        Ok(_) => see_other(&with_param(&to, "notice", "restored")),
        Err(err) => failed_or_404(app, &caller, &ctx, &to, err, not_found),
    }
}

/// `POST /expenses/bulk-delete` (`ids` repeated): deletes the selected expenses under one
/// undo token, then back with an "Undo" banner. Ids that are not the caller's are left alone.
pub async fn bulk_delete(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let app = &state.app;
    let to = back(param(&fields, "return_to"));
    let ids: Vec<ExpenseId> = fields
        .iter()
        .filter(|(k, _)| k == "ids")
        .filter_map(|(_, v)| v.trim().parse().ok())
        .collect();
    if ids.is_empty() {
        return see_other(&with_param(&to, "error", "none_selected"));
    }
    if ids.len() > BULK_LIMIT {
        return see_other(&with_param(&to, "error", "invalid"));
    }
    match expenses::bulk_delete(app, &user, &ids).await {
        Ok(done) => match done.undo_token {
            Some(token) => {
                let to = with_param(&to, "notice", "bulk_deleted");
                let to = with_param(&to, "count", &done.deleted.len().to_string());
                see_other(&with_param(&to, "undo", &token))
            }
            None => see_other(&with_param(&to, "error", "not_found")),
        },
        Err(err) => failed(app, &caller, &ctx, &to, err),
    }
}

/// `POST /expenses/undo`: brings back exactly what one bulk delete deleted.
pub async fn undo(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    Form(form): Form<UndoForm>,
) -> Response {
    let app = &state.app;
    let to = back(form.return_to.as_deref());
    match expenses::undo(app, &user, &form.undo_token).await {
        Ok(done) if done.restored > 0 => {
            let to = with_param(&to, "notice", "undone");
            see_other(&with_param(&to, "count", &done.restored.to_string()))
        }
        Ok(_) => see_other(&with_param(&to, "error", "nothing_to_undo")),
        Err(err) => failed(app, &caller, &ctx, &to, err),
    }
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
