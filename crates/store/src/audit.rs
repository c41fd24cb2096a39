//! The audit log: append-only and hash-chained. Each entry's hash covers its own fields and the
//! previous entry's hash, so editing or deleting any row breaks the chain from that row on,
//! which [`Store::verify_audit_chain`] reports. No method updates or deletes entries.
//!
//! [`Store::verify_audit_chain_from`] checks only the rows after one already verified (a
//! checkpoint the service keeps sealed), a batch at a time, so a check costs the new rows, not
//! the whole log.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::time::{from_millis, to_millis};
use crate::{Error, Result, Store};

/// The hash before the first entry.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What happened, by whom, to what, from where.
#[derive(Debug, Clone)]
pub struct NewAuditEntry {
    pub actor_id: Option<String>,
    pub actor_name: String,
    pub action: String,
    pub target: Option<String>,
    pub ip: Option<String>,
    /// Extra facts as a JSON object (never secrets).
    pub detail: String,
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    pub seq: i64,
    pub id: String,
    pub at: DateTime<Utc>,
    pub actor_id: Option<String>,
    pub actor_name: String,
    pub action: String,
    pub target: Option<String>,
    pub ip: Option<String>,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Rows read per query while checking the chain.
const VERIFY_BATCH: i64 = 1000;

/// What checking the chain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainCheck {
    /// Every row checked is whole: `last` is the newest (seq, hash), `None` for an empty log
    /// (or nothing after the starting row: then the starting row), `checked` how many rows
    /// were recomputed.
    Whole {
        last: Option<(i64, String)>,
        checked: u64,
    },
    /// The first row whose hash, link or sequence number does not match (or the starting row,
    /// when it is gone or no longer has the hash it was verified with).
    Broken { seq: i64 },
}

/// Which entries to list, newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub action: Option<String>,
    pub actor_name: Option<String>,
    /// Only entries with `seq` below this (the cursor of the previous page).
    pub before_seq: Option<i64>,
    /// Only entries at or after this instant.
    pub from: Option<DateTime<Utc>>,
    /// Only entries before this instant.
    pub until: Option<DateTime<Utc>>,
    pub limit: i64,
}

type AuditRow = (
    i64,
    String,
    i64,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
    String,
    String,
    String,
);

const COLUMNS: &str =
    "seq, id, at, actor_id, actor_name, action, target, ip, detail, prev_hash, hash";

/// An instance-wide bound on some entries (the service's anonymous ones): at most `max` per
/// `window`, counted under the rate-limit key `key`; beyond it an entry is only counted under
/// `unrecorded_key`, and the next entry written gets that count as `"unrecorded"` in its
/// detail.
#[derive(Debug, Clone, Copy)]
pub struct AuditBound<'a> {
    pub key: &'a str,
    pub unrecorded_key: &'a str,
    pub max: i64,
    pub window: std::time::Duration,
}

impl Store {
    /// Appends one entry at the end of the chain. Concurrent appends (several instances)
    /// retry on the sequence number's unique constraint.
    pub async fn append_audit(&self, entry: &NewAuditEntry, now: DateTime<Utc>) -> Result<i64> {
        Ok(self
            .append_audit_within(entry, None, now)
            .await?
            .unwrap_or_default())
    }

