//! Sign-ins whose password was right, waiting for their second factor (`mfa_pending`).
//!
//! Invariants: a pending sign-in is found by the hash of its handle only; it is taken by a
//! `DELETE`, so of two concurrent requests with the same handle only one completes it.

use chrono::{DateTime, Utc};
use domain::id::{FactorId, PendingSignInId, UserId};

use crate::time::{from_millis, to_millis};
use crate::{Error, Result, Store};

/// What a pending sign-in waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PendingPurpose {
    /// The account has a factor: prove it.
    Verify,
    /// The policy requires a factor the account does not have yet: enrol one now.
    Enrol,
}

impl PendingPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            PendingPurpose::Verify => "verify",
            PendingPurpose::Enrol => "enrol",
        }
    }
}

/// A sign-in whose password was right, waiting for its second factor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingSignInRow {
    pub id: PendingSignInId,
    pub user_id: UserId,
    pub purpose: PendingPurpose,
    /// How the first step was made: `password`, `oidc` or `github`.
    pub first_method: String,
    /// Wrong second factors given with this handle so far.
    pub attempts: i64,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// For an enrolment: the unconfirmed factor made for this handle (and only it).
    pub factor_id: Option<FactorId>,
}

#[derive(Debug, Clone)]
pub struct NewPendingSignIn {
    pub id: PendingSignInId,
    /// SHA-256 of the handle in the cookie.
    pub token_hash: String,
    pub user_id: UserId,
    pub purpose: PendingPurpose,
    /// How the first step was made: `password`, `oidc` or `github`.
    pub first_method: &'static str,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    /// For an enrolment: the unconfirmed factor made for this handle.
    pub factor_id: Option<FactorId>,
}

type PendingTuple = (
    String,
    String,
    String,
    i64,
    i64,
    i64,
    String,
    Option<String>,
);

fn pending_from(row: PendingTuple) -> Result<PendingSignInRow> {
    let (id, user_id, purpose, attempts, created, expires, first_method, factor_id) = row;
    Ok(PendingSignInRow {
        id: id
            .parse()
            .map_err(|_| Error::Corrupt(format!("pending sign-in id {id}")))?,
        user_id: user_id
            .parse()
            .map_err(|_| Error::Corrupt(format!("user id {user_id}")))?,
        purpose: match purpose.as_str() {
            "verify" => PendingPurpose::Verify,
            "enrol" => PendingPurpose::Enrol,
            other => return Err(Error::Corrupt(format!("pending purpose {other}"))),
        },
        first_method,
        attempts,
        created_at: from_millis(created)?,
        expires_at: from_millis(expires)?,
        factor_id: factor_id
            .map(|f| {
                f.parse()
                    .map_err(|_| Error::Corrupt(format!("factor id {f}")))
            })
            .transpose()?,
    })
}

/// Pending sign-ins.
impl Store {
    pub async fn create_pending_sign_in(&self, new: &NewPendingSignIn) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO mfa_pending (id, token_hash, user_id, purpose, attempts, \
                 created_at, expires_at, first_method, factor_id) \
                 VALUES ($1, $2, $3, $4, 0, $5, $6, $7, $8)",
            )
            .bind(new.id.to_string())
            .bind(&new.token_hash)
            .bind(new.user_id.to_string())
            .bind(new.purpose.as_str())
            .bind(to_millis(new.created_at))
            .bind(to_millis(new.expires_at))
            .bind(new.first_method)
            .bind(new.factor_id.map(|f| f.to_string()))
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The pending sign-in behind a handle's hash (expired or not: the caller decides).
    pub async fn pending_sign_in(&self, token_hash: &str) -> Result<Option<PendingSignInRow>> {
        let row: Option<PendingTuple> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, user_id, purpose, attempts, created_at, expires_at, first_method, \
                 factor_id FROM mfa_pending WHERE token_hash = $1",
            )
            .bind(token_hash)
            .fetch_optional(pool)
            .await?
        });
        row.map(pending_from).transpose()
    }

    /// Takes one attempt of a pending sign-in before its factor is checked: true when the
    /// attempt was still free (fewer than `max` taken). One statement, so requests racing with
    /// the same handle cannot all pass the limit together.
    pub async fn claim_pending_attempt(&self, id: PendingSignInId, max: i64) -> Result<bool> {
        let n: Option<i64> = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "UPDATE mfa_pending SET attempts = attempts + 1 \
                 WHERE id = $1 AND attempts < $2 RETURNING attempts",
            )
            .bind(id.to_string())
            .bind(max)
            .fetch_optional(pool)
            .await?
        });
        Ok(n.is_some())
    }

    /// Deletes a pending sign-in; true when this call deleted it (single use).
    pub async fn take_pending_sign_in(&self, id: PendingSignInId) -> Result<bool> {
        let done = on_pool!(self, |pool| {
            sqlx::query("DELETE FROM mfa_pending WHERE id = $1")
                .bind(id.to_string())
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(done == 1)
    }

    /// Deletes every pending sign-in of the owner (password reset, factor reset).
    pub async fn delete_pending_sign_ins_of(&self, owner: UserId) -> Result<u64> {
        let done = on_pool!(self, |pool| {
            sqlx::query("DELETE FROM mfa_pending WHERE user_id = $1")
                .bind(owner.to_string())
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(done)
    }

    /// Deletes pending sign-ins that expired at or before `now`; returns how many.
    pub async fn purge_pending_sign_ins(&self, now: DateTime<Utc>) -> Result<u64> {
        let done = on_pool!(self, |pool| {
            sqlx::query("DELETE FROM mfa_pending WHERE expires_at <= $1")
                .bind(to_millis(now))
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(done)
    }
}
