//! The preset file's form: stable field names, columns by index and header name, written
//! and read by serde, and checked into a [`Mapping`] ([`to_mapping`]) against the header —
//! the one set of rules for a preset made here and a preset file read.

use serde::{Deserialize, Serialize};

use super::{Preset, PresetError, normalise};
use crate::csv_map::{AmountColumns, MAX_COLUMNS, Mapping};
use crate::dates::DateOrder;
use crate::decimal::Style;
use crate::text::Encoding;

/// The preset file.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct File {
    pub(super) format: String,
    pub(super) version: u64,
    pub(super) name: String,
    pub(super) header: Vec<String>,
    pub(super) mapping: WireMapping,
}

/// The mapping as a preset file writes it: stable names, columns by index and header name.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct WireMapping {
    pub(super) delimiter: String,
    pub(super) header_row: bool,
    pub(super) encoding: Option<String>,
    pub(super) date: Column,
    pub(super) amount: WireAmount,
    pub(super) payee: Option<Column>,
    pub(super) memo: Option<Column>,
    pub(super) category: Option<Column>,
    pub(super) id: Option<Column>,
    pub(super) date_order: String,
    pub(super) decimal: String,
    pub(super) thousands: Option<String>,
    pub(super) flip_sign: bool,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct Column {
    pub(super) index: usize,
    /// The header's cell at `index` ("" for a file without a header row).
    pub(super) name: String,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub(super) enum WireAmount {
    Signed(Column),
    DebitCredit { debit: Column, credit: Column },
}

const DELIMITERS: [(u8, &str); 4] = [(b',', ","), (b';', ";"), (b'\t', "\t"), (b'|', "|")];
const ENCODINGS: [(Encoding, &str); 3] = [
    (Encoding::Utf8, "utf-8"),
    (Encoding::Windows1252, "windows-1252"),
    (Encoding::Utf16, "utf-16"),
];
const THOUSANDS: [char; 4] = [',', '.', '\'', ' '];

/// `preset`'s mapping in its file form (columns named by the header).
pub(super) fn wire(preset: &Preset) -> WireMapping {
    let m = &preset.mapping;
    let column = |index: usize| Column {
        index,
        name: preset.header.get(index).cloned().unwrap_or_default(),
    };
    let text_of = |c: char| c.to_string();
    WireMapping {
        delimiter: DELIMITERS
            .iter()
            .find(|(d, _)| *d == m.delimiter)
            .map_or_else(|| char::from(m.delimiter).to_string(), |(_, s)| (*s).into()),
        header_row: m.header,
        encoding: m.encoding.and_then(|e| {
            ENCODINGS
                .iter()
                .find(|(known, _)| *known == e)
                .map(|(_, s)| (*s).to_owned())
        }),
        date: column(m.date),
        amount: match m.amount {
            AmountColumns::Signed(i) => WireAmount::Signed(column(i)),
            AmountColumns::DebitCredit { debit, credit } => WireAmount::DebitCredit {
                debit: column(debit),
                credit: column(credit),
            },
        },
        payee: m.payee.map(column),
        memo: m.memo.map(column),
        category: m.category.map(column),
        id: m.id.map(column),
        date_order: m.order.as_str().to_owned(),
        decimal: text_of(m.style.decimal),
        thousands: m.style.thousands.map(text_of),
        flip_sign: m.flip_sign,
    }
}

/// The file form checked against `header` and turned into a [`Mapping`].
pub(super) fn to_mapping(wire: &WireMapping, header: &[String]) -> Result<Mapping, PresetError> {
    let column = |field: &str, c: &Column| -> Result<usize, PresetError> {
        let limit = if header.is_empty() {
            MAX_COLUMNS
        } else {
            header.len()
        };
        if c.index >= limit {
            return Err(PresetError::new(
                format!("mapping.{field}.index"),
                format!("is {}; the columns are 0 to {}", c.index, limit - 1),
            ));
        }
        let expected = header.get(c.index).map_or("", String::as_str);
        if normalise(&c.name) != normalise(expected) {
            return Err(PresetError::new(
                format!("mapping.{field}.name"),
                format!(
                    "is '{}' but column {} of the header is '{expected}'",
                    crate::bounded(&c.name, 60),
                    c.index
                ),
            ));
        }
        Ok(c.index)
    };
    let optional =
        |field: &str, c: &Option<Column>| c.as_ref().map(|c| column(field, c)).transpose();
    let amount = match &wire.amount {
        WireAmount::Signed(c) => AmountColumns::Signed(column("amount.signed", c)?),
        WireAmount::DebitCredit { debit, credit } => {
            let debit = column("amount.debit_credit.debit", debit)?;
            let credit = column("amount.debit_credit.credit", credit)?;
            if debit == credit {
                return Err(PresetError::new(
                    "mapping.amount.debit_credit.credit",
                    "must be another column than the debit",
                ));
            }
            AmountColumns::DebitCredit { debit, credit }
        }
    };
    let one_char = |field: &str, text: &str, allowed: &[char]| -> Result<char, PresetError> {
        let mut chars = text.chars();
        match (chars.next(), chars.next()) {
            (Some(c), None) if allowed.contains(&c) => Ok(c),
            _ => Err(PresetError::new(
                format!("mapping.{field}"),
                format!(
                    "must be one of {}",
                    allowed
                        .iter()
                        .map(|c| format!("'{c}'"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
        }
    };
    let decimal = one_char("decimal", &wire.decimal, &['.', ','])?;
    let thousands = wire
        .thousands
        .as_deref()
        .map(|t| one_char("thousands", t, &THOUSANDS))
        .transpose()?;
    if thousands == Some(decimal) {
        return Err(PresetError::new(
            "mapping.thousands",
            "must differ from the decimal separator",
        ));
    }
    Ok(Mapping {
        delimiter: DELIMITERS
            .iter()
            .find(|(_, s)| *s == wire.delimiter)
            .map(|(d, _)| *d)
            .ok_or_else(|| {
                PresetError::new("mapping.delimiter", "must be one of ',', ';', '|' or a tab")
            })?,
        header: wire.header_row,
        date: column("date", &wire.date)?,
        amount,
        payee: optional("payee", &wire.payee)?,
        memo: optional("memo", &wire.memo)?,
        category: optional("category", &wire.category)?,
        id: optional("id", &wire.id)?,
        order: DateOrder::parse(&wire.date_order).ok_or_else(|| {
            PresetError::new("mapping.date_order", "must be \"ymd\", \"mdy\" or \"dmy\"")
        })?,
        style: Style { decimal, thousands },
        flip_sign: wire.flip_sign,
        encoding: wire
            .encoding
            .as_deref()
            .map(|name| {
                ENCODINGS
                    .iter()
                    .find(|(_, s)| *s == name)
                    .map(|(e, _)| *e)
                    .ok_or_else(|| {
                        PresetError::new(
                            "mapping.encoding",
                            "must be \"utf-8\", \"windows-1252\", \"utf-16\" or null (by content)",
                        )
                    })
            })
            .transpose()?,
    })
}
