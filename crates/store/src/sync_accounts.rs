//! The accounts a bank-sync connection reports: kept up to date from each answer (name,
//! balances, health), chosen by the person (monitored or not, which bank account they feed),
//! and the balance check of the last sync. Another owner's account is `NotFound`.

use chrono::{DateTime, Utc};

use domain::id::{BankAccountId, SyncAccountId, SyncConnectionId, UserId};

use crate::columns::{parse_id, parse_opt_id, stale_or_missing};
use crate::time::{from_millis, to_millis};
use crate::{Error, Result, Store};

/// A stored reported account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncAccountRow {
    pub id: SyncAccountId,
    pub connection_id: SyncConnectionId,
    /// The Bridge's id for it.
    pub remote_id: String,
    pub name: String,
    pub org_name: String,
    /// ISO 4217 code, or the URL of a custom currency.
    pub currency: String,
    /// Minor units (ISO currencies only).
    pub balance_minor: Option<i64>,
    pub available_minor: Option<i64>,
    pub balance_date: Option<DateTime<Utc>>,
    pub monitored: bool,
    pub bank_account_id: Option<BankAccountId>,
    /// `ok`, `incomplete`, `failed` or `gone`.
    pub health: String,
    /// The Bridge's sanitised message about it.
    pub message: Option<String>,
    /// Transactions are complete from this day on (the start of the first sync's window).
    pub synced_through: Option<DateTime<Utc>>,
    pub last_new_data_at: Option<DateTime<Utc>>,
    /// The balance and time of the last balance check, and what the transactions synced
    /// between two checks failed to explain (0 or `None`: nothing missing).
    pub checked_balance_minor: Option<i64>,
    pub checked_at: Option<DateTime<Utc>>,
    pub balance_gap_minor: Option<i64>,
    pub version: i64,
}

/// What an answer says about one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportedAccount {
    pub remote_id: String,
    pub name: String,
    pub org_name: String,
    pub currency: String,
    pub balance_minor: Option<i64>,
    pub available_minor: Option<i64>,
    pub balance_date: Option<DateTime<Utc>>,
    pub health: String,
    pub message: Option<String>,
}

/// The result of syncing one account, recorded on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSynced {
    pub synced_through: DateTime<Utc>,
    pub new_data: bool,
    pub checked_balance_minor: Option<i64>,
    pub balance_gap_minor: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct Stored {
    id: String,
    connection_id: String,
    remote_id: String,
    name: String,
    org_name: String,
    currency: String,
    balance_minor: Option<i64>,
    available_minor: Option<i64>,
    balance_date: Option<i64>,
    monitored: bool,
    bank_account_id: Option<String>,
    health: String,
    message: Option<String>,
    synced_through: Option<i64>,
    last_new_data_at: Option<i64>,
    checked_balance_minor: Option<i64>,
    checked_at: Option<i64>,
    balance_gap_minor: Option<i64>,
    version: i64,
}

const COLUMNS: &str = "id, connection_id, remote_id, name, org_name, currency, balance_minor, \
     available_minor, balance_date, monitored, bank_account_id, health, message, synced_through, \
     last_new_data_at, checked_balance_minor, checked_at, balance_gap_minor, version";

fn from_stored(row: Stored) -> Result<SyncAccountRow> {
    let at = |ms: Option<i64>| ms.map(from_millis).transpose();
    Ok(SyncAccountRow {
        id: parse_id("sync account", &row.id)?,
        connection_id: parse_id("sync connection", &row.connection_id)?,
        remote_id: row.remote_id,
        name: row.name,
        org_name: row.org_name,
        currency: row.currency,
        balance_minor: row.balance_minor,
        available_minor: row.available_minor,
        balance_date: at(row.balance_date)?,
        monitored: row.monitored,
        bank_account_id: parse_opt_id("bank account", row.bank_account_id.as_deref())?,
        health: row.health,
        message: row.message,
        synced_through: at(row.synced_through)?,
        last_new_data_at: at(row.last_new_data_at)?,
        checked_balance_minor: row.checked_balance_minor,
        checked_at: at(row.checked_at)?,
        balance_gap_minor: row.balance_gap_minor,
        version: row.version,
    })
}

