//! Bills and categories: `/api/bills…`, `/api/categories…` (categories in [`categories`]).
//!
//! Every handler takes a [`DataUser`], so the bootstrap administrator gets 403 before any body
//! is read, then makes one service call. Path ids that do not parse are 404, like missing ones;
//! query flags are `true` or `false` (422 naming the parameter otherwise).

pub mod categories;

use axum::Json;
use axum::body::Body;
use axum::extract::{FromRequest, Request, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, patch, post};
use domain::id::BillId;
use domain::money::Currency;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use service::bills;

use super::wire::all;
use super::wire::bill_requests::{CreateBillRequest, UpdateBillRequest};
use super::wire::bills::{ActiveRangeView, BillView, CurrencyChangeView};

use super::input::{ApiQuery, DeletedQuery, flag};
use crate::AppState;
use crate::api::responses::{BadQuery, Denied, Missing, PROBLEM_JSON, Problem, Refused};
use crate::api::wire::tracker::{HistoryView, PayAllView};
pub use crate::auth::DataUser;
use crate::auth::Meta;
use crate::extract::PathId;
use crate::json::ApiJson;
use crate::problem::ApiResult;
use crate::routes::Table;

/// Adds this module's routes to the table.
pub(crate) fn routes(table: Table) -> Table {
    use categories as c;
    table
        .add("GET", "/api/bills", get(list))
        .add("POST", "/api/bills", post(create))
        .add("GET", "/api/bills/{id}", get(show))
        .add("PATCH", "/api/bills/{id}", patch(update))
        .add("DELETE", "/api/bills/{id}", delete(remove))
        .add("POST", "/api/bills/{id}/restore", post(restore))
        .add(
            "DELETE",
            "/api/bills/{id}/permanent",
            delete(remove_permanently),
        )
        .add("POST", "/api/bills/{id}/deactivate", post(deactivate))
        .add("POST", "/api/bills/{id}/reactivate", post(reactivate))
        .add("GET", "/api/bills/{id}/history", get(history))
        .add("GET", "/api/bills/{id}/unpaid-history", get(unpaid_history))
        .add("POST", "/api/bills/{id}/pay-history", post(pay_history))
        .add("POST", "/api/bills/change-currency", post(change_currency))
        .add("GET", "/api/categories", get(c::list))
        .add("POST", "/api/categories", post(c::create))
        .add("POST", "/api/categories/starter-set", post(c::starter_set))
        .add("GET", "/api/categories/{id}", get(c::show))
        .add("PATCH", "/api/categories/{id}", patch(c::update))
        .add("DELETE", "/api/categories/{id}", delete(c::remove))
        .add("POST", "/api/categories/{id}/restore", post(c::restore))
}

/// A JSON body that may be left out: no body at all is `T::default()`; a body is read like
/// [`ApiJson`] (415, 400, 422 naming the field).
pub struct OptionalJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Default> FromRequest<S> for OptionalJson<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (parts, body) = req.into_parts();
        // The body-limit layer has bounded the body already.
        let bytes = axum::body::to_bytes(body, usize::MAX)
            .await
            .map_err(|_| Problem::new(StatusCode::PAYLOAD_TOO_LARGE))?;
        if bytes.is_empty() {
            return Ok(Self(T::default()));
        }
        let req = Request::from_parts(parts, Body::from(bytes));
        // JSON `null` is no body too (the document calls the body nullable).
        let ApiJson(value) = ApiJson::<Option<T>>::from_request(req, state).await?;
        Ok(Self(value.unwrap_or_default()))
    }
}

/// `?include_inactive=&include_deleted=`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BillListQuery {
    pub include_inactive: Option<String>,
    pub include_deleted: Option<String>,
}

/// `GET /api/bills`: the caller's bills by name.
#[utoipa::path(
    get,
    path = "/api/bills",
    operation_id = "list_bills",
    tag = "bills",
    params(("include_inactive" = Option<bool>, Query, description = "Also inactive bills"), ("include_deleted" = Option<bool>, Query, description = "Also soft-deleted bills")),
    responses(
        (status = 200, description = "The bills", body = [BillView]),
        Denied,
        Refused
    )
)]
pub async fn list(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    ApiQuery(query): ApiQuery<BillListQuery>,
) -> ApiResult<Json<Vec<BillView>>> {
    let inactive = flag("include_inactive", query.include_inactive.as_deref())?;
    let deleted = flag("include_deleted", query.include_deleted.as_deref())?;
    let bills = bills::list(&state.app, &user, inactive, deleted).await?;
    Ok(Json(all(&bills)))
}

