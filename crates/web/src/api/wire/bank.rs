//! Bank accounts, transactions and statement imports on the wire.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use service::bank_accounts::BankAccount;
use service::imports::presets::ImportPreset;
use service::imports::{Applied, ImportPreview, ImportRow, Label, PreviewAccount, PreviewRow};
use service::transactions::{Transaction, Transactions};

use super::AmountView;

/// A bank or card account.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BankAccountView {
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    /// ISO 4217: every transaction of the account is in it.
    pub currency: String,
    pub institution: String,
    /// Up to four digits that tell the account apart.
    pub last_digits: String,
    /// `file` or `sync`.
    pub source: String,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

impl From<&BankAccount> for BankAccountView {
    fn from(a: &BankAccount) -> Self {
        Self {
            id: a.id.to_string(),
            name: a.name.clone(),
            currency: a.currency.clone(),
            institution: a.institution.clone(),
            last_digits: a.last_digits.clone(),
            source: a.source.clone(),
            created_at: a.created_at,
            version: a.version,
        }
    }
}

/// A bank transaction.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TransactionView {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub account_id: String,
    pub posted_on: NaiveDate,
    /// Signed: money out is negative.
    pub amount: AmountView,
    pub payee: String,
    pub memo: String,
    #[schema(format = Uuid)]
    pub category_id: Option<String>,
    pub pending: bool,
    /// `file` or `sync`.
    pub source: &'static str,
    /// The bank's own id (OFX `FITID`), when it gives one.
    pub source_id: Option<String>,
    #[schema(format = Uuid)]
    pub import_id: Option<String>,
    /// `unmatched`, `matched` or `ignored`.
    pub state: &'static str,
    /// The payment this transaction backs, when matched to a bill.
    #[schema(format = Uuid)]
    pub payment_id: Option<String>,
    /// The expense it was recorded as (budgets count that expense, not the transaction).
    #[schema(format = Uuid)]
    pub expense_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub version: i64,
}

impl From<&Transaction> for TransactionView {
    fn from(t: &Transaction) -> Self {
        Self {
            id: t.id.to_string(),
            account_id: t.account_id.to_string(),
            posted_on: t.posted_on,
            amount: AmountView::from(t.amount),
            payee: t.payee.clone(),
            memo: t.memo.clone(),
            category_id: t.category_id.map(|c| c.to_string()),
            pending: t.pending,
            source: t.source.as_str(),
            source_id: t.source_id.clone(),
            import_id: t.import_id.map(|i| i.to_string()),
            state: t.state.as_str(),
            payment_id: t.payment_id.map(|p| p.to_string()),
            expense_id: t.expense_id.map(|e| e.to_string()),
            created_at: t.created_at,
            version: t.version,
        }
    }
}

/// A page of transactions and the number of all matches.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TransactionPage {
    pub items: Vec<TransactionView>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

impl From<&Transactions> for TransactionPage {
    fn from(page: &Transactions) -> Self {
        Self {
            items: page.items.iter().map(TransactionView::from).collect(),
            total: page.total,
            limit: page.limit,
            offset: page.offset,
        }
    }
}

/// An import in the history.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportView {
    #[schema(format = Uuid)]
    pub id: String,
    /// `None` while the apply is still to make the account.
    #[schema(format = Uuid)]
    pub account_id: Option<String>,
    /// As uploaded: text only.
    pub file_name: String,
    /// `csv`, `ofx` or `qif`.
    pub format: String,
    /// `previewed`, `applied` or `undone`.
    pub state: String,
    pub rows_in_file: i64,
    pub rows_imported: i64,
    /// Until when a preview can be applied.
    pub expires_at: DateTime<Utc>,
    pub applied_at: Option<DateTime<Utc>>,
    pub undone_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<&ImportRow> for ImportView {
    fn from(i: &ImportRow) -> Self {
        Self {
            id: i.id.to_string(),
            account_id: i.account_id.map(|a| a.to_string()),
            file_name: i.file_name.clone(),
            format: i.format.clone(),
            state: i.state.clone(),
            rows_in_file: i.rows_in_file,
            rows_imported: i.rows_imported,
            expires_at: i.expires_at,
            applied_at: i.applied_at,
            undone_at: i.undone_at,
            created_at: i.created_at,
        }
    }
}

/// The account a preview's rows go to.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PreviewAccountView {
    /// The existing account, or `None` when the apply makes a new one.
    #[schema(format = Uuid)]
    pub id: Option<String>,
    pub name: String,
    pub currency: String,
}

/// A row's problem.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RowErrorView {
    pub field: String,
    pub reason: String,
}

