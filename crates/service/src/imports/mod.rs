//! Statement imports: upload → preview (nothing of the user's data is written; the preview is
//! kept 24 hours) → apply once, all or nothing → undo as a whole; and the import history.
//!
//! - [`preview`] reads the file with [`bankfile`] (format by content; CSV with the person's
//!   mapping; ambiguous dates asked, never guessed), turns amounts into the account currency's
//!   minor units, labels each row against the account's transactions ([`dedupe`]), and saves
//!   the preview. A row that cannot be read is kept in the preview with its row and field; a
//!   file that cannot be read at all is a 422 naming `file` (or `date_order`).
//! - [`apply`] writes the rows the person keeps — by default the new and possible duplicates,
//!   never the duplicates unless asked — in one transaction, and refuses (writing nothing) while
//!   a kept row has an error, naming every such row. A second apply is a 409.
//! - [`undo`] removes everything one import wrote.
//! - [`presets`]: saved CSV mappings; a CSV upload without a mapping is read with the preset
//!   it names or the one recognised from its header, and the preview warns when the file no
//!   longer matches the preset's shape.
//! - After an apply, the caller's merchant rules run on the written rows
//!   ([`crate::matching::apply::apply_rules_to`]).
//!
//! Every preview, apply and undo is audited (`import.previewed`, `import.applied`,
//! `import.undone`) with counts, never row contents.

pub mod account;
mod apply;
pub mod dedupe;
pub mod presets;
pub mod read;
pub mod stage;

use chrono::Duration;
use domain::id::ImportId;
use domain::money::Currency;
pub use store::imports::ImportRow;
use store::imports::NewImport;

use crate::audit;
use crate::auth::{Principal, RequestMeta};
use crate::preferences::data_owner;
use crate::rate_limit::{self, Limit};
use crate::{App, Error, Result};

pub use account::{AccountChoice, NewAccount, PreviewAccount};
pub use apply::{Applied, Choices, apply, undo};
/// What the web layer needs of the file readers to describe a CSV mapping.
pub use bankfile::DateOrder;
pub use bankfile::csv_map::{AmountColumns, Layout, MAX_COLUMNS, Mapping};
pub use bankfile::decimal::Style;
pub use dedupe::Label;
pub use presets::UsedPreset;
pub use read::{PreviewRow, RowError, Upload};
pub use stage::{Answers, Opened, Question, Staged, answer, open, stage};

/// How long a preview can be applied.
pub const PREVIEW_HOURS: i64 = 24;
/// The largest file an import takes.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;

/// What a preview keeps between upload and apply.
#[derive(serde::Serialize, serde::Deserialize)]
struct Saved<R = Vec<PreviewRow>> {
    new_account: Option<NewAccount>,
    rows: R,
    #[serde(default)]
    preset: Option<Box<UsedPreset>>,
    /// A kept file waiting for the person's answers ([`stage`]); no rows yet.
    #[serde(default)]
    pending: Option<stage::Pending>,
}

/// A preview: the import, its account, and every row with its label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportPreview {
    pub import: ImportRow,
    pub account: PreviewAccount,
    /// The account's currency: the rows' amounts are in its minor units.
    pub currency: Currency,
    pub rows: Vec<PreviewRow>,
    /// The saved preset a CSV file was read with, and its warnings (boxed: most previews
    /// have none, and a preview travels inside the page flow's enums).
    pub preset: Option<Box<UsedPreset>>,
}

impl ImportPreview {
    /// What the person should know before applying: a file that no longer matches its
    /// preset's shape.
    pub fn warnings(&self) -> &[String] {
        self.preset
            .as_deref()
            .map_or(&[], |p| p.warnings.as_slice())
    }

    /// (new, duplicate, possible duplicate, error) counts.
    pub fn counts(&self) -> (usize, usize, usize, usize) {
        let mut counts = (0, 0, 0, 0);
        for row in &self.rows {
            match (&row.error, &row.label) {
                (Some(_), _) => counts.3 += 1,
                (None, Label::New) => counts.0 += 1,
                (None, Label::Duplicate { .. }) => counts.1 += 1,
                (None, Label::Possible { .. }) => counts.2 += 1,
            }
        }
        counts
    }
}

