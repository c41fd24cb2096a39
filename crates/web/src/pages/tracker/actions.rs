//! The tracker's forms: pay, undo a payment, skip or unskip a month, pay everything due with
//! its undo, and load the demo data. Each POSTs, calls one service function and redirects
//! back (303) to the month it came from, with a banner chosen by code, at what it acted on: a
//! row's form at the row (or, from htmx, answered in place: [`super::in_place`]), Pay all due
//! and its undo at the pay period.

use axum::Form;
use axum::extract::State;
use axum::response::Response;
use chrono::NaiveDate;
use domain::id::BillId;
use serde::Deserialize;
use service::auth::Principal;
use service::month_state::{self, MonthStateChanges};
use service::tracker::{self, TrackerQuery, YearMonth, pay};
use service::{App, Error};

use super::super::common::{DataPageUser, failed, with_param};
use super::super::forms::{CsrfForm, done};
use super::super::htmx::Htmx;
use super::super::{PageContext, see_other};
use super::back;
use super::in_place::{Reply, at, parse_occurrence};
use crate::AppState;
use crate::auth::{Caller, Meta};

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OccurrenceForm {
    pub bill_id: String,
    pub due_date: String,
    /// The amount paid, as typed: asked for estimated bills (absent: what is still owed).
    pub amount: Option<String>,
    pub return_to: Option<String>,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

/// `POST /tracker/pay`: quick pay of one occurrence, of the typed amount when the form asked
/// for one (estimated bills), else of what it still owes.
pub async fn pay_one(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    htmx: Htmx,
    Form(form): Form<OccurrenceForm>,
) -> Response {
    let app = &state.app;
    let reply = reply(app, &user, &caller, &ctx, htmx, form.return_to.as_deref());
    let (bill_id, due) = match parse_occurrence(&form.bill_id, &form.due_date) {
        Ok(occurrence) => occurrence,
        Err(err) => return reply.row(None, Err(err), "paid").await,
    };
    let result = match form.amount {
        None => pay::quick_pay(app, &user, bill_id, Some(due))
            .await
            .map(drop),
        // The amount as the user's locale writes it; a misreadable one is refused by name.
        Some(typed) => match ctx.locale.amount_input("amount", &typed) {
            Err(invalid) => Err(Error::Invalid(invalid)),
            Ok(amount) => {
                let input = service::payments::NewPaymentInput {
                    bill_id,
                    amount,
                    paid_on: None,
                    cycle_due: Some(due),
                    method: None,
                    note: domain::bill::Notes::default(),
                    source: domain::payment::PaymentSource::Manual,
                    autopay_failed: false,
                };
                service::payments::record(app, &user, input).await.map(drop)
            }
        },
    };
    reply.row(Some((bill_id, due)), result, "paid").await
}

/// The answer to a row's form of this request.
fn reply<'a>(
    app: &'a App,
    user: &'a Principal,
    caller: &'a Caller,
    ctx: &'a PageContext,
    htmx: Htmx,
    return_to: Option<&'a str>,
) -> Reply<'a> {
    Reply {
        app,
        user,
        caller,
        ctx,
        htmx,
        return_to,
    }
}

/// `POST /tracker/unpay`: marks a paid occurrence unpaid (toggle paid on a paid one).
pub async fn unpay(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    htmx: Htmx,
    Form(form): Form<OccurrenceForm>,
) -> Response {
    let app = &state.app;
    let reply = reply(app, &user, &caller, &ctx, htmx, form.return_to.as_deref());
    match parse_occurrence(&form.bill_id, &form.due_date) {
        Ok((bill, due)) => {
            let result = unpay_one(app, &user, bill, due).await;
            reply.row(Some((bill, due)), result, "unpaid").await
        }
        Err(err) => reply.row(None, Err(err), "unpaid").await,
    }
}

