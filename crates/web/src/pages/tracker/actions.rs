//! The tracker's forms: pay, undo a payment, skip or unskip a month, pay everything due with
//! its undo, and load the demo data. Each POSTs, calls one service function and redirects
//! back (303) to the month it came from, with a banner chosen by code, at what it acted on: a
//! row's form at the row (or, from htmx, answered in place: [`super::in_place`]), Pay all due
//! and its undo at the pay period. Failures are the page kit's ([`super::super::kit`]).

use axum::Form;
use chrono::NaiveDate;
use domain::id::BillId;
use serde::Deserialize;
use service::Error;
use service::month_state::{self, MonthStateChanges};
use service::tracker::{YearMonth, pay};

use super::super::common::with_param;
use super::super::forms::CsrfForm;
use super::super::htmx::Htmx;
use super::super::kit::{DataPage, Fail, PageResult};
use super::super::see_other;
use super::back;
use super::in_place::{Reply, at};
use crate::auth::Meta;
use crate::links;
use crate::pages::with_notice;

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
pub async fn pay_one(page: DataPage, htmx: Htmx, Form(form): Form<OccurrenceForm>) -> PageResult {
    let reply = Reply::new(&page, htmx, form.return_to.as_deref());
    let typed = form.amount.as_deref();
    let pay = |bill, due| pay_occurrence(&reply, bill, due, typed);
    reply.act(&form.bill_id, &form.due_date, "paid", pay).await
}

/// Pays one occurrence: the amount typed, read as the user's locale writes it (a misreadable
/// one is refused by name), else what it still owes (the service reads nothing back: the
/// page draws the month itself).
async fn pay_occurrence(
    reply: &Reply<'_>,
    bill_id: BillId,
    due: NaiveDate,
    typed: Option<&str>,
) -> Result<(), Error> {
    let (app, user) = (&reply.page.app, &reply.page.user);
    let Some(typed) = typed else {
        return pay::pay_occurrence(app, user, bill_id, due).await;
    };
    let amount = reply.context().await.locale.amount_input("amount", typed)?;
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
    service::payments::record(app, user, input).await.map(drop)
}

/// `POST /tracker/unpay`: marks a settled occurrence unpaid; one that is not settled (a stale
/// "Undo") is refused, never paid.
pub async fn unpay(page: DataPage, htmx: Htmx, Form(form): Form<OccurrenceForm>) -> PageResult {
    let reply = Reply::new(&page, htmx, form.return_to.as_deref());
    let unpay = |bill, due| pay::unpay_occurrence(&page.app, &page.user, bill, due);
    reply
        .act(&form.bill_id, &form.due_date, "unpaid", unpay)
        .await
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

impl SkipForm {
    /// The month state the form asks for: `skipped` is `true` or `false`.
    fn changes(&self) -> Result<MonthStateChanges, Error> {
        let skipped = match self.skipped.as_str() {
            "true" => true,
            "false" => false,
            _ => return Err(Error::invalid("skipped", "must be true or false")),
        };
        Ok(MonthStateChanges {
            actual_amount: None,
            note: None,
            skipped: Some(skipped),
            snoozed_until: None,
        })
    }
}

/// `POST /tracker/skip`: skips or unskips one occurrence (its month state).
pub async fn skip(page: DataPage, htmx: Htmx, Form(form): Form<SkipForm>) -> PageResult {
    let reply = Reply::new(&page, htmx, form.return_to.as_deref());
    let notice = if form.skipped == "false" {
        "unskipped"
    } else {
        "skipped"
    };
    let (page, form) = (&page, &form);
    let set = move |bill, due| async move {
        let changes = form.changes()?;
        month_state::set(&page.app, &page.user, bill, due, changes)
            .await
            .map(drop)
    };
    reply.act(&form.bill_id, &form.due_date, notice, set).await
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

impl PayAllForm {
    /// The month and pay period the form names.
    fn read(&self) -> Result<(YearMonth, i64), Error> {
        let number = |field: &str, raw: &str| {
            raw.trim()
                .parse::<i64>()
                .map_err(|_| Error::invalid(field, "must be a whole number"))
        };
        let month = YearMonth::new(number("year", &self.year)?, number("month", &self.month)?)?;
        Ok((month, number("bucket", &self.bucket)?))
    }
}

/// `POST /tracker/pay-all`: pays the bucket's owing occurrences due up to today, then back
/// with the undo token in the URL, at that pay period (`#bucket-N`).
pub async fn pay_all(page: DataPage, Form(form): Form<PayAllForm>) -> PageResult {
    let to = back(form.return_to.as_deref());
    let (month, bucket) = form.read().back_to(&to)?;
    let done = pay::pay_all(&page.app, &page.user, month, bucket)
        .await
        .back_to(&to)?;
    let to = match done.undo_token {
        Some(token) if done.paid_count > 0 => {
            with_param(&with_param(&to, "notice", "paid_all"), "undo", &token)
        }
        _ => with_param(&to, "notice", "nothing"),
    };
    Ok(see_other(&at_bucket(&to, bucket)))
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
pub async fn undo(page: DataPage, Form(form): Form<PayAllUndoForm>) -> PageResult {
    let to = back(form.return_to.as_deref());
    let token = pay::parse_undo_token(&form.undo_token).back_to(&to)?;
    pay::undo(&page.app, &page.user, &token)
        .await
        .back_to(&to)?;
    let to = with_param(&to, "notice", "undone");
    Ok(see_other(&match form.bucket.trim().parse::<u8>() {
        Ok(bucket) => at_bucket(&to, i64::from(bucket)),
        Err(_) => to,
    }))
}

/// `POST /tracker/demo/clear`: removes the generated demo rows (only those).
pub async fn clear_demo(page: DataPage, Meta(meta): Meta, _: Form<CsrfForm>) -> PageResult {
    service::demo::clear(&page.app, &page.user, &meta)
        .await
        .back_to(links::TRACKER.path())?;
    Ok(with_notice(links::TRACKER.path(), "demo_cleared"))
}

/// `POST /tracker/demo`: loads the demo data into the caller's account.
pub async fn demo(page: DataPage, Meta(meta): Meta, _: Form<CsrfForm>) -> PageResult {
    service::demo::load(&page.app, &page.user, &meta)
        .await
        .back_to(links::TRACKER.path())?;
    Ok(with_notice(links::TRACKER.path(), "demo"))
}
