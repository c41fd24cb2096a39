//! When bills are active, and their debt balances.
//!
//! Activity is kept as history: each activation opens a range in `bill_active_ranges`, each
//! deactivation closes the open one, so a bill deactivated in March still shows in February.
//! Ranges are half-open: a bill is active from `start_date` up to, not including, `end_date`
//! (the day it was deactivated), so deactivating and reactivating on one day leaves no gap and
//! no overlap. The `is_active` flag on the bill always agrees with "has an open range".
//!
//! Debt balances change by payments (see [`crate::payments`]), by interest and by the user
//! correcting them; every change bumps the bill's version, so an edit based on an older
//! balance is `Stale` rather than silently undoing a payment.

use chrono::{DateTime, NaiveDate, Utc};

use domain::id::{BillId, UserId};

use crate::bills::{BILL_COLUMNS, BillRow, StoredBill, bill_from_stored};
use crate::columns::{date_text, parse_date, parse_opt_date, stale_or_missing};
use crate::time::to_millis;
use crate::{Error, Result, Store};

/// One period in which a bill was active: `[start_date, end_date)`, open while `end_date` is
/// `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActiveRange {
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
}

impl ActiveRange {
    /// Whether the bill was active on `date`.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start_date <= date && self.end_date.is_none_or(|end| date < end)
    }

    /// Whether the bill was active on any day of `[start, end]` (both inclusive).
    pub fn overlaps(&self, start: NaiveDate, end: NaiveDate) -> bool {
        self.start_date <= end && self.end_date.is_none_or(|until| until > start)
    }
}

/// A bill with every one of its active ranges, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BillWithRanges {
    pub bill: BillRow,
    pub ranges: Vec<ActiveRange>,
}

/// Joined to `bills`: one row per range (`range_start`, `range_end`), for [`grouped`] (order
/// by `LOWER(bills.name), bills.id, range_start`).
const RANGES_JOIN: &str = "JOIN (SELECT bill_id, start_date AS range_start, \
     end_date AS range_end FROM bill_active_ranges) r ON r.bill_id = bills.id";

#[derive(sqlx::FromRow)]
struct StoredBillRange {
    #[sqlx(flatten)]
    bill: StoredBill,
    range_start: String,
    range_end: Option<String>,
}

/// Adds `$1` to a debt balance (bills without a balance are left alone); bumps the version.
pub(crate) const ADJUST_DEBT_SQL: &str = "UPDATE bills SET \
     debt_balance_minor = debt_balance_minor + $1, updated_at = $2, version = version + 1 \
     WHERE id = $3 AND user_id = $4 AND debt_balance_minor IS NOT NULL";

/// Bills with their ranges from rows ordered by bill (then range start).
fn grouped(rows: Vec<StoredBillRange>) -> Result<Vec<BillWithRanges>> {
    let mut out: Vec<BillWithRanges> = Vec::new();
    for row in rows {
        let range = range_from_text(&row.range_start, row.range_end.as_deref())?;
        let bill = bill_from_stored(row.bill)?;
        match out.last_mut() {
            Some(last) if last.bill.id == bill.id => last.ranges.push(range),
            _ => out.push(BillWithRanges {
                bill,
                ranges: vec![range],
            }),
        }
    }
    Ok(out)
}

fn range_from_text(start: &str, end: Option<&str>) -> Result<ActiveRange> {
    Ok(ActiveRange {
        start_date: parse_date(start)?,
        end_date: parse_opt_date(end)?,
    })
}

