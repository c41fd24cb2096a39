//! The tracker page built from what the service read: the month view becomes
//! [`TrackerPage`] ([`present`], also used by the in-place answers of [`super::in_place`]),
//! and [`page`] adds what the address asked for (banners, the undo of a pay-all, the pay
//! period a banner is about) and the offers (welcome card, demo data, bills in other
//! currencies). Only words and layout here: every rule (settled, remaining, totals) is the
//! service's.

use chrono::{Datelike, NaiveDate};
use domain::matching::autopay::AutopayCheck;
use service::bills::OtherCurrencyBills;
use service::demo::DemoOffer;
use service::tracker::pay;
use service::tracker::{Occurrence, SortKey, TrackerMonth};

use super::super::cash;
use super::super::common::{badge, encode_component, message, relative};
use super::super::forms::error_message;
use super::totals::Totals;
use super::{ERRORS, NOTICES, month_href, neighbours};
use crate::locale::Locale;
use crate::views::tracker::{BucketSection, OccurrenceRow, SortOption, SummaryCard, WelcomeCard};
use crate::views::{Chrome, TrackerPage};

/// What the address asks of the page besides the month (`rest`): the banners by code, the
/// undo of a pay-all, and the bill, due date or pay period a banner is about. The last of a
/// repeated parameter wins.
#[derive(Debug, Default)]
pub(super) struct Asked {
    pub undo: Option<String>,
    pub notice: Option<String>,
    pub error: Option<String>,
    pub welcome_error: Option<String>,
    pub bill: Option<String>,
    pub due: Option<String>,
    pub bucket: Option<usize>,
    /// The month and sort order (`TrackerQuery::parse`'s).
    pub rest: Vec<(String, String)>,
}

impl Asked {
    pub fn read(pairs: Vec<(String, String)>) -> Self {
        let mut asked = Asked::default();
        for (name, value) in pairs {
            match name.as_str() {
                "bill" => asked.bill = Some(value),
                "due" => asked.due = Some(value),
                "bucket" => asked.bucket = value.parse::<usize>().ok(),
                "undo" => asked.undo = pay::parse_undo_token(&value).ok(),
                "welcome_error" => asked.welcome_error = Some(value),
                "notice" => asked.notice = Some(value),
                "error" => asked.error = Some(value),
                _ => asked.rest.push((name, value)),
            }
        }
        asked
    }
}

/// What the tracker page shows, as read by the service.
pub(super) struct Shown {
    pub view: TrackerMonth,
    /// The month or sort order asked for was refused: the current month is shown instead.
    pub query_refused: bool,
    pub welcome: Option<WelcomeCard>,
    pub demo: DemoOffer,
    /// Right after the welcome card: the bills in other currencies than the one chosen.
    pub others: Vec<OtherCurrencyBills>,
}

/// The whole page: the month, with the banners and offers.
pub(super) fn page(l: &Locale, chrome: Chrome, shown: Shown, asked: Asked) -> TrackerPage {
    let Shown {
        view,
        query_refused,
        welcome,
        demo,
        others,
    } = shown;
    let code = asked.notice.as_deref();
    let mut notice = message(&NOTICES, code);
    if let (Some(code), Some(bill), Some(due)) = (code, &asked.bill, &asked.due)
        && let Some(said) = occurrence_notice(l, &view, code, bill, due)
    {
        notice = Some(said);
    }
    if code == Some("cash_saved") {
        notice = Some(cash::saved_notice(l, view.year, view.month));
    }
    let error = match asked.error.as_deref() {
        _ if query_refused => error_message(&ERRORS, Some("query")),
        Some("amount") => Some(amount_advice(l)),
        code => error_message(&ERRORS, code),
    };
    let mut page = present(l, chrome, &view);
    page.welcome = welcome;
    page.currency_offers = super::super::bill_currency::offers(&others, view.currency.code());
    page.account_empty = !demo.has_bills;
    page.has_demo = demo.has_demo;
    page.undo_token = asked.undo;
    page.notice_bucket = asked
        .bucket
        .filter(|i| page.buckets.iter().any(|b| b.index == *i));
    page.notice = notice;
    page.error = error;
    page
}

