//! Bank transactions: written only by an applied import or a sync ([`crate::imports`]), read
//! here — a page of the owner's transactions filtered, searched, sorted and counted, and the
//! keys of an account's transactions in a date range for the de-duplication of a new file.
//!
//! As with expenses, the statement text is fixed except for the ORDER BY clause, picked from a
//! closed list; text search is literal (`%`, `_` and `\` escaped). The index on
//! `(user_id, posted_on, id)` serves the default order, so a page of 50 000 rows is one index
//! range scan plus a count.

use chrono::{DateTime, NaiveDate, Utc};

use domain::id::{
    BankAccountId, CategoryId, ExpenseId, ImportId, PaymentId, TransactionId, UserId,
};

use crate::columns::{
    contains_pattern, date_text, opt_date_text, parse_date, parse_id, parse_opt_id,
};
use crate::time::from_millis;
use crate::{Result, Store};

/// A stored transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionRow {
    pub id: TransactionId,
    pub account_id: BankAccountId,
    pub posted_on: NaiveDate,
    /// Signed: money out is negative.
    pub amount_minor: i64,
    pub currency: String,
    pub payee: String,
    pub memo: String,
    pub category_id: Option<CategoryId>,
    pub pending: bool,
    /// `file` or `sync`.
    pub source: String,
    pub source_id: Option<String>,
    pub import_id: Option<ImportId>,
    pub dedupe_key: String,
    /// `unmatched`, `matched` or `ignored`.
    pub state: String,
    pub payment_id: Option<PaymentId>,
    /// The live expense this transaction was recorded as, if any.
    pub expense_id: Option<ExpenseId>,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

/// A transaction to write (by an import or a sync).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTransaction {
    pub posted_on: NaiveDate,
    pub amount_minor: i64,
    pub payee: String,
    pub memo: String,
    pub category_id: Option<CategoryId>,
    pub pending: bool,
    pub source_id: Option<String>,
    pub dedupe_key: String,
    /// The row of the account this one may repeat (a synced row with a new bank id and the
    /// content of one already stored): kept and flagged, never dropped.
    pub duplicate_of: Option<TransactionId>,
}

#[derive(sqlx::FromRow)]
pub(crate) struct StoredTransaction {
    id: String,
    account_id: String,
    posted_on: String,
    amount_minor: i64,
    currency: String,
    payee: String,
    memo: String,
    category_id: Option<String>,
    pending: bool,
    source: String,
    source_id: Option<String>,
    import_id: Option<String>,
    dedupe_key: String,
    state: String,
    payment_id: Option<String>,
    created_at: i64,
    version: i64,
    expense_id: Option<String>,
}

/// The stored columns, without the expense link.
macro_rules! plain_columns {
    () => {
        "id, account_id, posted_on, amount_minor, currency, payee, memo, category_id, pending, \
         source, source_id, import_id, dedupe_key, state, payment_id, created_at, version"
    };
}

/// The expense link read as `expense_id`, `NULL` unless the expense is live (a link to a
/// deleted expense counts as none); `$p` prefixes the transactions table (`""` or `"t."`).
macro_rules! live_expense {
    ($p:literal) => {
        concat!(
            "CASE WHEN EXISTS (SELECT 1 FROM expenses e WHERE e.id = ",
            $p,
            "expense_id AND e.deleted_at IS NULL) THEN ",
            $p,
            "expense_id END AS expense_id"
        )
    };
}

/// A condition true when the transaction has no live expense (`$p` as in `live_expense`).
macro_rules! no_live_expense {
    ($p:literal) => {
        concat!(
            "NOT EXISTS (SELECT 1 FROM expenses e WHERE e.id = ",
            $p,
            "expense_id AND e.deleted_at IS NULL)"
        )
    };
}
pub(crate) use no_live_expense;

