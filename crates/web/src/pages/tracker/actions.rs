//! The tracker's forms: pay, undo a payment, skip or unskip a month, pay everything due with
//! its undo, and load the demo data. Each POSTs, calls one service function and redirects
//! back (303) to the month it came from, with a banner chosen by code.

use axum::Form;
use axum::extract::State;
use axum::response::Response;
use chrono::NaiveDate;
use domain::date::parse_date;
use domain::id::BillId;
use serde::Deserialize;
use service::auth::Principal;
use service::month_state::{self, MonthStateChanges};
use service::tracker::{self, TrackerQuery, YearMonth, pay};
use service::{App, Error};

use super::super::common::{DataPageUser, failed, with_param};
use super::super::forms::{CsrfForm, UndoForm, done, parse_id};
use super::super::{PageContext, see_other};
use super::back;
use crate::AppState;
use crate::auth::{Caller, Meta};

/// `to` naming the occurrence a form acted on (`bill`, `due`), so the banner can say which bill
/// and month it was (the page looks the name up; nothing typed is reflected).
fn about(to: &str, bill_id: &str, due_date: &str) -> String {
    match parse_occurrence(bill_id, due_date) {
        Ok((bill, due)) => with_param(
            &with_param(to, "bill", &bill.to_string()),
            "due",
            &due.to_string(),
        ),
        Err(_) => to.to_owned(),
    }
}

fn parse_occurrence(bill_id: &str, due_date: &str) -> Result<(BillId, NaiveDate), Error> {
    let bill = parse_id(bill_id)?;
    let due = parse_date("due_date", due_date)?;
    Ok((bill, due))
}

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

/// The error code of a typed amount the user's locale does not read (the page says how to
/// write it).
pub(in crate::pages) const AMOUNT_FORMAT: &str = "amount_format";

/// `POST /tracker/pay`: quick pay of one occurrence, of the typed amount when the form asked
/// for one (estimated bills), else of what it still owes.
pub async fn pay_one(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    Form(form): Form<OccurrenceForm>,
) -> Response {
    let to = about(
        &back(form.return_to.as_deref()),
        &form.bill_id,
        &form.due_date,
    );
    let app = &state.app;
    let result = match (parse_occurrence(&form.bill_id, &form.due_date), form.amount) {
        (Ok((bill, due)), None) => pay::quick_pay(app, &user, bill, Some(due)).await.map(drop),
        (Ok((bill_id, due)), Some(typed)) => {
            // The amount as the user's locale writes it; a misreadable one is refused by name.
            let Ok(amount) = ctx.locale.amount_input("amount", &typed) else {
                return see_other(&with_param(&to, "error", AMOUNT_FORMAT));
            };
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
        (Err(err), _) => Err(err),
    };
    done(app, &caller, &ctx, result, &to, "paid")
}

/// `POST /tracker/unpay`: marks a paid occurrence unpaid (toggle paid on a paid one).
pub async fn unpay(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    Form(form): Form<OccurrenceForm>,
) -> Response {
    let to = about(
        &back(form.return_to.as_deref()),
        &form.bill_id,
        &form.due_date,
    );
    let app = &state.app;
    let result = match parse_occurrence(&form.bill_id, &form.due_date) {
        Ok((bill, due)) => unpay_one(app, &user, bill, due).await,
        Err(err) => Err(err),
    };
    done(app, &caller, &ctx, result, &to, "unpaid")
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
    Form(form): Form<SkipForm>,
) -> Response {
    let to = about(
        &back(form.return_to.as_deref()),
        &form.bill_id,
        &form.due_date,
    );
    let app = &state.app;
    let skipped = match form.skipped.as_str() {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(Error::invalid("skipped", "must be true or false")),
    };
    let result = match (parse_occurrence(&form.bill_id, &form.due_date), skipped) {
        (Ok((bill, due)), Ok(skipped)) => {
            let changes = MonthStateChanges {
                actual_amount: None,
                note: None,
                skipped: Some(skipped),
                snoozed_until: None,
            };
            month_state::set(app, &user, bill, due, changes).await
        }
        (Err(err), _) | (_, Err(err)) => Err(err),
    };
    let notice = if form.skipped == "false" {
        "unskipped"
    } else {
        "skipped"
    };
    done(app, &caller, &ctx, result, &to, notice)
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
/// with the undo token in the URL.
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
        pay::pay_all(app, &user, month, number("bucket", &form.bucket)?).await
    }
    .await;
    match result {
        Ok(done) => match done.undo_token {
            Some(token) if done.paid_count > 0 => see_other(&with_param(
                &with_param(&to, "notice", "paid_all"),
                "undo",
                &token,
            )),
            _ => see_other(&with_param(&to, "notice", "nothing")),
        },
        Err(err) => failed(app, &caller, &ctx, &to, err),
    }
}

/// `POST /tracker/undo`: undoes one pay-all.
pub async fn undo(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    Form(form): Form<UndoForm>,
) -> Response {
    let to = back(form.return_to.as_deref());
    let app = &state.app;
    let result = match pay::parse_undo_token(&form.undo_token) {
        Ok(token) => pay::undo(app, &user, &token).await,
        Err(err) => Err(err.into()),
    };
    done(app, &caller, &ctx, result, &to, "undone")
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
