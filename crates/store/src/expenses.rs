//! One-off expenses: create, read, edit, soft delete and restore, and bulk delete with one
//! undo. Listing, search and sums are in [`crate::expense_queries`]. An expense's category
//! must be one of the owner's; another user's category is `NotFound`, like a missing one.
//!
//! Undo tokens: a bulk delete marks exactly the rows it deleted with its token, and undoing
//! restores exactly those rows and clears the token; a single delete or restore clears it too,
//! so an old token never brings back a row deleted later for another reason.

use chrono::{DateTime, NaiveDate, Utc};

use domain::id::{CategoryId, ExpenseId, UserId};

use crate::columns::{
    CATEGORY_IS_OWNED, date_text, parse_date, parse_id, parse_opt_id, stale_or_missing,
};
use crate::time::{from_millis, to_millis};
use crate::{Error, Result, Store};

/// A stored expense.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpenseRow {
    pub id: ExpenseId,
    pub category_id: Option<CategoryId>,
    pub amount_minor: i64,
    pub currency: String,
    pub spent_on: NaiveDate,
    pub payee: String,
    pub note: String,
    pub method: String,
    /// Set while the expense is deleted by a bulk delete that can still be undone.
    pub undo_token: Option<String>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// The editable fields of an expense (create and update).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpenseFields {
    pub category_id: Option<CategoryId>,
    pub amount_minor: i64,
    pub currency: String,
    pub spent_on: NaiveDate,
    pub payee: String,
    pub note: String,
    pub method: String,
}

/// What a bulk delete did: ids deleted now, and ids that are missing, someone else's or
/// already deleted (left untouched).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BulkDeleteOutcome {
    pub deleted: Vec<ExpenseId>,
    pub not_found: Vec<ExpenseId>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct StoredExpense {
    pub(crate) id: String,
    category_id: Option<String>,
    amount_minor: i64,
    currency: String,
    spent_on: String,
    payee: String,
    note: String,
    method: String,
    undo_token: Option<String>,
    deleted_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
    version: i64,
}

pub(crate) const EXPENSE_COLUMNS: &str = "id, category_id, amount_minor, currency, spent_on, \
     payee, note, method, undo_token, deleted_at, created_at, updated_at, version";

pub(crate) fn expense_from_stored(row: StoredExpense) -> Result<ExpenseRow> {
    Ok(ExpenseRow {
        id: parse_id("expense", &row.id)?,
        category_id: parse_opt_id("category", row.category_id.as_deref())?,
        amount_minor: row.amount_minor,
        currency: row.currency,
        spent_on: parse_date(&row.spent_on)?,
        payee: row.payee,
        note: row.note,
        method: row.method,
        undo_token: row.undo_token,
        deleted_at: row.deleted_at.map(from_millis).transpose()?,
        created_at: from_millis(row.created_at)?,
        updated_at: from_millis(row.updated_at)?,
        version: row.version,
    })
}

/// The INSERT of a new expense of `owner` (none when the category is not the owner's),
/// returning its row.
pub(crate) fn insert_expense<'q, DB>(
    owner: UserId,
    fields: &'q ExpenseFields,
    now: DateTime<Utc>,
) -> sqlx::query::QueryAs<'q, DB, StoredExpense, <DB as sqlx::Database>::Arguments>
where
    DB: sqlx::Database,
    for<'r> StoredExpense: sqlx::FromRow<'r, DB::Row>,
    String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'q String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let query = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "INSERT INTO expenses (id, user_id, category_id, amount_minor, currency, spent_on, payee, \
         note, method, created_at, updated_at) \
         SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10 \
         WHERE {CATEGORY_IS_OWNED} RETURNING {EXPENSE_COLUMNS}"
    )))
    .bind(ExpenseId::new().to_string());
    bind_fields(query, owner, fields, now)
}

/// Binds `$2`…`$10`: the owner, the expense's fields and the time of the change.
fn bind_fields<'q, DB>(
    query: sqlx::query::QueryAs<'q, DB, StoredExpense, <DB as sqlx::Database>::Arguments>,
    owner: UserId,
    fields: &'q ExpenseFields,
    now: DateTime<Utc>,
) -> sqlx::query::QueryAs<'q, DB, StoredExpense, <DB as sqlx::Database>::Arguments>
where
    DB: sqlx::Database,
    String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    &'q String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    query
        .bind(owner.to_string())
        .bind(fields.category_id.map(|c| c.to_string()))
        .bind(fields.amount_minor)
        .bind(&fields.currency)
        .bind(date_text(fields.spent_on))
        .bind(&fields.payee)
        .bind(&fields.note)
        .bind(&fields.method)
        .bind(to_millis(now))
}

impl Store {
    /// Records an expense. A category that is not the owner's is `NotFound`.
    pub async fn create_expense(
        &self,
        owner: UserId,
        fields: &ExpenseFields,
        now: DateTime<Utc>,
    ) -> Result<ExpenseRow> {
        let row: Option<StoredExpense> = on_pool!(self, |pool| {
            insert_expense(owner, fields, now)
                .fetch_optional(pool)
                .await?
        });
        expense_from_stored(row.ok_or(Error::NotFound)?)
    }