/// Removes for good the deleted expense transaction `$1` of user `$2` was recorded as (the
/// foreign key then clears the link). Run before the transaction is matched or recorded
/// again, so restoring that expense can never count the same money twice.
pub(crate) const PURGE_DEAD_EXPENSE: &str = "DELETE FROM expenses WHERE user_id = $2 \
     AND deleted_at IS NOT NULL \
     AND id = (SELECT expense_id FROM transactions WHERE id = $1 AND user_id = $2)";

pub(crate) const COLUMNS: &str = concat!(plain_columns!(), ", ", live_expense!(""));
/// [`COLUMNS`] of the transactions table aliased `t`, for joins.
pub(crate) const T_COLUMNS: &str = concat!(
    "t.id, t.account_id, t.posted_on, t.amount_minor, t.currency, t.payee, t.memo, \
     t.category_id, t.pending, t.source, t.source_id, t.import_id, t.dedupe_key, t.state, \
     t.payment_id, t.created_at, t.version, ",
    live_expense!("t.")
);

impl TransactionRow {
    /// Whether it can still be matched to a bill or recorded as an expense: unmatched, not
    /// ignored, and not recorded as a live expense already.
    pub fn is_open(&self) -> bool {
        self.state == "unmatched" && self.expense_id.is_none()
    }
}

pub(crate) fn from_stored(row: StoredTransaction) -> Result<TransactionRow> {
    Ok(TransactionRow {
        id: parse_id("transaction", &row.id)?,
        account_id: parse_id("bank account", &row.account_id)?,
        posted_on: parse_date(&row.posted_on)?,
        amount_minor: row.amount_minor,
        currency: row.currency,
        payee: row.payee,
        memo: row.memo,
        category_id: parse_opt_id("category", row.category_id.as_deref())?,
        pending: row.pending,
        source: row.source,
        source_id: row.source_id,
        import_id: parse_opt_id("import", row.import_id.as_deref())?,
        dedupe_key: row.dedupe_key,
        state: row.state,
        payment_id: parse_opt_id("payment", row.payment_id.as_deref())?,
        expense_id: parse_opt_id("expense", row.expense_id.as_deref())?,
        created_at: from_millis(row.created_at)?,
        version: row.version,
    })
}

/// Which transactions to list. Bounds are inclusive; `None` leaves one open.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TransactionFilter {
    pub account: Option<BankAccountId>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub min_minor: Option<i64>,
    pub max_minor: Option<i64>,
    /// `unmatched`, `matched` or `ignored`.
    pub state: Option<String>,
    /// Searched in payee and memo, case-insensitively and literally.
    pub text: Option<String>,
}

/// The column transactions are sorted by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TransactionSort {
    #[default]
    Posted,
    Amount,
    Payee,
}

/// One page of transactions and the number of all matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionPage {
    pub rows: Vec<TransactionRow>,
    pub total: i64,
}

/// What de-duplication needs of a stored transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionKey {
    pub id: TransactionId,
    pub posted_on: NaiveDate,
    pub amount_minor: i64,
    pub payee: String,
    pub source_id: Option<String>,
    pub dedupe_key: String,
}

const FILTER: &str = "user_id = $1 AND ($2 IS NULL OR account_id = $2) \
     AND ($3 IS NULL OR posted_on >= $3) AND ($4 IS NULL OR posted_on <= $4) \
     AND ($5 IS NULL OR amount_minor >= $5) AND ($6 IS NULL OR amount_minor <= $6) \
     AND ($7 IS NULL OR state = $7) \
     AND ($8 IS NULL OR LOWER(payee) LIKE LOWER($8) ESCAPE '\\' \
          OR LOWER(memo) LIKE LOWER($8) ESCAPE '\\')";

fn order_by(sort: TransactionSort, descending: bool) -> &'static str {
    use TransactionSort::{Amount, Payee, Posted};
    match (sort, descending) {
        (Posted, false) => "posted_on ASC, id ASC",
        (Posted, true) => "posted_on DESC, id DESC",
        (Amount, false) => "amount_minor ASC, posted_on DESC, id ASC",
        (Amount, true) => "amount_minor DESC, posted_on DESC, id DESC",
        (Payee, false) => "LOWER(payee) ASC, posted_on DESC, id ASC",
        (Payee, true) => "LOWER(payee) DESC, posted_on DESC, id DESC",
    }
}

