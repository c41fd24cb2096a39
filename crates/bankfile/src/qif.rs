//! QIF, Quicken's line format: `!Type:` sections of records, one field per line (`D` date,
//! `T` or `U` amount, `P` payee, `M` memo, `N` check number, `L` category), each record ended
//! by `^`. `!Account` blocks name the account the next section belongs to, so one file may hold
//! several accounts. Split lines (`S`, `E`, `$`) are part of their record's total `T`; list
//! sections (`!Type:Cat`, `!Type:Class`, `!Type:Memorized`) hold no transactions and are
//! skipped; investment sections (`!Type:Invst`) are refused by name.
//!
//! QIF dates have no fixed order (`01/02/2027`, `1/ 2'27`, `02.01.2027`): the order that reads
//! every date of the file is used, and when two do, the file is [`FileError::AmbiguousDates`]
//! until the person chooses. Amounts are `1,234.56` or, when the file's amounts only read that
//! way, `1.234,56`.

use crate::dates::{self, DateOrder};
use crate::decimal::{Decimal, Style};
use crate::text;
use crate::{AccountHint, FileError, Limits, Row, Statement, bounded};

/// The fields of one record as written, with the line it starts on.
#[derive(Debug, Default)]
struct Record {
    line: usize,
    date: Option<String>,
    amount: Option<String>,
    payee: Option<String>,
    memo: Option<String>,
    check: Option<String>,
    category: Option<String>,
}

/// What a section's records are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Section {
    Transactions,
    Accounts,
    Skipped,
}

/// The statements of a QIF file; `order` is the person's answer to ambiguous dates.
pub fn parse(
    bytes: &[u8],
    order: Option<DateOrder>,
    limits: Limits,
) -> Result<Vec<Statement>, FileError> {
    let (text, _) = text::decode(bytes, None)?;
    let mut statements: Vec<(AccountHint, Vec<Record>)> = Vec::new();
    let mut account = AccountHint::default();
    let mut section = None;
    let mut record = Record::default();
    let mut count = 0;
    for (index, raw) in text.lines().enumerate() {
        let line_no = index + 1;
        let line = raw.trim_end();
        if line.trim().is_empty() {
            continue;
        }
        if let Some(header) = line.strip_prefix('!') {
            section = Some(start_section(
                header.trim(),
                line_no,
                &account,
                &mut statements,
            )?);
            continue;
        }
        let Some(current) = section else {
            return Err(FileError::row(
                line_no,
                "!Type",
                "a QIF file starts with a !Type: line",
            ));
        };
        if record.line == 0 {
            record.line = line_no;
        }
        let (code, value) = line.split_at(line.chars().next().map_or(0, char::len_utf8));
        let value = bounded(value, limits.field_chars);
        if code == "^" {
            let done = std::mem::take(&mut record);
            match current {
                Section::Transactions => {
                    count += 1;
                    if count > limits.rows {
                        return Err(FileError::file(format!(
                            "the file has more than {} transactions",
                            limits.rows
                        )));
                    }
                    if let Some((_, records)) = statements.last_mut() {
                        records.push(done);
                    }
                }
                Section::Accounts => {
                    account = AccountHint {
                        id: done.payee,
                        ..AccountHint::default()
                    };
                }
                Section::Skipped => {}
            }
            continue;
        }
        let slot = match (current, code) {
            (Section::Accounts, "N") => &mut record.payee,
            (Section::Transactions, "D") => &mut record.date,
            (Section::Transactions, "T" | "U") => &mut record.amount,
            (Section::Transactions, "P") => &mut record.payee,
            (Section::Transactions, "M") => &mut record.memo,
            (Section::Transactions, "N") => &mut record.check,
            (Section::Transactions, "L") => &mut record.category,
            _ => continue,
        };
        if slot.is_none() {
            *slot = Some(value);
        }
    }
    if record.line != 0 && record.date.is_some() {
        // A last record without its `^`.
        if let Some((_, records)) = statements.last_mut() {
            records.push(record);
        }
    }
    let all: Vec<&Record> = statements.iter().flat_map(|(_, r)| r).collect();
    if all.is_empty() {
        return Err(FileError::file("the file has no transactions"));
    }
    let order = date_order(&all, order)?;
    let style = amount_style(&all);
    statements
        .into_iter()
        .filter(|(_, records)| !records.is_empty())
        .map(|(account, records)| {
            let rows = records
                .iter()
                .map(|r| row(r, order, style))
                .collect::<Result<_, _>>()?;
            Ok(Statement { account, rows })
        })
        .collect()
}