/// Reads `upload`, labels its rows and saves the preview.
pub async fn preview(
    app: &App,
    principal: &Principal,
    meta: &RequestMeta,
    mut upload: Upload,
    account: AccountChoice,
) -> Result<ImportPreview> {
    let owner = data_owner(principal)?;
    rate_limit::hit(app, Limit::Import, &rate_limit::ip_subject(app, meta.ip)).await?;
    if upload.bytes.len() > MAX_FILE_BYTES {
        return Err(Error::invalid("file", "is larger than 10 MB"));
    }
    let chosen = match &account {
        AccountChoice::Existing(id) => Some(*id),
        _ => None,
    };
    let preset = match presets::for_upload(app, owner, &upload, chosen).await? {
        Some(found) => {
            // A preset remembers the date order the person chose for the file.
            upload.date_order = upload.date_order.or(Some(found.mapping.order));
            upload.mapping = Some(found.mapping);
            Some(Box::new(found.preset))
        }
        None => None,
    };
    let file = read::file(&upload)?;
    let account = account::resolve(app, owner, account, &file.account).await?;
    let currency = Currency::parse("currency", account.currency())
        .map_err(|_| Error::internal("stored account currency"))?;
    if let Some(stated) = file
        .account
        .currency
        .as_deref()
        .filter(|c| *c != account.currency())
    {
        return Err(Error::invalid(
            "account",
            format!(
                "the file is in {stated}; the account {} is in {}",
                account.name(),
                account.currency()
            ),
        ));
    }
    let mut rows = read::rows(&file.rows, currency);
    let dates = rows
        .iter()
        .filter(|r| r.error.is_none())
        .map(|r| r.posted_on);
    if let (PreviewAccount::Existing(existing), Some(first), Some(last)) =
        (&account, dates.clone().min(), dates.max())
    {
        let stored = app
            .store
            .transaction_keys(
                owner,
                existing.id,
                first - Duration::days(3),
                last + Duration::days(3),
            )
            .await?;
        read::label(&mut rows, &stored);
    }
    let (account_id, new_account) = match &account {
        PreviewAccount::Existing(existing) => (Some(existing.id), None),
        PreviewAccount::New(new) => (None, Some(new.clone())),
    };
    let preview = serde_json::to_string(&Saved {
        new_account,
        rows: &rows,
        preset: preset.clone(),
        pending: None,
    })
    .map_err(Error::internal)?;
    let now = app.now();
    let import = app
        .store
        .create_import(
            owner,
            &NewImport {
                account_id,
                file_name: shown_name(&upload.file_name),
                format: file.format.as_str().to_owned(),
                rows_in_file: i64::try_from(rows.len()).unwrap_or(i64::MAX),
                preview,
                expires_at: now + Duration::hours(PREVIEW_HOURS),
            },
            now,
        )
        .await?;
    let previewed = ImportPreview {
        import,
        account,
        currency,
        rows,
        preset,
    };
    let (new, duplicate, possible, errors) = previewed.counts();
    audit::record(
        app,
        &principal.actor(),
        "import.previewed",
        Some(previewed.import.id.to_string()),
        meta.ip,
        serde_json::json!({"format": file.format.as_str(), "rows": previewed.rows.len(), "new": new, "duplicate": duplicate, "possible": possible, "errors": errors}),
    )
    .await?;
    Ok(previewed)
}

/// One of the caller's previews, while it can be applied.
pub async fn show(app: &App, principal: &Principal, id: ImportId) -> Result<ImportPreview> {
    let owner = data_owner(principal)?;
    let (import, text) = app
        .store
        .import_preview(owner, id, app.now())
        .await
        .map_err(import_error)?;
    let saved: Saved = serde_json::from_str(&text).map_err(Error::internal)?;
    if saved.pending.is_some() {
        return Err(Error::Conflict {
            field: "import".into(),
            message: "this file still needs answers before it can be previewed".into(),
        });
    }
    let account = match (import.account_id, saved.new_account) {
        (Some(existing), _) => {
            PreviewAccount::Existing(app.store.bank_account(owner, existing).await?)
        }
        (None, Some(new)) => PreviewAccount::New(new),
        (None, None) => return Err(Error::internal("a preview without an account")),
    };
    let currency = Currency::parse("currency", account.currency())
        .map_err(|_| Error::internal("stored account currency"))?;
    Ok(ImportPreview {
        import,
        account,
        currency,
        rows: saved.rows,
        preset: saved.preset,
    })
}

/// The caller's imports, newest first.
pub async fn history(app: &App, principal: &Principal) -> Result<Vec<ImportRow>> {
    let owner = data_owner(principal)?;
    Ok(app.store.imports(owner, 100).await?)
}

/// The file's name as the history shows it: the browser sends it and anyone can change it, so
/// it is only ever text — control characters dropped, at most 200 characters, never a path.
pub(super) fn shown_name(sent: &str) -> String {
    let name: String = sent.chars().filter(|c| !c.is_control()).take(200).collect();
    let name = name.trim();
    if name.is_empty() {
        "statement".to_owned()
    } else {
        name.to_owned()
    }
}

/// The store's refusals of an import in the person's words.
pub(super) fn import_error(err: store::Error) -> Error {
    match err {
        store::Error::Conflict { field } if field == store::imports::EXPIRED => Error::Conflict {
            field: "import".into(),
            message: format!(
                "this preview is more than {PREVIEW_HOURS} hours old; upload the file again"
            ),
        },
        store::Error::Conflict { field } if field == store::imports::NOT_PREVIEWED => {
            Error::Conflict {
                field: "import".into(),
                message: "this import was applied or undone already".into(),
            }
        }
        other => other.into(),
    }
}
