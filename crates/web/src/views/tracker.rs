//! The tracker page (`GET /`): one month of the user's bills, grouped into pay-period buckets,
//! with the month's totals and one primary action per occurrence. Every action is a plain
//! POST form that redirects back (303), so the page works without JavaScript; with it, a
//! row's form gets [`TrackerRowPartial`] instead and the page changes in place. The page and
//! the partial draw the row, the pay-period header and the summary cards with the same
//! included templates (`tracker_row.html`, `tracker_bucket_header.html`,
//! `tracker_summary.html`), so they cannot drift apart. All strings arrive formatted by the
//! handler; this module only draws them.

use askama::Template;
use axum::response::{IntoResponse, Response};

use super::{Chrome, Page, Section};

/// `GET /` for a signed-in user with data.
#[derive(Debug, Clone, Template)]
#[template(path = "tracker_page.html")]
pub struct TrackerPage {
    pub chrome: Chrome,
    /// "March 2026".
    pub month_label: String,
    pub year: i32,
    pub month: u32,
    /// The current sort key and direction (`due`, `asc`, …).
    pub sort: String,
    pub dir: String,
    /// The previous and next months, keeping the sort.
    pub prev_href: String,
    pub next_href: String,
    /// Where every form returns to: this month with this sort.
    pub return_to: String,
    /// `return_to` percent-encoded, for links that carry it in their query.
    pub return_query: String,
    pub sort_options: Vec<SortOption>,
    pub cards: Vec<SummaryCard>,
    /// The safe-to-spend card, or the link to set what it needs.
    pub safe_to_spend: SafeToSpendCard,
    /// The bank status bar (this month, with monitored synced accounts).
    pub bank: Option<BankBar>,
    pub buckets: Vec<BucketSection>,
    /// The user has no bills in this month (and the empty state is shown).
    pub empty: bool,
    /// The account has no bill at all: the empty state offers the first bill, and demo data.
    pub account_empty: bool,
    /// Demo data is loaded: offer to remove it.
    pub has_demo: bool,
    /// A pay-all just happened: offer to undo it.
    pub undo_token: Option<String>,
    /// The pay period a pay-all (or its undo) acted on: the banner sits under its header,
    /// where the browser lands (`#bucket-N`), instead of at the top of the page.
    pub notice_bucket: Option<usize>,
    /// A success message for the banner.
    pub notice: Option<String>,
    /// An error message for the banner.
    pub error: Option<String>,
    /// The account never saved its settings: ask for currency, time zone and locale.
    pub welcome: Option<WelcomeCard>,
    /// The month mixes currencies: says each is totalled on its own (empty: one currency).
    pub currency_note: String,
    /// Right after the welcome card: bills in other currencies than the one chosen, with the
    /// offer to move them.
    pub currency_offers: Vec<super::profile::CurrencyOffer>,
}

