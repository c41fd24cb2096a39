//! Paying from the tracker: quick pay, toggle paid, pay all due in a bucket, and its undo.
//!
//! - **Quick pay** records, paid today, what is still owed on one occurrence: its expected
//!   amount (the month's actual amount if set), less what a partial payment already covered.
//!   Without a date it pays the earliest occurrence of the current month still owing. An
//!   occurrence that is settled, or owes nothing, is a 409 naming `due_date`.
//! - **Toggle paid** pays a not-yet-settled occurrence (quick pay) and marks a settled one
//!   unpaid by soft-deleting its payments, so the change can be undone by restoring them.
//! - **Pay all** pays, in one transaction under one undo token, every occurrence of a bucket
//!   that is due soon, late, missed or upcoming and due on or before today. **Undo** soft-
//!   deletes exactly the payments made with the token; repeating it changes nothing.
//!
//! Payments made here are `manual`, without method or note, and belong to the occurrence
//! they pay (`cycle_due` = its due date).

use chrono::NaiveDate;
use domain::id::{BillId, UserId};
use domain::payment::PaymentSource;
use domain::status::OccurrenceStatus;
use serde::Serialize;
use store::payments::NewPayment;

use super::month::{self, Occurrence, OccurrenceView};
use super::{AmountView, YearMonth};
use crate::auth::Principal;
use crate::preferences::{self, Preferences, data_owner};
use crate::{App, Error, Result};

/// A payment made by quick pay, and the occurrence it paid.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QuickPayView {
    pub payment_id: String,
    pub amount: AmountView,
    pub paid_on: NaiveDate,
    pub occurrence: OccurrenceView,
}

/// What pay-all did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PayAllView {
    pub paid_count: usize,
    /// Undoes exactly these payments (`POST /api/tracker/undo`); `null` when nothing was paid.
    pub undo_token: Option<String>,
}

/// What undo did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UndoView {
    pub undone_count: u64,
}

/// The longest undo token accepted (the ones made here have 32 characters).
const TOKEN_MAX: usize = 64;

fn new_payment(o: &Occurrence, amount: i64, today: NaiveDate) -> NewPayment {
    NewPayment {
        bill_id: o.bill_id,
        amount_minor: amount,
        paid_on: today,
        cycle_due: o.due,
        method: String::new(),
        note: String::new(),
        source: PaymentSource::Manual.as_str().to_owned(),
        autopay_failed: false,
    }
}

/// Records what `o` still owes, paid today.
async fn pay_rest(
    app: &App,
    owner: UserId,
    prefs: &Preferences,
    today: NaiveDate,
    bill: &store::bill_activity::BillWithRanges,
    o: &Occurrence,
) -> Result<QuickPayView> {
    let amount = o.expected.saturating_sub(o.paid.max(0));
    if o.is_settled() || amount <= 0 {
        return Err(Error::Conflict {
            field: "due_date".into(),
            message: "this occurrence is already paid".into(),
        });
    }
    let payment = app
        .store
        .create_payment(owner, &new_payment(o, amount, today), app.now())
        .await?;
    let after = month::occurrence_on(app, owner, prefs, today, bill, o.due).await?;
    Ok(QuickPayView {
        payment_id: payment.id.to_string(),
        amount: AmountView::new(amount, o.currency),
        paid_on: today,
        occurrence: OccurrenceView::from(&after),
    })
}

/// Quick pay: pays what the occurrence of `bill` due on `due` (default: the earliest of the
/// current month still owing) still owes, today.
pub async fn quick_pay(
    app: &App,
    principal: &Principal,
    bill: BillId,
    due: Option<NaiveDate>,
) -> Result<QuickPayView> {
    let owner = data_owner(principal)?;
    let prefs = preferences::load(app, owner).await?;
    let today = prefs.today(app.now());
    let bill = month::live_bill(app, owner, bill).await?;
    let target = match due {
        Some(due) => month::occurrence_on(app, owner, &prefs, today, &bill, due).await?,
        None => {
            let (first, last) = YearMonth::of(today).bounds()?;
            month::occurrences(
                app,
                owner,
                &prefs,
                today,
                std::slice::from_ref(&bill),
                first,
                last,
            )
            .await?
            .into_iter()
            .find(|o| !o.is_settled() && o.status != OccurrenceStatus::Skipped)
            .ok_or_else(|| Error::Conflict {
                field: "due_date".into(),
                message: "nothing is left to pay on this bill this month".into(),
            })?
        }
    };
    pay_rest(app, owner, &prefs, today, &bill, &target).await
}

