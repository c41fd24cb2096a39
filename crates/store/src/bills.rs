//! Bills: the recurring templates. Enum-like columns (`amount_kind`, `cycle`, `autopay`) are
//! stored as text and mapped to domain types by the service layer. A bill's category must be
//! one of the owner's categories; another user's category is `NotFound`, like a missing one.
//!
//! When a bill was active is kept in `bill_active_ranges` (see [`crate::bill_activity`]);
//! creating a bill opens its first range. Deleting permanently cascades to its ranges, month
//! states and payments.

use chrono::{DateTime, NaiveDate, Utc};

use domain::id::{BillId, CategoryId, UserId};

use crate::columns::{
    CATEGORY_IS_OWNED, date_text, int_list_text, opt_date_text, parse_date, parse_id,
    parse_int_list, parse_opt_date, parse_opt_id, stale_or_missing,
};
use crate::time::{from_millis, to_millis};
use crate::{Error, Result, Store};

/// A stored bill.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillRow {
    pub id: BillId,
    pub category_id: Option<CategoryId>,
    pub name: String,
    pub notes: String,
    /// `fixed` or `estimated`.
    pub amount_kind: String,
    pub expected_minor: i64,
    pub min_minor: Option<i64>,
    pub max_minor: Option<i64>,
    pub currency: String,
    /// `weekly`, `biweekly`, `monthly`, … (domain text).
    pub cycle: String,
    pub anchor_date: NaiveDate,
    pub due_day: Option<i64>,
    pub is_active: bool,
    /// `off`, `assumed`, `verified` (domain text).
    pub autopay: String,
    pub autopay_verified_on: Option<NaiveDate>,
    pub auto_mark_paid: bool,
    pub is_subscription: bool,
    /// Reminder lead times in days.
    pub reminder_days: Vec<i64>,
    pub website: Option<String>,
    /// Ciphertext made by the service layer.
    pub account_details_enc: Option<String>,
    /// The debt's current balance; `None` for bills that are not debts.
    pub debt_balance_minor: Option<i64>,
    /// Annual rate in basis points.
    pub debt_apr_bp: Option<i64>,
    pub debt_min_payment_minor: Option<i64>,
    pub debt_payoff_order: Option<i64>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// Every template field of a bill: what create sets and update replaces. The active flag,
/// the debt balance and deletion have their own methods.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillTemplate {
    pub category_id: Option<CategoryId>,
    pub name: String,
    pub notes: String,
    pub amount_kind: String,
    pub expected_minor: i64,
    pub min_minor: Option<i64>,
    pub max_minor: Option<i64>,
    pub currency: String,
    pub cycle: String,
    pub anchor_date: NaiveDate,
    pub due_day: Option<i64>,
    pub autopay: String,
    pub autopay_verified_on: Option<NaiveDate>,
    pub auto_mark_paid: bool,
    pub is_subscription: bool,
    pub reminder_days: Vec<i64>,
    pub website: Option<String>,
    pub account_details_enc: Option<String>,
    pub debt_apr_bp: Option<i64>,
    pub debt_min_payment_minor: Option<i64>,
    pub debt_payoff_order: Option<i64>,
}

/// A new bill: its template, its opening debt balance, and the day it becomes active.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBill {
    /// Chosen by the caller, so encrypted fields can name their row in the associated data.
    pub id: BillId,
    pub template: BillTemplate,
    pub debt_balance_minor: Option<i64>,
    pub active_from: NaiveDate,
}

#[derive(sqlx::FromRow)]
pub(crate) struct StoredBill {
    id: String,
    category_id: Option<String>,
    name: String,
    notes: String,
    amount_kind: String,
    expected_minor: i64,
    min_minor: Option<i64>,
    max_minor: Option<i64>,
    currency: String,
    cycle: String,
    anchor_date: String,
    due_day: Option<i64>,
    is_active: bool,
    autopay: String,
    autopay_verified_on: Option<String>,
    auto_mark_paid: bool,
    is_subscription: bool,
    reminder_days: String,
    website: Option<String>,
    account_details_enc: Option<String>,
    debt_balance_minor: Option<i64>,
    debt_apr_bp: Option<i64>,
    debt_min_payment_minor: Option<i64>,
    debt_payoff_order: Option<i64>,
    deleted_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
    version: i64,
}

pub(crate) const BILL_COLUMNS: &str = "id, category_id, name, notes, amount_kind, \
     expected_minor, min_minor, max_minor, currency, cycle, anchor_date, due_day, is_active, \
     autopay, autopay_verified_on, auto_mark_paid, is_subscription, reminder_days, website, \
     account_details_enc, debt_balance_minor, debt_apr_bp, debt_min_payment_minor, \
     debt_payoff_order, deleted_at, created_at, updated_at, version";

