//! OFX and QFX statements, 1.x (SGML: leaf elements are not closed, a header of `KEY:VALUE`
//! lines) and 2.x (XML), read by one tolerant tree builder rather than an XML parser: an
//! element that holds text closes at the next tag, a close tag closes whatever it encloses,
//! an element opened again closes its unclosed namesake (OFX never nests one in itself), and a
//! stray close tag is ignored, which is what real bank files need (`<NAME>AT&T` with a
//! bare ampersand, `<INTU.BID>`, unclosed `<STMTTRN>` leaves). Nothing is ever fetched or
//! expanded: a `<!DOCTYPE` or `<!ENTITY` is refused, and only the five XML entities and
//! numeric references are decoded (an unknown one such as `&nbsp;` stays as written); a CDATA
//! section is text as written.
//!
//! The statements are the `STMTRS` (bank), `CCSTMTRS` (credit card) and `INVSTMTRS` (the cash
//! side of an investment account) aggregates: their `CURDEF`, `ACCTID` and `STMTTRN` rows (`DTPOSTED`, `TRNAMT`, `FITID`, `NAME` or `PAYEE`,
//! `MEMO`, `CHECKNUM`). A row is numbered by its place among the file's `STMTTRN`s.

use crate::dates::{self, DateOrder};
use crate::decimal::{Decimal, Style};
use crate::text::{self, Encoding};
use crate::{AccountHint, FileError, Limits, Row, Statement, bounded};

/// One element of the tree: its name (upper case), its own text, and its children.
#[derive(Debug, Default)]
struct Element {
    name: String,
    text: String,
    children: Vec<Element>,
}

impl Element {
    fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    fn text_of(&self, name: &str) -> Option<&str> {
        self.child(name)
            .map(|c| c.text.as_str())
            .filter(|t| !t.is_empty())
    }

    /// Every descendant named `name`, in document order, not looking inside a match.
    fn find_all<'a>(&'a self, name: &str, found: &mut Vec<&'a Element>) {
        for child in &self.children {
            if child.name == name {
                found.push(child);
            } else {
                child.find_all(name, found);
            }
        }
    }
}

/// The statements of an OFX file.
pub fn parse(bytes: &[u8], limits: Limits) -> Result<Vec<Statement>, FileError> {
    let (text, _) = text::decode(bytes, declared_encoding(bytes))?;
    let upper = text.to_ascii_uppercase();
    if upper.contains("<!DOCTYPE") || upper.contains("<!ENTITY") {
        return Err(FileError::file(
            "the file declares a DOCTYPE or ENTITY, which an OFX statement never needs; it is refused",
        ));
    }
    let root = tree(&text, limits)?;
    let mut aggregates = Vec::new();
    root.find_all("STMTRS", &mut aggregates);
    root.find_all("CCSTMTRS", &mut aggregates);
    root.find_all("INVSTMTRS", &mut aggregates);
    let institution = root
        .children
        .iter()
        .flat_map(|c| {
            let mut fi = Vec::new();
            c.find_all("FI", &mut fi);
            fi
        })
        .find_map(|fi| fi.text_of("ORG"))
        .map(|org| bounded(org, limits.field_chars));
    let mut number = 0;
    let mut statements = Vec::new();
    if aggregates.is_empty() {
        let mut rows = Vec::new();
        root.find_all("STMTTRN", &mut rows);
        if rows.is_empty() {
            return Err(FileError::file(
                "the file holds no bank, card or investment-cash transactions (no STMTRS or STMTTRN)",
            ));
        }
        let statement = Statement {
            account: AccountHint {
                institution,
                ..AccountHint::default()
            },
            rows: read_rows(&rows, &mut number, limits)?,
        };
        return Ok(vec![statement]);
    }
    for aggregate in aggregates {
        let account = ["BANKACCTFROM", "CCACCTFROM", "INVACCTFROM"]
            .into_iter()
            .find_map(|name| aggregate.child(name));
        let mut rows = Vec::new();
        aggregate.find_all("STMTTRN", &mut rows);
        statements.push(Statement {
            account: AccountHint {
                id: account
                    .and_then(|a| a.text_of("ACCTID"))
                    .map(|id| bounded(id, limits.field_chars)),
                currency: aggregate
                    .text_of("CURDEF")
                    .map(|c| bounded(c, 3).to_ascii_uppercase()),
                institution: institution.clone(),
            },
            rows: read_rows(&rows, &mut number, limits)?,
        });
    }
    Ok(statements)
}

fn read_rows(rows: &[&Element], number: &mut usize, limits: Limits) -> Result<Vec<Row>, FileError> {
    let mut read = Vec::with_capacity(rows.len());
    for trn in rows {
        *number += 1;
        if *number > limits.rows {
            return Err(FileError::file(format!(
                "the file has more than {} transactions",
                limits.rows
            )));
        }
        read.push(row(trn, *number, limits)?);
    }
    Ok(read)
}

