//! Spending per category *and currency*, summed without overflow, for budgets.
//!
//! [`Store::spent_by_category`] adds amounts of every currency together and lets the database
//! add them up, where a sum beyond `i64` is an SQL error (SQLite: "integer overflow";
//! PostgreSQL: the `BIGINT` cast fails) rather than an answer. Budgets need neither: a USD
//! budget counts only USD expenses, and two huge expenses must give "too large", not a 500.
//! So this reads the period's live amounts and adds them in `i128`, which cannot overflow for
//! any realistic number of rows (2^64 rows of `i64::MAX` each).

use std::collections::BTreeMap;

use chrono::NaiveDate;

use domain::id::{CategoryId, UserId};

use crate::columns::{date_text, parse_opt_id};
use crate::{Result, Store};

/// Live spending in one category (`None`: uncategorised) and one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryCurrencySpend {
    pub category_id: Option<CategoryId>,
    /// ISO 4217 code as stored.
    pub currency: String,
    /// The exact sum, which may exceed `i64`.
    pub total_minor: i128,
}

impl Store {
    /// The owner's live spending in `[start, end]`, per category and currency, sorted by
    /// category then currency: expenses by `spent_on`, bill payments by `paid_on` under their
    /// bill's category and currency (paying the rent is spending on housing), and bank
    /// transactions with a category by `posted_on` (money out counts, money in — a refund —
    /// takes back). The same money counts once: a transaction matched to a bill counts as the
    /// payment it backs, one recorded as an expense as that expense, never itself, and an
    /// ignored one (a transfer) not at all.
    pub async fn spending_by_category_and_currency(
        &self,
        owner: UserId,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Vec<CategoryCurrencySpend>> {
        let rows: Vec<(Option<String>, String, i64, i32)> = on_pool!(self, |pool| {
            sqlx::query_as(concat!(
                "SELECT category_id, currency, amount_minor, 1 AS sign FROM expenses \
                 WHERE user_id = $1 AND deleted_at IS NULL AND spent_on >= $2 \
                 AND spent_on <= $3 \
                 UNION ALL \
                 SELECT b.category_id, b.currency, p.amount_minor, 1 AS sign FROM payments p \
                 JOIN bills b ON b.id = p.bill_id AND b.user_id = p.user_id \
                 WHERE p.user_id = $1 AND p.deleted_at IS NULL AND p.paid_on >= $2 \
                 AND p.paid_on <= $3 \
                 UNION ALL \
                 SELECT category_id, currency, amount_minor, -1 AS sign FROM transactions \
                 WHERE user_id = $1 AND category_id IS NOT NULL AND state = 'unmatched' \
                 AND posted_on >= $2 AND posted_on <= $3 AND ",
                crate::transactions::no_live_expense!("transactions.")
            ))
            .bind(owner.to_string())
            .bind(date_text(start))
            .bind(date_text(end))
            .fetch_all(pool)
            .await?
        });
        let mut sums: BTreeMap<(Option<CategoryId>, String), i128> = BTreeMap::new();
        for (category, currency, amount, sign) in rows {
            let category = parse_opt_id("category", category.as_deref())?;
            *sums.entry((category, currency)).or_default() += i128::from(sign) * i128::from(amount);
        }
        Ok(sums
            .into_iter()
            .map(
                |((category_id, currency), total_minor)| CategoryCurrencySpend {
                    category_id,
                    currency,
                    total_minor,
                },
            )
            .collect())
    }
}
