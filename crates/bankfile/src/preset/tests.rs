//! Presets: the file form round-trips byte for byte, hostile files are refused naming the
//! field, headers are compared normalised, and a file whose columns moved is still read while
//! one whose columns changed says which.

use super::{FORMAT, MAX_BYTES, Preset, PresetError, Role, Shape, normalise, signature};
use crate::Limits;
use crate::csv_map::{AmountColumns, Mapping, first_row, read};
use crate::text::Encoding;

fn cells(cells: &[&str]) -> Vec<String> {
    cells.iter().map(|c| (*c).to_owned()).collect()
}

fn mapping() -> Mapping {
    Mapping {
        encoding: Some(Encoding::Windows1252),
        ..crate::csv_map::tests::mapping()
    }
}

fn preset() -> Preset {
    Preset::new(
        "Sparkasse Giro",
        cells(&["Date", "Description", "Debit", "Credit", "Reference"]),
        &mapping(),
    )
    .expect("preset")
}

fn refused(json: &str) -> PresetError {
    Preset::from_json(json.as_bytes()).expect_err("refused")
}

/// The preset file with `from` replaced by `to` (once).
fn edited(from: &str, to: &str) -> String {
    let text = String::from_utf8(preset().to_json()).expect("utf-8");
    assert!(text.contains(from), "{from} in {text}");
    text.replacen(from, to, 1)
}

#[test]
fn a_preset_file_round_trips_byte_for_byte() {
    let json = preset().to_json();
    let text = String::from_utf8(json.clone()).expect("utf-8");
    assert!(
        text.starts_with(&format!(
            "{{\n  \"format\": \"{FORMAT}\",\n  \"version\": 1,"
        )),
        "{text}"
    );
    assert!(
        text.contains("\"debit\": {\n          \"index\": 2,\n          \"name\": \"Debit\""),
        "{text}"
    );
    let back = Preset::from_json(&json).expect("read");
    assert_eq!(back, preset());
    assert_eq!(back.to_json(), json);
    let stored = Preset::from_parts(back.name(), back.header().to_vec(), &back.mapping_json())
        .expect("parts");
    assert_eq!(stored, preset());
    // The fuzz corpus seeds: hand-written, compact, and read as the same presets.
    let seed = include_bytes!("../../fuzz/corpus/preset_json/semicolon-debit-credit.json");
    assert_eq!(Preset::from_json(seed), Ok(preset()));
    let seed = include_bytes!("../../fuzz/corpus/preset_json/signed-duplicate-names.json");
    let card = Preset::from_json(seed).expect("seed");
    assert_eq!(
        (card.mapping().amount, card.mapping().payee),
        (AmountColumns::Signed(2), Some(3))
    );
}

#[test]
fn hostile_preset_files_are_refused_naming_the_field() {
    let field = |e: PresetError| e.field;
    assert_eq!(
        field(refused(&edited("\"version\": 1", "\"version\": 2"))),
        "version"
    );
    assert_eq!(
        field(refused(&edited("\"version\": 1", "\"version\": \"1\""))),
        "version"
    );
    assert_eq!(field(refused(&edited(FORMAT, "something-else"))), "format");
    let unknown = refused(&edited("\"flip_sign\"", "\"colour\": 1, \"flip_sign\""));
    assert_eq!(unknown.field, "mapping.colour");
    assert!(
        unknown.reason.contains("unknown field `colour`"),
        "{unknown}"
    );
    assert_eq!(
        field(refused(&edited(
            "\"name\": \"Sparkasse",
            "\"extra\": 1, \"name\": \"Sparkasse"
        ))),
        "extra"
    );
    let huge = format!(
        "{{\"format\": \"{FORMAT}\", \"version\": 1, \"name\": \"{}\"}}",
        "x".repeat(MAX_BYTES)
    );
    assert_eq!(field(refused(&huge)), "file");
    let far = refused(&edited("\"index\": 2", "\"index\": 1000000000"));
    assert_eq!(
        (far.field.as_str(), far.reason.as_str()),
        (
            "mapping.amount.debit_credit.debit.index",
            "is 1000000000; the columns are 0 to 4"
        )
    );
    assert_eq!(
        field(refused(&edited(
            "\"index\": 2",
            "\"index\": 100000000000000000000000"
        ))),
        "mapping.amount.debit_credit.debit.index"
    );
    assert_eq!(
        field(refused(&edited("\"index\": 2", "\"index\": -1"))),
        "mapping.amount.debit_credit.debit.index"
    );
    assert_eq!(
        field(refused(&edited(
            "\"name\": \"Debit\"",
            "\"name\": \"Payee\""
        ))),
        "mapping.amount.debit_credit.debit.name"
    );
    assert_eq!(
        field(refused(&edited(
            "\"name\": \"Sparkasse Giro\"",
            "\"name\": \"Spar\\u0007kasse\""
        ))),
        "name"
    );
    assert_eq!(
        field(refused(&edited(
            "\"name\": \"Sparkasse Giro\"",
            "\"name\": \"  \""
        ))),
        "name"
    );
    assert_eq!(
        field(refused(&edited("\"Reference\"\n", "\"Ref\\u0000\"\n"))),
        "header[4]"
    );
    assert_eq!(
        field(refused(&edited(
            "\"delimiter\": \";\"",
            "\"delimiter\": \"x\""
        ))),
        "mapping.delimiter"
    );
    assert_eq!(
        field(refused(&edited(
            "\"date_order\": \"dmy\"",
            "\"date_order\": \"ydm\""
        ))),
        "mapping.date_order"
    );
    assert_eq!(
        field(refused(&edited(
            "\"thousands\": \".\"",
            "\"thousands\": \",\""
        ))),
        "mapping.thousands"
    );
    assert_eq!(
        field(refused(&edited(
            "\"encoding\": \"windows-1252\"",
            "\"encoding\": \"ebcdic\""
        ))),
        "mapping.encoding"
    );
    assert_eq!(
        field(refused(&edited(
            "\"header_row\": true",
            "\"header_row\": false"
        ))),
        "header"
    );
    assert_eq!(field(refused("[1, 2, 3]")), "format");
    assert_eq!(
        field(refused(&edited("\"Credit\",\n", "7,\n"))),
        "header[3]"
    );
    assert_eq!(field(refused("{\"format\": ")), "file");
    let wide = format!("[{}]", vec!["\"c\""; 201].join(","));
    assert_eq!(
        field(refused(&edited(
            "[\n    \"Date\",\n    \"Description\",\n    \"Debit\",\n    \"Credit\",\n    \"Reference\"\n  ]",
            &wide
        ))),
        "header"
    );
}

