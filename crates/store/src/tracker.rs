//! The tracker's reads of one month and its "mark unpaid" write.
//!
//! The month's payment sums and overrides are read through the owner's live bills, so each
//! query walks the `payments(bill_id, cycle_due)` index and the `month_states` primary key
//! for the month's dates only: the work grows with the number of bills and the month's rows,
//! never with the user's (or anyone's) history. [`Store::payment_totals`] and
//! [`Store::month_states`] answer the same questions by scanning the owner's rows.
//!
//! `CROSS JOIN` makes SQLite keep `bills` as the outer loop (it otherwise starts from
//! `payments(user_id, paid_on)` and reads every payment the user ever made: 3.8 ms → 12 ms
//! from one to ten years of history); PostgreSQL plans it as an ordinary inner join. The
//! payment's owner is the bill's (a payment is always inserted with its bill's `user_id`), so
//! filtering on `b.user_id` is enough and leaves no other index to prefer.

use chrono::{DateTime, NaiveDate, Utc};

use domain::id::{BillId, UserId};

use crate::bill_activity::ADJUST_DEBT_SQL;
use crate::columns::{date_text, parse_date, parse_id, parse_opt_date};
use crate::month_states::MonthStateRow;
use crate::payment_queries::PaymentTotal;
use crate::time::{from_millis, to_millis};
use crate::{Result, Store};

#[derive(sqlx::FromRow)]
struct StoredState {
    bill_id: String,
    due_date: String,
    actual_minor: Option<i64>,
    note: String,
    skipped: bool,
    snoozed_until: Option<String>,
    updated_at: i64,
}

impl Store {
    /// Per live bill of the owner and occurrence with `cycle_due` in `[from, to]`, the sum of
    /// its live payments.
    pub async fn month_payment_totals(
        &self,
        owner: UserId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<PaymentTotal>> {
        // PostgreSQL sums BIGINT as NUMERIC; the cast keeps one decoded type on both engines.
        let rows: Vec<(String, String, i64)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT p.bill_id, p.cycle_due, CAST(SUM(p.amount_minor) AS BIGINT) \
                 FROM bills b CROSS JOIN payments p \
                 WHERE p.bill_id = b.id AND b.user_id = $1 AND b.deleted_at IS NULL \
                 AND p.deleted_at IS NULL AND p.cycle_due >= $2 AND p.cycle_due <= $3 \
                 GROUP BY p.bill_id, p.cycle_due",
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

    /// The overrides of the owner's live bills with a due date in `[from, to]`.
    pub async fn month_states_of_live_bills(
        &self,
        owner: UserId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<MonthStateRow>> {
        let rows: Vec<StoredState> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT s.bill_id, s.due_date, s.actual_minor, s.note, s.skipped, \
                 s.snoozed_until, s.updated_at \
                 FROM bills b CROSS JOIN month_states s \
                 WHERE s.bill_id = b.id AND b.user_id = $1 AND b.deleted_at IS NULL \
                 AND s.due_date >= $2 AND s.due_date <= $3",
            )
            .bind(owner.to_string())
            .bind(date_text(from))
            .bind(date_text(to))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|row| {
                Ok(MonthStateRow {
                    bill_id: parse_id("bill", &row.bill_id)?,
                    due_date: parse_date(&row.due_date)?,
                    actual_minor: row.actual_minor,
                    note: row.note,
                    skipped: row.skipped,
                    snoozed_until: parse_opt_date(row.snoozed_until.as_deref())?,
                    updated_at: from_millis(row.updated_at)?,
                })
            })
            .collect()
    }

    /// Soft-deletes every live payment of the owner's bill `bill` for the occurrence due on
    /// `cycle_due` and raises a debt bill's balance back by their amounts, in one transaction
    /// ("mark unpaid"). Returns how many were deleted.
    pub async fn soft_delete_occurrence_payments(
        &self,
        owner: UserId,
        bill: BillId,
        cycle_due: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let (user, at) = (owner.to_string(), to_millis(now));
        let deleted = on_pool!(self, |pool| {
            let mut tx = crate::db::BeginWrite::begin_write(pool).await?;
            let deleted: Vec<(String, i64)> = sqlx::query_as(
                "UPDATE payments SET deleted_at = $4, updated_at = $4, version = version + 1 \
                 WHERE user_id = $1 AND bill_id = $2 AND cycle_due = $3 AND deleted_at IS NULL \
                 RETURNING bill_id, amount_minor",
            )
            .bind(&user)
            .bind(bill.to_string())
            .bind(date_text(cycle_due))
            .bind(at)
            .fetch_all(&mut *tx)
            .await?;
            for (bill, amount) in &deleted {
                sqlx::query(ADJUST_DEBT_SQL)
                    .bind(*amount)
                    .bind(at)
                    .bind(bill)
                    .bind(&user)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            deleted.len()
        });
        Ok(u64::try_from(deleted).unwrap_or(u64::MAX))
    }
}
