//! Starting cash and income, the inputs of safe-to-spend: one bucket of a month (the API's
//! `PUT /api/tracker/cash`), a whole month with the recurring income (the cash page), and the
//! recurring income alone.
//!
//! Rules (the period rules themselves are [`domain::cash`]'s):
//! - Amounts are parsed in the user's currency and stored in minor units. Starting cash may be
//!   negative (overdrawn); a month's income must not be; the recurring income per payday must
//!   be greater than zero (no recurring income is "none", not zero).
//! - A blank amount is "not given": a blank income lets the recurring income apply, a blank
//!   starting cash is no starting cash. A bucket with neither has no stored row.
//! - A month is saved whole, in one transaction with the recurring income, and only when it
//!   lists every pay period the user's paydays make of it (so a form loaded before the paydays
//!   changed is refused instead of filling the wrong periods).
//! - A refused amount names its field: `starting_cash` / `income` for one bucket,
//!   `starting_cash_{n}` / `income_{n}` for period `n` of a month, `income_per_payday`.

use chrono::{Datelike, NaiveDate};
use domain::Invalid;
use domain::buckets::{Bucket, Paydays, buckets};
use domain::cash::{IncomeSource, PeriodCash, starts_on_payday};
use domain::money::{Currency, Money, parse_amount};
use store::month_cash::{BucketCash, MonthCashRow};

use super::YearMonth;
use crate::auth::Principal;
use crate::preferences::{self, data_owner};
use crate::{App, Error, Result};

/// One bucket's starting cash and income, as saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SavedCash {
    pub year: i32,
    pub month: u32,
    pub bucket: usize,
    /// `None`: not given.
    pub starting_cash: Option<Money>,
    /// `None`: not given, so the recurring income applies when the period starts on a payday.
    pub income: Option<Money>,
}

/// What to save for one bucket; amounts are parsed in the user's currency, `None` or blank is
/// "not given".
#[derive(Debug, Clone)]
pub struct CashInput {
    pub month: YearMonth,
    pub bucket: i64,
    pub starting_cash: Option<String>,
    pub income: Option<String>,
}

/// The recurring income per payday: what the user is paid every payday; `None`: none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecurringIncome(pub Option<Money>);

/// One pay period of a month with its cash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CashPeriod {
    pub bucket: usize,
    pub start: NaiveDate,
    /// The last day, inclusive.
    pub end: NaiveDate,
    /// Whether the period begins on a payday (so the recurring income applies to it).
    pub starts_on_payday: bool,
    /// As saved for this month; `None`: not given.
    pub starting_cash: Option<Money>,
    /// As saved for this month; `None`: not given.
    pub saved_income: Option<Money>,
    /// The income that counts: the saved one, else the recurring one on a payday.
    pub income: Option<Money>,
    pub income_source: IncomeSource,
}

/// A month's pay periods with their cash, and the recurring income.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CashMonth {
    pub year: i32,
    pub month: u32,
    /// The user's currency: every amount's.
    pub currency: Currency,
    /// The user's paydays, the days of the month their pay periods start on.
    pub paydays: Vec<u32>,
    pub income_per_payday: Option<Money>,
    pub periods: Vec<CashPeriod>,
}

/// What the cash page saves: the recurring income and each period's amounts, as typed.
#[derive(Debug, Clone)]
pub struct CashMonthInput {
    pub month: YearMonth,
    pub income_per_payday: Option<String>,
    /// `(starting cash, income)` of every period of the month, in order.
    pub periods: Vec<(Option<String>, Option<String>)>,
}

/// Each bucket's cash after the rules of [`domain::cash`], in the order of `all`.
pub fn resolve(
    all: &[Bucket],
    paydays: &Paydays,
    rows: &[MonthCashRow],
    per_payday: Option<i64>,
) -> Vec<PeriodCash> {
    all.iter()
        .map(|bucket| {
            let saved = rows
                .iter()
                .find(|row| usize::try_from(row.bucket).ok() == Some(bucket.index));
            PeriodCash::resolve(
                bucket,
                paydays,
                saved.and_then(|row| row.starting_minor),
                saved.and_then(|row| row.income_minor),
                per_payday,
            )
        })
        .collect()
}

/// A typed amount, blank or absent being "not given".
fn optional(field: &str, raw: Option<&str>, currency: Currency) -> Result<Option<i64>, Invalid> {
    match raw.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => parse_amount(field, text, currency).map(Some),
    }
}

fn income(field: &str, raw: Option<&str>, currency: Currency) -> Result<Option<i64>, Invalid> {
    let minor = optional(field, raw, currency)?;
    if minor.is_some_and(|m| m < 0) {
        return Err(Invalid::new(field, "must not be negative"));
    }
    Ok(minor)
}

fn per_payday(raw: Option<&str>, currency: Currency) -> Result<Option<i64>, Invalid> {
    let minor = optional("income_per_payday", raw, currency)?;
    if minor.is_some_and(|m| m <= 0) {
        return Err(Invalid::new(
            "income_per_payday",
            "must be greater than zero; leave it blank for none",
        ));
    }
    Ok(minor)
}

