//! The analytics page (`GET /analytics?year=`): four server-rendered SVG charts of one year —
//! monthly totals, expected vs paid, categories, a day heatmap — each followed by the same
//! numbers as a table, plus totals in the user's other currencies. Every string arrives
//! formatted by the handler (`pages::analytics`); the charts arrive as finished SVG from
//! [`super::charts`].
//!
//! The template inserts the four SVG strings with `|safe`, the one exception to "never
//! `|safe`": they are built by our own renderer only from numbers and [`super::charts::escape`]d
//! text, so no user text can become markup (category names are tested to come out escaped).

use askama::Template;
use axum::response::{IntoResponse, Response};

use super::{Chrome, Page, Section};

/// `GET /analytics` for a signed-in user with data.
#[derive(Debug, Clone, Template)]
#[template(path = "analytics_page.html")]
pub struct AnalyticsPage {
    pub chrome: Chrome,
    pub year: i32,
    /// The neighbouring years (`None` past 1 or 9999).
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
    /// A link back to the current year when another is shown.
    pub this_year_href: Option<String>,
    /// The charted currency's code, e.g. `USD`.
    pub currency: String,
    /// An error message for the banner (e.g. a year that is not valid).
    pub error: Option<String>,
    /// Nothing was paid, spent or due in the year: the empty state is shown.
    pub empty: bool,
    pub cards: Vec<Card>,
    pub charts: Charts,
    pub months: Vec<MonthRow>,
    pub totals: MonthRow,
    pub categories: Vec<CategoryRow>,
    pub days: Vec<DayRow>,
    /// Spending in other currencies, not charted.
    pub others: Vec<CurrencyRow>,
}

/// The four charts as finished SVG markup (see the module note on `|safe`). The `_narrow`
/// drawings are for narrow screens; the page carries both and the stylesheet shows one by
/// the chart's width.
#[derive(Debug, Clone, Default)]
pub struct Charts {
    pub monthly: String,
    pub monthly_narrow: String,
    pub expected: String,
    pub expected_narrow: String,
    pub categories: String,
    pub categories_narrow: String,
    pub heatmap: String,
}

/// One summary figure of the year.
#[derive(Debug, Clone, Default)]
pub struct Card {
    pub label: &'static str,
    pub value: String,
}

/// One month in the tables (also the year's total row).
#[derive(Debug, Clone, Default)]
pub struct MonthRow {
    /// "January" (or "Total").
    pub label: String,
    pub bills: String,
    pub expenses: String,
    pub total: String,
    pub expected: String,
    pub paid_for_due: String,
    /// `expected − paid`, what is still open (negative: paid more than expected).
    pub difference: String,
}

/// One category in the table.
#[derive(Debug, Clone, Default)]
pub struct CategoryRow {
    /// The category's name, or "Uncategorised".
    pub name: String,
    pub bills: String,
    pub expenses: String,
    pub total: String,
}

/// One day with spending.
#[derive(Debug, Clone, Default)]
pub struct DayRow {
    /// `YYYY-MM-DD`, for `<time datetime>`.
    pub date: String,
    /// "Mon 3 Mar".
    pub label: String,
    pub amount: String,
}

/// The year's spending in a currency that is not charted.
#[derive(Debug, Clone, Default)]
pub struct CurrencyRow {
    pub currency: String,
    pub bills: String,
    pub expenses: String,
    pub total: String,
}

impl Page for AnalyticsPage {
    fn section(&self) -> Section {
        Section::Analytics
    }
}

impl IntoResponse for AnalyticsPage {
    fn into_response(self) -> Response {
        super::render(&self)
    }
}

#[cfg(test)]
mod tests {
    use askama::Template;

    use super::*;
    use crate::views::NavUser;

    const HOSTILE: &str = "<script>alert(1)</script>\"'&";

    fn page() -> AnalyticsPage {
        let text = || HOSTILE.to_owned();
        AnalyticsPage {
            chrome: Chrome {
                title: text(),
                nonce: "n0nce".to_owned(),
                csrf_token: "tok".to_owned(),
                user: Some(NavUser {
                    display_name: text(),
                    is_admin: false,
                    holds_data: true,
                }),
                ..Chrome::default()
            },
            year: 2025,
            prev_href: Some(text()),
            next_href: Some(text()),
            this_year_href: Some(text()),
            currency: text(),
            error: Some(text()),
            empty: false,
            cards: vec![Card {
                label: "Paid in total",
                value: text(),
            }],
            charts: Charts {
                monthly: "<svg id=\"trusted\"></svg>".to_owned(),
                ..Charts::default()
            },
            months: vec![MonthRow {
                label: text(),
                ..MonthRow::default()
            }],
            totals: MonthRow::default(),
            categories: vec![CategoryRow {
                name: text(),
                ..CategoryRow::default()
            }],
            days: vec![DayRow {
                date: text(),
                label: text(),
                amount: text(),
            }],
            others: vec![CurrencyRow {
                currency: text(),
                ..CurrencyRow::default()
            }],
        }
    }

    #[test]
    fn every_text_is_escaped_and_only_the_charts_are_inserted_as_markup() {
        let html = Template::render(&page()).unwrap_or_default();
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(html.contains("&#60;script&#62;alert(1)&#60;/script&#62;"));
        assert!(
            html.contains("<svg id=\"trusted\"></svg>"),
            "the chart is markup"
        );
        assert!(!html.contains("style="));
        assert!(html.contains("href=\"/static/app.css\" nonce=\"n0nce\""));
        assert_eq!(html.matches("<h1>").count(), 1);
    }

    #[test]
    fn an_empty_year_shows_the_next_step_instead_of_charts() {
        let mut empty = page();
        empty.empty = true;
        let html = Template::render(&empty).unwrap_or_default();
        assert!(html.contains("Nothing recorded in 2025"));
        assert!(!html.contains("trusted"));
    }
}
