//! Paying from the tracker: quick pay, toggle paid, pay all due in a bucket, and its undo.
//!
//! - **Quick pay** records, paid today, what is still owed on one occurrence: its expected
//!   amount (the month's actual amount if set), less what a partial payment already covered.
//!   Without a date it pays the earliest occurrence of the current month still owing. An
//!   occurrence that is settled, or owes nothing, is a 409 naming `due_date`.
//! - **Toggle paid** pays a not-yet-settled occurrence (quick pay) and marks a settled one
//!   unpaid by soft-deleting its payments, so the change can be undone by restoring them.
//!   The pages use the two halves on their own ([`pay_occurrence`], [`unpay_occurrence`]:
//!   Undo on a row that is not settled is a 409), and read nothing back: they draw the month.
//! - What is owed, settled or remaining is [`Occurrence`]'s rule (`unpaid`, `is_settled`,
//!   `remaining`), never written again here.
//! - **Pay all** pays, in one transaction under one undo token, every occurrence of a bucket
//!   that is due soon, late, missed or upcoming and due on or before today. **Undo** soft-
//!   deletes exactly the payments made with the token; repeating it changes nothing.
//!
//! Payments made here are `manual`, without method or note, and belong to the occurrence
//! they pay (`cycle_due` = its due date).

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::id::{BillId, PaymentId, UserId};
use domain::money::Money;
use domain::payment::PaymentSource;
use domain::status::OccurrenceStatus;
use store::payments::NewPayment;

use super::YearMonth;
use super::month::{self, Occurrence};
use crate::auth::Principal;
use crate::preferences::{self, Preferences, data_owner};
use crate::{App, Error, Result};

/// A payment made by quick pay, and the occurrence it paid (as it stands after).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuickPay {
    pub payment_id: PaymentId,
    pub amount: Money,
    pub paid_on: NaiveDate,
    pub occurrence: Occurrence,
}

/// What pay-all (or marking earlier due dates paid) did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaidAll {
    pub paid_count: usize,
    /// Undoes exactly these payments ([`undo`]); `None` when nothing was paid.
    pub undo_token: Option<String>,
}

/// What undo did: how many payments it removed (0 when repeated).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Undone {
    pub undone_count: u64,
}

/// The longest undo token accepted (the ones made here have 32 characters).
const TOKEN_MAX: usize = 64;

/// A manual payment of `amount` for `o`, dated `paid_on`.
pub(super) fn new_payment(o: &Occurrence, amount: Money, paid_on: NaiveDate) -> NewPayment {
    NewPayment {
        bill_id: o.bill_id,
        amount_minor: amount.minor,
        paid_on,
        cycle_due: o.due,
        method: String::new(),
        note: String::new(),
        source: PaymentSource::Manual.as_str().to_owned(),
        autopay_failed: false,
    }
}

/// One occurrence to pay or unpay, found with what the operation needs: the owner, their
/// preferences (read once: today, the status rules) and the live bill. Category names are not
/// read: paying shows none (the API's answer reads the occurrence again, [`Target::after`]).
struct Target {
    owner: UserId,
    prefs: Preferences,
    today: NaiveDate,
    bill: store::bill_activity::BillWithRanges,
    occurrence: Occurrence,
}

impl Target {
    /// The occurrence of `bill` due on `due`, or (`None`) the earliest of the current month
    /// that is neither settled nor skipped; a date that is not one of its occurrences is
    /// refused naming `due_date`, a month with nothing to pay is a 409.
    async fn find(
        app: &App,
        principal: &Principal,
        bill: BillId,
        due: Option<NaiveDate>,
    ) -> Result<Self> {
        let owner = data_owner(principal)?;
        let prefs = preferences::load(app, owner).await?;
        let today = prefs.today(app.now());
        let bill = month::live_bill(app, owner, bill).await?;
        let (first, last) = match due {
            Some(due) => (due, due),
            None => YearMonth::of(today).bounds()?,
        };
        // Without the category names (one query fewer): nothing paid here shows them.
        let slice = std::slice::from_ref(&bill);
        let ledger = month::Ledger::load(app, owner, slice, first, last).await?;
        let names = HashMap::new();
        let mut found =
            month::occurrences_from(&ledger, &names, &prefs, today, slice, first, last)?;
        let occurrence = match due {
            Some(_) => found.pop().ok_or_else(|| {
                Error::invalid(
                    "due_date",
                    "is not a due date of this bill while it was active",
                )
            })?,
            None => found
                .into_iter()
                .find(|o| !o.is_settled() && o.status != OccurrenceStatus::Skipped)
                .ok_or_else(|| Error::Conflict {
                    field: "due_date".into(),
                    message: "nothing is left to pay on this bill this month".into(),
                })?,
        };
        Ok(Self {
            owner,
            prefs,
            today,
            bill,
            occurrence,
        })
    }