    /// One of the owner's expenses, deleted or not.
    pub async fn expense(&self, owner: UserId, id: ExpenseId) -> Result<ExpenseRow> {
        let row: StoredExpense = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {EXPENSE_COLUMNS} FROM expenses WHERE id = $1 AND user_id = $2"
            )))
            .bind(id.to_string())
            .bind(owner.to_string())
            .fetch_one(pool)
            .await?
        });
        expense_from_stored(row)
    }

    /// Replaces the fields of a live expense still at `expected_version`. A category that is
    /// not the owner's is `NotFound`.
    pub async fn update_expense(
        &self,
        owner: UserId,
        id: ExpenseId,
        fields: &ExpenseFields,
        expected_version: i64,
        now: DateTime<Utc>,
    ) -> Result<ExpenseRow> {
        let row: Option<StoredExpense> = on_pool!(self, |pool| {
            bind_fields(
                sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "UPDATE expenses SET category_id = $3, amount_minor = $4, currency = $5, \
                 spent_on = $6, payee = $7, note = $8, method = $9, updated_at = $10, \
                 version = version + 1 \
                 WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL AND version = $11 \
                 AND {CATEGORY_IS_OWNED} RETURNING {EXPENSE_COLUMNS}"
                )))
                .bind(id.to_string()),
                owner,
                fields,
                now,
            )
            .bind(expected_version)
            .fetch_optional(pool)
            .await?
        });
        match row {
            Some(row) => expense_from_stored(row),
            // The expense is current but the category is not the owner's: NotFound as well.
            None => Err(stale_or_missing(
                self.live_expense_version(owner, id).await?,
                expected_version,
            )),
        }
    }

    /// Soft-deletes one expense (already deleted: nothing changes).
    pub async fn soft_delete_expense(
        &self,
        owner: UserId,
        id: ExpenseId,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.set_expense_deleted(owner, id, Some(to_millis(now)), now)
            .await
    }

    /// Restores one soft-deleted expense (already live: nothing changes).
    pub async fn restore_expense(
        &self,
        owner: UserId,
        id: ExpenseId,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.set_expense_deleted(owner, id, None, now).await
    }

    async fn set_expense_deleted(
        &self,
        owner: UserId,
        id: ExpenseId,
        deleted_at: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let done = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE expenses SET deleted_at = $3, undo_token = NULL, updated_at = $4, \
                 version = version + 1 \
                 WHERE id = $1 AND user_id = $2 AND (deleted_at IS NULL) = ($3 IS NOT NULL)",
            )
            .bind(id.to_string())
            .bind(owner.to_string())
            .bind(deleted_at)
            .bind(to_millis(now))
            .execute(pool)
            .await?
            .rows_affected()
        });
        if done == 0 {
            // Unchanged: fine if the expense exists in the wanted state, NotFound otherwise.
            self.expense(owner, id).await?;
        }
        Ok(())
    }

    /// Soft-deletes the owner's live expenses among `ids` in one transaction, marking them with
    /// `undo_token` for [`Store::undo_expense_delete`]. Other ids are reported, not an error.
    pub async fn soft_delete_expenses(
        &self,
        owner: UserId,
        ids: &[ExpenseId],
        undo_token: &str,
        now: DateTime<Utc>,
    ) -> Result<BulkDeleteOutcome> {
        // Each id once, in the caller's order.
        let mut seen = std::collections::HashSet::with_capacity(ids.len());
        let unique: Vec<ExpenseId> = ids.iter().copied().filter(|id| seen.insert(*id)).collect();
        let (user, at) = (owner.to_string(), to_millis(now));
        let deleted: Vec<bool> = on_pool!(self, |pool| {
            let mut tx = crate::db::BeginWrite::begin_write(pool).await?;
            let mut deleted = Vec::with_capacity(unique.len());
            for id in &unique {
                let done = sqlx::query(
                    "UPDATE expenses SET deleted_at = $3, undo_token = $4, updated_at = $3, \
                     version = version + 1 \
                     WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL",
                )
                .bind(id.to_string())
                .bind(&user)
                .bind(at)
                .bind(undo_token)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                deleted.push(done == 1);
            }
            tx.commit().await?;
            deleted
        });
        let mut outcome = BulkDeleteOutcome::default();
        for (id, was_deleted) in unique.into_iter().zip(deleted) {
            if was_deleted {
                outcome.deleted.push(id);
            } else {
                outcome.not_found.push(id);
            }
        }
        Ok(outcome)
    }

    /// Restores exactly the expenses the bulk delete with `undo_token` deleted (and that are
    /// still deleted). Returns how many came back (0 when repeated).
    pub async fn undo_expense_delete(
        &self,
        owner: UserId,
        undo_token: &str,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let done = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE expenses SET deleted_at = NULL, undo_token = NULL, updated_at = $3, \
                 version = version + 1 \
                 WHERE user_id = $1 AND undo_token = $2 AND deleted_at IS NOT NULL",
            )
            .bind(owner.to_string())
            .bind(undo_token)
            .bind(to_millis(now))
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(done)
    }

    async fn live_expense_version(&self, owner: UserId, id: ExpenseId) -> Result<Option<i64>> {
        let version = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT version FROM expenses WHERE id = $1 AND user_id = $2 \
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
