//! Per-occurrence overrides of a bill, keyed by (bill, due date): the actual amount, a note,
//! skipped, snoozed-until. They never touch the bill's template. Writing one needs a live bill
//! of the owner's; another user's bill is `NotFound`.

use chrono::{DateTime, NaiveDate, Utc};

use domain::id::{BillId, UserId};

use crate::columns::{date_text, opt_date_text, parse_date, parse_id, parse_opt_date};
use crate::time::{from_millis, to_millis};
use crate::{Error, Result, Store};

/// The stored overrides of one occurrence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MonthStateRow {
    pub bill_id: BillId,
    pub due_date: NaiveDate,
    /// This occurrence's amount when it differs from the template's expected amount.
    pub actual_minor: Option<i64>,
    pub note: String,
    pub skipped: bool,
    pub snoozed_until: Option<NaiveDate>,
    pub updated_at: DateTime<Utc>,
}

/// Every override of one occurrence, as saved.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MonthStateFields {
    pub actual_minor: Option<i64>,
    pub note: String,
    pub skipped: bool,
    pub snoozed_until: Option<NaiveDate>,
}

#[derive(sqlx::FromRow)]
struct Stored {
    bill_id: String,
    due_date: String,
    actual_minor: Option<i64>,
    note: String,
    skipped: bool,
    snoozed_until: Option<String>,
    updated_at: i64,
}

const COLUMNS: &str = "bill_id, due_date, actual_minor, note, skipped, snoozed_until, updated_at";

fn from_stored(row: Stored) -> Result<MonthStateRow> {
    Ok(MonthStateRow {
        bill_id: parse_id("bill", &row.bill_id)?,
        due_date: parse_date(&row.due_date)?,
        actual_minor: row.actual_minor,
        note: row.note,
        skipped: row.skipped,
        snoozed_until: parse_opt_date(row.snoozed_until.as_deref())?,
        updated_at: from_millis(row.updated_at)?,
    })
}

impl Store {
    /// Saves the overrides of the occurrence of `bill` due on `due_date`, replacing any saved
    /// before.
    pub async fn upsert_month_state(
        &self,
        owner: UserId,
        bill: BillId,
        due_date: NaiveDate,
        fields: &MonthStateFields,
        now: DateTime<Utc>,
    ) -> Result<MonthStateRow> {
        // INSERT … SELECT from the owner's live bill: no row to insert when it is not theirs.
        // The SELECT's WHERE also keeps SQLite from reading ON CONFLICT as a join clause.
        let row: Option<Stored> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "INSERT INTO month_states (bill_id, due_date, user_id, actual_minor, note, \
                 skipped, snoozed_until, updated_at) \
                 SELECT id, $3, user_id, $4, $5, $6, $7, $8 FROM bills \
                 WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL \
                 ON CONFLICT (bill_id, due_date) DO UPDATE SET \
                 actual_minor = excluded.actual_minor, note = excluded.note, \
                 skipped = excluded.skipped, snoozed_until = excluded.snoozed_until, \
                 updated_at = excluded.updated_at \
                 WHERE month_states.user_id = $2 \
                 RETURNING {COLUMNS}"
            )))
            .bind(bill.to_string())
            .bind(owner.to_string())
            .bind(date_text(due_date))
            .bind(fields.actual_minor)
            .bind(&fields.note)
            .bind(fields.skipped)
            .bind(opt_date_text(fields.snoozed_until))
            .bind(to_millis(now))
            .fetch_optional(pool)
            .await?
        });
        from_stored(row.ok_or(Error::NotFound)?)
    }

    /// The owner's overrides with a due date in `[from, to]` (inclusive), for the given bills
    /// or (`None`) all of them, by due date.
    pub async fn month_states(
        &self,
        owner: UserId,
        bills: Option<&[BillId]>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<MonthStateRow>> {
        let rows: Vec<Stored> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM month_states WHERE user_id = $1 \
                 AND due_date >= $2 AND due_date <= $3 ORDER BY due_date, bill_id"
            )))
            .bind(owner.to_string())
            .bind(date_text(from))
            .bind(date_text(to))
            .fetch_all(pool)
            .await?
        });
        // The bill filter runs here, not as SQL: a range of months holds few rows per user,
        // and a fixed statement needs no list of placeholders.
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let state = from_stored(row)?;
            if bills.is_none_or(|ids| ids.contains(&state.bill_id)) {
                out.push(state);
            }
        }
        Ok(out)
    }
}
