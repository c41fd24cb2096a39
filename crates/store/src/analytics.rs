//! Analytics reads: what the owner spent over a date range (one year on the page), summed by
//! the database per day and per category, each split by source (bill payments or one-off
//! expenses) and currency.
//!
//! Rules:
//! - Only live rows count: deleted payments and expenses are left out, and so are payments of
//!   deleted bills (the tracker no longer shows those bills either). A payment's currency and
//!   category are its bill's.
//! - Payments are dated by `paid_on` (when the money left), expenses by `spent_on`.
//! - The database does the grouping, so at most one row per day, source and currency comes
//!   back (≤ 2 × 366 × currencies), never the history's rows. Payments are read from the
//!   `payments(user_id, paid_on)` index and joined to their bill by primary key: `CROSS JOIN`
//!   keeps SQLite from starting at `bills` and walking each bill's whole payment history.
//!   Expenses use `expenses(user_id, spent_on)`.
//! - Sums never overflow: a sum beyond `i64` would be an SQL error on both engines (SQLite:
//!   "integer overflow"; PostgreSQL: the `BIGINT` cast), so each amount is summed as two parts,
//!   `amount / 10^9` and `amount % 10^9` (both engines truncate toward zero, so the parts add
//!   back to the amount exactly), and the parts are recombined in `i128`. A part's sum can
//!   only overflow after about a billion rows.

use chrono::NaiveDate;

use domain::id::{CategoryId, UserId};

use crate::columns::{date_text, parse_date, parse_opt_id};
use crate::{Error, Result, Store};

/// Where spending comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SpendSource {
    /// Payments recorded against bills.
    Bills,
    /// One-off expenses.
    Expenses,
}

impl SpendSource {
    fn parse(text: &str) -> Result<Self> {
        match text {
            "bills" => Ok(SpendSource::Bills),
            "expenses" => Ok(SpendSource::Expenses),
            other => Err(Error::Corrupt(format!("spending source {other}"))),
        }
    }
}

/// What was spent on one day from one source in one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DaySpend {
    pub source: SpendSource,
    pub day: NaiveDate,
    /// ISO 4217 code as stored.
    pub currency: String,
    /// The exact sum, which may exceed `i64`.
    pub total_minor: i128,
}

/// What was spent in one category (`None`: uncategorised) from one source in one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategorySpend {
    pub source: SpendSource,
    pub category_id: Option<CategoryId>,
    /// ISO 4217 code as stored.
    pub currency: String,
    /// The exact sum, which may exceed `i64`.
    pub total_minor: i128,
}

/// The divisor splitting an amount into two parts whose sums cannot overflow.
const SPLIT: i128 = 1_000_000_000;

/// Live payments (with their bill's currency and category) and live expenses of owner `$1`
/// dated in `[$2, $3]`, as `(source, key, currency, high part, low part)` grouped by `{key}`.
/// `{payment_key}` / `{expense_key}` are column expressions chosen by the callers below,
/// never input.
fn grouped_sql(payment_key: &str, expense_key: &str) -> String {
    format!(
        "SELECT 'bills' AS source, {payment_key} AS grouping_key, b.currency AS currency, \
         CAST(SUM(p.amount_minor / 1000000000) AS BIGINT) AS high, \
         CAST(SUM(p.amount_minor % 1000000000) AS BIGINT) AS low \
         FROM payments p CROSS JOIN bills b \
         WHERE b.id = p.bill_id AND p.user_id = $1 AND b.user_id = $1 \
         AND p.deleted_at IS NULL AND b.deleted_at IS NULL \
         AND p.paid_on >= $2 AND p.paid_on <= $3 \
         GROUP BY {payment_key}, b.currency \
         UNION ALL \
         SELECT 'expenses' AS source, {expense_key} AS grouping_key, e.currency AS currency, \
         CAST(SUM(e.amount_minor / 1000000000) AS BIGINT) AS high, \
         CAST(SUM(e.amount_minor % 1000000000) AS BIGINT) AS low \
         FROM expenses e \
         WHERE e.user_id = $1 AND e.deleted_at IS NULL \
         AND e.spent_on >= $2 AND e.spent_on <= $3 \
         GROUP BY {expense_key}, e.currency"
    )
}

type GroupedRow = (String, Option<String>, String, i64, i64);

fn exact(high: i64, low: i64) -> i128 {
    i128::from(high) * SPLIT + i128::from(low)
}

impl Store {
    async fn grouped_spending(
        &self,
        sql: String,
        owner: UserId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<GroupedRow>> {
        Ok(on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(owner.to_string())
                .bind(date_text(from))
                .bind(date_text(to))
                .fetch_all(pool)
                .await?
        }))
    }

    /// The owner's live spending dated in `[from, to]`, per day, source and currency, sorted
    /// by day, source, currency. Days without spending are absent.
    pub async fn spending_by_day(
        &self,
        owner: UserId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DaySpend>> {
        let sql = grouped_sql("p.paid_on", "e.spent_on");
        let rows = self.grouped_spending(sql, owner, from, to).await?;
        let mut out = rows
            .into_iter()
            .map(|(source, day, currency, high, low)| {
                let day = day.ok_or_else(|| Error::Corrupt("spending day".into()))?;
                Ok(DaySpend {
                    source: SpendSource::parse(&source)?,
                    day: parse_date(&day)?,
                    currency,
                    total_minor: exact(high, low),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        out.sort_by(|a, b| (a.day, a.source, &a.currency).cmp(&(b.day, b.source, &b.currency)));
        Ok(out)
    }

    /// The owner's live spending dated in `[from, to]`, per category (a payment's is its
    /// bill's), source and currency, sorted by category, source, currency.
    pub async fn spending_by_category(
        &self,
        owner: UserId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<CategorySpend>> {
        let sql = grouped_sql("b.category_id", "e.category_id");
        let rows = self.grouped_spending(sql, owner, from, to).await?;
        let mut out = rows
            .into_iter()
            .map(|(source, category, currency, high, low)| {
                Ok(CategorySpend {
                    source: SpendSource::parse(&source)?,
                    category_id: parse_opt_id("category", category.as_deref())?,
                    currency,
                    total_minor: exact(high, low),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        out.sort_by(|a, b| {
            (a.category_id, a.source, &a.currency).cmp(&(b.category_id, b.source, &b.currency))
        });
        Ok(out)
    }
}
