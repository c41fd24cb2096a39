//! The typed answer of `GET /accounts`: an [`AccountSet`] of [`Account`]s with their
//! [`Transaction`]s, the Bridge's [`BridgeMessage`]s (v1 `errors` and v2 `errlist`), v2
//! [`Connection`]s, and the [`ItemProblem`]s of items that could not be read (one bad row is
//! reported, the others kept). Every text meant for a person is already sanitised; ids are
//! kept as sent (they are keys).

use chrono::{DateTime, Utc};
use domain::money::{Currency, Money};

use bankfile::decimal::Decimal;

/// One answer of the Bridge.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AccountSet {
    /// Messages to show the person: v1 `errors` (no code) and v2 `errlist` entries.
    pub messages: Vec<BridgeMessage>,
    /// v2: the connections (one per bank login at the Bridge).
    pub connections: Vec<Connection>,
    /// The accounts that could be read.
    pub accounts: Vec<Account>,
    /// Accounts, transactions or messages that could not be read, and why.
    pub problems: Vec<ItemProblem>,
}

impl AccountSet {
    /// Whether any message carries `code` (e.g. [`BridgeCode::ConnectionAuth`]: the person
    /// must reconnect at the Bridge).
    pub fn has_code(&self, code: &BridgeCode) -> bool {
        self.messages.iter().any(|m| m.code.as_ref() == Some(code))
    }
}

/// A message from the Bridge for the person (sanitised).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BridgeMessage {
    /// v2 only; `None` for v1 `errors` strings.
    pub code: Option<BridgeCode>,
    pub text: String,
    /// v2: the connection it is about.
    pub conn_id: Option<String>,
    /// v2: the account it is about.
    pub account_id: Option<String>,
}

/// The v2 `errlist` codes.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BridgeCode {
    /// `gen.auth`: the app's access failed (treat like a revoked access URL).
    GeneralAuth,
    /// `con.auth`: the bank connection needs the person to sign in again at the Bridge.
    ConnectionAuth,
    /// `act.failed`: fetching one account failed.
    AccountFailed,
    /// `act.missingdata`: one account's data is incomplete.
    AccountMissingData,
    /// Any other code, kept as sent (sanitised).
    Unknown(String),
}

impl BridgeCode {
    /// Reads a code as sent.
    pub fn parse(code: &str) -> Self {
        match code.trim() {
            "gen.auth" => Self::GeneralAuth,
            "con.auth" => Self::ConnectionAuth,
            "act.failed" => Self::AccountFailed,
            "act.missingdata" => Self::AccountMissingData,
            other => Self::Unknown(crate::sanitise(other)),
        }
    }

    /// The code as the protocol writes it.
    pub fn as_str(&self) -> &str {
        match self {
            Self::GeneralAuth => "gen.auth",
            Self::ConnectionAuth => "con.auth",
            Self::AccountFailed => "act.failed",
            Self::AccountMissingData => "act.missingdata",
            Self::Unknown(code) => code,
        }
    }
}

/// A v2 connection: one bank login at the Bridge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    pub conn_id: String,
    pub name: Option<String>,
    pub org_id: Option<String>,
    pub org_name: Option<String>,
    pub org_url: Option<String>,
    pub sfin_url: Option<String>,
}

/// A v1 account's institution (every field optional in practice).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Org {
    pub domain: Option<String>,
    pub name: Option<String>,
    pub sfin_url: Option<String>,
    pub url: Option<String>,
    pub id: Option<String>,
}

/// An account's currency: ISO 4217, or a custom currency named by a URL (points, miles).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountCurrency {
    Iso(Currency),
    Custom(String),
}

/// An amount in an account's currency: exact minor units for ISO currencies, the exact
/// decimal for a custom one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Amount {
    Iso(Money),
    Custom(Decimal),
}

impl Amount {
    /// The minor units when the currency is ISO.
    pub fn money(self) -> Option<Money> {
        match self {
            Self::Iso(money) => Some(money),
            Self::Custom(_) => None,
        }
    }
}

/// One account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    pub name: String,
    /// v2: the connection it belongs to.
    pub conn_id: Option<String>,
    /// v1: the institution.
    pub org: Option<Org>,
    pub currency: AccountCurrency,
    pub balance: Amount,
    pub available_balance: Option<Amount>,
    /// When the balance was true; `None` when absent or 0.
    pub balance_date: Option<DateTime<Utc>>,
    /// Empty with `balances-only=1`.
    pub transactions: Vec<Transaction>,
}

/// One transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    pub id: String,
    /// When it posted; `None` while pending (`posted: 0`), never 1970-01-01.
    pub posted: Option<DateTime<Utc>>,
    pub amount: Amount,
    pub description: String,
    pub payee: Option<String>,
    pub memo: Option<String>,
    pub transacted_at: Option<DateTime<Utc>>,
    /// `pending: true`, or `posted: 0`.
    pub pending: bool,
}

/// An item the answer held that could not be read (sanitised reason).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemProblem {
    /// The account it is in (or is), when its id could be read.
    pub account_id: Option<String>,
    /// The transaction, when its id could be read.
    pub transaction_id: Option<String>,
    pub reason: String,
}
