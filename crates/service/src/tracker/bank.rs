//! The tracker's bank status bar: the live balance of the user's monitored synced accounts in
//! their currency, the bills still to pay before the next payday, and the balance projected
//! after paying them.
//!
//! Only accounts that are monitored, feed a bank account and report a balance in the user's
//! currency count (other currencies are never added in). `as_of` is the oldest of their
//! balance dates, so the bar never claims to be fresher than its stalest part; `stale` is set
//! when that is older than [`crate::sync::STALE_HOURS`].

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::id::UserId;
use domain::money::{Money, TOO_LARGE};

use crate::{App, Result};

/// The bar's figures, all in the user's currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankStatus {
    pub balance: Money,
    /// How many accounts the balance adds up.
    pub accounts: usize,
    pub as_of: Option<DateTime<Utc>>,
    pub stale: bool,
    /// Still owed on bills due by `due_by` (the day before the next payday).
    pub to_pay: Money,
    pub due_by: NaiveDate,
    /// `balance − to_pay`.
    pub projected: Money,
}

/// The bar for the current month, whose bills still owe `to_pay` (in the user's currency) by
/// `due_by`; `None` without a counted account.
pub async fn status(
    app: &App,
    owner: UserId,
    to_pay: Money,
    due_by: NaiveDate,
) -> Result<Option<BankStatus>> {
    let currency = to_pay.currency;
    let accounts = app.store.sync_accounts(owner, None).await?;
    let counted: Vec<_> = accounts
        .iter()
        .filter(|a| a.monitored && a.bank_account_id.is_some() && a.currency == currency.code())
        .filter_map(|a| a.balance_minor.map(|b| (b, a.balance_date)))
        .collect();
    if counted.is_empty() {
        return Ok(None);
    }
    let balance = domain::money::sum_minor("bank_balance", counted.iter().map(|(b, _)| *b))
        .map_err(|_| domain::Invalid::new("bank_balance", TOO_LARGE))?;
    let projected = balance
        .checked_sub(to_pay.minor)
        .ok_or_else(|| domain::Invalid::new("projected_balance", TOO_LARGE))?;
    let as_of = counted.iter().map(|(_, at)| *at).min().flatten();
    let stale = as_of.is_none_or(|at| app.now() - at > Duration::hours(crate::sync::STALE_HOURS));
    Ok(Some(BankStatus {
        balance: Money::new(balance, currency),
        accounts: counted.len(),
        as_of,
        stale,
        to_pay,
        due_by,
        projected: Money::new(projected, currency),
    }))
}
