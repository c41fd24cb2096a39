//! The store's error: what callers can act on (missing row, unique conflict, busy database),
//! with every other database failure kept whole for the log.

/// Result of a store method.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No row with that id for that owner (another owner's row looks exactly the same).
    #[error("not found")]
    NotFound,
    /// A unique value is taken; `field` is the column name.
    #[error("{field} is already taken")]
    Conflict { field: String },
    /// A row changed since it was read (optimistic concurrency).
    #[error("changed by someone else")]
    Stale,
    /// The database is locked or unreachable for now; try again shortly.
    #[error("database busy")]
    Busy(#[source] sqlx::Error),
    /// A stored value no longer parses (corruption or a bug); the cause goes to the log.
    #[error("stored data is invalid: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl From<sqlx::Error> for Error {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::RowNotFound => Error::NotFound,
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                Error::Busy(err)
            }
            sqlx::Error::Database(db) if db.is_unique_violation() => Error::Conflict {
                field: conflict_field(db.message(), db.constraint()),
            },
            // SQLITE_BUSY (5) and SQLITE_LOCKED (6), with their extended codes.
            sqlx::Error::Database(db)
                if db
                    .code()
                    .is_some_and(|c| c.parse::<i32>().is_ok_and(|n| matches!(n & 0xff, 5 | 6))) =>
            {
                Error::Busy(err)
            }
            _ => Error::Database(err),
        }
    }
}

/// The column behind a unique violation: SQLite says "UNIQUE constraint failed: users.email",
/// PostgreSQL names the constraint "users_email_key".
fn conflict_field(message: &str, constraint: Option<&str>) -> String {
    if let Some(name) = constraint {
        let trimmed = name.strip_suffix("_key").unwrap_or(name);
        return trimmed
            .split_once('_')
            .map_or(trimmed, |(_, col)| col)
            .to_owned();
    }
    message
        .rsplit(':')
        .next()
        .and_then(|cols| cols.split(',').next())
        .and_then(|col| col.trim().split_once('.'))
        .map_or_else(|| "value".to_owned(), |(_, col)| col.to_owned())
}

#[cfg(test)]
mod tests {
    use super::conflict_field;

    #[test]
    fn names_the_column_on_both_engines() {
        assert_eq!(
            conflict_field("UNIQUE constraint failed: users.email", None),
            "email"
        );
        assert_eq!(
            conflict_field("duplicate key", Some("users_username_key")),
            "username"
        );
    }
}
