//! CSV mapping presets: a person's saved mappings, per user and optionally per account,
//! recognised from a file's header row, and shared as a small versioned JSON file
//! ([`bankfile::preset`] holds the file form, the header comparison and every rule of a valid
//! preset; this module stores, finds and audits them).
//!
//! - [`save`] / [`update`] / [`rename`] / [`delete`]: the person's presets (at most
//!   [`MAX_PRESETS`]); a name taken in any case is a 409 on `name`; an account that is not the
//!   person's live account is a 404.
//! - [`recognise`]: the best preset for a file's header — the same header first, then the same
//!   columns in another order, then a header with columns gone or new as long as every mapped
//!   column is still there; among equals, one tied to the chosen account, then one tied to
//!   none, then the most recently changed.
//! - [`export`] / [`import`]: the preset file. An import is strict (64 KB, `format`,
//!   `version`, unknown fields, columns inside the header; each refusal a 422 naming the field
//!   by its path) and never fails on a name clash: the name takes the first free suffix
//!   (`Giro (2)`, `Giro (3)`, …).
//! - [`for_upload`]: the preview's use of presets — the one the upload names, or else the one
//!   recognised — with a warning when the file no longer matches the preset's shape.
//!
//! Audited: `preset.saved`, `preset.updated`, `preset.deleted`, `preset.imported` (never the
//! preset's contents).

mod recognise;

use bankfile::csv_map::{self, Mapping};
use bankfile::preset::{Preset, PresetError, Shape};
use chrono::{DateTime, Utc};
use domain::id::{BankAccountId, ImportPresetId, UserId};
use store::import_presets::{ImportPresetRow, PresetFields};

use super::read::refused;
use crate::audit;
use crate::auth::{Principal, RequestMeta};
use crate::preferences::data_owner;
use crate::{App, Error, Result};

pub(in crate::imports) use recognise::for_upload;
pub use recognise::recognise;

/// The `format` a preset file names.
pub const FILE_FORMAT: &str = bankfile::preset::FORMAT;
/// The longest preset name.
pub const NAME_MAX_CHARS: usize = bankfile::preset::MAX_NAME_CHARS;
/// The most presets one person keeps.
pub const MAX_PRESETS: usize = 100;
/// The most suffixes an imported preset's name tries (`Giro (2)` … `Giro (20)`).
const MAX_SUFFIX: usize = 20;

/// A saved preset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportPreset {
    pub id: ImportPresetId,
    /// The account it is for; `None` for any.
    pub account_id: Option<BankAccountId>,
    /// Its name, header row and mapping.
    pub preset: Preset,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

/// Where a preset's header row comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PresetHeader {
    /// The first row of this file, read with the mapping's delimiter and encoding (none when
    /// the mapping says the file has no header row).
    FromFile(Vec<u8>),
    /// These cells.
    Given(Vec<String>),
}

/// A preset as the person saves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresetInput {
    pub name: String,
    pub account: Option<BankAccountId>,
    pub mapping: Mapping,
    pub header: PresetHeader,
}

/// The preset recognised for a file, and how the file's header compares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recognised {
    pub preset: ImportPreset,
    pub shape: Shape,
}

/// The preset a preview read its file with.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UsedPreset {
    pub id: ImportPresetId,
    pub name: String,
    /// Named by the upload (else recognised from the header).
    pub named: bool,
    /// What the person should know: the file no longer matches the preset's shape (its
    /// columns re-ordered, or mapped columns missing and new ones there).
    pub warnings: Vec<String>,
}

/// What [`for_upload`] found: the mapping to read the file with and the preset.
pub struct ForUpload {
    pub mapping: Mapping,
    pub preset: UsedPreset,
}

fn invalid(err: PresetError) -> Error {
    Error::invalid(&err.field, err.reason)
}

