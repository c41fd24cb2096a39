//! Payments towards one occurrence of a bill (`cycle_due` names the occurrence, which may be
//! earlier than `paid_on`). A payment needs a live bill of the owner's; another user's bill is
//! `NotFound`.
//!
//! Debt bills: a live payment has lowered its bill's `debt_balance_minor` by its amount. Every
//! method keeps that true in the same transaction as the payment change: create lowers it, an
//! amount edit moves it by the difference, soft delete (and undo) raises it back, restore
//! lowers it again. Bills without a balance are left alone. The balance is not clamped at
//! zero, so every step can be undone exactly. Listing and sums are in
//! [`crate::payment_queries`].

use chrono::{DateTime, NaiveDate, Utc};

use domain::id::{BillId, PaymentId, UserId};

use crate::bill_activity::ADJUST_DEBT_SQL;
use crate::columns::{date_text, parse_date, parse_id, stale_or_missing};
use crate::time::{from_millis, to_millis};
use crate::{Error, Result, Store};

/// A stored payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentRow {
    pub id: PaymentId,
    pub bill_id: BillId,
    pub amount_minor: i64,
    pub paid_on: NaiveDate,
    /// The due date of the occurrence this payment settles.
    pub cycle_due: NaiveDate,
    pub method: String,
    pub note: String,
    /// `manual`, `import`, `bank` (domain text).
    pub source: String,
    /// "Autopay failed, paid manually."
    pub autopay_failed: bool,
    /// Set on payments made together (pay all due), which one undo removes.
    pub undo_token: Option<String>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// A payment to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPayment {
    pub bill_id: BillId,
    pub amount_minor: i64,
    pub paid_on: NaiveDate,
    pub cycle_due: NaiveDate,
    pub method: String,
    pub note: String,
    pub source: String,
    pub autopay_failed: bool,
}

/// The editable fields of a payment; the bill and the source stay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentChanges {
    pub amount_minor: i64,
    pub paid_on: NaiveDate,
    pub cycle_due: NaiveDate,
    pub method: String,
    pub note: String,
    pub autopay_failed: bool,
}

#[derive(sqlx::FromRow)]
pub(crate) struct StoredPayment {
    pub(crate) id: String,
    pub(crate) bill_id: String,
    amount_minor: i64,
    paid_on: String,
    cycle_due: String,
    method: String,
    note: String,
    source: String,
    autopay_failed: bool,
    undo_token: Option<String>,
    deleted_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
    version: i64,
}

pub(crate) const PAYMENT_COLUMNS: &str = "id, bill_id, amount_minor, paid_on, cycle_due, method, note, source, \
     autopay_failed, undo_token, deleted_at, created_at, updated_at, version";

pub(crate) fn payment_from_stored(row: StoredPayment) -> Result<PaymentRow> {
    Ok(PaymentRow {
        id: parse_id("payment", &row.id)?,
        bill_id: parse_id("bill", &row.bill_id)?,
        amount_minor: row.amount_minor,
        paid_on: parse_date(&row.paid_on)?,
        cycle_due: parse_date(&row.cycle_due)?,
        method: row.method,
        note: row.note,
        source: row.source,
        autopay_failed: row.autopay_failed,
        undo_token: row.undo_token,
        deleted_at: row.deleted_at.map(from_millis).transpose()?,
        created_at: from_millis(row.created_at)?,
        updated_at: from_millis(row.updated_at)?,
        version: row.version,
    })
}

/// Inside a write transaction `$tx`: inserts the payment `$new` (a `&NewPayment`) for the
/// owner `$user` if its bill is one of the owner's live bills, and lowers a debt bill's balance
/// by its amount. Evaluates to `Option<StoredPayment>` (`None`: no such bill, nothing written).
macro_rules! insert_payment {
    ($tx:expr, $user:expr, $new:expr, $undo_token:expr, $at:expr) => {{
        let new: &$crate::payments::NewPayment = $new;
        let row: Option<$crate::payments::StoredPayment> =
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "INSERT INTO payments (id, user_id, bill_id, amount_minor, paid_on, \
                 cycle_due, method, note, source, autopay_failed, undo_token, created_at, \
                 updated_at) \
                 SELECT $1, user_id, id, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12 \
                 FROM bills WHERE id = $3 AND user_id = $2 AND deleted_at IS NULL \
                 RETURNING {}",
                $crate::payments::PAYMENT_COLUMNS
            )))
            .bind(domain::id::PaymentId::new().to_string())
            .bind($user)
            .bind(new.bill_id.to_string())
            .bind(new.amount_minor)
            .bind($crate::columns::date_text(new.paid_on))
            .bind($crate::columns::date_text(new.cycle_due))
            .bind(&new.method)
            .bind(&new.note)
            .bind(&new.source)
            .bind(new.autopay_failed)
            .bind($undo_token)
            .bind($at)
            .fetch_optional($tx)
            .await?;
        if let Some(row) = &row {
            sqlx::query($crate::bill_activity::ADJUST_DEBT_SQL)
                .bind(-new.amount_minor)
                .bind($at)
                .bind(&row.bill_id)
                .bind($user)
                .execute($tx)
                .await?;
        }
        row
    }};
}
pub(crate) use insert_payment;

