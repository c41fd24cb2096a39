//! Presenting a month: occurrences grouped into the user's pay-period buckets and sorted, the
//! totals per bucket and for the month, and safe-to-spend.
//!
//! - Totals are per currency ([`super::totals`]): `by_currency` lists each currency's, and the
//!   plain `expected` / `paid` / `remaining` fields stay the user's currency's (what API clients
//!   read before `by_currency` existed).
//! - The results are typed ([`TrackerMonth`], [`MonthBucket`], [`MonthSummary`]: amounts are
//!   [`Money`], occurrences [`Occurrence`]); the API's JSON of them is `web::api::wire`'s.
//! - Safe-to-spend is the current bucket's starting cash + income − what is still owed on the
//!   month's occurrences due before the next payday (the day after the bucket ends). The
//!   current bucket is the one holding today; for a month in the future it is the first, for
//!   one in the past the last. Its cash and income follow [`domain::cash`] (recurring income
//!   on paydays unless the month says otherwise); with neither it is `None`: unknown. Cash is
//!   in the user's currency, so only bills in it are subtracted; the others are in
//!   `by_currency` and the page says they are left out.
//! - Every sum is checked: an overflow is an [`Invalid`] naming the total.

use std::cmp::Ordering;

use chrono::NaiveDate;
use domain::Invalid;
use domain::buckets::{Bucket, buckets};
use domain::cash::PeriodCash;
use domain::money::{Currency, Money, TOO_LARGE};
use domain::status::{OccurrenceStatus, pin_due_rank};

use super::month::Occurrence;
use super::totals::{CurrencyTotals, Running};
use super::{SortDir, SortKey, YearMonth};
use crate::Result;
use crate::preferences::Preferences;

/// The tracker's month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrackerMonth {
    pub year: i32,
    pub month: u32,
    /// The user's today in their time zone.
    pub today: NaiveDate,
    /// The user's currency: the currency of the plain totals and of safe-to-spend.
    pub currency: Currency,
    pub sort: SortKey,
    pub dir: SortDir,
    pub buckets: Vec<MonthBucket>,
    pub summary: MonthSummary,
    /// The bank status bar: set for the current month when the user has monitored synced
    /// accounts in their currency ([`super::bank`]).
    pub bank: Option<super::bank::BankStatus>,
}

/// One pay period of the month and its occurrences.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthBucket {
    pub index: usize,
    pub start: NaiveDate,
    /// The last day, inclusive.
    pub end: NaiveDate,
    /// As saved for this month; `None`: not given.
    pub starting_cash: Option<Money>,
    /// The income that counts (saved for this month, else the recurring one on a payday).
    pub income: Option<Money>,
    /// Expected, paid and remaining in the user's currency only.
    pub expected: Money,
    pub paid: Money,
    pub remaining: Money,
    /// The bucket's totals in each currency it holds, the user's first.
    pub by_currency: Vec<CurrencyTotals>,
    /// How many occurrences "pay all due" would pay now (owing and due by today): the page
    /// offers the action only when there are some.
    pub pay_all_count: usize,
    pub occurrences: Vec<Occurrence>,
}

/// The month's totals.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthSummary {
    /// Expected, paid, remaining and settled difference in the user's currency only; the
    /// month's bills in other currencies are totalled in `by_currency`.
    pub expected: Money,
    pub paid: Money,
    pub remaining: Money,
    /// Expected − paid − remaining: positive when payments settled occurrences for less than
    /// expected (an estimate paid within its range), negative when they paid more. Zero when
    /// the three add up by themselves.
    pub settled_difference: Money,
    /// The month's totals in each currency it holds, the user's first (empty for a month
    /// without bills). More than one entry: the month mixes currencies, which are never added.
    pub by_currency: Vec<CurrencyTotals>,
    /// Occurrences that are late or missed.
    pub overdue_count: usize,
    /// Starting cash + income of the current bucket − unpaid bills due before the next payday;
    /// `None` when that bucket has neither starting cash nor income (nothing to compute from).
    pub safe_to_spend: Option<Money>,
    /// The bucket safe-to-spend is computed for.
    pub safe_to_spend_bucket: usize,
    /// That bucket's last day: bills still owed that are due by it are subtracted.
    pub safe_to_spend_due_by: NaiveDate,
    /// What is still owed, in the user's currency, on the month's bills due by that day (the
    /// bills still to pay before the next payday).
    pub due_before_payday: Money,
}