impl Store {
    /// Activates or deactivates a live bill on `on_date`, in one transaction: deactivating
    /// closes the open range at `on_date` (never before its start), activating opens a new
    /// range there. Asking for the state the bill is already in changes nothing.
    pub async fn set_bill_active(
        &self,
        owner: UserId,
        id: BillId,
        active: bool,
        on_date: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<BillRow> {
        let (bill_id, day) = (id.to_string(), date_text(on_date));
        let row: Option<StoredBill> = on_pool!(self, |pool| {
            let mut tx = crate::db::BeginWrite::begin_write(pool).await?;
            // Flipping the flag first decides the race between two toggles: only one flips it.
            let flipped = sqlx::query(
                "UPDATE bills SET is_active = $3, updated_at = $4, version = version + 1 \
                 WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL AND is_active <> $3",
            )
            .bind(&bill_id)
            .bind(owner.to_string())
            .bind(active)
            .bind(to_millis(now))
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if flipped == 1 && active {
                sqlx::query(
                    "INSERT INTO bill_active_ranges (id, bill_id, start_date, end_date) \
                     VALUES ($1, $2, $3, NULL)",
                )
                .bind(uuid::Uuid::now_v7().to_string())
                .bind(&bill_id)
                .bind(&day)
                .execute(&mut *tx)
                .await?;
            } else if flipped == 1 {
                sqlx::query(
                    "UPDATE bill_active_ranges SET end_date = \
                     CASE WHEN start_date > $2 THEN start_date ELSE $2 END \
                     WHERE bill_id = $1 AND end_date IS NULL",
                )
                .bind(&bill_id)
                .bind(&day)
                .execute(&mut *tx)
                .await?;
            }
            let row: Option<StoredBill> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {BILL_COLUMNS} FROM bills WHERE id = $1 AND user_id = $2 \
                 AND deleted_at IS NULL"
            )))
            .bind(&bill_id)
            .bind(owner.to_string())
            .fetch_optional(&mut *tx)
            .await?;
            tx.commit().await?;
            row
        });
        bill_from_stored(row.ok_or(Error::NotFound)?)
    }

    /// Every active range of one of the owner's bills, oldest first.
    pub async fn bill_active_ranges(&self, owner: UserId, id: BillId) -> Result<Vec<ActiveRange>> {
        let rows: Vec<(String, Option<String>)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT r.start_date, r.end_date FROM bill_active_ranges r \
                 JOIN bills b ON b.id = r.bill_id \
                 WHERE r.bill_id = $1 AND b.user_id = $2 ORDER BY r.start_date, r.id",
            )
            .bind(id.to_string())
            .bind(owner.to_string())
            .fetch_all(pool)
            .await?
        });
        if rows.is_empty() {
            // Every bill has a range; none means the bill is missing or someone else's.
            self.bill(owner, id).await?;
        }
        rows.iter()
            .map(|(start, end)| range_from_text(start, end.as_deref()))
            .collect()
    }

    /// The owner's non-deleted bills that were active on some day of `[start, end]` (both
    /// inclusive), by name, each with all its ranges. One statement, so bills and ranges
    /// agree.
    pub async fn bills_active_between(
        &self,
        owner: UserId,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Vec<BillWithRanges>> {
        let rows: Vec<StoredBillRange> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {BILL_COLUMNS}, range_start, range_end FROM bills {RANGES_JOIN} \
                 WHERE bills.user_id = $1 AND bills.deleted_at IS NULL \
                 AND EXISTS (SELECT 1 FROM bill_active_ranges o WHERE o.bill_id = bills.id \
                   AND o.start_date <= $3 AND (o.end_date IS NULL OR o.end_date > $2)) \
                 ORDER BY LOWER(bills.name), bills.id, range_start"
            )))
            .bind(owner.to_string())
            .bind(date_text(start))
            .bind(date_text(end))
            .fetch_all(pool)
            .await?
        });
        grouped(rows)
    }

    /// The owner's bills by name, each with all its ranges: active ones, plus inactive and
    /// deleted ones when asked (like [`Store::bills`], in one statement).
    pub async fn bills_with_ranges(
        &self,
        owner: UserId,
        include_inactive: bool,
        include_deleted: bool,
    ) -> Result<Vec<BillWithRanges>> {
        let rows: Vec<StoredBillRange> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {BILL_COLUMNS}, range_start, range_end FROM bills {RANGES_JOIN} \
                 WHERE bills.user_id = $1 \
                 AND ($2 OR bills.is_active = TRUE) AND ($3 OR bills.deleted_at IS NULL) \
                 ORDER BY LOWER(bills.name), bills.id, range_start"
            )))
            .bind(owner.to_string())
            .bind(include_inactive)
            .bind(include_deleted)
            .fetch_all(pool)
            .await?
        });
        grouped(rows)
    }

    /// Sets a live bill's debt balance (`None`: not a debt) if it is still at
    /// `expected_version`.
    pub async fn set_bill_debt_balance(
        &self,
        owner: UserId,
        id: BillId,
        balance_minor: Option<i64>,
        expected_version: i64,
        now: DateTime<Utc>,
    ) -> Result<BillRow> {
        let row: Option<StoredBill> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "UPDATE bills SET debt_balance_minor = $3, updated_at = $4, version = version + 1 \
                 WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL AND version = $5 \
                 RETURNING {BILL_COLUMNS}"
            )))
            .bind(id.to_string())
            .bind(owner.to_string())
            .bind(balance_minor)
            .bind(to_millis(now))
            .bind(expected_version)
            .fetch_optional(pool)
            .await?
        });
        match row {
            Some(row) => bill_from_stored(row),
            None => Err(stale_or_missing(
                self.live_bill_version(owner, id).await?,
                expected_version,
            )),
        }
    }

    /// Adds `delta_minor` (negative lowers it) to a bill's debt balance, whatever its version:
    /// for interest, which must not lose a concurrent payment. A bill without a balance is
    /// returned unchanged.
    pub async fn adjust_bill_debt_balance(
        &self,
        owner: UserId,
        id: BillId,
        delta_minor: i64,
        now: DateTime<Utc>,
    ) -> Result<BillRow> {
        on_pool!(self, |pool| {
            sqlx::query(ADJUST_DEBT_SQL)
                .bind(delta_minor)
                .bind(to_millis(now))
                .bind(id.to_string())
                .bind(owner.to_string())
                .execute(pool)
                .await?;
        });
        self.bill(owner, id).await
    }
}