/// The first sign-in's question: currency, time zone, locale, pre-filled.
#[derive(Debug, Clone, Default)]
pub struct WelcomeCard {
    pub currency: String,
    pub time_zone: String,
    pub locale: String,
    /// (code, "EUR — Euro").
    pub currencies: Vec<(&'static str, String)>,
    pub time_zones: Vec<&'static str>,
    /// `(field, message)` of a refused answer.
    pub error: Option<(String, String)>,
}

impl WelcomeCard {
    /// The message for `field`, when the last answer was refused there.
    pub fn error_for(&self, field: &str) -> Option<&str> {
        self.error
            .as_ref()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }
}

/// One choice of the sort select.
#[derive(Debug, Clone, Default)]
pub struct SortOption {
    pub value: &'static str,
    pub label: &'static str,
    pub selected: bool,
}

/// One summary card.
#[derive(Debug, Clone, Default)]
pub struct SummaryCard {
    pub label: &'static str,
    /// The value (the user's currency's, or the first currency's).
    pub value: String,
    /// The same total in each further currency of the month, one line each (never added).
    pub more: Vec<String>,
    /// A line under the value that explains it (empty: none).
    pub note: String,
}

/// The safe-to-spend card. Shown only when the current pay period has starting cash or
/// income; otherwise the page offers a link to the cash page instead.
#[derive(Debug, Clone, Default)]
pub struct SafeToSpendCard {
    /// The amount; `None`: nothing to compute it from.
    pub value: Option<String>,
    /// One line saying what it is: "Cash + income this pay period − bills still due by Mar 14".
    pub explanation: String,
    /// The cash page of the month.
    pub href: String,
}

/// One pay period of the month.
#[derive(Debug, Clone, Default)]
pub struct BucketSection {
    pub index: usize,
    /// "Mar 1 – Mar 14".
    pub range: String,
    pub expected: String,
    pub paid: String,
    pub remaining: String,
    /// Some occurrence owes money and is due by today: offer "Pay all due".
    pub can_pay_all: bool,
    pub rows: Vec<OccurrenceRow>,
}

/// One occurrence of a bill.
#[derive(Debug, Clone, Default)]
pub struct OccurrenceRow {
    pub bill_id: String,
    pub bill_name: String,
    /// The category's name, shown as a chip.
    pub category: Option<String>,
    /// "Tue 14".
    pub due_label: String,
    /// "in 3 days", "today", "2 days ago" for what is still owed; empty otherwise.
    pub relative: String,
    /// `YYYY-MM-DD`, for the forms.
    pub due_date: String,
    /// The expected amount in its currency.
    pub amount: String,
    /// The status badge's text ("Paid", "Due soon", …).
    pub status_label: &'static str,
    /// The badge's modifier class (`badge-paid`, …).
    pub badge_class: &'static str,
    /// Settled by payments: the primary action is "Undo".
    pub paid: bool,
    /// Still owes money and is not skipped: the primary action is "Pay".
    pub can_pay: bool,
    /// An estimated bill: "Pay" asks for the amount (pre-filled with [`Self::pay_amount`])
    /// instead of recording the estimate.
    pub asks_amount: bool,
    /// What "Pay" proposes: this month's actual amount when set, else what is still owed.
    pub pay_amount: String,
    pub skipped: bool,
    /// This month's actual amount as typed (`12.50`), empty when the expected amount applies.
    pub actual_amount: String,
    /// This month's note.
    pub note: String,
    /// `YYYY-MM-DD` the reminder is snoozed until, or empty.
    pub snoozed_until: String,
    /// The same date as the user's locale writes it.
    pub snoozed_label: String,
    /// An autopay bill's check against the bank: (badge text, badge class).
    pub autopay: Option<(&'static str, &'static str)>,
}

impl OccurrenceRow {
    /// The row's id, the anchor a form returns to without JavaScript:
    /// `occ-<bill id>-<YYYY-MM-DD>`.
    pub fn anchor(&self) -> String {
        occurrence_anchor(&self.bill_id, &self.due_date)
    }
}

/// The anchor of one occurrence's row (`occ-<bill id>-<YYYY-MM-DD>`).
pub fn occurrence_anchor(bill_id: &str, due_date: &str) -> String {
    format!("occ-{bill_id}-{due_date}")
}

/// The answer to a row's form sent by htmx: the row again, its pay period's header and the
/// summary cards (out of band), and what happened, as a toast. On an error the row may be
/// missing (`None`: nothing of the caller's to draw), and the toast says what went wrong.
#[derive(Debug, Clone, Template)]
#[template(path = "tracker_row_partial.html")]
pub struct TrackerRowPartial {
    /// Only the CSRF token is drawn (in the row's forms).
    pub chrome: Chrome,
    pub year: i32,
    pub month: u32,
    /// Where the row's forms return to (as on the page).
    pub return_to: String,
    pub return_query: String,
    pub row: Option<OccurrenceRow>,
    /// The row's pay period; its `rows` are not drawn.
    pub bucket: Option<BucketSection>,
    /// The month's summary cards (empty: left as they are).
    pub cards: Vec<SummaryCard>,
    /// The safe-to-spend card, drawn with the summary cards.
    pub safe_to_spend: SafeToSpendCard,
    /// What happened ("Rent marked paid for March 2026."), or what went wrong.
    pub message: String,
    /// `message` is an error.
    pub failed: bool,
    /// 200, or the error's status (404, 409, 422, 429).
    pub status: u16,
}

impl Page for TrackerRowPartial {
    fn status(&self) -> axum::http::StatusCode {
        axum::http::StatusCode::from_u16(self.status)
            .unwrap_or(axum::http::StatusCode::UNPROCESSABLE_ENTITY)
    }
}

/// The bank status bar's words: live balance, still to pay before payday, projected.
#[derive(Debug, Clone, Default)]
pub struct BankBar {
    pub balance: String,
    /// "2 accounts, as of 7 Dec, 09:00".
    pub source: String,
    pub stale: bool,
    pub to_pay: String,
    /// "by 14 Dec".
    pub due_by: String,
    pub projected: String,
    pub projected_negative: bool,
}

impl Page for TrackerPage {
    fn section(&self) -> Section {
        Section::Tracker
    }
}

impl TrackerPage {
    /// The page as an HTML response.
    pub fn render(&self) -> Response {
        super::render(self)
    }
}

impl IntoResponse for TrackerPage {
    fn into_response(self) -> Response {
        self.render()
    }
}

#[cfg(test)]
mod tests {
    use testkit::html::{forms, tags};

