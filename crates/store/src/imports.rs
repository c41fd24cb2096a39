//! Statement imports: a preview saved for 24 hours, applied at most once (all its rows in one
//! transaction, or none), undone as a whole, and listed as the owner's import history.
//!
//! Applying is a compare-and-set on the import's state inside the write transaction: the
//! `UPDATE … WHERE state = 'previewed' AND expires_at > now` that claims the preview and the
//! inserts of its rows commit together, so two applies racing for one preview write its rows
//! once, and a failure part-way (a row the database refuses) leaves nothing behind. Undoing
//! an import also removes (soft-deletes) the bank payments its matched rows made.

use chrono::{DateTime, Utc};

use domain::id::{BankAccountId, ImportId, TransactionId, UserId};

use crate::bank_accounts::{NewBankAccount, bind_account};
use crate::bulk_rows::{Batch, InsertRows};
use crate::columns::parse_id;
use crate::time::{from_millis, to_millis};
use crate::transactions::NewTransaction;
use crate::{Error, Result, Store};

/// A stored import, without its preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    pub id: ImportId,
    /// `None` while the account is still to be made by the apply.
    pub account_id: Option<BankAccountId>,
    pub file_name: String,
    /// `csv`, `ofx` or `qif`.
    pub format: String,
    /// `previewed`, `applied` or `undone`.
    pub state: String,
    pub rows_in_file: i64,
    pub rows_imported: i64,
    pub expires_at: DateTime<Utc>,
    pub applied_at: Option<DateTime<Utc>>,
    pub undone_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

/// A new preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewImport {
    /// One of the owner's accounts, or `None` when the apply makes a new one.
    pub account_id: Option<BankAccountId>,
    pub file_name: String,
    pub format: String,
    pub rows_in_file: i64,
    /// The previewed rows as the service wrote them (JSON).
    pub preview: String,
    pub expires_at: DateTime<Utc>,
}

/// Why an apply or undo was refused.
pub const NOT_PREVIEWED: &str = "state";
/// The preview's 24 hours are over.
pub const EXPIRED: &str = "expires_at";

#[derive(sqlx::FromRow)]
struct StoredImport {
    id: String,
    account_id: Option<String>,
    file_name: String,
    format: String,
    state: String,
    rows_in_file: i64,
    rows_imported: i64,
    expires_at: i64,
    applied_at: Option<i64>,
    undone_at: Option<i64>,
    created_at: i64,
}

const COLUMNS: &str = "id, account_id, file_name, format, state, rows_in_file, rows_imported, \
     expires_at, applied_at, undone_at, created_at";

fn from_stored(row: StoredImport) -> Result<ImportRow> {
    Ok(ImportRow {
        id: parse_id("import", &row.id)?,
        account_id: crate::columns::parse_opt_id("bank account", row.account_id.as_deref())?,
        file_name: row.file_name,
        format: row.format,
        state: row.state,
        rows_in_file: row.rows_in_file,
        rows_imported: row.rows_imported,
        expires_at: from_millis(row.expires_at)?,
        applied_at: row.applied_at.map(from_millis).transpose()?,
        undone_at: row.undone_at.map(from_millis).transpose()?,
        created_at: from_millis(row.created_at)?,
    })
}

