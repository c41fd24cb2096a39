//! Writing one sync's changes to a bank account in one write transaction: new rows, pending
//! rows that posted (updated in place, so a match or a category stays with them), and pending
//! rows the Bridge no longer reports (removed unless something depends on them).

use chrono::{DateTime, NaiveDate, Utc};

use domain::id::{BankAccountId, TransactionId, UserId};

use crate::bulk_rows::{Batch, InsertRows};
use crate::columns::date_text;
use crate::time::to_millis;
use crate::transactions::{
    COLUMNS, NewTransaction, StoredTransaction, TransactionRow, from_stored,
};
use crate::{Result, Store};

/// A pending row that posted: its new bank id and the posted values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posted {
    pub id: TransactionId,
    pub source_id: String,
    pub posted_on: NaiveDate,
    pub amount_minor: i64,
    pub payee: String,
    pub memo: String,
    pub dedupe_key: String,
}

/// One sync's changes to an account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncChanges {
    pub new: Vec<NewTransaction>,
    pub posted: Vec<Posted>,
    /// Pending rows that vanished; only unmatched ones without an expense are removed.
    pub vanished: Vec<TransactionId>,
}

/// What a sync wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncWritten {
    /// The new rows' ids, in `SyncChanges::new` order.
    pub inserted: Vec<TransactionId>,
    pub posted: u64,
    pub removed: u64,
}

impl Store {
    /// The owner's rows of `account` posted on or after `from`, and every pending one: what a
    /// sync compares the Bridge's answer with.
    pub async fn synced_rows(
        &self,
        owner: UserId,
        account: BankAccountId,
        from: NaiveDate,
    ) -> Result<Vec<TransactionRow>> {
        let rows: Vec<StoredTransaction> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM transactions WHERE user_id = $1 AND account_id = $2 \
                 AND (posted_on >= $3 OR pending) ORDER BY posted_on, id"
            )))
            .bind(owner.to_string())
            .bind(account.to_string())
            .bind(date_text(from))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(from_stored).collect()
    }

    /// Writes one sync's `changes` to the owner's `account` (in `currency`), all or nothing.
    pub async fn write_synced(
        &self,
        owner: UserId,
        account: BankAccountId,
        currency: &str,
        changes: &SyncChanges,
        now: DateTime<Utc>,
    ) -> Result<SyncWritten> {
        let ids: Vec<TransactionId> = changes.new.iter().map(|_| TransactionId::new()).collect();
        let (user, account_text, at) = (owner.to_string(), account.to_string(), to_millis(now));
        let (posted, removed) = on_pool!(self, |pool| {
            let mut tx = crate::db::BeginWrite::begin_write(pool).await?;
            let mut posted = 0;
            for row in &changes.posted {
                posted += sqlx::query(
                    "UPDATE transactions SET source_id = $4, posted_on = $5, amount_minor = $6, \
                     payee = $7, memo = $8, dedupe_key = $9, pending = FALSE, updated_at = $10, \
                     version = version + 1 WHERE id = $1 AND user_id = $2 AND account_id = $3",
                )
                .bind(row.id.to_string())
                .bind(&user)
                .bind(&account_text)
                .bind(&row.source_id)
                .bind(date_text(row.posted_on))
                .bind(row.amount_minor)
                .bind(&row.payee)
                .bind(&row.memo)
                .bind(&row.dedupe_key)
                .bind(at)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            let mut removed = 0;
            for id in &changes.vanished {
                removed += sqlx::query(
                    "DELETE FROM transactions WHERE id = $1 AND user_id = $2 AND account_id = $3 \
                     AND pending AND state = 'unmatched' AND payment_id IS NULL \
                     AND expense_id IS NULL",
                )
                .bind(id.to_string())
                .bind(&user)
                .bind(&account_text)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            let batch = Batch {
                owner,
                account,
                currency,
                source: "sync",
                import: None,
                now,
                rows: &changes.new,
                ids: &ids,
            };
            InsertRows::insert_rows(&mut *tx, &batch).await?;
            tx.commit().await?;
            (posted, removed)
        });
        Ok(SyncWritten {
            inserted: ids,
            posted,
            removed,
        })
    }
}
