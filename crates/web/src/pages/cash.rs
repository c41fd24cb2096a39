//! The cash page: `GET /tracker/cash?year=&month=` shows the recurring income per payday and
//! each pay period's starting cash and income for the month; `POST /tracker/cash` saves them
//! all in one go and returns to the tracker's month with "Starting cash and income saved for
//! March 2026". A refused field comes back on this page with 422, its message under it and
//! everything typed kept. Also the tracker's safe-to-spend card ([`card`]), which is shown
//! only when there is something to compute it from and otherwise links here.

use axum::Form;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use domain::money::Money;
use service::Error;
use service::tracker::cash::{self, CashMonth, CashMonthInput};
use service::tracker::{TrackerMonth, TrackerQuery, YearMonth};

use super::common::with_cookie;
use super::forms::param;
use super::kit::{DataPage, Fail, PageResult};
use super::tracker::{neighbours, range};
use super::{PageContext, chrome, see_other};
use crate::links;
use crate::locale::Locale;
use crate::routes::Table;
use crate::views::cash::{CashPage, CashPeriod};
use crate::views::tracker::SafeToSpendCard;
use crate::views::{self, Chrome};

/// The cash page's routes.
pub(crate) fn routes(table: Table) -> Table {
    table.add("GET", links::TRACKER_CASH.path(), get(show)).add(
        "POST",
        links::TRACKER_CASH.path(),
        post(save),
    )
}

/// The cash page of a month.
pub fn href(year: i32, month: u32) -> String {
    format!("{}?year={year}&month={month}", links::TRACKER_CASH)
}

/// The tracker's banner after a save.
pub(super) fn saved_notice(l: &Locale, year: i32, month: u32) -> String {
    format!(
        "Starting cash and income saved for {}.",
        l.month(year, month)
    )
}

/// The tracker's safe-to-spend card for the month shown.
/// `left_out` says which bills in other currencies it does not count (empty: none).
pub(super) fn card(l: &Locale, view: &TrackerMonth, left_out: &str) -> SafeToSpendCard {
    let s = &view.summary;
    let mut explanation = format!(
        "Cash + income this pay period − bills still due by {}",
        l.day_month(s.safe_to_spend_due_by)
    );
    if !left_out.is_empty() {
        explanation = format!("{explanation}. {left_out}");
    }
    SafeToSpendCard {
        value: s.safe_to_spend.map(|a| l.money_of(a)),
        explanation,
        href: href(view.year, view.month),
    }
}

