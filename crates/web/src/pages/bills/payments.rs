//! The payment forms of a bill: record one (`POST /bills/{id}/payments`, from the bill page),
//! edit one (`GET /payments/{id}/edit`, `POST /payments/{id}` with its version), delete one
//! (soft: the bill page's banner offers Restore) and restore one.
//!
//! The amount is read as the user's locale writes it, then parsed by the service in the bill's
//! currency; dates, method and note are
//! parsed here, each refusal naming its field. A payment id that does not parse, does not exist
//! or belongs to someone else is the 404 page.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::Invalid;
use domain::bill::Notes;
use domain::date::parse_date;
use domain::id::{BillId, PaymentId};
use domain::payment::{PaymentMethod, PaymentSource};
use domain::text::optional;
use serde::Deserialize;
use service::auth::Principal;
use service::payments::{self, NewPaymentInput, PaymentPatch, PaymentView};
use service::{App, Error};

use super::detail::{Extras, render_detail};
use super::present::field_error;
use super::{bill_href, failed_on_bill, load_failed, refusal_of};
use crate::AppState;
use crate::auth::Caller;
use crate::locale::Locale;
use crate::pages::common::{DataPageUser, failed, with_cookie};
use crate::pages::forms::{CsrfForm, checked, parse_id, version};
use crate::pages::{PageContext, chrome, see_other};
use crate::views::bills::{BillPaymentPage, PaymentFields};
use crate::views::render;

#[derive(Deserialize)]
pub struct PaymentForm {
    #[serde(flatten)]
    pub fields: PaymentFields,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

/// A new manual payment of bill `bill` from the form; blank dates let the server choose (today,
/// and the cycle by attribution).
fn new_payment(l: &Locale, bill: BillId, f: &PaymentFields) -> Result<NewPaymentInput, Invalid> {
    Ok(NewPaymentInput {
        bill_id: bill,
        amount: l.amount_input("amount", &f.amount)?,
        paid_on: optional(&f.paid_on, |raw| parse_date("paid_on", raw))?,
        cycle_due: optional(&f.cycle_due, |raw| parse_date("cycle_due", raw))?,
        method: PaymentMethod::parse_optional(&f.method)?,
        note: Notes::parse("note", &f.note)?,
        source: PaymentSource::Manual,
        autopay_failed: checked(&f.autopay_failed),
    })
}

/// The edit as a patch of every field, and the version it is based on (one that is not a
/// number can never match, so it answers as changed elsewhere).
fn patch(l: &Locale, f: &PaymentFields) -> Result<(PaymentPatch, i64), Invalid> {
    let patch = PaymentPatch {
        amount: Some(l.amount_input("amount", &f.amount)?),
        paid_on: Some(parse_date("paid_on", &f.paid_on)?),
        cycle_due: Some(parse_date("cycle_due", &f.cycle_due)?),
        method: Some(PaymentMethod::parse_optional(&f.method)?),
        note: Some(Notes::parse("note", &f.note)?),
        autopay_failed: Some(checked(&f.autopay_failed)),
    };
    Ok((patch, version(&f.version)))
}

/// The page of payment `id`'s bill (deleted payments included), where banners are shown; the
/// bills list when it cannot be read.
async fn bill_page_of(app: &App, user: &Principal, id: PaymentId) -> String {
    match payments::get(app, user, id).await {
        Ok(p) => bill_href(&p.bill_id.to_string()),
        Err(_) => "/bills".to_owned(),
    }
}

/// The answer to a failed form about payment `id`: the 404 page when it is missing (or
/// someone else's), else back to its bill's page with a banner.
async fn failed_on_payment(
    app: &App,
    caller: &Caller,
    ctx: &PageContext,
    user: &Principal,
    id: PaymentId,
    err: Error,
) -> Response {
    match err {
        Error::NotFound => load_failed(app, caller, ctx, err),
        err => {
            let to = bill_page_of(app, user, id).await;
            failed(app, caller, ctx, &to, err)
        }
    }
}

/// `POST /bills/{id}/payments`: records a payment and goes back to the bill.
pub async fn record(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    Path(id): Path<String>,
    Form(form): Form<PaymentForm>,
) -> Response {
    let app = &state.app;
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(err) => return load_failed(app, &caller, &ctx, err),
    };
    let result = match new_payment(&ctx.locale, id, &form.fields) {
        Ok(input) => payments::record(app, &user, input).await.map(|_| ()),
        Err(invalid) => Err(invalid.into()),
    };
    match result {
        Ok(()) => see_other(&format!(
            "{}?notice=payment_recorded",
            bill_href(&id.to_string())
        )),
        Err(Error::Invalid(invalid)) => {
            let extras = Extras {
                status: Some(StatusCode::UNPROCESSABLE_ENTITY),
                payment: Some((form.fields, vec![field_error(&invalid)])),
                ..Extras::default()
            };
            render_detail(app, &caller, &ctx, &user, id, extras).await
        }
        Err(err) => failed_on_bill(app, &caller, &ctx, id, err),
    }
}

