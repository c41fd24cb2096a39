//! The tracker page (`GET /`) and, in [`actions`], its forms. Every form POSTs, calls one
//! service function and redirects back (303) to the month it came from, at the row or pay
//! period it acted on (`#occ-…`, `#bucket-N`); an error becomes a banner on that page (a
//! fixed message chosen by code, never reflected input), and the bootstrap administrator, who
//! holds no data, gets a 403 page. With JavaScript a row's form is answered in place instead
//! ([`in_place`]). Nothing here answers 500 for a refused input.

use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{Datelike, NaiveDate};
use service::Error;
use service::tracker::month::OccurrenceView;
use service::tracker::pay;
use service::tracker::{self, SortKey, TrackerQuery, TrackerView};

use super::common::{DataPageUser, badge, encode_component, message, relative, with_cookie};
use super::forms::{NotShown, back_to, error_message, not_shown};
use super::{PageContext, chrome};
use crate::AppState;
use crate::auth::Caller;
use crate::locale::Locale;
use crate::routes::Table;
use crate::views::tracker::{BucketSection, OccurrenceRow, SortOption, SummaryCard};
use crate::views::{self, Chrome, TrackerPage};

mod actions;
mod in_place;
mod totals;

use totals::Totals;

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
        .add("GET", "/", get(show))
        .add("POST", "/tracker/pay", post(actions::pay_one))
        .add("POST", "/tracker/unpay", post(actions::unpay))
        .add("POST", "/tracker/skip", post(actions::skip))
        .add("POST", "/tracker/pay-all", post(actions::pay_all))
        .add("POST", "/tracker/undo", post(actions::undo))
        .add("POST", "/tracker/demo", post(actions::demo))
        .add("POST", "/tracker/demo/clear", post(actions::clear_demo))
}

/// The tracker URL for a month and sort order.
pub fn month_href(year: i32, month: u32, sort: &str, dir: &str) -> String {
    format!("/?year={year}&month={month}&sort={sort}&dir={dir}")
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

/// Where a form returns to: a tracker URL from the form, else `/`.
pub(crate) fn back(raw: Option<&str>) -> String {
    back_to("/", raw)
}

fn row(l: &Locale, o: &OccurrenceView, today: NaiveDate) -> OccurrenceRow {
    let (status_label, badge_class) = badge(o.status);
    let paid = matches!(o.status, "paid" | "overpaid");
    OccurrenceRow {
        bill_id: o.bill_id.clone(),
        bill_name: o.bill_name.clone(),
        category: o.category_name.clone(),
        due_label: l.day(o.due_date),
        relative: if o.remaining.amount_minor > 0 && !o.skipped {
            relative(o.due_date, today)
        } else {
            String::new()
        },
        due_date: o.due_date.to_string(),
        amount: l.amount(&o.expected),
        status_label,
        badge_class,
        paid,
        can_pay: !paid && !o.skipped && o.remaining.amount_minor > 0,
        asks_amount: o.amount_kind == domain::bill::AmountKind::Estimated.as_str(),
        pay_amount: o.actual_amount.as_ref().map_or_else(
            || l.amount_view_field(&o.remaining),
            |a| l.amount_view_field(a),
        ),
        skipped: o.skipped,
        actual_amount: o
            .actual_amount
            .as_ref()
            .map(|a| l.amount_view_field(a))
            .unwrap_or_default(),
        note: o.note.clone(),
        snoozed_until: o.snoozed_until.map(|d| d.to_string()).unwrap_or_default(),
        snoozed_label: o.snoozed_until.map(|d| l.date(d)).unwrap_or_default(),
    }
}

fn sort_label(key: SortKey) -> &'static str {
    match key {
        SortKey::Due => "Due date",
        SortKey::Name => "Name",
        SortKey::Amount => "Amount",
        SortKey::Status => "Status",
        SortKey::PinDue => "Late, missed and due first",
    }
}

