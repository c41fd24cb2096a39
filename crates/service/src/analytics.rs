//! Analytics: one calendar year of the user's money, for the charts of the analytics page —
//! what was paid per month (bill payments plus expenses), what the bills expected against
//! what was paid for them, where it went by category, and what was paid on each day.
//!
//! Rules:
//! - The default year is the one holding the user's today (their time zone).
//! - Spending sums come from the store already grouped per day and per category over the
//!   year's dates ([`store::analytics`]); nothing here reads individual payments or expenses,
//!   so the work is proportional to one year, not to the history.
//! - Expected vs paid reuses the tracker's occurrences ([`crate::tracker::month::occurrences`])
//!   over the whole year: the expected amount of every occurrence due in a month (skipped ones
//!   excluded) against the payments made for those occurrences — the tracker's own "Expected"
//!   and "Paid" for that month. Monthly totals instead date payments by when they were paid.
//! - Charts use one currency, the user's (preferences); amounts of two currencies are never
//!   added. Spending in other currencies is reported as totals per currency.
//! - Sums are exact (`i128` from the store, checked `i64` here): a total beyond `i64` is an
//!   [`Invalid`] "amount is too large" naming `year`, never a wrapped number or a 500.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use domain::Invalid;
use domain::category::Color;
use domain::id::CategoryId;
use domain::money::{Currency, TOO_LARGE, add_minor, sum_minor};
use store::analytics::SpendSource;

use crate::auth::Principal;
use crate::preferences::{self, data_owner};
use crate::tracker::month::{self, Occurrence};
use crate::tracker::query::check_year;
use crate::{App, Error, Result};

/// What the analytics page was asked for; `None` means the user's current year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct AnalyticsQuery {
    pub year: Option<i32>,
}

impl AnalyticsQuery {
    /// Parses the URL's query pairs (only `year`, once, 1–9999). Anything else is an
    /// [`Invalid`] naming the parameter.
    pub fn parse(pairs: &[(String, String)]) -> Result<Self, Invalid> {
        let mut query = Self::default();
        for (name, value) in pairs {
            if name != "year" {
                let shown: String = name.chars().take(40).collect();
                return Err(Invalid::new(
                    shown,
                    "is not a parameter of analytics (year)",
                ));
            }
            if query.year.is_some() {
                return Err(Invalid::new("year", "must be given once"));
            }
            let number = value
                .trim()
                .parse::<i64>()
                .map_err(|_| Invalid::new("year", "must be a year written in digits"))?;
            query.year = Some(check_year(number)?);
        }
        Ok(query)
    }
}

/// One month's figures in the charted currency (minor units).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MonthFigures {
    /// 1–12.
    pub month: u32,
    /// Bill payments made (dated) in the month.
    pub bills: i64,
    /// Expenses of the month.
    pub expenses: i64,
    /// `bills + expenses`.
    pub total: i64,
    /// What the bills due in the month expected (skipped occurrences excluded).
    pub expected: i64,
    /// What was paid for the bills due in the month, whenever it was paid.
    pub paid_for_due: i64,
}

/// Spending in one category over the year, in the charted currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryFigures {
    /// `None`: uncategorised.
    pub name: Option<String>,
    /// The category's colour (`None`: uncategorised), for its bar.
    pub color: Option<Color>,
    pub bills: i64,
    pub expenses: i64,
    pub total: i64,
}

/// Spending in one currency over the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CurrencyFigures {
    pub currency: Currency,
    pub bills: i64,
    pub expenses: i64,
    pub total: i64,
}

/// One year of the user's money.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearAnalytics {
    pub year: i32,
    /// The user's today in their time zone.
    pub today: NaiveDate,
    /// 1 = Monday … 7 = Sunday: the heatmap's first row.
    pub week_start: u8,
    /// The charted currency's year totals (the user's currency).
    pub totals: CurrencyFigures,
    /// January to December.
    pub months: Vec<MonthFigures>,
    /// The year's [`MonthFigures::expected`] and [`MonthFigures::paid_for_due`] added up.
    pub expected_total: i64,
    pub paid_for_due_total: i64,
    /// The days with spending in the charted currency (bills + expenses), by date.
    pub days: Vec<(NaiveDate, i64)>,
    /// Largest total first, then by name.
    pub categories: Vec<CategoryFigures>,
    /// Year totals in every other currency with spending, by code.
    pub other_currencies: Vec<CurrencyFigures>,
}

impl YearAnalytics {
    /// Nothing was spent in any currency and no bill was due: the empty state.
    pub fn is_empty(&self) -> bool {
        self.days.is_empty()
            && self.other_currencies.is_empty()
            && self
                .months
                .iter()
                .all(|m| m.expected == 0 && m.paid_for_due == 0)
    }
}

