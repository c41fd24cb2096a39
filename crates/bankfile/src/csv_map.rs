//! Bank CSV files, read with the person's column mapping. [`layout`] looks at a file first:
//! its delimiter (`,` `;` tab or `|`, the one that splits the first lines into the same number
//! of columns), its header row, a few sample rows, and which date orders its date column could
//! be in. [`read`] then reads every row with a [`Mapping`]: which column is the date, the amount
//! (one signed column, or debit and credit columns), payee, memo, category and the bank's own
//! id; the date order; the number style; and whether amounts are written with the sign flipped
//! (some card exports list purchases as positive). A refusal names the line and the column (by
//! its header when the file has one).

use crate::dates::{self, DateOrder};
use crate::decimal::{Decimal, Style};
use crate::text::{self, Encoding};
use crate::{FileError, Limits, Row, bounded};

/// The most columns a row may have.
pub const MAX_COLUMNS: usize = 200;
/// How many rows [`layout`] shows.
const SAMPLE_ROWS: usize = 10;

/// Where the amount is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AmountColumns {
    /// One signed column.
    Signed(usize),
    /// Money out in one column and money in in another (either may be blank on a row).
    DebitCredit { debit: usize, credit: usize },
}

/// How to read a delimited file's rows (columns are 0-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapping {
    pub delimiter: u8,
    pub header: bool,
    pub date: usize,
    pub amount: AmountColumns,
    pub payee: Option<usize>,
    pub memo: Option<usize>,
    pub category: Option<usize>,
    pub id: Option<usize>,
    pub order: DateOrder,
    pub style: Style,
    /// Amounts are written with money out positive: turn the sign.
    pub flip_sign: bool,
    pub encoding: Option<Encoding>,
}

/// What a file looks like before it is mapped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub delimiter: u8,
    /// The first row's cells (a header when the person says so).
    pub first: Vec<String>,
    /// The next rows' cells.
    pub sample: Vec<Vec<String>>,
    pub columns: usize,
    pub encoding: Encoding,
}

fn reader(text: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
}

/// The delimiter, first row and sample of a file.
pub fn layout(bytes: &[u8], encoding: Option<Encoding>) -> Result<Layout, FileError> {
    let (text, encoding) = text::decode(bytes, encoding)?;
    let delimiter = [b',', b';', b'\t', b'|']
        .into_iter()
        .max_by_key(|d| consistency(&text, *d))
        .unwrap_or(b',');
    let mut rows = reader(&text, delimiter).into_records();
    let mut cells = |limit: usize| -> Result<Vec<Vec<String>>, FileError> {
        let mut out = Vec::new();
        for record in rows.by_ref().take(limit) {
            let record = record.map_err(|e| csv_error(&e))?;
            if record.len() > MAX_COLUMNS {
                return Err(FileError::file(format!(
                    "a row has {} columns; at most {MAX_COLUMNS} are read",
                    record.len()
                )));
            }
            out.push(record.iter().map(|c| bounded(c, 200)).collect());
        }
        Ok(out)
    };
    let mut first = cells(1)?;
    let first = first
        .pop()
        .ok_or_else(|| FileError::file("the file is empty"))?;
    let sample = cells(SAMPLE_ROWS)?;
    let columns = sample
        .iter()
        .map(Vec::len)
        .chain([first.len()])
        .max()
        .unwrap_or(0);
    Ok(Layout {
        delimiter,
        first,
        sample,
        columns,
        encoding,
    })
}

/// How well `delimiter` splits the first lines: lines with the same column count (more than
/// one column), weighted by that count.
fn consistency(text: &str, delimiter: u8) -> usize {
    let counts: Vec<usize> = reader(text, delimiter)
        .into_records()
        .take(20)
        .filter_map(Result::ok)
        .map(|r| r.len())
        .collect();
    let Some(&first) = counts.first() else {
        return 0;
    };
    if first < 2 {
        return 0;
    }
    counts.iter().filter(|c| **c == first).count() * first
}

/// The file's lines (1-based) where records start, counted from their byte offsets: blank
/// lines and line breaks inside quoted cells count, as in the person's editor. Records come in
/// file order, so each count goes on from the last one (a whole file is counted once).
struct Lines<'a> {
    text: &'a str,
    /// Where the last count ended, and the line breaks before it.
    offset: usize,
    breaks: usize,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Lines {
            text,
            offset: 0,
            breaks: 0,
        }
    }

    /// The line where `record` starts.
    fn of(&mut self, record: &csv::StringRecord) -> usize {
        let offset = record
            .position()
            .and_then(|p| usize::try_from(p.byte()).ok())
            .unwrap_or(0);
        // The reader may place a record at the line break before it (after `\r\n`); a record
        // never starts with one, so the breaks at the offset belong before it.
        let offset = offset
            + self.text.get(offset..).map_or(0, |rest| {
                rest.len() - rest.trim_start_matches(['\r', '\n']).len()
            });
        if offset < self.offset {
            self.offset = 0;
            self.breaks = 0;
        }
        self.breaks += self
            .text
            .get(self.offset..offset)
            .map_or(0, |between| between.bytes().filter(|b| *b == b'\n').count());
        self.offset = offset;
        self.breaks + 1
    }
}

fn csv_error(e: &csv::Error) -> FileError {
    match e.position() {
        Some(p) => FileError::row(
            usize::try_from(p.line()).unwrap_or(usize::MAX),
            "file",
            "is not valid CSV here (a quote is not closed, or the text is not UTF-8)",
        ),
        None => FileError::file("the file is not valid CSV"),
    }
}