/// The banner of a typed amount that was refused (code `amount`): how the user's locale writes
/// one.
pub(super) fn amount_advice(l: &Locale) -> String {
    format!(
        "That amount is not valid: type the amount paid; it {}.",
        l.number_style().advice()
    )
}

pub(super) fn range(l: &Locale, start: NaiveDate, end: NaiveDate) -> String {
    format!("{} – {}", l.day_month(start), l.day_month(end))
}

/// What a form did to one occurrence, naming the bill and the month ("Netflix skipped for
/// March 2026"): the name comes from the month shown, never from the URL.
fn occurrence_notice(
    l: &Locale,
    view: &TrackerView,
    code: &str,
    bill: &str,
    due: &str,
) -> Option<String> {
    let o = view
        .buckets
        .iter()
        .flat_map(|b| &b.occurrences)
        .find(|o| o.bill_id == bill && o.due_date.to_string() == due)?;
    let month = l.month(o.due_date.year(), o.due_date.month());
    let name = &o.bill_name;
    Some(match code {
        "paid" => format!("{name} marked paid for {month}."),
        "unpaid" => format!("{name} for {month} is unpaid again."),
        "skipped" => format!("{name} skipped for {month}."),
        "unskipped" => format!("{name} is back on the list for {month}."),
        _ => return None,
    })
}

/// Builds the page from the month view.
fn present(l: &Locale, chrome: Chrome, view: &TrackerView) -> TrackerPage {
    let sort = view.sort.to_owned();
    let dir = view.dir.to_owned();
    let ((py, pm), (ny, nm)) = neighbours(view.year, view.month);
    let month_label = l.month(view.year, view.month);
    let s = &view.summary;
    let totals = Totals::of(l, &s.by_currency, &view.currency);
    let mut cards = vec![
        totals.card("Expected", |t| &t.expected, l.amount(&s.expected)),
        totals.card("Paid", |t| &t.paid, l.amount(&s.paid)),
        totals.card("Remaining", |t| &t.remaining, l.amount(&s.remaining)),
        SummaryCard {
            label: "Late or missed",
            value: s.overdue_count.to_string(),
            ..SummaryCard::default()
        },
    ];
    if let Some(remaining) = cards.get_mut(2) {
        remaining.note = totals.difference_notes(&s.settled_difference);
    }
    let buckets: Vec<BucketSection> = view
        .buckets
        .iter()
        .map(|b| {
            let rows: Vec<OccurrenceRow> = b
                .occurrences
                .iter()
                .map(|o| row(l, o, view.today))
                .collect();
            let totals = Totals::of(l, &b.by_currency, &view.currency);
            BucketSection {
                index: b.index,
                range: range(l, b.start, b.end),
                expected: totals.line(|t| &t.expected, l.amount(&b.expected)),
                paid: totals.line(|t| &t.paid, l.amount(&b.paid)),
                remaining: totals.line(|t| &t.remaining, l.amount(&b.remaining)),
                can_pay_all: b.pay_all_count > 0,
                rows,
            }
        })
        .collect();
    let empty = buckets.iter().all(|b| b.rows.is_empty());
    TrackerPage {
        chrome,
        month_label,
        year: view.year,
        month: view.month,
        prev_href: month_href(py, pm, &sort, &dir),
        next_href: month_href(ny, nm, &sort, &dir),
        return_to: month_href(view.year, view.month, &sort, &dir),
        return_query: encode_component(&month_href(view.year, view.month, &sort, &dir)),
        sort_options: SortKey::ALL
            .iter()
            .map(|k| SortOption {
                value: k.as_str(),
                label: sort_label(*k),
                selected: k.as_str() == sort,
            })
            .collect(),
        sort,
        dir,
        cards,
        safe_to_spend: super::cash::card(l, view, &totals.safe_to_spend_note()),
        buckets,
        empty,
        account_empty: false,
        has_demo: false,
        undo_token: None,
        notice_bucket: None,
        notice: None,
        error: None,
        welcome: None,
        currency_note: totals.mixed_note(),
        currency_offers: Vec::new(),
    }
}