/// Toggle paid: pays an occurrence that is not settled, or marks a settled one unpaid
/// (soft-deleting its payments). Returns the occurrence as it now stands.
pub async fn toggle_paid(
    app: &App,
    principal: &Principal,
    bill: BillId,
    due: NaiveDate,
) -> Result<OccurrenceView> {
    let owner = data_owner(principal)?;
    let prefs = preferences::load(app, owner).await?;
    let today = prefs.today(app.now());
    let bill = month::live_bill(app, owner, bill).await?;
    let o = month::occurrence_on(app, owner, &prefs, today, &bill, due).await?;
    if o.is_settled() {
        app.store
            .soft_delete_occurrence_payments(owner, o.bill_id, due, app.now())
            .await?;
        let after = month::occurrence_on(app, owner, &prefs, today, &bill, due).await?;
        Ok(OccurrenceView::from(&after))
    } else {
        Ok(pay_rest(app, owner, &prefs, today, &bill, &o)
            .await?
            .occurrence)
    }
}

/// Whether pay-all pays `o`: owing, not partial or skipped, and due on or before today.
pub(super) fn pay_all_pays(o: &Occurrence, today: NaiveDate) -> bool {
    matches!(
        o.status,
        OccurrenceStatus::DueSoon
            | OccurrenceStatus::Late
            | OccurrenceStatus::Missed
            | OccurrenceStatus::Upcoming
    ) && o.due <= today
        && o.expected.saturating_sub(o.paid.max(0)) > 0
}

/// Pays every occurrence of bucket `bucket` of month `ym` that is owing and due on or before
/// today, under one undo token.
pub async fn pay_all(
    app: &App,
    principal: &Principal,
    ym: YearMonth,
    bucket: i64,
) -> Result<PayAllView> {
    let owner = data_owner(principal)?;
    let prefs = preferences::load(app, owner).await?;
    let today = prefs.today(app.now());
    let count = domain::buckets::buckets(ym.year(), ym.month(), &prefs.paydays).len();
    let bucket = usize::try_from(bucket)
        .ok()
        .filter(|b| *b < count)
        .ok_or_else(|| {
            Error::invalid(
                "bucket",
                format!(
                    "must be a bucket of this month, from 0 to {}",
                    count.saturating_sub(1)
                ),
            )
        })?;
    let (first, last) = ym.bounds()?;
    let bills = app.store.bills_active_between(owner, first, last).await?;
    let payments: Vec<NewPayment> =
        month::occurrences(app, owner, &prefs, today, &bills, first, last)
            .await?
            .iter()
            .filter(|o| o.bucket == bucket && pay_all_pays(o, today))
            .map(|o| new_payment(o, o.expected.saturating_sub(o.paid.max(0)), today))
            .collect();
    pay_under_one_token(app, owner, &payments).await
}

/// Records `payments` in one transaction under a new undo token (none when there is nothing
/// to pay).
pub(super) async fn pay_under_one_token(
    app: &App,
    owner: UserId,
    payments: &[NewPayment],
) -> Result<PayAllView> {
    if payments.is_empty() {
        return Ok(PayAllView {
            paid_count: 0,
            undo_token: None,
        });
    }
    let token = hex::encode(crate::random::bytes::<16>(&*app.random));
    let made = app
        .store
        .create_payments(owner, payments, &token, app.now())
        .await?;
    Ok(PayAllView {
        paid_count: made.len(),
        undo_token: Some(token),
    })
}

/// Checks an undo token's shape (the field `undo_token`).
pub fn parse_undo_token(raw: &str) -> Result<String, domain::Invalid> {
    let token = raw.trim();
    if token.is_empty()
        || token.len() > TOKEN_MAX
        || !token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return Err(domain::Invalid::new(
            "undo_token",
            "must be the token a pay-all answered with",
        ));
    }
    Ok(token.to_owned())
}

/// Undoes the payments of one pay-all: soft-deletes exactly those still live.
pub async fn undo(app: &App, principal: &Principal, token: &str) -> Result<UndoView> {
    let owner = data_owner(principal)?;
    let undone_count = app.store.undo_payments(owner, token, app.now()).await?;
    Ok(UndoView { undone_count })
}
