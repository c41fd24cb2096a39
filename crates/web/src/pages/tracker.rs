//! The tracker page (`GET /`) and, in [`actions`], its forms. Every form POSTs, calls one
//! service function and redirects back (303) to the month it came from, at the row or pay
//! period it acted on (`#occ-…`, `#bucket-N`); an error becomes a banner on that page (a
//! fixed message chosen by code, never reflected input), and the bootstrap administrator, who
//! holds no data, gets a 403 page (both through the page kit, [`super::kit`]). With
//! JavaScript a row's form is answered in place instead ([`in_place`]). The page is built
//! from the service's month view in [`view`]. Nothing here answers 500 for a refused input.

use axum::extract::Query;
use axum::routing::{get, post};
use chrono::NaiveDate;
use domain::date::parse_date;
use domain::id::BillId;
use service::Error;
use service::tracker::{self, TrackerQuery};

use super::chrome;
use super::common::with_cookie;
use super::forms::{back_to, parse_id};
use super::kit::{DataPage, Fail, PageResult};
use crate::routes::Table;
use crate::views;

mod actions;
mod in_place;
mod totals;
mod view;

use crate::links;
pub(super) use view::range;
use view::{Asked, Shown};

/// The banner messages a redirect can ask for, by code.
pub(super) const NOTICES: [(&str, &str); 12] = [
    ("paid", "Marked as paid."),
    ("unpaid", "Payment undone: the bill is unpaid again."),
    ("paid_all", "Paid every bill due in this period."),
    ("nothing", "Nothing was due to pay in this period."),
    ("undone", "Undone: those payments were removed."),
    ("skipped", "Skipped for that month."),
    ("unskipped", "Back on the list for that month."),
    (
        "demo",
        "Demo data loaded. Remove it with the button above when you are done looking.",
    ),
    (
        "demo_cleared",
        "Demo data removed. Your own bills and expenses were left alone.",
    ),
    ("welcome", "Saved. Change these any time under Profile."),
    ("cash_saved", "Starting cash and income saved."),
    super::bill_currency::NOTICE,
];

/// The error banners a redirect can ask for, by code (besides the shared ones of
/// [`error_message`]).
pub(super) const ERRORS: [(&str, &str); 4] = [
    ("not_found", "That bill no longer exists."),
    (
        "conflict",
        "That bill was already paid, or there is nothing left to pay.",
    ),
    (
        "query",
        "That month or sort order is not valid; showing the current month.",
    ),
    super::bill_currency::ERROR,
];

/// The tracker's routes.
pub(crate) fn routes(table: Table) -> Table {
    table
        .add("GET", links::TRACKER.path(), get(show))
        .add("POST", links::TRACKER_PAY.path(), post(actions::pay_one))
        .add("POST", links::TRACKER_UNPAY.path(), post(actions::unpay))
        .add("POST", links::TRACKER_SKIP.path(), post(actions::skip))
        .add(
            "POST",
            links::TRACKER_PAY_ALL.path(),
            post(actions::pay_all),
        )
        .add("POST", links::TRACKER_UNDO.path(), post(actions::undo))
        .add("POST", links::TRACKER_DEMO.path(), post(actions::demo))
        .add(
            "POST",
            links::TRACKER_DEMO_CLEAR.path(),
            post(actions::clear_demo),
        )
}

/// The tracker URL for a month and sort order.
pub fn month_href(year: i32, month: u32, sort: &str, dir: &str) -> String {
    format!(
        "{}?year={year}&month={month}&sort={sort}&dir={dir}",
        links::TRACKER
    )
}

/// The months before and after `year`-`month` (`None` past year 1 or 9999).
pub fn neighbours(year: i32, month: u32) -> ((i32, u32), (i32, u32)) {
    let prev = if month <= 1 {
        (year - 1, 12)
    } else {
        (year, month - 1)
    };
    let next = if month >= 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    (prev, next)
}

/// The bill and due date a form about one occurrence names (a bill id that does not parse is
/// not found; a date that does not is refused naming `due_date`).
pub(crate) fn parse_occurrence(
    bill_id: &str,
    due_date: &str,
) -> Result<(BillId, NaiveDate), Error> {
    Ok((parse_id(bill_id)?, parse_date("due_date", due_date)?))
}

/// Where a form returns to: a tracker URL from the form, else `/`.
pub(crate) fn back(raw: Option<&str>) -> String {
    back_to(links::TRACKER.path(), raw)
}

/// The heading of the error page when the month cannot be shown.
const NOT_SHOWN: &str = "The tracker could not be shown";

/// `GET /?year=&month=&sort=&dir=` (plus `undo`, `notice`, `error`, and the `bill`, `due` or
/// `bucket` it was about, after a form): the tracker.
pub async fn show(page: DataPage, Query(pairs): Query<Vec<(String, String)>>) -> PageResult {
    let asked = Asked::read(pairs);
    let shown = load(&page, &asked).await.not_shown(NOT_SHOWN)?;
    let ctx = page.context().await;
    let (chrome, cookie) = chrome(&page.app, &page.caller, &ctx, "Tracker");
    let tracker = view::page(&ctx.locale, chrome, shown, asked);
    Ok(with_cookie(views::render(&tracker), cookie))
}

/// Reads what the page shows: the month asked for (the current one when it is refused), the
/// welcome card, the demo-data offer and, right after the welcome card set the currency, the
/// bills made before in other currencies.
async fn load(page: &DataPage, asked: &Asked) -> Result<Shown, Error> {
    let (app, user) = (&page.app, &page.user);
    let (query, mut query_refused) = match TrackerQuery::parse(&asked.rest) {
        Ok(query) => (query, false),
        Err(_) => (TrackerQuery::default(), true),
    };
    let view = match tracker::show(app, user, query).await {
        Err(Error::Invalid(_)) if query != TrackerQuery::default() => {
            query_refused = true;
            tracker::show(app, user, TrackerQuery::default()).await?
        }
        view => view?,
    };
    let welcome = super::welcome::card(app, user, asked.welcome_error.as_deref()).await?;
    let demo = service::demo::offer(app, user).await?;
    let others = match asked.notice.as_deref() {
        Some("welcome") => service::bills::in_other_currencies(app, user).await?,
        _ => Vec::new(),
    };
    Ok(Shown {
        view,
        query_refused,
        welcome,
        demo,
        others,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_wrap_at_the_year_ends() {
        assert_eq!(neighbours(2026, 1), ((2025, 12), (2026, 2)));
        assert_eq!(neighbours(2026, 12), ((2026, 11), (2027, 1)));
    }

    #[test]
    fn forms_return_only_to_the_tracker() {
        assert_eq!(back(Some("/?year=2026&month=3")), "/?year=2026&month=3");
        assert_eq!(back(Some("/profile")), "/");
        assert_eq!(back(Some("//evil.test")), "/");
        assert_eq!(back(None), "/");
    }
}