pub(crate) fn bill_from_stored(row: StoredBill) -> Result<BillRow> {
    Ok(BillRow {
        id: parse_id("bill", &row.id)?,
        category_id: parse_opt_id("category", row.category_id.as_deref())?,
        name: row.name,
        notes: row.notes,
        amount_kind: row.amount_kind,
        expected_minor: row.expected_minor,
        min_minor: row.min_minor,
        max_minor: row.max_minor,
        currency: row.currency,
        cycle: row.cycle,
        anchor_date: parse_date(&row.anchor_date)?,
        due_day: row.due_day,
        is_active: row.is_active,
        autopay: row.autopay,
        autopay_verified_on: parse_opt_date(row.autopay_verified_on.as_deref())?,
        auto_mark_paid: row.auto_mark_paid,
        is_subscription: row.is_subscription,
        reminder_days: parse_int_list(&row.reminder_days)?,
        website: row.website,
        account_details_enc: row.account_details_enc,
        debt_balance_minor: row.debt_balance_minor,
        debt_apr_bp: row.debt_apr_bp,
        debt_min_payment_minor: row.debt_min_payment_minor,
        debt_payoff_order: row.debt_payoff_order,
        deleted_at: row.deleted_at.map(from_millis).transpose()?,
        created_at: from_millis(row.created_at)?,
        updated_at: from_millis(row.updated_at)?,
        version: row.version,
    })
}

