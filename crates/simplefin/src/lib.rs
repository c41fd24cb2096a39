//! The SimpleFIN protocol (simplefin.org), as the SimpleFIN Bridge implements it: typed, exact
//! and without a database. The sync service builds on it; storage, scheduling, quotas per
//! connection, de-duplication and matching are not here.
//!
//! - [`SetupToken`] — the pasted Base64 claim URL; [`AccessUrl`] — the standing credential,
//!   redacted in `Debug`/`Display`, its text only through [`AccessUrl::expose_secret`].
//! - [`claim`] and [`fetch`] — the two requests, through the guarded
//!   [`outbound::OutboundClient`] (SSRF rules, timeouts, size cap); failures are an [`Error`]
//!   whose texts never hold the access URL.
//! - [`AccountSet`] and its parts — v1 and v2 answers read item by item: one unreadable
//!   account or transaction is an [`ItemProblem`], the rest are kept. Amounts are exact
//!   ([`Amount`]: minor units for ISO currencies, a [`Decimal`] for custom ones); `posted: 0`
//!   is `None`, never 1970. Every text meant for a person is [`sanitise`]d.
//! - [`Query`], [`windows`] and the limits ([`MAX_WINDOW_DAYS`], [`FIRST_SYNC_LOOKBACK_DAYS`],
//!   [`ROUTINE_LOOKBACK_DAYS`], [`DAILY_REQUEST_QUOTA`]).
//!
//! Module map: `token`, `client`, `parse`, `model`, `query`, `decimal`, `sanitize`.

mod client;
mod decimal;
mod model;
mod parse;
mod query;
mod sanitize;
mod token;

pub use bankfile::decimal::Decimal;
pub use client::{Error, claim, fetch};
pub use model::{
    Account, AccountCurrency, AccountSet, Amount, BridgeCode, BridgeMessage, Connection,
    ItemProblem, Org, Transaction,
};
pub use parse::account_set as parse_account_set;
pub use query::{
    DAILY_REQUEST_QUOTA, FIRST_SYNC_LOOKBACK_DAYS, MAX_WINDOW_DAYS, Query, ROUTINE_LOOKBACK_DAYS,
    Version, windows,
};
pub use sanitize::{MAX_TEXT_CHARS, sanitise};
pub use token::{ACCESS_URL_FIELD, AccessUrl, MAX_TOKEN_CHARS, SETUP_TOKEN_FIELD, SetupToken};
