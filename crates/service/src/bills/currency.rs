//! Bills in another currency than the user's (issue 14, item 7): when the default currency
//! changes, the bills already made keep theirs, and the tracker totals them apart. This module
//! says how many there are and moves them to another currency in one step.
//!
//! Rules:
//! - No exchange rate is invented: a move keeps every amount as it reads (12.34 USD becomes
//!   12.34 EUR; payments and month states keep their minor units too). So a move is allowed
//!   only between currencies with the same number of decimals; otherwise it is refused naming
//!   `to`, because the amounts would change.
//! - Only the caller's own bills that are not deleted move (active or not), in one statement;
//!   each bill's version goes up, so an edit form opened before is refused as stale. The move
//!   is audited (`bills.currency_changed`, with the two codes and the count).

use domain::id::UserId;
use domain::money::Currency;

use crate::auth::{Principal, RequestMeta};
use crate::preferences::{self, data_owner};
use crate::{App, Error, Result, audit};

/// Bills in one currency that is not the caller's default.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherCurrencyBills {
    /// ISO 4217 code of these bills.
    pub currency: String,
    /// How many bills (not deleted, active or not) are in it.
    pub bills: i64,
    /// Whether they can move to the default currency in one step: only when both have the same
    /// number of decimals, so the amounts read the same.
    pub can_change: bool,
}

/// What a currency move did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CurrencyChange {
    pub from: Currency,
    pub to: Currency,
    /// How many bills moved (0 when none was in `from`).
    pub changed: u64,
}

/// The caller's bills in currencies other than their default, by code.
pub async fn in_other_currencies(
    app: &App,
    principal: &Principal,
) -> Result<Vec<OtherCurrencyBills>> {
    let owner = data_owner(principal)?;
    let home = preferences::load(app, owner).await?.currency;
    other_currencies_of(app, owner, home).await
}

/// `owner`'s bills in currencies other than `home`, by code.
pub(crate) async fn other_currencies_of(
    app: &App,
    owner: UserId,
    home: Currency,
) -> Result<Vec<OtherCurrencyBills>> {
    let counts = app.store.bill_currency_counts(owner).await?;
    Ok(counts
        .into_iter()
        .filter(|c| c.currency != home.code())
        .map(|c| {
            let can_change = Currency::parse("currency", &c.currency)
                .is_ok_and(|from| from.exponent() == home.exponent());
            OtherCurrencyBills {
                currency: c.currency,
                bills: c.bills,
                can_change,
            }
        })
        .collect())
}

/// Moves every one of the caller's bills in `from` to `to`, amounts unchanged (see the module
/// rules); audited.
pub async fn change_currency(
    app: &App,
    principal: &Principal,
    from: Currency,
    to: Currency,
    meta: &RequestMeta,
) -> Result<CurrencyChange> {
    let owner = data_owner(principal)?;
    if from == to {
        return Err(Error::invalid("to", "must differ from the bills' currency"));
    }
    if from.exponent() != to.exponent() {
        return Err(Error::invalid(
            "to",
            format!(
                "has {} decimal places and {from} has {}, so the amounts would change; no conversion is made",
                to.exponent(),
                from.exponent()
            ),
        ));
    }
    let changed = app
        .store
        .change_bills_currency(owner, from.code(), to.code(), app.now())
        .await?;
    audit::record(
        app,
        &principal.actor(),
        "bills.currency_changed",
        None,
        meta.ip,
        serde_json::json!({"from": from.code(), "to": to.code(), "bills": changed}),
    )
    .await?;
    Ok(CurrencyChange { from, to, changed })
}