impl Store {
    /// Creates a bill and opens its first active range at `new.active_from`, in one
    /// transaction. A category that is not the owner's is `NotFound`.
    pub async fn create_bill(
        &self,
        owner: UserId,
        new: &NewBill,
        now: DateTime<Utc>,
    ) -> Result<BillRow> {
        let id = new.id.to_string();
        let t = &new.template;
        let row: Option<StoredBill> = on_pool!(self, |pool| {
            let mut tx = crate::db::BeginWrite::begin_write(pool).await?;
            let row: Option<StoredBill> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "INSERT INTO bills (id, user_id, category_id, name, notes, amount_kind, \
                 expected_minor, min_minor, max_minor, currency, cycle, anchor_date, due_day, \
                 autopay, autopay_verified_on, auto_mark_paid, is_subscription, reminder_days, \
                 website, account_details_enc, debt_apr_bp, debt_min_payment_minor, \
                 debt_payoff_order, debt_balance_minor, is_active, created_at, updated_at) \
                 SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
                 $17, $18, $19, $20, $21, $22, $23, $24, TRUE, $25, $25 \
                 WHERE {CATEGORY_IS_OWNED} RETURNING {BILL_COLUMNS}"
            )))
            .bind(&id)
            .bind(owner.to_string())
            .bind(t.category_id.map(|c| c.to_string()))
            .bind(&t.name)
            .bind(&t.notes)
            .bind(&t.amount_kind)
            .bind(t.expected_minor)
            .bind(t.min_minor)
            .bind(t.max_minor)
            .bind(&t.currency)
            .bind(&t.cycle)
            .bind(date_text(t.anchor_date))
            .bind(t.due_day)
            .bind(&t.autopay)
            .bind(opt_date_text(t.autopay_verified_on))
            .bind(t.auto_mark_paid)
            .bind(t.is_subscription)
            .bind(int_list_text(&t.reminder_days))
            .bind(&t.website)
            .bind(&t.account_details_enc)
            .bind(t.debt_apr_bp)
            .bind(t.debt_min_payment_minor)
            .bind(t.debt_payoff_order)
            .bind(new.debt_balance_minor)
            .bind(to_millis(now))
            .fetch_optional(&mut *tx)
            .await?;
            if row.is_some() {
                sqlx::query(
                    "INSERT INTO bill_active_ranges (id, bill_id, start_date, end_date) \
                     VALUES ($1, $2, $3, NULL)",
                )
                .bind(uuid::Uuid::now_v7().to_string())
                .bind(&id)
                .bind(date_text(new.active_from))
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
            }
            row
        });
        bill_from_stored(row.ok_or(Error::NotFound)?)
    }

    /// One of the owner's bills, deleted or not.
    pub async fn bill(&self, owner: UserId, id: BillId) -> Result<BillRow> {
        let row: StoredBill = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {BILL_COLUMNS} FROM bills WHERE id = $1 AND user_id = $2"
            )))
            .bind(id.to_string())
            .bind(owner.to_string())
            .fetch_one(pool)
            .await?
        });
        bill_from_stored(row)
    }

    /// The owner's bills by name: active ones, plus inactive and deleted ones when asked.
    pub async fn bills(
        &self,
        owner: UserId,
        include_inactive: bool,
        include_deleted: bool,
    ) -> Result<Vec<BillRow>> {
        let rows: Vec<StoredBill> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {BILL_COLUMNS} FROM bills WHERE user_id = $1 \
                 AND ($2 OR is_active = TRUE) AND ($3 OR deleted_at IS NULL) \
                 ORDER BY LOWER(name), id"
            )))
            .bind(owner.to_string())
            .bind(include_inactive)
            .bind(include_deleted)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(bill_from_stored).collect()
    }

    /// Replaces every template field of a live bill still at `expected_version`. A category
    /// that is not the owner's is `NotFound`.
    pub async fn update_bill(
        &self,
        owner: UserId,
        id: BillId,
        template: &BillTemplate,
        expected_version: i64,
        now: DateTime<Utc>,
    ) -> Result<BillRow> {
        let t = template;
        let row: Option<StoredBill> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "UPDATE bills SET category_id = $3, name = $4, notes = $5, amount_kind = $6, \
                 expected_minor = $7, min_minor = $8, max_minor = $9, currency = $10, \
                 cycle = $11, anchor_date = $12, due_day = $13, autopay = $14, \
                 autopay_verified_on = $15, auto_mark_paid = $16, is_subscription = $17, \
                 reminder_days = $18, website = $19, account_details_enc = $20, \
                 debt_apr_bp = $21, debt_min_payment_minor = $22, debt_payoff_order = $23, \
                 updated_at = $24, version = version + 1 \
                 WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL AND version = $25 \
                 AND {CATEGORY_IS_OWNED} RETURNING {BILL_COLUMNS}"
            )))
            .bind(id.to_string())
            .bind(owner.to_string())
            .bind(t.category_id.map(|c| c.to_string()))
            .bind(&t.name)
            .bind(&t.notes)
            .bind(&t.amount_kind)
            .bind(t.expected_minor)
            .bind(t.min_minor)
            .bind(t.max_minor)
            .bind(&t.currency)
            .bind(&t.cycle)
            .bind(date_text(t.anchor_date))
            .bind(t.due_day)
            .bind(&t.autopay)
            .bind(opt_date_text(t.autopay_verified_on))
            .bind(t.auto_mark_paid)
            .bind(t.is_subscription)
            .bind(int_list_text(&t.reminder_days))
            .bind(&t.website)
            .bind(&t.account_details_enc)
            .bind(t.debt_apr_bp)
            .bind(t.debt_min_payment_minor)
            .bind(t.debt_payoff_order)
            .bind(to_millis(now))
            .bind(expected_version)
            .fetch_optional(pool)
            .await?
        });
        match row {
            Some(row) => bill_from_stored(row),
            // The bill is current but the category is not the owner's: NotFound as well.
            None => Err(stale_or_missing(
                self.live_bill_version(owner, id).await?,
                expected_version,
            )),
        }
    }

    /// Soft-deletes a bill: it leaves lists and the tracker, its payments stay (already
    /// deleted: nothing changes).
    pub async fn soft_delete_bill(
        &self,
        owner: UserId,
        id: BillId,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.set_bill_deleted(owner, id, Some(to_millis(now)), now)
            .await
    }

    /// Brings a soft-deleted bill back (already live: nothing changes).
    pub async fn restore_bill(&self, owner: UserId, id: BillId, now: DateTime<Utc>) -> Result<()> {
        self.set_bill_deleted(owner, id, None, now).await
    }

    /// Deletes a bill for good, with its active ranges, month states, payments and merchant
    /// rules; the bank transactions matched to it are unmatched again, in one transaction.
    pub async fn delete_bill_permanently(&self, owner: UserId, id: BillId) -> Result<()> {
        let (bill, user) = (id.to_string(), owner.to_string());
        let done = on_pool!(self, |pool| {
            let mut tx = crate::db::BeginWrite::begin_write(pool).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "{} WHERE user_id = $2 AND payment_id IN \
                 (SELECT id FROM payments WHERE bill_id = $1 AND user_id = $2)",
                crate::columns::UNMATCH_SET
            )))
            .bind(&bill)
            .bind(&user)
            .execute(&mut *tx)
            .await?;
            let done = sqlx::query("DELETE FROM bills WHERE id = $1 AND user_id = $2")
                .bind(&bill)
                .bind(&user)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            done
        });
        if done == 0 {
            Err(Error::NotFound)
        } else {
            Ok(())
        }
    }

    async fn set_bill_deleted(
        &self,
        owner: UserId,
        id: BillId,
        deleted_at: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let done = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE bills SET deleted_at = $3, updated_at = $4, version = version + 1 \
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
            // Unchanged: fine if the bill exists in the wanted state, NotFound otherwise.
            self.bill(owner, id).await?;
        }
        Ok(())
    }

    pub(crate) async fn live_bill_version(&self, owner: UserId, id: BillId) -> Result<Option<i64>> {
        let version = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT version FROM bills WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL",
            )
            .bind(id.to_string())
            .bind(owner.to_string())
            .fetch_optional(pool)
            .await?
        });
        Ok(version)
    }
}
