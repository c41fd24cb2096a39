//! The tracker's JSON: the month, occurrences, totals, quick pay, pay all and undo, and a
//! bill's earlier occurrences, each built from the service's typed result (`From<&…>`); the
//! cash and settings answers are [`super::cash`]'s and [`super::settings`]'s. Names, field order, formats and nulls are the
//! API's contract: what the service computes (remaining, totals) is read, never re-derived.

use chrono::NaiveDate;
use serde::Serialize;
use service::tracker::bank::BankStatus;
use service::tracker::{
    CurrencyTotals, MonthBucket, MonthSummary, Occurrence, PaidAll, QuickPay, TrackerMonth, Undone,
    UnpaidHistory,
};

use super::{AmountView, maybe};

/// One occurrence as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OccurrenceView {
    pub bill_id: String,
    pub bill_name: String,
    pub category_id: Option<String>,
    pub category_name: Option<String>,
    /// `weekly`, `biweekly`, `monthly`, `quarterly`, `semiannual` or `annual`.
    pub cycle: &'static str,
    /// `fixed` or `estimated`.
    pub amount_kind: &'static str,
    pub due_date: NaiveDate,
    /// The index of the pay-period bucket holding the due date.
    pub bucket: usize,
    /// The month's actual amount when set, else the bill's expected amount.
    pub expected: AmountView,
    /// The sum of the live payments for this occurrence.
    pub paid: AmountView,
    /// Still owed (zero when paid, overpaid or skipped).
    pub remaining: AmountView,
    /// `paid`, `partial`, `overpaid`, `due_soon`, `late`, `missed`, `skipped` or `upcoming`.
    pub status: &'static str,
    /// The month state's actual amount, if one is set.
    pub actual_amount: Option<AmountView>,
    pub note: String,
    pub skipped: bool,
    pub snoozed_until: Option<NaiveDate>,
    /// An autopay bill's check against the bank: `verified` (a bank payment settles it) or
    /// `flagged` (past due and grace with no bank payment, while the bank's transactions
    /// cover that day); `null` otherwise.
    pub autopay_check: Option<&'static str>,
}

impl From<&Occurrence> for OccurrenceView {
    fn from(o: &Occurrence) -> Self {
        Self {
            bill_id: o.bill_id.to_string(),
            bill_name: o.bill_name.clone(),
            category_id: o.category_id.map(|c| c.to_string()),
            category_name: o.category_name.clone(),
            cycle: o.cycle.as_str(),
            amount_kind: o.amount_kind.as_str(),
            due_date: o.due,
            bucket: o.bucket,
            expected: o.expected.into(),
            paid: o.paid.into(),
            remaining: o.remaining().into(),
            status: o.status.as_str(),
            actual_amount: maybe(o.actual),
            note: o.note.clone(),
            skipped: o.skipped,
            snoozed_until: o.snoozed_until,
            autopay_check: o.autopay_check.map(|c| c.as_str()),
        }
    }
}

/// The tracker's month.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TrackerView {
    pub year: i32,
    pub month: u32,
    /// The user's today in their time zone.
    pub today: NaiveDate,
    /// The user's currency: the currency of the plain totals and of safe-to-spend.
    pub currency: String,
    pub sort: &'static str,
    pub dir: &'static str,
    pub buckets: Vec<BucketView>,
    pub summary: SummaryView,
    /// The bank status bar (current month, with monitored synced accounts in the user's
    /// currency); `null` otherwise.
    pub bank: Option<BankStatusView>,
}

/// The live balance of the monitored bank accounts, what is still to pay before the next
/// payday, and the balance projected after it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct BankStatusView {
    pub balance: AmountView,
    /// How many accounts the balance adds up.
    pub accounts: usize,
    /// The oldest balance date among them.
    pub as_of: Option<chrono::DateTime<chrono::Utc>>,
    /// The balance is more than 48 hours old.
    pub stale: bool,
    pub to_pay: AmountView,
    pub due_by: NaiveDate,
    pub projected: AmountView,
}

impl From<&BankStatus> for BankStatusView {
    fn from(b: &BankStatus) -> Self {
        Self {
            balance: b.balance.into(),
            accounts: b.accounts,
            as_of: b.as_of,
            stale: b.stale,
            to_pay: b.to_pay.into(),
            due_by: b.due_by,
            projected: b.projected.into(),
        }
    }
}

impl From<&TrackerMonth> for TrackerView {
    fn from(t: &TrackerMonth) -> Self {
        Self {
            year: t.year,
            month: t.month,
            today: t.today,
            currency: t.currency.code().to_owned(),
            sort: t.sort.as_str(),
            dir: t.dir.as_str(),
            buckets: t.buckets.iter().map(BucketView::from).collect(),
            summary: SummaryView::from(&t.summary),
            bank: t.bank.as_ref().map(BankStatusView::from),
        }
    }
}

/// One pay period of the month and its occurrences.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BucketView {
    pub index: usize,
    pub start: NaiveDate,
    /// The last day, inclusive.
    pub end: NaiveDate,
    /// As saved for this month; `null`: not given.
    pub starting_cash: Option<AmountView>,
    /// The income that counts (saved for this month, else the recurring one on a payday).
    pub income: Option<AmountView>,
    /// Expected, paid and remaining in the user's currency only.
    pub expected: AmountView,
    pub paid: AmountView,
    pub remaining: AmountView,
    /// The bucket's totals in each currency it holds, the user's first.
    pub by_currency: Vec<CurrencyTotalsView>,
    /// How many occurrences "pay all due" would pay now (owing and due by today): the page
    /// offers the action only when there are some.
    pub pay_all_count: usize,
    pub occurrences: Vec<OccurrenceView>,
}