/// A payment as the edit form's values (the amount as the user's locale writes it).
fn fields_of(l: &Locale, p: &PaymentView) -> PaymentFields {
    PaymentFields {
        amount: l.amount_field_of(p.amount_minor, &p.currency, &p.amount),
        paid_on: p.paid_on.to_string(),
        cycle_due: p.cycle_due.to_string(),
        method: p.method.clone().unwrap_or_default(),
        note: p.note.clone(),
        autopay_failed: if p.autopay_failed { "true" } else { "" }.to_owned(),
        version: p.version.to_string(),
    }
}

/// Renders the edit form of payment `id`; `refusal` is the status and errors of a refused
/// post, `typed` what was sent.
async fn show_edit(
    app: &App,
    caller: &Caller,
    ctx: &PageContext,
    user: &Principal,
    id: PaymentId,
    typed: Option<PaymentFields>,
    refusal: Option<(StatusCode, Vec<(String, String)>)>,
) -> Response {
    let payment = match payments::get(app, user, id).await {
        // A deleted payment is restored from its bill's page, not edited.
        Ok(p) if p.deleted_at.is_none() => p,
        Ok(_) => return load_failed(app, caller, ctx, Error::NotFound),
        Err(err) => return load_failed(app, caller, ctx, err),
    };
    let (status, errors) = refusal.unwrap_or((StatusCode::OK, Vec::new()));
    let (chrome, cookie) = chrome(app, caller, ctx, "Edit payment");
    let page = BillPaymentPage {
        chrome,
        status,
        bill_id: payment.bill_id.to_string(),
        bill_name: payment.bill_name.clone(),
        payment_id: payment.id.to_string(),
        currency: payment.currency.clone(),
        fields: typed.unwrap_or_else(|| fields_of(&ctx.locale, &payment)),
        conflict: status == StatusCode::CONFLICT,
        errors,
    };
    with_cookie(render(&page), cookie)
}

/// `GET /payments/{id}/edit`.
pub async fn edit(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    Path(id): Path<String>,
) -> Response {
    let app = &state.app;
    match parse_id(&id) {
        Ok(id) => show_edit(app, &caller, &ctx, &user, id, None, None).await,
        Err(err) => load_failed(app, &caller, &ctx, err),
    }
}

/// `POST /payments/{id}`: saves the edit if the payment is still at the form's version.
pub async fn update(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    Path(id): Path<String>,
    Form(form): Form<PaymentForm>,
) -> Response {
    let app = &state.app;
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(err) => return load_failed(app, &caller, &ctx, err),
    };
    let result = match patch(&ctx.locale, &form.fields) {
        Ok((patch, version)) => payments::update(app, &user, id, patch, version).await,
        Err(invalid) => Err(invalid.into()),
    };
    let refusal = match result.map_err(refusal_of) {
        Ok(p) => {
            let to = format!("{}?notice=payment_saved", bill_href(&p.bill_id.to_string()));
            return see_other(&to);
        }
        Err(Ok(refusal)) => refusal,
        Err(Err(err)) => return failed_on_payment(app, &caller, &ctx, &user, id, err).await,
    };
    show_edit(
        app,
        &caller,
        &ctx,
        &user,
        id,
        Some(form.fields),
        Some(refusal),
    )
    .await
}

/// `POST /payments/{id}/delete`: soft delete; the bill page's banner offers Restore.
pub async fn delete(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    Path(id): Path<String>,
    Form(_form): Form<CsrfForm>,
) -> Response {
    let app = &state.app;
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(err) => return load_failed(app, &caller, &ctx, err),
    };
    match payments::delete(app, &user, id).await {
        Ok(()) => {
            let to = bill_page_of(app, &user, id).await;
            see_other(&format!("{to}?notice=payment_deleted&payment={id}"))
        }
        Err(err) => failed_on_payment(app, &caller, &ctx, &user, id, err).await,
    }
}

/// `POST /payments/{id}/restore`.
pub async fn restore(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    Path(id): Path<String>,
    Form(_form): Form<CsrfForm>,
) -> Response {
    let app = &state.app;
    let id = match parse_id(&id) {
        Ok(id) => id,
        Err(err) => return load_failed(app, &caller, &ctx, err),
    };
    match payments::restore(app, &user, id).await {
        Ok(p) => see_other(&format!(
            "{}?notice=payment_restored",
            bill_href(&p.bill_id.to_string())
        )),
        Err(err) => failed_on_payment(app, &caller, &ctx, &user, id, err).await,
    }
}
