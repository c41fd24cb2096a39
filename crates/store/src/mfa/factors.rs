//! Second factors (`mfa_factors`): enrolment, confirmation, the replay counter, use, rename
//! and removal, and the administrator's reset of all of a user's second factors.
//!
//! Invariants: every statement takes the owner; a factor's counter only moves forward
//! (`counter < $new` in the `UPDATE`, so of two concurrent uses one wins); only confirmed
//! factors count; secrets arrive encrypted.

use chrono::{DateTime, Utc};
use domain::factor::FactorKind;
use domain::id::{FactorId, UserId};

use crate::time::{from_millis, to_millis};
use crate::{Error, Result, Store};

/// A stored second factor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactorRow {
    pub id: FactorId,
    pub user_id: UserId,
    pub kind: FactorKind,
    /// A name for people ("Authenticator app", later a security key's name).
    pub name: String,
    /// The encrypted secret (TOTP seed, or a WebAuthn key's serialised credential); AAD
    /// `mfa_factors` / `secret_enc` / id.
    pub secret_enc: Option<String>,
    /// A WebAuthn key's credential id (base64url), unique per user; `None` for other kinds.
    pub credential_id: Option<String>,
    /// Enrolment was completed by proving the factor works; only confirmed factors count.
    pub confirmed: bool,
    /// Replay guard: TOTP's last accepted time step (WebAuthn: the signature counter).
    pub counter: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// A factor being enrolled (unconfirmed until [`Store::confirm_factor`]).
#[derive(Debug, Clone)]
pub struct NewFactor {
    /// Made by the caller, so the encrypted secret can name its row.
    pub id: FactorId,
    pub user_id: UserId,
    pub kind: FactorKind,
    pub name: String,
    pub secret_enc: Option<String>,
    /// A WebAuthn key's credential id (base64url).
    pub credential_id: Option<String>,
    pub created_at: DateTime<Utc>,
}

type FactorTuple = (
    String,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    bool,
    Option<i64>,
    i64,
    Option<i64>,
    Option<i64>,
);

const FACTOR_COLUMNS: &str = "id, user_id, kind, name, secret_enc, credential_id, confirmed, \
     counter, created_at, confirmed_at, last_used_at";

fn factor_from(row: FactorTuple) -> Result<FactorRow> {
    let (
        id,
        user_id,
        kind,
        name,
        secret_enc,
        credential_id,
        confirmed,
        counter,
        created,
        confirmed_at,
        used,
    ) = row;
    Ok(FactorRow {
        id: id
            .parse()
            .map_err(|_| Error::Corrupt(format!("factor id {id}")))?,
        user_id: user_id
            .parse()
            .map_err(|_| Error::Corrupt(format!("user id {user_id}")))?,
        kind: kind
            .parse()
            .map_err(|_| Error::Corrupt(format!("factor kind {kind}")))?,
        name,
        secret_enc,
        credential_id,
        confirmed,
        counter,
        created_at: from_millis(created)?,
        confirmed_at: confirmed_at.map(from_millis).transpose()?,
        last_used_at: used.map(from_millis).transpose()?,
    })
}

