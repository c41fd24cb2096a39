//! Bank-sync connections: a user's SimpleFIN Bridge, its encrypted access URL (read only by
//! [`Store::sync_access`], never with the row), its health and schedule, and the log of
//! requests that keeps a connection within the Bridge's daily quota.
//!
//! Another owner's connection is `NotFound`, like a missing one. Deleting a connection deletes
//! its ciphertext, its request log and its reported accounts; the bank accounts and
//! transactions it synced stay the user's.

use chrono::{DateTime, Utc};

use domain::id::{SyncConnectionId, UserId};

use crate::columns::parse_id;
use crate::time::{from_millis, to_millis};
use crate::{Error, Result, Store};

/// A stored connection, without its access URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncConnectionRow {
    pub id: SyncConnectionId,
    pub user_id: UserId,
    /// The person's name for it (default: the Bridge's host).
    pub label: String,
    /// The Bridge's host name, safe to show.
    pub host: String,
    /// `ok`, `needs_reconnect`, `payment_required` or `failing`.
    pub health: String,
    /// `code: message` of the last failure (a fixed code and a sanitised text).
    pub last_error: Option<String>,
    pub last_error_at: Option<DateTime<Utc>>,
    /// The Bridge's last sanitised messages, as JSON.
    pub messages: String,
    /// Failures in a row (backoff grows with them).
    pub failures: i64,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// The last sync that brought a transaction the account did not have.
    pub last_new_data_at: Option<DateTime<Utc>>,
    /// What the last successful sync changed (JSON counts, written by the service).
    pub last_report: Option<String>,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

/// How one sync attempt ended, as the connection records it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncOutcome {
    pub health: String,
    /// `None` on success (clears the last error).
    pub error: Option<String>,
    pub messages: String,
    pub failures: i64,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub succeeded: bool,
    pub new_data: bool,
    /// What a successful sync changed (kept when `None`).
    pub report: Option<String>,
}

#[derive(sqlx::FromRow)]
struct Stored {
    id: String,
    user_id: String,
    label: String,
    host: String,
    health: String,
    last_error: Option<String>,
    last_error_at: Option<i64>,
    messages: String,
    failures: i64,
    next_attempt_at: Option<i64>,
    last_attempt_at: Option<i64>,
    last_success_at: Option<i64>,
    last_new_data_at: Option<i64>,
    last_report: Option<String>,
    created_at: i64,
    version: i64,
}

const COLUMNS: &str = "id, user_id, label, host, health, last_error, last_error_at, messages, \
     failures, next_attempt_at, last_attempt_at, last_success_at, last_new_data_at, last_report, \
     created_at, version";

fn from_stored(row: Stored) -> Result<SyncConnectionRow> {
    let at = |ms: Option<i64>| ms.map(from_millis).transpose();
    Ok(SyncConnectionRow {
        id: parse_id("sync connection", &row.id)?,
        user_id: parse_id("user", &row.user_id)?,
        label: row.label,
        host: row.host,
        health: row.health,
        last_error: row.last_error,
        last_error_at: at(row.last_error_at)?,
        messages: row.messages,
        failures: row.failures,
        next_attempt_at: at(row.next_attempt_at)?,
        last_attempt_at: at(row.last_attempt_at)?,
        last_success_at: at(row.last_success_at)?,
        last_new_data_at: at(row.last_new_data_at)?,
        last_report: row.last_report,
        created_at: from_millis(row.created_at)?,
        version: row.version,
    })
}

