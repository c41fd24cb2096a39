//! The forms of the bill page that act on the bill: delete (soft; the list's banner offers
//! Restore), restore, deactivate / reactivate on a date, delete for good (only with its
//! confirmation box ticked), and the overrides of one occurrence (actual amount, note, skip,
//! snooze: `service::month_state::set`). Success redirects (303) with a banner code; a refused
//! field comes back as the bill page with 422 and the message under the field.

use axum::Form;
use chrono::NaiveDate;
use domain::bill::Notes;
use domain::date::parse_date;
use domain::id::BillId;
use serde::Deserialize;
use service::month_state::{self, MonthStateChanges};
use service::{Error, bills};

use super::detail::{Extras, answer};
use super::present::field_error;
use super::{bill_href, on_bill};
use crate::extract::PathId;
use crate::links;
use crate::pages::forms::{CsrfForm, checked};
use crate::pages::kit::{DataPage, PageResult};
use crate::pages::see_other;
use crate::pages::with_notice;
use crate::views::bills::OccurrenceFields;

/// `POST /bills/{id}/delete`: soft delete; the list's banner offers Restore.
pub async fn delete(page: DataPage, PathId(id): PathId<BillId>, _: Form<CsrfForm>) -> PageResult {
    on_bill(bills::delete(&page.app, &page.user, id).await, id)?;
    Ok(see_other(
        &links::BILLS.with2(("notice", "deleted"), ("bill", &id.to_string())),
    ))
}

/// `POST /bills/{id}/restore`.
pub async fn restore(page: DataPage, PathId(id): PathId<BillId>, _: Form<CsrfForm>) -> PageResult {
    on_bill(bills::restore(&page.app, &page.user, id).await, id)?;
    Ok(with_notice(&links::BILL.at(id), "restored"))
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
async fn set_active(page: &DataPage, id: BillId, active: bool, on: String) -> PageResult {
    let result = match domain::text::optional(&on, |raw| parse_date("on", raw)) {
        Ok(date) => bills::set_active(&page.app, &page.user, id, active, date).await,
        Err(invalid) => Err(invalid.into()),
    };
    let notice = if active { "reactivated" } else { "deactivated" };
    let to = format!("{}?notice={notice}", bill_href(&id.to_string()));
    answer(page, id, result, to, |invalid| {
        let active = Some((on, field_error(invalid).1));
        Some(Extras {
            active,
            ..Extras::default()
        })
    })
    .await
}

/// `POST /bills/{id}/deactivate` (`on`: the first day it is no longer due).
pub async fn deactivate(
    page: DataPage,
    PathId(id): PathId<BillId>,
    Form(form): Form<ActiveForm>,
) -> PageResult {
    set_active(&page, id, false, form.on).await
}

/// `POST /bills/{id}/reactivate` (`on`: the first day it is due again).
pub async fn reactivate(
    page: DataPage,
    PathId(id): PathId<BillId>,
    Form(form): Form<ActiveForm>,
) -> PageResult {
    set_active(&page, id, true, form.on).await
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
    page: DataPage,
    PathId(id): PathId<BillId>,
    Form(form): Form<ConfirmForm>,
) -> PageResult {
    let confirmed = form.confirm.trim() == "true";
    let result = bills::delete_permanently(&page.app, &page.user, id, confirmed).await;
    let to = format!("{}?show=deleted&notice=purged", links::BILLS);
    answer(&page, id, result, to, |_| {
        let confirm_error = Some(UNCONFIRMED.to_owned());
        Some(Extras {
            confirm_error,
            ..Extras::default()
        })
    })
    .await
}

/// Why a permanent delete without its ticked box was refused.
const UNCONFIRMED: &str =
    "Tick the box to confirm that the bill and its payments are deleted for good.";

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
    page: DataPage,
    PathId(id): PathId<BillId>,
    Form(form): Form<OccurrenceForm>,
) -> PageResult {
    let result = match changes(&form.fields) {
        Ok((due, changes)) => month_state::set(&page.app, &page.user, id, due, changes).await,
        Err(invalid) => Err(invalid.into()),
    };
    let to = links::BILL.at_with(id, "notice", "occurrence_saved");
    answer(&page, id, result, to, |invalid| {
        // A due date that is not one of the bill's has no field to show it under: a banner.
        let occurrence = Some((form.fields, vec![field_error(invalid)]));
        (invalid.field != "due_date").then(|| Extras {
            occurrence,
            ..Extras::default()
        })
    })
    .await
}

/// `POST /bills/{id}/pay-history`: marks the due dates before this month that still owe as
/// paid, each on its due date; the banner offers Undo.
pub async fn pay_history(
    page: DataPage,
    PathId(id): PathId<BillId>,
    _: Form<CsrfForm>,
) -> PageResult {
    let paid = service::tracker::pay_history(&page.app, &page.user, id).await;
    let undo = on_bill(paid, id)?.undo_token;
    let to = links::BILL.at_with(id, "notice", "history_paid");
    Ok(see_other(
        &undo.map_or(to.clone(), |t| format!("{to}&undo={t}")),
    ))
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
    page: DataPage,
    PathId(id): PathId<BillId>,
    Form(form): Form<UndoHistoryForm>,
) -> PageResult {
    let token = service::tracker::pay::parse_undo_token(&form.undo_token).map_err(Error::from);
    let undone = match token {
        Ok(token) => service::tracker::pay::undo(&page.app, &page.user, &token).await,
        Err(err) => Err(err),
    };
    on_bill(undone, id)?;
    Ok(with_notice(&links::BILL.at(id), "history_undone"))
}