/// "1st", "2nd", "23rd", "11th".
fn ordinal(day: u32) -> String {
    let suffix = match (day % 10, day % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{day}{suffix}")
}

/// "the 1st and the 15th".
fn paydays_text(days: &[u32]) -> String {
    let named: Vec<String> = days
        .iter()
        .map(|d| format!("the {}", ordinal(*d)))
        .collect();
    match named.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} and {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

/// What a blank income means for a period.
fn income_hint(l: &Locale, starts_on_payday: bool, per_payday: Option<Money>) -> String {
    match (starts_on_payday, per_payday) {
        (true, Some(pay)) => format!(
            "Blank: your pay each payday, {}. Type 0 when nothing comes in this time.",
            l.money_of(pay)
        ),
        (true, None) => {
            "What you earn in this period. Blank: none, unless you set your income each payday above."
                .to_owned()
        }
        (false, _) => {
            "What you earn in this period. It does not start on a payday, so your income each payday is not added here. Blank: none."
                .to_owned()
        }
    }
}

/// The amounts of the form: saved ones, or what was typed.
struct Values {
    income_per_payday: String,
    /// `(starting cash, income)` per period.
    periods: Vec<(String, String)>,
}

impl Values {
    fn saved(l: &Locale, view: &CashMonth) -> Self {
        let text = |a: Option<Money>| a.map(|a| l.money_field(a)).unwrap_or_default();
        Self {
            income_per_payday: text(view.income_per_payday),
            periods: view
                .periods
                .iter()
                .map(|p| (text(p.starting_cash), text(p.saved_income)))
                .collect(),
        }
    }
}

fn cash_page(
    l: &Locale,
    chrome: Chrome,
    view: &CashMonth,
    values: Values,
    errors: Vec<(String, String)>,
) -> CashPage {
    let ((py, pm), (ny, nm)) = neighbours(view.year, view.month);
    let mut typed = values.periods.into_iter();
    CashPage {
        chrome,
        status: if errors.is_empty() {
            StatusCode::OK
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        },
        month_label: l.month(view.year, view.month),
        year: view.year,
        month: view.month,
        prev_href: href(py, pm),
        next_href: href(ny, nm),
        tracker_href: format!("{}?year={}&month={}", links::TRACKER, view.year, view.month),
        currency: view.currency.code().to_owned(),
        paydays: paydays_text(&view.paydays),
        income_per_payday: values.income_per_payday,
        periods: view
            .periods
            .iter()
            .map(|p| {
                let (starting_cash, income) = typed.next().unwrap_or_default();
                CashPeriod {
                    index: p.bucket,
                    range: range(l, p.start, p.end),
                    starting_cash,
                    income,
                    income_hint: income_hint(l, p.starts_on_payday, view.income_per_payday),
                }
            })
            .collect(),
        errors,
    }
}

/// The heading of the error page when the month cannot be shown.
const NOT_SHOWN: &str = "Starting cash and income could not be shown";

/// The page drawn with the form's `values` (saved or typed) and `errors`.
fn draw(
    page: &DataPage,
    ctx: &PageContext,
    view: &CashMonth,
    values: Values,
    errors: Vec<(String, String)>,
) -> Response {
    let (chrome, cookie) = chrome(&page.app, &page.caller, ctx, "Starting cash and income");
    let cash = cash_page(&ctx.locale, chrome, view, values, errors);
    with_cookie(views::render(&cash), cookie)
}

/// `GET /tracker/cash?year=&month=`: the form with what is saved.
pub async fn show(page: DataPage, Query(pairs): Query<Vec<(String, String)>>) -> PageResult {
    let query = TrackerQuery::parse(&pairs).not_shown(NOT_SHOWN)?;
    let view = cash::month(&page.app, &page.user, query.year, query.month).await;
    let view = view.not_shown(NOT_SHOWN)?;
    let ctx = page.context().await;
    let values = Values::saved(&ctx.locale, &view);
    Ok(draw(&page, &ctx, &view, values, Vec::new()))
}

/// The most pay periods a month can have (the 1st and four paydays); a form claiming more is
/// cut there, and the service refuses the count.
const MAX_PERIODS: usize = 5;

/// The posted form, as `(name, value)` pairs: the period fields are numbered. The amounts are
/// read as the user's locale writes them; one it cannot read is refused by its field's name.
fn read_form(
    l: &Locale,
    form: &[(String, String)],
    month: YearMonth,
) -> (Result<CashMonthInput, Error>, Values) {
    let text = |name: &str| param(form, name).unwrap_or_default().to_owned();
    let count = text("periods")
        .trim()
        .parse::<usize>()
        .unwrap_or(0)
        .min(MAX_PERIODS + 1);
    let periods: Vec<(String, String)> = (0..count)
        .map(|i| {
            (
                text(&format!("starting_cash_{i}")),
                text(&format!("income_{i}")),
            )
        })
        .collect();
    let values = Values {
        income_per_payday: text("income_per_payday"),
        periods: periods.clone(),
    };
    let read = |field: String, typed: &str| l.amount_input(&field, typed).map(Some);
    let input = (|| {
        let mut read_periods = Vec::with_capacity(periods.len());
        for (i, (starting, income)) in periods.iter().enumerate() {
            read_periods.push((
                read(format!("starting_cash_{i}"), starting)?,
                read(format!("income_{i}"), income)?,
            ));
        }
        Ok(CashMonthInput {
            month,
            income_per_payday: read("income_per_payday".to_owned(), &values.income_per_payday)?,
            periods: read_periods,
        })
    })()
    .map_err(Error::Invalid);
    (input, values)
}

/// The message shown for a refused field.
fn message(l: &Locale, view: &CashMonth, field: &str, reason: &str) -> String {
    let period = |prefix: &str| {
        field
            .strip_prefix(prefix)
            .and_then(|n| n.parse::<usize>().ok())
            .and_then(|n| view.periods.get(n))
            .map(|p| range(l, p.start, p.end))
    };
    if field == "income_per_payday" {
        format!("Income each payday {reason}.")
    } else if let Some(range) = period("starting_cash_") {
        format!("Starting cash for {range} {reason}.")
    } else if let Some(range) = period("income_") {
        format!("Income for {range} {reason}.")
    } else {
        format!("The pay periods {reason}.")
    }
}

/// The month a posted form is for.
fn form_month(form: &[(String, String)]) -> Result<YearMonth, Error> {
    let number = |name: &str| param(form, name).and_then(|v| v.trim().parse::<i64>().ok());
    match (number("year"), number("month")) {
        (Some(year), Some(month)) => Ok(YearMonth::new(year, month)?),
        _ => Err(Error::invalid("month", "is missing")),
    }
}

/// `POST /tracker/cash`: saves the month and the recurring income, then back to the tracker.
pub async fn save(page: DataPage, Form(form): Form<Vec<(String, String)>>) -> PageResult {
    let month = form_month(&form).not_shown(NOT_SHOWN)?;
    let ctx = page.context().await;
    let (input, typed) = read_form(&ctx.locale, &form, month);
    let saved = async { cash::save_month(&page.app, &page.user, input?).await };
    match saved.await {
        Ok(()) => Ok(see_other(&format!(
            "{}?year={}&month={}&notice=cash_saved",
            links::TRACKER,
            month.year(),
            month.month()
        ))),
        Err(Error::Invalid(invalid)) => refused(&page, &ctx, month, typed, invalid).await,
        Err(err) => Err(err).back_to(&href(month.year(), month.month())),
    }
}

/// A refused field: the page again with 422, its message under it and everything typed kept
/// (the saved values when the form's pay periods are no longer the month's).
async fn refused(
    page: &DataPage,
    ctx: &PageContext,
    month: YearMonth,
    typed: Values,
    invalid: domain::Invalid,
) -> PageResult {
    let (year, number) = (month.year(), month.month());
    let view = cash::month(&page.app, &page.user, Some(year), Some(number)).await;
    let view = view.back_to(&href(year, number))?;
    let text = message(&ctx.locale, &view, &invalid.field, &invalid.reason);
    // A form for other periods than the month now has cannot keep its values.
    let values = if invalid.field == "periods" {
        Values::saved(&ctx.locale, &view)
    } else {
        typed
    };
    Ok(draw(page, ctx, &view, values, vec![(invalid.field, text)]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paydays_read_as_words() {
        assert_eq!(paydays_text(&[1, 15]), "the 1st and the 15th");
        assert_eq!(
            paydays_text(&[2, 3, 11, 22]),
            "the 2nd, the 3rd, the 11th and the 22nd"
        );
        assert_eq!(paydays_text(&[31]), "the 31st");
    }
}