fn start_section(
    header: &str,
    line: usize,
    account: &AccountHint,
    statements: &mut Vec<(AccountHint, Vec<Record>)>,
) -> Result<Section, FileError> {
    let lower = header.to_ascii_lowercase();
    if lower.starts_with("account") {
        return Ok(Section::Accounts);
    }
    if lower.starts_with("option") || lower.starts_with("clear") {
        return Ok(Section::Skipped);
    }
    let kind = lower.strip_prefix("type:").map(str::trim);
    match kind {
        Some("bank" | "cash" | "ccard" | "oth a" | "oth l") => {
            statements.push((account.clone(), Vec::new()));
            Ok(Section::Transactions)
        }
        Some("invst") => Err(FileError::row(
            line,
            "!Type",
            "investment accounts (!Type:Invst) are not supported; export the bank account instead",
        )),
        Some(_) => Ok(Section::Skipped),
        None => Err(FileError::row(
            line,
            "!Type",
            format!("'!{header}' is not a QIF section"),
        )),
    }
}

fn date_order(records: &[&Record], asked: Option<DateOrder>) -> Result<DateOrder, FileError> {
    if let Some(order) = asked {
        return Ok(order);
    }
    let texts: Vec<&str> = records.iter().filter_map(|r| r.date.as_deref()).collect();
    let fitting = dates::orders_fitting(texts.iter().copied());
    match fitting[..] {
        [one] => Ok(one),
        [] => {
            // Name the first date no order reads.
            let bad = records.iter().find(|r| {
                r.date
                    .as_deref()
                    .is_some_and(|d| DateOrder::ALL.iter().all(|o| dates::parse(d, *o).is_none()))
            });
            Err(match bad {
                Some(r) => FileError::row(
                    r.line,
                    "D",
                    format!("'{}' is not a date", r.date.as_deref().unwrap_or_default()),
                ),
                None => FileError::file("the dates are written in more than one order"),
            })
        }
        _ => Err(FileError::AmbiguousDates(fitting)),
    }
}

fn amount_style(records: &[&Record]) -> Style {
    let amounts = || records.iter().filter_map(|r| r.amount.as_deref());
    let reads = |style| amounts().all(|a| Decimal::parse(a, style).is_ok());
    if !reads(Style::POINT) && reads(Style::COMMA) {
        Style::COMMA
    } else {
        Style::POINT
    }
}

fn row(r: &Record, order: DateOrder, style: Style) -> Result<Row, FileError> {
    let date = r
        .date
        .as_deref()
        .ok_or_else(|| FileError::row(r.line, "D", "is missing"))?;
    let posted = dates::parse(date, order).ok_or_else(|| {
        FileError::row(
            r.line,
            "D",
            format!("'{date}' is not a day of the calendar"),
        )
    })?;
    let amount_text = r
        .amount
        .as_deref()
        .ok_or_else(|| FileError::row(r.line, "T", "is missing"))?;
    let amount = Decimal::parse(amount_text, style)
        .map_err(|reason| FileError::row(r.line, "T", format!("'{amount_text}' {reason}")))?;
    Ok(Row {
        row: r.line,
        posted,
        amount,
        payee: r.payee.clone().unwrap_or_default(),
        memo: r.memo.clone().unwrap_or_default(),
        source_id: None,
        check_number: r.check.clone().filter(|c| !c.is_empty()),
        category: r.category.clone().filter(|c| !c.is_empty()),
    })
}

#[cfg(test)]
mod tests;