fn row(l: &Locale, o: &Occurrence, today: NaiveDate) -> OccurrenceRow {
    let (status_label, badge_class) = badge(o.status);
    // The service's rules: settled (Undo instead of Pay) and what remains.
    let remaining = o.remaining();
    let (paid, owing) = (o.is_settled(), remaining.minor > 0);
    OccurrenceRow {
        bill_id: o.bill_id.to_string(),
        bill_name: o.bill_name.clone(),
        category: o.category_name.clone(),
        due_label: l.day(o.due),
        relative: if owing {
            relative(o.due, today)
        } else {
            String::new()
        },
        due_date: o.due.to_string(),
        amount: l.money_of(o.expected),
        status_label,
        badge_class,
        paid,
        can_pay: !paid && owing,
        asks_amount: o.amount_kind == domain::bill::AmountKind::Estimated,
        pay_amount: l.money_field(o.actual.unwrap_or(remaining)),
        skipped: o.skipped,
        actual_amount: o.actual.map(|a| l.money_field(a)).unwrap_or_default(),
        note: o.note.clone(),
        snoozed_until: o.snoozed_until.map(|d| d.to_string()).unwrap_or_default(),
        snoozed_label: o.snoozed_until.map(|d| l.date(d)).unwrap_or_default(),
        autopay: o.autopay_check.map(|check| match check {
            AutopayCheck::Verified => ("Autopay verified", "badge-paid"),
            AutopayCheck::Flagged => ("Autopay: no bank payment", "badge-late"),
        }),
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

pub(crate) fn range(l: &Locale, start: NaiveDate, end: NaiveDate) -> String {
    format!("{} – {}", l.day_month(start), l.day_month(end))
}

/// What a form did to one occurrence, naming the bill and the month ("Netflix skipped for
/// March 2026"): the name comes from the month shown, never from the URL.
pub(super) fn occurrence_notice(
    l: &Locale,
    view: &TrackerMonth,
    code: &str,
    bill: &str,
    due: &str,
) -> Option<String> {
    let o = view
        .buckets
        .iter()
        .flat_map(|b| &b.occurrences)
        .find(|o| o.bill_id.to_string() == bill && o.due.to_string() == due)?;
    let month = l.month(o.due.year(), o.due.month());
    let name = &o.bill_name;
    Some(match code {
        "paid" => format!("{name} marked paid for {month}."),
        "unpaid" => format!("{name} for {month} is unpaid again."),
        "skipped" => format!("{name} skipped for {month}."),
        "unskipped" => format!("{name} is back on the list for {month}."),
        _ => return None,
    })
}

/// Builds the page from the month view (its banners and offers are [`page`]'s).
pub(super) fn present(l: &Locale, chrome: Chrome, view: &TrackerMonth) -> TrackerPage {
    let sort = view.sort.as_str().to_owned();
    let dir = view.dir.as_str().to_owned();
    let ((py, pm), (ny, nm)) = neighbours(view.year, view.month);
    let month_label = l.month(view.year, view.month);
    let s = &view.summary;
    let totals = Totals::of(l, &s.by_currency, view.currency);
    let mut cards = vec![
        totals.card("Expected", |t| t.expected, l.money_of(s.expected)),
        totals.card("Paid", |t| t.paid, l.money_of(s.paid)),
        totals.card("Remaining", |t| t.remaining, l.money_of(s.remaining)),
        SummaryCard {
            label: "Late or missed",
            value: s.overdue_count.to_string(),
            ..SummaryCard::default()
        },
    ];
    if let Some(remaining) = cards.get_mut(2) {
        remaining.note = totals.difference_notes(s.settled_difference);
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
            let totals = Totals::of(l, &b.by_currency, view.currency);
            BucketSection {
                index: b.index,
                range: range(l, b.start, b.end),
                expected: totals.line(|t| t.expected, l.money_of(b.expected)),
                paid: totals.line(|t| t.paid, l.money_of(b.paid)),
                remaining: totals.line(|t| t.remaining, l.money_of(b.remaining)),
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
                selected: *k == view.sort,
            })
            .collect(),
        sort,
        dir,
        cards,
        safe_to_spend: cash::card(l, view, &totals.safe_to_spend_note()),
        bank: view.bank.as_ref().map(|b| bank_bar(l, b)),
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

/// The bank status bar's words.
fn bank_bar(l: &Locale, b: &service::tracker::bank::BankStatus) -> crate::views::tracker::BankBar {
    let accounts = if b.accounts == 1 {
        "1 account".to_owned()
    } else {
        format!("{} accounts", b.accounts)
    };
    crate::views::tracker::BankBar {
        balance: l.money_of(b.balance),
        source: match b.as_of {
            Some(at) => format!("{accounts}, as of {}", l.date(at.date_naive())),
            None => accounts,
        },
        stale: b.stale,
        to_pay: l.money_of(b.to_pay),
        due_by: format!("due by {}", l.day_month(b.due_by)),
        projected: l.money_of(b.projected),
        projected_negative: b.projected.minor < 0,
    }
}