/// `GET /?year=&month=&sort=&dir=` (plus `undo`, `notice`, `error`, and the `bill`, `due` or
/// `bucket` it was about, after a form): the tracker.
pub async fn show(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let app = &state.app;
    let mut undo = None;
    let mut notice = None;
    let mut error = None;
    let mut welcome_error = None;
    let mut notice_code = None;
    let (mut about_bill, mut about_due, mut about_bucket) = (None, None, None);
    let mut rest = Vec::new();
    for (name, value) in pairs {
        match name.as_str() {
            "bill" => about_bill = Some(value),
            "due" => about_due = Some(value),
            "bucket" => about_bucket = value.parse::<usize>().ok(),
            "undo" => undo = pay::parse_undo_token(&value).ok(),
            "welcome_error" => welcome_error = Some(value),
            "notice" => {
                notice = message(&NOTICES, Some(&value));
                notice_code = Some(value);
            }
            "error" if value == "amount" => error = Some(amount_advice(&ctx.locale)),
            "error" => error = error_message(&ERRORS, Some(&value)),
            _ => rest.push((name, value)),
        }
    }
    let query = match TrackerQuery::parse(&rest) {
        Ok(q) => q,
        Err(_) => {
            error = error_message(&ERRORS, Some("query"));
            TrackerQuery::default()
        }
    };
    let view = match tracker::show(app, &user, query).await {
        Ok(v) => v,
        Err(Error::Invalid(_)) if query != TrackerQuery::default() => {
            error = error_message(&ERRORS, Some("query"));
            match tracker::show(app, &user, TrackerQuery::default()).await {
                Ok(v) => v,
                Err(err) => return not_shown(app, &caller, &ctx, err, &NOT_SHOWN),
            }
        }
        Err(err) => return not_shown(app, &caller, &ctx, err, &NOT_SHOWN),
    };
    let welcome = match super::welcome::card(app, &user, welcome_error.as_deref()).await {
        Ok(card) => card,
        Err(err) => return not_shown(app, &caller, &ctx, err, &NOT_SHOWN),
    };
    let demo = match service::demo::offer(app, &user).await {
        Ok(offer) => offer,
        Err(err) => return not_shown(app, &caller, &ctx, err, &NOT_SHOWN),
    };
    // Right after the welcome card set the currency: offer to move the bills made before.
    let others = match notice_code.as_deref() {
        Some("welcome") => match service::bills::in_other_currencies(app, &user).await {
            Ok(others) => others,
            Err(err) => return not_shown(app, &caller, &ctx, err, &NOT_SHOWN),
        },
        _ => Vec::new(),
    };
    if let (Some(code), Some(bill), Some(due)) = (&notice_code, &about_bill, &about_due)
        && let Some(said) = occurrence_notice(&ctx.locale, &view, code, bill, due)
    {
        notice = Some(said);
    }
    let (chrome, cookie) = chrome(app, &caller, &ctx, "Tracker");
    if notice_code.as_deref() == Some("cash_saved") {
        notice = Some(super::cash::saved_notice(
            &ctx.locale,
            view.year,
            view.month,
        ));
    }
    let mut page = present(&ctx.locale, chrome, &view);
    page.welcome = welcome;
    page.currency_offers = super::bill_currency::offers(&others, &view.currency);
    page.account_empty = !demo.has_bills;
    page.has_demo = demo.has_demo;
    page.undo_token = undo;
    page.notice_bucket = about_bucket.filter(|i| page.buckets.iter().any(|b| b.index == *i));
    page.notice = notice;
    page.error = error;
    with_cookie(views::render(&page), cookie)
}

/// What the page says when the month cannot be shown.
const NOT_SHOWN: NotShown<'static> = NotShown {
    title: "Tracker",
    heading: "The tracker could not be shown",
    invalid: Some("Try again in a moment."),
};

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