impl Store {
    /// Saves a preview for `owner`. The account must be the owner's (else `NotFound`).
    pub async fn create_import(
        &self,
        owner: UserId,
        new: &NewImport,
        now: DateTime<Utc>,
    ) -> Result<ImportRow> {
        let row: Option<StoredImport> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "INSERT INTO imports (id, user_id, account_id, file_name, format, state, \
                 rows_in_file, preview, expires_at, created_at) \
                 SELECT $1, $2, $3, $4, $5, 'previewed', $6, $7, $8, $9 \
                 WHERE $3 IS NULL OR EXISTS (SELECT 1 FROM bank_accounts WHERE id = $3 \
                 AND user_id = $2 AND deleted_at IS NULL) RETURNING {COLUMNS}"
            )))
            .bind(ImportId::new().to_string())
            .bind(owner.to_string())
            .bind(new.account_id.map(|a| a.to_string()))
            .bind(&new.file_name)
            .bind(&new.format)
            .bind(new.rows_in_file)
            .bind(&new.preview)
            .bind(to_millis(new.expires_at))
            .bind(to_millis(now))
            .fetch_optional(pool)
            .await?
        });
        from_stored(row.ok_or(Error::NotFound)?)
    }

    /// One of the owner's imports.
    pub async fn import(&self, owner: UserId, id: ImportId) -> Result<ImportRow> {
        let row: StoredImport = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM imports WHERE id = $1 AND user_id = $2"
            )))
            .bind(id.to_string())
            .bind(owner.to_string())
            .fetch_one(pool)
            .await?
        });
        from_stored(row)
    }

    /// One of the owner's imports with its preview text, while it can still be applied.
    pub async fn import_preview(
        &self,
        owner: UserId,
        id: ImportId,
        now: DateTime<Utc>,
    ) -> Result<(ImportRow, String)> {
        let import = self.import(owner, id).await?;
        refuse_unless_applicable(&import, now)?;
        let preview: Option<String> = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT preview FROM imports WHERE id = $1 AND user_id = $2")
                .bind(id.to_string())
                .bind(owner.to_string())
                .fetch_one(pool)
                .await?
        });
        let preview =
            preview.ok_or_else(|| Error::Corrupt("a previewed import has no preview".into()))?;
        Ok((import, preview))
    }

    /// The owner's imports, newest first (their history).
    pub async fn imports(&self, owner: UserId, limit: i64) -> Result<Vec<ImportRow>> {
        let rows: Vec<StoredImport> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM imports WHERE user_id = $1 \
                 ORDER BY created_at DESC, id DESC LIMIT $2"
            )))
            .bind(owner.to_string())
            .bind(limit.clamp(1, 500))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(from_stored).collect()
    }

    /// Applies one of the owner's previews once: claims it, makes its account when the preview
    /// has none yet (`new_account`), and writes `rows` into the account, in one transaction.
    /// `Conflict { field: NOT_PREVIEWED }` when it was applied or undone already,
    /// `Conflict { field: EXPIRED }` after its 24 hours, `NotFound` for another owner's or a
    /// missing one (or a preview without an account and no `new_account`). Returns the account
    /// and the ids written, in `rows` order.
    pub async fn apply_import(
        &self,
        owner: UserId,
        id: ImportId,
        new_account: Option<&NewBankAccount>,
        rows: &[NewTransaction],
        now: DateTime<Utc>,
    ) -> Result<(BankAccountId, Vec<TransactionId>)> {
        let import = self.import(owner, id).await?;
        refuse_unless_applicable(&import, now)?;
        let (account_id, currency, create) = match (import.account_id, new_account) {
            (Some(existing), _) => (
                existing,
                self.bank_account(owner, existing).await?.currency,
                None,
            ),
            (None, Some(new)) => (BankAccountId::new(), new.currency.clone(), Some(new)),
            (None, None) => return Err(Error::NotFound),
        };
        let (user, at, import_text) = (owner.to_string(), to_millis(now), id.to_string());
        let ids: Vec<TransactionId> = rows.iter().map(|_| TransactionId::new()).collect();
        let claimed = on_pool!(self, |pool| {
            let mut tx = crate::db::BeginWrite::begin_write(pool).await?;
            if let Some(new) = create {
                bind_account!(
                    sqlx::query(crate::bank_accounts::INSERT),
                    account_id.to_string(),
                    &user,
                    new,
                    at
                )
                .execute(&mut *tx)
                .await?;
            }
            let claimed = sqlx::query(
                "UPDATE imports SET state = 'applied', preview = NULL, applied_at = $3, \
                 rows_imported = $4, account_id = $5 WHERE id = $1 AND user_id = $2 \
                 AND state = 'previewed' AND expires_at > $3",
            )
            .bind(&import_text)
            .bind(&user)
            .bind(at)
            .bind(i64::try_from(rows.len()).unwrap_or(i64::MAX))
            .bind(account_id.to_string())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if claimed == 1 {
                let batch = Batch {
                    owner,
                    account: account_id,
                    currency: &currency,
                    source: "file",
                    import: Some(id),
                    now,
                    rows,
                    ids: &ids,
                };
                InsertRows::insert_rows(&mut *tx, &batch).await?;
                tx.commit().await?;
            }
            claimed
        });
        if claimed != 1 {
            // Someone else applied it between the read and the claim.
            return Err(Error::Conflict {
                field: NOT_PREVIEWED.into(),
            });
        }
        Ok((account_id, ids))
    }

    /// Undoes one of the owner's applied imports: removes every transaction it wrote and marks
    /// it undone, together. Returns how many were removed. `Conflict { field: NOT_PREVIEWED }`
    /// unless it is applied.
    pub async fn undo_import(
        &self,
        owner: UserId,
        id: ImportId,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let (user, at, import_text) = (owner.to_string(), to_millis(now), id.to_string());
        let removed: Option<u64> = on_pool!(self, |pool| {
            let mut tx = crate::db::BeginWrite::begin_write(pool).await?;
            let claimed = sqlx::query(
                "UPDATE imports SET state = 'undone', undone_at = $3 \
                 WHERE id = $1 AND user_id = $2 AND state = 'applied'",
            )
            .bind(&import_text)
            .bind(&user)
            .bind(at)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if claimed == 1 {
                // The bank payments of the import's matched rows go with them.
                let payments: Vec<String> = sqlx::query_scalar(
                    "SELECT payment_id FROM transactions WHERE import_id = $1 AND user_id = $2 \
                     AND payment_id IS NOT NULL",
                )
                .bind(&import_text)
                .bind(&user)
                .fetch_all(&mut *tx)
                .await?;
                for payment in &payments {
                    crate::payments::set_payment_deleted!(&mut *tx, payment, &user, true, at);
                }
                let removed =
                    sqlx::query("DELETE FROM transactions WHERE import_id = $1 AND user_id = $2")
                        .bind(&import_text)
                        .bind(&user)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                tx.commit().await?;
                Some(removed)
            } else {
                None
            }
        });
        match removed {
            Some(removed) => Ok(removed),
            None => {
                self.import(owner, id).await?;
                Err(Error::Conflict {
                    field: NOT_PREVIEWED.into(),
                })
            }
        }
    }

    /// Removes one of the owner's previews that was never applied (a kept file replaced by
    /// its preview).
    pub async fn delete_pending_import(&self, owner: UserId, id: ImportId) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query(
                "DELETE FROM imports WHERE id = $1 AND user_id = $2 AND state = 'previewed'",
            )
            .bind(id.to_string())
            .bind(owner.to_string())
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(())
    }

    /// Refreshes PostgreSQL's planner statistics of `transactions` (SQLite plans these
    /// queries from its indexes alone). Autovacuum does it too, but not before the next
    /// queries: right after a 100 000-row import into a table it had seen nearly empty, the
    /// planner estimated 256 rows for a user and sorted all of them for every page of
    /// suggestions (236 ms a page instead of 4 ms).
    pub async fn analyze_transactions(&self) -> Result<()> {
        if let crate::db::Db::Postgres(pool) = &*self.db {
            sqlx::query("ANALYZE transactions").execute(pool).await?;
        }
        Ok(())
    }

    /// Removes previews whose 24 hours are over (applied and undone imports stay as history).
    pub async fn purge_expired_imports(&self, now: DateTime<Utc>) -> Result<u64> {
        let removed = on_pool!(self, |pool| {
            sqlx::query("DELETE FROM imports WHERE state = 'previewed' AND expires_at <= $1")
                .bind(to_millis(now))
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(removed)
    }
}

fn refuse_unless_applicable(import: &ImportRow, now: DateTime<Utc>) -> Result<()> {
    if import.state != "previewed" {
        return Err(Error::Conflict {
            field: NOT_PREVIEWED.into(),
        });
    }
    if import.expires_at <= now {
        return Err(Error::Conflict {
            field: EXPIRED.into(),
        });
    }
    Ok(())
}
