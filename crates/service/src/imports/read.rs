//! From an uploaded file to preview rows: the format by content, the reader for it (CSV with
//! the person's mapping), one statement chosen when the file holds several, amounts in the
//! account currency's minor units, and each row's de-duplication key and label. What the file
//! gets wrong is said with its row and field: a whole-file problem is a 422 on `file` (or
//! `date_order` when the dates fit two orders, or `statement` when the file holds several
//! accounts), a row's problem stays on the row.

use bankfile::csv_map::Mapping;
use bankfile::{AccountHint, DateOrder, FileError, Format, Limits, Row};
use chrono::NaiveDate;
use domain::id::ImportPresetId;
use domain::money::Currency;
use store::transactions::TransactionKey;

use super::dedupe::{self, Candidate, Label};
use crate::{Error, Result};

/// An uploaded statement file and how to read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upload {
    /// As the browser sent it: shown in the history, never used as a path.
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// The person's answer when the dates fit two orders.
    pub date_order: Option<DateOrder>,
    /// How to read a CSV file (required for one). Its date order is not used: the dates are
    /// read in `date_order`, or in the one order that reads every date of the date column
    /// (asked when several do).
    pub mapping: Option<Mapping>,
    /// Which of several accounts in the file (0-based).
    pub statement: Option<usize>,
    /// A CSV file's saved preset, when `mapping` is `None`; with neither, the preview
    /// recognises one from the header row ([`super::presets`]). A preset's date order is
    /// used when `date_order` is `None`.
    pub preset: Option<ImportPresetId>,
}

/// A row's problem.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RowError {
    pub field: String,
    pub reason: String,
}

/// One row of a preview.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PreviewRow {
    /// The row as the file counts it.
    pub row: usize,
    pub posted_on: NaiveDate,
    /// In the account currency's minor units (0 while `error` is set).
    pub amount_minor: i64,
    pub payee: String,
    pub memo: String,
    pub source_id: Option<String>,
    pub category: Option<String>,
    pub key: String,
    pub label: Label,
    pub error: Option<RowError>,
}

/// What a file holds: its format, the account it names, and the chosen statement's rows.
pub struct ReadFile {
    pub format: Format,
    pub account: AccountHint,
    pub rows: Vec<Row>,
}

/// A file's refusal as the service's 422 (`file`, or `date_order`).
pub(super) fn refused(err: FileError) -> Error {
    match err {
        FileError::File(reason) => Error::invalid("file", reason),
        FileError::Row { row, field, reason } => {
            Error::invalid("file", format!("row {row}, {field}: {reason}"))
        }
        FileError::AmbiguousDates(_) => Error::invalid("date_order", err.to_string()),
    }
}

/// Reads the file's rows (one statement of it).
pub fn file(upload: &Upload) -> Result<ReadFile> {
    let limits = Limits::default();
    let format = bankfile::sniff::sniff(&upload.bytes).map_err(refused)?;
    let statements = match format {
        Format::Ofx => bankfile::ofx::parse(&upload.bytes, limits).map_err(refused)?,
        Format::Qif => {
            bankfile::qif::parse(&upload.bytes, upload.date_order, limits).map_err(refused)?
        }
        Format::Csv => {
            let mapping = upload
                .mapping
                .as_ref()
                .ok_or_else(|| Error::invalid("mapping", "a CSV file needs its columns mapped"))?;
            let rows = read_csv(upload, mapping, limits)?;
            vec![bankfile::Statement {
                account: AccountHint::default(),
                rows,
            }]
        }
    };
    let chosen = match (statements.len(), upload.statement) {
        (1, None | Some(0)) => 0,
        (n, Some(i)) if i < n => i,
        (n, _) => {
            let names: Vec<String> = statements
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    format!(
                        "{} ({})",
                        i + 1,
                        s.account.id.as_deref().unwrap_or("unnamed")
                    )
                })
                .collect();
            return Err(Error::invalid(
                "statement",
                format!(
                    "the file holds {n} accounts: {}; choose one",
                    names.join(", ")
                ),
            ));
        }
    };
    let statement = statements.into_iter().nth(chosen).unwrap_or_default();
    Ok(ReadFile {
        format,
        account: statement.account,
        rows: statement.rows,
    })
}

/// A CSV file's rows, its dates read in the person's order, else in the only order that
/// reads every date of the date column (asked when several do). When none does, the file is
/// refused with the row that stops the order getting furthest (so the person sees the date
/// that is wrong, such as 02/30/2027).
fn read_csv(upload: &Upload, mapping: &Mapping, limits: Limits) -> Result<Vec<Row>> {
    let read = |order: DateOrder| {
        let mut mapping = mapping.clone();
        mapping.order = order;
        bankfile::csv_map::read(&upload.bytes, &mapping, limits)
    };
    if let Some(order) = upload.date_order {
        return read(order).map_err(refused);
    }
    let fits = bankfile::csv_map::date_orders(
        &upload.bytes,
        mapping.delimiter,
        mapping.header,
        mapping.date,
    )
    .map_err(refused)?;
    match fits.as_slice() {
        [only] => read(*only).map_err(refused),
        [] => {
            let mut furthest: Option<FileError> = None;
            for order in DateOrder::ALL {
                match read(order) {
                    Ok(rows) => return Ok(rows),
                    Err(err) => {
                        let row = |e: &FileError| match e {
                            FileError::Row { row, .. } => *row,
                            _ => 0,
                        };
                        if furthest.as_ref().is_none_or(|f| row(&err) > row(f)) {
                            furthest = Some(err);
                        }
                    }
                }
            }
            Err(refused(furthest.unwrap_or_else(|| {
                FileError::file("no date order reads the date column")
            })))
        }
        _ => Err(refused(FileError::AmbiguousDates(fits))),
    }
}

/// The preview rows of `rows` in `currency`, labelled `New` until [`label`] runs.
pub fn rows(rows: &[Row], currency: Currency) -> Vec<PreviewRow> {
    let exponent = u32::from(currency.exponent());
    let amounts: Vec<Result<i64, String>> =
        rows.iter().map(|r| r.amount.to_minor(exponent)).collect();
    let keys = dedupe::keys(
        rows.iter()
            .zip(&amounts)
            .map(|(r, a)| (r.posted, *a.as_ref().unwrap_or(&0), r.payee.as_str())),
    );
    rows.iter()
        .zip(amounts)
        .zip(keys)
        .map(|((r, amount), key)| PreviewRow {
            row: r.row,
            posted_on: r.posted,
            amount_minor: *amount.as_ref().unwrap_or(&0),
            payee: r.payee.clone(),
            memo: r.memo.clone(),
            source_id: r.source_id.clone(),
            category: r.category.clone(),
            key,
            label: Label::New,
            error: amount.err().map(|reason| RowError {
                field: "amount".into(),
                reason: format!("'{}' {reason} ({})", r.amount, currency.code()),
            }),
        })
        .collect()
}

/// Labels the rows (those without an error) against the stored transactions.
pub fn label(rows: &mut [PreviewRow], stored: &[TransactionKey]) {
    let candidates: Vec<Candidate<'_>> = rows
        .iter()
        .map(|r| Candidate {
            posted_on: r.posted_on,
            amount_minor: r.amount_minor,
            payee: &r.payee,
            source_id: r.source_id.as_deref(),
            key: &r.key,
        })
        .collect();
    let labels = dedupe::label(&candidates, stored);
    for (row, label) in rows.iter_mut().zip(labels) {
        if row.error.is_none() {
            row.label = label;
        }
    }
}