fn from_row(row: ImportPresetRow) -> Result<ImportPreset> {
    let header: Vec<String> = serde_json::from_str(&row.header).map_err(Error::internal)?;
    let preset = Preset::from_parts(&row.name, header, &row.mapping).map_err(Error::internal)?;
    Ok(ImportPreset {
        id: row.id,
        account_id: row.account_id,
        preset,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}

fn fields(preset: &Preset, account_id: Option<BankAccountId>) -> Result<PresetFields> {
    Ok(PresetFields {
        account_id,
        name: preset.name().to_owned(),
        header: serde_json::to_string(preset.header()).map_err(Error::internal)?,
        header_signature: preset.signature(),
        mapping: preset.mapping_json(),
    })
}

/// The preset `input` describes.
fn build(input: PresetInput) -> Result<Preset> {
    let header = match input.header {
        PresetHeader::Given(cells) => cells,
        PresetHeader::FromFile(_) if !input.mapping.header => Vec::new(),
        PresetHeader::FromFile(bytes) => {
            if bytes.len() > super::MAX_FILE_BYTES {
                return Err(Error::invalid("file", "is larger than 10 MB"));
            }
            csv_map::first_row(&bytes, input.mapping.delimiter, input.mapping.encoding)
                .map_err(refused)?
        }
    };
    Preset::new(&input.name, header, &input.mapping).map_err(invalid)
}

/// `account`, when given, is one of the owner's live accounts (else `NotFound`).
async fn live_account(app: &App, owner: UserId, account: Option<BankAccountId>) -> Result<()> {
    if let Some(id) = account
        && app
            .store
            .bank_account(owner, id)
            .await?
            .deleted_at
            .is_some()
    {
        return Err(Error::NotFound);
    }
    Ok(())
}

async fn refuse_when_full(app: &App, owner: UserId) -> Result<()> {
    if app.store.import_presets(owner).await?.len() >= MAX_PRESETS {
        return Err(Error::invalid(
            "preset",
            format!("you have {MAX_PRESETS} presets already; delete one first"),
        ));
    }
    Ok(())
}

async fn audited(
    app: &App,
    principal: &Principal,
    meta: &RequestMeta,
    action: &str,
    preset: &ImportPreset,
) -> Result<()> {
    audit::record(
        app,
        &principal.actor(),
        action,
        Some(preset.id.to_string()),
        meta.ip,
        serde_json::json!({"for_account": preset.account_id.is_some(), "version": preset.version}),
    )
    .await
}

/// The caller's presets, by name.
pub async fn list(app: &App, principal: &Principal) -> Result<Vec<ImportPreset>> {
    let owner = data_owner(principal)?;
    app.store
        .import_presets(owner)
        .await?
        .into_iter()
        .map(from_row)
        .collect()
}

/// One of the caller's presets.
pub async fn show(app: &App, principal: &Principal, id: ImportPresetId) -> Result<ImportPreset> {
    let owner = data_owner(principal)?;
    from_row(app.store.import_preset(owner, id).await?)
}

/// Saves a new preset.
pub async fn save(
    app: &App,
    principal: &Principal,
    meta: &RequestMeta,
    input: PresetInput,
) -> Result<ImportPreset> {
    let owner = data_owner(principal)?;
    let account = input.account;
    let preset = build(input)?;
    live_account(app, owner, account).await?;
    refuse_when_full(app, owner).await?;
    let row = app
        .store
        .create_import_preset(owner, &fields(&preset, account)?, app.now())
        .await?;
    let saved = from_row(row)?;
    audited(app, principal, meta, "preset.saved", &saved).await?;
    Ok(saved)
}

/// Replaces one of the caller's presets still at `version` with `input`.
pub async fn update(
    app: &App,
    principal: &Principal,
    meta: &RequestMeta,
    id: ImportPresetId,
    version: i64,
    input: PresetInput,
) -> Result<ImportPreset> {
    let owner = data_owner(principal)?;
    let account = input.account;
    let preset = build(input)?;
    let current = app.store.import_preset(owner, id).await?;
    if current.account_id != account {
        live_account(app, owner, account).await?;
    }
    store_update(app, principal, meta, owner, id, version, &preset, account).await
}

/// Renames one of the caller's presets still at `version`.
pub async fn rename(
    app: &App,
    principal: &Principal,
    meta: &RequestMeta,
    id: ImportPresetId,
    version: i64,
    name: &str,
) -> Result<ImportPreset> {
    let owner = data_owner(principal)?;
    let current = from_row(app.store.import_preset(owner, id).await?)?;
    let preset = current.preset.renamed(name).map_err(invalid)?;
    store_update(
        app,
        principal,
        meta,
        owner,
        id,
        version,
        &preset,
        current.account_id,
    )
    .await
}

#[allow(clippy::too_many_arguments)]
async fn store_update(
    app: &App,
    principal: &Principal,
    meta: &RequestMeta,
    owner: UserId,
    id: ImportPresetId,
    version: i64,
    preset: &Preset,
    account: Option<BankAccountId>,
) -> Result<ImportPreset> {
    let row = app
        .store
        .update_import_preset(owner, id, &fields(preset, account)?, version, app.now())
        .await?;
    let updated = from_row(row)?;
    audited(app, principal, meta, "preset.updated", &updated).await?;
    Ok(updated)
}

/// Deletes one of the caller's presets.
pub async fn delete(
    app: &App,
    principal: &Principal,
    meta: &RequestMeta,
    id: ImportPresetId,
) -> Result<()> {
    let owner = data_owner(principal)?;
    app.store.delete_import_preset(owner, id).await?;
    audit::record(
        app,
        &principal.actor(),
        "preset.deleted",
        Some(id.to_string()),
        meta.ip,
        serde_json::json!({}),
    )
    .await
}

/// One of the caller's presets as a preset file: a file name (letters, digits and dashes
/// only) and the JSON bytes.
pub async fn export(
    app: &App,
    principal: &Principal,
    id: ImportPresetId,
) -> Result<(String, Vec<u8>)> {
    let saved = show(app, principal, id).await?;
    let slug: String = saved
        .preset
        .name()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect::<String>()
        .split('-')
        .filter(|part| !part.is_empty())
        .collect::<Vec<_>>()
        .join("-")
        .chars()
        .take(40)
        .collect();
    let slug = if slug.is_empty() {
        "preset".into()
    } else {
        slug
    };
    Ok((
        format!("{slug}.billtracker-preset.json"),
        saved.preset.to_json(),
    ))
}

/// Saves the preset of a preset file (for `account`, or any account). A name the caller uses
/// already takes the first free suffix: `Giro (2)`, `Giro (3)`, …
pub async fn import(
    app: &App,
    principal: &Principal,
    meta: &RequestMeta,
    bytes: &[u8],
    account: Option<BankAccountId>,
) -> Result<ImportPreset> {
    let owner = data_owner(principal)?;
    let preset = Preset::from_json(bytes).map_err(invalid)?;
    live_account(app, owner, account).await?;
    refuse_when_full(app, owner).await?;
    let mut candidate = preset.clone();
    for n in 2..=MAX_SUFFIX + 1 {
        match app
            .store
            .create_import_preset(owner, &fields(&candidate, account)?, app.now())
            .await
        {
            Ok(row) => {
                let imported = from_row(row)?;
                audited(app, principal, meta, "preset.imported", &imported).await?;
                return Ok(imported);
            }
            Err(store::Error::Conflict { .. }) => {
                let suffix = format!(" ({n})");
                let room = bankfile::preset::MAX_NAME_CHARS - suffix.chars().count();
                let base: String = preset.name().chars().take(room).collect();
                candidate = preset
                    .renamed(&format!("{}{suffix}", base.trim_end()))
                    .map_err(invalid)?;
            }
            Err(other) => return Err(other.into()),
        }
    }
    Err(Error::Conflict {
        field: "name".into(),
        message: format!(
            "you have presets named '{}' and {MAX_SUFFIX} numbered copies; rename one",
            preset.name()
        ),
    })
}