fn row(trn: &Element, number: usize, limits: Limits) -> Result<Row, FileError> {
    let field = |name: &str| trn.text_of(name).map(|t| bounded(t, limits.field_chars));
    let posted_text =
        field("DTPOSTED").ok_or_else(|| FileError::row(number, "DTPOSTED", "is missing"))?;
    let posted = dates::parse(&posted_text, DateOrder::Ymd).ok_or_else(|| {
        FileError::row(
            number,
            "DTPOSTED",
            format!("'{posted_text}' is not a day of the calendar"),
        )
    })?;
    let amount_text =
        field("TRNAMT").ok_or_else(|| FileError::row(number, "TRNAMT", "is missing"))?;
    // Some European banks write `-12,50`: a comma with no point is their decimal separator.
    let style = if amount_text.contains(',') && !amount_text.contains('.') {
        Style {
            decimal: ',',
            thousands: None,
        }
    } else {
        Style {
            decimal: '.',
            thousands: None,
        }
    };
    let amount = Decimal::parse(&amount_text, style)
        .map_err(|reason| FileError::row(number, "TRNAMT", format!("'{amount_text}' {reason}")))?;
    let payee_aggregate = trn.child("PAYEE").and_then(|p| p.text_of("NAME"));
    let payee = field("NAME")
        .or_else(|| field("PAYEE"))
        .or_else(|| payee_aggregate.map(|n| bounded(n, limits.field_chars)))
        .unwrap_or_default();
    Ok(Row {
        row: number,
        posted,
        amount,
        payee,
        memo: field("MEMO").unwrap_or_default(),
        source_id: field("FITID"),
        check_number: field("CHECKNUM"),
        category: None,
    })
}

/// The encoding an OFX header names: `CHARSET:1252` (1.x) or `encoding="windows-1252"` (2.x).
fn declared_encoding(bytes: &[u8]) -> Option<Encoding> {
    let end = bytes
        .windows(5)
        .position(|w| w.eq_ignore_ascii_case(b"<OFX>"))
        .unwrap_or(bytes.len().min(1024));
    let header = String::from_utf8_lossy(&bytes[..end]).to_ascii_uppercase();
    let latin = [
        "CHARSET:1252",
        "CHARSET:ISO-8859-1",
        "CHARSET:8859-1",
        "WINDOWS-1252",
        "ISO-8859-1",
    ];
    if latin.iter().any(|l| header.contains(l)) {
        Some(Encoding::Windows1252)
    } else if header.contains("UTF-8") {
        Some(Encoding::Utf8)
    } else {
        None
    }
}

/// The element tree of the markup in `text` (the header before the first `<` is skipped).
fn tree(text: &str, limits: Limits) -> Result<Element, FileError> {
    let mut stack = vec![Element::default()];
    let mut rest = text;
    while let Some(open) = rest.find('<') {
        let (before, after) = rest.split_at(open);
        add_text(&mut stack, before);
        if let Some(body) = after.strip_prefix("<![CDATA[") {
            let (data, next) = body.split_once("]]>").unwrap_or((body, ""));
            add_raw_text(&mut stack, data);
            rest = next;
            continue;
        }
        if let Some(body) = after.strip_prefix("<!--") {
            rest = body.find("-->").map_or("", |end| &body[end + 3..]);
            continue;
        }
        let Some(close) = after.find('>') else {
            add_text(&mut stack, after);
            break;
        };
        let tag = &after[1..close];
        rest = &after[close + 1..];
        if tag.starts_with('?') || tag.starts_with('!') {
            continue;
        }
        let (closing, tag) = match tag.strip_prefix('/') {
            Some(name) => (true, name),
            None => (false, tag),
        };
        let self_closing = tag.ends_with('/');
        let name: String = tag
            .trim_end_matches('/')
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_ascii_uppercase();
        let named = tag.starts_with(|c: char| c.is_ascii_alphabetic());
        if !named
            || !name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_')
        {
            // Not a tag (`a < b` in a memo): keep it as text.
            add_text(&mut stack, &after[..close + 1]);
            continue;
        }
        if closing {
            if let Some(at) = stack
                .iter()
                .rposition(|e| e.name == name)
                .filter(|at| *at > 0)
            {
                while stack.len() > at {
                    pop(&mut stack);
                }
            }
            continue;
        }
        // An element that holds text is a leaf: the next tag closes it.
        if stack.len() > 1 && stack.last().is_some_and(|e| !e.text.is_empty()) {
            pop(&mut stack);
        }
        // OFX never nests an element in itself: a second `<STMTTRN>` closes an unclosed first.
        if let Some(at) = stack
            .iter()
            .rposition(|e| e.name == name)
            .filter(|at| *at > 0)
        {
            while stack.len() > at {
                pop(&mut stack);
            }
        }
        if stack.len() > limits.depth {
            return Err(FileError::file(format!(
                "the file nests elements more than {} deep",
                limits.depth
            )));
        }
        stack.push(Element {
            name,
            ..Element::default()
        });
        if self_closing {
            pop(&mut stack);
        }
    }
    add_text(&mut stack, rest);
    while stack.len() > 1 {
        pop(&mut stack);
    }
    Ok(stack.pop().unwrap_or_default())
}

fn add_text(stack: &mut [Element], raw: &str) {
    add_raw_text(stack, &entities(raw));
}

/// Text as it is (a CDATA section's is never decoded).
fn add_raw_text(stack: &mut [Element], text: &str) {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return;
    }
    if let Some(top) = stack.last_mut() {
        if !top.text.is_empty() {
            top.text.push(' ');
        }
        top.text.push_str(trimmed);
    }
}

fn pop(stack: &mut Vec<Element>) {
    if let Some(done) = stack.pop()
        && let Some(parent) = stack.last_mut()
    {
        parent.children.push(done);
    }
}

/// `&amp;` and its four siblings, and `&#NN;`/`&#xNN;`; anything else stays as written.
fn entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let end = rest.find(';').filter(|end| *end <= 10);
        let decoded = end.and_then(|end| {
            let name = &rest[1..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                _ => name
                    .strip_prefix("#x")
                    .or_else(|| name.strip_prefix("#X"))
                    .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                    .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                    .and_then(char::from_u32)
                    .filter(|c| !c.is_control() || c.is_whitespace()),
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests;