/// Factors.
impl Store {
    /// Adds an unconfirmed factor.
    pub async fn create_factor(&self, new: &NewFactor) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO mfa_factors (id, user_id, kind, name, secret_enc, credential_id, \
                 confirmed, created_at) VALUES ($1, $2, $3, $4, $5, $6, FALSE, $7)",
            )
            .bind(new.id.to_string())
            .bind(new.user_id.to_string())
            .bind(new.kind.as_str())
            .bind(&new.name)
            .bind(&new.secret_enc)
            .bind(&new.credential_id)
            .bind(to_millis(new.created_at))
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The owner's factors (confirmed or not), oldest first.
    pub async fn factors_of(&self, owner: UserId) -> Result<Vec<FactorRow>> {
        let rows: Vec<FactorTuple> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {FACTOR_COLUMNS} FROM mfa_factors WHERE user_id = $1 \
                 ORDER BY created_at, id"
            )))
            .bind(owner.to_string())
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(factor_from).collect()
    }

    /// Removes the owner's unconfirmed factors of `kind` (an abandoned enrolment); returns how
    /// many.
    pub async fn delete_unconfirmed_factors(&self, owner: UserId, kind: FactorKind) -> Result<u64> {
        let done = on_pool!(self, |pool| {
            sqlx::query(
                "DELETE FROM mfa_factors WHERE user_id = $1 AND kind = $2 AND confirmed = FALSE",
            )
            .bind(owner.to_string())
            .bind(kind.as_str())
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(done)
    }

    /// Confirms the owner's unconfirmed factor `id` with its first accepted `counter`, in one
    /// transaction that first removes the owner's other factors of the same kind when
    /// `replace_same_kind` (one authenticator app per account: a new one replaces the old).
    /// `NotFound` when `id` is not an unconfirmed factor of the owner (nothing changes then).
    pub async fn confirm_factor(
        &self,
        owner: UserId,
        id: FactorId,
        counter: Option<i64>,
        replace_same_kind: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.confirm_factor_issuing_codes(owner, id, counter, replace_same_kind, &[], now)
            .await
            .map(|_| ())
    }

    /// [`Store::confirm_factor`], and in the same transaction, when the owner has no unused
    /// recovery code, the set `code_hashes`; true when those codes were stored. A failure
    /// leaves neither the factor confirmed nor the codes.
    pub async fn confirm_factor_issuing_codes(
        &self,
        owner: UserId,
        id: FactorId,
        counter: Option<i64>,
        replace_same_kind: bool,
        code_hashes: &[String],
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let outcome = on_pool!(self, |pool| {
            let mut tx = crate::db::BeginWrite::begin_write(pool).await?;
            let done = sqlx::query(
                "UPDATE mfa_factors SET confirmed = TRUE, confirmed_at = $3, counter = $4, \
                 last_used_at = $3 WHERE id = $1 AND user_id = $2 AND confirmed = FALSE",
            )
            .bind(id.to_string())
            .bind(owner.to_string())
            .bind(to_millis(now))
            .bind(counter)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done == 1 {
                if replace_same_kind {
                    sqlx::query(
                        "DELETE FROM mfa_factors WHERE user_id = $1 AND id <> $2 AND kind = \
                         (SELECT kind FROM mfa_factors WHERE id = $2)",
                    )
                    .bind(owner.to_string())
                    .bind(id.to_string())
                    .execute(&mut *tx)
                    .await?;
                }
                let issued = super::recovery::issue_codes_if_none!(tx, owner, code_hashes, now);
                tx.commit().await?;
                Some(issued)
            } else {
                None
            }
        });
        outcome.ok_or(Error::NotFound)
    }

    /// Stores a factor that is confirmed from the start (a security key, whose registration
    /// ceremony is its proof) and, in the same transaction, the recovery codes `code_hashes`
    /// when the owner has no unused one; true when those codes were stored.
    pub async fn add_confirmed_factor(
        &self,
        new: &NewFactor,
        code_hashes: &[String],
    ) -> Result<bool> {
        let issued = on_pool!(self, |pool| {
            let mut tx = crate::db::BeginWrite::begin_write(pool).await?;
            sqlx::query(
                "INSERT INTO mfa_factors (id, user_id, kind, name, secret_enc, credential_id, \
                 confirmed, confirmed_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, TRUE, $7, $7)",
            )
            .bind(new.id.to_string())
            .bind(new.user_id.to_string())
            .bind(new.kind.as_str())
            .bind(&new.name)
            .bind(&new.secret_enc)
            .bind(&new.credential_id)
            .bind(to_millis(new.created_at))
            .execute(&mut *tx)
            .await?;
            let issued =
                super::recovery::issue_codes_if_none!(tx, new.user_id, code_hashes, new.created_at);
            tx.commit().await?;
            issued
        });
        Ok(issued)
    }

    /// Moves the owner's factor `id` forward to `counter` if it is past the stored one; false
    /// when it is not (a replayed code), or the factor is not the owner's.
    pub async fn advance_factor_counter(
        &self,
        owner: UserId,
        id: FactorId,
        counter: i64,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let done = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE mfa_factors SET counter = $3, last_used_at = $4 \
                 WHERE id = $1 AND user_id = $2 AND confirmed = TRUE \
                 AND (counter IS NULL OR counter < $3)",
            )
            .bind(id.to_string())
            .bind(owner.to_string())
            .bind(counter)
            .bind(to_millis(now))
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(done == 1)
    }

    /// The owner's confirmed factor of `kind` with this credential id (a WebAuthn key named by
    /// a passkey sign-in), if any.
    pub async fn factor_by_credential(
        &self,
        owner: UserId,
        kind: FactorKind,
        credential_id: &str,
    ) -> Result<Option<FactorRow>> {
        let row: Option<FactorTuple> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {FACTOR_COLUMNS} FROM mfa_factors WHERE user_id = $1 AND kind = $2 \
                 AND credential_id = $3 AND confirmed = TRUE"
            )))
            .bind(owner.to_string())
            .bind(kind.as_str())
            .bind(credential_id)
            .fetch_optional(pool)
            .await?
        });
        row.map(factor_from).transpose()
    }

    /// Renames the owner's factor `id` of `kind`; `NotFound` when there is no such factor.
    pub async fn rename_factor(
        &self,
        owner: UserId,
        id: FactorId,
        kind: FactorKind,
        name: &str,
    ) -> Result<()> {
        let done = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE mfa_factors SET name = $4 WHERE id = $1 AND user_id = $2 AND kind = $3",
            )
            .bind(id.to_string())
            .bind(owner.to_string())
            .bind(kind.as_str())
            .bind(name)
            .execute(pool)
            .await?
            .rows_affected()
        });
        if done == 1 {
            Ok(())
        } else {
            Err(Error::NotFound)
        }
    }

    /// Removes the owner's factor `id` of `kind`; true when this call removed it.
    pub async fn delete_factor(
        &self,
        owner: UserId,
        id: FactorId,
        kind: FactorKind,
    ) -> Result<bool> {
        let done = on_pool!(self, |pool| {
            sqlx::query("DELETE FROM mfa_factors WHERE id = $1 AND user_id = $2 AND kind = $3")
                .bind(id.to_string())
                .bind(owner.to_string())
                .bind(kind.as_str())
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(done == 1)
    }

    /// Records a use of the owner's confirmed factor `id` at `now`, replacing its encrypted
    /// secret when `secret_enc` is given (a WebAuthn key whose stored counter or flags moved).
    /// False when the factor is gone (removed meanwhile) or not the owner's.
    pub async fn record_factor_use(
        &self,
        owner: UserId,
        id: FactorId,
        secret_enc: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let done = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE mfa_factors SET last_used_at = $3, secret_enc = COALESCE($4, secret_enc) \
                 WHERE id = $1 AND user_id = $2 AND confirmed = TRUE",
            )
            .bind(id.to_string())
            .bind(owner.to_string())
            .bind(to_millis(now))
            .bind(secret_enc)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(done == 1)
    }

    /// Removes the owner's factors of `kind`; returns how many.
    pub async fn delete_factors_of_kind(&self, owner: UserId, kind: FactorKind) -> Result<u64> {
        let done = on_pool!(self, |pool| {
            sqlx::query("DELETE FROM mfa_factors WHERE user_id = $1 AND kind = $2")
                .bind(owner.to_string())
                .bind(kind.as_str())
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(done)
    }

    /// Removes every factor, recovery code and pending sign-in of the owner in one transaction
    /// (an administrator's reset, or the last factor turned off); returns the factors removed.
    pub async fn reset_second_factors(&self, owner: UserId) -> Result<u64> {
        let removed = on_pool!(self, |pool| {
            let mut tx = crate::db::BeginWrite::begin_write(pool).await?;
            let removed = sqlx::query("DELETE FROM mfa_factors WHERE user_id = $1")
                .bind(owner.to_string())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            for table in ["mfa_recovery_codes", "mfa_pending"] {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DELETE FROM {table} WHERE user_id = $1"
                )))
                .bind(owner.to_string())
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            removed
        });
        Ok(removed)
    }
}
