//! Test support shared by every crate's tests: a fresh, migrated database per test, on each
//! engine, and a macro that runs one test body on both; [`html`] reads rendered pages;
//! [`store_fixtures`] builds the rows store tests need (users, categories, bills, payments);
//! [`simplefin_bridge`] is a local SimpleFIN Bridge with fault modes.
//!
//! PostgreSQL comes from `TEST_DATABASE_URL` (an admin URL of a throwaway cluster, set by
//! `scripts/test`); each test gets its own `CREATE DATABASE`. Without it the PostgreSQL half of
//! every test fails with a message saying how to run it, unless `BT_SKIP_POSTGRES=1` is set, in
//! which case it says "skipped" loudly. Nothing skips silently.
#![allow(clippy::expect_used, clippy::panic)]

pub mod html;
pub mod simplefin_bridge;
pub mod store_fixtures;

use std::path::PathBuf;
use std::time::Duration;

use store::{Store, StoreOptions, Synchronous};

pub use tempfile::TempDir;

/// Which engine a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestEngine {
    Sqlite,
    Postgres,
}

/// A place for one test's database: the data directory, and the URL for PostgreSQL.
pub struct TestDatabase {
    pub dir: TempDir,
    pub database_url: Option<String>,
}

impl TestDatabase {
    /// `None` when PostgreSQL was asked for but explicitly skipped.
    pub async fn new(engine: TestEngine) -> Option<Self> {
        let dir = tempfile::tempdir().expect("temp dir");
        let database_url = match engine {
            TestEngine::Sqlite => None,
            TestEngine::Postgres => Some(fresh_postgres_database().await?),
        };
        Some(Self { dir, database_url })
    }

    pub fn options(&self) -> StoreOptions {
        StoreOptions {
            database_url: self.database_url.clone(),
            sqlite_path: self.sqlite_path(),
            synchronous: Synchronous::Full,
            max_connections: 5,
            busy_timeout: Duration::from_secs(5),
        }
    }

    pub fn sqlite_path(&self) -> PathBuf {
        self.dir.path().join("billtracker.db")
    }

    /// A connected and migrated store.
    pub async fn store(&self) -> Store {
        let store = Store::connect(&self.options()).await.expect("connect");
        store.migrate().await.expect("migrate");
        store
    }
}

impl TestDatabase {
    /// Everything the database holds, as text, for "is this plaintext anywhere?" checks: the
    /// SQLite file and its WAL as raw bytes, or every PostgreSQL row cast to text.
    pub async fn dump_text(&self) -> String {
        self.dump_text_except(&[]).await
    }

    /// Like [`Self::dump_text`], leaving out the `skip` tables (PostgreSQL only: a SQLite file
    /// cannot be split by table, so there the whole file is returned).
    pub async fn dump_text_except(&self, skip: &[&str]) -> String {
        match &self.database_url {
            None => {
                let mut out = String::new();
                for suffix in ["", "-wal"] {
                    let path = format!("{}{suffix}", self.sqlite_path().display());
                    if let Ok(bytes) = std::fs::read(&path) {
                        out.push_str(&String::from_utf8_lossy(&bytes));
                    }
                }
                out
            }
            Some(url) => {
                let pool = sqlx::PgPool::connect(url).await.expect("connect for dump");
                let tables: Vec<String> = sqlx::query_scalar(
                    "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public'",
                )
                .fetch_all(&pool)
                .await
                .expect("tables");
                let mut out = String::new();
                for table in tables.into_iter().filter(|t| !skip.contains(&t.as_str())) {
                    let text: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                        "SELECT string_agg(t::text, E'\\n') FROM \"{table}\" t"
                    )))
                    .fetch_one(&pool)
                    .await
                    .expect("dump table");
                    out.push_str(&text.unwrap_or_default());
                    out.push('\n');
                }
                pool.close().await;
                out
            }
        }
    }
}

impl TestDatabase {
    /// Makes every writing transaction `millis` slower, once per transaction, as a slow disk
    /// makes each commit (PostgreSQL: a statement trigger on every table sleeps at the first
    /// write of a transaction). Returns false on SQLite, which has no such hook.
    pub async fn slow_commits(&self, millis: u32) -> bool {
        let Some(url) = &self.database_url else {
            return false;
        };
        let pool = sqlx::PgPool::connect(url).await.expect("connect");
        sqlx::query(sqlx::AssertSqlSafe(format!(
            "CREATE FUNCTION bt_slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN \
               IF current_setting('bt.slowed', true) IS DISTINCT FROM 'yes' THEN \
                 PERFORM set_config('bt.slowed', 'yes', true); \
                 PERFORM pg_sleep({millis} / 1000.0); \
               END IF; RETURN NULL; END $$"
        )))
        .execute(&pool)
        .await
        .expect("slow-commit function");
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
        )
        .fetch_all(&pool)
        .await
        .expect("tables");
        for table in tables {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "CREATE TRIGGER bt_slow_commit AFTER INSERT OR UPDATE OR DELETE ON \"{table}\" \
                 FOR EACH STATEMENT EXECUTE FUNCTION bt_slow_commit()"
            )))
            .execute(&pool)
            .await
            .expect("slow-commit trigger");
        }
        pool.close().await;
        true
    }
}

