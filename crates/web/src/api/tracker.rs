//! The tracker, month state and settings: `/api/tracker`, month state, month cash and the
//! recurring income, quick pay, toggle paid, pay all with undo, `/api/profile/settings`.
//!
//! Every handler takes [`DataUser`], so the bootstrap administrator (who owns no data) gets
//! 403 before the body is read, like an anonymous caller gets 401. Dates are parsed with
//! [`domain::date::parse_date`] (strict `YYYY-MM-DD`, real days only).

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use domain::bill::Notes;
use domain::buckets::Paydays;
use domain::date::parse_date;
use domain::id::BillId;
use domain::money::Currency;
use serde::Deserialize;
use service::month_state::{self, MonthStateChanges};
use service::tracker::cash;
use service::tracker::pay;
use service::tracker::settings::{self, SettingsPatch};
use service::tracker::{self, CashInput, TrackerQuery, YearMonth};

use crate::AppState;
use crate::api::responses::{BadQuery, Denied, Missing, PROBLEM_JSON, Problem, Refused};
use crate::api::wire::cash::{CashMonthView, CashView, RecurringIncomeView};
use crate::api::wire::settings::SettingsView;
use crate::api::wire::tracker::{OccurrenceView, PayAllView, QuickPayView, TrackerView, UndoView};
use crate::auth::DataUser;
use crate::extract::present;
use crate::json::ApiJson;
use crate::problem::{ApiError, ApiResult};
use crate::routes::Table;

/// A bill id from the path or body: one that does not parse is 404, like a missing one.
fn bill_id(raw: &str) -> Result<BillId, ApiError> {
    raw.parse().map_err(|_| ApiError(service::Error::NotFound))
}

