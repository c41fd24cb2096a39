//! Finding expenses: filter, search, sort and paginate, and sums per category for budgets.
//!
//! The statement text is fixed except for the ORDER BY clause, which is picked from a closed
//! list by [`ExpenseSort`] and [`SortDirection`] — never built from user text. Text search
//! matches payee or note case-insensitively and literally: `%`, `_` and `\` in the search are
//! escaped, so "50%" finds "50% off" and not "500 off".

use chrono::NaiveDate;

use domain::id::{CategoryId, UserId};

use crate::columns::{contains_pattern, date_text, opt_date_text, parse_opt_id};
use crate::expenses::{EXPENSE_COLUMNS, ExpenseRow, StoredExpense, expense_from_stored};
use crate::{Result, Store};

/// Which expenses to list. Every bound is inclusive; `None` leaves a bound open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExpenseFilter {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub category: Option<CategoryId>,
    pub min_minor: Option<i64>,
    pub max_minor: Option<i64>,
    /// Searched in payee and note, case-insensitively; blank means no search.
    pub text: Option<String>,
    pub include_deleted: bool,
}

/// The column expenses are sorted by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ExpenseSort {
    #[default]
    Date,
    Amount,
    Payee,
}

/// Sort direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SortDirection {
    Asc,
    #[default]
    Desc,
}

/// One page of expenses and how many match the filter in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpensePage {
    pub rows: Vec<ExpenseRow>,
    pub total: i64,
}

/// Spending in one category (`None`: uncategorised).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CategorySpend {
    pub category_id: Option<CategoryId>,
    pub total_minor: i64,
}

/// The filter as SQL; `$1` is the owner, `$2`…`$8` the filter values bound by [`bind_filter`].
const FILTER: &str = "user_id = $1 AND ($2 IS NULL OR spent_on >= $2) \
     AND ($3 IS NULL OR spent_on <= $3) AND ($4 IS NULL OR category_id = $4) \
     AND ($5 IS NULL OR amount_minor >= $5) AND ($6 IS NULL OR amount_minor <= $6) \
     AND ($7 IS NULL OR LOWER(payee) LIKE LOWER($7) ESCAPE '\\' \
          OR LOWER(note) LIKE LOWER($7) ESCAPE '\\') \
     AND ($8 OR deleted_at IS NULL)";

/// The ORDER BY clause for a sort: only these fixed texts ever reach the statement. Ties break
/// on the id, so pages never repeat or skip a row.
fn order_by(sort: ExpenseSort, direction: SortDirection) -> &'static str {
    use ExpenseSort::{Amount, Date, Payee};
    use SortDirection::{Asc, Desc};
    match (sort, direction) {
        (Date, Asc) => "spent_on ASC, created_at ASC, id ASC",
        (Date, Desc) => "spent_on DESC, created_at DESC, id DESC",
        (Amount, Asc) => "amount_minor ASC, spent_on DESC, id ASC",
        (Amount, Desc) => "amount_minor DESC, spent_on DESC, id DESC",
        (Payee, Asc) => "LOWER(payee) ASC, spent_on DESC, id ASC",
        (Payee, Desc) => "LOWER(payee) DESC, spent_on DESC, id DESC",
    }
}

/// The filter's bind values, in `$2`…`$8` order.
struct FilterValues {
    from: Option<String>,
    to: Option<String>,
    category: Option<String>,
    min_minor: Option<i64>,
    max_minor: Option<i64>,
    pattern: Option<String>,
    include_deleted: bool,
}

impl FilterValues {
    fn new(filter: &ExpenseFilter) -> Self {
        let text = filter
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        Self {
            from: opt_date_text(filter.from),
            to: opt_date_text(filter.to),
            category: filter.category.map(|c| c.to_string()),
            min_minor: filter.min_minor,
            max_minor: filter.max_minor,
            pattern: text.map(contains_pattern),
            include_deleted: filter.include_deleted,
        }
    }
}

/// Binds the owner and the filter values (`$1`…`$8`) to a query, the same way for every use.
macro_rules! bind_filter {
    ($query:expr, $owner:expr, $values:expr) => {
        $query
            .bind($owner)
            .bind(&$values.from)
            .bind(&$values.to)
            .bind(&$values.category)
            .bind($values.min_minor)
            .bind($values.max_minor)
            .bind(&$values.pattern)
            .bind($values.include_deleted)
    };
}

impl Store {
    /// A page of the owner's expenses matching `filter`, in the chosen order, with the number
    /// of all matches. `limit` is kept within 1..=500.
    pub async fn expenses(
        &self,
        owner: UserId,
        filter: &ExpenseFilter,
        sort: ExpenseSort,
        direction: SortDirection,
        limit: i64,
        offset: i64,
    ) -> Result<ExpensePage> {
        let values = FilterValues::new(filter);
        let user = owner.to_string();
        let list_sql = format!(
            "SELECT {EXPENSE_COLUMNS} FROM expenses WHERE {FILTER} ORDER BY {} \
             LIMIT $9 OFFSET $10",
            order_by(sort, direction)
        );
        let (rows, total): (Vec<StoredExpense>, i64) = on_pool!(self, |pool| {
            let rows = bind_filter!(
                sqlx::query_as(sqlx::AssertSqlSafe(list_sql.clone())),
                &user,
                values
            )
            .bind(limit.clamp(1, 500))
            .bind(offset.max(0))
            .fetch_all(pool)
            .await?;
            let total = bind_filter!(
                sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                    "SELECT COUNT(*) FROM expenses WHERE {FILTER}"
                ))),
                &user,
                values
            )
            .fetch_one(pool)
            .await?;
            (rows, total)
        });
        Ok(ExpensePage {
            rows: rows
                .into_iter()
                .map(expense_from_stored)
                .collect::<Result<_>>()?,
            total,
        })
    }

    /// The owner's live spending per category with `spent_on` in `[start, end]`.
    pub async fn spent_by_category(
        &self,
        owner: UserId,
        start: NaiveDate,
        end: NaiveDate,
    ) -> Result<Vec<CategorySpend>> {
        // PostgreSQL sums BIGINT as NUMERIC; the cast keeps one decoded type on both engines.
        let rows: Vec<(Option<String>, i64)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT category_id, CAST(SUM(amount_minor) AS BIGINT) FROM expenses \
                 WHERE user_id = $1 AND deleted_at IS NULL AND spent_on >= $2 \
                 AND spent_on <= $3 GROUP BY category_id",
            )
            .bind(owner.to_string())
            .bind(date_text(start))
            .bind(date_text(end))
            .fetch_all(pool)
            .await?
        });
        let mut spends = rows
            .into_iter()
            .map(|(category, total)| {
                Ok(CategorySpend {
                    category_id: parse_opt_id("category", category.as_deref())?,
                    total_minor: total,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        // Sorted here: the engines disagree on where NULL sorts.
        spends.sort_by_key(|spend| spend.category_id);
        Ok(spends)
    }
}
