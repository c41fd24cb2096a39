//! One occurrence's month state from the tracker: `GET /tracker/occurrence?bill_id=&due_date=
//! &return_to=` shows the actual amount, note and snooze of one bill's due date, and `POST
//! /tracker/occurrence` saves them and returns to the tracker month it came from. A refused
//! field comes back on this page with 422, its message under it and what was typed kept
//! ([`refused`]); a bill that is not the caller's, or a date that is not one of its due dates,
//! is the 404 page; any other failure is the page kit's.

use axum::Form;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::NaiveDate;
use domain::bill::Notes;
use domain::date::parse_date;
use domain::id::BillId;
use serde::Deserialize;
use service::Error;
use service::month_state::{self, MonthStateChanges};
use service::tracker::Occurrence;

use super::common::{badge, with_cookie};
use super::kit::{DataPage, Fail, PageResult};
use super::tracker::{back, parse_occurrence};
use super::{PageContext, chrome};
use crate::links;
use crate::locale::Locale;
use crate::pages::with_notice;
use crate::routes::Table;
use crate::views::{self, OccurrencePage};

/// The occurrence page's routes.
pub(crate) fn routes(table: Table) -> Table {
    table
        .add("GET", links::TRACKER_OCCURRENCE.path(), get(show))
        .add("POST", links::TRACKER_OCCURRENCE.path(), post(save))
}

/// Which occurrence, and the tracker month to return to.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OccurrenceQuery {
    pub bill_id: String,
    pub due_date: String,
    pub return_to: Option<String>,
}

/// The posted month state.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct OccurrenceForm {
    pub bill_id: String,
    pub due_date: String,
    pub actual_amount: String,
    pub note: String,
    pub snoozed_until: String,
    pub return_to: Option<String>,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

impl OccurrenceForm {
    /// The month-state changes the form asks for: a blank amount or snooze date clears it.
    /// The amount is read as the user's locale writes it.
    fn changes(&self, l: &Locale) -> Result<MonthStateChanges, Error> {
        let blank = |raw: &str| raw.trim().is_empty();
        let amount = l.amount_input("actual_amount", &self.actual_amount)?;
        Ok(MonthStateChanges {
            actual_amount: Some((!blank(&amount)).then_some(amount)),
            note: Some(Notes::parse("note", &self.note)?),
            skipped: None,
            snoozed_until: Some(if blank(&self.snoozed_until) {
                None
            } else {
                Some(parse_date("snoozed_until", self.snoozed_until.trim())?)
            }),
        })
    }
}

/// The words a refused field's message starts with.
fn label(field: &str) -> &'static str {
    match field {
        "actual_amount" => "Actual amount",
        "note" => "Note",
        "snoozed_until" => "Snooze until",
        _ => "This value",
    }
}

/// The page for `view`, with the form's `values` (saved or typed) and `errors`.
fn occurrence_page(
    l: &Locale,
    chrome: views::Chrome,
    view: &Occurrence,
    return_to: String,
    values: [String; 3],
    errors: Vec<(String, String)>,
) -> OccurrencePage {
    let (status_label, badge_class) = badge(view.status);
    let [actual_amount, note, snoozed_until] = values;
    OccurrencePage {
        chrome,
        status: if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        bill_id: view.bill_id.to_string(),
        bill_name: view.bill_name.clone(),
        due_date: view.due.to_string(),
        due_label: l.long_date(view.due),
        expected: l.money_of(view.expected),
        amount_example: l.amount_example(),
        status_label,
        badge_class,
        return_to,
        actual_amount,
        note,
        snoozed_until,
        errors,
    }
}

/// The 404 page's words for a bill that is not the caller's, or a date that is not one of its
/// due dates.
const NOT_FOUND: &str = "That bill has no such due date, or it no longer exists.";

/// A date that is not one of the bill's due dates (refused naming `due_date`) is not found,
/// like a bill that is not the caller's.
fn gone(err: Error) -> Error {
    match err {
        Error::Invalid(_) => Error::NotFound,
        err => err,
    }
}

/// The page for `view`, drawn with the form's `values` (saved or typed) and `errors`.
fn draw(
    page: &DataPage,
    ctx: &PageContext,
    view: &Occurrence,
    return_to: String,
    values: [String; 3],
    errors: Vec<(String, String)>,
) -> Response {
    let title = format!("{} this month", view.bill_name);
    let (chrome, cookie) = chrome(&page.app, &page.caller, ctx, &title);
    let occurrence = occurrence_page(&ctx.locale, chrome, view, return_to, values, errors);
    with_cookie(views::render(&occurrence), cookie)
}

/// `GET /tracker/occurrence`: the form with the saved month state.
pub async fn show(page: DataPage, Query(query): Query<OccurrenceQuery>) -> PageResult {
    let to = back(query.return_to.as_deref());
    let (bill, due) = parse_occurrence(&query.bill_id, &query.due_date)
        .map_err(gone)
        .missing(NOT_FOUND)?;
    let view = month_state::get(&page.app, &page.user, bill, due).await;
    let view = view.map_err(gone).back_to(&to).missing(NOT_FOUND)?;
    let ctx = page.context().await;
    let values = [
        view.actual
            .map(|a| ctx.locale.money_field(a))
            .unwrap_or_default(),
        view.note.clone(),
        view.snoozed_until
            .map(|d| d.to_string())
            .unwrap_or_default(),
    ];
    Ok(draw(&page, &ctx, &view, to, values, Vec::new()))
}

/// `POST /tracker/occurrence`: saves the month state and returns to the tracker.
pub async fn save(page: DataPage, Form(form): Form<OccurrenceForm>) -> PageResult {
    let to = back(form.return_to.as_deref());
    let (bill, due) = parse_occurrence(&form.bill_id, &form.due_date)
        .map_err(gone)
        .missing(NOT_FOUND)?;
    let ctx = page.context().await;
    let saved = async {
        let changes = form.changes(&ctx.locale)?;
        month_state::set(&page.app, &page.user, bill, due, changes).await
    };
    match saved.await {
        Ok(_) => Ok(with_notice(&to, "skipped")),
        Err(Error::Invalid(invalid)) if invalid.field != "due_date" => {
            refused(&page, &ctx, (bill, due), to, form, invalid).await
        }
        Err(err) => Err(gone(err)).back_to(&to).missing(NOT_FOUND),
    }
}

/// A refused field: the page again with 422, its message under it and what was typed kept.
async fn refused(
    page: &DataPage,
    ctx: &PageContext,
    (bill, due): (BillId, NaiveDate),
    to: String,
    form: OccurrenceForm,
    invalid: domain::Invalid,
) -> PageResult {
    let view = month_state::get(&page.app, &page.user, bill, due).await;
    let view = view.map_err(gone).missing(NOT_FOUND)?;
    let message = format!("{} {}.", label(&invalid.field), invalid.reason);
    let values = [form.actual_amount, form.note, form.snoozed_until];
    let errors = vec![(invalid.field, message)];
    Ok(draw(page, ctx, &view, to, values, errors))
}