/// Inside a write transaction `$tx`: soft-deletes (`$delete` true) or restores the owner's
/// payment `$id` and moves its debt bill's balance back or down by its amount; a deleted
/// payment's bank transaction is unmatched again (a restore does not match it back). Only a change
/// of state matches, so the balance moves once per change. Evaluates to the changed payment's
/// `Option<(bill_id, amount_minor)>`.
macro_rules! set_payment_deleted {
    ($tx:expr, $id:expr, $user:expr, $delete:expr, $at:expr) => {{
        let delete: bool = $delete;
        let changed: Option<(String, i64)> = sqlx::query_as(
            "UPDATE payments SET deleted_at = CASE WHEN $3 THEN $4 ELSE NULL END, \
             updated_at = $4, version = version + 1 \
             WHERE id = $1 AND user_id = $2 AND (deleted_at IS NULL) = $3 \
             RETURNING bill_id, amount_minor",
        )
        .bind($id)
        .bind($user)
        .bind(delete)
        .bind($at)
        .fetch_optional($tx)
        .await?;
        if let Some((bill, amount)) = &changed {
            sqlx::query($crate::bill_activity::ADJUST_DEBT_SQL)
                .bind(if delete { *amount } else { -*amount })
                .bind($at)
                .bind(bill)
                .bind($user)
                .execute($tx)
                .await?;
            if delete {
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "{} WHERE payment_id = $1 AND user_id = $2",
                    $crate::columns::UNMATCH_SET
                )))
                .bind($id)
                .bind($user)
                .execute($tx)
                .await?;
            }
        }
        changed
    }};
}
pub(crate) use set_payment_deleted;

impl Store {
    /// Records a payment and lowers its debt bill's balance, in one transaction.
    pub async fn create_payment(
        &self,
        owner: UserId,
        new: &NewPayment,
        now: DateTime<Utc>,
    ) -> Result<PaymentRow> {
        let mut rows = self
            .insert_payments(owner, std::slice::from_ref(new), None, now)
            .await?;
        rows.pop().ok_or(Error::NotFound)
    }

