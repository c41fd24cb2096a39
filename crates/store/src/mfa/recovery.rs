//! Recovery codes (`mfa_recovery_codes`): stored as hashes, replaced as a set, each spent
//! once.
//!
//! Invariant: a code is spent by an `UPDATE … WHERE used_at IS NULL`, so of two concurrent
//! requests with the same code only one wins.

use chrono::{DateTime, Utc};
use domain::id::UserId;

use crate::time::to_millis;
use crate::{Result, Store};

/// Inside a write transaction `$tx`: when the owner has no unused recovery code, replaces the
/// set with `$hashes` (a slice of hex hashes); evaluates to whether it did. Lets a new first
/// factor and its recovery codes commit together.
macro_rules! issue_codes_if_none {
    ($tx:expr, $owner:expr, $hashes:expr, $now:expr) => {{
        let unused: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM mfa_recovery_codes WHERE user_id = $1 AND used_at IS NULL",
        )
        .bind($owner.to_string())
        .fetch_one(&mut *$tx)
        .await?;
        if unused == 0 && !$hashes.is_empty() {
            sqlx::query("DELETE FROM mfa_recovery_codes WHERE user_id = $1")
                .bind($owner.to_string())
                .execute(&mut *$tx)
                .await?;
            $crate::mfa::recovery::insert_codes!($tx, $owner, $hashes, $now);
            true
        } else {
            false
        }
    }};
}
pub(crate) use issue_codes_if_none;

/// Inside a transaction `$tx`: inserts one unused code per hash of `$hashes`.
macro_rules! insert_codes {
    ($tx:expr, $owner:expr, $hashes:expr, $now:expr) => {
        for hash in $hashes {
            sqlx::query(
                "INSERT INTO mfa_recovery_codes (id, user_id, code_hash, created_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(uuid::Uuid::now_v7().to_string())
            .bind($owner.to_string())
            .bind(hash)
            .bind($crate::time::to_millis($now))
            .execute(&mut *$tx)
            .await?;
        }
    };
}
pub(crate) use insert_codes;

/// Recovery codes.
impl Store {
    /// Replaces the owner's recovery codes with `hashes` in one transaction: the old set stops
    /// working as the new one starts.
    pub async fn replace_recovery_codes(
        &self,
        owner: UserId,
        hashes: &[String],
        now: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, |pool| {
            let mut tx = crate::db::BeginWrite::begin_write(pool).await?;
            sqlx::query("DELETE FROM mfa_recovery_codes WHERE user_id = $1")
                .bind(owner.to_string())
                .execute(&mut *tx)
                .await?;
            insert_codes!(tx, owner, hashes, now);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Spends the owner's unused code with this hash; true when this call spent it.
    pub async fn use_recovery_code(
        &self,
        owner: UserId,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let done = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE mfa_recovery_codes SET used_at = $3 \
                 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
            )
            .bind(owner.to_string())
            .bind(hash)
            .bind(to_millis(now))
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(done == 1)
    }

    /// How many of the owner's recovery codes are still unused.
    pub async fn unused_recovery_codes(&self, owner: UserId) -> Result<i64> {
        let n = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM mfa_recovery_codes WHERE user_id = $1 AND used_at IS NULL",
            )
            .bind(owner.to_string())
            .fetch_one(pool)
            .await?
        });
        Ok(n)
    }

    /// Removes the owner's recovery codes.
    pub async fn delete_recovery_codes(&self, owner: UserId) -> Result<u64> {
        let done = on_pool!(self, |pool| {
            sqlx::query("DELETE FROM mfa_recovery_codes WHERE user_id = $1")
                .bind(owner.to_string())
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(done)
    }
}
