//! The browser's way into an import: a form cannot keep a file between two pages, so when a
//! file needs an answer before it can be previewed — its CSV columns mapped, the order of its
//! dates, which of its accounts — [`stage`] keeps the file in a pending import (the same 24
//! hours, nothing of the person's data written) and says what to ask; [`answer`] reads the
//! kept file again with the answers. The JSON API instead refuses an unanswered file with a
//! 422 naming `mapping`, `date_order` or `statement`, and the client sends it again.

use bankfile::DateOrder;
use bankfile::csv_map::{Layout, Mapping};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use domain::id::{BankAccountId, ImportId};
use domain::money::Currency;
use store::imports::{ImportRow, NewImport};

use super::presets::{PresetHeader, PresetInput};

use super::{AccountChoice, ImportPreview, PREVIEW_HOURS, Saved, Upload, import_error, preview};
use crate::auth::{Principal, RequestMeta};
use crate::preferences::data_owner;
use crate::{App, Error, Result};

/// What a file needs before it can be previewed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Question {
    /// A CSV file's columns (with what the file looks like; `reason` when a mapping was given
    /// and did not fit, or its dates fit two orders).
    Mapping {
        layout: Layout,
        reason: Option<String>,
    },
    /// The order of the dates (they fit more than one).
    DateOrder { reason: String },
    /// Which account of several in the file.
    Statement { reason: String },
}

/// Where a staged file stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Staged {
    Ready(ImportPreview),
    Asks {
        import: ImportRow,
        question: Question,
    },
}

/// The answers to a [`Question`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answers {
    pub mapping: Option<Mapping>,
    pub date_order: Option<DateOrder>,
    /// 0-based.
    pub statement: Option<usize>,
    /// Save `mapping` (with the date order the file is read in) as a preset of this name, once
    /// the file reads with it.
    pub save_preset: Option<String>,
}

/// A kept file waiting for answers.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(super) struct Pending {
    file_name: String,
    /// The file, base64.
    file: String,
    account: SavedChoice,
    /// What was asked: the refused field, its reason, and whether columns were mapped.
    asked: String,
    reason: String,
    mapped: bool,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
enum SavedChoice {
    Existing(BankAccountId),
    New { name: String, currency: String },
    FromFile,
}

impl From<&AccountChoice> for SavedChoice {
    fn from(choice: &AccountChoice) -> Self {
        match choice {
            AccountChoice::Existing(id) => SavedChoice::Existing(*id),
            AccountChoice::New { name, currency } => SavedChoice::New {
                name: name.clone(),
                currency: currency.code().to_owned(),
            },
            AccountChoice::FromFile => SavedChoice::FromFile,
        }
    }
}

impl SavedChoice {
    fn choice(&self) -> Result<AccountChoice> {
        Ok(match self {
            SavedChoice::Existing(id) => AccountChoice::Existing(*id),
            SavedChoice::New { name, currency } => AccountChoice::New {
                name: name.clone(),
                currency: Currency::parse("account", currency)?,
            },
            SavedChoice::FromFile => AccountChoice::FromFile,
        })
    }
}

/// Previews `upload`, or keeps it and says what to ask.
pub async fn stage(
    app: &App,
    principal: &Principal,
    meta: &RequestMeta,
    upload: Upload,
    account: AccountChoice,
) -> Result<Staged> {
    let kept = (
        upload.file_name.clone(),
        upload.bytes.clone(),
        upload.mapping.is_some(),
    );
    match preview(app, principal, meta, upload, account.clone()).await {
        Ok(preview) => Ok(Staged::Ready(preview)),
        Err(Error::Invalid(invalid)) => {
            let (file_name, bytes, mapped) = kept;
            let Some(question) = question(&bytes, mapped, &invalid.field, invalid.reason.clone())?
            else {
                return Err(Error::Invalid(invalid));
            };
            let asked = (invalid.field, invalid.reason, mapped);
            let import = keep(app, principal, file_name, &bytes, &account, asked).await?;
            Ok(Staged::Asks { import, question })
        }
        Err(other) => Err(other),
    }
}