/// Toggles only an occurrence that payments settle, so a stale "Undo" never pays.
async fn unpay_one(app: &App, user: &Principal, bill: BillId, due: NaiveDate) -> Result<(), Error> {
    let month = YearMonth::of(due);
    let query = TrackerQuery {
        year: Some(month.year()),
        month: Some(month.month()),
        ..TrackerQuery::default()
    };
    let view = tracker::show(app, user, query).await?;
    let id = bill.to_string();
    let settled = view
        .buckets
        .iter()
        .flat_map(|b| &b.occurrences)
        .find(|o| o.bill_id == id && o.due_date == due)
        .ok_or(Error::NotFound)?
        .status;
    if !matches!(settled, "paid" | "overpaid") {
        return Err(Error::Conflict {
            field: "due_date".into(),
            message: "not paid".into(),
        });
    }
    pay::toggle_paid(app, user, bill, due).await.map(|_| ())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SkipForm {
    pub bill_id: String,
    pub due_date: String,
    pub skipped: String,
    pub return_to: Option<String>,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

/// `POST /tracker/skip`: skips or unskips one occurrence (its month state).
pub async fn skip(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    htmx: Htmx,
    Form(form): Form<SkipForm>,
) -> Response {
    let app = &state.app;
    let reply = reply(app, &user, &caller, &ctx, htmx, form.return_to.as_deref());
    let notice = if form.skipped == "false" {
        "unskipped"
    } else {
        "skipped"
    };
    let (bill, due) = match parse_occurrence(&form.bill_id, &form.due_date) {
        Ok(occurrence) => occurrence,
        Err(err) => return reply.row(None, Err(err), notice).await,
    };
    let result = match form.skipped.as_str() {
        "true" | "false" => {
            let changes = MonthStateChanges {
                actual_amount: None,
                note: None,
                skipped: Some(form.skipped == "true"),
                snoozed_until: None,
            };
            month_state::set(app, &user, bill, due, changes)
                .await
                .map(drop)
        }
        _ => Err(Error::invalid("skipped", "must be true or false")),
    };
    reply.row(Some((bill, due)), result, notice).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PayAllForm {
    pub year: String,
    pub month: String,
    pub bucket: String,
    pub return_to: Option<String>,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

/// `POST /tracker/pay-all`: pays the bucket's owing occurrences due up to today, then back
/// with the undo token in the URL, at that pay period (`#bucket-N`).
pub async fn pay_all(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    Form(form): Form<PayAllForm>,
) -> Response {
    let to = back(form.return_to.as_deref());
    let app = &state.app;
    let number = |field: &str, raw: &str| {
        raw.trim()
            .parse::<i64>()
            .map_err(|_| Error::invalid(field, "must be a whole number"))
    };
    let result = async {
        let month = YearMonth::new(number("year", &form.year)?, number("month", &form.month)?)?;
        let bucket = number("bucket", &form.bucket)?;
        Ok::<_, Error>((bucket, pay::pay_all(app, &user, month, bucket).await?))
    }
    .await;
    match result {
        Ok((bucket, done)) => {
            let to = match done.undo_token {
                Some(token) if done.paid_count > 0 => {
                    with_param(&with_param(&to, "notice", "paid_all"), "undo", &token)
                }
                _ => with_param(&to, "notice", "nothing"),
            };
            see_other(&at_bucket(&to, bucket))
        }
        Err(err) => failed(app, &caller, &ctx, &to, err),
    }
}

/// `to` about pay period `bucket` (its banner sits there) and landing on it.
fn at_bucket(to: &str, bucket: i64) -> String {
    at(
        &with_param(to, "bucket", &bucket.to_string()),
        &format!("bucket-{bucket}"),
    )
}

/// Undo of a pay-all: its token, the tracker URL to return to, and the pay period it paid.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PayAllUndoForm {
    pub undo_token: String,
    pub return_to: Option<String>,
    /// The pay period's index, to return to it; anything else returns to the top.
    pub bucket: String,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

/// `POST /tracker/undo`: undoes one pay-all.
pub async fn undo(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    Form(form): Form<PayAllUndoForm>,
) -> Response {
    let to = back(form.return_to.as_deref());
    let app = &state.app;
    let result = match pay::parse_undo_token(&form.undo_token) {
        Ok(token) => pay::undo(app, &user, &token).await,
        Err(err) => Err(err.into()),
    };
    match (result, form.bucket.trim().parse::<u8>()) {
        (Ok(_), Ok(bucket)) => see_other(&at_bucket(
            &with_param(&to, "notice", "undone"),
            i64::from(bucket),
        )),
        (result, _) => done(app, &caller, &ctx, result, &to, "undone"),
    }
}

/// `POST /tracker/demo/clear`: removes the generated demo rows (only those).
pub async fn clear_demo(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    Meta(meta): Meta,
    Form(_form): Form<CsrfForm>,
) -> Response {
    let result = service::demo::clear(&state.app, &user, &meta).await;
    done(&state.app, &caller, &ctx, result, "/", "demo_cleared")
}

/// `POST /tracker/demo`: loads the demo data into the caller's account.
pub async fn demo(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    Meta(meta): Meta,
    Form(_form): Form<CsrfForm>,
) -> Response {
    let result = service::demo::load(&state.app, &user, &meta).await;
    done(&state.app, &caller, &ctx, result, "/", "demo")
}
