//! Instance-wide settings as key/value text (JSON by convention). Database values win over
//! the environment for settings an admin can change in the UI.

use chrono::{DateTime, Utc};

use crate::time::to_millis;
use crate::{Result, Store};

impl Store {
    pub async fn setting(&self, key: &str) -> Result<Option<String>> {
        let value = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT value FROM settings WHERE key = $1")
                .bind(key)
                .fetch_optional(pool)
                .await?
        });
        Ok(value)
    }

    pub async fn put_setting(&self, key: &str, value: &str, now: DateTime<Utc>) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (key) DO UPDATE SET value = $2, updated_at = $3",
            )
            .bind(key)
            .bind(value)
            .bind(to_millis(now))
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    pub async fn delete_setting(&self, key: &str) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query("DELETE FROM settings WHERE key = $1")
                .bind(key)
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}

impl Store {
    /// Deletes `key` only if it still holds `value`; true when this call deleted it. Lets
    /// exactly one of several concurrent callers consume a one-time value.
    pub async fn take_setting(&self, key: &str, value: &str) -> Result<bool> {
        let done = on_pool!(self, |pool| {
            sqlx::query("DELETE FROM settings WHERE key = $1 AND value = $2")
                .bind(key)
                .bind(value)
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(done == 1)
    }
}
