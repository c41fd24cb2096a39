//! The tracker, the home view: every occurrence of the user's bills in one month with its
//! status, grouped into pay-period buckets, with the month's totals and safe-to-spend.
//!
//! Rules:
//! - "Today" is the user's calendar date in their time zone ([`crate::preferences`]); statuses,
//!   the default month and "up to today" all use it.
//! - A bill shows in a month when one of its occurrences falls on a day inside one of its
//!   active ranges, so a bill deactivated in March still shows in February, and weekly bills
//!   show every occurrence.
//! - An occurrence's expected amount is its month state's actual amount when one is set, else
//!   the bill's; its paid total is the sum of the live payments whose `cycle_due` is its due
//!   date. Status comes from [`domain::status::occurrence_status`] and nothing else.
//! - Amounts of two currencies are never added: totals are kept per currency ([`totals`]),
//!   the user's first, so a bill in another currency is neither mixed in nor silently left
//!   out. Safe-to-spend counts only bills in the user's currency (its cash is in it).
//! - Every sum is checked; an overflow is a 422 naming the total, never a wrapped number.
//! - A month is read with a fixed number of queries, each limited to that month's dates, so
//!   the work is proportional to one month, not to the user's history.
//!
//! Submodules: [`query`] (the month, sort order and URL parameters), [`month`] (reading a
//! month's occurrences), [`summary`] (buckets, totals, safe-to-spend, sort orders), [`totals`]
//! (sums per currency), [`next_due`] (a bill's earliest owing occurrence), [`pay`]
//! (quick pay, toggle paid, pay all with undo), [`settings`] (the user's tracking settings).

pub mod history;
pub mod month;
pub mod next_due;
pub mod pay;
pub mod query;
pub mod settings;
pub mod summary;
pub mod totals;

use chrono::Datelike;
use domain::Invalid;
use domain::money::{Currency, format_minor};
use serde::Serialize;

use crate::auth::Principal;
use crate::preferences::{self, data_owner};
use crate::{App, Result};

pub use history::{HistoryView, pay_history, unpaid_history};
pub use query::{SortDir, SortKey, TrackerQuery, YearMonth};
pub use summary::{BucketView, SummaryView, TrackerView};
pub use totals::CurrencyTotalsView;

/// An amount as the API shows it: decimal text, minor units and the currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AmountView {
    /// Decimal text such as `"12.34"`.
    pub amount: String,
    /// The same amount in minor units (cents for USD).
    pub amount_minor: i64,
    /// ISO 4217 code.
    pub currency: String,
}

impl AmountView {
    pub fn new(minor: i64, currency: Currency) -> Self {
        Self {
            amount: format_minor(minor, currency),
            amount_minor: minor,
            currency: currency.code().to_owned(),
        }
    }
}

/// The month view for the caller: their bills' occurrences, buckets and totals.
pub async fn show(app: &App, principal: &Principal, query: TrackerQuery) -> Result<TrackerView> {
    let owner = data_owner(principal)?;
    let prefs = preferences::load(app, owner).await?;
    let today = prefs.today(app.now());
    let ym = YearMonth::new(
        i64::from(query.year.unwrap_or(today.year())),
        i64::from(query.month.unwrap_or(today.month())),
    )?;
    let (first, last) = ym.bounds()?;
    let bills = app.store.bills_active_between(owner, first, last).await?;
    let (occurrences, cash) = tokio::try_join!(
        month::occurrences(app, owner, &prefs, today, &bills, first, last),
        async { Ok(app.store.month_cash(owner, &ym.key()).await?) },
    )?;
    summary::present(ym, today, &prefs, occurrences, &cash, query.sort, query.dir)
}

/// One bucket's starting cash and income, as saved.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CashView {
    pub year: i32,
    pub month: u32,
    pub bucket: usize,
    pub starting_cash: AmountView,
    pub income: AmountView,
}

/// What to save for one bucket; amounts are parsed in the user's currency.
#[derive(Debug, Clone)]
pub struct CashInput {
    pub month: YearMonth,
    pub bucket: i64,
    pub starting_cash: String,
    pub income: String,
}

/// Saves a bucket's starting cash (may be negative: overdrawn) and income (not negative).
pub async fn set_cash(app: &App, principal: &Principal, input: CashInput) -> Result<CashView> {
    let owner = data_owner(principal)?;
    let prefs = preferences::load(app, owner).await?;
    let ym = input.month;
    let count = domain::buckets::buckets(ym.year(), ym.month(), &prefs.paydays).len();
    let bucket = usize::try_from(input.bucket)
        .ok()
        .filter(|b| *b < count)
        .ok_or_else(|| {
            Invalid::new(
                "bucket",
                format!(
                    "must be a bucket of this month, from 0 to {}",
                    count.saturating_sub(1)
                ),
            )
        })?;
    let currency = prefs.currency;
    let starting = domain::money::parse_amount("starting_cash", &input.starting_cash, currency)?;
    let income = domain::money::parse_amount("income", &input.income, currency)?;
    if income < 0 {
        return Err(crate::Error::invalid("income", "must not be negative"));
    }
    let row = app
        .store
        .upsert_month_cash(owner, &ym.key(), input.bucket, starting, income, app.now())
        .await?;
    Ok(CashView {
        year: ym.year(),
        month: ym.month(),
        bucket,
        starting_cash: AmountView::new(row.starting_minor, currency),
        income: AmountView::new(row.income_minor, currency),
    })
}