/// `GET /api/tracker?year=&month=&sort=&dir=`.
#[utoipa::path(
    get,
    path = "/api/tracker",
    tag = "tracker",
    params(
        ("year" = Option<i32>, Query, description = "1–9999; default: the user's current year"),
        ("month" = Option<u32>, Query, description = "1–12; default: the user's current month"),
        ("sort" = Option<String>, Query, description = "due (default), name, amount, status or pin_due"),
        ("dir" = Option<String>, Query, description = "asc (default) or desc")
    ),
    responses(
        (status = 200, description = "The month: buckets with their occurrences, and the summary", body = TrackerView),
        Denied,
        (status = 422, description = "A parameter is invalid or a total overflows; `field` names it", body = Problem, content_type = PROBLEM_JSON)
    )
)]
pub async fn show(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    Query(pairs): Query<Vec<(String, String)>>,
) -> ApiResult<Json<TrackerView>> {
    let query = TrackerQuery::parse(&pairs)?;
    let month = tracker::show(&state.app, &user, query).await?;
    Ok(Json(TrackerView::from(&month)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MonthStateRequest {
    /// Decimal text in the bill's currency; `null` clears it; absent keeps it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub actual_amount: Option<Option<String>>,
    pub note: Option<String>,
    pub skipped: Option<bool>,
    /// `YYYY-MM-DD` after the due date; `null` clears it; absent keeps it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>)]
    pub snoozed_until: Option<Option<String>>,
}

/// `PUT /api/tracker/occurrences/{bill_id}/{due_date}`: the month state of one occurrence.
#[utoipa::path(
    put,
    path = "/api/tracker/occurrences/{bill_id}/{due_date}",
    tag = "tracker",
    params(("bill_id" = String, Path, description = "Bill id"), ("due_date" = String, Path, description = "The occurrence's due date, YYYY-MM-DD")),
    request_body = MonthStateRequest,
    responses(
        (status = 200, description = "The occurrence with its new state and status", body = OccurrenceView),
        Denied,
        Missing,
        Refused,
        (status = 422, description = "A field is invalid (or the date is not an occurrence); `field` names it", body = Problem, content_type = PROBLEM_JSON)
    )
)]
pub async fn set_month_state(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    Path((bill, due)): Path<(String, String)>,
    ApiJson(body): ApiJson<MonthStateRequest>,
) -> ApiResult<Json<OccurrenceView>> {
    let bill = bill_id(&bill)?;
    let due = parse_date("due_date", &due)?;
    let changes = MonthStateChanges {
        actual_amount: body.actual_amount,
        note: body
            .note
            .as_deref()
            .map(|n| Notes::parse("note", n))
            .transpose()?,
        skipped: body.skipped,
        snoozed_until: body
            .snoozed_until
            .map(|d| {
                d.as_deref()
                    .map(|d| parse_date("snoozed_until", d))
                    .transpose()
            })
            .transpose()?,
    };
    let occurrence = month_state::set(&state.app, &user, bill, due, changes).await?;
    Ok(Json(OccurrenceView::from(&occurrence)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuickPayRequest {
    pub bill_id: String,
    /// The occurrence to pay, `YYYY-MM-DD`; default: the earliest of this month still owing.
    pub due_date: Option<String>,
}

/// `POST /api/payments/quick`: pays what one occurrence still owes, today.
#[utoipa::path(
    post,
    path = "/api/payments/quick",
    tag = "tracker",
    request_body = QuickPayRequest,
    responses(
        (status = 201, description = "Paid", body = QuickPayView),
        Denied,
        Missing,
        Refused,
        (status = 409, description = "Already paid, or nothing left to pay this month", body = Problem, content_type = PROBLEM_JSON)
    )
)]
pub async fn quick_pay(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    ApiJson(body): ApiJson<QuickPayRequest>,
) -> ApiResult<(StatusCode, Json<QuickPayView>)> {
    let bill = bill_id(&body.bill_id)?;
    let due = body
        .due_date
        .as_deref()
        .map(|d| parse_date("due_date", d))
        .transpose()?;
    let paid = pay::quick_pay(&state.app, &user, bill, due).await?;
    Ok((StatusCode::CREATED, Json(QuickPayView::from(&paid))))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TogglePaidRequest {
    /// The occurrence, `YYYY-MM-DD`.
    pub due_date: String,
}

/// `POST /api/bills/{id}/toggle-paid`: pays an unpaid occurrence, or marks a paid one unpaid.
#[utoipa::path(
    post,
    path = "/api/bills/{id}/toggle-paid",
    tag = "tracker",
    params(("id" = String, Path, description = "Bill id")),
    request_body = TogglePaidRequest,
    responses(
        (status = 200, description = "The occurrence as it now stands", body = OccurrenceView),
        Denied,
        Missing,
        Refused,
        (status = 409, description = "Nothing to pay (expected amount is zero)", body = Problem, content_type = PROBLEM_JSON)
    )
)]
pub async fn toggle_paid(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<TogglePaidRequest>,
) -> ApiResult<Json<OccurrenceView>> {
    let bill = bill_id(&id)?;
    let due = parse_date("due_date", &body.due_date)?;
    let occurrence = pay::toggle_paid(&state.app, &user, bill, due).await?;
    Ok(Json(OccurrenceView::from(&occurrence)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PayAllRequest {
    #[serde(deserialize_with = "domain::version::whole_number")]
    pub year: i64,
    #[serde(deserialize_with = "domain::version::whole_number")]
    pub month: i64,
    /// The bucket's index in the month, from 0.
    #[serde(deserialize_with = "domain::version::whole_number")]
    pub bucket: i64,
}

/// `POST /api/tracker/pay-all`: pays every owing occurrence of a bucket due up to today.
#[utoipa::path(
    post,
    path = "/api/tracker/pay-all",
    tag = "tracker",
    request_body = PayAllRequest,
    responses(
        (status = 200, description = "How many were paid, and the undo token", body = PayAllView),
        Denied,
        Refused
    )
)]
pub async fn pay_all(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    ApiJson(body): ApiJson<PayAllRequest>,
) -> ApiResult<Json<PayAllView>> {
    let month = YearMonth::new(body.year, body.month)?;
    let paid = pay::pay_all(&state.app, &user, month, body.bucket).await?;
    Ok(Json(PayAllView::from(&paid)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UndoRequest {
    pub undo_token: String,
}

/// `POST /api/tracker/undo`: undoes exactly the payments of one pay-all.
#[utoipa::path(
    post,
    path = "/api/tracker/undo",
    tag = "tracker",
    request_body = UndoRequest,
    responses(
        (status = 200, description = "How many payments were undone (0 when repeated)", body = UndoView),
        Denied,
        Refused
    )
)]
pub async fn undo(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    ApiJson(body): ApiJson<UndoRequest>,
) -> ApiResult<Json<UndoView>> {
    let token = pay::parse_undo_token(&body.undo_token)?;
    let undone = pay::undo(&state.app, &user, &token).await?;
    Ok(Json(UndoView::from(&undone)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CashRequest {
    #[serde(deserialize_with = "domain::version::whole_number")]
    pub year: i64,
    #[serde(deserialize_with = "domain::version::whole_number")]
    pub month: i64,
    #[serde(deserialize_with = "domain::version::whole_number")]
    pub bucket: i64,
    /// Decimal text in the user's currency (may be negative); `null`, absent or blank: not
    /// given.
    pub starting_cash: Option<String>,
    /// Decimal text in the user's currency, not negative; `null`, absent or blank: not given,
    /// so the recurring income applies when the period starts on a payday.
    pub income: Option<String>,
}

/// `PUT /api/tracker/cash`: a bucket's starting cash and income (neither given: removed).
#[utoipa::path(
    put,
    path = "/api/tracker/cash",
    tag = "tracker",
    request_body = CashRequest,
    responses(
        (status = 200, description = "Saved", body = CashView),
        Denied,
        Refused
    )
)]
pub async fn set_cash(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    ApiJson(body): ApiJson<CashRequest>,
) -> ApiResult<Json<CashView>> {
    let input = CashInput {
        month: YearMonth::new(body.year, body.month)?,
        bucket: body.bucket,
        starting_cash: body.starting_cash,
        income: body.income,
    };
    let saved = tracker::set_cash(&state.app, &user, input).await?;
    Ok(Json(CashView::from(&saved)))
}

/// `GET /api/tracker/cash?year=&month=`: the month's pay periods with their cash.
#[utoipa::path(
    get,
    path = "/api/tracker/cash",
    tag = "tracker",
    params(("year" = Option<i32>, Query, description = "1–9999; default: the user's current year"), ("month" = Option<u32>, Query, description = "1–12; default: the user's current month")),
    responses(
        (
            status = 200,
            description = "Each pay period's starting cash, saved income and the income that counts (saved, else the recurring income on a payday), and the recurring income",
            body = CashMonthView
        ),
        Denied,
        BadQuery
    )
)]
pub async fn cash_month(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    Query(pairs): Query<Vec<(String, String)>>,
) -> ApiResult<Json<CashMonthView>> {
    let query = TrackerQuery::parse(&pairs)?;
    let month = cash::month(&state.app, &user, query.year, query.month).await?;
    Ok(Json(CashMonthView::from(&month)))
}

/// `GET /api/tracker/recurring-income`.
#[utoipa::path(
    get,
    path = "/api/tracker/recurring-income",
    tag = "tracker",
    responses(
        (status = 200, description = "What the caller is paid every payday (`null`: none)", body = RecurringIncomeView),
        Denied
    )
)]
pub async fn recurring_income(
    State(state): State<AppState>,
    DataUser(user): DataUser,
) -> ApiResult<Json<RecurringIncomeView>> {
    let income = cash::recurring_income(&state.app, &user).await?;
    Ok(Json(RecurringIncomeView::from(&income)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecurringIncomeRequest {
    /// Decimal text in the user's currency, greater than zero; `null` or blank: none. It is
    /// the income of every pay period that starts on a payday, unless that month's period has
    /// its own income.
    pub income_per_payday: Option<String>,
}

/// `PUT /api/tracker/recurring-income`: sets or removes the income per payday.
#[utoipa::path(
    put,
    path = "/api/tracker/recurring-income",
    tag = "tracker",
    request_body = RecurringIncomeRequest,
    responses(
        (status = 200, description = "Saved", body = RecurringIncomeView),
        Denied,
        Refused,
        (status = 422, description = "The amount is invalid; `field` names it", body = Problem, content_type = PROBLEM_JSON)
    )
)]
pub async fn set_recurring_income(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    ApiJson(body): ApiJson<RecurringIncomeRequest>,
) -> ApiResult<Json<RecurringIncomeView>> {
    let raw = body.income_per_payday.as_deref();
    let income = cash::set_recurring_income(&state.app, &user, raw).await?;
    Ok(Json(RecurringIncomeView::from(&income)))
}

/// `GET /api/profile/settings`.
#[utoipa::path(
    get,
    path = "/api/profile/settings",
    tag = "tracker",
    responses(
        (status = 200, description = "The caller's tracking settings", body = SettingsView),
        Denied
    )
)]
pub async fn get_settings(
    State(state): State<AppState>,
    DataUser(user): DataUser,
) -> ApiResult<Json<SettingsView>> {
    let saved = settings::get(&state.app, &user).await?;
    Ok(Json(SettingsView::from(&saved)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsRequest {
    /// ISO 4217 code.
    pub currency: Option<String>,
    /// BCP 47 language tag: a language and at most three subtags (`de-CH`, `zh-Hant-TW`).
    pub locale: Option<String>,
    /// IANA time zone.
    pub time_zone: Option<String>,
    /// 1 = Monday … 7 = Sunday.
    #[serde(default, deserialize_with = "domain::version::optional_whole_number")]
    pub week_start: Option<i64>,
    /// 1–4 distinct days of the month.
    #[serde(default, deserialize_with = "domain::version::optional_whole_numbers")]
    pub paydays: Option<Vec<i64>>,
    /// 0–30.
    #[serde(default, deserialize_with = "domain::version::optional_whole_number")]
    pub due_soon_days: Option<i64>,
    /// 0–60.
    #[serde(default, deserialize_with = "domain::version::optional_whole_number")]
    pub grace_days: Option<i64>,
    /// `system`, `light` or `dark`.
    pub theme: Option<String>,
}

/// `PATCH /api/profile/settings`: changes the settings given, keeps the others.
#[utoipa::path(
    patch,
    path = "/api/profile/settings",
    tag = "tracker",
    request_body = SettingsRequest,
    responses(
        (status = 200, description = "The settings as saved", body = SettingsView),
        Denied,
        Refused
    )
)]
pub async fn update_settings(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    ApiJson(b): ApiJson<SettingsRequest>,
) -> ApiResult<Json<SettingsView>> {
    let patch = SettingsPatch {
        currency: b
            .currency
            .as_deref()
            .map(|c| Currency::parse("currency", c))
            .transpose()?,
        locale: b
            .locale
            .as_deref()
            .map(settings::parse_locale)
            .transpose()?,
        time_zone: b
            .time_zone
            .as_deref()
            .map(service::preferences::parse_time_zone)
            .transpose()?,
        week_start: b
            .week_start
            .map(|d| settings::WEEK_START.parse(d))
            .transpose()?,
        paydays: b.paydays.as_deref().map(Paydays::parse).transpose()?,
        due_soon_days: b
            .due_soon_days
            .map(|d| settings::DUE_SOON_DAYS.parse(d))
            .transpose()?,
        grace_days: b
            .grace_days
            .map(|d| settings::GRACE_DAYS.parse(d))
            .transpose()?,
        theme: b.theme.as_deref().map(settings::parse_theme).transpose()?,
    };
    let saved = settings::update(&state.app, &user, patch).await?;
    Ok(Json(SettingsView::from(&saved)))
}

/// Adds this module's routes to the table.
pub(crate) fn routes(table: Table) -> Table {
    use axum::routing::{get, patch, post, put};
    table
        .add("GET", "/api/tracker", get(show))
        .add(
            "PUT",
            "/api/tracker/occurrences/{bill_id}/{due_date}",
            put(set_month_state),
        )
        .add("GET", "/api/tracker/cash", get(cash_month))
        .add("PUT", "/api/tracker/cash", put(set_cash))
        .add(
            "GET",
            "/api/tracker/recurring-income",
            get(recurring_income),
        )
        .add(
            "PUT",
            "/api/tracker/recurring-income",
            put(set_recurring_income),
        )
        .add("POST", "/api/tracker/pay-all", post(pay_all))
        .add("POST", "/api/tracker/undo", post(undo))
        .add("POST", "/api/payments/quick", post(quick_pay))
        .add("POST", "/api/bills/{id}/toggle-paid", post(toggle_paid))
        .add("GET", "/api/profile/settings", get(get_settings))
        .add("PATCH", "/api/profile/settings", patch(update_settings))
}

/// The OpenAPI description of these routes.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    show,
    set_month_state,
    set_cash,
    cash_month,
    recurring_income,
    set_recurring_income,
    pay_all,
    undo,
    quick_pay,
    toggle_paid,
    get_settings,
    update_settings
))]
pub struct Doc;
