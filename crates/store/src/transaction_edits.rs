//! The person's edits of a stored transaction: its spending category (set by hand; merchant
//! rules set it too). The bank's own fields (date, amount, payee) are never edited.

use chrono::{DateTime, Utc};

use domain::id::{CategoryId, TransactionId, UserId};

use crate::columns::stale_or_missing;
use crate::time::to_millis;
use crate::transactions::TransactionRow;
use crate::{Error, Result, Store};

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
}
