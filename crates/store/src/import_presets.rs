//! CSV mapping presets: the owner's, each optionally tied to one of the owner's accounts,
//! named uniquely per owner whatever the case (the store case-folds the name into `name_key`;
//! a taken name is `Conflict { field: "name" }`), and kept with their header row, its
//! signature and the mapping as text the service wrote and reads. Another owner's preset, or
//! a preset tied to another owner's account, is `NotFound`, like a missing one.

use chrono::{DateTime, Utc};

use domain::id::{BankAccountId, ImportPresetId, UserId};

use crate::columns::{conflict_on, parse_id, parse_opt_id, stale_or_missing};
use crate::time::{from_millis, to_millis};
use crate::{Error, Result, Store};

/// A stored preset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportPresetRow {
    pub id: ImportPresetId,
    /// The account it is for; `None` for any account.
    pub account_id: Option<BankAccountId>,
    pub name: String,
    /// The header row as a JSON array of cells (written by the service).
    pub header: String,
    pub header_signature: String,
    /// The mapping in the preset file's JSON form (written by the service).
    pub mapping: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// A preset's fields, for a new one or a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresetFields {
    pub account_id: Option<BankAccountId>,
    pub name: String,
    pub header: String,
    pub header_signature: String,
    pub mapping: String,
}

#[derive(sqlx::FromRow)]
struct StoredPreset {
    id: String,
    account_id: Option<String>,
    name: String,
    header: String,
    header_signature: String,
    mapping: String,
    created_at: i64,
    updated_at: i64,
    version: i64,
}

const COLUMNS: &str = "id, account_id, name, header, header_signature, mapping, created_at, \
     updated_at, version";

/// `$2` owner, `$3` account: the account, when there is one, is the owner's.
const OWNED_ACCOUNT: &str = "($3 IS NULL OR EXISTS (SELECT 1 FROM bank_accounts \
     WHERE id = $3 AND user_id = $2))";

fn from_stored(row: StoredPreset) -> Result<ImportPresetRow> {
    Ok(ImportPresetRow {
        id: parse_id("import preset", &row.id)?,
        account_id: parse_opt_id("bank account", row.account_id.as_deref())?,
        name: row.name,
        header: row.header,
        header_signature: row.header_signature,
        mapping: row.mapping,
        created_at: from_millis(row.created_at)?,
        updated_at: from_millis(row.updated_at)?,
        version: row.version,
    })
}

/// Binds `$1` id, `$2` owner, `$3`…`$8` the fields (with the name's key) and `$9` now.
macro_rules! bind_fields {
    ($query:expr, $id:expr, $owner:expr, $fields:expr, $now:expr) => {
        $query
            .bind($id.to_string())
            .bind($owner.to_string())
            .bind($fields.account_id.map(|a| a.to_string()))
            .bind(&$fields.name)
            .bind(name_key(&$fields.name))
            .bind(&$fields.header)
            .bind(&$fields.header_signature)
            .bind(&$fields.mapping)
            .bind(to_millis($now))
    };
}

/// The key names are unique by: the same on both engines (SQL `LOWER` is ASCII-only on SQLite).
fn name_key(name: &str) -> String {
    name.to_lowercase()
}

impl Store {
    /// Saves a preset for `owner`. Its account must be the owner's (else `NotFound`); a name
    /// the owner uses already, in any case, is `Conflict { field: "name" }`.
    pub async fn create_import_preset(
        &self,
        owner: UserId,
        fields: &PresetFields,
        now: DateTime<Utc>,
    ) -> Result<ImportPresetRow> {
        let result = on_pool!(self, |pool| {
            let query = sqlx::query_as::<_, StoredPreset>(sqlx::AssertSqlSafe(format!(
                "INSERT INTO import_presets (id, user_id, account_id, name, name_key, header, \
                 header_signature, mapping, created_at, updated_at) \
                 SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $9 WHERE {OWNED_ACCOUNT} \
                 RETURNING {COLUMNS}"
            )));
            bind_fields!(query, ImportPresetId::new(), owner, fields, now)
                .fetch_optional(pool)
                .await
                .map_err(Error::from)
        });
        from_stored(
            result
                .map_err(conflict_on("name"))?
                .ok_or(Error::NotFound)?,
        )
    }

    /// One of the owner's presets.
    pub async fn import_preset(
        &self,
        owner: UserId,
        id: ImportPresetId,
    ) -> Result<ImportPresetRow> {
        let row: StoredPreset = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM import_presets WHERE id = $1 AND user_id = $2"
            )))
            .bind(id.to_string())
            .bind(owner.to_string())
            .fetch_one(pool)
            .await?
        });
        from_stored(row)
    }

    /// The owner's presets, by name.
    pub async fn import_presets(&self, owner: UserId) -> Result<Vec<ImportPresetRow>> {
        let rows: Vec<StoredPreset> = on_pool!(self, |pool| {
            sqlx::query_as(sqlx::AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM import_presets WHERE user_id = $1 ORDER BY name_key, id"
            )))
            .bind(owner.to_string())
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(from_stored).collect()
    }

    /// Changes one of the owner's presets still at `expected_version`: `NotFound` for another
    /// owner's or a missing one (or an account not the owner's), `Stale` for another version,
    /// `Conflict { field: "name" }` for a name the owner uses on another preset.
    pub async fn update_import_preset(
        &self,
        owner: UserId,
        id: ImportPresetId,
        fields: &PresetFields,
        expected_version: i64,
        now: DateTime<Utc>,
    ) -> Result<ImportPresetRow> {
        let result = on_pool!(self, |pool| {
            let query = sqlx::query_as::<_, StoredPreset>(sqlx::AssertSqlSafe(format!(
                "UPDATE import_presets SET account_id = $3, name = $4, name_key = $5, \
                 header = $6, header_signature = $7, mapping = $8, updated_at = $9, \
                 version = version + 1 \
                 WHERE id = $1 AND user_id = $2 AND version = $10 AND {OWNED_ACCOUNT} \
                 RETURNING {COLUMNS}"
            )));
            bind_fields!(query, id, owner, fields, now)
                .bind(expected_version)
                .fetch_optional(pool)
                .await
                .map_err(Error::from)
        });
        match result.map_err(conflict_on("name"))? {
            Some(row) => from_stored(row),
            None => {
                let current = match self.import_preset(owner, id).await {
                    Ok(preset) => Some(preset.version),
                    Err(Error::NotFound) => None,
                    Err(err) => return Err(err),
                };
                Err(stale_or_missing(current, expected_version))
            }
        }
    }

    /// Deletes one of the owner's presets (`NotFound` for another owner's or a missing one).
    pub async fn delete_import_preset(&self, owner: UserId, id: ImportPresetId) -> Result<()> {
        let removed = on_pool!(self, |pool| {
            sqlx::query("DELETE FROM import_presets WHERE id = $1 AND user_id = $2")
                .bind(id.to_string())
                .bind(owner.to_string())
                .execute(pool)
                .await?
                .rows_affected()
        });
        if removed == 1 {
            Ok(())
        } else {
            Err(Error::NotFound)
        }
    }
}
