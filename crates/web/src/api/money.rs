//! Payments, expenses and budgets: `/api/payments…` here, `/api/expenses…` in
//! [`super::expenses`] and `/api/budgets…` in [`super::budgets`], registered and documented
//! together from this module. Also the pieces those three share: the [`DataUser`] extractor,
//! strict query strings ([`QueryParams`]) and date and id parsing.
//!
//! Edge rules: every input is parsed here into domain types, and a refusal names the field
//! (422); amounts are decimal strings (a JSON number is a wrong type); an id in the path that
//! does not parse is 404 like a missing one, an id in a body or query that does not parse is
//! 422; unknown or repeated query parameters are 422.

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, patch, post};
use domain::Invalid;
use domain::bill::Notes;
use domain::id::PaymentId;
use domain::payment::{PaymentMethod, PaymentSource};
use serde::Deserialize;
use service::payments::{self, NewPaymentInput, PaymentPatch, PaymentQuery};

use super::input::{ApiQuery, DeletedQuery, QueryParams, body_id, flag, opt_date};
use super::wire::money::{PaymentPage, PaymentView};
use crate::AppState;
use crate::api::responses::{BadQuery, Denied, Missing, PROBLEM_JSON, Problem, Refused};
use crate::auth::DataUser;
use crate::extract::{PathId, present};
use crate::json::ApiJson;
use crate::problem::ApiResult;
use crate::routes::Table;

/// Adds the payment, expense and budget routes to the table.
pub(crate) fn routes(table: Table) -> Table {
    let table = super::expenses::routes(table);
    let table = super::budgets::routes(table);
    table
        .add("GET", "/api/payments", get(list_payments))
        .add("POST", "/api/payments", post(create_payment))
        .add("GET", "/api/payments/{id}", get(show_payment))
        .add("PATCH", "/api/payments/{id}", patch(update_payment))
        .add("DELETE", "/api/payments/{id}", delete(delete_payment))
        .add("POST", "/api/payments/{id}/restore", post(restore_payment))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePaymentRequest {
    #[schema(format = Uuid)]
    pub bill_id: String,
    /// Greater than zero, in the bill's currency.
    #[schema(example = "12.34")]
    pub amount: String,
    /// Default: the user's today.
    #[schema(format = Date)]
    pub paid_on: Option<String>,
    /// The due date of the occurrence this pays; default: chosen by cycle attribution (a late
    /// payment settles the earlier, unpaid cycle).
    #[schema(format = Date)]
    pub cycle_due: Option<String>,
    pub method: Option<String>,
    pub note: Option<String>,
    /// `manual` (default), `import` or `bank`.
    pub source: Option<String>,
    pub autopay_failed: Option<bool>,
}

impl CreatePaymentRequest {
    fn parse(self) -> Result<NewPaymentInput, Invalid> {
        Ok(NewPaymentInput {
            bill_id: body_id("bill_id", &self.bill_id)?,
            paid_on: opt_date("paid_on", self.paid_on.as_deref())?,
            cycle_due: opt_date("cycle_due", self.cycle_due.as_deref())?,
            method: PaymentMethod::parse_optional(self.method.as_deref().unwrap_or(""))?,
            note: Notes::parse("note", self.note.as_deref().unwrap_or(""))?,
            source: match self.source.as_deref() {
                Some(source) => source.parse()?,
                None => PaymentSource::Manual,
            },
            autopay_failed: self.autopay_failed.unwrap_or(false),
            amount: self.amount,
        })
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePaymentRequest {
    #[schema(example = "12.34")]
    pub amount: Option<String>,
    #[schema(format = Date)]
    pub paid_on: Option<String>,
    #[schema(format = Date)]
    pub cycle_due: Option<String>,
    /// `null` removes the method; absent leaves it.
    #[serde(default, deserialize_with = "present")]
    pub method: Option<Option<String>>,
    pub note: Option<String>,
    pub autopay_failed: Option<bool>,
    /// The version this edit is based on.
    #[serde(deserialize_with = "domain::version::whole_number")]
    pub version: i64,
}

impl UpdatePaymentRequest {
    fn parse(self) -> Result<(PaymentPatch, i64), Invalid> {
        let patch = PaymentPatch {
            paid_on: opt_date("paid_on", self.paid_on.as_deref())?,
            cycle_due: opt_date("cycle_due", self.cycle_due.as_deref())?,
            method: self
                .method
                .map(|m| PaymentMethod::parse_optional(m.as_deref().unwrap_or("")))
                .transpose()?,
            note: self.note.map(|n| Notes::parse("note", &n)).transpose()?,
            autopay_failed: self.autopay_failed,
            amount: self.amount,
        };
        Ok((patch, self.version))
    }
}

/// `GET /api/payments`: the caller's payments, newest first.
#[utoipa::path(
    get,
    path = "/api/payments",
    tag = "money",
    params(
        ("bill_id" = Option<String>, Query, description = "Only this bill's payments"),
        ("from" = Option<String>, Query, description = "Paid on or after (YYYY-MM-DD)"),
        ("to" = Option<String>, Query, description = "Paid on or before (YYYY-MM-DD)"),
        ("include_deleted" = Option<bool>, Query, description = "Also soft-deleted payments"),
        ("limit" = Option<i64>, Query, description = "1–500, default 50"),
        ("offset" = Option<i64>, Query, description = "Default 0")
    ),
    responses(
        (status = 200, description = "OK", body = PaymentPage),
        Denied,
        BadQuery
    )
)]
pub async fn list_payments(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<PaymentPage>> {
    let known = [
        "bill_id",
        "from",
        "to",
        "include_deleted",
        "limit",
        "offset",
    ];
    let params = QueryParams::parse(raw.as_deref(), &known)?;
    let (limit, offset) = params.page()?;
    let query = PaymentQuery {
        bill_id: params.id("bill_id")?,
        from: params.date("from")?,
        to: params.date("to")?,
        include_deleted: params.flag("include_deleted")?,
        limit,
        offset,
    };
    let page = payments::list(&state.app, &user, query).await?;
    Ok(Json(PaymentPage::from(&page)))
}

/// `POST /api/payments`: records a payment towards one of the caller's bills.
#[utoipa::path(
    post,
    path = "/api/payments",
    tag = "money",
    request_body = CreatePaymentRequest,
    responses(
        (status = 201, description = "Recorded; debt bills show their new balance", body = PaymentView),
        Denied,
        Missing,
        Refused
    )
)]
pub async fn create_payment(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    ApiJson(body): ApiJson<CreatePaymentRequest>,
) -> ApiResult<(StatusCode, Json<PaymentView>)> {
    let input = body.parse()?;
    let payment = payments::record(&state.app, &user, input).await?;
    Ok((StatusCode::CREATED, Json(PaymentView::from(&payment))))
}