    /// Appends `entry` unless `bound` is reached (then only counts it: `None`), in one
    /// transaction (one commit, like [`Store::append_audit`]: the bound adds no write a
    /// timing could tell apart).
    pub async fn append_audit_within(
        &self,
        entry: &NewAuditEntry,
        bound: Option<&AuditBound<'_>>,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.try_append_audit(entry, bound, now).await {
                Err(Error::Conflict { .. } | Error::Busy(_)) if attempt < 20 => continue,
                other => return other,
            }
        }
    }

    async fn try_append_audit(
        &self,
        entry: &NewAuditEntry,
        bound: Option<&AuditBound<'_>>,
        now: DateTime<Utc>,
    ) -> Result<Option<i64>> {
        on_pool!(self, |pool| {
            let mut tx = crate::db::BeginWrite::begin_write(pool).await?;
            let mut detail = None;
            if let Some(bound) = bound {
                let now_ms = to_millis(now);
                let window = i64::try_from(bound.window.as_millis()).unwrap_or(i64::MAX);
                let (_, hits): (i64, i64) = sqlx::query_as(crate::rate_limits::HIT)
                    .bind(bound.key)
                    .bind(now_ms)
                    .bind(now_ms - window)
                    .fetch_one(&mut *tx)
                    .await?;
                if hits > bound.max {
                    sqlx::query(crate::rate_limits::COUNT_KEPT)
                        .bind(bound.unrecorded_key)
                        .bind(crate::rate_limits::KEPT)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await?;
                    return Ok(None);
                }
                let unrecorded: Option<i64> = sqlx::query_scalar(crate::rate_limits::TAKE)
                    .bind(bound.unrecorded_key)
                    .fetch_optional(&mut *tx)
                    .await?;
                detail = unrecorded
                    .filter(|n| *n > 0)
                    .map(|n| with_unrecorded(&entry.detail, n));
            }
            let entry = &NewAuditEntry {
                detail: detail.unwrap_or_else(|| entry.detail.clone()),
                ..entry.clone()
            };
            let last: Option<(i64, String)> =
                sqlx::query_as("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                    .fetch_optional(&mut *tx)
                    .await?;
            let (seq, prev_hash) = match last {
                Some((seq, hash)) => (seq + 1, hash),
                None => (1, GENESIS.to_owned()),
            };
            let id = domain::id::AuditId::new().to_string();
            let at = to_millis(now);
            let hash = chain_hash(seq, &id, at, entry, &prev_hash);
            sqlx::query(
                "INSERT INTO audit_log (seq, id, at, actor_id, actor_name, action, target, ip, \
                 detail, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(seq)
            .bind(&id)
            .bind(at)
            .bind(&entry.actor_id)
            .bind(&entry.actor_name)
            .bind(&entry.action)
            .bind(&entry.target)
            .bind(&entry.ip)
            .bind(&entry.detail)
            .bind(&prev_hash)
            .bind(&hash)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(Some(seq))
        })
    }

    /// Entries matching `filter`, newest first.
    pub async fn audit_entries(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let rows: Vec<AuditRow> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM audit_log \
                 WHERE ($1 IS NULL OR action = $1) AND ($2 IS NULL OR actor_name = $2) \
                   AND ($3 IS NULL OR seq < $3) \
                   AND ($5 IS NULL OR at >= $5) AND ($6 IS NULL OR at < $6) \
                 ORDER BY seq DESC LIMIT $4"
            )))
            .bind(&filter.action)
            .bind(&filter.actor_name)
            .bind(filter.before_seq)
            .bind(filter.limit.clamp(1, 500))
            .bind(filter.from.map(to_millis))
            .bind(filter.until.map(to_millis))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(from_row).collect()
    }

    /// Recomputes the chain from the start; returns the first `seq` whose hash or link does not
    /// match (a tampered, inserted or deleted row), or `None` when the chain is whole.
    pub async fn verify_audit_chain(&self) -> Result<Option<i64>> {
        Ok(match self.verify_audit_chain_from(None).await? {
            ChainCheck::Whole { .. } => None,
            ChainCheck::Broken { seq } => Some(seq),
        })
    }

    /// Checks the chain after `from`, a row verified before (its seq and hash), or from the
    /// start. The starting row itself must still be there with that hash, its own fields
    /// matching it; then every later row is recomputed and linked, a batch at a time.
    pub async fn verify_audit_chain_from(&self, from: Option<(i64, &str)>) -> Result<ChainCheck> {
        let (mut expected_seq, mut prev) = match from {
            None => (1, GENESIS.to_owned()),
            Some((seq, hash)) => {
                let row: Option<AuditRow> = on_pool!(self, |pool| {
                    sqlx::query_as(sqlx::AssertSqlSafe(format!(
                        "SELECT {COLUMNS} FROM audit_log WHERE seq = $1"
                    )))
                    .bind(seq)
                    .fetch_optional(pool)
                    .await?
                });
                match row.map(from_row).transpose()? {
                    Some(entry) if entry.hash == hash && recompute(&entry) == hash => {
                        (seq + 1, entry.hash)
                    }
                    _ => return Ok(ChainCheck::Broken { seq }),
                }
            }
        };
        let mut last = from.map(|(seq, hash)| (seq, hash.to_owned()));
        let mut checked = 0;
        loop {
            let rows: Vec<AuditRow> = on_pool!(self, |pool| {
                sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "SELECT {COLUMNS} FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT $2"
                )))
                .bind(expected_seq)
                .bind(VERIFY_BATCH)
                .fetch_all(pool)
                .await?
            });
            let full = i64::try_from(rows.len()).unwrap_or(i64::MAX) >= VERIFY_BATCH;
            for row in rows {
                let entry = from_row(row)?;
                if entry.seq != expected_seq
                    || entry.prev_hash != prev
                    || entry.hash != recompute(&entry)
                {
                    return Ok(ChainCheck::Broken { seq: entry.seq });
                }
                checked += 1;
                expected_seq += 1;
                prev = entry.hash;
                last = Some((entry.seq, prev.clone()));
            }
            if !full {
                return Ok(ChainCheck::Whole { last, checked });
            }
        }
    }
}

