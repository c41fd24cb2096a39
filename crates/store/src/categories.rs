//! A user's categories for bills, expenses and budgets. Names are unique among a user's live
//! categories only (a partial unique index), so a deleted name can be reused; restoring a
//! category whose name was reused meanwhile is `Conflict { field: "name" }`. Soft-deleted
//! categories keep their bills, expenses and budgets.

use chrono::{DateTime, Utc};

use domain::id::{CategoryId, UserId};

use crate::columns::{conflict_on, parse_id, stale_or_missing};
use crate::time::{from_millis, to_millis};
use crate::{Error, Result, Store};

/// A stored category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryRow {
    pub id: CategoryId,
    pub name: String,
    /// CSS colour text, e.g. `#3b82f6`.
    pub color: String,
    /// Icon name from the UI's icon set.
    pub icon: String,
    /// Whether spending in this category counts towards budgets and analytics.
    pub is_spending: bool,
    pub deleted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// The editable fields of a category (create and update).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryFields {
    pub name: String,
    pub color: String,
    pub icon: String,
    pub is_spending: bool,
}

/// A category with the number of its bills that are not deleted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryWithCount {
    pub category: CategoryRow,
    pub bill_count: i64,
}

#[derive(sqlx::FromRow)]
struct Stored {
    id: String,
    name: String,
    color: String,
    icon: String,
    is_spending: bool,
    deleted_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
    version: i64,
}

#[derive(sqlx::FromRow)]
struct StoredWithCount {
    #[sqlx(flatten)]
    category: Stored,
    bill_count: i64,
}

const COLUMNS: &str =
    "id, name, color, icon, is_spending, deleted_at, created_at, updated_at, version";

fn from_stored(row: Stored) -> Result<CategoryRow> {
    Ok(CategoryRow {
        id: parse_id("category", &row.id)?,
        name: row.name,
        color: row.color,
        icon: row.icon,
        is_spending: row.is_spending,
        deleted_at: row.deleted_at.map(from_millis).transpose()?,
        created_at: from_millis(row.created_at)?,
        updated_at: from_millis(row.updated_at)?,
        version: row.version,
    })
}

impl Store {
    /// Creates a category; a live category of the same name is `Conflict { field: "name" }`.
    pub async fn create_category(
        &self,
        owner: UserId,
        fields: &CategoryFields,
        now: DateTime<Utc>,
    ) -> Result<CategoryRow> {
        let result: Result<Stored> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "INSERT INTO categories (id, user_id, name, color, icon, is_spending, created_at, \
                 updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING {COLUMNS}"
            )))
            .bind(CategoryId::new().to_string())
            .bind(owner.to_string())
            .bind(&fields.name)
            .bind(&fields.color)
            .bind(&fields.icon)
            .bind(fields.is_spending)
            .bind(to_millis(now))
            .fetch_one(pool)
            .await
            .map_err(Error::from)
        });
        from_stored(result.map_err(conflict_on("name"))?)
    }

    /// One of the owner's categories, deleted or not.
    pub async fn category(&self, owner: UserId, id: CategoryId) -> Result<CategoryRow> {
        let row: Stored = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM categories WHERE id = $1 AND user_id = $2"
            )))
            .bind(id.to_string())
            .bind(owner.to_string())
            .fetch_one(pool)
            .await?
        });
        from_stored(row)
    }

    /// The owner's categories by name, each with its number of non-deleted bills.
    pub async fn categories(
        &self,
        owner: UserId,
        include_deleted: bool,
    ) -> Result<Vec<CategoryWithCount>> {
        let rows: Vec<StoredWithCount> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT c.id, c.name, c.color, c.icon, c.is_spending, c.deleted_at, c.created_at, \
                 c.updated_at, c.version, \
                 (SELECT COUNT(*) FROM bills b WHERE b.category_id = c.id AND b.user_id = $1 \
                   AND b.deleted_at IS NULL) AS bill_count \
                 FROM categories c WHERE c.user_id = $1 AND ($2 OR c.deleted_at IS NULL) \
                 ORDER BY LOWER(c.name), c.id",
            )
            .bind(owner.to_string())
            .bind(include_deleted)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|row| {
                Ok(CategoryWithCount {
                    category: from_stored(row.category)?,
                    bill_count: row.bill_count,
                })
            })
            .collect()
    }

    /// Replaces the editable fields of a live category if it is still at `expected_version`.
    pub async fn update_category(
        &self,
        owner: UserId,
        id: CategoryId,
        fields: &CategoryFields,
        expected_version: i64,
        now: DateTime<Utc>,
    ) -> Result<CategoryRow> {
        let result: Result<Option<Stored>> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "UPDATE categories SET name = $3, color = $4, icon = $5, is_spending = $6, \
                 updated_at = $7, version = version + 1 \
                 WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL AND version = $8 \
                 RETURNING {COLUMNS}"
            )))
            .bind(id.to_string())
            .bind(owner.to_string())
            .bind(&fields.name)
            .bind(&fields.color)
            .bind(&fields.icon)
            .bind(fields.is_spending)
            .bind(to_millis(now))
            .bind(expected_version)
            .fetch_optional(pool)
            .await
            .map_err(Error::from)
        });
        match result.map_err(conflict_on("name"))? {
            Some(row) => from_stored(row),
            None => Err(stale_or_missing(
                self.live_category_version(owner, id).await?,
                expected_version,
            )),
        }
    }

    /// Soft-deletes a category (already deleted: nothing changes).
    pub async fn soft_delete_category(
        &self,
        owner: UserId,
        id: CategoryId,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.set_category_deleted(owner, id, Some(to_millis(now)), now)
            .await
    }

    /// Brings a deleted category back (already live: nothing changes). Its name taken by a
    /// live category meanwhile is `Conflict { field: "name" }`.
    pub async fn restore_category(
        &self,
        owner: UserId,
        id: CategoryId,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.set_category_deleted(owner, id, None, now).await
    }

    async fn set_category_deleted(
        &self,
        owner: UserId,
        id: CategoryId,
        deleted_at: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        // Only a change of state touches the row, so repeating a delete keeps its instant.
        let result: Result<u64> = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE categories SET deleted_at = $3, updated_at = $4, version = version + 1 \
                 WHERE id = $1 AND user_id = $2 AND (deleted_at IS NULL) = ($3 IS NOT NULL)",
            )
            .bind(id.to_string())
            .bind(owner.to_string())
            .bind(deleted_at)
            .bind(to_millis(now))
            .execute(pool)
            .await
            .map(|done| done.rows_affected())
            .map_err(Error::from)
        });
        if result.map_err(conflict_on("name"))? == 0 {
            // Unchanged: fine if the category exists in the wanted state, NotFound otherwise.
            self.category(owner, id).await?;
        }
        Ok(())
    }

    async fn live_category_version(&self, owner: UserId, id: CategoryId) -> Result<Option<i64>> {
        let version = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT version FROM categories WHERE id = $1 AND user_id = $2 \
                 AND deleted_at IS NULL",
            )
            .bind(id.to_string())
            .bind(owner.to_string())
            .fetch_optional(pool)
            .await?
        });
        Ok(version)
    }
}
