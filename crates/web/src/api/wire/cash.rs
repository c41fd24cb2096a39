//! The JSON of starting cash and income: one bucket as saved, a month's pay periods with the
//! recurring income, and the recurring income alone, built from the service's typed results.

use chrono::NaiveDate;
use serde::Serialize;
use service::tracker::{CashMonth, CashPeriod, RecurringIncome, SavedCash};

use super::{AmountView, maybe};

/// One bucket's starting cash and income, as saved.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CashView {
    pub year: i32,
    pub month: u32,
    pub bucket: usize,
    /// `null`: not given.
    pub starting_cash: Option<AmountView>,
    /// `null`: not given, so the recurring income applies when the period starts on a payday.
    pub income: Option<AmountView>,
}

impl From<&SavedCash> for CashView {
    fn from(c: &SavedCash) -> Self {
        Self {
            year: c.year,
            month: c.month,
            bucket: c.bucket,
            starting_cash: maybe(c.starting_cash),
            income: maybe(c.income),
        }
    }
}

/// The recurring income per payday.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecurringIncomeView {
    /// What the user is paid every payday; `null`: none.
    pub income_per_payday: Option<AmountView>,
}

impl From<&RecurringIncome> for RecurringIncomeView {
    fn from(r: &RecurringIncome) -> Self {
        Self {
            income_per_payday: maybe(r.0),
        }
    }
}

/// One pay period of a month with its cash.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PeriodCashView {
    pub bucket: usize,
    pub start: NaiveDate,
    /// The last day, inclusive.
    pub end: NaiveDate,
    /// Whether the period begins on a payday (so the recurring income applies to it).
    pub starts_on_payday: bool,
    /// As saved for this month; `null`: not given.
    pub starting_cash: Option<AmountView>,
    /// As saved for this month; `null`: not given.
    pub saved_income: Option<AmountView>,
    /// The income that counts: the saved one, else the recurring one on a payday.
    pub income: Option<AmountView>,
    /// `saved`, `recurring` or `none`.
    pub income_source: &'static str,
}

impl From<&CashPeriod> for PeriodCashView {
    fn from(p: &CashPeriod) -> Self {
        Self {
            bucket: p.bucket,
            start: p.start,
            end: p.end,
            starts_on_payday: p.starts_on_payday,
            starting_cash: maybe(p.starting_cash),
            saved_income: maybe(p.saved_income),
            income: maybe(p.income),
            income_source: p.income_source.as_str(),
        }
    }
}

/// A month's pay periods with their cash, and the recurring income.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CashMonthView {
    pub year: i32,
    pub month: u32,
    /// The user's currency: every amount's.
    pub currency: String,
    /// The user's paydays, the days of the month their pay periods start on.
    pub paydays: Vec<u32>,
    pub income_per_payday: Option<AmountView>,
    pub periods: Vec<PeriodCashView>,
}

impl From<&CashMonth> for CashMonthView {
    fn from(m: &CashMonth) -> Self {
        Self {
            year: m.year,
            month: m.month,
            currency: m.currency.code().to_owned(),
            paydays: m.paydays.clone(),
            income_per_payday: maybe(m.income_per_payday),
            periods: m.periods.iter().map(PeriodCashView::from).collect(),
        }
    }
}
