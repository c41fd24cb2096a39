//! Matching transactions to bills over `/api/transactions…`: suggestions with why they
//! scored, match (a bank payment for the cycle the transaction settles), unmatch, ignore and
//! unignore, rejecting a suggestion (hidden 90 days), and the matches of the last 7 days that
//! an undo panel lists. Merchant rules are [`super::rules`].

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use domain::Invalid;
use domain::id::TransactionId;
use domain::matching::MatchedBy;
use serde::Deserialize;
use service::matching::{self, SuggestionQuery};
use service::transactions;

use super::input::{QueryParams, body_id, opt_date};
use super::wire::bank::TransactionView;
use super::wire::matching::{RecentMatchView, TransactionSuggestionsView};
use super::wire::money::PaymentView;
use crate::AppState;
use crate::api::responses::{BadQuery, Conflicted, Denied, Missing, Refused};
use crate::auth::{DataUser, Meta};
use crate::extract::PathId;
use crate::json::ApiJson;
use crate::problem::ApiResult;
use crate::routes::Table;

/// Adds the matching routes to the table.
pub(crate) fn routes(table: Table) -> Table {
    table
        .add(
            "GET",
            "/api/transactions/suggestions",
            get(list_suggestions),
        )
        .add(
            "GET",
            "/api/transactions/recent-matches",
            get(list_recent_matches),
        )
        .add(
            "GET",
            "/api/transactions/{id}/suggestions",
            get(transaction_suggestions),
        )
        .add(
            "POST",
            "/api/transactions/{id}/match",
            post(match_transaction),
        )
        .add(
            "POST",
            "/api/transactions/{id}/unmatch",
            post(unmatch_transaction),
        )
        .add(
            "POST",
            "/api/transactions/{id}/ignore",
            post(ignore_transaction),
        )
        .add(
            "POST",
            "/api/transactions/{id}/unignore",
            post(unignore_transaction),
        )
        .add(
            "POST",
            "/api/transactions/{id}/reject",
            post(reject_suggestion),
        )
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MatchRequest {
    #[schema(format = Uuid)]
    pub bill_id: String,
    /// The due date of the occurrence it pays; default: the one the tracker's attribution
    /// picks (a late payment settles the earlier, unpaid cycle).
    #[schema(format = Date)]
    pub cycle_due: Option<String>,
    /// Accepting a suggestion (default false: chosen by hand).
    pub from_suggestion: Option<bool>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectRequest {
    /// The suggested bill that is not the one.
    #[schema(format = Uuid)]
    pub bill_id: String,
}

fn suggestion_query(raw: Option<&str>) -> Result<SuggestionQuery, Invalid> {
    let params = QueryParams::parse(raw, &["from", "to", "limit", "offset"])?;
    let (limit, offset) = params.page()?;
    Ok(SuggestionQuery {
        from: params.date("from")?,
        to: params.date("to")?,
        limit,
        offset,
    })
}

/// `GET /api/transactions/suggestions`: a page of unmatched transactions (newest first) with
/// their suggested bills.
#[utoipa::path(
    get,
    path = "/api/transactions/suggestions",
    tag = "transactions",
    params(
        ("from" = Option<String>, Query, description = "Posted on or after (YYYY-MM-DD)"),
        ("to" = Option<String>, Query, description = "Posted on or before (YYYY-MM-DD)"),
        ("limit" = Option<i64>, Query, description = "1–500, default 50"),
        ("offset" = Option<i64>, Query, description = "Default 0")
    ),
    responses((status = 200, description = "OK", body = Vec<TransactionSuggestionsView>), Denied, BadQuery)
)]
pub async fn list_suggestions(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<Vec<TransactionSuggestionsView>>> {
    let query = suggestion_query(raw.as_deref())?;
    let found = matching::suggestions(&state.app, &user, &query).await?;
    Ok(Json(super::wire::all(&found)))
}

/// `GET /api/transactions/recent-matches`: matches of the last 7 days, newest first.
#[utoipa::path(
    get,
    path = "/api/transactions/recent-matches",
    tag = "transactions",
    responses((status = 200, description = "OK", body = Vec<RecentMatchView>), Denied)
)]
pub async fn list_recent_matches(
    State(state): State<AppState>,
    DataUser(user): DataUser,
) -> ApiResult<Json<Vec<RecentMatchView>>> {
    let found = matching::recent_matches(&state.app, &user).await?;
    Ok(Json(super::wire::all(&found)))
}