impl From<&MonthBucket> for BucketView {
    fn from(b: &MonthBucket) -> Self {
        Self {
            index: b.index,
            start: b.start,
            end: b.end,
            starting_cash: maybe(b.starting_cash),
            income: maybe(b.income),
            expected: b.expected.into(),
            paid: b.paid.into(),
            remaining: b.remaining.into(),
            by_currency: b.by_currency.iter().map(CurrencyTotalsView::from).collect(),
            pay_all_count: b.pay_all_count,
            occurrences: b.occurrences.iter().map(OccurrenceView::from).collect(),
        }
    }
}

/// The month's totals.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SummaryView {
    /// Expected, paid, remaining and settled difference in the user's currency only; the
    /// month's bills in other currencies are totalled in `by_currency`.
    pub expected: AmountView,
    pub paid: AmountView,
    pub remaining: AmountView,
    /// Expected − paid − remaining: positive when payments settled occurrences for less than
    /// expected (an estimate paid within its range), negative when they paid more. Zero when
    /// the three add up by themselves.
    pub settled_difference: AmountView,
    /// The month's totals in each currency it holds, the user's first (empty for a month
    /// without bills). More than one entry: the month mixes currencies, which are never added.
    pub by_currency: Vec<CurrencyTotalsView>,
    /// Occurrences that are late or missed.
    pub overdue_count: usize,
    /// Starting cash + income of the current bucket − unpaid bills due before the next payday;
    /// `null` when that bucket has neither starting cash nor income (nothing to compute from).
    pub safe_to_spend: Option<AmountView>,
    /// The bucket safe-to-spend is computed for.
    pub safe_to_spend_bucket: usize,
    /// That bucket's last day: bills still owed that are due by it are subtracted.
    pub safe_to_spend_due_by: NaiveDate,
    /// Still owed on the month's bills due by that day, in the user's currency.
    pub due_before_payday: AmountView,
}

impl From<&MonthSummary> for SummaryView {
    fn from(s: &MonthSummary) -> Self {
        Self {
            expected: s.expected.into(),
            paid: s.paid.into(),
            remaining: s.remaining.into(),
            settled_difference: s.settled_difference.into(),
            by_currency: s.by_currency.iter().map(CurrencyTotalsView::from).collect(),
            overdue_count: s.overdue_count,
            safe_to_spend: maybe(s.safe_to_spend),
            safe_to_spend_bucket: s.safe_to_spend_bucket,
            safe_to_spend_due_by: s.safe_to_spend_due_by,
            due_before_payday: s.due_before_payday.into(),
        }
    }
}

/// One currency's totals of a month or a bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CurrencyTotalsView {
    /// ISO 4217 code of every amount here.
    pub currency: String,
    pub expected: AmountView,
    pub paid: AmountView,
    pub remaining: AmountView,
    /// Expected − paid − remaining in this currency (see `SummaryView::settled_difference`).
    pub settled_difference: AmountView,
}

impl From<&CurrencyTotals> for CurrencyTotalsView {
    fn from(t: &CurrencyTotals) -> Self {
        Self {
            currency: t.currency.code().to_owned(),
            expected: t.expected.into(),
            paid: t.paid.into(),
            remaining: t.remaining.into(),
            settled_difference: t.settled_difference.into(),
        }
    }
}

/// A payment made by quick pay, and the occurrence it paid.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct QuickPayView {
    pub payment_id: String,
    pub amount: AmountView,
    pub paid_on: NaiveDate,
    pub occurrence: OccurrenceView,
}

impl From<&QuickPay> for QuickPayView {
    fn from(q: &QuickPay) -> Self {
        Self {
            payment_id: q.payment_id.to_string(),
            amount: q.amount.into(),
            paid_on: q.paid_on,
            occurrence: OccurrenceView::from(&q.occurrence),
        }
    }
}

/// What pay-all did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PayAllView {
    pub paid_count: usize,
    /// Undoes exactly these payments (`POST /api/tracker/undo`); `null` when nothing was paid.
    pub undo_token: Option<String>,
}

impl From<&PaidAll> for PayAllView {
    fn from(p: &PaidAll) -> Self {
        Self {
            paid_count: p.paid_count,
            undo_token: p.undo_token.clone(),
        }
    }
}

/// What undo did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UndoView {
    pub undone_count: u64,
}

impl From<&Undone> for UndoView {
    fn from(u: &Undone) -> Self {
        Self {
            undone_count: u.undone_count,
        }
    }
}

/// The earlier occurrences of a bill still owing.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct HistoryView {
    /// How many occurrences before this month are still owing.
    pub unpaid_count: usize,
    /// The earliest of them, if any.
    pub unpaid_from: Option<NaiveDate>,
}

impl From<&UnpaidHistory> for HistoryView {
    fn from(h: &UnpaidHistory) -> Self {
        Self {
            unpaid_count: h.unpaid_count,
            unpaid_from: h.unpaid_from,
        }
    }
}
