//! Reading payments back: the filtered, newest-first list and the per-occurrence sums the
//! tracker turns into Paid / Partial / Overpaid. Only the owner's rows are ever read.

use chrono::NaiveDate;

use domain::id::{BillId, UserId};

use crate::columns::{date_text, opt_date_text, parse_date, parse_id};
use crate::payments::{PAYMENT_COLUMNS, PaymentRow, StoredPayment, payment_from_stored};
use crate::{Result, Store};

/// Which payments to list, newest first. `limit` is kept within 1..=1000.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentFilter {
    pub bill: Option<BillId>,
    /// Paid on or after.
    pub from: Option<NaiveDate>,
    /// Paid on or before.
    pub to: Option<NaiveDate>,
    pub include_deleted: bool,
    pub limit: i64,
    pub offset: i64,
}

/// The sum of a bill's live payments for one occurrence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PaymentTotal {
    pub bill_id: BillId,
    pub cycle_due: NaiveDate,
    pub total_minor: i64,
}

impl Store {
    /// The owner's payments matching `filter`, newest first (paid date, then creation).
    pub async fn payments(&self, owner: UserId, filter: &PaymentFilter) -> Result<Vec<PaymentRow>> {
        let rows: Vec<StoredPayment> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {PAYMENT_COLUMNS} FROM payments WHERE user_id = $1 \
                 AND ($2 IS NULL OR bill_id = $2) AND ($3 IS NULL OR paid_on >= $3) \
                 AND ($4 IS NULL OR paid_on <= $4) AND ($5 OR deleted_at IS NULL) \
                 ORDER BY paid_on DESC, created_at DESC, id DESC LIMIT $6 OFFSET $7"
            )))
            .bind(owner.to_string())
            .bind(filter.bill.map(|b| b.to_string()))
            .bind(opt_date_text(filter.from))
            .bind(opt_date_text(filter.to))
            .bind(filter.include_deleted)
            .bind(filter.limit.clamp(1, 1000))
            .bind(filter.offset.max(0))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(payment_from_stored).collect()
    }

    /// Per bill and occurrence with `cycle_due` in `[from, to]`, the sum of live payments.
    pub async fn payment_totals(
        &self,
        owner: UserId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<PaymentTotal>> {
        // PostgreSQL sums BIGINT as NUMERIC; the cast keeps one decoded type on both engines.
        let rows: Vec<(String, String, i64)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT bill_id, cycle_due, CAST(SUM(amount_minor) AS BIGINT) FROM payments \
                 WHERE user_id = $1 AND deleted_at IS NULL AND cycle_due >= $2 \
                 AND cycle_due <= $3 GROUP BY bill_id, cycle_due ORDER BY cycle_due, bill_id",
            )
            .bind(owner.to_string())
            .bind(date_text(from))
            .bind(date_text(to))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(bill, due, total)| {
                Ok(PaymentTotal {
                    bill_id: parse_id("bill", &bill)?,
                    cycle_due: parse_date(&due)?,
                    total_minor: total,
                })
            })
            .collect()
    }
}