/// `GET /api/transactions/{id}/suggestions`: one transaction's suggested bills.
#[utoipa::path(
    get,
    path = "/api/transactions/{id}/suggestions",
    tag = "transactions",
    params(("id" = String, Path, description = "Transaction id")),
    responses((status = 200, description = "OK", body = TransactionSuggestionsView), Denied, Missing)
)]
pub async fn transaction_suggestions(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    PathId(id): PathId<TransactionId>,
) -> ApiResult<Json<TransactionSuggestionsView>> {
    let found = matching::suggestions_for(&state.app, &user, id).await?;
    Ok(Json(TransactionSuggestionsView::from(&found)))
}

/// `POST /api/transactions/{id}/match`: records the bank payment this transaction is.
#[utoipa::path(
    post,
    path = "/api/transactions/{id}/match",
    tag = "transactions",
    params(("id" = String, Path, description = "Transaction id")),
    request_body = MatchRequest,
    responses((status = 201, description = "Matched: the payment made", body = PaymentView), Denied, Missing, Refused, Conflicted)
)]
pub async fn match_transaction(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    Meta(meta): Meta,
    PathId(id): PathId<TransactionId>,
    ApiJson(body): ApiJson<MatchRequest>,
) -> ApiResult<(StatusCode, Json<PaymentView>)> {
    let bill = body_id("bill_id", &body.bill_id)?;
    let cycle_due = opt_date("cycle_due", body.cycle_due.as_deref())?;
    let by = if body.from_suggestion.unwrap_or(false) {
        MatchedBy::Suggestion
    } else {
        MatchedBy::Manual
    };
    let payment =
        matching::match_transaction(&state.app, &user, &meta, id, bill, cycle_due, by).await?;
    Ok((StatusCode::CREATED, Json(PaymentView::from(&payment))))
}

/// The transaction after a change of its state.
async fn after(
    state: &AppState,
    user: &service::auth::Principal,
    id: TransactionId,
) -> ApiResult<Json<TransactionView>> {
    let transaction = transactions::find(&state.app, user, id).await?;
    Ok(Json(TransactionView::from(&transaction)))
}

/// `POST /api/transactions/{id}/unmatch`: removes the payment a match made.
#[utoipa::path(
    post,
    path = "/api/transactions/{id}/unmatch",
    tag = "transactions",
    params(("id" = String, Path, description = "Transaction id")),
    responses((status = 200, description = "Unmatched", body = TransactionView), Denied, Missing, Refused, Conflicted)
)]
pub async fn unmatch_transaction(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    Meta(meta): Meta,
    PathId(id): PathId<TransactionId>,
) -> ApiResult<Json<TransactionView>> {
    matching::unmatch(&state.app, &user, &meta, id).await?;
    after(&state, &user, id).await
}

/// `POST /api/transactions/{id}/ignore`: not a bill payment (a transfer, say): no
/// suggestions, and budgets leave it out.
#[utoipa::path(
    post,
    path = "/api/transactions/{id}/ignore",
    tag = "transactions",
    params(("id" = String, Path, description = "Transaction id")),
    responses((status = 200, description = "Ignored", body = TransactionView), Denied, Missing, Refused, Conflicted)
)]
pub async fn ignore_transaction(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    Meta(meta): Meta,
    PathId(id): PathId<TransactionId>,
) -> ApiResult<Json<TransactionView>> {
    matching::ignore(&state.app, &user, &meta, id).await?;
    after(&state, &user, id).await
}

/// `POST /api/transactions/{id}/unignore`.
#[utoipa::path(
    post,
    path = "/api/transactions/{id}/unignore",
    tag = "transactions",
    params(("id" = String, Path, description = "Transaction id")),
    responses((status = 200, description = "Unmatched again", body = TransactionView), Denied, Missing, Refused, Conflicted)
)]
pub async fn unignore_transaction(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    Meta(meta): Meta,
    PathId(id): PathId<TransactionId>,
) -> ApiResult<Json<TransactionView>> {
    matching::unignore(&state.app, &user, &meta, id).await?;
    after(&state, &user, id).await
}

/// `POST /api/transactions/{id}/reject`: this suggested bill is not the one (hidden for 90
/// days).
#[utoipa::path(
    post,
    path = "/api/transactions/{id}/reject",
    tag = "transactions",
    params(("id" = String, Path, description = "Transaction id")),
    request_body = RejectRequest,
    responses((status = 204, description = "Hidden"), Denied, Missing, Refused)
)]
pub async fn reject_suggestion(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    Meta(meta): Meta,
    PathId(id): PathId<TransactionId>,
    ApiJson(body): ApiJson<RejectRequest>,
) -> ApiResult<StatusCode> {
    let bill = body_id("bill_id", &body.bill_id)?;
    matching::reject_suggestion(&state.app, &user, &meta, id, bill).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_suggestions,
    list_recent_matches,
    transaction_suggestions,
    match_transaction,
    unmatch_transaction,
    ignore_transaction,
    unignore_transaction,
    reject_suggestion
))]
pub struct Doc;
