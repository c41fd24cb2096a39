//! Bank sync on the wire: connections with their accounts and health, and what a sync did.
//! Every field is listed here by hand from the service's views, never the store's rows
//! serialised: the access URL is in none of them and cannot slip into an answer.

use chrono::{DateTime, Utc};
use domain::money::{Currency, format_minor};
use serde::Serialize;
use service::sync::{ConnectionView, SyncAccountRow, SyncReport};

/// A connection to the caller's SimpleFIN Bridge.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SyncConnectionView {
    #[schema(format = Uuid)]
    pub id: String,
    /// The person's name for it (default: the Bridge's host).
    pub label: String,
    /// The Bridge's host name.
    pub host: String,
    /// `ok`, `needs_reconnect`, `payment_required`, `failing`, `incomplete` or `stale`.
    pub health: &'static str,
    /// A fixed code and the Bridge's sanitised words of the last failure.
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// The last sync that brought a transaction not seen before.
    pub last_new_data_at: Option<DateTime<Utc>>,
    /// When a failing connection is tried again.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The Bridge's last messages to the person (sanitised).
    pub messages: Vec<String>,
    /// What the last successful sync changed.
    pub last_sync: Option<SyncCountsView>,
    pub accounts: Vec<SyncAccountView>,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

impl From<&ConnectionView> for SyncConnectionView {
    fn from(v: &ConnectionView) -> Self {
        let c = &v.connection;
        Self {
            id: c.id.to_string(),
            label: c.label.clone(),
            host: c.host.clone(),
            health: v.health.as_str(),
            last_error: c.last_error.clone(),
            last_error_at: c.last_error_at,
            last_success_at: c.last_success_at,
            last_new_data_at: c.last_new_data_at,
            next_attempt_at: c.next_attempt_at,
            messages: v.messages.clone(),
            last_sync: v.last_sync.map(|s| SyncCountsView {
                new: s.new,
                posted: s.posted,
                removed: s.removed,
                flagged: s.flagged,
                matched_by_rules: s.matched_by_rules,
            }),
            accounts: v.accounts.iter().map(SyncAccountView::from).collect(),
            created_at: c.created_at,
            version: c.version,
        }
    }
}

/// What one sync changed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SyncCountsView {
    /// Transactions not seen before.
    pub new: usize,
    /// Pending transactions that posted.
    pub posted: usize,
    /// Pending transactions the bank dropped.
    pub removed: usize,
    /// New transactions kept but flagged as possible duplicates (a bank id issued again).
    pub flagged: usize,
    /// New transactions matched to bills by merchant rules.
    pub matched_by_rules: usize,
}

/// An account the Bridge reports.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SyncAccountView {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub connection_id: String,
    pub name: String,
    /// The bank's name.
    pub org: String,
    /// ISO 4217 code, or the URL naming a custom currency.
    pub currency: String,
    /// Decimal text in the currency; `null` for a custom currency or when not reported.
    pub balance: Option<String>,
    pub available: Option<String>,
    /// When the Bridge's balance was true.
    pub balance_date: Option<DateTime<Utc>>,
    /// Its transactions are synced.
    pub monitored: bool,
    /// The bank account its transactions go to.
    #[schema(format = Uuid)]
    pub bank_account_id: Option<String>,
    /// `ok`, `incomplete`, `failed` or `gone`.
    pub health: String,
    /// The Bridge's sanitised words about it.
    pub message: Option<String>,
    /// Present when the balance moved by more or less than the synced transactions
    /// explain (decimal text): transactions may be missing.
    pub balance_gap: Option<String>,
    pub version: i64,
}

impl From<&SyncAccountRow> for SyncAccountView {
    fn from(a: &SyncAccountRow) -> Self {
        let currency = Currency::parse("currency", &a.currency).ok();
        let text = |minor: Option<i64>| Some(format_minor(minor?, currency?));
        Self {
            id: a.id.to_string(),
            connection_id: a.connection_id.to_string(),
            name: a.name.clone(),
            org: a.org_name.clone(),
            currency: a.currency.clone(),
            balance: text(a.balance_minor),
            available: text(a.available_minor),
            balance_date: a.balance_date,
            monitored: a.monitored,
            bank_account_id: a.bank_account_id.map(|b| b.to_string()),
            health: a.health.clone(),
            message: a.message.clone(),
            balance_gap: text(a.balance_gap_minor.filter(|gap| *gap != 0)),
            version: a.version,
        }
    }
}

/// What one sync (or backfill) did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SyncReportView {
    /// Transactions written.
    pub new: usize,
    /// Pending transactions replaced by their posted ones.
    pub posted: usize,
    /// Pending transactions the bank dropped.
    pub removed: usize,
    /// New transactions kept and flagged as possible duplicates.
    pub flagged: usize,
    /// New transactions matched to bills by merchant rules.
    pub matched_by_rules: usize,
    /// Why it stopped (a fixed code and the Bridge's sanitised words), when it failed.
    pub error: Option<String>,
    /// Requests the Bridge's daily quota still allows for this connection.
    pub quota_left: i64,
}

impl From<&SyncReport> for SyncReportView {
    fn from(r: &SyncReport) -> Self {
        Self {
            new: r.new,
            posted: r.posted,
            removed: r.removed,
            flagged: r.flagged,
            matched_by_rules: r.matched_by_rules,
            error: r.error.clone(),
            quota_left: r.quota_left,
        }
    }
}
