//! Opening the database: the engine is chosen by the URL, SQLite gets its pragmas, both get
//! their own migrations. [`Store`] is cheap to clone (it holds a pool).

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

use crate::{Error, Result};

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

/// Which database engine a store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn as_str(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}

/// SQLite's `synchronous` pragma. `Full` (the default) syncs the WAL on every commit, so a
/// power cut cannot lose an acknowledged payment; `Normal` is faster and still never corrupts
/// the file, but may lose the last commits on power loss (not on a process crash).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Synchronous {
    Normal,
    Full,
}

/// Where and how to open the database.
#[derive(Debug, Clone)]
pub struct StoreOptions {
    /// `postgres://…` selects PostgreSQL; `None` or `sqlite:` selects the embedded file.
    pub database_url: Option<String>,
    /// The SQLite file used when no URL is given.
    pub sqlite_path: PathBuf,
    pub synchronous: Synchronous,
    pub max_connections: u32,
    /// How long a writer waits for SQLite's lock, or a caller for a pooled connection.
    pub busy_timeout: Duration,
}

pub(crate) enum Db {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The database handle every service uses.
#[derive(Clone)]
pub struct Store {
    pub(crate) db: std::sync::Arc<Db>,
}

impl Store {
    /// Opens (and for SQLite creates, mode 0600) the database. Does not migrate.
    pub async fn connect(options: &StoreOptions) -> Result<Self> {
        let url = options.database_url.as_deref().unwrap_or("");
        let db = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let connect = PgConnectOptions::from_str(url).map_err(Error::Database)?;
            let pool = PgPoolOptions::new()
                .max_connections(options.max_connections)
                .acquire_timeout(options.busy_timeout)
                .connect_with(connect)
                .await?;
            Db::Postgres(pool)
        } else {
            let path = match url
                .strip_prefix("sqlite://")
                .or_else(|| url.strip_prefix("sqlite:"))
            {
                Some(path) if !path.is_empty() => PathBuf::from(path),
                _ => options.sqlite_path.clone(),
            };
            Db::Sqlite(open_sqlite(&path, options).await?)
        };
        Ok(Self {
            db: std::sync::Arc::new(db),
        })
    }

    pub fn engine(&self) -> Engine {
        match &*self.db {
            Db::Sqlite(_) => Engine::Sqlite,
            Db::Postgres(_) => Engine::Postgres,
        }
    }

    /// Applies the engine's pending migrations, each in its own transaction.
    pub async fn migrate(&self) -> Result<()> {
        match &*self.db {
            Db::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
            Db::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// The number of migrations applied, for `check` and `/readyz` diagnostics.
    pub async fn applied_migrations(&self) -> Result<i64> {
        let count: i64 = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM _sqlx_migrations WHERE success = TRUE")
                .fetch_one(pool)
                .await?
        });
        Ok(count)
    }

    /// A round trip to the database: what `/readyz` asks.
    pub async fn ping(&self) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query_scalar::<_, i32>("SELECT 1")
                .fetch_one(pool)
                .await?;
        });
        Ok(())
    }

    /// SQLite's own consistency check (`PRAGMA integrity_check`); PostgreSQL answers `ok`.
    pub async fn integrity_check(&self) -> Result<String> {
        match &*self.db {
            Db::Sqlite(pool) => Ok(sqlx::query_scalar("PRAGMA integrity_check")
                .fetch_one(pool)
                .await?),
            Db::Postgres(pool) => {
                sqlx::query_scalar::<_, i32>("SELECT 1")
                    .fetch_one(pool)
                    .await?;
                Ok("ok".to_owned())
            }
        }
    }

    /// The pragmas SQLite runs with, for the reliability tests and `check`.
    pub async fn sqlite_pragmas(&self) -> Result<Option<SqlitePragmas>> {
        let Db::Sqlite(pool) = &*self.db else {
            return Ok(None);
        };
        let mut conn = pool.acquire().await?;
        Ok(Some(SqlitePragmas {
            journal_mode: sqlx::query_scalar("PRAGMA journal_mode")
                .fetch_one(&mut *conn)
                .await?,
            foreign_keys: sqlx::query_scalar("PRAGMA foreign_keys")
                .fetch_one(&mut *conn)
                .await?,
            busy_timeout: sqlx::query_scalar("PRAGMA busy_timeout")
                .fetch_one(&mut *conn)
                .await?,
            synchronous: sqlx::query_scalar("PRAGMA synchronous")
                .fetch_one(&mut *conn)
                .await?,
        }))
    }

    /// Closes every pooled connection (SQLite checkpoints its WAL on the last close).
    pub async fn close(&self) {
        on_pool!(self, |pool| pool.close().await);
    }
}

/// What `PRAGMA`s report on a pooled SQLite connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlitePragmas {
    pub journal_mode: String,
    pub foreign_keys: i64,
    pub busy_timeout: i64,
    /// 1 = NORMAL, 2 = FULL.
    pub synchronous: i64,
}

async fn open_sqlite(path: &Path, options: &StoreOptions) -> Result<SqlitePool> {
    let existed = path.exists();
    let connect = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .foreign_keys(true)
        .busy_timeout(options.busy_timeout)
        .synchronous(match options.synchronous {
            Synchronous::Normal => SqliteSynchronous::Normal,
            Synchronous::Full => SqliteSynchronous::Full,
        });
    let pool = SqlitePoolOptions::new()
        .max_connections(options.max_connections)
        .acquire_timeout(options.busy_timeout)
        .connect_with(connect)
        .await?;
    if !existed {
        restrict_to_owner(path);
    }
    Ok(pool)
}

/// A new database file is readable by its owner only (SQLite gives the WAL the same mode).
#[cfg(unix)]
fn restrict_to_owner(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Err(err) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)) {
        tracing::warn!(error = %err, "could not set the database file to mode 0600");
    }
}

#[cfg(not(unix))]
fn restrict_to_owner(_path: &Path) {}

impl Store {
    /// Runs raw SQL, for tests that simulate tampering or corruption. Not for application use.
    #[doc(hidden)]
    pub async fn tamper_for_tests(&self, sql: &str) {
        let sql = sqlx::AssertSqlSafe(sql.to_owned());
        let result = on_pool!(self, |pool| sqlx::query(sql)
            .execute(pool)
            .await
            .map(|_| ()));
        if let Err(err) = result {
            tracing::error!(error = %err, "tamper_for_tests failed");
        }
    }
}

/// Beginning a transaction that will write. SQLite takes the write lock up front
/// (`BEGIN IMMEDIATE`), so the busy timeout applies instead of a read transaction failing at
/// once when it tries to upgrade; PostgreSQL begins normally.
pub(crate) trait BeginWrite {
    type Db: sqlx::Database;
    fn begin_write(
        &self,
    ) -> impl std::future::Future<Output = sqlx::Result<sqlx::Transaction<'static, Self::Db>>> + Send;
}

impl BeginWrite for SqlitePool {
    type Db = sqlx::Sqlite;
    fn begin_write(
        &self,
    ) -> impl std::future::Future<Output = sqlx::Result<sqlx::Transaction<'static, sqlx::Sqlite>>> + Send
    {
        self.begin_with("BEGIN IMMEDIATE")
    }
}

impl BeginWrite for PgPool {
    type Db = sqlx::Postgres;
    fn begin_write(
        &self,
    ) -> impl std::future::Future<Output = sqlx::Result<sqlx::Transaction<'static, sqlx::Postgres>>> + Send
    {
        self.begin()
    }
}