impl TestDatabase {
    /// Every row of every table as text, table by table, on either engine (SQLite read through
    /// SQL, not as file bytes), leaving out `skip` entries: a whole table (`"sessions"`) or one
    /// column (`"sessions.last_seen_at"`). Rows are sorted, so equal contents give equal text.
    pub async fn rows_except(&self, skip: &[&str]) -> String {
        let (tables_sql, columns_sql, quote) = match self.database_url {
            None => (
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
                "SELECT name FROM pragma_table_info(?1) ORDER BY cid",
                "quote",
            ),
            Some(_) => (
                "SELECT table_name::text FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
                "SELECT column_name::text FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position",
                "quote_nullable",
            ),
        };
        // The same queries on two pool types (sqlx has no common pool without its `any` driver).
        macro_rules! dump_with {
            ($pool:expr) => {{
                let pool = $pool;
                let mut out = String::new();
                let tables: Vec<String> = sqlx::query_scalar(tables_sql)
                    .fetch_all(&pool)
                    .await
                    .expect("tables");
                for table in tables.iter().filter(|t| !skip.contains(&t.as_str())) {
                    let columns: Vec<String> = sqlx::query_scalar(columns_sql)
                        .bind(table)
                        .fetch_all(&pool)
                        .await
                        .expect("columns");
                    let sql = select_all(table, &columns, skip, quote);
                    let lines: Vec<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(sql))
                        .fetch_all(&pool)
                        .await
                        .expect("rows");
                    out.push_str(&format!("== {table}\n"));
                    for line in lines {
                        out.push_str(&line);
                        out.push('\n');
                    }
                }
                pool.close().await;
                out
            }};
        }
        match &self.database_url {
            None => {
                let url = format!("sqlite://{}?mode=ro", self.sqlite_path().display());
                dump_with!(
                    sqlx::SqlitePool::connect(&url)
                        .await
                        .expect("connect for rows")
                )
            }
            Some(url) => dump_with!(sqlx::PgPool::connect(url).await.expect("connect for rows")),
        }
    }
}

/// `SELECT quote(c1) || '|' || quote(c2) … FROM table ORDER BY 1`, without the skipped columns.
fn select_all(table: &str, columns: &[String], skip: &[&str], quote: &str) -> String {
    let kept: Vec<String> = columns
        .iter()
        .filter(|c| !skip.contains(&format!("{table}.{c}").as_str()))
        .map(|c| format!("coalesce({quote}(\"{c}\"), 'NULL')"))
        .collect();
    let row = if kept.is_empty() {
        "''".to_owned()
    } else {
        kept.join(" || '|' || ")
    };
    format!("SELECT {row} FROM \"{table}\" ORDER BY 1")
}

/// A migrated store on `engine` and the guard that keeps its files alive.
pub async fn store(engine: TestEngine) -> Option<(Store, TestDatabase)> {
    let db = TestDatabase::new(engine).await?;
    let store = db.store().await;
    Some((store, db))
}

async fn fresh_postgres_database() -> Option<String> {
    let Ok(admin_url) = std::env::var("TEST_DATABASE_URL") else {
        if std::env::var("BT_SKIP_POSTGRES").is_ok_and(|v| v == "1") {
            eprintln!("SKIPPED: PostgreSQL half of this test (BT_SKIP_POSTGRES=1)");
            return None;
        }
        panic!(
            "TEST_DATABASE_URL is not set: run ./scripts/test, which starts a throwaway \
             PostgreSQL, or set BT_SKIP_POSTGRES=1 to skip the PostgreSQL half knowingly"
        );
    };
    let name = format!("bt_{}", uuid::Uuid::now_v7().simple());
    let admin = sqlx::PgPool::connect(&admin_url)
        .await
        .expect("connect to TEST_DATABASE_URL");
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin)
        .await
        .expect("create test database");
    admin.close().await;
    let base = admin_url
        .rsplit_once('/')
        .map_or(admin_url.as_str(), |(base, _)| base);
    Some(format!("{base}/{name}"))
}

/// Runs each test body once on SQLite and once on PostgreSQL, as `name::sqlite` and
/// `name::postgres`, with `$store` bound to a fresh migrated [`Store`].
#[macro_export]
macro_rules! engine_tests {
    ($( $(#[$meta:meta])* async fn $name:ident($store:ident) $body:block )*) => {
        $(
            $(#[$meta])*
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                #[tokio::test]
                async fn sqlite() {
                    let Some(($store, _db)) = $crate::store($crate::TestEngine::Sqlite).await else { return };
                    $body
                }

                #[tokio::test]
                async fn postgres() {
                    let Some(($store, _db)) = $crate::store($crate::TestEngine::Postgres).await else { return };
                    $body
                }
            }
        )*
    };
}