/// `POST /api/bills`.
#[utoipa::path(
    post,
    path = "/api/bills",
    operation_id = "create_bill",
    tag = "bills",
    request_body = CreateBillRequest,
    responses(
        (status = 201, description = "Created", body = BillView),
        Denied,
        Refused
    )
)]
pub async fn create(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    ApiJson(body): ApiJson<CreateBillRequest>,
) -> ApiResult<(StatusCode, Json<BillView>)> {
    let bill = bills::create(&state.app, &user, body.into()).await?;
    Ok((StatusCode::CREATED, Json(BillView::from(&bill))))
}

/// `GET /api/bills/{id}`: a deleted bill only with `include_deleted=true` (with `deleted_at`).
#[utoipa::path(
    get,
    path = "/api/bills/{id}",
    operation_id = "get_bill",
    tag = "bills",
    params(("id" = String, Path, description = "Bill id"), ("include_deleted" = Option<bool>, Query, description = "Also a soft-deleted one (404 otherwise)")),
    responses(
        (status = 200, description = "The bill", body = BillView),
        Denied,
        Missing,
        BadQuery
    )
)]
pub async fn show(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    PathId(id): PathId<BillId>,
    ApiQuery(query): ApiQuery<DeletedQuery>,
) -> ApiResult<Json<BillView>> {
    let deleted = flag("include_deleted", query.include_deleted.as_deref())?;
    let bill = bills::find(&state.app, &user, id, deleted).await?;
    Ok(Json(BillView::from(&bill)))
}

/// `PATCH /api/bills/{id}`: any subset of the fields, with the `version` last seen.
#[utoipa::path(
    patch,
    path = "/api/bills/{id}",
    operation_id = "update_bill",
    tag = "bills",
    params(("id" = String, Path, description = "Bill id")),
    request_body = UpdateBillRequest,
    responses(
        (status = 200, description = "The bill as saved", body = BillView),
        Denied,
        Missing,
        Refused,
        (status = 409, description = "Changed elsewhere since `version` (`field` is `version`)", body = Problem, content_type = PROBLEM_JSON)
    )
)]
pub async fn update(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    PathId(id): PathId<BillId>,
    ApiJson(body): ApiJson<UpdateBillRequest>,
) -> ApiResult<Json<BillView>> {
    let bill = bills::update(&state.app, &user, id, body.into()).await?;
    Ok(Json(BillView::from(&bill)))
}

