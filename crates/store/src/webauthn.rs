//! WebAuthn ceremonies under way: the state kept between the options sent to the browser and
//! its answer (the challenge, and for whom and what it was issued).
//!
//! Invariants kept here:
//! - One ceremony per binding: a new one for the same binding replaces the old (its challenge
//!   stops working).
//! - Single use is decided by the database: [`Store::take_ceremony`] is a `DELETE … RETURNING`,
//!   so of two requests answering the same challenge exactly one gets the state.
//! - An expired ceremony is never returned (it is deleted all the same).

use chrono::{DateTime, Utc};
use domain::id::UserId;

use crate::time::{from_millis, to_millis};
use crate::{Error, Result, Store};

/// What a ceremony was begun for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CeremonyPurpose {
    /// Adding a security key or passkey to a signed-in account.
    Register,
    /// A security key as the second factor of a pending sign-in.
    SecondFactor,
    /// A security key for a step-up re-authentication.
    Reauth,
    /// Passwordless sign-in with a passkey (no user known when it begins).
    Passkey,
}

impl CeremonyPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            CeremonyPurpose::Register => "register",
            CeremonyPurpose::SecondFactor => "second_factor",
            CeremonyPurpose::Reauth => "reauth",
            CeremonyPurpose::Passkey => "passkey",
        }
    }

    fn parse(text: &str) -> Result<Self> {
        match text {
            "register" => Ok(CeremonyPurpose::Register),
            "second_factor" => Ok(CeremonyPurpose::SecondFactor),
            "reauth" => Ok(CeremonyPurpose::Reauth),
            "passkey" => Ok(CeremonyPurpose::Passkey),
            other => Err(Error::Corrupt(format!("ceremony purpose {other}"))),
        }
    }
}

/// A ceremony to store.
#[derive(Debug, Clone)]
pub struct NewCeremony {
    /// Whom it belongs to (`pending:…`, `session:…:…`, `passkey:<hash>`).
    pub binding: String,
    pub purpose: CeremonyPurpose,
    /// The account it is for; `None` for passwordless sign-in.
    pub user_id: Option<UserId>,
    /// Registration: the name the new key gets.
    pub name: Option<String>,
    /// The serialised webauthn-rs state.
    pub state: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// A ceremony taken for its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CeremonyRow {
    pub purpose: CeremonyPurpose,
    pub user_id: Option<UserId>,
    pub name: Option<String>,
    pub state: String,
}

type CeremonyTuple = (String, Option<String>, Option<String>, String, i64);

impl Store {
    /// Stores a ceremony, replacing the one of the same binding.
    pub async fn put_ceremony(&self, new: &NewCeremony) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO webauthn_ceremonies (id, binding, purpose, user_id, name, state, \
                 created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (binding) DO UPDATE SET id = excluded.id, \
                 purpose = excluded.purpose, user_id = excluded.user_id, name = excluded.name, \
                 state = excluded.state, created_at = excluded.created_at, \
                 expires_at = excluded.expires_at",
            )
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(&new.binding)
            .bind(new.purpose.as_str())
            .bind(new.user_id.map(|id| id.to_string()))
            .bind(&new.name)
            .bind(&new.state)
            .bind(to_millis(new.created_at))
            .bind(to_millis(new.expires_at))
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Takes (deletes and returns) the ceremony of `binding` if it is still live at `now`:
    /// each ceremony is answered at most once.
    pub async fn take_ceremony(
        &self,
        binding: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<CeremonyRow>> {
        let row: Option<CeremonyTuple> = on_pool!(self, |pool| {
            sqlx::query_as(
                "DELETE FROM webauthn_ceremonies WHERE binding = $1 \
                 RETURNING purpose, user_id, name, state, expires_at",
            )
            .bind(binding)
            .fetch_optional(pool)
            .await?
        });
        let Some((purpose, user_id, name, state, expires)) = row else {
            return Ok(None);
        };
        if from_millis(expires)? <= now {
            return Ok(None);
        }
        Ok(Some(CeremonyRow {
            purpose: CeremonyPurpose::parse(&purpose)?,
            user_id: user_id
                .map(|id| {
                    id.parse()
                        .map_err(|_| Error::Corrupt(format!("user id {id}")))
                })
                .transpose()?,
            name,
            state,
        }))
    }

    /// Deletes ceremonies that expired at or before `now`; returns how many.
    pub async fn purge_ceremonies(&self, now: DateTime<Utc>) -> Result<u64> {
        let done = on_pool!(self, |pool| {
            sqlx::query("DELETE FROM webauthn_ceremonies WHERE expires_at <= $1")
                .bind(to_millis(now))
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(done)
    }
}