/// The year's analytics for the caller.
pub async fn year(
    app: &App,
    principal: &Principal,
    query: AnalyticsQuery,
) -> Result<YearAnalytics> {
    let owner = data_owner(principal)?;
    let prefs = preferences::load(app, owner).await?;
    let today = prefs.today(app.now());
    let year = query.year.unwrap_or(today.year());
    let (first, last) = match (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) {
        (Some(first), Some(last)) => (first, last),
        _ => return Err(Error::invalid("year", "must be a year from 1 to 9999")),
    };
    let occurrences = async {
        let bills = app.store.bills_active_between(owner, first, last).await?;
        month::occurrences(app, owner, &prefs, today, &bills, first, last).await
    };
    let (days, categories, names, occurrences) = tokio::try_join!(
        async { Ok(app.store.spending_by_day(owner, first, last).await?) },
        async { Ok(app.store.spending_by_category(owner, first, last).await?) },
        async { Ok(app.store.categories(owner, true).await?) },
        occurrences,
    )?;
    // Stored colours were checked when saved; one that no longer parses draws the default.
    let names: HashMap<CategoryId, (String, Option<Color>)> = names
        .into_iter()
        .map(|c| {
            let color = Color::parse(&c.category.color).ok();
            (c.category.id, (c.category.name, color))
        })
        .collect();
    let currency = prefs.currency;
    let spent = Spending::of_days(&days, currency);
    let expected = expected_by_month(&occurrences, currency)?;
    let months = (1..=12_u32)
        .zip(expected)
        .map(|(m, (expected, paid_for_due))| {
            let (bills, expenses) = spent.months.get(&m).copied().unwrap_or_default();
            Ok(MonthFigures {
                month: m,
                bills: fit(bills)?,
                expenses: fit(expenses)?,
                total: fit(bills + expenses)?,
                expected,
                paid_for_due,
            })
        })
        .collect::<Result<Vec<_>, Invalid>>()?;
    let mut by_category: BTreeMap<Option<CategoryId>, (i128, i128)> = BTreeMap::new();
    for row in categories.iter().filter(|c| c.currency == currency.code()) {
        add_source(
            by_category.entry(row.category_id).or_default(),
            row.source,
            row.total_minor,
        );
    }
    let mut categories = by_category
        .into_iter()
        .map(|(id, (bills, expenses))| {
            let named = id.and_then(|id| names.get(&id));
            Ok(CategoryFigures {
                name: named.map(|(name, _)| name.clone()),
                color: named.and_then(|(_, color)| *color),
                bills: fit(bills)?,
                expenses: fit(expenses)?,
                total: fit(bills + expenses)?,
            })
        })
        .collect::<Result<Vec<_>, Invalid>>()?;
    categories.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.name.cmp(&b.name)));
    let expected_total = sum_minor("year", months.iter().map(|m| m.expected))?;
    let paid_for_due_total = sum_minor("year", months.iter().map(|m| m.paid_for_due))?;
    Ok(YearAnalytics {
        year,
        today,
        week_start: prefs.week_start,
        totals: figures(currency, spent.total)?,
        months,
        expected_total,
        paid_for_due_total,
        days: spent
            .days
            .into_iter()
            .map(|(day, total)| Ok((day, fit(total)?)))
            .collect::<Result<_, Invalid>>()?,
        categories,
        other_currencies: spent
            .others
            .into_iter()
            .map(|(code, sums)| {
                let currency = Currency::parse("currency", &code)
                    .map_err(|_| Error::Internal(format!("stored currency {code} is invalid")))?;
                Ok(figures(currency, sums)?)
            })
            .collect::<Result<_>>()?,
    })
}

/// The exact sums of a year's day rows, split into the charted currency and the others.
#[derive(Debug, Default)]
struct Spending {
    /// Per month: (bills, expenses).
    months: BTreeMap<u32, (i128, i128)>,
    /// Per day: bills + expenses.
    days: BTreeMap<NaiveDate, i128>,
    /// The year: (bills, expenses).
    total: (i128, i128),
    /// Other currencies by stored code: (bills, expenses).
    others: BTreeMap<String, (i128, i128)>,
}

impl Spending {
    fn of_days(rows: &[store::analytics::DaySpend], charted: Currency) -> Self {
        let mut out = Spending::default();
        for row in rows {
            if row.currency != charted.code() {
                let sums = out.others.entry(row.currency.clone()).or_default();
                add_source(sums, row.source, row.total_minor);
                continue;
            }
            let month = out.months.entry(row.day.month()).or_default();
            add_source(month, row.source, row.total_minor);
            add_source(&mut out.total, row.source, row.total_minor);
            *out.days.entry(row.day).or_default() += row.total_minor;
        }
        out
    }
}

fn add_source(sums: &mut (i128, i128), source: SpendSource, amount: i128) {
    match source {
        SpendSource::Bills => sums.0 += amount,
        SpendSource::Expenses => sums.1 += amount,
    }
}

/// An exact sum as minor units, or "amount is too large" naming the year.
fn fit(sum: i128) -> Result<i64, Invalid> {
    i64::try_from(sum).map_err(|_| Invalid::new("year", TOO_LARGE))
}

fn figures(
    currency: Currency,
    (bills, expenses): (i128, i128),
) -> Result<CurrencyFigures, Invalid> {
    Ok(CurrencyFigures {
        currency,
        bills: fit(bills)?,
        expenses: fit(expenses)?,
        total: fit(bills + expenses)?,
    })
}

/// Per month (January first): what the occurrences due in it expected (skipped ones
/// excluded) and what was paid for them, counting only occurrences in `currency`.
pub fn expected_by_month(
    occurrences: &[Occurrence],
    currency: Currency,
) -> Result<[(i64, i64); 12], Invalid> {
    let mut months = [(0_i64, 0_i64); 12];
    for o in occurrences.iter().filter(|o| o.currency() == currency) {
        let Some(slot) = usize::try_from(o.due.month0())
            .ok()
            .and_then(|i| months.get_mut(i))
        else {
            continue;
        };
        if !o.skipped {
            slot.0 = add_minor("year", slot.0, o.expected.minor)?;
        }
        slot.1 = add_minor("year", slot.1, o.paid.minor)?;
    }
    Ok(months)
}

#[cfg(test)]
mod tests;