struct FilterValues {
    account: Option<String>,
    from: Option<String>,
    to: Option<String>,
    min_minor: Option<i64>,
    max_minor: Option<i64>,
    state: Option<String>,
    pattern: Option<String>,
}

impl FilterValues {
    fn new(filter: &TransactionFilter) -> Self {
        let text = filter
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty());
        Self {
            account: filter.account.map(|a| a.to_string()),
            from: opt_date_text(filter.from),
            to: opt_date_text(filter.to),
            min_minor: filter.min_minor,
            max_minor: filter.max_minor,
            state: filter.state.clone(),
            pattern: text.map(contains_pattern),
        }
    }
}

macro_rules! bind_filter {
    ($query:expr, $owner:expr, $values:expr) => {
        $query
            .bind($owner)
            .bind(&$values.account)
            .bind(&$values.from)
            .bind(&$values.to)
            .bind($values.min_minor)
            .bind($values.max_minor)
            .bind(&$values.state)
            .bind(&$values.pattern)
    };
}

impl Store {
    /// A page of the owner's transactions matching `filter`, with the number of all matches.
    /// `limit` is kept within 1..=500.
    pub async fn transactions(
        &self,
        owner: UserId,
        filter: &TransactionFilter,
        sort: TransactionSort,
        descending: bool,
        limit: i64,
        offset: i64,
    ) -> Result<TransactionPage> {
        let values = FilterValues::new(filter);
        let user = owner.to_string();
        let list_sql = format!(
            "SELECT {COLUMNS} FROM transactions WHERE {FILTER} ORDER BY {} LIMIT $9 OFFSET $10",
            order_by(sort, descending)
        );
        let (rows, total): (Vec<StoredTransaction>, i64) = on_pool!(self, |pool| {
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
                    "SELECT COUNT(*) FROM transactions WHERE {FILTER}"
                ))),
                &user,
                values
            )
            .fetch_one(pool)
            .await?;
            (rows, total)
        });
        Ok(TransactionPage {
            rows: rows.into_iter().map(from_stored).collect::<Result<_>>()?,
            total,
        })
    }

    /// One of the owner's transactions.
    pub async fn transaction(&self, owner: UserId, id: TransactionId) -> Result<TransactionRow> {
        let row: StoredTransaction = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM transactions WHERE id = $1 AND user_id = $2"
            )))
            .bind(id.to_string())
            .bind(owner.to_string())
            .fetch_one(pool)
            .await?
        });
        from_stored(row)
    }

    /// The de-duplication keys of the owner's transactions in `account` posted in
    /// `[from, to]`, and of every one of them with a source id in that account (a bank id
    /// recognises a transaction whatever its date).
    pub async fn transaction_keys(
        &self,
        owner: UserId,
        account: BankAccountId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<TransactionKey>> {
        let rows: Vec<(String, String, i64, String, Option<String>, String)> =
            on_pool!(self, |pool| {
                sqlx::query_as(
                    "SELECT id, posted_on, amount_minor, payee, source_id, dedupe_key \
                 FROM transactions WHERE user_id = $1 AND account_id = $2 \
                 AND ((posted_on >= $3 AND posted_on <= $4) OR source_id IS NOT NULL) \
                 ORDER BY posted_on, id",
                )
                .bind(owner.to_string())
                .bind(account.to_string())
                .bind(date_text(from))
                .bind(date_text(to))
                .fetch_all(pool)
                .await?
            });
        rows.into_iter()
            .map(|(id, posted, amount_minor, payee, source_id, dedupe_key)| {
                Ok(TransactionKey {
                    id: parse_id("transaction", &id)?,
                    posted_on: parse_date(&posted)?,
                    amount_minor,
                    payee,
                    source_id,
                    dedupe_key,
                })
            })
            .collect()
    }
}
