//! Sign-in through external providers: the identities linked to accounts, and sign-ins under
//! way between the redirect to a provider and its callback.
//!
//! Invariants kept here:
//! - An identity is found only by (issuer, subject), never by email.
//! - An account has at most one identity per issuer, and an identity one account (unique
//!   indexes; a clash is [`Error::Conflict`]).
//! - A new account and its identity are written in one transaction.
//! - A sign-in flow is taken by a `DELETE … RETURNING`: of two callbacks with the same state
//!   exactly one gets it, and an expired one is never returned.

use chrono::{DateTime, Utc};
use domain::id::{SessionId, UserId};

use crate::time::{from_millis, to_millis};
use crate::users::{NewUser, UserRow};
use crate::{Error, Result, Store};

/// An identity to link to an account.
#[derive(Debug, Clone)]
pub struct NewIdentity {
    /// `oidc` or `github`.
    pub provider: &'static str,
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
}

/// A linked identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdentityRow {
    pub id: String,
    pub user_id: UserId,
    pub provider: String,
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

type IdentityTuple = (
    String,
    String,
    String,
    String,
    String,
    Option<String>,
    i64,
    Option<i64>,
);

const IDENTITY_COLUMNS: &str =
    "id, user_id, provider, issuer, subject, email, created_at, last_used_at";

fn identity(row: IdentityTuple) -> Result<IdentityRow> {
    let (id, user_id, provider, issuer, subject, email, created, used) = row;
    Ok(IdentityRow {
        id,
        user_id: user_id
            .parse()
            .map_err(|_| Error::Corrupt(format!("user id {user_id}")))?,
        provider,
        issuer,
        subject,
        email,
        created_at: from_millis(created)?,
        last_used_at: used.map(from_millis).transpose()?,
    })
}

