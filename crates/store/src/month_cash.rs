//! Starting cash and income per pay-period bucket of a month, and the recurring income per
//! payday, for the tracker's safe-to-spend. Month rows are keyed by (owner, `YYYY-MM`, bucket
//! number); either amount may be unset (`NULL`), and a bucket with neither has no row. The
//! recurring income is one row per owner. Amounts are minor units of the owner's currency,
//! stored plain like every other amount.

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
    /// `None`: not given.
    pub starting_minor: Option<i64>,
    /// `None`: not given (the recurring income may apply).
    pub income_minor: Option<i64>,
    pub updated_at: DateTime<Utc>,
}

/// What to save for one bucket of a month: both `None` removes the bucket's row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BucketCash {
    pub bucket: i64,
    pub starting_minor: Option<i64>,
    pub income_minor: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct Stored {
    year_month: String,
    bucket: i64,
    starting_minor: Option<i64>,
    income_minor: Option<i64>,
    updated_at: i64,
}

const COLUMNS: &str = "year_month, bucket, starting_minor, income_minor, updated_at";

const UPSERT: &str = "INSERT INTO month_cash (user_id, year_month, bucket, starting_minor, \
     income_minor, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
     ON CONFLICT (user_id, year_month, bucket) DO UPDATE SET \
     starting_minor = excluded.starting_minor, income_minor = excluded.income_minor, \
     updated_at = excluded.updated_at";

/// Sets (`Some`) or removes (`None`) the recurring income: `$1` owner, `$2` amount, `$3` now.
const SET_RECURRING: &str = "INSERT INTO recurring_income (user_id, per_payday_minor, updated_at) \
     VALUES ($1, $2, $3) ON CONFLICT (user_id) DO UPDATE SET \
     per_payday_minor = excluded.per_payday_minor, updated_at = excluded.updated_at";
const DELETE_RECURRING: &str = "DELETE FROM recurring_income WHERE user_id = $1";

/// Runs the recurring income's one statement on `$executor` (a pool or a transaction).
macro_rules! set_recurring {
    ($executor:expr, $owner:expr, $minor:expr, $now:expr) => {
        match $minor {
            Some(minor) => {
                sqlx::query(SET_RECURRING)
                    .bind($owner)
                    .bind(minor)
                    .bind($now)
                    .execute($executor)
                    .await?
            }
            None => {
                sqlx::query(DELETE_RECURRING)
                    .bind($owner)
                    .execute($executor)
                    .await?
            }
        }
    };
}

const DELETE: &str =
    "DELETE FROM month_cash WHERE user_id = $1 AND year_month = $2 AND bucket = $3";

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

    /// Saves buckets of a month and the recurring income in one transaction: each bucket's
    /// row is replaced (or removed when it has neither amount), and the recurring income per
    /// payday is set (`Some(Some)`), removed (`Some(None)`) or left alone (`None`).
    pub async fn save_month_cash(
        &self,
        owner: UserId,
        year_month: &str,
        buckets: &[BucketCash],
        per_payday_minor: Option<Option<i64>>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let owner = owner.to_string();
        on_pool!(self, |pool| {
            let mut tx = crate::db::BeginWrite::begin_write(pool).await?;
            for cash in buckets {
                if cash.starting_minor.is_none() && cash.income_minor.is_none() {
                    sqlx::query(DELETE)
                        .bind(&owner)
                        .bind(year_month)
                        .bind(cash.bucket)
                        .execute(&mut *tx)
                        .await?;
                } else {
                    sqlx::query(UPSERT)
                        .bind(&owner)
                        .bind(year_month)
                        .bind(cash.bucket)
                        .bind(cash.starting_minor)
                        .bind(cash.income_minor)
                        .bind(to_millis(now))
                        .execute(&mut *tx)
                        .await?;
                }
            }
            if let Some(minor) = per_payday_minor {
                set_recurring!(&mut *tx, &owner, minor, to_millis(now));
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// The owner's recurring income per payday, if set.
    pub async fn recurring_income(&self, owner: UserId) -> Result<Option<i64>> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT per_payday_minor FROM recurring_income WHERE user_id = $1")
                .bind(owner.to_string())
                .fetch_optional(pool)
                .await?
        }))
    }

    /// Sets (`Some`) or removes (`None`) the owner's recurring income per payday.
    pub async fn set_recurring_income(
        &self,
        owner: UserId,
        per_payday_minor: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let owner = owner.to_string();
        on_pool!(self, |pool| {
            set_recurring!(pool, &owner, per_payday_minor, to_millis(now));
        });
        Ok(())
    }
}
