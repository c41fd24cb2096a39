//! `/api/expenses…`: one-off expenses with filters, literal text search, sort, pagination,
//! soft delete and restore, and bulk delete with undo. Registered and documented through
//! [`super::money`], which also holds the shared query, date and id parsing.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, patch, post};
use domain::Invalid;
use domain::bill::Notes;
use domain::id::ExpenseId;
use domain::money::Currency;
use domain::payment::{Payee, PaymentMethod};
use domain::text;
use serde::Deserialize;
use service::expenses::{
    self, ExpensePatch, ExpenseQuery, ExpenseSort, NewExpenseInput, SortDirection,
};

use super::input::{ApiQuery, DeletedQuery, QueryParams, body_id, flag, opt_date};
use super::wire::money::{ExpenseBulkDeleteView, ExpensePage, ExpenseUndoView, ExpenseView};
use crate::AppState;
use crate::api::responses::{BadQuery, Denied, Missing, PROBLEM_JSON, Problem, Refused};
use crate::auth::DataUser;
use crate::extract::{PathId, present};
use crate::json::ApiJson;
use crate::problem::ApiResult;
use crate::routes::Table;

/// The orders `GET /api/expenses` takes in `sort`.
pub const EXPENSE_SORTS: [&str; 3] = ["date", "amount", "payee"];
/// The directions a list takes in `dir`.
pub const SORT_DIRS: [&str; 2] = ["asc", "desc"];
/// The longest text `q` searches for.
pub const EXPENSE_SEARCH_MAX: usize = 200;

/// The most ids one bulk delete takes.
pub const BULK_LIMIT: usize = 500;

/// Adds the expense routes to the table.
pub(crate) fn routes(table: Table) -> Table {
    table
        .add("GET", "/api/expenses", get(list_expenses))
        .add("POST", "/api/expenses", post(create_expense))
        .add(
            "POST",
            "/api/expenses/bulk-delete",
            post(bulk_delete_expenses),
        )
        .add("POST", "/api/expenses/undo", post(undo_expense_delete))
        .add("GET", "/api/expenses/{id}", get(show_expense))
        .add("PATCH", "/api/expenses/{id}", patch(update_expense))
        .add("DELETE", "/api/expenses/{id}", delete(delete_expense))
        .add("POST", "/api/expenses/{id}/restore", post(restore_expense))
}

fn currency(raw: Option<&str>) -> Result<Option<Currency>, Invalid> {
    raw.map(|raw| Currency::parse("currency", raw)).transpose()
}

