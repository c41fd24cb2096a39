//! The forms of the bill page that act on the bill: delete (soft; the list's banner offers
//! Restore), restore, deactivate / reactivate on a date, delete for good (only with its
//! confirmation box ticked), and the overrides of one occurrence (actual amount, note, skip,
//! snooze: `service::month_state::set`). Success redirects (303) with a banner code; a refused
//! field comes back as the bill page with 422 and the message under the field.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::NaiveDate;
use domain::bill::Notes;
use domain::date::parse_date;
use domain::id::BillId;
use serde::Deserialize;
use service::Error;
use service::auth::Principal;
use service::bills;
use service::month_state::{self, MonthStateChanges};

use super::detail::{Extras, render_detail};
use super::present::field_error;
use super::{bill_href, failed_on_bill, load_failed};
use crate::AppState;
use crate::auth::Caller;
use crate::pages::common::{DataPageUser, failed};
use crate::pages::forms::{CsrfForm, checked, parse_id};
use crate::pages::{PageContext, see_other};
use crate::views::bills::OccurrenceFields;

/// Runs a bill action and redirects to `done(id, what it answered)`; a missing bill is the
/// 404 page, other failures a banner on the bill's page.
async fn act<F, Fut, T>(
    state: &AppState,
    caller: &Caller,
    ctx: &PageContext,
    raw_id: &str,
    action: F,
    done: impl FnOnce(&str, T) -> String,
) -> Response
where
    F: FnOnce(BillId) -> Fut,
    Fut: std::future::Future<Output = Result<T, Error>>,
{
    let app = &state.app;
    let id = match parse_id(raw_id) {
        Ok(id) => id,
        Err(err) => return load_failed(app, caller, ctx, err),
    };
    match action(id).await {
        Ok(answer) => see_other(&done(&id.to_string(), answer)),
        Err(err) => failed_on_bill(app, caller, ctx, id, err),
    }
}

/// `POST /bills/{id}/delete`: soft delete; the list's banner offers Restore.
pub async fn delete(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    Path(id): Path<String>,
    Form(_form): Form<CsrfForm>,
) -> Response {
    let app = &state.app;
    let action = |id| bills::delete(app, &user, id);
    act(&state, &caller, &ctx, &id, action, |id, ()| {
        format!("/bills?notice=deleted&bill={id}")
    })
    .await
}

