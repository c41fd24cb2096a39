//! Writing many transactions in few statements, each engine its own fastest way.
//!
//! Binding ten parameters per row is what made large imports slow: sqlx's binding cost grows
//! with the statement, so 100 000 rows took 1.7 s on SQLite at 25 rows a statement and 2.3 s
//! on PostgreSQL at 500. Here a whole chunk of rows is one parameter per column instead:
//! SQLite reads a JSON array of rows with `json_each`, PostgreSQL unnests one array per column.
//! The database does the per-row work in C. Measured with `examples/apply_bench.rs`.

use std::future::Future;

use chrono::{DateTime, Utc};

use domain::id::{BankAccountId, ImportId, TransactionId, UserId};

use crate::columns::date_text;
use crate::time::to_millis;
use crate::transactions::NewTransaction;

/// Rows per statement: bounds the size of one bound parameter (a few MB of JSON), not speed.
const ROWS_PER_STATEMENT: usize = 10_000;

/// Rows to write into one account, with what they share.
pub(crate) struct Batch<'a> {
    pub owner: UserId,
    pub account: BankAccountId,
    pub currency: &'a str,
    /// `file` or `sync`.
    pub source: &'a str,
    pub import: Option<ImportId>,
    pub now: DateTime<Utc>,
    pub rows: &'a [NewTransaction],
    /// One per row, in `rows` order.
    pub ids: &'a [TransactionId],
}

const COLUMNS: &str = "INSERT INTO transactions (id, user_id, account_id, posted_on, \
     amount_minor, currency, payee, memo, category_id, pending, source, source_id, import_id, \
     dedupe_key, duplicate_of, created_at, updated_at) ";

/// A connection that can write a [`Batch`].
pub(crate) trait InsertRows {
    fn insert_rows(&mut self, batch: &Batch<'_>) -> impl Future<Output = sqlx::Result<()>> + Send;
}

impl InsertRows for sqlx::SqliteConnection {
    async fn insert_rows(&mut self, batch: &Batch<'_>) -> sqlx::Result<()> {
        let sql = format!(
            "{COLUMNS}SELECT value ->> 0, $1, $2, value ->> 1, value ->> 2, $3, value ->> 3, \
             value ->> 4, value ->> 5, value ->> 6, $4, value ->> 7, $5, value ->> 8, \
             value ->> 9, $6, $6 FROM json_each($7)"
        );
        for (rows, ids) in batch
            .rows
            .chunks(ROWS_PER_STATEMENT)
            .zip(batch.ids.chunks(ROWS_PER_STATEMENT))
        {
            let json = json_rows(rows, ids);
            shared(sqlx::query(sqlx::AssertSqlSafe(sql.as_str())), batch)
                .bind(json)
                .execute(&mut *self)
                .await?;
        }
        Ok(())
    }
}

impl InsertRows for sqlx::PgConnection {
    async fn insert_rows(&mut self, batch: &Batch<'_>) -> sqlx::Result<()> {
        let sql = format!(
            "{COLUMNS}SELECT r.id, $1, $2, r.posted_on, r.amount_minor, $3, r.payee, r.memo, \
             r.category_id, r.pending, $4, r.source_id, $5, r.dedupe_key, r.duplicate_of, $6, $6 \
             FROM UNNEST($7::text[], $8::text[], $9::int8[], $10::text[], $11::text[], \
             $12::text[], $13::bool[], $14::text[], $15::text[], $16::text[]) \
             AS r(id, posted_on, amount_minor, payee, memo, category_id, pending, source_id, \
             dedupe_key, duplicate_of)"
        );
        for (rows, ids) in batch
            .rows
            .chunks(ROWS_PER_STATEMENT)
            .zip(batch.ids.chunks(ROWS_PER_STATEMENT))
        {
            let column = |f: &dyn Fn(&NewTransaction) -> String| -> Vec<String> {
                rows.iter().map(f).collect()
            };
            shared(sqlx::query(sqlx::AssertSqlSafe(sql.as_str())), batch)
                .bind(ids.iter().map(ToString::to_string).collect::<Vec<_>>())
                .bind(column(&|r| date_text(r.posted_on)))
                .bind(rows.iter().map(|r| r.amount_minor).collect::<Vec<_>>())
                .bind(column(&|r| r.payee.clone()))
                .bind(column(&|r| r.memo.clone()))
                .bind(
                    rows.iter()
                        .map(|r| r.category_id.map(|c| c.to_string()))
                        .collect::<Vec<_>>(),
                )
                .bind(rows.iter().map(|r| r.pending).collect::<Vec<_>>())
                .bind(rows.iter().map(|r| r.source_id.clone()).collect::<Vec<_>>())
                .bind(column(&|r| r.dedupe_key.clone()))
                .bind(
                    rows.iter()
                        .map(|r| r.duplicate_of.map(|d| d.to_string()))
                        .collect::<Vec<_>>(),
                )
                .execute(&mut *self)
                .await?;
        }
        Ok(())
    }
}

/// Binds `$1`…`$6`: what every row of the batch shares.
fn shared<'q, DB>(
    query: sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>,
    batch: &Batch<'_>,
) -> sqlx::query::Query<'q, DB, <DB as sqlx::Database>::Arguments>
where
    DB: sqlx::Database,
    String: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<String>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    query
        .bind(batch.owner.to_string())
        .bind(batch.account.to_string())
        .bind(batch.currency.to_owned())
        .bind(batch.source.to_owned())
        .bind(batch.import.map(|i| i.to_string()))
        .bind(to_millis(batch.now))
}

/// The rows as one JSON array of arrays, in the column order the SQLite statement reads.
fn json_rows(rows: &[NewTransaction], ids: &[TransactionId]) -> String {
    type Row<'r> = (
        String,
        String,
        i64,
        &'r str,
        &'r str,
        Option<String>,
        bool,
        Option<&'r str>,
        &'r str,
        Option<String>,
    );
    let values: Vec<Row<'_>> = rows
        .iter()
        .zip(ids)
        .map(|(row, id)| {
            (
                id.to_string(),
                date_text(row.posted_on),
                row.amount_minor,
                row.payee.as_str(),
                row.memo.as_str(),
                row.category_id.map(|c| c.to_string()),
                row.pending,
                row.source_id.as_deref(),
                row.dedupe_key.as_str(),
                row.duplicate_of.map(|d| d.to_string()),
            )
        })
        .collect();
    // Serialising strings, integers and booleans cannot fail.
    serde_json::to_string(&values).unwrap_or_default()
}