fn list_query(raw: Option<&str>) -> Result<ExpenseQuery, Invalid> {
    let known = [
        "from",
        "to",
        "category_id",
        "min_amount",
        "max_amount",
        "q",
        "include_deleted",
        "sort",
        "dir",
        "limit",
        "offset",
    ];
    let params = QueryParams::parse(raw, &known)?;
    let (limit, offset) = params.page()?;
    let sort = match params.text("sort") {
        None => ExpenseSort::Date,
        Some(raw) => text::choice("sort", raw, &EXPENSE_SORTS, |s| s).map(|name| match name {
            "amount" => ExpenseSort::Amount,
            "payee" => ExpenseSort::Payee,
            _ => ExpenseSort::Date,
        })?,
    };
    let direction = match params.text("dir") {
        None => SortDirection::Desc,
        Some(raw) => text::choice("dir", raw, &SORT_DIRS, |d| d).map(|name| {
            if name == "asc" {
                SortDirection::Asc
            } else {
                SortDirection::Desc
            }
        })?,
    };
    Ok(ExpenseQuery {
        from: params.date("from")?,
        to: params.date("to")?,
        category_id: params.id("category_id")?,
        min_amount: params.text("min_amount").map(str::to_owned),
        max_amount: params.text("max_amount").map(str::to_owned),
        text: params
            .text("q")
            .map(|q| text::bounded("q", q, 1, EXPENSE_SEARCH_MAX))
            .transpose()?,
        include_deleted: params.flag("include_deleted")?,
        sort,
        direction,
        limit,
        offset,
    })
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateExpenseRequest {
    /// Not zero; negative for a refund.
    #[schema(example = "12.34")]
    pub amount: String,
    /// Default: the user's currency.
    #[schema(example = "USD")]
    pub currency: Option<String>,
    /// Default: the user's today.
    #[schema(format = Date)]
    pub spent_on: Option<String>,
    #[schema(format = Uuid)]
    pub category_id: Option<String>,
    pub payee: Option<String>,
    pub note: Option<String>,
    pub method: Option<String>,
}

impl CreateExpenseRequest {
    fn parse(self) -> Result<NewExpenseInput, Invalid> {
        Ok(NewExpenseInput {
            currency: currency(self.currency.as_deref())?,
            spent_on: opt_date("spent_on", self.spent_on.as_deref())?,
            category_id: self
                .category_id
                .map(|id| body_id("category_id", &id))
                .transpose()?,
            payee: Payee::parse_optional(self.payee.as_deref().unwrap_or(""))?,
            note: Notes::parse("note", self.note.as_deref().unwrap_or(""))?,
            method: PaymentMethod::parse_optional(self.method.as_deref().unwrap_or(""))?,
            amount: self.amount,
        })
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateExpenseRequest {
    #[schema(example = "12.34")]
    pub amount: Option<String>,
    pub currency: Option<String>,
    #[schema(format = Date)]
    pub spent_on: Option<String>,
    /// `null` removes the category; absent leaves it.
    #[serde(default, deserialize_with = "present")]
    pub category_id: Option<Option<String>>,
    /// `null` removes the payee; absent leaves it.
    #[serde(default, deserialize_with = "present")]
    pub payee: Option<Option<String>>,
    pub note: Option<String>,
    /// `null` removes the method; absent leaves it.
    #[serde(default, deserialize_with = "present")]
    pub method: Option<Option<String>>,
    /// The version this edit is based on.
    #[serde(deserialize_with = "domain::version::whole_number")]
    pub version: i64,
}

impl UpdateExpenseRequest {
    fn parse(self) -> Result<(ExpensePatch, i64), Invalid> {
        let text = |v: &Option<String>| v.as_deref().unwrap_or("").to_owned();
        let patch = ExpensePatch {
            currency: currency(self.currency.as_deref())?,
            spent_on: opt_date("spent_on", self.spent_on.as_deref())?,
            category_id: self
                .category_id
                .map(|id| id.map(|id| body_id("category_id", &id)).transpose())
                .transpose()?,
            payee: self
                .payee
                .map(|p| Payee::parse_optional(&text(&p)))
                .transpose()?,
            note: self.note.map(|n| Notes::parse("note", &n)).transpose()?,
            method: self
                .method
                .map(|m| PaymentMethod::parse_optional(&text(&m)))
                .transpose()?,
            amount: self.amount,
        };
        Ok((patch, self.version))
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BulkDeleteExpensesRequest {
    /// 1–500 expense ids.
    pub ids: Vec<String>,
}

impl BulkDeleteExpensesRequest {
    fn parse(self) -> Result<Vec<ExpenseId>, Invalid> {
        if self.ids.is_empty() || self.ids.len() > BULK_LIMIT {
            return Err(Invalid::new(
                "ids",
                format!("must list 1–{BULK_LIMIT} expense ids"),
            ));
        }
        self.ids.iter().map(|id| body_id("ids", id)).collect()
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UndoExpenseDeleteRequest {
    /// The token a bulk delete returned.
    pub undo_token: String,
}

/// `GET /api/expenses`: a page of the caller's expenses and the number of all matches.
#[utoipa::path(
    get,
    path = "/api/expenses",
    tag = "money",
    params(
        ("from" = Option<String>, Query, description = "Spent on or after (YYYY-MM-DD)"),
        ("to" = Option<String>, Query, description = "Spent on or before (YYYY-MM-DD)"),
        ("category_id" = Option<String>, Query, description = "Only this category"),
        ("min_amount" = Option<String>, Query, description = "At least this amount (decimal, user's currency)"),
        ("max_amount" = Option<String>, Query, description = "At most this amount (decimal, user's currency)"),
        ("q" = Option<String>, Query, description = "Text in payee or note, matched literally (`%` and `_` are plain characters)"),
        ("include_deleted" = Option<bool>, Query, description = "Also soft-deleted expenses"),
        ("sort" = Option<String>, Query, description = "date (default), amount or payee"),
        ("dir" = Option<String>, Query, description = "asc or desc (default)"),
        ("limit" = Option<i64>, Query, description = "1–500, default 50"),
        ("offset" = Option<i64>, Query, description = "Default 0")
    ),
    responses(
        (status = 200, description = "OK", body = ExpensePage),
        Denied,
        BadQuery
    )
)]
pub async fn list_expenses(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<ExpensePage>> {
    let query = list_query(raw.as_deref())?;
    Ok(Json(ExpensePage::from(
        &expenses::list(&state.app, &user, query).await?,
    )))
}

/// `POST /api/expenses`: records an expense.
#[utoipa::path(
    post,
    path = "/api/expenses",
    tag = "money",
    request_body = CreateExpenseRequest,
    responses(
        (status = 201, description = "Recorded", body = ExpenseView),
        Denied,
        Refused
    )
)]
pub async fn create_expense(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    ApiJson(body): ApiJson<CreateExpenseRequest>,
) -> ApiResult<(StatusCode, Json<ExpenseView>)> {
    let input = body.parse()?;
    let expense = expenses::create(&state.app, &user, input).await?;
    Ok((StatusCode::CREATED, Json(ExpenseView::from(&expense))))
}

/// `GET /api/expenses/{id}`: one expense; a deleted one only with `include_deleted=true`.
#[utoipa::path(
    get,
    path = "/api/expenses/{id}",
    tag = "money",
    params(("id" = String, Path, description = "Expense id"), ("include_deleted" = Option<bool>, Query, description = "Also a soft-deleted one (404 otherwise)")),
    responses(
        (status = 200, description = "OK", body = ExpenseView),
        Denied,
        Missing,
        BadQuery
    )
)]
pub async fn show_expense(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    PathId(id): PathId<ExpenseId>,
    ApiQuery(query): ApiQuery<DeletedQuery>,
) -> ApiResult<Json<ExpenseView>> {
    let deleted = flag("include_deleted", query.include_deleted.as_deref())?;
    let expense = expenses::find(&state.app, &user, id, deleted).await?;
    Ok(Json(ExpenseView::from(&expense)))
}

/// `PATCH /api/expenses/{id}`: edits a live expense (fields left out stay).
#[utoipa::path(
    patch,
    path = "/api/expenses/{id}",
    tag = "money",
    params(("id" = String, Path, description = "Expense id")),
    request_body = UpdateExpenseRequest,
    responses(
        (status = 200, description = "OK", body = ExpenseView),
        Denied,
        Missing,
        Refused,
        (status = 409, description = "Changed since `version`", body = Problem, content_type = PROBLEM_JSON)
    )
)]
pub async fn update_expense(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    PathId(id): PathId<ExpenseId>,
    ApiJson(body): ApiJson<UpdateExpenseRequest>,
) -> ApiResult<Json<ExpenseView>> {
    let (patch, version) = body.parse()?;
    let expense = expenses::update(&state.app, &user, id, patch, version).await?;
    Ok(Json(ExpenseView::from(&expense)))
}

