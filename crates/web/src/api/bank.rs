//! `/api/bank-accounts…` and `/api/transactions…`: the caller's accounts (listed, added,
//! renamed) and their transactions (filtered, searched, sorted, paged). Statement imports,
//! which write the transactions, are [`super::imports`].

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use domain::Invalid;
use domain::bill::Notes;
use domain::id::{BankAccountId, TransactionId};
use domain::money::Currency;
use domain::text;
use serde::Deserialize;
use service::bank_accounts::{self, AccountInput};
use service::transactions::{
    self, SortDirection, TransactionQuery, TransactionSort, TransactionState,
};

use super::input::{QueryParams, body_id};
use super::wire::bank::{BankAccountView, TransactionPage, TransactionView};
use super::wire::money::ExpenseView;
use crate::AppState;
use crate::api::responses::{BadQuery, Conflicted, Denied, Missing, Refused};
use crate::auth::{DataUser, Meta};
use crate::extract::PathId;
use crate::json::ApiJson;
use crate::problem::ApiResult;
use crate::routes::Table;

/// The orders `GET /api/transactions` takes in `sort`.
pub const TRANSACTION_SORTS: [&str; 3] = ["date", "amount", "payee"];
/// The states `GET /api/transactions` filters by.
pub const TRANSACTION_STATES: [&str; 3] = ["unmatched", "matched", "ignored"];
/// The longest text `q` searches for.
pub const TRANSACTION_SEARCH_MAX: usize = 200;

/// Adds the account and transaction routes to the table.
pub(crate) fn routes(table: Table) -> Table {
    table
        .add("GET", "/api/bank-accounts", get(list_accounts))
        .add("POST", "/api/bank-accounts", post(create_account))
        .add("PATCH", "/api/bank-accounts/{id}", patch(rename_account))
        .add("GET", "/api/transactions", get(list_transactions))
        .add("GET", "/api/transactions/{id}", get(show_transaction))
        .add("PATCH", "/api/transactions/{id}", patch(update_transaction))
        .add(
            "POST",
            "/api/transactions/{id}/record-expense",
            post(record_expense),
        )
}

