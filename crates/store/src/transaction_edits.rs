//! The person's edits of a stored transaction: its spending category (set by hand; merchant
//! rules set it too), and recording it as an expense. The bank's own fields (date, amount,
//! payee) are never edited.

use chrono::{DateTime, Utc};

use domain::id::{CategoryId, TransactionId, UserId};

use crate::columns::stale_or_missing;
use crate::expenses::{
    ExpenseFields, ExpenseRow, StoredExpense, expense_from_stored, insert_expense,
};
use crate::time::to_millis;
use crate::transactions::{PURGE_DEAD_EXPENSE, TransactionRow, no_live_expense};
use crate::{Error, Result, Store};

/// Why recording a transaction as an expense was refused: it is matched to a bill, ignored,
/// or recorded already.
pub const NOT_RECORDABLE: &str = "transaction";

impl Store {
    /// Sets (or with `None` clears) the category of one of the owner's transactions still at
    /// `expected_version`. The category must be one of the owner's live categories (else
    /// `NotFound`).
    pub async fn set_transaction_category(
        &self,
        owner: UserId,
        id: TransactionId,
        category: Option<CategoryId>,
        expected_version: i64,
        now: DateTime<Utc>,
    ) -> Result<TransactionRow> {
        let changed = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE transactions SET category_id = $3, updated_at = $4, version = version + 1 \
                 WHERE id = $1 AND user_id = $2 AND version = $5 \
                 AND ($3 IS NULL OR EXISTS (SELECT 1 FROM categories c WHERE c.id = $3 \
                      AND c.user_id = $2 AND c.deleted_at IS NULL))",
            )
            .bind(id.to_string())
            .bind(owner.to_string())
            .bind(category.map(|c| c.to_string()))
            .bind(to_millis(now))
            .bind(expected_version)
            .execute(pool)
            .await?
            .rows_affected()
        });
        if changed == 1 {
            return self.transaction(owner, id).await;
        }
        let current = self.transaction(owner, id).await?;
        if current.version != expected_version {
            return Err(stale_or_missing(Some(current.version), expected_version));
        }
        Err(Error::NotFound)
    }

    /// Records one of the owner's unmatched transactions as a new expense with `fields`: the
    /// expense is written and the transaction linked to it together, or neither. A deleted
    /// expense it was recorded as before is removed for good (so restoring it cannot count the
    /// money twice). `Conflict { field: NOT_RECORDABLE }` when the transaction is matched,
    /// ignored or recorded as a live expense; `NotFound` for another owner's transaction or
    /// category.
    pub async fn record_transaction_as_expense(
        &self,
        owner: UserId,
        id: TransactionId,
        fields: &ExpenseFields,
        now: DateTime<Utc>,
    ) -> Result<ExpenseRow> {
        let (user, transaction, at) = (owner.to_string(), id.to_string(), to_millis(now));
        let recorded: Option<StoredExpense> = on_pool!(self, |pool| {
            let mut tx = crate::db::BeginWrite::begin_write(pool).await?;
            let Some(expense) = insert_expense(owner, fields, now)
                .fetch_optional(&mut *tx)
                .await?
            else {
                return Err(Error::NotFound);
            };
            sqlx::query(PURGE_DEAD_EXPENSE)
                .bind(&transaction)
                .bind(&user)
                .execute(&mut *tx)
                .await?;
            let linked = sqlx::query(concat!(
                "UPDATE transactions SET expense_id = $3, updated_at = $4, version = version + 1 \
                 WHERE id = $1 AND user_id = $2 AND state = 'unmatched' AND ",
                no_live_expense!("transactions.")
            ))
            .bind(&transaction)
            .bind(&user)
            .bind(&expense.id)
            .bind(at)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if linked == 1 {
                tx.commit().await?;
                Some(expense)
            } else {
                None
            }
        });
        match recorded {
            Some(expense) => expense_from_stored(expense),
            None => {
                // Not linked: a missing transaction is NotFound, any other is not recordable.
                self.transaction(owner, id).await?;
                Err(Error::Conflict {
                    field: NOT_RECORDABLE.into(),
                })
            }
        }
    }
}