/// `DELETE /api/bills/{id}`: soft delete (restore with `POST …/restore`).
#[utoipa::path(
    delete,
    path = "/api/bills/{id}",
    operation_id = "delete_bill",
    tag = "bills",
    params(("id" = String, Path, description = "Bill id")),
    responses(
        (status = 204, description = "Deleted (restorable)"),
        Denied,
        Missing
    )
)]
pub async fn remove(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    PathId(id): PathId<BillId>,
) -> ApiResult<StatusCode> {
    bills::delete(&state.app, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/bills/{id}/restore`.
#[utoipa::path(
    post,
    path = "/api/bills/{id}/restore",
    operation_id = "restore_bill",
    tag = "bills",
    params(("id" = String, Path, description = "Bill id")),
    responses(
        (status = 200, description = "The restored bill", body = BillView),
        Denied,
        Missing
    )
)]
pub async fn restore(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    PathId(id): PathId<BillId>,
) -> ApiResult<Json<BillView>> {
    let bill = bills::restore(&state.app, &user, id).await?;
    Ok(Json(BillView::from(&bill)))
}

/// `?confirm=true`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfirmQuery {
    pub confirm: Option<String>,
}

/// `DELETE /api/bills/{id}/permanent?confirm=true`: deletes the bill, its history, month
/// states and payments for good.
#[utoipa::path(
    delete,
    path = "/api/bills/{id}/permanent",
    operation_id = "delete_bill_permanently",
    tag = "bills",
    params(("id" = String, Path, description = "Bill id"), ("confirm" = bool, Query, description = "Must be true")),
    responses(
        (status = 204, description = "Deleted for good"),
        Denied,
        Missing,
        Refused
    )
)]
pub async fn remove_permanently(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    PathId(id): PathId<BillId>,
    ApiQuery(query): ApiQuery<ConfirmQuery>,
) -> ApiResult<StatusCode> {
    let confirmed = flag("confirm", query.confirm.as_deref())?;
    bills::delete_permanently(&state.app, &user, id, confirmed).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The optional body of deactivate and reactivate.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActiveChangeRequest {
    /// `YYYY-MM-DD`; default the caller's today.
    pub on: Option<String>,
}

/// `POST /api/bills/{id}/deactivate`: closes the bill's active range on `on`.
#[utoipa::path(
    post,
    path = "/api/bills/{id}/deactivate",
    operation_id = "deactivate_bill",
    tag = "bills",
    params(("id" = String, Path, description = "Bill id")),
    request_body = Option<ActiveChangeRequest>,
    responses(
        (status = 200, description = "The bill, now inactive", body = BillView),
        Denied,
        Missing,
        Refused
    )
)]
pub async fn deactivate(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    PathId(id): PathId<BillId>,
    OptionalJson(body): OptionalJson<ActiveChangeRequest>,
) -> ApiResult<Json<BillView>> {
    let on = body
        .on
        .as_deref()
        .map(|d| bills::parse_date("on", d))
        .transpose()?;
    let bill = bills::set_active(&state.app, &user, id, false, on).await?;
    Ok(Json(BillView::from(&bill)))
}

/// `POST /api/bills/{id}/reactivate`: opens a new active range on `on`.
#[utoipa::path(
    post,
    path = "/api/bills/{id}/reactivate",
    operation_id = "reactivate_bill",
    tag = "bills",
    params(("id" = String, Path, description = "Bill id")),
    request_body = Option<ActiveChangeRequest>,
    responses(
        (status = 200, description = "The bill, now active", body = BillView),
        Denied,
        Missing,
        Refused
    )
)]
pub async fn reactivate(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    PathId(id): PathId<BillId>,
    OptionalJson(body): OptionalJson<ActiveChangeRequest>,
) -> ApiResult<Json<BillView>> {
    let on = body
        .on
        .as_deref()
        .map(|d| bills::parse_date("on", d))
        .transpose()?;
    let bill = bills::set_active(&state.app, &user, id, true, on).await?;
    Ok(Json(BillView::from(&bill)))
}

/// `GET /api/bills/{id}/history`: when the bill was active, oldest first.
#[utoipa::path(
    get,
    path = "/api/bills/{id}/history",
    operation_id = "bill_history",
    tag = "bills",
    params(("id" = String, Path, description = "Bill id")),
    responses(
        (status = 200, description = "Active ranges, oldest first", body = [ActiveRangeView]),
        Denied,
        Missing
    )
)]
pub async fn history(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    PathId(id): PathId<BillId>,
) -> ApiResult<Json<Vec<ActiveRangeView>>> {
    let ranges = bills::history(&state.app, &user, id).await?;
    Ok(Json(all(&ranges)))
}

/// `GET /api/bills/{id}/unpaid-history`: how many occurrences before this month still owe.
#[utoipa::path(
    get,
    path = "/api/bills/{id}/unpaid-history",
    tag = "bills",
    params(("id" = String, Path, description = "Bill id")),
    responses(
        (status = 200, description = "Earlier occurrences still owing", body = HistoryView),
        Denied,
        Missing
    )
)]
pub async fn unpaid_history(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    PathId(id): PathId<BillId>,
) -> ApiResult<Json<HistoryView>> {
    let unpaid = service::tracker::unpaid_history(&state.app, &user, id).await?;
    Ok(Json(HistoryView::from(&unpaid)))
}

/// `POST /api/bills/{id}/pay-history`: marks every occurrence before this month that still
/// owes as paid on its due date, under one undo token (`POST /api/tracker/undo`).
#[utoipa::path(
    post,
    path = "/api/bills/{id}/pay-history",
    tag = "bills",
    params(("id" = String, Path, description = "Bill id")),
    responses(
        (status = 200, description = "How many were paid, and the undo token", body = PayAllView),
        Denied,
        Missing
    )
)]
pub async fn pay_history(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    PathId(id): PathId<BillId>,
) -> ApiResult<Json<PayAllView>> {
    let paid = service::tracker::pay_history(&state.app, &user, id).await?;
    Ok(Json(PayAllView::from(&paid)))
}

/// The body of `POST /api/bills/change-currency`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeCurrencyRequest {
    /// ISO 4217 code of the bills to move.
    pub from: String,
    /// ISO 4217 code to move them to, with as many decimals as `from`.
    pub to: String,
}

/// `POST /api/bills/change-currency`: moves every bill in `from` (not deleted) to `to` in one
/// step, amounts unchanged — no exchange rate is applied. `GET /api/profile/settings` lists
/// the bills in other currencies than the default.
#[utoipa::path(
    post,
    path = "/api/bills/change-currency",
    tag = "bills",
    request_body = ChangeCurrencyRequest,
    responses(
        (status = 200, description = "How many bills moved", body = CurrencyChangeView),
        Denied,
        Refused
    )
)]
pub async fn change_currency(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<ChangeCurrencyRequest>,
) -> ApiResult<Json<CurrencyChangeView>> {
    let from = Currency::parse("from", &body.from)?;
    let to = Currency::parse("to", &body.to)?;
    let change = bills::change_currency(&state.app, &user, from, to, &meta).await?;
    Ok(Json(CurrencyChangeView::from(&change)))
}

/// The OpenAPI description of these routes.
#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list,
        create,
        show,
        update,
        remove,
        restore,
        remove_permanently,
        deactivate,
        reactivate,
        history,
        unpaid_history,
        pay_history,
        change_currency,
        categories::list,
        categories::create,
        categories::starter_set,
        categories::show,
        categories::update,
        categories::remove,
        categories::restore
    ),
    components(schemas(Problem))
)]
pub struct Doc;