    use super::*;

    const HOSTILE: &str = "<script>alert(1)</script>\"><img src=x onerror=alert(1)>";

    fn partial(with_row: bool) -> TrackerRowPartial {
        let row = OccurrenceRow {
            bill_id: "0190f000-0000-7000-8000-000000000000".to_owned(),
            bill_name: HOSTILE.to_owned(),
            category: Some(HOSTILE.to_owned()),
            due_date: "2026-03-20".to_owned(),
            note: HOSTILE.to_owned(),
            asks_amount: true,
            can_pay: true,
            pay_amount: HOSTILE.to_owned(),
            ..OccurrenceRow::default()
        };
        TrackerRowPartial {
            chrome: Chrome {
                csrf_token: "csrf-T0ken".to_owned(),
                ..Chrome::default()
            },
            year: 2026,
            month: 3,
            return_to: HOSTILE.to_owned(),
            return_query: HOSTILE.to_owned(),
            row: with_row.then_some(row),
            bucket: Some(BucketSection {
                range: HOSTILE.to_owned(),
                can_pay_all: true,
                ..BucketSection::default()
            }),
            cards: vec![SummaryCard {
                label: "Paid",
                value: HOSTILE.to_owned(),
                more: vec![HOSTILE.to_owned()],
                note: HOSTILE.to_owned(),
            }],
            safe_to_spend: SafeToSpendCard {
                value: Some(HOSTILE.to_owned()),
                explanation: HOSTILE.to_owned(),
                href: HOSTILE.to_owned(),
            },
            message: HOSTILE.to_owned(),
            failed: !with_row,
            status: if with_row { 200 } else { 404 },
        }
    }

    #[test]
    fn the_row_partial_escapes_everything_and_every_form_carries_the_csrf_token() {
        for with_row in [true, false] {
            let html = Template::render(&partial(with_row)).expect("renders");
            assert!(
                !html.contains("<script>") && !html.contains("<img"),
                "{html}"
            );
            for tag in tags(&html) {
                assert!(
                    !matches!(tag.name.as_str(), "script" | "img" | "style"),
                    "{tag:?}"
                );
                assert!(
                    !tag.attrs
                        .iter()
                        .any(|(name, _)| name.starts_with("on") || name == "style"),
                    "{tag:?}"
                );
            }
            assert_eq!(html.starts_with("<tr id=\"occ-"), with_row, "{html}");
            for form in forms(&html).expect("well formed") {
                if form.method == "post" {
                    assert_eq!(form.csrf_tokens.len(), 1, "{html}");
                }
            }
            assert!(html.contains("hx-swap-oob=\"innerHTML:.toasts\""), "{html}");
        }
    }
}
