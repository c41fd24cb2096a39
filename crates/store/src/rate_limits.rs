//! Fixed-window rate-limit counters in the database, so every instance sharing it agrees.
//! One upsert per hit: a window that has ended restarts at this hit. Also plain counters kept
//! until taken ([`KEPT`]; the audit log's bound on anonymous entries uses one).

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::time::{from_millis, to_millis};
use crate::{Result, Store};

/// The state of one key's window after a hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowCount {
    pub window_start: DateTime<Utc>,
    /// Hits in the window, this one included.
    pub hits: i64,
}

/// Counts a hit for `$1` at `$2` in a window that ended when it started at or before `$3`;
/// returns the window's start and hits. Right-hand sides read the row as it was before the
/// update, on both engines.
pub(crate) const HIT: &str = "INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1) \
     ON CONFLICT (key) DO UPDATE SET \
     hits = CASE WHEN rate_limits.window_start <= $3 THEN 1 ELSE rate_limits.hits + 1 END, \
     window_start = CASE WHEN rate_limits.window_start <= $3 THEN $2 ELSE rate_limits.window_start END \
     RETURNING window_start, hits";

/// Adds one to the kept counter `$1` (`$2` = [`KEPT`]).
pub(crate) const COUNT_KEPT: &str = "INSERT INTO rate_limits (key, window_start, hits) VALUES ($1, $2, 1) \
     ON CONFLICT (key) DO UPDATE SET hits = rate_limits.hits + 1, window_start = $2";

/// Reads and deletes the kept counter `$1`.
pub(crate) const TAKE: &str = "DELETE FROM rate_limits WHERE key = $1 RETURNING hits";

impl Store {
    /// Counts one hit for `key` in a window of `window` and returns the window's total.
    pub async fn hit_rate_limit(
        &self,
        key: &str,
        window: Duration,
        now: DateTime<Utc>,
    ) -> Result<WindowCount> {
        let now_ms = to_millis(now);
        let expired_before = now_ms - i64::try_from(window.as_millis()).unwrap_or(i64::MAX);
        let (start, hits): (i64, i64) = on_pool!(self, |pool| {
            sqlx::query_as(HIT)
                .bind(key)
                .bind(now_ms)
                .bind(expired_before)
                .fetch_one(pool)
                .await?
        });
        Ok(WindowCount {
            window_start: from_millis(start)?,
            hits,
        })
    }

    /// Forgets a key (for example the per-account failure counter after a good login).
    pub async fn clear_rate_limit(&self, key: &str) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query("DELETE FROM rate_limits WHERE key = $1")
                .bind(key)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Deletes windows that started before `before`; returns how many.
    pub async fn purge_rate_limits(&self, before: DateTime<Utc>) -> Result<u64> {
        let done = on_pool!(self, |pool| {
            sqlx::query("DELETE FROM rate_limits WHERE window_start < $1")
                .bind(to_millis(before))
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(done)
    }
}

/// The `window_start` of a kept counter: later than any window, so the purge of old windows
/// never removes it.
pub(crate) const KEPT: i64 = i64::MAX;

/// Counts a failure for `$1` at `$2`, starting again at 1 when the last one was at or before
/// `$3`; returns the count.
pub(crate) const RECORD_FAILURE: &str = "INSERT INTO rate_limits (key, window_start, hits) \
     VALUES ($1, $2, 1) ON CONFLICT (key) DO UPDATE SET \
     hits = CASE WHEN rate_limits.window_start <= $3 THEN 1 ELSE rate_limits.hits + 1 END, \
     window_start = $2 RETURNING hits";

impl Store {
    /// Counts one failure for `key` and remembers when it happened (kept in `window_start`);
    /// a key untouched since before `forget_before` starts again at 1. Returns the count.
    pub async fn record_failure(
        &self,
        key: &str,
        now: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> Result<i64> {
        let hits: i64 = on_pool!(self, |pool| {
            sqlx::query_scalar(RECORD_FAILURE)
                .bind(key)
                .bind(to_millis(now))
                .bind(to_millis(forget_before))
                .fetch_one(pool)
                .await?
        });
        Ok(hits)
    }

    /// The failures recorded for `key` since `forget_before`, and when the last one happened.
    pub async fn failures(
        &self,
        key: &str,
        forget_before: DateTime<Utc>,
    ) -> Result<Option<(i64, DateTime<Utc>)>> {
        let row: Option<(i64, i64)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT hits, window_start FROM rate_limits WHERE key = $1 AND window_start > $2",
            )
            .bind(key)
            .bind(to_millis(forget_before))
            .fetch_optional(pool)
            .await?
        });
        row.map(|(hits, at)| Ok((hits, from_millis(at)?)))
            .transpose()
    }
}
