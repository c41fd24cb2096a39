//! Bank statement files read into rows, before anything is written: which format a file is
//! (by its content, never its name: [`sniff`]), its text ([`text`]: UTF-8 with or without a
//! BOM, Windows-1252, ISO-8859-1), and its transactions ([`ofx`] for OFX/QFX 1.x SGML and 2.x
//! XML, [`qif`] for QIF). Amounts are read as decimal text into integer minor units
//! ([`decimal`]); dates whose day/month order a file leaves open are reported as ambiguous
//! ([`dates`]) so the person is asked, never guessed. A CSV mapping is kept and shared as a
//! [`preset`], recognised by the file's header row.
//!
//! Pure: no IO, no database, no clock. A refusal names the row (1-based, as the person counts
//! them in the file) and the field or column ([`FileError`]). The caller caps the file's size
//! before it gets here; [`Limits`] caps what a file may hold.

pub mod csv_map;
pub mod dates;
pub mod decimal;
pub mod fuzz;
pub mod ofx;
pub mod preset;
pub mod qif;
pub mod sniff;
pub mod text;

use chrono::NaiveDate;

pub use dates::DateOrder;
pub use sniff::Format;

/// One transaction as a file states it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// Where it is in the file, counted as the person would: the line of a CSV or QIF record's
    /// first line, the number of the `STMTTRN` in an OFX file.
    pub row: usize,
    pub posted: NaiveDate,
    /// Signed decimal text as written, normalised to `-1234.5` form (no separators); turned
    /// into minor units with the account's currency ([`decimal::Decimal::to_minor`]).
    pub amount: decimal::Decimal,
    /// The payee or description.
    pub payee: String,
    pub memo: String,
    /// The bank's own id of the transaction (OFX `FITID`), when the file has one.
    pub source_id: Option<String>,
    pub check_number: Option<String>,
    /// A category the file carries (QIF `L`, a mapped CSV column).
    pub category: Option<String>,
}

/// What a file says about the account its rows belong to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountHint {
    /// The account number or id as the file writes it (OFX `ACCTID`, QIF `!Account` `N`).
    pub id: Option<String>,
    /// ISO 4217 code (OFX `CURDEF`).
    pub currency: Option<String>,
    /// The institution (OFX `FI`/`ORG`).
    pub institution: Option<String>,
}

/// One account's rows from a file (an OFX file may hold several statements).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Statement {
    pub account: AccountHint,
    pub rows: Vec<Row>,
}

/// What a file may hold at most.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Transactions in one file.
    pub rows: usize,
    /// Nesting of OFX aggregates.
    pub depth: usize,
    /// Characters of one field (payee, memo, id).
    pub field_chars: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            rows: 100_000,
            depth: 32,
            field_chars: 1_000,
        }
    }
}

/// Why a file cannot be read, with where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    /// The whole file: not a statement of this format, too many rows, a forbidden construct.
    #[error("{0}")]
    File(String),
    /// One row's field or column.
    #[error("row {row}, {field}: {reason}")]
    Row {
        row: usize,
        field: String,
        reason: String,
    },
    /// The dates fit more than one day/month order: the person must choose.
    #[error("the dates could be read as {}; choose the order", describe(.0))]
    AmbiguousDates(Vec<DateOrder>),
}

fn describe(orders: &[DateOrder]) -> String {
    orders
        .iter()
        .map(|o| o.example())
        .collect::<Vec<_>>()
        .join(" or ")
}

impl FileError {
    pub fn file(reason: impl Into<String>) -> Self {
        Self::File(reason.into())
    }

    pub fn row(row: usize, field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Row {
            row,
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// `text` cut to `max` characters at most (fields of hostile files stay bounded).
pub(crate) fn bounded(text: &str, max: usize) -> String {
    text.trim().chars().take(max).collect()
}
