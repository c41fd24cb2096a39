//! The payment forms of a bill: record one (`POST /bills/{id}/payments`, from the bill page),
//! edit one (`GET /payments/{id}/edit`, `POST /payments/{id}` with its version), delete one
//! (soft: the bill page's banner offers Restore) and restore one.
//!
//! The amount is read as the user's locale writes it, then parsed by the service in the bill's
//! currency; dates, method and note are
//! parsed here, each refusal naming its field. A payment id that does not parse, does not exist
//! or belongs to someone else is the 404 page.

use axum::Form;
use axum::http::StatusCode;
use domain::Invalid;
use domain::bill::Notes;
use domain::date::parse_date;
use domain::id::{BillId, PaymentId};
use domain::payment::{PaymentMethod, PaymentSource};
use domain::text::optional;
use serde::Deserialize;
use service::auth::Principal;
use service::payments::{self, NewPaymentInput, Payment, PaymentPatch};
use service::{App, Error};

use super::detail::{Extras, answer};
use super::present::field_error;
use super::{MISSING, bill_href, refusal_of};
use crate::extract::PathId;
use crate::links;
use crate::locale::Locale;
use crate::pages::common::with_cookie;
use crate::pages::forms::{CsrfForm, checked, version};
use crate::pages::kit::{DataPage, Fail, PageError, PageResult};
use crate::pages::with_notice;
use crate::pages::{chrome, see_other};
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
        Err(_) => links::BILLS.path().to_owned(),
    }
}

/// A failed form about payment `id`: the 404 page when it is missing (or someone else's), else
/// back to its bill's page with a banner.
async fn on_payment<T>(
    page: &DataPage,
    id: PaymentId,
    result: Result<T, Error>,
) -> Result<T, PageError> {
    match result {
        Err(err) if !matches!(err, Error::NotFound) => {
            let to = bill_page_of(&page.app, &page.user, id).await;
            Err(err).back_to(&to)
        }
        result => result.missing(MISSING),
    }
}

/// `POST /bills/{id}/payments`: records a payment and goes back to the bill.
pub async fn record(
    page: DataPage,
    PathId(id): PathId<BillId>,
    Form(form): Form<PaymentForm>,
) -> PageResult {
    let ctx = page.context().await;
    let result = match new_payment(&ctx.locale, id, &form.fields) {
        Ok(input) => payments::record(&page.app, &page.user, input).await,
        Err(invalid) => Err(invalid.into()),
    };
    let to = links::BILL.at_with(id, "notice", "payment_recorded");
    answer(&page, id, result, to, |invalid| {
        let payment = Some((form.fields, vec![field_error(invalid)]));
        Some(Extras {
            payment,
            ..Extras::default()
        })
    })
    .await
}

/// A payment as the edit form's values (the amount as the user's locale writes it).
fn fields_of(l: &Locale, p: &Payment) -> PaymentFields {
    PaymentFields {
        amount: l.money_field(p.amount),
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
    page: &DataPage,
    id: PaymentId,
    typed: Option<PaymentFields>,
    refusal: Option<(StatusCode, Vec<(String, String)>)>,
) -> PageResult {
    let payment = payments::get(&page.app, &page.user, id)
        .await
        .missing(MISSING)?;
    // A deleted payment is restored from its bill's page, not edited.
    if payment.deleted_at.is_some() {
        return Err(Error::NotFound).missing(MISSING);
    }
    let ctx = page.context().await;
    let (status, errors) = refusal.unwrap_or((StatusCode::OK, Vec::new()));
    let (chrome, cookie) = chrome(&page.app, &page.caller, &ctx, "Edit payment");
    let view = BillPaymentPage {
        chrome,
        status,
        bill_id: payment.bill_id.to_string(),
        bill_name: payment.bill_name.clone(),
        payment_id: payment.id.to_string(),
        currency: payment.amount.currency.code().to_owned(),
        fields: typed.unwrap_or_else(|| fields_of(&ctx.locale, &payment)),
        conflict: status == StatusCode::CONFLICT,
        errors,
    };
    Ok(with_cookie(render(&view), cookie))
}

/// `GET /payments/{id}/edit`.
pub async fn edit(page: DataPage, PathId(id): PathId<PaymentId>) -> PageResult {
    show_edit(&page, id, None, None).await
}

/// `POST /payments/{id}`: saves the edit if the payment is still at the form's version.
pub async fn update(
    page: DataPage,
    PathId(id): PathId<PaymentId>,
    Form(form): Form<PaymentForm>,
) -> PageResult {
    let ctx = page.context().await;
    let result = match patch(&ctx.locale, &form.fields) {
        Ok((patch, version)) => payments::update(&page.app, &page.user, id, patch, version).await,
        Err(invalid) => Err(invalid.into()),
    };
    match result.map_err(refusal_of) {
        Ok(p) => Ok(with_notice(&links::BILL.at(p.bill_id), "payment_saved")),
        Err(Ok(refusal)) => show_edit(&page, id, Some(form.fields), Some(refusal)).await,
        Err(Err(err)) => on_payment(&page, id, Err(err)).await,
    }
}

/// `POST /payments/{id}/delete`: soft delete; the bill page's banner offers Restore.
pub async fn delete(
    page: DataPage,
    PathId(id): PathId<PaymentId>,
    _: Form<CsrfForm>,
) -> PageResult {
    on_payment(&page, id, payments::delete(&page.app, &page.user, id).await).await?;
    let to = bill_page_of(&page.app, &page.user, id).await;
    Ok(see_other(&format!(
        "{to}?notice=payment_deleted&payment={id}"
    )))
}

/// `POST /payments/{id}/restore`.
pub async fn restore(
    page: DataPage,
    PathId(id): PathId<PaymentId>,
    _: Form<CsrfForm>,
) -> PageResult {
    let restored = payments::restore(&page.app, &page.user, id).await;
    let p = on_payment(&page, id, restored).await?;
    Ok(with_notice(&links::BILL.at(p.bill_id), "payment_restored"))
}
