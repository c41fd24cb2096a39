//! The OFX reader against the quirks of real files: 1.x SGML with unclosed leaves, a 1252
//! header, bare ampersands and unknown entities, `INTU.BID`; 2.x XML with a `PAYEE` aggregate
//! and a decimal comma; and the hostile cases (DOCTYPE, ENTITY, depth, row count, bad fields).

use chrono::NaiveDate;

use super::parse;
use crate::{FileError, Limits};

const SGML: &[u8] = include_bytes!("../../tests/fixtures/bank-1x-sgml-1252.ofx");
const XML: &[u8] = include_bytes!("../../tests/fixtures/card-2x.qfx");

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("day")
}

#[test]
fn a_1x_sgml_statement_is_read_with_its_quirks() {
    let statements = parse(SGML, Limits::default()).expect("parse");
    assert_eq!(statements.len(), 1);
    let s = &statements[0];
    assert_eq!(s.account.id.as_deref(), Some("000123456789"));
    assert_eq!(s.account.currency.as_deref(), Some("USD"));
    assert_eq!(s.account.institution.as_deref(), Some("First Example Bank"));
    let rows: Vec<_> = s
        .rows
        .iter()
        .map(|r| {
            (
                r.row,
                r.posted,
                r.amount.to_minor(2).expect("minor"),
                r.payee.as_str(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (1, day(2027, 3, 1), -4510, "AT&T Wireless"),
            (2, day(2027, 3, 2), -120_000, "Landlord <rent>"),
            (3, day(2027, 3, 3), 250_000, "PAYROLL ACME"),
            (4, day(2027, 3, 4), -350, "Coffee"),
            (5, day(2027, 3, 4), -350, "Coffee"),
        ]
    );
    assert_eq!(
        s.rows[0].memo, "Café & phone &nbsp;bill",
        "1252 text, known and unknown entities"
    );
    assert_eq!(s.rows[0].source_id.as_deref(), Some("2027030101"));
    assert_eq!(s.rows[1].check_number.as_deref(), Some("1042"));
    assert_eq!(
        s.rows[2].source_id.as_deref(),
        Some("2027030303"),
        "a STMTTRN never closed"
    );
}

#[test]
fn a_2x_xml_card_statement_is_read() {
    let statements = parse(XML, Limits::default()).expect("parse");
    let s = &statements[0];
    assert_eq!(s.account.id.as_deref(), Some("XXXXXXXXXXXX4242"));
    assert_eq!(s.account.currency.as_deref(), Some("EUR"));
    assert_eq!(s.account.institution.as_deref(), Some("Card Co"));
    assert_eq!(s.rows.len(), 2);
    assert_eq!(
        s.rows[0].payee, "Streamly",
        "the NAME inside a PAYEE aggregate"
    );
    assert_eq!(s.rows[0].amount.to_minor(2), Ok(-1599), "a decimal comma");
    assert_eq!(s.rows[1].payee, "Payment — thank you");
    assert_eq!(s.rows[1].posted, day(2027, 3, 1));
}

fn refusal(bytes: &[u8], limits: Limits) -> FileError {
    parse(bytes, limits).expect_err("refused")
}

#[test]
fn hostile_and_broken_files_are_refused_by_name() {
    let doctype = b"<?xml version=\"1.0\"?><!DOCTYPE ofx [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><OFX><STMTTRN><DTPOSTED>20270101<TRNAMT>&x;</STMTTRN></OFX>";
    assert!(
        matches!(refusal(doctype, Limits::default()), FileError::File(r) if r.contains("DOCTYPE"))
    );

    let deep: String = (0..100).map(|i| format!("<A{i}>")).collect();
    let deep = format!("<OFX>{deep}</OFX>");
    assert!(
        matches!(refusal(deep.as_bytes(), Limits::default()), FileError::File(r) if r.contains("deep"))
    );

    let many = format!(
        "<OFX>{}</OFX>",
        "<STMTTRN><DTPOSTED>20270101<TRNAMT>1</STMTTRN>".repeat(11)
    );
    let limits = Limits {
        rows: 10,
        ..Limits::default()
    };
    assert!(
        matches!(refusal(many.as_bytes(), limits), FileError::File(r) if r.contains("more than 10"))
    );

    for (body, field, words) in [
        ("<DTPOSTED>20270230<TRNAMT>1", "DTPOSTED", "not a day"),
        ("<TRNAMT>1", "DTPOSTED", "missing"),
        ("<DTPOSTED>20270101<TRNAMT>1e9", "TRNAMT", "exponent"),
        (
            "<DTPOSTED>20270101<TRNAMT>99999999999999999999999",
            "TRNAMT",
            "too large",
        ),
        ("<DTPOSTED>20270101", "TRNAMT", "missing"),
    ] {
        let file = format!(
            "<OFX><STMTTRN><DTPOSTED>20270101<TRNAMT>1</STMTTRN><STMTTRN>{body}</STMTTRN></OFX>"
        );
        match refusal(file.as_bytes(), Limits::default()) {
            FileError::Row {
                row,
                field: f,
                reason,
            } => {
                assert_eq!((row, f.as_str()), (2, field), "{body}");
                assert!(reason.contains(words), "{body}: {reason}");
            }
            other => panic!("{body}: {other:?}"),
        }
    }
    assert!(
        matches!(refusal(b"<OFX><SIGNONMSGSRSV1></SIGNONMSGSRSV1></OFX>", Limits::default()), FileError::File(r) if r.contains("no bank, card"))
    );
}

#[test]
fn fields_are_bounded_and_text_that_is_no_tag_stays_text() {
    let long = "x".repeat(5000);
    let file = format!(
        "<OFX><STMTTRN><DTPOSTED>20270101<TRNAMT>1<NAME>{long}<MEMO>a < b > c</STMTTRN></OFX>"
    );
    let statements = parse(file.as_bytes(), Limits::default()).expect("parse");
    let row = &statements[0].rows[0];
    assert_eq!(row.payee.chars().count(), 1000);
    assert_eq!(row.memo, "a < b > c");
}

#[test]
fn cdata_is_text_as_written() {
    let file = b"<OFX><STMTTRN><DTPOSTED>20270101</DTPOSTED><TRNAMT>1</TRNAMT><NAME><![CDATA[Fish &amp; <Chips>  ]]></NAME></STMTTRN></OFX>";
    let statements = parse(file, Limits::default()).expect("parse");
    assert_eq!(statements[0].rows[0].payee, "Fish &amp; <Chips>");
}
