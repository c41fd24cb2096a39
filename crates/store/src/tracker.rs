//! The tracker's reads of one month and its "mark unpaid" write.
//!
//! The month's payment sums and overrides are read through the owner's live bills (one
//! statement, [`Store::occurrence_ledger`]), so each branch walks the
//! `payments(bill_id, cycle_due)` index and the `month_states` primary key for the asked dates
//! only: the work grows with the number of bills and the range's rows, never with the user's
//! (or anyone's) history outside it. [`Store::payment_totals`] and
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

/// What is recorded about a range of occurrences ([`Store::occurrence_ledger`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OccurrenceLedger {
    /// The sum of each occurrence's live payments (occurrences without any are absent).
    pub payments: Vec<PaymentTotal>,
    /// Each occurrence's override, where one is saved.
    pub states: Vec<MonthStateRow>,
}

/// One row of the ledger query: a payment sum (`kind` `p`, `amount` the sum) or an override
/// (`s`, `amount` the actual amount).
#[derive(sqlx::FromRow)]
struct LedgerRow {
    kind: String,
    bill_id: String,
    due: String,
    amount: Option<i64>,
    note: String,
    skipped: i64,
    snoozed_until: Option<String>,
    updated_at: i64,
}

impl Store {
    /// What is recorded about the occurrences of the owner's live bills (or of `bill` only)
    /// due in `[from, to]`: per occurrence the sum of its live payments, and its override.
    /// One statement (two branches of a `UNION ALL`), so a month, or a bill list's years of
    /// history, is one round trip.
    pub async fn occurrence_ledger(
        &self,
        owner: UserId,
        from: NaiveDate,
        to: NaiveDate,
        bill: Option<BillId>,
    ) -> Result<OccurrenceLedger> {
        // PostgreSQL sums BIGINT as NUMERIC and types a CASE as INTEGER; the casts keep one
        // decoded type on both engines.
        let rows: Vec<LedgerRow> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT 'p' AS kind, p.bill_id AS bill_id, p.cycle_due AS due, \
                 CAST(SUM(p.amount_minor) AS BIGINT) AS amount, '' AS note, \
                 CAST(0 AS BIGINT) AS skipped, CAST(NULL AS TEXT) AS snoozed_until, \
                 CAST(0 AS BIGINT) AS updated_at \
                 FROM bills b CROSS JOIN payments p \
                 WHERE p.bill_id = b.id AND b.user_id = $1 AND b.deleted_at IS NULL \
                 AND ($4 IS NULL OR b.id = $4) \
                 AND p.deleted_at IS NULL AND p.cycle_due >= $2 AND p.cycle_due <= $3 \
                 GROUP BY p.bill_id, p.cycle_due \
                 UNION ALL \
                 SELECT 's', s.bill_id, s.due_date, s.actual_minor, s.note, \
                 CAST(CASE WHEN s.skipped THEN 1 ELSE 0 END AS BIGINT), s.snoozed_until, \
                 s.updated_at \
                 FROM bills b CROSS JOIN month_states s \
                 WHERE s.bill_id = b.id AND b.user_id = $1 AND b.deleted_at IS NULL \
                 AND ($4 IS NULL OR b.id = $4) \
                 AND s.due_date >= $2 AND s.due_date <= $3",
            )
            .bind(owner.to_string())
            .bind(date_text(from))
            .bind(date_text(to))
            .bind(bill.map(|b| b.to_string()))
            .fetch_all(pool)
            .await?
        });
        let mut ledger = OccurrenceLedger::default();
        for row in rows {
            let bill_id = parse_id("bill", &row.bill_id)?;
            let due = parse_date(&row.due)?;
            if row.kind == "p" {
                ledger.payments.push(PaymentTotal {
                    bill_id,
                    cycle_due: due,
                    total_minor: row.amount.unwrap_or(0),
                });
            } else {
                ledger.states.push(MonthStateRow {
                    bill_id,
                    due_date: due,
                    actual_minor: row.amount,
                    note: row.note,
                    skipped: row.skipped != 0,
                    snoozed_until: parse_opt_date(row.snoozed_until.as_deref())?,
                    updated_at: from_millis(row.updated_at)?,
                });
            }
        }
        Ok(ledger)
    }

    /// Soft-deletes every live payment of the owner's bill `bill` for the occurrence due on
    /// `cycle_due` and raises a debt bill's balance back by their amounts, in one transaction
    /// ("mark unpaid"); bank transactions matched to them are unmatched again. Returns how
    /// many were deleted.
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
            // The bank transactions behind them are unmatched again.
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "{} WHERE user_id = $1 AND payment_id IN (SELECT id FROM payments \
                 WHERE user_id = $1 AND bill_id = $2 AND cycle_due = $3 AND deleted_at = $4)",
                crate::columns::UNMATCH_SET
            )))
            .bind(&user)
            .bind(bill.to_string())
            .bind(date_text(cycle_due))
            .bind(at)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            deleted.len()
        });
        Ok(u64::try_from(deleted).unwrap_or(u64::MAX))
    }
}
