//! A bill's "next due" (issue 14, item 11): its earliest occurrence that still owes money
//! ([`Occurrence::is_owing`]: not skipped, not settled, something remaining) — if March is
//! still unpaid in May, the bill is next due in March, not on the next date from today.
//!
//! - The rules are the tracker's: occurrences, payments and statuses come from
//!   [`month::occurrences_from`], nothing is re-derived here.
//! - The past is looked at as far as [`BACK_MONTHS`] months before this month: reading ten
//!   years of payments for every bill made the bills list 26 times slower (3.9 → 102 ms p50 on
//!   the reference data set, release). An older unpaid due date is "missed"; the bill page
//!   offers to mark it paid ("earlier due dates", [`super::history`]). The future: up to
//!   [`AHEAD_MONTHS`] months after today.
//! - Nothing owing in that window (every due date paid ahead, or a bill of nothing): the first
//!   due date from today on that is neither settled nor skipped, else the first one after the
//!   window.
//! - Only active, live bills have a next due date.
//! - One ledger query for any number of bills ([`month::Ledger`]), so the bills list costs one
//!   query more than the bills themselves, whatever their number.

use std::collections::HashMap;

use chrono::{Datelike, Days, Months, NaiveDate};
use domain::id::{BillId, UserId};
use domain::status::OccurrenceStatus;
use store::bill_activity::BillWithRanges;

use super::month::{self, Ledger};
use crate::preferences::Preferences;
use crate::{App, Result};

/// How far after today a next due date is looked for among the occurrences.
pub const AHEAD_MONTHS: u32 = 13;

/// How many months before this month's first day an owing due date is still "next due".
pub const BACK_MONTHS: u32 = 12;

/// The dates the next due date is looked for in: from [`BACK_MONTHS`] before this month to
/// [`AHEAD_MONTHS`] after today.
fn window(today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let this_month = today.with_day(1).unwrap_or(today);
    let first = this_month
        .checked_sub_months(Months::new(BACK_MONTHS))
        .unwrap_or(this_month);
    let last = today
        .checked_add_months(Months::new(AHEAD_MONTHS))
        .unwrap_or(today);
    (first, last)
}

/// The next due date of each of `bills` that is active and live (the others have none).
pub async fn next_due_dates(
    app: &App,
    owner: UserId,
    prefs: &Preferences,
    today: NaiveDate,
    bills: &[BillWithRanges],
) -> Result<HashMap<BillId, NaiveDate>> {
    let live: Vec<BillWithRanges> = bills
        .iter()
        .filter(|b| b.bill.is_active && b.bill.deleted_at.is_none())
        .cloned()
        .collect();
    if live.is_empty() {
        return Ok(HashMap::new());
    }
    let (first, last) = window(today);
    let ledger = Ledger::load(app, owner, &live, first, last).await?;
    let occurrences =
        month::occurrences_from(&ledger, &HashMap::new(), prefs, today, &live, first, last)?;
    let mut owing: HashMap<BillId, NaiveDate> = HashMap::new();
    let mut coming: HashMap<BillId, NaiveDate> = HashMap::new();
    // Each bill's occurrences come in date order: the first of each kind is the earliest.
    for o in &occurrences {
        if o.is_owing() {
            owing.entry(o.bill_id).or_insert(o.due);
        } else if o.due >= today && !o.is_settled() && o.status != OccurrenceStatus::Skipped {
            coming.entry(o.bill_id).or_insert(o.due);
        }
    }
    let mut out = HashMap::with_capacity(live.len());
    for bill in &live {
        let id = bill.bill.id;
        let next = match owing.get(&id).or_else(|| coming.get(&id)) {
            Some(due) => Some(*due),
            None => after_window(bill, last)?,
        };
        if let Some(due) = next {
            out.insert(id, due);
        }
    }
    Ok(out)
}

/// The first due date of `bill` after `last` (a bill paid ahead through the whole window).
fn after_window(bill: &BillWithRanges, last: NaiveDate) -> Result<Option<NaiveDate>> {
    let Some(from) = last.checked_add_days(Days::new(1)) else {
        return Ok(None);
    };
    let to = from.checked_add_months(Months::new(24)).unwrap_or(from);
    Ok(month::due_dates(bill, from, to)?.first().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_reaches_a_year_back_from_this_month_and_a_year_ahead() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 14).unwrap_or_default();
        let (first, last) = window(today);
        assert_eq!(
            first,
            NaiveDate::from_ymd_opt(2025, 3, 1).unwrap_or_default()
        );
        assert_eq!(
            last,
            NaiveDate::from_ymd_opt(2027, 4, 14).unwrap_or_default()
        );
    }
}
