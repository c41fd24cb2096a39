//! Matching bank transactions to bills: a match writes the bank-sourced payment and links it
//! to the transaction in one write transaction; an unmatch undoes both; ignoring, rejected
//! suggestions, and the reads the suggestions are scored from.
//!
//! Invariant: one transaction backs at most one payment. `transactions.payment_id` is UNIQUE
//! (migration 0012), and a match first claims the transaction with a conditional update
//! (`state = 'unmatched'`), so a second match of the same transaction — sequential or
//! concurrent — claims nothing and is [`Error::Conflict`] on [`STATE`] without writing a
//! payment. A transaction or bill of another user is `NotFound`, like a missing one.

use chrono::{DateTime, NaiveDate, Utc};

use domain::id::{BillId, CategoryId, PaymentId, TransactionId, UserId};

use crate::columns::{UNMATCH_SET, date_text, opt_date_text, parse_date, parse_id};
use crate::payments::{
    NewPayment, PaymentRow, StoredPayment, insert_payment, payment_from_stored, set_payment_deleted,
};
use crate::time::{from_millis, to_millis};
use crate::transactions::{
    COLUMNS, PURGE_DEAD_EXPENSE, StoredTransaction, T_COLUMNS, TransactionRow, from_stored,
    no_live_expense,
};
use crate::{Error, Result, Store};

/// The `Conflict` field of a transaction not in the state an operation needs (matching one
/// already matched or ignored, unmatching one that is not matched, …).
pub const STATE: &str = "state";

/// A match as the undo panel lists it: the transaction and the payment it made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchRow {
    pub transaction: TransactionRow,
    pub bill_id: BillId,
    pub cycle_due: NaiveDate,
    pub matched_at: DateTime<Utc>,
    /// `manual`, `suggestion` or `rule`.
    pub matched_by: String,
}

impl Store {
    /// Matches the owner's unmatched transaction `id` to a bill: records `payment` (its bill
    /// must be one of the owner's live bills; a debt bill's balance goes down), links it,
    /// marks the transaction matched (`matched_by`: `manual`, `suggestion` or `rule`) and,
    /// when `category` is given, sets the transaction's category — all in one transaction.
    pub async fn match_transaction(
        &self,
        owner: UserId,
        id: TransactionId,
        payment: &NewPayment,
        matched_by: &str,
        category: Option<CategoryId>,
        now: DateTime<Utc>,
    ) -> Result<PaymentRow> {
        let (user, at, transaction) = (owner.to_string(), to_millis(now), id.to_string());
        let category = category.map(|c| c.to_string());
        let row: Option<StoredPayment> = on_pool!(self, |pool| {
            let mut tx = crate::db::BeginWrite::begin_write(pool).await?;
            // The claim: only an unmatched transaction without a payment changes, so a second
            // match (also a concurrent one, which waits for this row's lock) claims nothing.
            sqlx::query(PURGE_DEAD_EXPENSE)
                .bind(&transaction)
                .bind(&user)
                .execute(&mut *tx)
                .await?;
            let claimed = sqlx::query(concat!(
                "UPDATE transactions SET state = 'matched', matched_at = $3, matched_by = $4, \
                 category_id = COALESCE($5, category_id), updated_at = $3, \
                 version = version + 1 \
                 WHERE id = $1 AND user_id = $2 AND state = 'unmatched' AND payment_id IS NULL \
                 AND ",
                no_live_expense!("transactions.")
            ))
            .bind(&transaction)
            .bind(&user)
            .bind(at)
            .bind(matched_by)
            .bind(&category)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if claimed != 1 {
                None
            } else {
                let row = insert_payment!(&mut *tx, &user, payment, Option::<&str>::None, at);
                // No such bill: dropping the transaction rolls the claim back.
                let Some(row) = row else {
                    return Err(Error::NotFound);
                };
                sqlx::query(
                    "UPDATE transactions SET payment_id = $3 WHERE id = $1 AND user_id = $2",
                )
                .bind(&transaction)
                .bind(&user)
                .bind(&row.id)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Some(row)
            }
        });
        match row {
            Some(row) => payment_from_stored(row),
            None => Err(self.not_in_state(owner, id).await),
        }
    }