/// Saves a bucket's starting cash (may be negative: overdrawn) and income (not negative).
pub async fn set_cash(app: &App, principal: &Principal, input: CashInput) -> Result<SavedCash> {
    let owner = data_owner(principal)?;
    let prefs = preferences::load(app, owner).await?;
    let ym = input.month;
    let count = buckets(ym.year(), ym.month(), &prefs.paydays).len();
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
    let cash = BucketCash {
        bucket: input.bucket,
        starting_minor: optional("starting_cash", input.starting_cash.as_deref(), currency)?,
        income_minor: income("income", input.income.as_deref(), currency)?,
    };
    app.store
        .save_month_cash(owner, &ym.key(), &[cash], None, app.now())
        .await?;
    let money = |minor: Option<i64>| minor.map(|m| Money::new(m, currency));
    Ok(SavedCash {
        year: ym.year(),
        month: ym.month(),
        bucket,
        starting_cash: money(cash.starting_minor),
        income: money(cash.income_minor),
    })
}

/// The pay periods of `year`-`month` (default: the user's current month) with their cash, and
/// the recurring income.
pub async fn month(
    app: &App,
    principal: &Principal,
    year: Option<i32>,
    month: Option<u32>,
) -> Result<CashMonth> {
    let owner = data_owner(principal)?;
    let prefs = preferences::load(app, owner).await?;
    let today = prefs.today(app.now());
    let ym = YearMonth::new(
        i64::from(year.unwrap_or(today.year())),
        i64::from(month.unwrap_or(today.month())),
    )?;
    let key = ym.key();
    let (rows, recurring) = tokio::try_join!(
        app.store.month_cash(owner, &key),
        app.store.recurring_income(owner),
    )?;
    let currency = prefs.currency;
    let money = |minor: Option<i64>| minor.map(|m| Money::new(m, currency));
    let all = buckets(ym.year(), ym.month(), &prefs.paydays);
    let resolved = resolve(&all, &prefs.paydays, &rows, recurring);
    let periods = all
        .iter()
        .zip(resolved)
        .map(|(bucket, cash)| {
            let saved = rows
                .iter()
                .find(|row| usize::try_from(row.bucket).ok() == Some(bucket.index));
            CashPeriod {
                bucket: bucket.index,
                start: bucket.start,
                end: bucket.end,
                starts_on_payday: starts_on_payday(bucket, &prefs.paydays),
                starting_cash: money(cash.starting),
                saved_income: money(saved.and_then(|row| row.income_minor)),
                income: money(cash.income),
                income_source: cash.income_source,
            }
        })
        .collect();
    Ok(CashMonth {
        year: ym.year(),
        month: ym.month(),
        currency,
        paydays: prefs.paydays.days().to_vec(),
        income_per_payday: money(recurring),
        periods,
    })
}

/// Saves the month's periods and the recurring income together (see the module rules).
pub async fn save_month(app: &App, principal: &Principal, input: CashMonthInput) -> Result<()> {
    let owner = data_owner(principal)?;
    let prefs = preferences::load(app, owner).await?;
    let ym = input.month;
    let count = buckets(ym.year(), ym.month(), &prefs.paydays).len();
    if input.periods.len() != count {
        return Err(Error::invalid(
            "periods",
            format!(
                "do not match the {count} pay periods of this month: your paydays changed since the form was loaded; check the periods and save again"
            ),
        ));
    }
    let currency = prefs.currency;
    let recurring = per_payday(input.income_per_payday.as_deref(), currency)?;
    let mut month = Vec::with_capacity(count);
    for (index, (starting, earned)) in input.periods.iter().enumerate() {
        month.push(BucketCash {
            bucket: i64::try_from(index).map_err(Error::internal)?,
            starting_minor: optional(
                &format!("starting_cash_{index}"),
                starting.as_deref(),
                currency,
            )?,
            income_minor: income(&format!("income_{index}"), earned.as_deref(), currency)?,
        });
    }
    app.store
        .save_month_cash(owner, &ym.key(), &month, Some(recurring), app.now())
        .await?;
    Ok(())
}

/// The recurring income per payday.
pub async fn recurring_income(app: &App, principal: &Principal) -> Result<RecurringIncome> {
    let owner = data_owner(principal)?;
    let prefs = preferences::load(app, owner).await?;
    let minor = app.store.recurring_income(owner).await?;
    Ok(RecurringIncome(
        minor.map(|m| Money::new(m, prefs.currency)),
    ))
}

/// Sets the recurring income per payday (`None` or blank: none).
pub async fn set_recurring_income(
    app: &App,
    principal: &Principal,
    raw: Option<&str>,
) -> Result<RecurringIncome> {
    let owner = data_owner(principal)?;
    let prefs = preferences::load(app, owner).await?;
    let minor = per_payday(raw, prefs.currency)?;
    app.store
        .set_recurring_income(owner, minor, app.now())
        .await?;
    Ok(RecurringIncome(
        minor.map(|m| Money::new(m, prefs.currency)),
    ))
}
