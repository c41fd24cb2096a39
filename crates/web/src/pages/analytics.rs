//! The analytics page (`GET /analytics?year=`): one year of the user's money as charts and
//! tables. The handler parses the year, makes one service call ([`service::analytics::year`])
//! and formats the figures; the SVG comes from `views::charts`. A year that is not valid
//! (`abc`, `0`, `99999`, an unknown parameter) shows the current year with a banner (a fixed
//! message, never reflected input); nothing here answers 500 for a refused input. A year whose
//! totals cannot be added (an overflow) is the kit's 422 page under "Analytics could not be
//! shown".

use axum::extract::Query;
use axum::routing::get;
use chrono::{Datelike, NaiveDate};
use domain::money::Currency;
use service::analytics::{self, AnalyticsQuery, MonthFigures, YearAnalytics};

use super::chrome;
use super::common::with_cookie;
use super::kit::{DataPage, Fail, PageResult};
use crate::links;
use crate::locale::Locale;
use crate::routes::Table;
use crate::views;
use crate::views::analytics::{
    AnalyticsPage, Card, CategoryRow, Charts, CurrencyRow, DayRow, MonthRow,
};
use crate::views::charts::{self, BarRow, Frame, Layout, Series, Width};

/// The banner for a year that is not valid.
const BAD_YEAR: &str = "That year is not valid (use a year from 1 to 9999); showing this year.";

/// The analytics routes.
pub(crate) fn routes(table: Table) -> Table {
    table.add("GET", links::ANALYTICS.path(), get(show))
}

/// The analytics URL of a year.
pub fn year_href(year: i32) -> String {
    format!("{}?year={year}", links::ANALYTICS)
}

/// `GET /analytics?year=`: the year's charts, or this year with a banner when `year` is bad.
pub async fn show(page: DataPage, Query(pairs): Query<Vec<(String, String)>>) -> PageResult {
    let (query, error) = match AnalyticsQuery::parse(&pairs) {
        Ok(query) => (query, None),
        Err(_) => (AnalyticsQuery::default(), Some(BAD_YEAR.to_owned())),
    };
    let view = analytics::year(&page.app, &page.user, query).await;
    let view = view.not_shown("Analytics could not be shown")?;
    let ctx = page.context().await;
    let (chrome, cookie) = chrome(&page.app, &page.caller, &ctx, "Analytics");
    let mut analytics = present(&ctx.locale, chrome, &view);
    analytics.error = error;
    Ok(with_cookie(views::render(&analytics), cookie))
}

fn month_row(l: &Locale, label: String, m: &MonthFigures, currency: Currency) -> MonthRow {
    let amount = |minor, currency| l.money(minor, currency);
    MonthRow {
        label,
        bills: amount(m.bills, currency),
        expenses: amount(m.expenses, currency),
        total: amount(m.total, currency),
        expected: amount(m.expected, currency),
        paid_for_due: amount(m.paid_for_due, currency),
        // Shown only; an overpayment beyond `i64` (never a real one) would read as the limit.
        difference: amount(m.expected.saturating_sub(m.paid_for_due), currency),
    }
}

/// The year's totals row (every sum checked by the service).
fn totals_row(l: &Locale, view: &YearAnalytics) -> MonthRow {
    let figures = MonthFigures {
        month: 0,
        bills: view.totals.bills,
        expenses: view.totals.expenses,
        total: view.totals.total,
        expected: view.expected_total,
        paid_for_due: view.paid_for_due_total,
    };
    month_row(l, "Total".to_owned(), &figures, view.totals.currency)
}

/// The page for one year's figures.
fn present(l: &Locale, chrome: views::Chrome, view: &YearAnalytics) -> AnalyticsPage {
    let currency = view.totals.currency;
    let amount = |minor, currency| l.money(minor, currency);
    let year = view.year;
    let months: Vec<MonthRow> = view
        .months
        .iter()
        .map(|m| month_row(l, l.month_name(year, m.month), m, currency))
        .collect();
    let totals = totals_row(l, view);
    let categories: Vec<CategoryRow> = view
        .categories
        .iter()
        .map(|c| CategoryRow {
            name: c.name.clone().unwrap_or_else(|| "Uncategorised".to_owned()),
            bills: amount(c.bills, currency),
            expenses: amount(c.expenses, currency),
            total: amount(c.total, currency),
        })
        .collect();
    let cards = vec![
        Card {
            label: "Paid in total",
            value: totals.total.clone(),
        },
        Card {
            label: "Bills",
            value: totals.bills.clone(),
        },
        Card {
            label: "Expenses",
            value: totals.expenses.clone(),
        },
        Card {
            label: "Bills expected",
            value: totals.expected.clone(),
        },
    ];
    AnalyticsPage {
        charts: draw(l, view, &categories),
        chrome,
        year,
        prev_href: (year > 1).then(|| year_href(year - 1)),
        next_href: (year < 9999).then(|| year_href(year + 1)),
        this_year_href: (year != view.today.year()).then(|| links::ANALYTICS.path().to_owned()),
        currency: currency.code().to_owned(),
        error: None,
        empty: view.is_empty(),
        cards,
        months,
        totals,
        categories,
        days: view
            .days
            .iter()
            .map(|(day, minor)| DayRow {
                date: day.to_string(),
                label: l.day(*day),
                amount: amount(*minor, currency),
            })
            .collect(),
        others: view
            .other_currencies
            .iter()
            .map(|o| CurrencyRow {
                currency: o.currency.code().to_owned(),
                bills: amount(o.bills, o.currency),
                expenses: amount(o.expenses, o.currency),
                total: amount(o.total, o.currency),
            })
            .collect(),
    }
}

