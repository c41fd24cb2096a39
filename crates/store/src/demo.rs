//! Demo and benchmark data: one user's generated data set written in a single transaction
//! (tens of thousands of rows in seconds, not one commit per row), and removed again.
//! Every generated row is marked `is_demo` (categories, bills, payments, expenses), and only
//! marked rows are ever cleared: what the person entered stays, however it is named or noted
//! (their own bill noted "Demo data" is theirs). The note [`DEMO_MARK`] and the category prefix
//! are only labels for people.

use chrono::{DateTime, NaiveDate, Utc};
use domain::id::{BillId, CategoryId, UserId};

use crate::time::to_millis;
use crate::{Result, Store};

/// The note generated bills, payments and expenses carry (a label, not how they are found).
pub const DEMO_MARK: &str = "Demo data";
/// Generated categories' names start with this (a label, not how they are found).
pub const DEMO_CATEGORY_PREFIX: &str = "Demo · ";

#[derive(Debug, Clone)]
pub struct DemoCategory {
    pub id: CategoryId,
    pub name: String,
    pub color: String,
    pub icon: String,
    pub is_spending: bool,
}

#[derive(Debug, Clone)]
pub struct DemoBill {
    pub id: BillId,
    pub category_id: Option<CategoryId>,
    pub name: String,
    pub amount_kind: &'static str,
    pub expected_minor: i64,
    pub min_minor: Option<i64>,
    pub max_minor: Option<i64>,
    pub currency: String,
    pub cycle: &'static str,
    pub anchor_date: NaiveDate,
    pub due_day: Option<i64>,
    pub autopay: &'static str,
    pub is_subscription: bool,
    pub debt_balance_minor: Option<i64>,
    pub debt_apr_bp: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct DemoPayment {
    pub bill_id: BillId,
    pub amount_minor: i64,
    pub paid_on: NaiveDate,
    pub cycle_due: NaiveDate,
    pub method: &'static str,
}

#[derive(Debug, Clone)]
pub struct DemoExpense {
    pub category_id: Option<CategoryId>,
    pub amount_minor: i64,
    pub currency: String,
    pub spent_on: NaiveDate,
    pub payee: String,
    pub method: &'static str,
}

/// A generated data set for one user.
#[derive(Debug, Clone, Default)]
pub struct DemoData {
    pub categories: Vec<DemoCategory>,
    pub bills: Vec<DemoBill>,
    pub payments: Vec<DemoPayment>,
    pub expenses: Vec<DemoExpense>,
}

impl Store {
    /// Writes `data` for `owner` in one transaction.
    pub async fn insert_demo(
        &self,
        owner: UserId,
        data: &DemoData,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let user = owner.to_string();
        let at = to_millis(now);
        on_pool!(self, |pool| {
            let mut tx = crate::db::BeginWrite::begin_write(pool).await?;
            for c in &data.categories {
                sqlx::query(
                    "INSERT INTO categories (id, user_id, name, color, icon, is_spending, created_at, \
                     updated_at, is_demo) VALUES ($1, $2, $3, $4, $5, $6, $7, $7, TRUE)",
                )
                .bind(c.id.to_string())
                .bind(&user)
                .bind(&c.name)
                .bind(&c.color)
                .bind(&c.icon)
                .bind(c.is_spending)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            }
            for b in &data.bills {
                let id = b.id.to_string();
                sqlx::query(
                    "INSERT INTO bills (id, user_id, category_id, name, notes, amount_kind, \
                     expected_minor, min_minor, max_minor, currency, cycle, anchor_date, due_day, \
                     autopay, is_subscription, debt_balance_minor, debt_apr_bp, created_at, updated_at, is_demo) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $18, TRUE)",
                )
                .bind(&id)
                .bind(&user)
                .bind(b.category_id.map(|c| c.to_string()))
                .bind(&b.name)
                .bind(DEMO_MARK)
                .bind(b.amount_kind)
                .bind(b.expected_minor)
                .bind(b.min_minor)
                .bind(b.max_minor)
                .bind(&b.currency)
                .bind(b.cycle)
                .bind(b.anchor_date.to_string())
                .bind(b.due_day)
                .bind(b.autopay)
                .bind(b.is_subscription)
                .bind(b.debt_balance_minor)
                .bind(b.debt_apr_bp)
                .bind(at)
                .execute(&mut *tx)
                .await?;
                sqlx::query("INSERT INTO bill_active_ranges (id, bill_id, start_date, end_date) VALUES ($1, $2, $3, NULL)")
                    .bind(uuid::Uuid::now_v7().to_string())
                    .bind(&id)
                    .bind(b.anchor_date.to_string())
                    .execute(&mut *tx)
                    .await?;
            }
            for p in &data.payments {
                sqlx::query(
                    "INSERT INTO payments (id, user_id, bill_id, amount_minor, paid_on, cycle_due, \
                     method, note, source, created_at, updated_at, is_demo) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'manual', $9, $9, TRUE)",
                )
                .bind(uuid::Uuid::now_v7().to_string())
                .bind(&user)
                .bind(p.bill_id.to_string())
                .bind(p.amount_minor)
                .bind(p.paid_on.to_string())
                .bind(p.cycle_due.to_string())
                .bind(p.method)
                .bind(DEMO_MARK)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            }
            for e in &data.expenses {
                sqlx::query(
                    "INSERT INTO expenses (id, user_id, category_id, amount_minor, currency, spent_on, \
                     payee, note, method, created_at, updated_at, is_demo) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, TRUE)",
                )
                .bind(uuid::Uuid::now_v7().to_string())
                .bind(&user)
                .bind(e.category_id.map(|c| c.to_string()))
                .bind(e.amount_minor)
                .bind(&e.currency)
                .bind(e.spent_on.to_string())
                .bind(&e.payee)
                .bind(DEMO_MARK)
                .bind(e.method)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Whether `owner` has generated bills or categories (every demo load makes both), and
    /// whether they have any bill at all: two `EXISTS`, cheap on every tracker page.
    pub async fn demo_state(&self, owner: UserId) -> Result<(bool, bool)> {
        let row: (bool, bool) = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT EXISTS (SELECT 1 FROM bills WHERE user_id = $1 AND is_demo) \
                   OR EXISTS (SELECT 1 FROM categories WHERE user_id = $1 AND is_demo), \
                 EXISTS (SELECT 1 FROM bills WHERE user_id = $1)",
            )
            .bind(owner.to_string())
            .fetch_one(pool)
            .await?
        });
        Ok(row)
    }

    /// Whether `owner` already has generated data.
    pub async fn has_demo(&self, owner: UserId) -> Result<bool> {
        let n: i64 = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT (SELECT COUNT(*) FROM bills WHERE user_id = $1 AND is_demo) \
                 + (SELECT COUNT(*) FROM categories WHERE user_id = $1 AND is_demo) \
                 + (SELECT COUNT(*) FROM expenses WHERE user_id = $1 AND is_demo)",
            )
            .bind(owner.to_string())
            .fetch_one(pool)
            .await?
        });
        Ok(n > 0)
    }

    /// Deletes `owner`'s generated rows in one transaction: marked payments, bills (with
    /// whatever else hangs on a generated bill), expenses and categories (the person's own
    /// bills and expenses filed under a generated category keep going, uncategorised).
    /// Returns how many bills and expenses went.
    pub async fn clear_demo(&self, owner: UserId) -> Result<(u64, u64)> {
        let user = owner.to_string();
        let counts = on_pool!(self, |pool| {
            let mut tx = crate::db::BeginWrite::begin_write(pool).await?;
            let mut deleted = [0; 4];
            for (i, table) in ["payments", "bills", "expenses", "categories"]
                .iter()
                .enumerate()
            {
                deleted[i] = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DELETE FROM {table} WHERE user_id = $1 AND is_demo"
                )))
                .bind(&user)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            }
            tx.commit().await?;
            (deleted[1], deleted[2])
        });
        Ok(counts)
    }
}