/// One previewed row with its label.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PreviewRowView {
    /// The row as the file counts it (use it in `include` and `exclude`).
    pub row: usize,
    pub posted_on: NaiveDate,
    pub amount: AmountView,
    pub payee: String,
    pub memo: String,
    pub source_id: Option<String>,
    pub category: Option<String>,
    /// `new`, `duplicate` or `possible` (a possible duplicate).
    pub label: &'static str,
    /// The stored transaction it duplicates.
    #[schema(format = Uuid)]
    pub duplicate_of: Option<String>,
    /// How sure (0–100) a possible duplicate is.
    pub score: Option<u8>,
    /// Why it is (possibly) a duplicate.
    pub why: Option<String>,
    pub error: Option<RowErrorView>,
}

impl PreviewRowView {
    fn new(r: &PreviewRow, currency: domain::money::Currency) -> Self {
        let (label, of, score, why) = match &r.label {
            Label::New => ("new", None, None, None),
            Label::Duplicate { of, why } => {
                ("duplicate", Some(of.to_string()), None, Some(why.clone()))
            }
            Label::Possible { of, score, why } => (
                "possible",
                Some(of.to_string()),
                Some(*score),
                Some(why.clone()),
            ),
        };
        Self {
            row: r.row,
            posted_on: r.posted_on,
            amount: AmountView::new(r.amount_minor, currency),
            payee: r.payee.clone(),
            memo: r.memo.clone(),
            source_id: r.source_id.clone(),
            category: r.category.clone(),
            label,
            duplicate_of: of,
            score,
            why,
            error: r.error.as_ref().map(|e| RowErrorView {
                field: e.field.clone(),
                reason: e.reason.clone(),
            }),
        }
    }
}

/// A preview: nothing is written until it is applied.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportPreviewView {
    pub import: ImportView,
    pub account: PreviewAccountView,
    /// The saved preset a CSV file was read with (named by the upload, or recognised from its
    /// header).
    pub preset: Option<UsedPresetView>,
    /// What the person should know before applying (the file no longer matches its preset).
    pub warnings: Vec<String>,
    pub new: usize,
    pub duplicates: usize,
    pub possible_duplicates: usize,
    pub errors: usize,
    /// How many rows the preview holds (all of them count above).
    pub rows_total: usize,
    /// The index (0-based) of the first row in `rows`.
    pub rows_offset: usize,
    /// One page of the rows, in file order: at most `limit` (default 500) from `offset`; read
    /// the others with `GET /api/imports/{id}?offset=…&limit=…`.
    pub rows: Vec<PreviewRowView>,
}

impl ImportPreviewView {
    /// The preview with the rows `offset..offset + limit` (a 100 000-row preview as one answer
    /// was 25 MB of JSON, most of the preview's time).
    pub fn page(p: &ImportPreview, offset: usize, limit: usize) -> Self {
        let currency = p.currency;
        let (new, duplicates, possible_duplicates, errors) = p.counts();
        Self {
            import: ImportView::from(&p.import),
            account: PreviewAccountView {
                id: match &p.account {
                    PreviewAccount::Existing(a) => Some(a.id.to_string()),
                    PreviewAccount::New(_) => None,
                },
                name: p.account.name().to_owned(),
                currency: p.account.currency().to_owned(),
            },
            preset: p.preset.as_deref().map(|u| UsedPresetView {
                id: u.id.to_string(),
                name: u.name.clone(),
                named: u.named,
            }),
            warnings: p.warnings().to_vec(),
            new,
            duplicates,
            possible_duplicates,
            errors,
            rows_total: p.rows.len(),
            rows_offset: offset,
            rows: p
                .rows
                .iter()
                .skip(offset)
                .take(limit)
                .map(|r| PreviewRowView::new(r, currency))
                .collect(),
        }
    }
}

/// The preset a preview used.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UsedPresetView {
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    /// Named by the upload (else recognised from the file's header).
    pub named: bool,
}

/// A saved CSV mapping preset.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ImportPresetView {
    #[schema(format = Uuid)]
    pub id: String,
    pub name: String,
    /// The account it is for; `null` for any.
    #[schema(format = Uuid)]
    pub account_id: Option<String>,
    /// The header row it recognises.
    pub header: Vec<String>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<&ImportPreset> for ImportPresetView {
    fn from(p: &ImportPreset) -> Self {
        Self {
            id: p.id.to_string(),
            name: p.preset.name().to_owned(),
            account_id: p.account_id.map(|a| a.to_string()),
            header: p.preset.header().to_vec(),
            updated_at: p.updated_at,
            version: p.version,
        }
    }
}

/// What an apply wrote.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AppliedView {
    pub import: ImportView,
    pub written: usize,
    pub skipped: usize,
}

impl From<&Applied> for AppliedView {
    fn from(a: &Applied) -> Self {
        Self {
            import: ImportView::from(&a.import),
            written: a.written,
            skipped: a.skipped,
        }
    }
}

/// What an undo removed.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UndoneView {
    pub removed: u64,
}