/// The four charts (the first three also narrow, for phones), with titles and descriptions that say what they show in words.
fn draw(l: &Locale, view: &YearAnalytics, categories: &[CategoryRow]) -> Charts {
    let currency = view.totals.currency;
    let year = view.year;
    let code = currency.code();
    let tick = |minor| l.money_rounded(minor, currency);
    let full = |minor| l.money(minor, currency);
    let labels: Vec<String> = (1..=12)
        .filter_map(|m| NaiveDate::from_ymd_opt(year, m, 1))
        .map(|d| l.month_short(d))
        .collect();
    let column = |f: fn(&MonthFigures) -> i64| view.months.iter().map(f).collect::<Vec<i64>>();
    let (bills, expenses) = (column(|m| m.bills), column(|m| m.expenses));
    let (expected, paid) = (column(|m| m.expected), column(|m| m.paid_for_due));
    let busiest = view
        .months
        .iter()
        .max_by_key(|m| (m.total, std::cmp::Reverse(m.month)))
        .filter(|m| m.total > 0)
        .map(|m| {
            format!(
                " The most was paid in {} ({}).",
                l.month_name(year, m.month),
                full(m.total)
            )
        })
        .unwrap_or_default();
    let monthly_desc = format!(
        "Bill payments and expenses per month of {year} in {code}, stacked. Total {}.{busiest}",
        full(view.totals.total)
    );
    let expected_desc = format!(
        "For the bills due each month of {year}: expected amount next to the amount paid, in {code}. Expected {}, paid {} over the year.",
        full(view.expected_total),
        full(view.paid_for_due_total),
    );
    let top: Vec<String> = categories
        .iter()
        .take(3)
        .map(|c| format!("{} {}", c.name, c.total))
        .collect();
    let categories_desc = format!(
        "Bill payments and expenses of {year} by category in {code}, largest first: {}.",
        top.join(", ")
    );
    let largest = view
        .days
        .iter()
        .max_by_key(|(day, minor)| (*minor, std::cmp::Reverse(*day)));
    let heatmap_desc = format!(
        "The amount paid on each day of {year} in {code}: {} days with spending{}.",
        view.days.len(),
        largest
            .map(|(day, minor)| format!(
                ", the largest on {} ({})",
                l.day_month(*day),
                full(*minor)
            ))
            .unwrap_or_default()
    );
    let bars: Vec<BarRow> = view
        .categories
        .iter()
        .zip(categories)
        .map(|(c, row)| BarRow {
            label: row.name.clone(),
            value: c.total,
            color: c.color,
        })
        .collect();
    let monthly = |width| {
        charts::columns(
            &Frame {
                id: "monthly-chart",
                title: &format!("Paid per month, {year}"),
                desc: &monthly_desc,
            },
            width,
            &labels,
            &[
                Series {
                    name: "Bills",
                    class: "bar-bills",
                    values: &bills,
                },
                Series {
                    name: "Expenses",
                    class: "bar-expenses",
                    values: &expenses,
                },
            ],
            Layout::Stacked,
            &tick,
            &full,
        )
    };
    let expected = |width| {
        charts::columns(
            &Frame {
                id: "expected-chart",
                title: &format!("Bills expected vs paid, {year}"),
                desc: &expected_desc,
            },
            width,
            &labels,
            &[
                Series {
                    name: "Expected",
                    class: "bar-expected",
                    values: &expected,
                },
                Series {
                    name: "Paid",
                    class: "bar-paid",
                    values: &paid,
                },
            ],
            Layout::Grouped,
            &tick,
            &full,
        )
    };
    let categories = |width| {
        charts::bars(
            &Frame {
                id: "categories-chart",
                title: &format!("By category, {year}"),
                desc: &categories_desc,
            },
            width,
            &bars,
            "bar-category",
            &full,
        )
    };
    Charts {
        monthly: monthly(Width::Wide),
        monthly_narrow: monthly(Width::Narrow),
        expected: expected(Width::Wide),
        expected_narrow: expected(Width::Narrow),
        categories: categories(Width::Wide),
        categories_narrow: categories(Width::Narrow),
        heatmap: charts::heatmap(
            &Frame {
                id: "heatmap-chart",
                title: &format!("Paid per day, {year}"),
                desc: &heatmap_desc,
            },
            year,
            view.week_start,
            &view.days,
            l,
            &full,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_links_stay_on_the_page() {
        assert_eq!(year_href(2025), "/analytics?year=2025");
    }
}