/// Every row of a file read with `mapping`.
pub fn read(bytes: &[u8], mapping: &Mapping, limits: Limits) -> Result<Vec<Row>, FileError> {
    let (text, _) = text::decode(bytes, mapping.encoding)?;
    let mut records = reader(&text, mapping.delimiter).into_records();
    let names: Vec<String> = if mapping.header {
        match records.next() {
            Some(header) => header
                .map_err(|e| csv_error(&e))?
                .iter()
                .map(|c| bounded(c, 60))
                .collect(),
            None => return Err(FileError::file("the file is empty")),
        }
    } else {
        Vec::new()
    };
    let column = |i: usize| match names.get(i).filter(|n| !n.is_empty()) {
        Some(name) => format!("column {} ({name})", i + 1),
        None => format!("column {}", i + 1),
    };
    let mut rows = Vec::new();
    let mut lines = Lines::new(&text);
    for record in records {
        let record = record.map_err(|e| csv_error(&e))?;
        let line = lines.of(&record);
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if rows.len() == limits.rows {
            return Err(FileError::file(format!(
                "the file has more than {} rows",
                limits.rows
            )));
        }
        if record.len() > MAX_COLUMNS {
            return Err(FileError::row(
                line,
                "file",
                format!("has more than {MAX_COLUMNS} columns"),
            ));
        }
        let cell = |i: usize| record.get(i).map(|c| bounded(c, limits.field_chars));
        let needed = |i: usize| {
            cell(i)
                .filter(|c| !c.is_empty())
                .ok_or_else(|| FileError::row(line, column(i), "is empty or missing"))
        };
        let date_text = needed(mapping.date)?;
        let posted = dates::parse(&date_text, mapping.order).ok_or_else(|| {
            FileError::row(
                line,
                column(mapping.date),
                format!(
                    "'{date_text}' is not a date written {}",
                    mapping.order.example()
                ),
            )
        })?;
        let amount = |i: usize, text: &str| {
            Decimal::parse(text, mapping.style)
                .map_err(|reason| FileError::row(line, column(i), format!("'{text}' {reason}")))
        };
        let mut value = match mapping.amount {
            AmountColumns::Signed(i) => amount(i, &needed(i)?)?,
            AmountColumns::DebitCredit { debit, credit } => {
                match (
                    cell(debit).filter(|c| !c.is_empty()),
                    cell(credit).filter(|c| !c.is_empty()),
                ) {
                    (Some(out), None) => {
                        let out = amount(debit, &out)?;
                        if out.is_negative() {
                            out
                        } else {
                            out.negated()
                        }
                    }
                    (None, Some(inflow)) => amount(credit, &inflow)?,
                    (Some(_), Some(_)) => {
                        return Err(FileError::row(
                            line,
                            column(credit),
                            "has an amount while the debit column has one too",
                        ));
                    }
                    (None, None) => {
                        return Err(FileError::row(
                            line,
                            column(debit),
                            "and the credit column are both empty",
                        ));
                    }
                }
            }
        };
        if mapping.flip_sign {
            value = value.negated();
        }
        let optional = |i: Option<usize>| i.and_then(cell).filter(|c| !c.is_empty());
        rows.push(Row {
            row: line,
            posted,
            amount: value,
            payee: optional(mapping.payee).unwrap_or_default(),
            memo: optional(mapping.memo).unwrap_or_default(),
            source_id: optional(mapping.id),
            check_number: None,
            category: optional(mapping.category),
        });
    }
    if rows.is_empty() {
        return Err(FileError::file("the file has no rows"));
    }
    Ok(rows)
}

/// The first row's cells read with `delimiter`, as text fit to keep (trimmed, control
/// characters dropped, at most 200 characters each): the header a preset is saved with and
/// recognised by.
pub fn first_row(
    bytes: &[u8],
    delimiter: u8,
    encoding: Option<Encoding>,
) -> Result<Vec<String>, FileError> {
    let (text, _) = text::decode(bytes, encoding)?;
    let record = reader(&text, delimiter)
        .into_records()
        .next()
        .ok_or_else(|| FileError::file("the file is empty"))?
        .map_err(|e| csv_error(&e))?;
    if record.len() > MAX_COLUMNS {
        return Err(FileError::file(format!(
            "the first row has {} columns; at most {MAX_COLUMNS} are read",
            record.len()
        )));
    }
    Ok(record
        .iter()
        .map(|c| bounded(&c.replace(char::is_control, ""), 200))
        .collect())
}

/// The date orders that read every non-empty cell of column `date` (the header skipped).
pub fn date_orders(
    bytes: &[u8],
    delimiter: u8,
    header: bool,
    date: usize,
) -> Result<Vec<DateOrder>, FileError> {
    let (text, _) = text::decode(bytes, None)?;
    let mut cells = Vec::new();
    for record in reader(&text, delimiter)
        .into_records()
        .skip(usize::from(header))
    {
        let record = record.map_err(|e| csv_error(&e))?;
        if let Some(cell) = record.get(date).map(str::trim).filter(|c| !c.is_empty()) {
            cells.push(cell.to_owned());
        }
    }
    Ok(dates::orders_fitting(cells.iter().map(String::as_str)))
}

#[cfg(test)]
pub(crate) mod tests;
