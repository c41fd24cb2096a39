//! When a session last proved its password (and second factor) again, and when its account
//! last proved itself to its sign-in provider: the step-up times kept on `sessions`.

use chrono::{DateTime, Utc};
use domain::id::SessionId;

use crate::time::{from_millis, to_millis};
use crate::{Error, Result, Store};

/// The step-up times of a session (each its own column).
#[derive(Debug, Clone, Copy)]
enum Mark {
    /// `reauthenticated_at`: the step-up is complete.
    Reauthenticated,
    /// `provider_proved_at`: the provider confirmed the account (the factor may still be due).
    ProviderProved,
}

impl Mark {
    fn column(self) -> &'static str {
        match self {
            Mark::Reauthenticated => "reauthenticated_at",
            Mark::ProviderProved => "provider_proved_at",
        }
    }
}

/// Step-up re-authentication of sessions.
impl Store {
    /// Records that session `id` proved its password (and factor) again at `at`.
    pub async fn mark_session_reauthenticated(
        &self,
        id: SessionId,
        at: DateTime<Utc>,
    ) -> Result<()> {
        self.set_mark(id, Mark::Reauthenticated, at).await
    }

    /// When session `id` last proved its password, if ever (`None` also for no such session).
    pub async fn session_reauthenticated_at(&self, id: SessionId) -> Result<Option<DateTime<Utc>>> {
        self.mark(id, Mark::Reauthenticated).await
    }

    /// Notes that the session's account just proved itself to its sign-in provider.
    pub async fn mark_session_provider_proved(
        &self,
        id: SessionId,
        at: DateTime<Utc>,
    ) -> Result<()> {
        self.set_mark(id, Mark::ProviderProved, at).await
    }

    /// When the session's account last proved itself to its provider, if ever.
    pub async fn session_provider_proved_at(&self, id: SessionId) -> Result<Option<DateTime<Utc>>> {
        self.mark(id, Mark::ProviderProved).await
    }

    async fn set_mark(&self, id: SessionId, mark: Mark, at: DateTime<Utc>) -> Result<()> {
        let sql = format!("UPDATE sessions SET {} = $2 WHERE id = $1", mark.column());
        let done = on_pool!(self, |pool| {
            sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(id.to_string())
                .bind(to_millis(at))
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

    async fn mark(&self, id: SessionId, mark: Mark) -> Result<Option<DateTime<Utc>>> {
        let sql = format!("SELECT {} FROM sessions WHERE id = $1", mark.column());
        let at: Option<Option<i64>> = on_pool!(self, |pool| {
            sqlx::query_scalar(sqlx::AssertSqlSafe(sql.clone()))
                .bind(id.to_string())
                .fetch_optional(pool)
                .await?
        });
        at.flatten().map(from_millis).transpose()
    }
}
