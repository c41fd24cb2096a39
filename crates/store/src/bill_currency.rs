//! The currencies of a user's bills: how many bills each currency has, and moving every bill of
//! one currency to another in one statement (issue 14, item 7). Amounts stay the same minor
//! units — nothing is converted; the service allows the move only between currencies with the
//! same number of decimals, so the amounts read the same. Deleted bills are left alone.

use chrono::{DateTime, Utc};
use domain::id::UserId;

use crate::time::to_millis;
use crate::{Result, Store};

/// How many of a user's bills (not deleted, active or not) are in one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CurrencyCount {
    /// ISO 4217 code.
    pub currency: String,
    pub bills: i64,
}

impl Store {
    /// The owner's bills that are not deleted, counted per currency, by code.
    pub async fn bill_currency_counts(&self, owner: UserId) -> Result<Vec<CurrencyCount>> {
        let rows: Vec<(String, i64)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT currency, COUNT(*) FROM bills WHERE user_id = $1 AND deleted_at IS NULL \
                 GROUP BY currency ORDER BY currency",
            )
            .bind(owner.to_string())
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(currency, bills)| CurrencyCount { currency, bills })
            .collect())
    }

    /// Sets the currency of every bill of the owner's in `from` (not deleted) to `to`, in one
    /// statement, bumping each bill's version; returns how many changed.
    pub async fn change_bills_currency(
        &self,
        owner: UserId,
        from: &str,
        to: &str,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let changed = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE bills SET currency = $3, updated_at = $4, version = version + 1 \
                 WHERE user_id = $1 AND currency = $2 AND deleted_at IS NULL",
            )
            .bind(owner.to_string())
            .bind(from)
            .bind(to)
            .bind(to_millis(now))
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(changed)
    }
}