/// `POST /bills/{id}/restore`.
pub async fn restore(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    Path(id): Path<String>,
    Form(_form): Form<CsrfForm>,
) -> Response {
    let app = &state.app;
    let action = |id| bills::restore(app, &user, id);
    act(&state, &caller, &ctx, &id, action, |id, _| {
        format!("{}?notice=restored", bill_href(id))
    })
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActiveForm {
    pub on: String,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

/// Deactivates or reactivates from the typed date (blank: today); a refused date comes back
/// under the field.
async fn set_active(
    state: &AppState,
    user: &Principal,
    caller: &Caller,
    ctx: &PageContext,
    raw_id: &str,
    active: bool,
    on: String,
) -> Response {
    let app = &state.app;
    let id = match parse_id(raw_id) {
        Ok(id) => id,
        Err(err) => return load_failed(app, caller, ctx, err),
    };
    let result = match domain::text::optional(&on, |raw| parse_date("on", raw)) {
        Ok(date) => bills::set_active(app, user, id, active, date).await,
        Err(invalid) => Err(invalid.into()),
    };
    let notice = if active { "reactivated" } else { "deactivated" };
    match result {
        Ok(_) => see_other(&format!("{}?notice={notice}", bill_href(&id.to_string()))),
        Err(Error::Invalid(invalid)) => {
            let extras = Extras {
                status: Some(StatusCode::UNPROCESSABLE_ENTITY),
                active: Some((on, field_error(&invalid).1)),
                ..Extras::default()
            };
            render_detail(app, caller, ctx, user, id, extras).await
        }
        Err(err) => failed_on_bill(app, caller, ctx, id, err),
    }
}

/// `POST /bills/{id}/deactivate` (`on`: the first day it is no longer due).
pub async fn deactivate(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    Path(id): Path<String>,
    Form(form): Form<ActiveForm>,
) -> Response {
    set_active(&state, &user, &caller, &ctx, &id, false, form.on).await
}

/// `POST /bills/{id}/reactivate` (`on`: the first day it is due again).
pub async fn reactivate(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    Path(id): Path<String>,
    Form(form): Form<ActiveForm>,
) -> Response {
    set_active(&state, &user, &caller, &ctx, &id, true, form.on).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ConfirmForm {
    pub confirm: String,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

/// `POST /bills/{id}/delete-permanently`: only with `confirm=true` (the ticked box).
pub async fn delete_permanently(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    Path(id): Path<String>,
    Form(form): Form<ConfirmForm>,
) -> Response {
    let app = &state.app;
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(err) => return load_failed(app, &caller, &ctx, err),
    };
    let confirmed = form.confirm.trim() == "true";
    match bills::delete_permanently(app, &user, id, confirmed).await {
        Ok(()) => see_other("/bills?show=deleted&notice=purged"),
        Err(Error::Invalid(_)) => {
            let extras = Extras {
                status: Some(StatusCode::UNPROCESSABLE_ENTITY),
                confirm_error: Some(
                    "Tick the box to confirm that the bill and its payments are deleted for good."
                        .to_owned(),
                ),
                ..Extras::default()
            };
            render_detail(app, &caller, &ctx, &user, id, extras).await
        }
        Err(err) => failed_on_bill(app, &caller, &ctx, id, err),
    }
}

#[derive(Deserialize)]
pub struct OccurrenceForm {
    #[serde(flatten)]
    pub fields: OccurrenceFields,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

/// The typed overrides as a change: blank clears the actual amount and the snooze.
fn changes(f: &OccurrenceFields) -> Result<(NaiveDate, MonthStateChanges), domain::Invalid> {
    let due = parse_date("due_date", &f.due_date)?;
    let actual = (!f.actual_amount.trim().is_empty()).then(|| f.actual_amount.clone());
    let snooze = domain::text::optional(&f.snoozed_until, |raw| parse_date("snoozed_until", raw))?;
    Ok((
        due,
        MonthStateChanges {
            actual_amount: Some(actual),
            note: Some(Notes::parse("note", &f.note)?),
            skipped: Some(checked(&f.skipped)),
            snoozed_until: Some(snooze),
        },
    ))
}

/// `POST /bills/{id}/occurrence`: saves the overrides of the occurrence due on `due_date`.
pub async fn occurrence(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    Path(id): Path<String>,
    Form(form): Form<OccurrenceForm>,
) -> Response {
    let app = &state.app;
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(err) => return load_failed(app, &caller, &ctx, err),
    };
    let result = match changes(&form.fields) {
        Ok((due, changes)) => month_state::set(app, &user, id, due, changes)
            .await
            .map(|_| ()),
        Err(invalid) => Err(invalid.into()),
    };
    match result {
        Ok(()) => see_other(&format!(
            "{}?notice=occurrence_saved",
            bill_href(&id.to_string())
        )),
        // A due date that is not one of the bill's has no field to show it under.
        Err(Error::Invalid(invalid)) if invalid.field == "due_date" => failed(
            app,
            &caller,
            &ctx,
            &bill_href(&id.to_string()),
            invalid.into(),
        ),
        Err(Error::Invalid(invalid)) => {
            let extras = Extras {
                status: Some(StatusCode::UNPROCESSABLE_ENTITY),
                occurrence: Some((form.fields, vec![field_error(&invalid)])),
                ..Extras::default()
            };
            render_detail(app, &caller, &ctx, &user, id, extras).await
        }
        Err(err) => failed_on_bill(app, &caller, &ctx, id, err),
    }
}

/// `POST /bills/{id}/pay-history`: marks the due dates before this month that still owe as
/// paid, each on its due date; the banner offers Undo.
pub async fn pay_history(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    Path(id): Path<String>,
    Form(_form): Form<CsrfForm>,
) -> Response {
    let app = &state.app;
    let action = |id| service::tracker::pay_history(app, &user, id);
    act(&state, &caller, &ctx, &id, action, |id, paid| {
        let back = format!("{}?notice=history_paid", bill_href(id));
        match paid.undo_token {
            Some(token) => format!("{back}&undo={token}"),
            None => back,
        }
    })
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UndoHistoryForm {
    pub undo_token: String,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

/// `POST /bills/{id}/pay-history/undo`: removes exactly the payments "mark paid" made.
pub async fn undo_history(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    Path(id): Path<String>,
    Form(form): Form<UndoHistoryForm>,
) -> Response {
    let app = &state.app;
    let action = |_id| async {
        let token = service::tracker::pay::parse_undo_token(&form.undo_token)?;
        service::tracker::pay::undo(app, &user, &token).await
    };
    act(&state, &caller, &ctx, &id, action, |id, _| {
        format!("{}?notice=history_undone", bill_href(id))
    })
    .await
}