/// The query of a transaction list (shared with the transactions page).
pub fn transaction_query(raw: Option<&str>) -> Result<TransactionQuery, Invalid> {
    let known = [
        "account_id",
        "from",
        "to",
        "min_amount",
        "max_amount",
        "state",
        "q",
        "sort",
        "dir",
        "limit",
        "offset",
    ];
    let params = QueryParams::parse(raw, &known)?;
    let (limit, offset) = params.page()?;
    let sort = match params.text("sort") {
        None => TransactionSort::Posted,
        Some(raw) => match text::choice("sort", raw, &TRANSACTION_SORTS, |s| s)? {
            "amount" => TransactionSort::Amount,
            "payee" => TransactionSort::Payee,
            _ => TransactionSort::Posted,
        },
    };
    let direction = match params.text("dir") {
        None => SortDirection::Desc,
        Some(raw) => match text::choice("dir", raw, &super::expenses::SORT_DIRS, |d| d)? {
            "asc" => SortDirection::Asc,
            _ => SortDirection::Desc,
        },
    };
    let state = params
        .text("state")
        .map(|raw| {
            text::choice("state", raw, &TRANSACTION_STATES, |s| s).map(|name| {
                TransactionState::ALL
                    .into_iter()
                    .find(|s| s.as_str() == name)
                    .unwrap_or(TransactionState::Unmatched)
            })
        })
        .transpose()?;
    Ok(TransactionQuery {
        account_id: params.id("account_id")?,
        from: params.date("from")?,
        to: params.date("to")?,
        min_amount: params.text("min_amount").map(str::to_owned),
        max_amount: params.text("max_amount").map(str::to_owned),
        state,
        text: params
            .text("q")
            .map(|q| text::bounded("q", q, 1, TRANSACTION_SEARCH_MAX))
            .transpose()?,
        sort,
        direction,
        limit,
        offset,
    })
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateBankAccountRequest {
    /// 1–64 characters.
    pub name: String,
    /// ISO 4217 code; every transaction of the account is in it.
    #[schema(example = "USD")]
    pub currency: String,
    pub institution: Option<String>,
    /// Up to four digits.
    pub last_digits: Option<String>,
}

impl CreateBankAccountRequest {
    fn parse(self) -> Result<AccountInput, Invalid> {
        AccountInput::parse(
            &self.name,
            Currency::parse("currency", &self.currency)?,
            self.institution.as_deref().unwrap_or(""),
            self.last_digits.as_deref().unwrap_or(""),
        )
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenameBankAccountRequest {
    /// 1–64 characters.
    pub name: String,
    /// The version this edit is based on.
    #[serde(deserialize_with = "domain::version::whole_number")]
    pub version: i64,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTransactionRequest {
    /// The spending category; `null` removes it. Budgets count a categorised transaction
    /// unless it backs a bill payment or is ignored.
    #[schema(format = Uuid)]
    pub category_id: Option<String>,
    /// The version this edit is based on.
    #[serde(deserialize_with = "domain::version::whole_number")]
    pub version: i64,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecordExpenseRequest {
    /// The expense's category; default: the transaction's own.
    #[schema(format = Uuid)]
    pub category_id: Option<String>,
    /// A note on the expense.
    pub note: Option<String>,
}

/// `GET /api/bank-accounts`: the caller's accounts, by name.
#[utoipa::path(
    get,
    path = "/api/bank-accounts",
    tag = "transactions",
    responses((status = 200, description = "OK", body = Vec<BankAccountView>), Denied)
)]
pub async fn list_accounts(
    State(state): State<AppState>,
    DataUser(user): DataUser,
) -> ApiResult<Json<Vec<BankAccountView>>> {
    let accounts = bank_accounts::list(&state.app, &user).await?;
    Ok(Json(super::wire::all(&accounts)))
}

/// `POST /api/bank-accounts`: adds an account.
#[utoipa::path(
    post,
    path = "/api/bank-accounts",
    tag = "transactions",
    request_body = CreateBankAccountRequest,
    responses((status = 201, description = "Added", body = BankAccountView), Denied, Refused)
)]
pub async fn create_account(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<CreateBankAccountRequest>,
) -> ApiResult<(StatusCode, Json<BankAccountView>)> {
    let account = bank_accounts::create(&state.app, &user, &meta, body.parse()?).await?;
    Ok((StatusCode::CREATED, Json(BankAccountView::from(&account))))
}

/// `PATCH /api/bank-accounts/{id}`: renames an account.
#[utoipa::path(
    patch,
    path = "/api/bank-accounts/{id}",
    tag = "transactions",
    params(("id" = String, Path, description = "Account id")),
    request_body = RenameBankAccountRequest,
    responses((status = 200, description = "Renamed", body = BankAccountView), Denied, Missing, Refused, Conflicted)
)]
pub async fn rename_account(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    Meta(meta): Meta,
    PathId(id): PathId<BankAccountId>,
    ApiJson(body): ApiJson<RenameBankAccountRequest>,
) -> ApiResult<Json<BankAccountView>> {
    let account =
        bank_accounts::rename(&state.app, &user, &meta, id, &body.name, body.version).await?;
    Ok(Json(BankAccountView::from(&account)))
}

