//! The tracker, the home view: every occurrence of the user's bills in one month with its
//! status, grouped into pay-period buckets, with the month's totals and safe-to-spend.
//!
//! Rules:
//! - "Today" is the user's calendar date in their time zone ([`crate::preferences`]); statuses,
//!   the default month and "up to today" all use it.
//! - A bill shows in a month when one of its occurrences falls on a day inside one of its
//!   active ranges, so a bill deactivated in March still shows in February, and weekly bills
//!   show every occurrence.
//! - An occurrence's expected amount is its month state's actual amount when one is set, else
//!   the bill's; its paid total is the sum of the live payments whose `cycle_due` is its due
//!   date. Status comes from [`domain::status::occurrence_status`] and nothing else.
//! - Amounts of two currencies are never added: totals are kept per currency ([`totals`]),
//!   the user's first, so a bill in another currency is neither mixed in nor silently left
//!   out. Safe-to-spend counts only bills in the user's currency (its cash is in it).
//! - Every sum is checked; an overflow is a 422 naming the total, never a wrapped number.
//! - A month is read with a fixed number of queries, each limited to that month's dates, so
//!   the work is proportional to one month, not to the user's history.
//!
//! Submodules: [`query`] (the month, sort order and URL parameters), [`month`] (reading a
//! month's occurrences), [`summary`] (buckets, totals, safe-to-spend, sort orders), [`totals`]
//! (sums per currency), [`next_due`] (a bill's earliest owing occurrence), [`pay`]
//! (quick pay, toggle paid, pay all with undo), [`settings`] (the user's tracking settings),
//! [`cash`] (starting cash and income per pay period, recurring income), [`history`] (a
//! bill's earlier occurrences still owing), [`autopay`] (autopay occurrences verified or flagged
//! by the bank's transactions).
//!
//! Results are typed: ids, dates, [`domain::money::Money`] (an amount never travels without
//! its currency), [`domain::status::OccurrenceStatus`] and the other domain enums. Nothing
//! here is JSON: the API's wire types are `web::api::wire::tracker`'s, built from these.

pub mod autopay;
pub mod bank;
pub mod cash;
pub mod history;
pub mod month;
pub mod next_due;
pub mod pay;
pub mod query;
pub mod settings;
pub mod summary;
pub mod totals;

use chrono::Datelike;

use crate::auth::Principal;
use crate::preferences::{self, data_owner};
use crate::{App, Result};

pub use cash::{CashInput, CashMonth, CashPeriod, RecurringIncome, SavedCash, set_cash};
pub use history::{UnpaidHistory, pay_history, unpaid_history};
pub use month::Occurrence;
pub use pay::{PaidAll, QuickPay, Undone};
pub use query::{SortDir, SortKey, TrackerQuery, YearMonth};
pub use settings::Settings;
pub use summary::{MonthBucket, MonthSummary, TrackerMonth};
pub use totals::CurrencyTotals;

/// The month view for the caller: their bills' occurrences, buckets and totals.
pub async fn show(app: &App, principal: &Principal, query: TrackerQuery) -> Result<TrackerMonth> {
    let owner = data_owner(principal)?;
    let prefs = preferences::load(app, owner).await?;
    let today = prefs.today(app.now());
    let ym = YearMonth::new(
        i64::from(query.year.unwrap_or(today.year())),
        i64::from(query.month.unwrap_or(today.month())),
    )?;
    let (first, last) = ym.bounds()?;
    let bills = app.store.bills_active_between(owner, first, last).await?;
    let (mut occurrences, rows, per_payday) = tokio::try_join!(
        month::occurrences(app, owner, &prefs, today, &bills, first, last),
        async { Ok(app.store.month_cash(owner, &ym.key()).await?) },
        async { Ok(app.store.recurring_income(owner).await?) },
    )?;
    autopay::mark(
        app,
        owner,
        &prefs,
        today,
        &bills,
        (first, last),
        &mut occurrences,
    )
    .await?;
    let periods = domain::buckets::buckets(ym.year(), ym.month(), &prefs.paydays);
    let cash = cash::resolve(&periods, &prefs.paydays, &rows, per_payday);
    let mut month = summary::present(ym, today, &prefs, occurrences, &cash, query.sort, query.dir)?;
    if first <= today && today <= last {
        let summary = &month.summary;
        month.bank = bank::status(
            app,
            owner,
            summary.due_before_payday,
            summary.safe_to_spend_due_by,
        )
        .await?;
    }
    Ok(month)
}
