//! The entry points of the fuzz targets (`fuzz/`, run with `cargo +nightly fuzz run <target>`),
//! kept in the library so that the ordinary test run replays the committed corpus
//! (`fuzz/corpus/<target>/`) through exactly the same code (`tests/fuzz_corpus.rs`), without
//! nightly. Each reads or refuses its input; a panic is the only failure.

use crate::csv_map::{self, AmountColumns, Mapping};
use crate::dates::DateOrder;
use crate::decimal::Style;
use crate::{Limits, ofx, preset, qif, sniff};

/// Small limits, so that the fuzzer explores structure rather than size.
const LIMITS: Limits = Limits {
    rows: 1_000,
    depth: 32,
    field_chars: 200,
};

/// A fuzz target's entry point.
pub type Target = fn(&[u8]);

/// The fuzz targets, by name (the directories of `fuzz/corpus`).
pub const TARGETS: [(&str, Target); 6] = [
    ("ofx_sgml", ofx_sgml),
    ("ofx_xml", ofx_xml),
    ("qif", qif),
    ("csv_map", csv_map),
    ("sniff_and_read", sniff_and_read),
    ("preset_json", preset_json),
];

pub fn ofx_sgml(data: &[u8]) {
    let file = [
        &b"OFXHEADER:100\r\nDATA:OFXSGML\r\nVERSION:102\r\nCHARSET:1252\r\n\r\n"[..],
        data,
    ]
    .concat();
    let _ = ofx::parse(&file, LIMITS);
}

pub fn ofx_xml(data: &[u8]) {
    let file = [
        &b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><?OFX OFXHEADER=\"200\" VERSION=\"220\"?>"[..],
        data,
    ]
    .concat();
    let _ = ofx::parse(&file, LIMITS);
}

pub fn qif(data: &[u8]) {
    for order in [None, Some(DateOrder::Dmy)] {
        let _ = qif::parse(data, order, LIMITS);
    }
}

/// The first byte picks the mapping (delimiter, amount columns, order, style, sign).
pub fn csv_map(data: &[u8]) {
    let Some((&pick, file)) = data.split_first() else {
        return;
    };
    let bit = |n: u8| pick & (1 << n) != 0;
    let mapping = Mapping {
        delimiter: [b',', b';', b'\t', b'|'][usize::from(pick & 3)],
        header: bit(2),
        date: 0,
        amount: if bit(3) {
            AmountColumns::DebitCredit {
                debit: 1,
                credit: 2,
            }
        } else {
            AmountColumns::Signed(1)
        },
        payee: Some(2),
        memo: bit(4).then_some(3),
        category: None,
        id: bit(4).then_some(4),
        order: DateOrder::ALL[usize::from(pick >> 5) % 3],
        style: if bit(7) { Style::COMMA } else { Style::POINT },
        flip_sign: bit(6),
        encoding: None,
    };
    let _ = csv_map::layout(file, None);
    let _ = csv_map::date_orders(file, mapping.delimiter, mapping.header, 0);
    if let Ok(rows) = csv_map::read(file, &mapping, LIMITS) {
        for row in rows {
            let _ = row.amount.to_minor(2);
        }
    }
}

pub fn sniff_and_read(data: &[u8]) {
    match sniff::sniff(data) {
        Ok(sniff::Format::Ofx) => {
            let _ = ofx::parse(data, LIMITS);
        }
        Ok(sniff::Format::Qif) => {
            let _ = qif::parse(data, None, LIMITS);
        }
        Ok(sniff::Format::Csv) => {
            let _ = csv_map::layout(data, None);
        }
        Err(_) => {}
    }
}

/// A preset file: read strictly or refused. One that is read must write a file that reads
/// back the same and fit its own header exactly (the assertions are this target's failures),
/// and is fitted to its header reversed.
pub fn preset_json(data: &[u8]) {
    let Ok(read) = preset::Preset::from_json(data) else {
        return;
    };
    assert_eq!(
        preset::Preset::from_json(&read.to_json()).as_ref(),
        Ok(&read)
    );
    assert_eq!(read.fit(read.header()).shape, preset::Shape::Exact);
    let reversed: Vec<String> = read.header().iter().rev().cloned().collect();
    let _ = read.fit(&reversed);
}