    /// Unmatches the owner's matched transaction `id`: its payment is soft-deleted (a debt
    /// bill's balance goes back up) and the transaction is unmatched again, in one
    /// transaction. Returns the payment that was removed (`None` when it was gone already,
    /// e.g. deleted with its bill). Not matched: `Conflict` on [`STATE`].
    pub async fn unmatch_transaction(
        &self,
        owner: UserId,
        id: TransactionId,
        now: DateTime<Utc>,
    ) -> Result<Option<PaymentId>> {
        let (user, at, transaction) = (owner.to_string(), to_millis(now), id.to_string());
        let released: Option<Option<String>> = on_pool!(self, |pool| {
            let mut tx = crate::db::BeginWrite::begin_write(pool).await?;
            let payment: Option<Option<String>> = sqlx::query_scalar(
                "SELECT payment_id FROM transactions WHERE id = $1 AND user_id = $2 \
                 AND state = 'matched'",
            )
            .bind(&transaction)
            .bind(&user)
            .fetch_optional(&mut *tx)
            .await?;
            if let Some(payment) = &payment {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "{UNMATCH_SET}, updated_at = $3, version = version + 1 \
                     WHERE id = $1 AND user_id = $2"
                )))
                .bind(&transaction)
                .bind(&user)
                .bind(at)
                .execute(&mut *tx)
                .await?;
                if let Some(payment) = payment {
                    set_payment_deleted!(&mut *tx, payment, &user, true, at);
                }
                tx.commit().await?;
            }
            payment
        });
        match released {
            Some(payment) => payment.map(|p| parse_id("payment", &p)).transpose(),
            None => Err(self.not_in_state(owner, id).await),
        }
    }

    /// Ignores (`true`) an unmatched transaction or brings an ignored one back (`false`).
    /// Already in the wanted state: nothing changes. Matched: `Conflict` on [`STATE`].
    pub async fn set_transaction_ignored(
        &self,
        owner: UserId,
        id: TransactionId,
        ignored: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (from, to) = if ignored {
            ("unmatched", "ignored")
        } else {
            ("ignored", "unmatched")
        };
        let changed = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE transactions SET state = $4, updated_at = $5, version = version + 1 \
                 WHERE id = $1 AND user_id = $2 AND state = $3",
            )
            .bind(id.to_string())
            .bind(owner.to_string())
            .bind(from)
            .bind(to)
            .bind(to_millis(now))
            .execute(pool)
            .await?
            .rows_affected()
        });
        if changed == 1 || self.transaction(owner, id).await?.state == to {
            Ok(())
        } else {
            Err(Error::Conflict {
                field: STATE.into(),
            })
        }
    }

    /// Records that the owner turned down the suggestion of `bill` for `transaction` (again:
    /// the rejection is renewed). Either not the owner's: `NotFound`, nothing written.
    pub async fn reject_match(
        &self,
        owner: UserId,
        transaction: TransactionId,
        bill: BillId,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let written = on_pool!(self, |pool| {
            sqlx::query(
                "INSERT INTO match_rejections (user_id, transaction_id, bill_id, rejected_at) \
                 SELECT t.user_id, t.id, b.id, $4 FROM transactions t, bills b \
                 WHERE t.id = $2 AND t.user_id = $1 AND b.id = $3 AND b.user_id = $1 \
                 AND b.deleted_at IS NULL \
                 ON CONFLICT (transaction_id, bill_id) DO UPDATE SET rejected_at = $4",
            )
            .bind(owner.to_string())
            .bind(transaction.to_string())
            .bind(bill.to_string())
            .bind(to_millis(now))
            .execute(pool)
            .await?
            .rows_affected()
        });
        if written == 0 {
            return Err(Error::NotFound);
        }
        Ok(())
    }

    /// The (transaction, bill) pairs the owner rejected at or after `since`.
    pub async fn rejections_since(
        &self,
        owner: UserId,
        since: DateTime<Utc>,
    ) -> Result<Vec<(TransactionId, BillId)>> {
        let rows: Vec<(String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT transaction_id, bill_id FROM match_rejections \
                 WHERE user_id = $1 AND rejected_at >= $2",
            )
            .bind(owner.to_string())
            .bind(to_millis(since))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(t, b)| Ok((parse_id("transaction", &t)?, parse_id("bill", &b)?)))
            .collect()
    }

    /// The payee of every matched transaction of the owner with the bill its payment is for:
    /// what "payee like earlier matches" is scored from.
    pub async fn matched_payees(&self, owner: UserId) -> Result<Vec<(BillId, String)>> {
        let rows: Vec<(String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT p.bill_id, t.payee FROM transactions t \
                 JOIN payments p ON p.id = t.payment_id \
                 WHERE t.user_id = $1 AND t.state = 'matched' AND p.deleted_at IS NULL",
            )
            .bind(owner.to_string())
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(bill, payee)| Ok((parse_id("bill", &bill)?, payee)))
            .collect()
    }

    /// The owner's unmatched transactions posted in `[from, to]` (either bound open), newest
    /// first; `limit` is kept within 1..=20 000.
    pub async fn unmatched_transactions(
        &self,
        owner: UserId,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<TransactionRow>> {
        let rows: Vec<StoredTransaction> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM transactions WHERE user_id = $1 AND state = 'unmatched' \
                 AND {} \
                 AND ($2 IS NULL OR posted_on >= $2) AND ($3 IS NULL OR posted_on <= $3) \
                 ORDER BY posted_on DESC, id DESC LIMIT $4 OFFSET $5",
                no_live_expense!("transactions.")
            )))
            .bind(owner.to_string())
            .bind(opt_date_text(from))
            .bind(opt_date_text(to))
            .bind(limit.clamp(1, 20_000))
            .bind(offset.max(0))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(from_stored).collect()
    }

    /// The owner's matches made at or after `since`, newest first, with their payments' bills
    /// and occurrences.
    pub async fn matches_since(
        &self,
        owner: UserId,
        since: DateTime<Utc>,
    ) -> Result<Vec<MatchRow>> {
        let sql = format!(
            "SELECT {}, p.bill_id AS m_bill, p.cycle_due AS m_cycle, \
             t.matched_at AS m_at, COALESCE(t.matched_by, 'manual') AS m_by FROM transactions t \
             JOIN payments p ON p.id = t.payment_id \
             WHERE t.user_id = $1 AND t.state = 'matched' AND t.matched_at >= $2 \
             ORDER BY t.matched_at DESC, t.id DESC",
            T_COLUMNS
        );
        let rows: Vec<StoredMatch> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql.clone()))
                .bind(owner.to_string())
                .bind(to_millis(since))
                .fetch_all(pool)
                .await?
        });
        rows.into_iter()
            .map(|row| {
                Ok(MatchRow {
                    bill_id: parse_id("bill", &row.m_bill)?,
                    cycle_due: parse_date(&row.m_cycle)?,
                    matched_at: from_millis(row.m_at)?,
                    matched_by: row.m_by,
                    transaction: from_stored(row.transaction)?,
                })
            })
            .collect()
    }

    /// The (bill, due date) pairs due in `[first, last]` that a live bank-sourced payment of
    /// the owner is attributed to.
    pub async fn bank_paid_cycles(
        &self,
        owner: UserId,
        first: NaiveDate,
        last: NaiveDate,
    ) -> Result<Vec<(BillId, NaiveDate)>> {
        let rows: Vec<(String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT DISTINCT bill_id, cycle_due FROM payments WHERE user_id = $1 \
                 AND source = 'bank' AND deleted_at IS NULL \
                 AND cycle_due >= $2 AND cycle_due <= $3",
            )
            .bind(owner.to_string())
            .bind(date_text(first))
            .bind(date_text(last))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter()
            .map(|(bill, due)| Ok((parse_id("bill", &bill)?, parse_date(&due)?)))
            .collect()
    }

    /// The latest day the owner's bank transactions reach (`None`: none imported).
    pub async fn transactions_cover_until(&self, owner: UserId) -> Result<Option<NaiveDate>> {
        let latest: Option<String> = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT MAX(posted_on) FROM transactions WHERE user_id = $1")
                .bind(owner.to_string())
                .fetch_one(pool)
                .await?
        });
        latest.as_deref().map(parse_date).transpose()
    }

    /// Why a transaction was not in the state an operation needed: missing (or another
    /// user's) is `NotFound`, otherwise `Conflict` on [`STATE`].
    async fn not_in_state(&self, owner: UserId, id: TransactionId) -> Error {
        match self.transaction(owner, id).await {
            Ok(_) => Error::Conflict {
                field: STATE.into(),
            },
            Err(err) => err,
        }
    }
}

#[derive(sqlx::FromRow)]
struct StoredMatch {
    #[sqlx(flatten)]
    transaction: StoredTransaction,
    m_bill: String,
    m_cycle: String,
    m_at: i64,
    m_by: String,
}
