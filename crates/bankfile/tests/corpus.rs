//! Replays the committed corpus (`tests/fixtures`, ours, and `tests/corpus/ofxparse`, the
//! ofxparse package's MIT-licensed fixtures) and hostile inputs made here through the format sniffer and the right
//! reader: no file panics, every refusal is a [`bankfile::FileError`], and the known files
//! read as many rows as they hold. `scripts/ofx-differential` compares the same corpus with an
//! independent parser.

use std::path::Path;

use bankfile::{FileError, Format, Limits, csv_map, ofx, qif, sniff::sniff};

/// Reads `bytes` the way an import would: sniff, then the format's reader (CSV: its layout).
fn read(bytes: &[u8]) -> Result<usize, FileError> {
    match sniff(bytes)? {
        Format::Ofx => Ok(ofx::parse(bytes, Limits::default())?
            .iter()
            .map(|s| s.rows.len())
            .sum()),
        Format::Qif => Ok(qif::parse(bytes, None, Limits::default())?
            .iter()
            .map(|s| s.rows.len())
            .sum()),
        Format::Csv => Ok(csv_map::layout(bytes, None)?.sample.len()),
    }
}

#[test]
fn the_corpus_reads_without_a_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut seen = Vec::new();
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    for sub in [fixtures, dir.join("ofxparse")] {
        for entry in std::fs::read_dir(&sub).expect("corpus") {
            let path = entry.expect("entry").path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            if !(name.ends_with(".ofx")
                || name.ends_with(".qfx")
                || name.ends_with(".qif")
                || name.ends_with(".csv"))
            {
                continue;
            }
            let bytes = std::fs::read(&path).expect("read");
            seen.push((name, read(&bytes).ok()));
        }
    }
    seen.sort();
    let rows = |file: &str| {
        seen.iter()
            .find(|(n, _)| n == file)
            .and_then(|(_, rows)| *rows)
    };
    for (file, expected) in [
        ("bank-1x-sgml-1252.ofx", Some(5)),
        ("card-2x.qfx", Some(2)),
        ("checking.ofx", Some(3)),
        ("bank_medium.ofx", Some(3)),
        ("fidelity-savings.ofx", Some(4)),
        ("suncorp.ofx", Some(1)),
        ("fail_nice-date_missing.ofx", None),
        ("signon_success.ofx", None),
    ] {
        assert_eq!(rows(file), expected, "{file}");
    }
    assert!(seen.len() >= 28, "the corpus is there: {}", seen.len());
    assert_eq!(rows("two-accounts.qif"), Some(4));
    assert_eq!(rows("debit-credit-semicolon.csv"), Some(3));
}

#[test]
fn hostile_inputs_are_refused_or_bounded() {
    let one_line = vec![b'x'; 10 * 1024 * 1024];
    let layout = csv_map::layout(&one_line, None).expect("one column of one row");
    assert_eq!(
        (layout.columns, layout.first[0].chars().count()),
        (1, 200),
        "cells shown are cut"
    );
    // A quote bomb: one cell of 50 000 escaped quotes, shown cut to 200 characters.
    let quotes = "\"".repeat(100_000);
    let bomb = csv_map::layout(quotes.as_bytes(), None).expect("one quoted cell");
    assert_eq!((bomb.columns, bomb.first[0].chars().count()), (1, 200));
    let columns = ",".repeat(1_000_000);
    assert!(matches!(read(columns.as_bytes()), Err(FileError::File(r)) if r.contains("columns")));
    let nested = "<OFX>".to_owned() + &(0..10_000).map(|i| format!("<X{i}>")).collect::<String>();
    assert!(matches!(read(nested.as_bytes()), Err(FileError::File(r)) if r.contains("deep")));
    let entity = "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;\">]><OFX><STMTTRN><DTPOSTED>20270101<TRNAMT>1<NAME>&lol2;</STMTTRN></OFX>";
    assert!(matches!(read(entity.as_bytes()), Err(FileError::File(r)) if r.contains("DOCTYPE")));
    for bytes in [
        &b""[..],
        b"\xFF\xFE",
        b"\0\0\0\0",
        b"!Type:Bank\n^\n^\n",
        b"<OFX>",
        b"OFXHEADER:100\n",
    ] {
        assert!(read(bytes).is_err(), "{bytes:?}");
    }
}
