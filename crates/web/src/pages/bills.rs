//! The bill pages, one file per part: the list (`list`), the add and edit form (`form`, with
//! `input` turning the form's text into the service's request), the detail page (`detail`),
//! the forms that act on a bill from it (`actions`: delete, restore, deactivate, occurrence
//! overrides) and the payment forms (`payments`); `present` formats the service's views for
//! the templates. This file holds the routes and what the parts share.
//!
//! Every page is for the signed-in owner of the data ([`super::kit::DataPage`]): the bootstrap
//! administrator gets a 403 page, and a bill or payment id that does not parse, does not exist
//! or belongs to someone else is the same 404 page. Successful POSTs redirect (303) with a
//! banner code (`?notice=` / `?error=`, fixed messages, never reflected input); a refused
//! form comes back with 422 (409 for a stale version) and the message under the field.

mod actions;
mod detail;
mod form;
mod input;
mod list;
mod payments;
pub mod present;

use axum::http::StatusCode;
use axum::routing::{get, post};
use domain::id::BillId;
use service::auth::Principal;
use service::preferences::{self, Preferences, data_owner};
use service::{App, Error};

use super::kit::{Fail, PageError};
use crate::links;
use crate::routes::Table;
use present::field_error;

/// The bill pages' routes (payments included: they are edited from their bill's page).
pub(crate) fn routes(table: Table) -> Table {
    table
        .add("GET", links::BILLS.path(), get(list::list))
        .add("POST", links::BILLS.path(), post(form::create))
        .add("GET", links::BILL_NEW.path(), get(form::new))
        .add("GET", links::BILL.template(), get(detail::show))
        .add("POST", links::BILL.template(), post(form::update))
        .add("GET", links::BILL_EDIT.template(), get(form::edit))
        .add("POST", links::BILL_DELETE.template(), post(actions::delete))
        .add(
            "POST",
            links::BILL_RESTORE.template(),
            post(actions::restore),
        )
        .add(
            "POST",
            links::BILL_DEACTIVATE.template(),
            post(actions::deactivate),
        )
        .add(
            "POST",
            links::BILL_REACTIVATE.template(),
            post(actions::reactivate),
        )
        .add(
            "POST",
            links::BILL_DELETE_PERMANENTLY.template(),
            post(actions::delete_permanently),
        )
        .add(
            "POST",
            links::BILL_OCCURRENCE.template(),
            post(actions::occurrence),
        )
        .add(
            "POST",
            links::BILL_PAYMENTS.template(),
            post(payments::record),
        )
        .add(
            "POST",
            links::BILL_PAY_HISTORY.template(),
            post(actions::pay_history),
        )
        .add(
            "POST",
            links::BILL_PAY_HISTORY_UNDO.template(),
            post(actions::undo_history),
        )
        .add("GET", links::PAYMENT_EDIT.template(), get(payments::edit))
        .add("POST", links::PAYMENT.template(), post(payments::update))
        .add(
            "POST",
            links::PAYMENT_DELETE.template(),
            post(payments::delete),
        )
        .add(
            "POST",
            links::PAYMENT_RESTORE.template(),
            post(payments::restore),
        )
}

/// `/bills/{id}`.
pub fn bill_href(id: &str) -> String {
    links::BILL.at(id)
}

/// The caller's preferences (currency, time zone: their today).
async fn prefs(app: &App, user: &Principal) -> Result<Preferences, Error> {
    preferences::load(app, data_owner(user)?).await
}

/// The 404 page's words for a bill or payment that does not exist (or is someone else's).
pub(super) const MISSING: &str = "That bill or payment does not exist, or it was deleted for good.";

/// A failed form on bill `id`'s page: back to its page with a banner, or the 404 page when the
/// bill is gone.
fn on_bill<T>(result: Result<T, Error>, id: BillId) -> Result<T, PageError> {
    result.back_to(&bill_href(&id.to_string())).missing(MISSING)
}

/// A refused save as the form's status and errors: 422 with the refused field's message, 409
/// for a stale version. Any other failure is given back.
fn refusal_of(err: Error) -> Result<(StatusCode, Vec<(String, String)>), Error> {
    match err {
        Error::Invalid(invalid) => Ok((
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![field_error(&invalid)],
        )),
        Error::Conflict { field, message } => Ok((StatusCode::CONFLICT, vec![(field, message)])),
        other => Err(other),
    }
}
