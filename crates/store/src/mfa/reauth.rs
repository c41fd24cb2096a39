//! When a session last proved its password (and second factor) again: the step-up
//! re-authentication time kept on `sessions`.

use chrono::{DateTime, Utc};
use domain::id::SessionId;

use crate::time::{from_millis, to_millis};
use crate::{Error, Result, Store};

/// Step-up re-authentication of sessions.
impl Store {
    /// Records that session `id` proved its password (and factor) again at `at`.
    pub async fn mark_session_reauthenticated(
        &self,
        id: SessionId,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let done = on_pool!(self, |pool| {
            sqlx::query("UPDATE sessions SET reauthenticated_at = $2 WHERE id = $1")
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

    /// When session `id` last proved its password: at sign-in, or at its latest step-up.
    pub async fn session_reauthenticated_at(&self, id: SessionId) -> Result<Option<DateTime<Utc>>> {
        let at: Option<Option<i64>> = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT reauthenticated_at FROM sessions WHERE id = $1")
                .bind(id.to_string())
                .fetch_optional(pool)
                .await?
        });
        at.flatten().map(from_millis).transpose()
    }
}
