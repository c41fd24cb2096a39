//! The bank-sync page: the Connect form and the connections as cards, each with its health in
//! words, the Bridge's messages, its actions (sync now, backfill, disconnect with a ticked
//! box) and its accounts with their balances and the form that chooses what each feeds. All
//! strings arrive formatted by the handler; this module only draws them.

use askama::Template;
use axum::http::StatusCode;

use super::bank::Choice;
use super::{Chrome, Page, Section, error_for};

/// `GET /bank-sync`.
#[derive(Debug, Clone, Template)]
#[template(path = "bank_sync_page.html")]
pub struct BankSyncPage {
    pub chrome: Chrome,
    pub status: StatusCode,
    /// Bank sync is switched on for this server.
    pub enabled: bool,
    pub notice: Option<String>,
    pub error: Option<String>,
    /// The label typed into a refused Connect form (never the setup token).
    pub label: String,
    /// `(field, message)` of a refused Connect form.
    pub errors: Vec<(String, String)>,
    pub connections: Vec<ConnectionCard>,
}

impl BankSyncPage {
    /// The refused Connect form's message for `field`.
    pub fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

impl Page for BankSyncPage {
    fn section(&self) -> Section {
        Section::BankSync
    }
    fn status(&self) -> StatusCode {
        self.status
    }
}

/// One connection.
#[derive(Debug, Clone, Default)]
pub struct ConnectionCard {
    pub id: String,
    pub label: String,
    pub host: String,
    /// The badge: its words and class.
    pub health: String,
    pub badge: &'static str,
    /// The Bridge's messages (sanitised).
    pub messages: Vec<String>,
    /// What the last sync changed, in words ("Last sync: 12 new, 2 matched to bills").
    pub last_sync: Option<String>,
    pub accounts: Vec<SyncAccountItem>,
}

/// One reported account with its form.
#[derive(Debug, Clone, Default)]
pub struct SyncAccountItem {
    pub id: String,
    pub name: String,
    pub org: String,
    pub balance: String,
    pub available: String,
    /// "As of …", or empty.
    pub as_of: String,
    /// Its health in words, or empty when fine.
    pub health: String,
    pub message: Option<String>,
    /// The balance check's warning, or `None`.
    pub gap: Option<String>,
    pub monitored: bool,
    /// The bank accounts it may feed: `new`, the person's accounts of its currency.
    pub targets: Vec<Choice>,
    /// Nothing chosen (the "None" option is selected).
    pub no_target: bool,
    pub version: i64,
}
