//! A bill's past: a bill whose first due date lies before this month has occurrences from
//! there on (its history starts at the first due date), and those still owing can be marked
//! paid in one action, undoable like pay-all, instead of standing as a wall of "missed".
//!
//! "Earlier" means due before the first day of the caller's current month: this month's
//! occurrences stay for the tracker, where they are paid one by one. Each payment made here
//! is dated on the occurrence's due date and settles that occurrence (`cycle_due`), for what
//! it still owes (the month's actual amount when set, less partial payments); skipped and
//! settled occurrences are left alone.
//!
//! Only the last [`HISTORY_YEARS`] years before this month are looked at: a first due date in
//! 1950 must not make every view of the bill page compute (and "mark paid" write) decades of
//! weekly occurrences.

use chrono::{Datelike, Days, NaiveDate};
use domain::id::BillId;
use store::payments::NewPayment;

use super::month::{self, Occurrence};
use super::pay::{PaidAll, new_payment, pay_under_one_token};
use crate::auth::Principal;
use crate::preferences::{self, data_owner};
use crate::{App, Result};

/// How far back, in years, the earlier occurrences are counted and marked paid.
pub const HISTORY_YEARS: u32 = 10;

/// The first day looked at: the first of today's month, [`HISTORY_YEARS`] years back.
pub(super) fn oldest(today: NaiveDate) -> NaiveDate {
    let month_start = today.with_day(1).unwrap_or(today);
    month_start
        .checked_sub_months(chrono::Months::new(12 * HISTORY_YEARS))
        .unwrap_or(month_start)
}

/// The earlier occurrences of a bill still owing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnpaidHistory {
    /// How many occurrences before this month are still owing.
    pub unpaid_count: usize,
    /// The earliest of them, if any.
    pub unpaid_from: Option<NaiveDate>,
}

/// The occurrences of `bill` before this month that are still owing (oldest first).
async fn owing_before_this_month(
    app: &App,
    principal: &Principal,
    bill: BillId,
) -> Result<(domain::id::UserId, Vec<Occurrence>)> {
    let owner = data_owner(principal)?;
    let prefs = preferences::load(app, owner).await?;
    let today = prefs.today(app.now());
    let bill = month::live_bill(app, owner, bill).await?;
    let month_start = today.with_day(1).unwrap_or(today);
    let Some(first) = bill.ranges.first().map(|range| range.start_date) else {
        return Ok((owner, Vec::new()));
    };
    let first = first.max(oldest(today));
    let Some(last) = month_start.checked_sub_days(Days::new(1)) else {
        return Ok((owner, Vec::new()));
    };
    if first > last {
        return Ok((owner, Vec::new()));
    }
    let owing = month::occurrences(
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
    .filter(Occurrence::is_owing)
    .collect();
    Ok((owner, owing))
}

/// How many of the caller's `bill`'s occurrences before this month are still owing.
pub async fn unpaid_history(
    app: &App,
    principal: &Principal,
    bill: BillId,
) -> Result<UnpaidHistory> {
    let (_, owing) = owing_before_this_month(app, principal, bill).await?;
    Ok(UnpaidHistory {
        unpaid_count: owing.len(),
        unpaid_from: owing.first().map(|o| o.due),
    })
}

/// Marks every occurrence of the caller's `bill` before this month that is still owing as
/// paid on its due date, in one transaction under one undo token (`POST /api/tracker/undo`).
pub async fn pay_history(app: &App, principal: &Principal, bill: BillId) -> Result<PaidAll> {
    let (owner, owing) = owing_before_this_month(app, principal, bill).await?;
    let payments: Vec<NewPayment> = owing
        .iter()
        .map(|o| new_payment(o, o.remaining(), o.due))
        .collect();
    pay_under_one_token(app, owner, &payments).await
}