/// A sign-in under way.
#[derive(Debug, Clone)]
pub struct NewFlow {
    pub state_hash: String,
    pub browser_hash: String,
    pub provider: &'static str,
    pub nonce: String,
    pub verifier_enc: String,
    /// `sign_in` or `reauth`.
    pub purpose: &'static str,
    /// The session a step-up is for.
    pub session_id: Option<SessionId>,
    /// Where to go afterwards (a same-site path).
    pub next_path: Option<String>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

type FlowTuple = (
    String,
    String,
    String,
    String,
    String,
    i64,
    String,
    Option<String>,
    Option<String>,
    i64,
);

/// A sign-in flow taken for its callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowRow {
    pub state_hash: String,
    pub browser_hash: String,
    pub provider: String,
    pub nonce: String,
    pub verifier_enc: String,
    pub purpose: String,
    pub session_id: Option<String>,
    pub next_path: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The `INSERT … RETURNING` of one identity, as a query expression (used on a pool and inside
/// a transaction, for either engine).
macro_rules! insert_identity {
    ($user:expr, $new:expr, $now:expr) => {
        sqlx::query_as::<_, IdentityTuple>(sqlx::AssertSqlSafe(format!(
            "INSERT INTO external_identities (id, user_id, provider, issuer, subject, email, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING {IDENTITY_COLUMNS}"
        )))
        .bind(uuid::Uuid::now_v7().to_string())
        .bind($user.to_string())
        .bind($new.provider)
        .bind(&$new.issuer)
        .bind(&$new.subject)
        .bind(&$new.email)
        .bind(to_millis($now))
    };
}

impl Store {
    /// The identity `(issuer, subject)`, if some account has it.
    pub async fn identity(&self, issuer: &str, subject: &str) -> Result<Option<IdentityRow>> {
        let row: Option<IdentityTuple> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {IDENTITY_COLUMNS} FROM external_identities \
                 WHERE issuer = $1 AND subject = $2"
            )))
            .bind(issuer)
            .bind(subject)
            .fetch_optional(pool)
            .await?
        });
        row.map(identity).transpose()
    }

    /// The identities linked to `user`, oldest first.
    pub async fn identities_of(&self, user: UserId) -> Result<Vec<IdentityRow>> {
        let rows: Vec<IdentityTuple> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {IDENTITY_COLUMNS} FROM external_identities WHERE user_id = $1 \
                 ORDER BY created_at, id"
            )))
            .bind(user.to_string())
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(identity).collect()
    }

    /// Links `new` to the existing account `user`.
    pub async fn link_identity(
        &self,
        user: UserId,
        new: &NewIdentity,
        now: DateTime<Utc>,
    ) -> Result<IdentityRow> {
        let row: IdentityTuple = on_pool!(self, |pool| {
            insert_identity!(user, new, now).fetch_one(pool).await?
        });
        identity(row)
    }

    /// Creates an account and links `new` to it, in one transaction.
    pub async fn create_user_with_identity(
        &self,
        user: &NewUser,
        new: &NewIdentity,
        now: DateTime<Utc>,
    ) -> Result<UserRow> {
        on_pool!(self, |pool| {
            let mut tx = crate::db::BeginWrite::begin_write(pool).await?;
            let created = crate::users::insert_user!(UserId::new(), user, now)
                .fetch_one(&mut *tx)
                .await?;
            let created = crate::users::from_row(created)?;
            insert_identity!(created.id, new, now)
                .fetch_one(&mut *tx)
                .await?;
            tx.commit().await?;
            Ok(created)
        })
    }

    /// Notes a sign-in with the identity, and the email the provider gave this time.
    pub async fn touch_identity(
        &self,
        id: &str,
        email: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE external_identities SET last_used_at = $1, email = $2 WHERE id = $3",
            )
            .bind(to_millis(now))
            .bind(email)
            .bind(id)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// How many active administrators (the bootstrap account aside) can sign in with an
    /// identity from `issuer`.
    pub async fn count_admins_linked_to(&self, issuer: &str) -> Result<i64> {
        let n = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT COUNT(DISTINCT u.id) FROM users u JOIN external_identities i \
                 ON i.user_id = u.id WHERE i.issuer = $1 AND u.role = 'admin' \
                 AND u.is_active = TRUE AND u.is_bootstrap = FALSE",
            )
            .bind(issuer)
            .fetch_one(pool)
            .await?
        });
        Ok(n)
    }

    /// Makes administrator `id` a regular user, unless no other active administrator (the
    /// bootstrap account aside) would be left; one statement, so two demotions at once cannot
    /// both pass the check on SQLite (PostgreSQL: see docs/security.md). True when demoted.
    pub async fn demote_admin_unless_last(&self, id: UserId, now: DateTime<Utc>) -> Result<bool> {
        let done = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE users SET role = 'user', updated_at = $2, version = version + 1 \
                 WHERE id = $1 AND role = 'admin' AND (SELECT COUNT(*) FROM users o \
                 WHERE o.role = 'admin' AND o.is_active = TRUE AND o.is_bootstrap = FALSE \
                 AND o.id <> $1) > 0",
            )
            .bind(id.to_string())
            .bind(to_millis(now))
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(done == 1)
    }

    /// The account whose email is `email` (stored lower-case), if any.
    pub async fn user_by_email(&self, email: &str) -> Result<Option<UserRow>> {
        let row: Option<crate::users::Row> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {} FROM users WHERE email = $1",
                crate::users::COLUMNS
            )))
            .bind(email)
            .fetch_optional(pool)
            .await?
        });
        row.map(crate::users::from_row).transpose()
    }

    /// Stores a sign-in under way, and drops those that expired by its start.
    pub async fn put_sign_in_flow(&self, new: &NewFlow) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query("DELETE FROM external_sign_in_flows WHERE expires_at <= $1")
                .bind(to_millis(new.created_at))
                .execute(pool)
                .await?;
            sqlx::query(
                "INSERT INTO external_sign_in_flows (state_hash, browser_hash, provider, nonce, \
                 verifier_enc, created_at, expires_at, purpose, session_id, next_path) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(&new.state_hash)
            .bind(&new.browser_hash)
            .bind(new.provider)
            .bind(&new.nonce)
            .bind(&new.verifier_enc)
            .bind(to_millis(new.created_at))
            .bind(to_millis(new.expires_at))
            .bind(new.purpose)
            .bind(new.session_id.map(|id| id.to_string()))
            .bind(&new.next_path)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Takes (deletes and returns) the flow of `state_hash` if it is still live at `now`.
    pub async fn take_sign_in_flow(
        &self,
        state_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<FlowRow>> {
        let row: Option<FlowTuple> = on_pool!(self, |pool| {
            sqlx::query_as(
                "DELETE FROM external_sign_in_flows WHERE state_hash = $1 RETURNING \
                 state_hash, browser_hash, provider, nonce, verifier_enc, expires_at, \
                 purpose, session_id, next_path, created_at",
            )
            .bind(state_hash)
            .fetch_optional(pool)
            .await?
        });
        let Some(row) = row else {
            return Ok(None);
        };
        if from_millis(row.5)? <= now {
            return Ok(None);
        }
        Ok(Some(FlowRow {
            state_hash: row.0,
            browser_hash: row.1,
            provider: row.2,
            nonce: row.3,
            verifier_enc: row.4,
            purpose: row.6,
            session_id: row.7,
            next_path: row.8,
            created_at: from_millis(row.9)?,
        }))
    }
}