    /// Records several payments (pay all due) in one transaction, all marked with
    /// `undo_token` for [`Store::undo_payments`]. Any bill not the owner's: none is recorded.
    pub async fn create_payments(
        &self,
        owner: UserId,
        payments: &[NewPayment],
        undo_token: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<PaymentRow>> {
        self.insert_payments(owner, payments, Some(undo_token), now)
            .await
    }

    async fn insert_payments(
        &self,
        owner: UserId,
        payments: &[NewPayment],
        undo_token: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Vec<PaymentRow>> {
        let (user, at) = (owner.to_string(), to_millis(now));
        let rows: Vec<StoredPayment> = on_pool!(self, |pool| {
            let mut tx = crate::db::BeginWrite::begin_write(pool).await?;
            let mut rows = Vec::with_capacity(payments.len());
            for new in payments {
                let row = insert_payment!(&mut *tx, &user, new, undo_token, at);
                // Dropping the transaction rolls back the payments inserted so far.
                let Some(row) = row else {
                    return Err(Error::NotFound);
                };
                rows.push(row);
            }
            tx.commit().await?;
            rows
        });
        rows.into_iter().map(payment_from_stored).collect()
    }

    /// One of the owner's payments, deleted or not.
    pub async fn payment(&self, owner: UserId, id: PaymentId) -> Result<PaymentRow> {
        let row: StoredPayment = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {PAYMENT_COLUMNS} FROM payments WHERE id = $1 AND user_id = $2"
            )))
            .bind(id.to_string())
            .bind(owner.to_string())
            .fetch_one(pool)
            .await?
        });
        payment_from_stored(row)
    }

    /// Replaces the editable fields of a live payment still at `expected_version`, and moves
    /// its debt bill's balance by the change in amount, in one transaction.
    pub async fn update_payment(
        &self,
        owner: UserId,
        id: PaymentId,
        changes: &PaymentChanges,
        expected_version: i64,
        now: DateTime<Utc>,
    ) -> Result<PaymentRow> {
        let (payment, user, at) = (id.to_string(), owner.to_string(), to_millis(now));
        let row: Option<StoredPayment> = on_pool!(self, |pool| {
            let mut tx = crate::db::BeginWrite::begin_write(pool).await?;
            // The version check on the UPDATE guarantees this is the amount being replaced.
            let old: Option<i64> = sqlx::query_scalar(
                "SELECT amount_minor FROM payments WHERE id = $1 AND user_id = $2 \
                 AND deleted_at IS NULL AND version = $3",
            )
            .bind(&payment)
            .bind(&user)
            .bind(expected_version)
            .fetch_optional(&mut *tx)
            .await?;
            let row: Option<StoredPayment> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "UPDATE payments SET amount_minor = $3, paid_on = $4, cycle_due = $5, \
                 method = $6, note = $7, autopay_failed = $8, updated_at = $9, \
                 version = version + 1 \
                 WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL AND version = $10 \
                 RETURNING {PAYMENT_COLUMNS}"
            )))
            .bind(&payment)
            .bind(&user)
            .bind(changes.amount_minor)
            .bind(date_text(changes.paid_on))
            .bind(date_text(changes.cycle_due))
            .bind(&changes.method)
            .bind(&changes.note)
            .bind(changes.autopay_failed)
            .bind(at)
            .bind(expected_version)
            .fetch_optional(&mut *tx)
            .await?;
            if let (Some(row), Some(old)) = (&row, old)
                && old != changes.amount_minor
            {
                sqlx::query(ADJUST_DEBT_SQL)
                    .bind(old - changes.amount_minor)
                    .bind(at)
                    .bind(&row.bill_id)
                    .bind(&user)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            row
        });
        match row {
            Some(row) => payment_from_stored(row),
            None => Err(stale_or_missing(
                self.live_payment_version(owner, id).await?,
                expected_version,
            )),
        }
    }

    /// Soft-deletes a payment and raises its debt bill's balance back (already deleted:
    /// nothing changes).
    pub async fn soft_delete_payment(
        &self,
        owner: UserId,
        id: PaymentId,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.set_payment_deleted(owner, id, true, now).await
    }

    /// Restores a soft-deleted payment and lowers its debt bill's balance again (already
    /// live: nothing changes).
    pub async fn restore_payment(
        &self,
        owner: UserId,
        id: PaymentId,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.set_payment_deleted(owner, id, false, now).await
    }

    async fn set_payment_deleted(
        &self,
        owner: UserId,
        id: PaymentId,
        delete: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let (user, at) = (owner.to_string(), to_millis(now));
        let changed: Option<(String, i64)> = on_pool!(self, |pool| {
            let mut tx = crate::db::BeginWrite::begin_write(pool).await?;
            let changed = set_payment_deleted!(&mut *tx, id.to_string(), &user, delete, at);
            tx.commit().await?;
            changed
        });
        if changed.is_none() {
            // Unchanged: fine if the payment exists in the wanted state, NotFound otherwise.
            self.payment(owner, id).await?;
        }
        Ok(())
    }

    /// Soft-deletes the owner's live payments made with `undo_token` and raises their debt
    /// balances back, in one transaction. Returns how many were undone (0 when repeated).
    pub async fn undo_payments(
        &self,
        owner: UserId,
        undo_token: &str,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let (user, at) = (owner.to_string(), to_millis(now));
        let undone = on_pool!(self, |pool| {
            let mut tx = crate::db::BeginWrite::begin_write(pool).await?;
            let undone: Vec<(String, i64)> = sqlx::query_as(
                "UPDATE payments SET deleted_at = $3, updated_at = $3, version = version + 1 \
                 WHERE user_id = $1 AND undo_token = $2 AND deleted_at IS NULL \
                 RETURNING bill_id, amount_minor",
            )
            .bind(&user)
            .bind(undo_token)
            .bind(at)
            .fetch_all(&mut *tx)
            .await?;
            for (bill, amount) in &undone {
                sqlx::query(ADJUST_DEBT_SQL)
                    .bind(*amount)
                    .bind(at)
                    .bind(bill)
                    .bind(&user)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            undone.len()
        });
        Ok(u64::try_from(undone).unwrap_or(u64::MAX))
    }

    async fn live_payment_version(&self, owner: UserId, id: PaymentId) -> Result<Option<i64>> {
        let version = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT version FROM payments WHERE id = $1 AND user_id = $2 \
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
