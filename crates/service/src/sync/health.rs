//! A connection's health, told truthfully from its last outcome and its monitored accounts,
//! and the view of a connection the pages and the API show.

use chrono::{DateTime, Duration, Utc};

use super::{STALE_HOURS, SyncAccountRow, SyncConnectionRow};
use crate::{App, Result};

/// A connection's health, worst first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    /// The Bridge refused the credentials (403, `con.auth`, `gen.auth`): connect again.
    NeedsReconnect,
    /// The Bridge's subscription needs paying (402).
    PaymentRequired,
    /// The last attempts failed (retried with backoff); see the last error.
    Failing,
    /// A monitored account's data is incomplete (`act.missingdata`, `act.failed`, gone).
    Incomplete,
    /// No new transaction for [`STALE_HOURS`].
    Stale,
    Ok,
}

impl Health {
    pub fn as_str(self) -> &'static str {
        match self {
            Health::NeedsReconnect => "needs_reconnect",
            Health::PaymentRequired => "payment_required",
            Health::Failing => "failing",
            Health::Incomplete => "incomplete",
            Health::Stale => "stale",
            Health::Ok => "ok",
        }
    }
}

/// A connection with its accounts and what its health is now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionView {
    pub connection: SyncConnectionRow,
    pub accounts: Vec<SyncAccountRow>,
    pub health: Health,
    /// The Bridge's last messages (sanitised).
    pub messages: Vec<String>,
    /// What the last successful sync changed: what the person sees changed since then.
    pub last_sync: Option<SyncCounts>,
}

/// What one successful sync changed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
pub struct SyncCounts {
    pub new: usize,
    pub posted: usize,
    pub removed: usize,
    pub flagged: usize,
    pub matched_by_rules: usize,
}

fn health(
    connection: &SyncConnectionRow,
    accounts: &[SyncAccountRow],
    now: DateTime<Utc>,
) -> Health {
    match connection.health.as_str() {
        "needs_reconnect" => return Health::NeedsReconnect,
        "payment_required" => return Health::PaymentRequired,
        "failing" => return Health::Failing,
        _ => {}
    }
    let monitored = accounts.iter().filter(|a| a.monitored);
    if monitored.clone().any(|a| a.health != "ok") {
        return Health::Incomplete;
    }
    let newest = connection.last_new_data_at.unwrap_or(connection.created_at);
    if connection.last_success_at.is_some()
        && monitored.count() > 0
        && now - newest > Duration::hours(STALE_HOURS)
    {
        return Health::Stale;
    }
    Health::Ok
}

pub(super) async fn view(app: &App, connection: SyncConnectionRow) -> Result<ConnectionView> {
    let accounts = app
        .store
        .sync_accounts(connection.user_id, Some(connection.id))
        .await?;
    let messages: Vec<String> = serde_json::from_str(&connection.messages).unwrap_or_default();
    let last_sync = connection
        .last_report
        .as_deref()
        .and_then(|text| serde_json::from_str(text).ok());
    Ok(ConnectionView {
        last_sync,
        health: health(&connection, &accounts, app.now()),
        connection,
        accounts,
        messages,
    })
}