impl Store {
    /// Saves a new connection of `owner` under `id` (the id the ciphertext is bound to).
    pub async fn create_sync_connection(
        &self,
        owner: UserId,
        id: SyncConnectionId,
        label: &str,
        host: &str,
        access_url_enc: &str,
        now: DateTime<Utc>,
    ) -> Result<SyncConnectionRow> {
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO sync_connections (id, user_id, label, host, access_url_enc, \
                 created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)",
            )
            .bind(id.to_string())
            .bind(owner.to_string())
            .bind(label)
            .bind(host)
            .bind(access_url_enc)
            .bind(to_millis(now))
            .execute(pool)
            .await?;
        });
        self.sync_connection(owner, id).await
    }

    /// The owner's connections, oldest first.
    pub async fn sync_connections(&self, owner: UserId) -> Result<Vec<SyncConnectionRow>> {
        let rows: Vec<Stored> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM sync_connections WHERE user_id = $1 ORDER BY created_at, id"
            )))
            .bind(owner.to_string())
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(from_stored).collect()
    }

    /// One of the owner's connections.
    pub async fn sync_connection(
        &self,
        owner: UserId,
        id: SyncConnectionId,
    ) -> Result<SyncConnectionRow> {
        let row: Option<Stored> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM sync_connections WHERE id = $1 AND user_id = $2"
            )))
            .bind(id.to_string())
            .bind(owner.to_string())
            .fetch_optional(pool)
            .await?
        });
        from_stored(row.ok_or(Error::NotFound)?)
    }

    /// The encrypted access URL of one of the owner's connections (for the sync only).
    pub async fn sync_access(&self, owner: UserId, id: SyncConnectionId) -> Result<String> {
        let row: Option<(String,)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT access_url_enc FROM sync_connections WHERE id = $1 AND user_id = $2",
            )
            .bind(id.to_string())
            .bind(owner.to_string())
            .fetch_optional(pool)
            .await?
        });
        Ok(row.ok_or(Error::NotFound)?.0)
    }

    /// Renames one of the owner's connections.
    pub async fn rename_sync_connection(
        &self,
        owner: UserId,
        id: SyncConnectionId,
        label: &str,
        now: DateTime<Utc>,
    ) -> Result<SyncConnectionRow> {
        let changed = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE sync_connections SET label = $3, updated_at = $4, version = version + 1 \
                 WHERE id = $1 AND user_id = $2",
            )
            .bind(id.to_string())
            .bind(owner.to_string())
            .bind(label)
            .bind(to_millis(now))
            .execute(pool)
            .await?
            .rows_affected()
        });
        if changed == 0 {
            return Err(Error::NotFound);
        }
        self.sync_connection(owner, id).await
    }

    /// Deletes one of the owner's connections with its access URL, request log and reported
    /// accounts (the synced bank accounts and transactions stay).
    pub async fn delete_sync_connection(&self, owner: UserId, id: SyncConnectionId) -> Result<()> {
        let deleted = on_pool!(self, |pool| {
            sqlx::query("DELETE FROM sync_connections WHERE id = $1 AND user_id = $2")
                .bind(id.to_string())
                .bind(owner.to_string())
                .execute(pool)
                .await?
                .rows_affected()
        });
        if deleted == 0 {
            return Err(Error::NotFound);
        }
        Ok(())
    }

    /// Connections the background sync should try now, oldest success first: healthy or
    /// failing ones (never those waiting for the person: reconnect, payment) whose backoff is
    /// over and whose last success is before `synced_before`.
    pub async fn due_sync_connections(
        &self,
        now: DateTime<Utc>,
        synced_before: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<(SyncConnectionId, UserId)>> {
        let rows: Vec<(String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, user_id FROM sync_connections \
                 WHERE health IN ('ok', 'failing') \
                 AND (next_attempt_at IS NULL OR next_attempt_at <= $1) \
                 AND (last_success_at IS NULL OR last_success_at < $2) \
                 ORDER BY COALESCE(last_success_at, 0), id LIMIT $3",
            )
            .bind(to_millis(now))
            .bind(to_millis(synced_before))
            .bind(limit)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(id, user)| Ok((parse_id("sync connection", &id)?, parse_id("user", &user)?)))
            .collect()
    }

    /// Failing connections whose backoff is over and that failed fewer than `attempts` times
    /// in a row: retried between the background runs.
    pub async fn sync_retries_due(
        &self,
        now: DateTime<Utc>,
        attempts: i64,
        limit: i64,
    ) -> Result<Vec<(SyncConnectionId, UserId)>> {
        let rows: Vec<(String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, user_id FROM sync_connections WHERE health = 'failing' \
                 AND failures < $2 AND next_attempt_at IS NOT NULL AND next_attempt_at <= $1 \
                 ORDER BY next_attempt_at, id LIMIT $3",
            )
            .bind(to_millis(now))
            .bind(attempts)
            .bind(limit)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(id, user)| Ok((parse_id("sync connection", &id)?, parse_id("user", &user)?)))
            .collect()
    }

    /// Records how an attempt ended.
    pub async fn record_sync_outcome(
        &self,
        id: SyncConnectionId,
        outcome: &SyncOutcome,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let at = to_millis(now);
        on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE sync_connections SET health = $2, \
                 last_error = CASE WHEN $3 IS NULL THEN last_error ELSE $3 END, \
                 last_error_at = CASE WHEN $3 IS NULL THEN last_error_at ELSE $4 END, \
                 messages = $5, failures = $6, next_attempt_at = $7, last_attempt_at = $4, \
                 last_success_at = CASE WHEN $8 THEN $4 ELSE last_success_at END, \
                 last_new_data_at = CASE WHEN $9 THEN $4 ELSE last_new_data_at END, \
                 last_report = COALESCE($10, last_report), updated_at = $4 WHERE id = $1",
            )
            .bind(id.to_string())
            .bind(&outcome.health)
            .bind(&outcome.error)
            .bind(at)
            .bind(&outcome.messages)
            .bind(outcome.failures)
            .bind(outcome.next_attempt_at.map(to_millis))
            .bind(outcome.succeeded)
            .bind(outcome.new_data)
            .bind(&outcome.report)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Takes one request of the connection's quota: logs it and returns `true`, unless
    /// `quota` requests were logged since `since` (then logs nothing and returns `false`).
    /// The count and the log are one statement, so two instances cannot both take the last.
    pub async fn take_sync_request(
        &self,
        id: SyncConnectionId,
        since: DateTime<Utc>,
        quota: i64,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let taken = on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO sync_requests (connection_id, requested_at) SELECT $1, $2 \
                 WHERE (SELECT COUNT(*) FROM sync_requests WHERE connection_id = $1 \
                        AND requested_at >= $3) < $4",
            )
            .bind(id.to_string())
            .bind(to_millis(now))
            .bind(to_millis(since))
            .bind(quota)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(taken == 1)
    }

    /// Requests logged for the connection since `since`.
    pub async fn sync_requests_since(
        &self,
        id: SyncConnectionId,
        since: DateTime<Utc>,
    ) -> Result<i64> {
        let (count,): (i64,) = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT COUNT(*) FROM sync_requests WHERE connection_id = $1 \
                 AND requested_at >= $2",
            )
            .bind(id.to_string())
            .bind(to_millis(since))
            .fetch_one(pool)
            .await?
        });
        Ok(count)
    }

    /// Removes request log entries older than `before`.
    pub async fn purge_sync_requests(&self, before: DateTime<Utc>) -> Result<u64> {
        Ok(on_pool!(self, |pool| {
            sqlx::query("DELETE FROM sync_requests WHERE requested_at < $1")
                .bind(to_millis(before))
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }
}