impl Store {
    /// Records what an answer says about an account of the owner's connection: a new one is
    /// added (not monitored), a known one updated; the person's choices stay.
    pub async fn report_sync_account(
        &self,
        owner: UserId,
        connection: SyncConnectionId,
        reported: &ReportedAccount,
        now: DateTime<Utc>,
    ) -> Result<SyncAccountRow> {
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO sync_accounts (id, user_id, connection_id, remote_id, name, \
                 org_name, currency, balance_minor, available_minor, balance_date, health, \
                 message, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13) \
                 ON CONFLICT (connection_id, remote_id) DO UPDATE SET name = excluded.name, \
                 org_name = excluded.org_name, currency = excluded.currency, \
                 balance_minor = excluded.balance_minor, \
                 available_minor = excluded.available_minor, \
                 balance_date = excluded.balance_date, health = excluded.health, \
                 message = excluded.message, updated_at = excluded.updated_at",
            )
            .bind(SyncAccountId::new().to_string())
            .bind(owner.to_string())
            .bind(connection.to_string())
            .bind(&reported.remote_id)
            .bind(&reported.name)
            .bind(&reported.org_name)
            .bind(&reported.currency)
            .bind(reported.balance_minor)
            .bind(reported.available_minor)
            .bind(reported.balance_date.map(to_millis))
            .bind(&reported.health)
            .bind(&reported.message)
            .bind(to_millis(now))
            .execute(pool)
            .await?;
        });
        let row: Stored = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM sync_accounts WHERE connection_id = $1 AND remote_id = $2 \
                 AND user_id = $3"
            )))
            .bind(connection.to_string())
            .bind(&reported.remote_id)
            .bind(owner.to_string())
            .fetch_one(pool)
            .await?
        });
        from_stored(row)
    }

    /// Marks the connection's accounts that the last full answer did not report as gone.
    pub async fn mark_sync_accounts_gone(
        &self,
        connection: SyncConnectionId,
        reported: &[String],
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let list = serde_json::to_string(reported).unwrap_or_else(|_| "[]".into());
        let in_list = match self.engine() {
            crate::Engine::Sqlite => "remote_id IN (SELECT value FROM json_each($2))",
            crate::Engine::Postgres => "remote_id IN (SELECT jsonb_array_elements_text($2::jsonb))",
        };
        let sql = format!(
            "UPDATE sync_accounts SET health = 'gone', updated_at = $3 \
             WHERE connection_id = $1 AND health <> 'gone' AND NOT ({in_list})"
        );
        Ok(on_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(connection.to_string())
                .bind(&list)
                .bind(to_millis(now))
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }

    /// The owner's reported accounts (of one connection, or all), by connection and name.
    pub async fn sync_accounts(
        &self,
        owner: UserId,
        connection: Option<SyncConnectionId>,
    ) -> Result<Vec<SyncAccountRow>> {
        let rows: Vec<Stored> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM sync_accounts WHERE user_id = $1 \
                 AND ($2 IS NULL OR connection_id = $2) ORDER BY connection_id, name, id"
            )))
            .bind(owner.to_string())
            .bind(connection.map(|c| c.to_string()))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(from_stored).collect()
    }

    /// One of the owner's reported accounts.
    pub async fn sync_account(&self, owner: UserId, id: SyncAccountId) -> Result<SyncAccountRow> {
        let row: Option<Stored> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM sync_accounts WHERE id = $1 AND user_id = $2"
            )))
            .bind(id.to_string())
            .bind(owner.to_string())
            .fetch_optional(pool)
            .await?
        });
        from_stored(row.ok_or(Error::NotFound)?)
    }

    /// The person's choices for one of their reported accounts still at `expected_version`:
    /// monitored or not, and the bank account it feeds (one of the owner's live accounts in
    /// the same currency, else `NotFound`).
    pub async fn choose_sync_account(
        &self,
        owner: UserId,
        id: SyncAccountId,
        monitored: bool,
        bank_account: Option<BankAccountId>,
        expected_version: i64,
        now: DateTime<Utc>,
    ) -> Result<SyncAccountRow> {
        let changed = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE sync_accounts SET monitored = $3, bank_account_id = $4, updated_at = $5, \
                 version = version + 1 WHERE id = $1 AND user_id = $2 AND version = $6 \
                 AND ($4 IS NULL OR EXISTS (SELECT 1 FROM bank_accounts b WHERE b.id = $4 \
                      AND b.user_id = $2 AND b.deleted_at IS NULL \
                      AND b.currency = sync_accounts.currency))",
            )
            .bind(id.to_string())
            .bind(owner.to_string())
            .bind(monitored)
            .bind(bank_account.map(|b| b.to_string()))
            .bind(to_millis(now))
            .bind(expected_version)
            .execute(pool)
            .await?
            .rows_affected()
        });
        if changed == 1 {
            return self.sync_account(owner, id).await;
        }
        let current = self.sync_account(owner, id).await?;
        if current.version != expected_version {
            return Err(stale_or_missing(Some(current.version), expected_version));
        }
        Err(Error::NotFound)
    }

    /// Records a sync of one account.
    pub async fn record_account_synced(
        &self,
        id: SyncAccountId,
        synced: &AccountSynced,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let at = to_millis(now);
        on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE sync_accounts SET \
                 synced_through = CASE WHEN synced_through IS NULL OR synced_through > $2 \
                                  THEN $2 ELSE synced_through END, \
                 last_new_data_at = CASE WHEN $3 THEN $4 ELSE last_new_data_at END, \
                 checked_balance_minor = $5, checked_at = $4, balance_gap_minor = $6, \
                 updated_at = $4 WHERE id = $1",
            )
            .bind(id.to_string())
            .bind(to_millis(synced.synced_through))
            .bind(synced.new_data)
            .bind(at)
            .bind(synced.checked_balance_minor)
            .bind(synced.balance_gap_minor)
            .execute(pool)
            .await?;
        });
        Ok(())
    }
}
