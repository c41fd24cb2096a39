//! Starting cash and income per pay-period bucket of a month, for the tracker's
//! safe-to-spend. Keyed by (owner, `YYYY-MM`, bucket number); a bucket never saved is zero.

use chrono::{DateTime, Utc};

use domain::id::UserId;

use crate::time::{from_millis, to_millis};
use crate::{Result, Store};

/// One bucket's saved amounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthCashRow {
    /// `YYYY-MM`.
    pub year_month: String,
    /// The bucket's place in the month, as the service numbers the user's pay periods.
    pub bucket: i64,
    pub starting_minor: i64,
    pub income_minor: i64,
    pub updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct Stored {
    year_month: String,
    bucket: i64,
    starting_minor: i64,
    income_minor: i64,
    updated_at: i64,
}

const COLUMNS: &str = "year_month, bucket, starting_minor, income_minor, updated_at";

fn from_stored(row: Stored) -> Result<MonthCashRow> {
    Ok(MonthCashRow {
        year_month: row.year_month,
        bucket: row.bucket,
        starting_minor: row.starting_minor,
        income_minor: row.income_minor,
        updated_at: from_millis(row.updated_at)?,
    })
}

impl Store {
    /// Every saved bucket of the owner's month `year_month` (`YYYY-MM`), by bucket.
    pub async fn month_cash(&self, owner: UserId, year_month: &str) -> Result<Vec<MonthCashRow>> {
        let rows: Vec<Stored> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM month_cash WHERE user_id = $1 AND year_month = $2 \
                 ORDER BY bucket"
            )))
            .bind(owner.to_string())
            .bind(year_month)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(from_stored).collect()
    }

    /// Saves one bucket's starting cash and income, replacing what was saved before.
    pub async fn upsert_month_cash(
        &self,
        owner: UserId,
        year_month: &str,
        bucket: i64,
        starting_minor: i64,
        income_minor: i64,
        now: DateTime<Utc>,
    ) -> Result<MonthCashRow> {
        let row: Stored = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "INSERT INTO month_cash (user_id, year_month, bucket, starting_minor, \
                 income_minor, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (user_id, year_month, bucket) DO UPDATE SET \
                 starting_minor = excluded.starting_minor, income_minor = excluded.income_minor, \
                 updated_at = excluded.updated_at RETURNING {COLUMNS}"
            )))
            .bind(owner.to_string())
            .bind(year_month)
            .bind(bucket)
            .bind(starting_minor)
            .bind(income_minor)
            .bind(to_millis(now))
            .fetch_one(pool)
            .await?
        });
        from_stored(row)
    }
}
