//! Mapped CSV: the layout is found (delimiter, header, sample), dates that fit two orders are
//! reported, debit/credit columns and flipped signs give signed amounts, and every refusal
//! names the line and the column.

use chrono::NaiveDate;

use super::{AmountColumns, Mapping, date_orders, layout, read};
use crate::dates::DateOrder;
use crate::decimal::Style;
use crate::{FileError, Limits};

const SEMICOLON: &[u8] = include_bytes!("../../tests/fixtures/debit-credit-semicolon.csv");

/// The fixture's mapping (also the preset tests' mapping).
pub(crate) fn mapping() -> Mapping {
    Mapping {
        delimiter: b';',
        header: true,
        date: 0,
        amount: AmountColumns::DebitCredit {
            debit: 2,
            credit: 3,
        },
        payee: Some(1),
        memo: None,
        category: None,
        id: Some(4),
        order: DateOrder::Dmy,
        style: Style::COMMA,
        flip_sign: false,
        encoding: None,
    }
}

#[test]
fn the_layout_is_found_and_open_date_orders_are_reported() {
    let found = layout(SEMICOLON, None).expect("layout");
    assert_eq!(found.delimiter, b';');
    assert_eq!(
        found.first,
        ["Date", "Description", "Debit", "Credit", "Reference"],
        "the BOM is not part of the first name"
    );
    assert_eq!(found.sample.len(), 3);
    assert_eq!(
        found.sample[0][1], "Stadtwerke; Strom",
        "a quoted delimiter"
    );
    assert_eq!(found.columns, 5);
    assert_eq!(
        date_orders(SEMICOLON, b';', true, 0),
        Ok(vec![DateOrder::Mdy, DateOrder::Dmy])
    );
}

#[test]
fn debit_and_credit_columns_give_signed_rows() {
    let rows = read(SEMICOLON, &mapping(), Limits::default()).expect("read");
    let seen: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                r.row,
                r.posted,
                r.amount.to_minor(2).expect("minor"),
                r.payee.as_str(),
                r.source_id.as_deref(),
            )
        })
        .collect();
    let day = |d| NaiveDate::from_ymd_opt(2027, 4, d).expect("day");
    assert_eq!(
        seen,
        [
            (2, day(3), -4510, "Stadtwerke; Strom", Some("R1")),
            (3, day(5), 250_000, "Gehalt ACME", Some("R2")),
            (5, day(6), -350, "Café \"Zum Eck\"", Some("R3")),
        ],
        "a blank line is skipped and the line numbers stay the file's"
    );
    let flipped = read(
        SEMICOLON,
        &Mapping {
            flip_sign: true,
            ..mapping()
        },
        Limits::default(),
    )
    .expect("read");
    assert_eq!(flipped[0].amount.to_minor(2), Ok(4510));
}

#[test]
fn a_signed_column_in_point_style() {
    let file = b"posted,amount,payee\n2027-04-03,-45.10,Power\n2027-04-05,\"2,500.00\",Salary\n";
    let m = Mapping {
        delimiter: b',',
        amount: AmountColumns::Signed(1),
        payee: Some(2),
        id: None,
        order: DateOrder::Ymd,
        style: Style::POINT,
        ..mapping()
    };
    let rows = read(file, &m, Limits::default()).expect("read");
    assert_eq!(
        rows.iter()
            .map(|r| r.amount.to_minor(2))
            .collect::<Vec<_>>(),
        [Ok(-4510), Ok(250_000)]
    );
}

fn refusal(file: &[u8], m: &Mapping) -> (usize, String, String) {
    match read(file, m, Limits::default()) {
        Err(FileError::Row { row, field, reason }) => (row, field, reason),
        other => panic!("{other:?}"),
    }
}

#[test]
fn bad_rows_are_named_by_line_and_column() {
    let m = mapping();
    let (row, column, reason) = refusal(
        b"Date;Description;Debit;Credit;Reference\n30/02/2027;X;1,00;;R\n",
        &m,
    );
    assert_eq!((row, column.as_str()), (2, "column 1 (Date)"));
    assert!(reason.contains("'30/02/2027' is not a date"), "{reason}");
    let three_decimals = read(
        b"Date;Description;Debit;Credit;Reference\n01/02/2027;X;12,345;;R\n",
        &m,
        Limits::default(),
    )
    .expect("read");
    assert_eq!(
        three_decimals[0].amount.to_minor(2),
        Err("has 3 decimals; the currency has 2".into()),
        "the account's currency decides"
    );
    let (_, column, reason) = refusal(
        b"Date;Description;Debit;Credit;Reference\n01/02/2027;X;1,00;2,00;R\n",
        &m,
    );
    assert_eq!(column, "column 4 (Credit)");
    assert!(reason.contains("debit column has one too"), "{reason}");
    let (_, column, _) = refusal(
        b"Date;Description;Debit;Credit;Reference\n01/02/2027;X\n",
        &m,
    );
    assert_eq!(column, "column 3 (Debit)", "a short row");
    let (row, column, _) = refusal(
        b"Date;Description;Debit;Credit;Reference\n\"01/02/2027;X;1,00;;R\n",
        &m,
    );
    assert_eq!(
        (row, column.as_str()),
        (2, "column 1 (Date)"),
        "an unclosed quote swallows the row"
    );
}

#[test]
fn hostile_files_are_bounded() {
    let wide = "a;".repeat(5000);
    assert!(
        matches!(layout(wide.as_bytes(), None), Err(FileError::File(r)) if r.contains("columns"))
    );
    let many = "Date;Description;Debit;Credit;Reference\n".to_owned()
        + &"01/02/2027;X;1,00;;R\n".repeat(11);
    let limits = Limits {
        rows: 10,
        ..Limits::default()
    };
    assert!(
        matches!(read(many.as_bytes(), &mapping(), limits), Err(FileError::File(r)) if r.contains("more than 10"))
    );
    assert!(
        matches!(read(b"Date;Description\n", &mapping(), Limits::default()), Err(FileError::File(r)) if r.contains("no rows"))
    );
    assert!(read(b"\x00\x01\x02binary", &mapping(), Limits::default()).is_err());
}