/// `GET /api/transactions`: a page of the caller's transactions and the number of all matches.
#[utoipa::path(
    get,
    path = "/api/transactions",
    tag = "transactions",
    params(
        ("account_id" = Option<String>, Query, description = "Only this account"),
        ("from" = Option<String>, Query, description = "Posted on or after (YYYY-MM-DD)"),
        ("to" = Option<String>, Query, description = "Posted on or before (YYYY-MM-DD)"),
        ("min_amount" = Option<String>, Query, description = "At least this signed amount (decimal; the account's currency, or the user's without account_id). Money out is negative"),
        ("max_amount" = Option<String>, Query, description = "At most this signed amount"),
        ("state" = Option<String>, Query, description = "unmatched, matched or ignored"),
        ("q" = Option<String>, Query, description = "Text in payee or memo, matched literally"),
        ("sort" = Option<String>, Query, description = "date (default), amount or payee"),
        ("dir" = Option<String>, Query, description = "asc or desc (default)"),
        ("limit" = Option<i64>, Query, description = "1–500, default 50"),
        ("offset" = Option<i64>, Query, description = "Default 0")
    ),
    responses((status = 200, description = "OK", body = TransactionPage), Denied, Missing, BadQuery)
)]
pub async fn list_transactions(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<TransactionPage>> {
    let query = transaction_query(raw.as_deref())?;
    Ok(Json(TransactionPage::from(
        &transactions::list(&state.app, &user, query).await?,
    )))
}

/// `GET /api/transactions/{id}`: one transaction.
#[utoipa::path(
    get,
    path = "/api/transactions/{id}",
    tag = "transactions",
    params(("id" = String, Path, description = "Transaction id")),
    responses((status = 200, description = "OK", body = TransactionView), Denied, Missing)
)]
pub async fn show_transaction(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    PathId(id): PathId<TransactionId>,
) -> ApiResult<Json<TransactionView>> {
    let transaction = transactions::find(&state.app, &user, id).await?;
    Ok(Json(TransactionView::from(&transaction)))
}

/// `PATCH /api/transactions/{id}`: sets or clears a transaction's spending category.
#[utoipa::path(
    patch,
    path = "/api/transactions/{id}",
    tag = "transactions",
    params(("id" = String, Path, description = "Transaction id")),
    request_body = UpdateTransactionRequest,
    responses((status = 200, description = "Saved", body = TransactionView), Denied, Missing, Refused, Conflicted)
)]
pub async fn update_transaction(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    Meta(meta): Meta,
    PathId(id): PathId<TransactionId>,
    ApiJson(body): ApiJson<UpdateTransactionRequest>,
) -> ApiResult<Json<TransactionView>> {
    let category = body
        .category_id
        .as_deref()
        .map(|raw| body_id("category_id", raw))
        .transpose()?;
    let transaction =
        transactions::set_category(&state.app, &user, &meta, id, category, body.version).await?;
    Ok(Json(TransactionView::from(&transaction)))
}

/// `POST /api/transactions/{id}/record-expense`: records money out as an expense (its day,
/// amount, currency and payee), counted once: budgets count the expense, not the transaction.
/// Deleting the expense undoes it.
#[utoipa::path(
    post,
    path = "/api/transactions/{id}/record-expense",
    tag = "transactions",
    params(("id" = String, Path, description = "Transaction id")),
    request_body = RecordExpenseRequest,
    responses((status = 201, description = "Recorded: the expense made", body = ExpenseView), Denied, Missing, Refused, Conflicted)
)]
pub async fn record_expense(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    Meta(meta): Meta,
    PathId(id): PathId<TransactionId>,
    ApiJson(body): ApiJson<RecordExpenseRequest>,
) -> ApiResult<(StatusCode, Json<ExpenseView>)> {
    let category = body
        .category_id
        .as_deref()
        .map(|raw| body_id("category_id", raw))
        .transpose()?;
    let note = Notes::parse("note", body.note.as_deref().unwrap_or(""))?;
    let expense =
        transactions::record_as_expense(&state.app, &user, &meta, id, category, note).await?;
    Ok((StatusCode::CREATED, Json(ExpenseView::from(&expense))))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_accounts,
    create_account,
    rename_account,
    list_transactions,
    show_transaction,
    update_transaction,
    record_expense
))]
pub struct Doc;
