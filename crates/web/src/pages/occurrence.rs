//! One occurrence's month state from the tracker: `GET /tracker/occurrence?bill_id=&due_date=
//! &return_to=` shows the actual amount, note and snooze of one bill's due date, and `POST
//! /tracker/occurrence` saves them and returns to the tracker month it came from. A refused
//! field comes back on this page with 422, its message under it and what was typed kept.

use axum::Form;
use axum::extract::{Query, State};
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
use service::tracker::month::OccurrenceView;

use super::common::{DataPageUser, badge, failed, with_cookie, with_param};
use super::forms::parse_id;
use super::tracker::back;
use super::{PageContext, chrome, error_page, see_other};
use crate::AppState;
use crate::auth::Caller;
use crate::locale::Locale;
use crate::routes::Table;
use crate::views::{self, OccurrencePage};

/// The occurrence page's routes.
pub(crate) fn routes(table: Table) -> Table {
    table.add("GET", "/tracker/occurrence", get(show)).add(
        "POST",
        "/tracker/occurrence",
        post(save),
    )
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

fn parse_occurrence(bill_id: &str, due_date: &str) -> Result<(BillId, NaiveDate), Error> {
    Ok((parse_id(bill_id)?, parse_date("due_date", due_date)?))
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
fn page(
    l: &Locale,
    chrome: views::Chrome,
    view: &OccurrenceView,
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
        bill_id: view.bill_id.clone(),
        bill_name: view.bill_name.clone(),
        due_date: view.due_date.to_string(),
        due_label: l.long_date(view.due_date),
        expected: l.amount(&view.expected),
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

/// Not a bill of the caller's, or not one of its due dates: the 404 page.
fn not_found(state: &AppState, caller: &Caller, ctx: &PageContext) -> Response {
    error_page(
        &state.app,
        caller,
        ctx,
        StatusCode::NOT_FOUND,
        "That bill has no such due date, or it no longer exists.",
    )
}

/// `GET /tracker/occurrence`: the form with the saved month state.
pub async fn show(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    Query(query): Query<OccurrenceQuery>,
) -> Response {
    let app = &state.app;
    let to = back(query.return_to.as_deref());
    let view = match parse_occurrence(&query.bill_id, &query.due_date) {
        Ok((bill, due)) => month_state::get(app, &user, bill, due).await,
        Err(err) => Err(err),
    };
    let view = match view {
        Ok(view) => view,
        Err(Error::NotFound | Error::Invalid(_)) => return not_found(&state, &caller, &ctx),
        Err(err) => return failed(app, &caller, &ctx, &to, err),
    };
    let values = [
        view.actual_amount
            .as_ref()
            .map(|a| ctx.locale.amount_view_field(a))
            .unwrap_or_default(),
        view.note.clone(),
        view.snoozed_until
            .map(|d| d.to_string())
            .unwrap_or_default(),
    ];
    let (chrome, cookie) = chrome(
        app,
        &caller,
        &ctx,
        &format!("{} this month", view.bill_name),
    );
    with_cookie(
        views::render(&page(&ctx.locale, chrome, &view, to, values, Vec::new())),
        cookie,
    )
}

/// `POST /tracker/occurrence`: saves the month state and returns to the tracker.
pub async fn save(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    Form(form): Form<OccurrenceForm>,
) -> Response {
    let app = &state.app;
    let to = back(form.return_to.as_deref());
    let Ok((bill, due)) = parse_occurrence(&form.bill_id, &form.due_date) else {
        return not_found(&state, &caller, &ctx);
    };
    let result = match form.changes(&ctx.locale) {
        Ok(changes) => month_state::set(app, &user, bill, due, changes).await,
        Err(err) => Err(err),
    };
    match result {
        Ok(_) => see_other(&with_param(&to, "notice", "skipped")),
        Err(Error::Invalid(invalid)) if invalid.field != "due_date" => {
            let Ok(view) = month_state::get(app, &user, bill, due).await else {
                return not_found(&state, &caller, &ctx);
            };
            let message = format!("{} {}.", label(&invalid.field), invalid.reason);
            let values = [form.actual_amount, form.note, form.snoozed_until];
            let (chrome, cookie) = chrome(
                app,
                &caller,
                &ctx,
                &format!("{} this month", view.bill_name),
            );
            let page = page(
                &ctx.locale,
                chrome,
                &view,
                to,
                values,
                vec![(invalid.field, message)],
            );
            with_cookie(views::render(&page), cookie)
        }
        Err(Error::NotFound | Error::Invalid(_)) => not_found(&state, &caller, &ctx),
        Err(err) => failed(app, &caller, &ctx, &to, err),
    }
}
