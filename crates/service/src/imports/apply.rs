//! Applying a preview (once, all or nothing, the rows the person keeps) and undoing an applied
//! import as a whole. An apply also runs the person's merchant rules on the rows it wrote.

use domain::Invalid;
use domain::id::ImportId;
use store::bank_accounts::NewBankAccount;
use store::transactions::NewTransaction;

use super::{ImportRow, Label, PreviewAccount, PreviewRow, import_error, show};
use crate::audit;
use crate::auth::{Principal, RequestMeta};
use crate::preferences::data_owner;
use crate::{App, Error, Result};

/// An apply of at least this many rows refreshes the database's statistics of the
/// transactions ([`store::Store::analyze_transactions`]).
pub const ANALYZE_AFTER_ROWS: usize = 10_000;

/// The person's decisions on a preview's labels, by row number.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Choices {
    /// Rows to import although they are duplicates.
    pub include: Vec<usize>,
    /// Rows to leave out although they are new or possible duplicates.
    pub exclude: Vec<usize>,
}

/// What an apply wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub import: ImportRow,
    pub written: usize,
    pub skipped: usize,
    /// How many of the written rows the caller's merchant rules matched to bills.
    pub matched_by_rules: usize,
}

/// Applies one of the caller's previews with the person's `choices`.
pub async fn apply(
    app: &App,
    principal: &Principal,
    meta: &RequestMeta,
    id: ImportId,
    choices: &Choices,
) -> Result<Applied> {
    let owner = data_owner(principal)?;
    let preview = show(app, principal, id).await?;
    let include: std::collections::HashSet<usize> = choices.include.iter().copied().collect();
    let exclude: std::collections::HashSet<usize> = choices.exclude.iter().copied().collect();
    let kept: Vec<&PreviewRow> = preview
        .rows
        .iter()
        .filter(|r| {
            let wanted = !matches!(r.label, Label::Duplicate { .. });
            (wanted || include.contains(&r.row)) && !exclude.contains(&r.row)
        })
        .collect();
    let broken: Vec<String> = kept
        .iter()
        .filter_map(|r| {
            r.error
                .as_ref()
                .map(|e| format!("row {}, {}: {}", r.row, e.field, e.reason))
        })
        .collect();
    if !broken.is_empty() {
        let shown: Vec<_> = broken.iter().take(20).cloned().collect();
        let more = broken.len().saturating_sub(shown.len());
        let tail = if more > 0 {
            format!("; and {more} more")
        } else {
            String::new()
        };
        return Err(Error::Invalid(Invalid::new(
            "rows",
            format!(
                "{} rows cannot be imported (leave them out or fix the file): {}{tail}",
                broken.len(),
                shown.join("; ")
            ),
        )));
    }
    // A file's category column names the person's categories (case and spaces aside); a name
    // that is none of theirs is left for the person or a merchant rule.
    let categories: std::collections::HashMap<String, domain::id::CategoryId> = app
        .store
        .categories(owner, false)
        .await?
        .into_iter()
        .map(|c| (category_key(&c.category.name), c.category.id))
        .collect();
    let rows: Vec<NewTransaction> = kept
        .iter()
        .map(|r| NewTransaction {
            posted_on: r.posted_on,
            amount_minor: r.amount_minor,
            payee: r.payee.clone(),
            memo: r.memo.clone(),
            category_id: r
                .category
                .as_deref()
                .and_then(|name| categories.get(&category_key(name)).copied()),
            pending: false,
            source_id: r.source_id.clone(),
            dedupe_key: r.key.clone(),
            duplicate_of: None,
        })
        .collect();
    let new_account = match &preview.account {
        PreviewAccount::New(new) => Some(NewBankAccount {
            name: new.name.clone(),
            currency: new.currency.clone(),
            institution: new.institution.clone(),
            last_digits: new.last_digits.clone(),
            source: "file".into(),
            external_id: new.external_id.clone(),
        }),
        PreviewAccount::Existing(_) => None,
    };
    let (_, written) = app
        .store
        .apply_import(owner, id, new_account.as_ref(), &rows, app.now())
        .await
        .map_err(import_error)?;
    if rows.len() >= ANALYZE_AFTER_ROWS {
        // The planner's statistics, refreshed off the request: they change only plans.
        let store = app.store.clone();
        tokio::spawn(async move {
            if let Err(err) = store.analyze_transactions().await {
                tracing::warn!(error = %err, "could not refresh the transactions statistics");
            }
        });
    }
    let import = app.store.import(owner, id).await?;
    let applied = Applied {
        import,
        written: rows.len(),
        skipped: preview.rows.len() - rows.len(),
        matched_by_rules: 0,
    };
    audit::record(
        app,
        &principal.actor(),
        "import.applied",
        Some(id.to_string()),
        meta.ip,
        serde_json::json!({"written": applied.written, "skipped": applied.skipped}),
    )
    .await?;
    // The rows are in; the caller's merchant rules match what they take (audited there).
    let ruled = crate::matching::apply::apply_rules_to(app, principal, meta, &written).await?;
    Ok(Applied {
        matched_by_rules: ruled.matched.len(),
        ..applied
    })
}

/// Removes every transaction one of the caller's applied imports wrote.
pub async fn undo(
    app: &App,
    principal: &Principal,
    meta: &RequestMeta,
    id: ImportId,
) -> Result<u64> {
    let owner = data_owner(principal)?;
    let removed = app
        .store
        .undo_import(owner, id, app.now())
        .await
        .map_err(import_error)?;
    audit::record(
        app,
        &principal.actor(),
        "import.undone",
        Some(id.to_string()),
        meta.ip,
        serde_json::json!({"removed": removed}),
    )
    .await?;
    Ok(removed)
}

/// A category name as a file's category column is compared: case-folded, spaces collapsed.
fn category_key(name: &str) -> String {
    name.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}
