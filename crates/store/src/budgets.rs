//! Budgets: a spending limit per category and period (`monthly` or `yearly`). One budget per
//! (category, period); a second is `Conflict { field: "category_id" }`. The category must be
//! one of the owner's; another user's is `NotFound`. Budgets are deleted for good (no soft
//! delete), and go with their category when it is deleted permanently.

use chrono::{DateTime, Utc};

use domain::id::{BudgetId, CategoryId, UserId};

use crate::columns::{conflict_on, parse_id, stale_or_missing};
use crate::time::{from_millis, to_millis};
use crate::{Error, Result, Store};

/// A stored budget.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetRow {
    pub id: BudgetId,
    pub category_id: CategoryId,
    /// `monthly` or `yearly`.
    pub period: String,
    pub limit_minor: i64,
    pub currency: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// A budget to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBudget {
    pub category_id: CategoryId,
    pub period: String,
    pub limit_minor: i64,
    pub currency: String,
}

#[derive(sqlx::FromRow)]
struct Stored {
    id: String,
    category_id: String,
    period: String,
    limit_minor: i64,
    currency: String,
    created_at: i64,
    updated_at: i64,
    version: i64,
}

const COLUMNS: &str =
    "id, category_id, period, limit_minor, currency, created_at, updated_at, version";

fn from_stored(row: Stored) -> Result<BudgetRow> {
    Ok(BudgetRow {
        id: parse_id("budget", &row.id)?,
        category_id: parse_id("category", &row.category_id)?,
        period: row.period,
        limit_minor: row.limit_minor,
        currency: row.currency,
        created_at: from_millis(row.created_at)?,
        updated_at: from_millis(row.updated_at)?,
        version: row.version,
    })
}

impl Store {
    /// Creates a budget for one of the owner's categories.
    pub async fn create_budget(
        &self,
        owner: UserId,
        new: &NewBudget,
        now: DateTime<Utc>,
    ) -> Result<BudgetRow> {
        let result: Result<Option<Stored>> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "INSERT INTO budgets (id, user_id, category_id, period, limit_minor, currency, \
                 created_at, updated_at) \
                 SELECT $1, user_id, id, $4, $5, $6, $7, $7 FROM categories \
                 WHERE id = $3 AND user_id = $2 RETURNING {COLUMNS}"
            )))
            .bind(BudgetId::new().to_string())
            .bind(owner.to_string())
            .bind(new.category_id.to_string())
            .bind(&new.period)
            .bind(new.limit_minor)
            .bind(&new.currency)
            .bind(to_millis(now))
            .fetch_optional(pool)
            .await
            .map_err(Error::from)
        });
        from_stored(
            result
                .map_err(conflict_on("category_id"))?
                .ok_or(Error::NotFound)?,
        )
    }

    pub async fn budget(&self, owner: UserId, id: BudgetId) -> Result<BudgetRow> {
        let row: Stored = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM budgets WHERE id = $1 AND user_id = $2"
            )))
            .bind(id.to_string())
            .bind(owner.to_string())
            .fetch_one(pool)
            .await?
        });
        from_stored(row)
    }

    /// The owner's budgets, by category and period.
    pub async fn budgets(&self, owner: UserId) -> Result<Vec<BudgetRow>> {
        let rows: Vec<Stored> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM budgets WHERE user_id = $1 ORDER BY category_id, period"
            )))
            .bind(owner.to_string())
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(from_stored).collect()
    }

    /// Changes a budget's limit if it is still at `expected_version`.
    pub async fn update_budget_limit(
        &self,
        owner: UserId,
        id: BudgetId,
        limit_minor: i64,
        expected_version: i64,
        now: DateTime<Utc>,
    ) -> Result<BudgetRow> {
        let row: Option<Stored> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "UPDATE budgets SET limit_minor = $3, updated_at = $4, version = version + 1 \
                 WHERE id = $1 AND user_id = $2 AND version = $5 RETURNING {COLUMNS}"
            )))
            .bind(id.to_string())
            .bind(owner.to_string())
            .bind(limit_minor)
            .bind(to_millis(now))
            .bind(expected_version)
            .fetch_optional(pool)
            .await?
        });
        match row {
            Some(row) => from_stored(row),
            None => {
                let current: Option<i64> = on_pool!(self, |pool| {
                    sqlx::query_scalar("SELECT version FROM budgets WHERE id = $1 AND user_id = $2")
                        .bind(id.to_string())
                        .bind(owner.to_string())
                        .fetch_optional(pool)
                        .await?
                });
                Err(stale_or_missing(current, expected_version))
            }
        }
    }

    /// Deletes a budget for good.
    pub async fn delete_budget(&self, owner: UserId, id: BudgetId) -> Result<()> {
        let done = on_pool!(self, |pool| {
            sqlx::query("DELETE FROM budgets WHERE id = $1 AND user_id = $2")
                .bind(id.to_string())
                .bind(owner.to_string())
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
}
