//! Reading occurrences: which dates each bill falls due on inside its active ranges, and what
//! is known about each (expected amount, paid total, month state, status, bucket).
//!
//! [`occurrences`] reads the payment sums and month states of a date range (one query, the
//! [`Ledger`]) and the category names, whatever the number of bills, then computes every
//! occurrence in memory ([`occurrences_from`], also used by the bills' next due dates). [`live_bill`] and [`occurrence_on`] serve the operations on one occurrence (month
//! state, quick pay, toggle): a date that is not an occurrence of the bill inside one of its
//! active ranges is refused naming `due_date`.

use std::collections::HashMap;

use chrono::NaiveDate;
use domain::bill::AmountKind;
use domain::buckets::bucket_of;
use domain::id::{BillId, CategoryId, UserId};
use domain::matching::autopay::AutopayCheck;
use domain::money::{Currency, Money};
use domain::recurrence::{Cycle, DueDay, Schedule};
use domain::status::{OccurrenceFacts, OccurrenceStatus, occurrence_status};
use store::bill_activity::BillWithRanges;
use store::bills::BillRow;
use store::month_states::MonthStateRow;

use crate::preferences::Preferences;
use crate::{App, Error, Result};

/// One occurrence of a bill, with everything the tracker shows about it. Every amount is
/// [`Money`] in the bill's currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    pub bill_id: BillId,
    pub bill_name: String,
    /// Lower-case name, the sort key.
    pub name_key: String,
    pub category_id: Option<CategoryId>,
    pub category_name: Option<String>,
    pub cycle: Cycle,
    pub amount_kind: AmountKind,
    pub due: NaiveDate,
    /// The month state's actual amount, else the bill's expected amount.
    pub expected: Money,
    /// The sum of the live payments for this occurrence.
    pub paid: Money,
    pub status: OccurrenceStatus,
    /// The month state's actual amount, if one is set.
    pub actual: Option<Money>,
    pub note: String,
    pub skipped: bool,
    pub snoozed_until: Option<NaiveDate>,
    /// The pay-period bucket of its month that holds the due date.
    pub bucket: usize,
    /// Autopay bills on the tracker's month ([`super::show`] only; `None` elsewhere): what
    /// the bank's transactions say — verified by a bank payment, or flagged as missing.
    pub autopay_check: Option<AutopayCheck>,
}

impl Occurrence {
    /// The bill's currency, every amount's.
    pub fn currency(&self) -> Currency {
        self.expected.currency
    }

    /// What the payments lack of the expected amount, whatever the status: expected − paid,
    /// never below zero. What a payment made for it now would be.
    pub fn unpaid(&self) -> Money {
        let lacking = self
            .expected
            .minor
            .saturating_sub(self.paid.minor.max(0))
            .max(0);
        Money::new(lacking, self.currency())
    }

    /// What is still owed: nothing when settled or skipped, else [`Occurrence::unpaid`].
    pub fn remaining(&self) -> Money {
        match self.status {
            OccurrenceStatus::Paid | OccurrenceStatus::Overpaid | OccurrenceStatus::Skipped => {
                Money::zero(self.currency())
            }
            _ => self.unpaid(),
        }
    }

    /// Whether it still owes money: not skipped, not settled, and something remains. The
    /// bill's "next due" is its earliest owing occurrence; "mark earlier due dates paid" pays
    /// the owing ones.
    pub fn is_owing(&self) -> bool {
        self.status != OccurrenceStatus::Skipped && self.remaining().minor > 0
    }

    /// Whether payments settle it (paid or overpaid, or skipped with a payment).
    pub fn is_settled(&self) -> bool {
        match self.status {
            OccurrenceStatus::Paid | OccurrenceStatus::Overpaid => true,
            OccurrenceStatus::Skipped => self.paid.minor > 0,
            _ => false,
        }
    }
}

/// The parts of a bill row the tracker computes with, parsed.
struct BillFacts {
    schedule: Schedule,
    currency: Currency,
    kind: AmountKind,
    estimate: Option<(i64, i64)>,
}

fn corrupt(what: &str) -> Error {
    Error::Internal(format!("stored bill {what} is invalid"))
}

impl BillFacts {
    fn of(bill: &BillRow) -> Result<Self> {
        let cycle: Cycle = bill.cycle.parse().map_err(|_| corrupt("cycle"))?;
        let due_day = bill
            .due_day
            .map(DueDay::new)
            .transpose()
            .map_err(|_| corrupt("due day"))?;
        let kind: AmountKind = bill
            .amount_kind
            .parse()
            .map_err(|_| corrupt("amount kind"))?;
        let estimate = match (kind, bill.min_minor, bill.max_minor) {
            (AmountKind::Estimated, Some(min), Some(max)) => Some((min, max)),
            _ => None,
        };
        Ok(Self {
            schedule: Schedule::new(cycle, bill.anchor_date, due_day),
            currency: Currency::parse("currency", &bill.currency)
                .map_err(|_| corrupt("currency"))?,
            kind,
            estimate,
        })
    }
}