/// `DELETE /api/expenses/{id}`: soft delete.
#[utoipa::path(
    delete,
    path = "/api/expenses/{id}",
    tag = "money",
    params(("id" = String, Path, description = "Expense id")),
    responses(
        (status = 204, description = "Deleted (restore with POST …/restore)"),
        Denied,
        Missing
    )
)]
pub async fn delete_expense(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    PathId(id): PathId<ExpenseId>,
) -> ApiResult<StatusCode> {
    expenses::delete(&state.app, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/expenses/{id}/restore`: brings a soft-deleted expense back.
#[utoipa::path(
    post,
    path = "/api/expenses/{id}/restore",
    tag = "money",
    params(("id" = String, Path, description = "Expense id")),
    responses(
        (status = 200, description = "Restored", body = ExpenseView),
        Denied,
        Missing
    )
)]
pub async fn restore_expense(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    PathId(id): PathId<ExpenseId>,
) -> ApiResult<Json<ExpenseView>> {
    let expense = expenses::restore(&state.app, &user, id).await?;
    Ok(Json(ExpenseView::from(&expense)))
}

/// `POST /api/expenses/bulk-delete`: soft-deletes several expenses under one undo token.
#[utoipa::path(
    post,
    path = "/api/expenses/bulk-delete",
    tag = "money",
    request_body = BulkDeleteExpensesRequest,
    responses(
        (status = 200, description = "What was deleted and what was not found", body = ExpenseBulkDeleteView),
        Denied,
        Refused
    )
)]
pub async fn bulk_delete_expenses(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    ApiJson(body): ApiJson<BulkDeleteExpensesRequest>,
) -> ApiResult<Json<ExpenseBulkDeleteView>> {
    let ids = body.parse()?;
    let done = expenses::bulk_delete(&state.app, &user, &ids).await?;
    Ok(Json(ExpenseBulkDeleteView::from(&done)))
}

/// `POST /api/expenses/undo`: restores exactly what one bulk delete deleted.
#[utoipa::path(
    post,
    path = "/api/expenses/undo",
    tag = "money",
    request_body = UndoExpenseDeleteRequest,
    responses(
        (status = 200, description = "How many came back", body = ExpenseUndoView),
        Denied,
        Refused
    )
)]
pub async fn undo_expense_delete(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    ApiJson(body): ApiJson<UndoExpenseDeleteRequest>,
) -> ApiResult<Json<ExpenseUndoView>> {
    let restored = expenses::undo(&state.app, &user, &body.undo_token).await?;
    Ok(Json(ExpenseUndoView { restored }))
}

/// The OpenAPI description of these routes (merged into [`super::money::Doc`]).
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_expenses,
    create_expense,
    show_expense,
    update_expense,
    delete_expense,
    restore_expense,
    bulk_delete_expenses,
    undo_expense_delete
))]
pub struct Doc;