    /// Records what the occurrence still lacks ([`Occurrence::unpaid`]), paid today; a settled
    /// occurrence, or one that lacks nothing, is a 409 naming `due_date`.
    async fn pay_rest(&self, app: &App) -> Result<(PaymentId, Money)> {
        let o = &self.occurrence;
        let amount = o.unpaid();
        if o.is_settled() || amount.minor <= 0 {
            return Err(Error::Conflict {
                field: "due_date".into(),
                message: "this occurrence is already paid".into(),
            });
        }
        let payment = app
            .store
            .create_payment(self.owner, &new_payment(o, amount, self.today), app.now())
            .await?;
        Ok((payment.id, amount))
    }

    /// Marks a settled occurrence unpaid by soft-deleting its payments (restorable).
    async fn unpay(&self, app: &App) -> Result<()> {
        let o = &self.occurrence;
        app.store
            .soft_delete_occurrence_payments(self.owner, o.bill_id, o.due, app.now())
            .await?;
        Ok(())
    }

    /// The occurrence as it now stands, with its category name: the API's answer.
    async fn after(&self, app: &App) -> Result<Occurrence> {
        let due = self.occurrence.due;
        month::occurrence_on(app, self.owner, &self.prefs, self.today, &self.bill, due).await
    }
}

/// Quick pay: pays what the occurrence of `bill` due on `due` (default: the earliest of the
/// current month still owing) still owes, today; answers with the occurrence after it.
pub async fn quick_pay(
    app: &App,
    principal: &Principal,
    bill: BillId,
    due: Option<NaiveDate>,
) -> Result<QuickPay> {
    let target = Target::find(app, principal, bill, due).await?;
    let (payment_id, amount) = target.pay_rest(app).await?;
    Ok(QuickPay {
        payment_id,
        amount,
        paid_on: target.today,
        occurrence: target.after(app).await?,
    })
}

/// Quick pay of the occurrence due on `due`, for a page that draws the month itself: records
/// the payment and reads nothing back.
pub async fn pay_occurrence(
    app: &App,
    principal: &Principal,
    bill: BillId,
    due: NaiveDate,
) -> Result<()> {
    let target = Target::find(app, principal, bill, Some(due)).await?;
    target.pay_rest(app).await.map(drop)
}

/// Marks the occurrence due on `due` unpaid; one that payments do not settle
/// ([`Occurrence::is_settled`]) is a 409 naming `due_date`, so a stale "Undo" never pays.
pub async fn unpay_occurrence(
    app: &App,
    principal: &Principal,
    bill: BillId,
    due: NaiveDate,
) -> Result<()> {
    let target = Target::find(app, principal, bill, Some(due)).await?;
    if !target.occurrence.is_settled() {
        return Err(Error::Conflict {
            field: "due_date".into(),
            message: "this occurrence is not paid".into(),
        });
    }
    target.unpay(app).await
}

/// Toggle paid: pays an occurrence that is not settled, or marks a settled one unpaid
/// (soft-deleting its payments). Returns the occurrence as it now stands.
pub async fn toggle_paid(
    app: &App,
    principal: &Principal,
    bill: BillId,
    due: NaiveDate,
) -> Result<Occurrence> {
    let target = Target::find(app, principal, bill, Some(due)).await?;
    if target.occurrence.is_settled() {
        target.unpay(app).await?;
    } else {
        target.pay_rest(app).await?;
    }
    target.after(app).await
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
        && o.remaining().minor > 0
}

/// Pays every occurrence of bucket `bucket` of month `ym` that is owing and due on or before
/// today, under one undo token.
pub async fn pay_all(
    app: &App,
    principal: &Principal,
    ym: YearMonth,
    bucket: i64,
) -> Result<PaidAll> {
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
            .map(|o| new_payment(o, o.remaining(), today))
            .collect();
    pay_under_one_token(app, owner, &payments).await
}

/// Records `payments` in one transaction under a new undo token (none when there is nothing
/// to pay).
pub(super) async fn pay_under_one_token(
    app: &App,
    owner: UserId,
    payments: &[NewPayment],
) -> Result<PaidAll> {
    if payments.is_empty() {
        return Ok(PaidAll {
            paid_count: 0,
            undo_token: None,
        });
    }
    let token = hex::encode(crate::random::bytes::<16>(&*app.random));
    let made = app
        .store
        .create_payments(owner, payments, &token, app.now())
        .await?;
    Ok(PaidAll {
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
pub async fn undo(app: &App, principal: &Principal, token: &str) -> Result<Undone> {
    let owner = data_owner(principal)?;
    let undone_count = app.store.undo_payments(owner, token, app.now()).await?;
    Ok(Undone { undone_count })
}