/// The due dates of `bill` from `first` to `last` that fall inside one of its active ranges.
pub fn due_dates(
    bill: &BillWithRanges,
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<NaiveDate>> {
    let facts = BillFacts::of(&bill.bill)?;
    Ok(facts
        .schedule
        .occurrences_between(first, last)
        .into_iter()
        .filter(|due| bill.ranges.iter().any(|range| range.contains(*due)))
        .collect())
}

/// What is recorded about the occurrences of a date range, by (bill, due date): payment sums
/// and overrides. Read with one query ([`store::Store::occurrence_ledger`]).
#[derive(Debug, Clone, Default)]
pub struct Ledger {
    paid: HashMap<(BillId, NaiveDate), i64>,
    states: HashMap<(BillId, NaiveDate), MonthStateRow>,
}

impl Ledger {
    /// The ledger of `owner`'s live bills (or of `bills` when it is one bill) from `first` to
    /// `last`.
    pub async fn load(
        app: &App,
        owner: UserId,
        bills: &[BillWithRanges],
        first: NaiveDate,
        last: NaiveDate,
    ) -> Result<Self> {
        let only = match bills {
            [one] => Some(one.bill.id),
            _ => None,
        };
        let ledger = app
            .store
            .occurrence_ledger(owner, first, last, only)
            .await?;
        Ok(Self {
            paid: ledger
                .payments
                .into_iter()
                .map(|t| ((t.bill_id, t.cycle_due), t.total_minor))
                .collect(),
            states: ledger
                .states
                .into_iter()
                .map(|s| ((s.bill_id, s.due_date), s))
                .collect(),
        })
    }
}

/// Every occurrence of `bills` due from `first` to `last`, bills in the given order and each
/// bill's occurrences by date.
pub async fn occurrences(
    app: &App,
    owner: UserId,
    prefs: &Preferences,
    today: NaiveDate,
    bills: &[BillWithRanges],
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<Occurrence>> {
    if bills.is_empty() {
        return Ok(Vec::new());
    }
    let (ledger, categories) =
        tokio::try_join!(Ledger::load(app, owner, bills, first, last), async {
            Ok(app.store.categories(owner, true).await?)
        })?;
    let names: HashMap<CategoryId, String> = categories
        .into_iter()
        .map(|c| (c.category.id, c.category.name))
        .collect();
    occurrences_from(&ledger, &names, prefs, today, bills, first, last)
}

/// [`occurrences`] from a loaded ledger (covering `first` to `last`) and category names.
pub fn occurrences_from(
    ledger: &Ledger,
    names: &HashMap<CategoryId, String>,
    prefs: &Preferences,
    today: NaiveDate,
    bills: &[BillWithRanges],
    first: NaiveDate,
    last: NaiveDate,
) -> Result<Vec<Occurrence>> {
    let (paid, states) = (&ledger.paid, &ledger.states);
    let mut out = Vec::new();
    for bill in bills {
        let facts = BillFacts::of(&bill.bill)?;
        let row = &bill.bill;
        for due in due_dates(bill, first, last)? {
            let state = states.get(&(row.id, due));
            let actual = state.and_then(|s| s.actual_minor);
            let skipped = state.is_some_and(|s| s.skipped);
            let snoozed_until = state.and_then(|s| s.snoozed_until);
            let paid = paid.get(&(row.id, due)).copied().unwrap_or(0);
            let expected = actual.unwrap_or(row.expected_minor);
            let status = occurrence_status(
                &OccurrenceFacts {
                    due,
                    expected,
                    estimate: if actual.is_some() {
                        None
                    } else {
                        facts.estimate
                    },
                    paid,
                    skipped,
                    snoozed_until,
                },
                today,
                prefs.rules,
            );
            let money = |minor| Money::new(minor, facts.currency);
            out.push(Occurrence {
                bill_id: row.id,
                bill_name: row.name.clone(),
                name_key: row.name.to_lowercase(),
                category_id: row.category_id,
                category_name: row.category_id.and_then(|c| names.get(&c).cloned()),
                cycle: facts.schedule.cycle(),
                amount_kind: facts.kind,
                due,
                expected: money(expected),
                paid: money(paid),
                status,
                actual: actual.map(money),
                note: state.map(|s| s.note.clone()).unwrap_or_default(),
                skipped,
                snoozed_until,
                bucket: bucket_of(due, &prefs.paydays).index,
                autopay_check: None,
            });
        }
    }
    Ok(out)
}

/// One of the owner's live bills with its active ranges; deleted, missing or another user's
/// is `NotFound`.
pub async fn live_bill(app: &App, owner: UserId, id: BillId) -> Result<BillWithRanges> {
    let bill = app.store.bill(owner, id).await?;
    if bill.deleted_at.is_some() {
        return Err(Error::NotFound);
    }
    let ranges = app.store.bill_active_ranges(owner, id).await?;
    Ok(BillWithRanges { bill, ranges })
}

/// The occurrence of `bill` due on `due`; a date that is not one of its occurrences (inside
/// an active range) is refused naming `due_date`.
pub async fn occurrence_on(
    app: &App,
    owner: UserId,
    prefs: &Preferences,
    today: NaiveDate,
    bill: &BillWithRanges,
    due: NaiveDate,
) -> Result<Occurrence> {
    occurrences(
        app,
        owner,
        prefs,
        today,
        std::slice::from_ref(bill),
        due,
        due,
    )
    .await?
    .pop()
    .ok_or_else(|| {
        Error::invalid(
            "due_date",
            "is not a due date of this bill while it was active",
        )
    })
}
