//! Bank and card accounts: the owner's, created when a file or a sync first names one, found
//! again by the id their source gives them, renamed, and soft-deleted. Another owner's account
//! is `NotFound`, like a missing one.

use chrono::{DateTime, Utc};

use domain::id::{BankAccountId, UserId};

use crate::columns::{parse_id, stale_or_missing};
use crate::time::{from_millis, to_millis};
use crate::{Error, Result, Store};

/// A stored account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankAccountRow {
    pub id: BankAccountId,
    pub name: String,
    /// ISO 4217 code: every transaction of the account is in it.
    pub currency: String,
    pub institution: String,
    pub last_digits: String,
    /// `file` or `sync`.
    pub source: String,
    /// The account's id at its source (an OFX `ACCTID`, a sync provider's id).
    pub external_id: Option<String>,
    pub deleted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

/// A new account's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewBankAccount {
    pub name: String,
    pub currency: String,
    pub institution: String,
    pub last_digits: String,
    pub source: String,
    pub external_id: Option<String>,
}

#[derive(sqlx::FromRow)]
struct StoredAccount {
    id: String,
    name: String,
    currency: String,
    institution: String,
    last_digits: String,
    source: String,
    external_id: Option<String>,
    deleted_at: Option<i64>,
    created_at: i64,
    version: i64,
}

/// The INSERT of a new account: `$1` id, `$2` owner, `$3`…`$8` the fields, `$9` now; bound by
/// [`bind_account!`] (also used by the apply of an import that makes its account).
pub(crate) const INSERT: &str = "INSERT INTO bank_accounts (id, user_id, name, currency, \
     institution, last_digits, source, external_id, created_at, updated_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)";

macro_rules! bind_account {
    ($query:expr, $id:expr, $owner:expr, $new:expr, $at:expr) => {
        $query
            .bind($id)
            .bind($owner)
            .bind(&$new.name)
            .bind(&$new.currency)
            .bind(&$new.institution)
            .bind(&$new.last_digits)
            .bind(&$new.source)
            .bind(&$new.external_id)
            .bind($at)
    };
}
pub(crate) use bind_account;

const COLUMNS: &str = "id, name, currency, institution, last_digits, source, external_id, \
     deleted_at, created_at, version";

fn from_stored(row: StoredAccount) -> Result<BankAccountRow> {
    Ok(BankAccountRow {
        id: parse_id("bank account", &row.id)?,
        name: row.name,
        currency: row.currency,
        institution: row.institution,
        last_digits: row.last_digits,
        source: row.source,
        external_id: row.external_id,
        deleted_at: row.deleted_at.map(from_millis).transpose()?,
        created_at: from_millis(row.created_at)?,
        version: row.version,
    })
}

impl Store {
    /// Adds an account for `owner`.
    pub async fn create_bank_account(
        &self,
        owner: UserId,
        new: &NewBankAccount,
        now: DateTime<Utc>,
    ) -> Result<BankAccountRow> {
        let sql = format!("{INSERT} RETURNING {COLUMNS}");
        let row: StoredAccount = on_pool!(self, |pool| {
            bind_account!(
                sqlx::query_as(sqlx::AssertSqlSafe(sql.clone())),
                BankAccountId::new().to_string(),
                owner.to_string(),
                new,
                to_millis(now)
            )
            .fetch_one(pool)
            .await?
        });
        from_stored(row)
    }

    /// One of the owner's accounts, deleted or not.
    pub async fn bank_account(&self, owner: UserId, id: BankAccountId) -> Result<BankAccountRow> {
        let row: StoredAccount = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM bank_accounts WHERE id = $1 AND user_id = $2"
            )))
            .bind(id.to_string())
            .bind(owner.to_string())
            .fetch_one(pool)
            .await?
        });
        from_stored(row)
    }

    /// The owner's live accounts, by name.
    pub async fn bank_accounts(&self, owner: UserId) -> Result<Vec<BankAccountRow>> {
        let rows: Vec<StoredAccount> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM bank_accounts WHERE user_id = $1 AND deleted_at IS NULL \
                 ORDER BY LOWER(name), id"
            )))
            .bind(owner.to_string())
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(from_stored).collect()
    }

    /// The owner's live account that its source calls `external_id`, if any.
    pub async fn bank_account_by_external_id(
        &self,
        owner: UserId,
        source: &str,
        external_id: &str,
    ) -> Result<Option<BankAccountRow>> {
        let row: Option<StoredAccount> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM bank_accounts WHERE user_id = $1 AND source = $2 \
                 AND external_id = $3 AND deleted_at IS NULL ORDER BY id LIMIT 1"
            )))
            .bind(owner.to_string())
            .bind(source)
            .bind(external_id)
            .fetch_optional(pool)
            .await?
        });
        row.map(from_stored).transpose()
    }

    /// Renames a live account still at `expected_version`.
    pub async fn rename_bank_account(
        &self,
        owner: UserId,
        id: BankAccountId,
        name: &str,
        expected_version: i64,
        now: DateTime<Utc>,
    ) -> Result<BankAccountRow> {
        let row: Option<StoredAccount> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "UPDATE bank_accounts SET name = $3, updated_at = $4, version = version + 1 \
                 WHERE id = $1 AND user_id = $2 AND deleted_at IS NULL AND version = $5 \
                 RETURNING {COLUMNS}"
            )))
            .bind(id.to_string())
            .bind(owner.to_string())
            .bind(name)
            .bind(to_millis(now))
            .bind(expected_version)
            .fetch_optional(pool)
            .await?
        });
        match row {
            Some(row) => from_stored(row),
            None => {
                let current = match self.bank_account(owner, id).await {
                    Ok(account) if account.deleted_at.is_none() => Some(account.version),
                    Ok(_) | Err(Error::NotFound) => None,
                    Err(err) => return Err(err),
                };
                Err(stale_or_missing(current, expected_version))
            }
        }
    }
}
