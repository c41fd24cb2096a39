//! The tracker page (`GET /`): one month of the user's bills, grouped into pay-period buckets,
//! with the month's totals and one primary action per occurrence. Every action is a plain
//! POST form that redirects back (303), so the page works without JavaScript. All strings
//! arrive formatted by the handler; this module only draws them.

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
    pub buckets: Vec<BucketSection>,
    /// The user has no bills in this month (and the empty state is shown).
    pub empty: bool,
    /// The account has no bill at all: the empty state offers the first bill, and demo data.
    pub account_empty: bool,
    /// Demo data is loaded: offer to remove it.
    pub has_demo: bool,
    /// A pay-all just happened: offer to undo it.
    pub undo_token: Option<String>,
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
    pub currencies: Vec<&'static str>,
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
