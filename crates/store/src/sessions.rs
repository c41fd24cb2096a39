//! Sessions, stored by the SHA-256 of their token: the database never holds a usable cookie.
//! IP and user agent arrive already encrypted by the service layer.

use chrono::{DateTime, Utc};
use domain::id::{SessionId, UserId};

use crate::time::{from_millis, to_millis};
use crate::{Error, Result, Store};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    pub id: SessionId,
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    /// The absolute end of the session, whatever the activity.
    pub expires_at: DateTime<Utc>,
    pub ip_enc: Option<String>,
    pub user_agent_enc: Option<String>,
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub id: SessionId,
    pub token_hash: String,
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub ip_enc: Option<String>,
    pub user_agent_enc: Option<String>,
    /// Whether opening it proved everything a step-up asks (password and second factor):
    /// then `reauthenticated_at` = `created_at`, else the session must step up first.
    pub reauthenticated: bool,
}

type Row = (
    String,
    String,
    i64,
    i64,
    i64,
    Option<String>,
    Option<String>,
);

const COLUMNS: &str = "id, user_id, created_at, last_seen_at, expires_at, ip_enc, user_agent_enc";

fn from_row(row: Row) -> Result<SessionRow> {
    Ok(SessionRow {
        id: row
            .0
            .parse()
            .map_err(|_| Error::Corrupt(format!("session id {}", row.0)))?,
        user_id: row
            .1
            .parse()
            .map_err(|_| Error::Corrupt(format!("user id {}", row.1)))?,
        created_at: from_millis(row.2)?,
        last_seen_at: from_millis(row.3)?,
        expires_at: from_millis(row.4)?,
        ip_enc: row.5,
        user_agent_enc: row.6,
    })
}

impl Store {
    /// Stores a new session, freshly re-authenticated (`reauthenticated_at` = `created_at`)
    /// only when `new.reauthenticated` says its opening proved it.
    pub async fn create_session(&self, new: &NewSession) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO sessions (id, token_hash, user_id, created_at, last_seen_at, \
                 expires_at, ip_enc, user_agent_enc, reauthenticated_at) \
                 VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8)",
            )
            .bind(new.id.to_string())
            .bind(&new.token_hash)
            .bind(new.user_id.to_string())
            .bind(to_millis(new.created_at))
            .bind(to_millis(new.expires_at))
            .bind(&new.ip_enc)
            .bind(&new.user_agent_enc)
            .bind(new.reauthenticated.then(|| to_millis(new.created_at)))
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    pub async fn session_by_token_hash(&self, token_hash: &str) -> Result<Option<SessionRow>> {
        let row: Option<Row> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM sessions WHERE token_hash = $1"
            )))
            .bind(token_hash)
            .fetch_optional(pool)
            .await?
        });
        row.map(from_row).transpose()
    }

    pub async fn session_by_id(&self, id: SessionId) -> Result<Option<SessionRow>> {
        let row: Option<Row> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM sessions WHERE id = $1"
            )))
            .bind(id.to_string())
            .fetch_optional(pool)
            .await?
        });
        row.map(from_row).transpose()
    }

    /// Records activity (the idle timeout counts from here).
    pub async fn touch_session(&self, id: SessionId, now: DateTime<Utc>) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE id = $1")
                .bind(id.to_string())
                .bind(to_millis(now))
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// A user's sessions, most recently active first.
    pub async fn sessions_of(&self, user: UserId) -> Result<Vec<SessionRow>> {
        let rows: Vec<Row> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM sessions WHERE user_id = $1 ORDER BY last_seen_at DESC"
            )))
            .bind(user.to_string())
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(from_row).collect()
    }

    pub async fn delete_session(&self, id: SessionId) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query("DELETE FROM sessions WHERE id = $1")
                .bind(id.to_string())
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Ends one of `owner`'s sessions; another user's session id is `NotFound`.
    pub async fn delete_session_of(&self, owner: UserId, id: SessionId) -> Result<()> {
        let done = on_pool!(self, |pool| {
            sqlx::query("DELETE FROM sessions WHERE id = $1 AND user_id = $2")
                .bind(id.to_string())
                .bind(owner.to_string())
                .execute(pool)
                .await?
                .rows_affected()
        });
        if done == 0 {
            Err(Error::NotFound)
        } else {
            Ok(())
        }
    }

    /// Ends all of `owner`'s sessions except `keep`; returns how many ended.
    pub async fn delete_sessions_of(&self, owner: UserId, keep: Option<SessionId>) -> Result<u64> {
        let keep = keep.map(|id| id.to_string()).unwrap_or_default();
        let done = on_pool!(self, |pool| {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
                .bind(owner.to_string())
                .bind(keep)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(done)
    }

    /// Ends every session of every user.
    pub async fn delete_all_sessions(&self) -> Result<u64> {
        let done = on_pool!(self, |pool| {
            sqlx::query("DELETE FROM sessions")
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(done)
    }

    /// Deletes sessions past their absolute end or idle since before `idle_before`.
    pub async fn purge_sessions(
        &self,
        now: DateTime<Utc>,
        idle_before: DateTime<Utc>,
    ) -> Result<u64> {
        let done = on_pool!(self, |pool| {
            sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at < $2")
                .bind(to_millis(now))
                .bind(to_millis(idle_before))
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(done)
    }
}