/// `GET /api/payments/{id}`: one payment; a deleted one only with `include_deleted=true`.
#[utoipa::path(
    get,
    path = "/api/payments/{id}",
    tag = "money",
    params(("id" = String, Path, description = "Payment id"), ("include_deleted" = Option<bool>, Query, description = "Also a soft-deleted one (404 otherwise)")),
    responses(
        (status = 200, description = "OK", body = PaymentView),
        Denied,
        Missing,
        BadQuery
    )
)]
pub async fn show_payment(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    PathId(id): PathId<PaymentId>,
    ApiQuery(query): ApiQuery<DeletedQuery>,
) -> ApiResult<Json<PaymentView>> {
    let deleted = flag("include_deleted", query.include_deleted.as_deref())?;
    let payment = payments::find(&state.app, &user, id, deleted).await?;
    Ok(Json(PaymentView::from(&payment)))
}

/// `PATCH /api/payments/{id}`: edits a live payment (fields left out stay).
#[utoipa::path(
    patch,
    path = "/api/payments/{id}",
    tag = "money",
    params(("id" = String, Path, description = "Payment id")),
    request_body = UpdatePaymentRequest,
    responses(
        (status = 200, description = "OK", body = PaymentView),
        Denied,
        Missing,
        Refused,
        (status = 409, description = "Changed since `version`", body = Problem, content_type = PROBLEM_JSON)
    )
)]
pub async fn update_payment(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    PathId(id): PathId<PaymentId>,
    ApiJson(body): ApiJson<UpdatePaymentRequest>,
) -> ApiResult<Json<PaymentView>> {
    let (patch, version) = body.parse()?;
    let payment = payments::update(&state.app, &user, id, patch, version).await?;
    Ok(Json(PaymentView::from(&payment)))
}

/// `DELETE /api/payments/{id}`: soft delete; a debt bill's balance goes back up.
#[utoipa::path(
    delete,
    path = "/api/payments/{id}",
    tag = "money",
    params(("id" = String, Path, description = "Payment id")),
    responses(
        (status = 204, description = "Deleted (restore with POST …/restore)"),
        Denied,
        Missing,
        (status = 422, description = "The debt balance would leave the amount range", body = Problem, content_type = PROBLEM_JSON)
    )
)]
pub async fn delete_payment(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    PathId(id): PathId<PaymentId>,
) -> ApiResult<StatusCode> {
    payments::delete(&state.app, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/payments/{id}/restore`: brings a soft-deleted payment back.
#[utoipa::path(
    post,
    path = "/api/payments/{id}/restore",
    tag = "money",
    params(("id" = String, Path, description = "Payment id")),
    responses(
        (status = 200, description = "Restored", body = PaymentView),
        Denied,
        Missing,
        (status = 422, description = "A total would leave the amount range", body = Problem, content_type = PROBLEM_JSON)
    )
)]
pub async fn restore_payment(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    PathId(id): PathId<PaymentId>,
) -> ApiResult<Json<PaymentView>> {
    let payment = payments::restore(&state.app, &user, id).await?;
    Ok(Json(PaymentView::from(&payment)))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_payments,
    create_payment,
    show_payment,
    update_payment,
    delete_payment,
    restore_payment
))]
struct PaymentsDoc;

/// The OpenAPI description of the payment, expense and budget routes.
pub struct Doc;

impl utoipa::OpenApi for Doc {
    fn openapi() -> utoipa::openapi::OpenApi {
        let mut doc = PaymentsDoc::openapi();
        doc.merge(super::expenses::Doc::openapi());
        doc.merge(super::budgets::Doc::openapi());
        doc
    }
}
