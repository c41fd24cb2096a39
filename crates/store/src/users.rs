//! Accounts. Usernames and emails are unique (stored lower-case by the domain types); the
//! password hash is a PHC string and never leaves the service layer.

use chrono::{DateTime, Utc};
use domain::id::UserId;
use domain::user::Role;

use crate::time::{from_millis, to_millis};
use crate::{Error, Result, Store};

/// A stored account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserRow {
    pub id: UserId,
    pub username: String,
    pub email: Option<String>,
    pub display_name: String,
    pub password_hash: Option<String>,
    pub role: Role,
    pub is_active: bool,
    /// The account made at first start to administer the instance; refused on user-data routes.
    pub is_bootstrap: bool,
    pub failed_logins: i64,
    pub throttled_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// A new account.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub email: Option<String>,
    pub display_name: String,
    pub password_hash: Option<String>,
    pub role: Role,
    pub is_bootstrap: bool,
}

/// One change to an account; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub username: Option<String>,
    pub email: Option<Option<String>>,
    pub display_name: Option<String>,
    pub role: Option<Role>,
    pub is_active: Option<bool>,
}

pub(crate) type Row = (
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    String,
    bool,
    bool,
    i64,
    Option<i64>,
    i64,
    i64,
    i64,
);

pub(crate) const COLUMNS: &str = "id, username, email, display_name, password_hash, role, is_active, \
     is_bootstrap, failed_logins, throttled_until, created_at, updated_at, version";

pub(crate) fn from_row(row: Row) -> Result<UserRow> {
    let (id, username, email, display_name, password_hash, role, is_active, is_bootstrap) =
        (row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7);
    Ok(UserRow {
        id: id
            .parse()
            .map_err(|_| Error::Corrupt(format!("user id {id}")))?,
        username,
        email,
        display_name,
        password_hash,
        role: role
            .parse()
            .map_err(|_| Error::Corrupt(format!("role {role}")))?,
        is_active,
        is_bootstrap,
        failed_logins: row.8,
        throttled_until: row.9.map(from_millis).transpose()?,
        created_at: from_millis(row.10)?,
        updated_at: from_millis(row.11)?,
        version: row.12,
    })
}

/// The `INSERT … RETURNING` of one account, as a query expression (used on a pool and inside
/// a transaction, for either engine).
macro_rules! insert_user {
    ($id:expr, $new:expr, $now:expr) => {
        sqlx::query_as::<_, $crate::users::Row>(sqlx::AssertSqlSafe(format!(
            "INSERT INTO users (id, username, email, display_name, password_hash, role, \
             is_bootstrap, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
             RETURNING {}",
            $crate::users::COLUMNS
        )))
        .bind($id.to_string())
        .bind(&$new.username)
        .bind(&$new.email)
        .bind(&$new.display_name)
        .bind(&$new.password_hash)
        .bind($new.role.as_str())
        .bind($new.is_bootstrap)
        .bind($crate::time::to_millis($now))
    };
}
pub(crate) use insert_user;

impl Store {
    pub async fn create_user(&self, new: &NewUser, now: DateTime<Utc>) -> Result<UserRow> {
        let row: Row = on_pool!(self, |pool| {
            insert_user!(UserId::new(), new, now)
                .fetch_one(pool)
                .await?
        });
        from_row(row)
    }

    pub async fn user(&self, id: UserId) -> Result<UserRow> {
        let row: Row = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM users WHERE id = $1"
            )))
            .bind(id.to_string())
            .fetch_one(pool)
            .await?
        });
        from_row(row)
    }

    pub async fn user_by_username(&self, username: &str) -> Result<Option<UserRow>> {
        let row: Option<Row> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM users WHERE username = $1"
            )))
            .bind(username)
            .fetch_optional(pool)
            .await?
        });
        row.map(from_row).transpose()
    }

    /// Every account, oldest first (admin listing).
    pub async fn users(&self) -> Result<Vec<UserRow>> {
        let rows: Vec<Row> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM users ORDER BY created_at, id"
            )))
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(from_row).collect()
    }

    pub async fn count_users(&self) -> Result<i64> {
        let n = on_pool!(self, |pool| {
            sqlx::query_scalar("SELECT COUNT(*) FROM users")
                .fetch_one(pool)
                .await?
        });
        Ok(n)
    }

    /// How many active admins other than the bootstrap account exist (lock-out guards).
    pub async fn count_active_admins(&self) -> Result<i64> {
        let n = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM users WHERE role = 'admin' AND is_active = TRUE",
            )
            .fetch_one(pool)
            .await?
        });
        Ok(n)
    }

    /// Applies `changes` and bumps the version. Returns the updated row.
    pub async fn update_user(
        &self,
        id: UserId,
        changes: &UserChanges,
        now: DateTime<Utc>,
    ) -> Result<UserRow> {
        let (set_email, email) = match &changes.email {
            Some(value) => (true, value.clone()),
            None => (false, None),
        };
        let row: Row = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "UPDATE users SET \
                   username = COALESCE($2, username), \
                   email = CASE WHEN $3 THEN $4 ELSE email END, \
                   display_name = COALESCE($5, display_name), \
                   role = COALESCE($6, role), \
                   is_active = COALESCE($7, is_active), \
                   updated_at = $8, version = version + 1 \
                 WHERE id = $1 RETURNING {COLUMNS}"
            )))
            .bind(id.to_string())
            .bind(&changes.username)
            .bind(set_email)
            .bind(email)
            .bind(&changes.display_name)
            .bind(changes.role.map(Role::as_str))
            .bind(changes.is_active)
            .bind(to_millis(now))
            .fetch_one(pool)
            .await?
        });
        from_row(row)
    }

    pub async fn set_password_hash(
        &self,
        id: UserId,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let done = on_pool!(self, |pool| {
            sqlx::query(
                "UPDATE users SET password_hash = $2, updated_at = $3, version = version + 1 \
                 WHERE id = $1",
            )
            .bind(id.to_string())
            .bind(hash)
            .bind(to_millis(now))
            .execute(pool)
            .await?
            .rows_affected()
        });
        if done == 0 {
            Err(Error::NotFound)
        } else {
            Ok(())
        }
    }

    /// Records a failed sign-in: bumps the counter and sets the soft-lockout end.
    pub async fn record_login_failure(
        &self,
        id: UserId,
        throttled_until: Option<DateTime<Utc>>,
    ) -> Result<i64> {
        let n = on_pool!(self, |pool| {
            sqlx::query_scalar(
                "UPDATE users SET failed_logins = failed_logins + 1, throttled_until = $2 \
                 WHERE id = $1 RETURNING failed_logins",
            )
            .bind(id.to_string())
            .bind(throttled_until.map(to_millis))
            .fetch_one(pool)
            .await?
        });
        Ok(n)
    }

    pub async fn clear_login_failures(&self, id: UserId) -> Result<()> {
        on_pool!(self, |pool| {
            sqlx::query("UPDATE users SET failed_logins = 0, throttled_until = NULL WHERE id = $1")
                .bind(id.to_string())
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Deletes an account and, by cascade, everything it owns.
    pub async fn delete_user(&self, id: UserId) -> Result<()> {
        let done = on_pool!(self, |pool| {
            sqlx::query("DELETE FROM users WHERE id = $1")
                .bind(id.to_string())
                .execute(pool)
                .await?
                .rows_affected()
        });
        if done == 0 {
            Err(Error::NotFound)
        } else {
            Ok(())
        }
    }
}