/// Reads a pending import's file again with `answers` (the pending import is replaced).
pub async fn answer(
    app: &App,
    principal: &Principal,
    meta: &RequestMeta,
    id: ImportId,
    answers: Answers,
) -> Result<Staged> {
    let owner = data_owner(principal)?;
    let (_, text) = app
        .store
        .import_preview(owner, id, app.now())
        .await
        .map_err(import_error)?;
    let saved: Saved = serde_json::from_str(&text).map_err(Error::internal)?;
    let Some(pending) = saved.pending else {
        return Err(Error::Conflict {
            field: "import".into(),
            message: "this file is previewed already".into(),
        });
    };
    let bytes = STANDARD.decode(&pending.file).map_err(Error::internal)?;
    let account = pending.account.choice()?;
    let upload = Upload {
        file_name: pending.file_name,
        bytes: bytes.clone(),
        date_order: answers.date_order,
        mapping: answers.mapping.clone(),
        statement: answers.statement,
        preset: None,
    };
    let staged = stage(app, principal, meta, upload, account.clone()).await?;
    app.store.delete_pending_import(owner, id).await?;
    if let (Some(name), Some(mut mapping), Staged::Ready(_)) =
        (answers.save_preset, answers.mapping, &staged)
    {
        mapping.order = match answers.date_order {
            Some(order) => order,
            None => only_date_order(&bytes, &mapping)?,
        };
        let for_account = match account {
            AccountChoice::Existing(id) => Some(id),
            _ => None,
        };
        let input = PresetInput {
            name,
            account: for_account,
            mapping,
            header: PresetHeader::FromFile(bytes),
        };
        super::presets::save(app, principal, meta, input).await?;
    }
    Ok(staged)
}

/// The one date order that reads the file's date column (a file that read without an
/// answer has one).
fn only_date_order(bytes: &[u8], mapping: &Mapping) -> Result<DateOrder> {
    let fits =
        bankfile::csv_map::date_orders(bytes, mapping.delimiter, mapping.header, mapping.date)
            .map_err(|e| Error::invalid("file", e.to_string()))?;
    fits.first()
        .copied()
        .ok_or_else(|| Error::invalid("date_order", "choose the order of the dates"))
}

/// The question an unanswered file's refusal asks, if it is one.
fn question(bytes: &[u8], mapped: bool, field: &str, reason: String) -> Result<Option<Question>> {
    let layout = || {
        bankfile::csv_map::layout(bytes, None).map_err(|e| Error::invalid("file", e.to_string()))
    };
    Ok(match field {
        "mapping" => Some(Question::Mapping {
            layout: layout()?,
            reason: mapped.then_some(reason),
        }),
        "date_order" if mapped => Some(Question::Mapping {
            layout: layout()?,
            reason: Some(reason),
        }),
        "date_order" => Some(Question::DateOrder { reason }),
        "statement" => Some(Question::Statement { reason }),
        "file" if mapped => Some(Question::Mapping {
            layout: layout()?,
            reason: Some(reason),
        }),
        _ => None,
    })
}

/// Keeps the file in a pending import.
async fn keep(
    app: &App,
    principal: &Principal,
    file_name: String,
    bytes: &[u8],
    account: &AccountChoice,
    (asked, reason, mapped): (String, String, bool),
) -> Result<ImportRow> {
    let owner = data_owner(principal)?;
    let format =
        bankfile::sniff::sniff(bytes).map_err(|e| Error::invalid("file", e.to_string()))?;
    let saved = Saved {
        new_account: None,
        rows: Vec::<super::PreviewRow>::new(),
        preset: None,
        pending: Some(Pending {
            file_name: file_name.clone(),
            file: STANDARD.encode(bytes),
            account: SavedChoice::from(account),
            asked,
            reason,
            mapped,
        }),
    };
    let now = app.now();
    Ok(app
        .store
        .create_import(
            owner,
            &NewImport {
                account_id: None,
                file_name: super::shown_name(&file_name),
                format: format.as_str().to_owned(),
                rows_in_file: 0,
                preview: serde_json::to_string(&saved).map_err(Error::internal)?,
                expires_at: now + chrono::Duration::hours(PREVIEW_HOURS),
            },
            now,
        )
        .await?)
}

/// One of the caller's imports as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Opened {
    /// A kept file and what it needs.
    Asks {
        import: ImportRow,
        question: Question,
    },
    /// A preview to review and apply.
    Preview(ImportPreview),
    /// Applied, undone or expired: the history row.
    Done(ImportRow),
}

/// One of the caller's imports, whatever its state.
pub async fn open(app: &App, principal: &Principal, id: ImportId) -> Result<Opened> {
    let owner = data_owner(principal)?;
    let import = app.store.import(owner, id).await?;
    if import.state != "previewed" || import.expires_at <= app.now() {
        return Ok(Opened::Done(import));
    }
    let (_, text) = app
        .store
        .import_preview(owner, id, app.now())
        .await
        .map_err(import_error)?;
    let saved: Saved = serde_json::from_str(&text).map_err(Error::internal)?;
    match saved.pending {
        Some(pending) => {
            let bytes = STANDARD.decode(&pending.file).map_err(Error::internal)?;
            let question = question(&bytes, pending.mapped, &pending.asked, pending.reason)?
                .ok_or_else(|| Error::internal("a kept file without a question"))?;
            Ok(Opened::Asks { import, question })
        }
        None => Ok(Opened::Preview(super::show(app, principal, id).await?)),
    }
}
