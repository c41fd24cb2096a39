//! Job leases: a scheduled job first takes its lease, so with several instances on one
//! PostgreSQL database the job runs on exactly one of them. A lease expires on its own when
//! its holder dies.

use chrono::{DateTime, Utc};

use crate::time::to_millis;
use crate::{Result, Store};

impl Store {
    /// Takes or renews the lease `name` for `holder` until `until`. Returns false when another
    /// holder has a lease that has not expired.
    pub async fn acquire_lease(
        &self,
        name: &str,
        holder: &str,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let won: Option<String> = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "INSERT INTO job_leases (name, holder, expires_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (name) DO UPDATE SET holder = $2, expires_at = $3 \
                 WHERE job_leases.expires_at <= $4 OR job_leases.holder = $2 \
                 RETURNING holder",
            )
            .bind(name)
            .bind(holder)
            .bind(to_millis(until))
            .bind(to_millis(now))
            .fetch_optional(pool)
            .await?
        });
        Ok(won.is_some())
    }

    /// Gives a lease back early (after the job finished).
    pub async fn release_lease(&self, name: &str, holder: &str) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query("DELETE FROM job_leases WHERE name = $1 AND holder = $2")
                .bind(name)
                .bind(holder)
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}