/// The hash `entry` should have, from its own fields and its link.
fn recompute(entry: &AuditEntry) -> String {
    let fields = NewAuditEntry {
        actor_id: entry.actor_id.clone(),
        actor_name: entry.actor_name.clone(),
        action: entry.action.clone(),
        target: entry.target.clone(),
        ip: entry.ip.clone(),
        detail: entry.detail.clone(),
    };
    chain_hash(
        entry.seq,
        &entry.id,
        to_millis(entry.at),
        &fields,
        &entry.prev_hash,
    )
}

/// `detail` (a JSON object) with `"unrecorded": n` added.
fn with_unrecorded(detail: &str, n: i64) -> String {
    let mut value: serde_json::Value =
        serde_json::from_str(detail).unwrap_or_else(|_| serde_json::json!({}));
    if let Some(fields) = value.as_object_mut() {
        fields.insert("unrecorded".into(), n.into());
    }
    value.to_string()
}

fn from_row(row: AuditRow) -> Result<AuditEntry> {
    let (seq, id, at, actor_id, actor_name, action, target, ip, detail, prev_hash, hash) = row;
    Ok(AuditEntry {
        seq,
        id,
        at: from_millis(at)?,
        actor_id,
        actor_name,
        action,
        target,
        ip,
        detail,
        prev_hash,
        hash,
    })
}

/// SHA-256 over every field, each length-prefixed so no two entries share an encoding.
fn chain_hash(seq: i64, id: &str, at: i64, entry: &NewAuditEntry, prev_hash: &str) -> String {
    let mut hasher = Sha256::new();
    let seq = seq.to_string();
    let at = at.to_string();
    let fields: [&str; 10] = [
        &seq,
        id,
        &at,
        entry.actor_id.as_deref().unwrap_or("\u{0}"),
        &entry.actor_name,
        &entry.action,
        entry.target.as_deref().unwrap_or("\u{0}"),
        entry.ip.as_deref().unwrap_or("\u{0}"),
        &entry.detail,
        prev_hash,
    ];
    for field in fields {
        hasher.update((field.len() as u64).to_be_bytes());
        hasher.update(field.as_bytes());
    }
    hex::encode(hasher.finalize())
}