#[test]
fn headers_are_compared_trimmed_case_folded_and_with_whitespace_collapsed() {
    assert_eq!(normalise("  Posting \t  DATE\u{7} "), "posting date");
    assert_eq!(
        signature(&cells(&["Date", " AMOUNT "])),
        signature(&cells(&["date", "amount"]))
    );
    assert_ne!(
        signature(&cells(&["Date", "Amount"])),
        signature(&cells(&["Amount", "Date"]))
    );
}

#[test]
fn the_same_header_fits_exactly_and_a_reordered_one_is_read_by_names() {
    let p = preset();
    let exact = p.fit(&cells(&[
        "date",
        " Description",
        "DEBIT",
        "Credit",
        "Reference",
    ]));
    assert_eq!(
        (exact.shape, exact.mapping.as_ref()),
        (Shape::Exact, Some(p.mapping()))
    );

    let file = "Reference;Credit;Debit;Date;Description\nR1;;12,50;04.03.2027;Power\n";
    let header = first_row(file.as_bytes(), b';', None).expect("header");
    let moved = p.fit(&header);
    assert_eq!(moved.shape, Shape::Reordered);
    assert!(
        moved
            .shape
            .warning()
            .is_some_and(|w| w.contains("by their names"))
    );
    let rows = read(
        file.as_bytes(),
        &moved.mapping.expect("readable"),
        Limits::default(),
    )
    .expect("rows");
    assert_eq!(
        (
            rows[0].payee.as_str(),
            rows[0].amount.to_minor(2),
            rows[0].source_id.as_deref()
        ),
        ("Power", Ok(-1250), Some("R1"))
    );
}

#[test]
fn a_changed_header_names_the_missing_and_new_columns() {
    let p = preset();
    let fit = p.fit(&cells(&[
        "Date",
        "Details",
        "Debit",
        "Credit",
        "Reference",
        "Balance",
    ]));
    let Shape::Changed(changes) = &fit.shape else {
        panic!("changed: {:?}", fit.shape);
    };
    assert_eq!(changes.missing.len(), 1);
    assert_eq!(
        (changes.missing[0].role, changes.missing[0].name.as_str()),
        (Role::Payee, "Description")
    );
    assert_eq!(
        (changes.added.clone(), changes.removed.clone()),
        (cells(&["Details", "Balance"]), cells(&["Description"]))
    );
    let warning = fit.shape.warning().expect("warning");
    assert!(
        warning.contains("the payee column 'Description' is missing")
            && warning.contains("'Balance'"),
        "{warning}"
    );
    let readable = fit.mapping.expect("the payee is optional");
    assert_eq!(
        (readable.payee, readable.date, readable.id),
        (None, 0, Some(4))
    );

    let no_debit = p.fit(&cells(&[
        "Date",
        "Description",
        "Out",
        "Credit",
        "Reference",
    ]));
    assert!(!no_debit.shape.complete());
    assert_eq!(
        no_debit.mapping, None,
        "without its debit column the file cannot be read"
    );
}

#[test]
fn a_preset_without_a_header_row_reads_by_position() {
    let m = Mapping {
        header: false,
        ..mapping()
    };
    let p = Preset::new("No header", Vec::new(), &m).expect("preset");
    assert_eq!(p.signature(), "");
    assert_eq!(p.fit(&cells(&["01.03.2027", "x"])).shape, Shape::Exact);
    let json = p.to_json();
    assert_eq!(Preset::from_json(&json).expect("read"), p);
    assert_eq!(
        Preset::new("Bad", cells(&["Date"]), &m)
            .expect_err("refused")
            .field,
        "header"
    );
    assert_eq!(
        Preset::new("Bad", cells(&["Date", "Amount"]), &mapping())
            .expect_err("refused")
            .field,
        "mapping.amount.debit_credit.debit.index"
    );
}
