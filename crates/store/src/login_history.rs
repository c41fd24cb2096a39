//! Sign-in attempts per user (success or failure), newest first. IP and user agent arrive
//! encrypted; the session id links a success to the session it opened ("this session").

use chrono::{DateTime, Utc};
use domain::id::{SessionId, UserId};

use crate::time::{from_millis, to_millis};
use crate::{Error, Result, Store};

#[derive(Debug, Clone)]
pub struct NewLogin {
    /// Made by the caller, so encrypted fields can name their row in the associated data.
    pub id: String,
    pub user_id: UserId,
    pub at: DateTime<Utc>,
    pub success: bool,
    pub method: String,
    pub session_id: Option<SessionId>,
    pub ip_enc: Option<String>,
    pub user_agent_enc: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginRow {
    pub id: String,
    pub at: DateTime<Utc>,
    pub success: bool,
    pub method: String,
    pub session_id: Option<SessionId>,
    pub ip_enc: Option<String>,
    pub user_agent_enc: Option<String>,
}

type Row = (
    String,
    i64,
    bool,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
);

impl Store {
    pub async fn record_login(&self, new: &NewLogin) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO login_history (id, user_id, at, success, method, session_id, ip_enc, \
                 user_agent_enc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&new.id)
            .bind(new.user_id.to_string())
            .bind(to_millis(new.at))
            .bind(new.success)
            .bind(&new.method)
            .bind(new.session_id.map(|s| s.to_string()))
            .bind(&new.ip_enc)
            .bind(&new.user_agent_enc)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// The owner's most recent `limit` sign-in attempts, newest first.
    /// The newest successful sign-in of every account that has one, by user id.
    pub async fn last_successful_sign_ins(
        &self,
    ) -> Result<std::collections::HashMap<String, DateTime<Utc>>> {
        let rows: Vec<(String, i64)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT user_id, MAX(at) FROM login_history WHERE success GROUP BY user_id",
            )
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(user, at)| Ok((user, from_millis(at)?)))
            .collect()
    }

    /// The newest successful sign-in of `owner`, however many failures came after it.
    pub async fn last_successful_sign_in(&self, owner: UserId) -> Result<Option<DateTime<Utc>>> {
        let at: Option<i64> = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT MAX(at) FROM login_history WHERE user_id = $1 AND success")
                .bind(owner.to_string())
                .fetch_one(pool)
                .await?
        });
        at.map(from_millis).transpose()
    }

    pub async fn logins_of(&self, owner: UserId, limit: i64) -> Result<Vec<LoginRow>> {
        let rows: Vec<Row> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, at, success, method, session_id, ip_enc, user_agent_enc \
                 FROM login_history WHERE user_id = $1 ORDER BY at DESC, id DESC LIMIT $2",
            )
            .bind(owner.to_string())
            .bind(limit.clamp(1, 500))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(
                |(id, at, success, method, session_id, ip_enc, user_agent_enc)| {
                    Ok(LoginRow {
                        id,
                        at: from_millis(at)?,
                        success,
                        method,
                        session_id: session_id
                            .map(|s| {
                                s.parse()
                                    .map_err(|_| Error::Corrupt(format!("session id {s}")))
                            })
                            .transpose()?,
                        ip_enc,
                        user_agent_enc,
                    })
                },
            )
            .collect()
    }
}

/// A wrong password for an existing account: its sign-in history row, and the delay its
/// `failed_logins`-th failure imposes (kept on the account for administrators).
pub struct AccountFailure<'a> {
    pub login: &'a NewLogin,
    pub throttled_until: &'a (dyn Fn(i64) -> Option<DateTime<Utc>> + Sync),
}

impl Store {
    /// One failed password check, as one transaction whether or not the account exists (so
    /// both cost one commit, AUTH-06): counts a failure under each of `counters` (as
    /// [`Store::record_failure`]) and, for an existing account, its history row and counters.
    /// Returns the count of the first counter.
    pub async fn record_password_failure(
        &self,
        counters: &[&str],
        now: DateTime<Utc>,
        forget_before: DateTime<Utc>,
        account: Option<AccountFailure<'_>>,
    ) -> Result<i64> {
        let first = on_pool!(self, |pool| {
            let mut tx = crate::db::BeginWrite::begin_write(pool).await?;
            let mut first = 0;
            for (i, key) in counters.iter().enumerate() {
                let hits: i64 = sqlx::query_scalar(crate::rate_limits::RECORD_FAILURE)
                    .bind(*key)
                    .bind(to_millis(now))
                    .bind(to_millis(forget_before))
                    .fetch_one(&mut *tx)
                    .await?;
                if i == 0 {
                    first = hits;
                }
            }
            if let Some(account) = account {
                let new = account.login;
                sqlx::query(
                    "UPDATE users SET failed_logins = failed_logins + 1, throttled_until = $2 \
                     WHERE id = $1",
                )
                .bind(new.user_id.to_string())
                .bind((account.throttled_until)(first).map(to_millis))
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO login_history (id, user_id, at, success, method, session_id, \
                     ip_enc, user_agent_enc) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(&new.id)
                .bind(new.user_id.to_string())
                .bind(to_millis(new.at))
                .bind(new.success)
                .bind(&new.method)
                .bind(new.session_id.map(|s| s.to_string()))
                .bind(&new.ip_enc)
                .bind(&new.user_agent_enc)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            first
        });
        Ok(first)
    }
}
