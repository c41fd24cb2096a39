//! The JSON wire types of the API: what a handler answers (and the request bodies it reads),
//! built from the service's typed results (`From<&…>`), with `Serialize` and the OpenAPI schema (`utoipa::ToSchema`). The
//! service returns domain types (ids, dates, [`Money`], enums) and knows nothing of JSON; the
//! field names, order and formats here are the API's contract, kept byte for byte.
//!
//! [`AmountView`] is the amount every area's answers share; each area's own types live in
//! its submodule ([`tracker`], [`cash`], [`settings`], [`accounts`], [`sign_in_methods`],
//! [`bills`], [`bill_requests`], [`money`], [`bank`], [`rules`], [`sync`]).

use domain::money::{Currency, Money, format_minor};
use serde::Serialize;

pub mod accounts;
pub mod bank;
pub mod bill_requests;
pub mod bills;
pub mod cash;
pub mod matching;
pub mod money;
pub mod rules;
pub mod settings;
pub mod sign_in_methods;
pub mod sync;
pub mod tracker;

/// An amount as the API shows it: decimal text, minor units and the currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct AmountView {
    /// Decimal text such as `"12.34"`.
    pub amount: String,
    /// The same amount in minor units (cents for USD).
    pub amount_minor: i64,
    /// ISO 4217 code.
    pub currency: String,
}

impl AmountView {
    /// `minor` units of `currency`.
    pub fn new(minor: i64, currency: Currency) -> Self {
        Self {
            amount: format_minor(minor, currency),
            amount_minor: minor,
            currency: currency.code().to_owned(),
        }
    }
}

impl From<Money> for AmountView {
    fn from(money: Money) -> Self {
        Self::new(money.minor, money.currency)
    }
}

impl From<&Money> for AmountView {
    fn from(money: &Money) -> Self {
        Self::from(*money)
    }
}

/// An optional amount as the API shows it (`None`: `null`).
pub fn maybe(amount: Option<Money>) -> Option<AmountView> {
    amount.map(AmountView::from)
}

/// Every item of `items` on the wire.
pub fn all<'a, S: 'a, W: From<&'a S>>(items: &'a [S]) -> Vec<W> {
    items.iter().map(W::from).collect()
}