/// The bucket safe-to-spend is computed for: the one holding today, else the first (future
/// month) or the last (past month).
fn current_bucket(all: &[Bucket], today: NaiveDate) -> Option<&Bucket> {
    all.iter().find(|b| b.contains(today)).or_else(|| {
        if all.first().is_some_and(|b| today < b.start) {
            all.first()
        } else {
            all.last()
        }
    })
}

/// The full status order of the `status` sort.
fn status_rank(status: OccurrenceStatus) -> u8 {
    match status {
        OccurrenceStatus::Missed => 0,
        OccurrenceStatus::Late => 1,
        OccurrenceStatus::DueSoon => 2,
        OccurrenceStatus::Upcoming => 3,
        OccurrenceStatus::Partial => 4,
        OccurrenceStatus::Paid => 5,
        OccurrenceStatus::Overpaid => 6,
        OccurrenceStatus::Skipped => 7,
    }
}

/// The order of `sort`: its key, then due date, name and bill id, so it is total.
pub fn compare(a: &Occurrence, b: &Occurrence, sort: SortKey) -> Ordering {
    let first = match sort {
        SortKey::Due => Ordering::Equal,
        SortKey::Name => a.name_key.cmp(&b.name_key),
        SortKey::Amount => a.expected.minor.cmp(&b.expected.minor),
        SortKey::Status => status_rank(a.status).cmp(&status_rank(b.status)),
        SortKey::PinDue => pin_due_rank(a.status).cmp(&pin_due_rank(b.status)),
    };
    first
        .then(a.due.cmp(&b.due))
        .then_with(|| a.name_key.cmp(&b.name_key))
        .then(a.bill_id.cmp(&b.bill_id))
}

/// Groups, sorts and adds up a month's occurrences.
pub fn present(
    ym: YearMonth,
    today: NaiveDate,
    prefs: &Preferences,
    mut occurrences: Vec<Occurrence>,
    cash: &[PeriodCash],
    sort: SortKey,
    dir: SortDir,
) -> Result<TrackerMonth> {
    let currency = prefs.currency;
    occurrences.sort_by(|a, b| match dir {
        SortDir::Asc => compare(a, b, sort),
        SortDir::Desc => compare(b, a, sort),
    });
    let all = buckets(ym.year(), ym.month(), &prefs.paydays);
    let counted = |o: &&Occurrence| o.currency() == currency;
    let cash_of = |index: usize| cash.get(index).copied();
    let money = |minor| Money::new(minor, currency);
    let mut month = Running::new(currency);
    let mut views = Vec::with_capacity(all.len());
    for bucket in &all {
        let mut totals = Running::new(currency);
        let mut listed = Vec::new();
        let mut pay_all_count = 0;
        for o in occurrences.iter().filter(|o| o.bucket == bucket.index) {
            if super::pay::pay_all_pays(o, today) {
                pay_all_count += 1;
            }
            totals.add(o)?;
            month.add(o)?;
            listed.push(o.clone());
        }
        let period = cash_of(bucket.index);
        let home = totals.home()?;
        views.push(MonthBucket {
            index: bucket.index,
            start: bucket.start,
            end: bucket.end,
            starting_cash: period.and_then(|c| c.starting).map(money),
            income: period.and_then(|c| c.income).map(money),
            expected: home.expected,
            paid: home.paid,
            remaining: home.remaining,
            by_currency: totals.by_currency()?,
            pay_all_count,
            occurrences: listed,
        });
    }
    let current = current_bucket(&all, today)
        .copied()
        .ok_or_else(|| Invalid::new("month", "has no days"))?;
    let unpaid = domain::money::sum_minor(
        "safe_to_spend",
        occurrences
            .iter()
            .filter(counted)
            .filter(|o| o.due <= current.end)
            .map(|o| o.remaining().minor),
    )
    .map_err(|_| Invalid::new("safe_to_spend", TOO_LARGE))?;
    let safe = match cash_of(current.index) {
        Some(period) => period.safe_to_spend(unpaid)?,
        None => None,
    };
    let home = month.home()?;
    Ok(TrackerMonth {
        year: ym.year(),
        month: ym.month(),
        today,
        currency,
        sort,
        dir,
        buckets: views,
        summary: MonthSummary {
            expected: home.expected,
            paid: home.paid,
            remaining: home.remaining,
            settled_difference: home.settled_difference,
            by_currency: month.by_currency()?,
            overdue_count: occurrences.iter().filter(|o| o.status.is_overdue()).count(),
            safe_to_spend: safe.map(money),
            safe_to_spend_bucket: current.index,
            safe_to_spend_due_by: current.end,
            due_before_payday: money(unpaid),
        },
        bank: None,
    })
}
