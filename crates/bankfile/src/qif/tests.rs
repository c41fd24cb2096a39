//! The QIF reader: accounts, list sections skipped, splits inside their total, apostrophe
//! years, ambiguous dates asked, comma decimals, and refusals that name the line and field.

use chrono::NaiveDate;

use super::parse;
use crate::dates::DateOrder;
use crate::{FileError, Limits};

const TWO_ACCOUNTS: &[u8] = include_bytes!("../../tests/fixtures/two-accounts.qif");

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("day")
}

#[test]
fn accounts_splits_and_apostrophe_years_are_read() {
    let statements = parse(TWO_ACCOUNTS, None, Limits::default()).expect("parse");
    assert_eq!(statements.len(), 2);
    let checking = &statements[0];
    assert_eq!(checking.account.id.as_deref(), Some("Everyday Checking"));
    let rows: Vec<_> = checking
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
            (13, day(2027, 3, 1), -4510, "City Power & Light"),
            (19, day(2027, 3, 2), -120_000, "Landlord"),
            (29, day(2027, 3, 25), 250_000, "PAYROLL ACME"),
        ]
    );
    assert_eq!(
        checking.rows[0].category.as_deref(),
        Some("Utilities:Power")
    );
    assert_eq!(checking.rows[0].memo, "March bill");
    assert_eq!(checking.rows[1].check_number.as_deref(), Some("1042"));
    let savings = &statements[1];
    assert_eq!(savings.account.id.as_deref(), Some("Savings"));
    assert_eq!(savings.rows.len(), 1, "a last record without its ^");
    assert_eq!(savings.rows[0].amount.to_minor(2), Ok(1000));
}

#[test]
fn ambiguous_dates_are_asked_and_the_answer_is_used() {
    let file = b"!Type:Bank\nD03/04/2027\nT-1\nPA\n^\nD05/06/2027\nT-2\nPB\n^\n";
    assert_eq!(
        parse(file, None, Limits::default()),
        Err(FileError::AmbiguousDates(vec![
            DateOrder::Mdy,
            DateOrder::Dmy
        ]))
    );
    let day_first = parse(file, Some(DateOrder::Dmy), Limits::default()).expect("parse");
    assert_eq!(day_first[0].rows[0].posted, day(2027, 4, 3));
    let month_first = parse(file, Some(DateOrder::Mdy), Limits::default()).expect("parse");
    assert_eq!(month_first[0].rows[0].posted, day(2027, 3, 4));
}

#[test]
fn comma_decimals_are_read_when_the_file_only_reads_that_way() {
    let file =
        b"!Type:Bank\nD25.03.2027\nT-1.234,56\nPMiete\n^\nD26.03.2027\nT-3,50\nPBaeckerei\n^\n";
    let statements = parse(file, None, Limits::default()).expect("parse");
    let amounts: Vec<_> = statements[0]
        .rows
        .iter()
        .map(|r| r.amount.to_minor(2))
        .collect();
    assert_eq!(amounts, [Ok(-123_456), Ok(-350)]);
}

#[test]
fn broken_files_are_refused_naming_line_and_field() {
    for (file, line, field, words) in [
        (
            &b"!Type:Bank\nD02/30/2027\nT-1\n^\nD03/31/2027\nT-1\n^\n"[..],
            2,
            "D",
            "not a date",
        ),
        (
            b"!Type:Bank\nD03/13/2027\nT-1\n^\nD03/14/2027\nTabc\n^\n",
            5,
            "T",
            "not a number",
        ),
        (
            b"!Type:Bank\nD03/13/2027\nPNo amount\n^\n",
            2,
            "T",
            "missing",
        ),
        (b"D03/01/2027\nT1\n^\n", 1, "!Type", "starts with"),
        (b"!Type:Invst\nD03/01/2027\n^\n", 1, "!Type", "investment"),
        (b"!Nonsense\n", 1, "!Type", "not a QIF section"),
    ] {
        match parse(file, None, Limits::default()) {
            Err(FileError::Row {
                row,
                field: f,
                reason,
            }) => {
                assert_eq!((row, f.as_str()), (line, field), "{reason}");
                assert!(reason.contains(words), "{reason}");
            }
            other => panic!("{}: {other:?}", String::from_utf8_lossy(file)),
        }
    }
    assert!(
        matches!(parse(b"!Type:Bank\n", None, Limits::default()), Err(FileError::File(r)) if r.contains("no transactions"))
    );
    let many = "!Type:Bank\n".to_owned() + &"D03/01/2027\nT1\n^\n".repeat(6);
    let limits = Limits {
        rows: 5,
        ..Limits::default()
    };
    assert!(
        matches!(parse(many.as_bytes(), None, limits), Err(FileError::File(r)) if r.contains("more than 5"))
    );
}
