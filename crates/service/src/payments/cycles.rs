//! Which occurrence (cycle) a payment settles, and the room left in the sums a payment
//! changes: every check here runs before anything is written.
//!
//! - [`settled_cycle`] applies [`domain::attribution::attribute_payment`] to the occurrences
//!   the tracker shows (inside the bill's active ranges, not skipped), so a late payment
//!   settles the earlier cycle it belongs to.
//! - [`check_cycle_room`] and [`check_debt_shift`] keep an occurrence's total and a debt
//!   balance inside `i64` (security VAL-02): the change is refused as "amount is too large".

use chrono::{Days, NaiveDate};
use domain::attribution::{OccurrenceBalance, attribute_payment};
use domain::bill::{AmountKind, ExpectedAmount};
use domain::id::{BillId, UserId};
use domain::money::add_minor;
use domain::recurrence::{Cycle, DueDay, Schedule};
use store::bills::BillRow;

use crate::{App, Error, Result};

/// How many cycles back a payment without `cycle_due` looks for an unpaid occurrence. Older
/// arrears were most likely settled before the bill was tracked; a payment made today should
/// not silently disappear into them.
const LOOKBACK_CYCLES: u64 = 3;

/// The occurrence a payment made on `paid_on` settles: among the bill's occurrences from
/// [`LOOKBACK_CYCLES`] cycles before the payment to one cycle after it, the oldest one still
/// owed (see [`attribute_payment`] for the whole rule). Skipped occurrences, and those outside
/// the bill's active ranges (which the tracker does not show), are left out. What settles an
/// occurrence is its month's actual amount when one is set, else the bill's expected amount
/// (an estimate's minimum). No candidate (a payment long before the first due date, or while
/// the bill was inactive) is `Invalid { field: "cycle_due" }`: the caller must name it.
pub async fn settled_cycle(
    app: &App,
    owner: UserId,
    bill: &BillRow,
    paid_on: NaiveDate,
) -> Result<NaiveDate> {
    let schedule = schedule_of(bill)?;
    let cycle = schedule.cycle();
    let back = u64::try_from(cycle.longest_gap_days()).unwrap_or(0) * LOOKBACK_CYCLES;
    let start = paid_on.checked_sub_days(Days::new(back)).unwrap_or(paid_on);
    let end = cycle.one_cycle_after(paid_on).unwrap_or(paid_on);
    let ranges = app.store.bill_active_ranges(owner, bill.id).await?;
    // Only occurrences the tracker shows: those inside an active range.
    let active = |due: &NaiveDate| ranges.iter().any(|range| range.contains(*due));
    let states = app
        .store
        .month_states(owner, Some(&[bill.id]), start, end)
        .await?;
    let totals = app.store.payment_totals(owner, start, end).await?;
    let settles = settles_at(bill);
    let balances: Vec<OccurrenceBalance> = schedule
        .occurrences_between(start, end)
        .into_iter()
        .filter(active)
        .filter_map(|due| {
            let state = states.iter().find(|state| state.due_date == due);
            if state.is_some_and(|state| state.skipped) {
                return None;
            }
            let paid = totals
                .iter()
                .find(|total| total.bill_id == bill.id && total.cycle_due == due)
                .map_or(0, |total| total.total_minor);
            Some(OccurrenceBalance {
                due,
                expected: state.and_then(|s| s.actual_minor).unwrap_or(settles),
                paid,
            })
        })
        .collect();
    attribute_payment(&balances, paid_on, cycle).ok_or_else(|| {
        Error::invalid(
            "cycle_due",
            format!("no occurrence of this bill is due near {paid_on}; give the due date it pays"),
        )
    })
}

/// The bill's schedule; stored values that no longer parse are an internal error.
pub fn schedule_of(bill: &BillRow) -> Result<Schedule> {
    let corrupt = || Error::internal(format!("bill {} has an invalid schedule", bill.id));
    let cycle: Cycle = bill.cycle.parse().map_err(|_| corrupt())?;
    let due_day = bill
        .due_day
        .map(DueDay::new)
        .transpose()
        .map_err(|_| corrupt())?;
    Ok(Schedule::new(cycle, bill.anchor_date, due_day))
}

/// The least amount that settles one of the bill's occurrences.
fn settles_at(bill: &BillRow) -> i64 {
    let kind = bill.amount_kind.parse().unwrap_or(AmountKind::Fixed);
    let range = bill.min_minor.zip(bill.max_minor);
    ExpectedAmount::new(kind, bill.expected_minor, range)
        .map_or(bill.expected_minor, |amount| amount.settles_at())
}

/// `due` if it is a due date of the bill inside one of its active ranges (an occurrence the
/// tracker shows).
pub(crate) async fn require_occurrence(
    app: &App,
    owner: UserId,
    bill: &BillRow,
    due: NaiveDate,
) -> Result<NaiveDate> {
    let ranges = app.store.bill_active_ranges(owner, bill.id).await?;
    if schedule_of(bill)?.is_occurrence(due) && ranges.iter().any(|range| range.contains(due)) {
        Ok(due)
    } else {
        Err(Error::invalid(
            "cycle_due",
            "is not a due date of this bill while it was active",
        ))
    }
}

/// Refuses a change that would take the occurrence's total past `i64`: `adding` joins the
/// live total of `cycle_due`, from which `replaced` (the payment's old amount) leaves.
pub(crate) async fn check_cycle_room(
    app: &App,
    owner: UserId,
    bill: BillId,
    cycle_due: NaiveDate,
    adding: i64,
    replaced: i64,
) -> Result<()> {
    let totals = app
        .store
        .payment_totals(owner, cycle_due, cycle_due)
        .await?;
    let current = totals
        .iter()
        .find(|total| total.bill_id == bill)
        .map_or(0, |total| total.total_minor);
    let others = add_minor("amount", current, replaced.saturating_neg())?;
    add_minor("amount", others, adding)?;
    Ok(())
}

/// Refuses a change that would move a debt bill's balance by `delta` past `i64`.
pub(crate) fn check_debt_shift(bill: &BillRow, delta: i64) -> Result<()> {
    if let Some(balance) = bill.debt_balance_minor {
        add_minor("amount", balance, delta)?;
    }
    Ok(())
}
