//! Mapping presets: a CSV [`Mapping`] kept with the header row it was made for, so the next
//! file of the same shape is read without mapping it again, and shared as a small versioned
//! JSON file:
//!
//! ```json
//! {"format": "billtracker-csv-preset", "version": 1, "name": "First Bank checking",
//!  "header": ["Date", "Amount", "Payee"],
//!  "mapping": {"delimiter": ",", "header_row": true, "encoding": null,
//!              "date": {"index": 0, "name": "Date"},
//!              "amount": {"signed": {"index": 1, "name": "Amount"}}, …}}
//! ```
//!
//! A [`Preset`] exists only validated ([`Preset::new`], [`Preset::from_json`],
//! [`Preset::from_parts`]): a name of 1–80 characters without control characters, at most
//! [`MAX_COLUMNS`] header cells of at most 200 characters, every column inside the header
//! (and below [`MAX_COLUMNS`]), named as the header names it. The file form is strict: at most
//! [`MAX_BYTES`], `format` and `version` checked first (so a newer file is refused for its
//! version, not for a field this version does not know), unknown fields refused, and every
//! refusal names the field by its path (`mapping.amount.signed.index`). Columns are kept by
//! index *and* header name, so a file whose columns moved is still read ([`shape`]).

pub mod shape;
mod wire;

use crate::csv_map::{MAX_COLUMNS, Mapping};
use wire::{File, WireMapping, to_mapping, wire};

pub use shape::{Changes, Fit, MissingColumn, Role, Shape, normalise, signature};

/// The `format` of a preset file.
pub const FORMAT: &str = "billtracker-csv-preset";
/// The `version` of the preset files this code writes and reads.
pub const VERSION: u64 = 1;
/// The largest preset file read.
pub const MAX_BYTES: usize = 64 * 1024;
/// The longest preset name.
pub const MAX_NAME_CHARS: usize = 80;
/// The longest header cell kept.
pub const MAX_CELL_CHARS: usize = 200;

/// Why a preset is refused: the field, as a path in the preset file, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct PresetError {
    pub field: String,
    pub reason: String,
}

impl PresetError {
    fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

/// A validated preset: its name, the header row it was made for (empty for a file without
/// one) and its mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preset {
    name: String,
    header: Vec<String>,
    mapping: Mapping,
}

impl Preset {
    /// A preset named `name` for files whose first row is `header` (empty when the mapping
    /// says the file has no header row).
    pub fn new(name: &str, header: Vec<String>, mapping: &Mapping) -> Result<Self, PresetError> {
        let name = check_name("name", name)?;
        check_header(&header, mapping.header)?;
        let preset = Self {
            name,
            header,
            mapping: mapping.clone(),
        };
        // The mapping is checked in its file form: one set of rules for both ways in.
        let wire = wire(&preset);
        let mapping = to_mapping(&wire, &preset.header)?;
        Ok(Self { mapping, ..preset })
    }

    /// Reads a preset file, strictly.
    pub fn from_json(bytes: &[u8]) -> Result<Self, PresetError> {
        if bytes.len() > MAX_BYTES {
            return Err(PresetError::new(
                "file",
                format!("is larger than {} KB", MAX_BYTES / 1024),
            ));
        }
        let value: serde_json::Value = serde_json::from_slice(bytes)
            .map_err(|e| PresetError::new("file", format!("is not JSON ({e})")))?;
        let format = value.get("format").and_then(serde_json::Value::as_str);
        if format != Some(FORMAT) {
            return Err(PresetError::new(
                "format",
                format!("must be \"{FORMAT}\" (this is not a BillTracker CSV preset)"),
            ));
        }
        let version = value.get("version").and_then(serde_json::Value::as_u64);
        if version != Some(VERSION) {
            return Err(PresetError::new(
                "version",
                format!("must be {VERSION}: this BillTracker reads version {VERSION} presets"),
            ));
        }
        let file: File = serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            let field = if path == "." { "file".to_owned() } else { path };
            PresetError::new(field, e.into_inner().to_string())
        })?;
        let name = check_name("name", &file.name)?;
        check_header(&file.header, file.mapping.header_row)?;
        let mapping = to_mapping(&file.mapping, &file.header)?;
        Ok(Self {
            name,
            header: file.header,
            mapping,
        })
    }

    /// A stored preset again: its name, header and [`Preset::mapping_json`].
    pub fn from_parts(
        name: &str,
        header: Vec<String>,
        mapping_json: &str,
    ) -> Result<Self, PresetError> {
        let wire: WireMapping =
            serde_path_to_error::deserialize(&mut serde_json::Deserializer::from_str(mapping_json))
                .map_err(|e| PresetError::new(format!("mapping.{}", e.path()), e.to_string()))?;
        let name = check_name("name", name)?;
        check_header(&header, wire.header_row)?;
        let mapping = to_mapping(&wire, &header)?;
        Ok(Self {
            name,
            header,
            mapping,
        })
    }

    /// The same preset under another name.
    pub fn renamed(&self, name: &str) -> Result<Self, PresetError> {
        Ok(Self {
            name: check_name("name", name)?,
            ..self.clone()
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The header row the preset was made for, as the file wrote it.
    pub fn header(&self) -> &[String] {
        &self.header
    }

    /// The mapping for a file with exactly [`Preset::header`]; [`Preset::fit`] for another.
    pub fn mapping(&self) -> &Mapping {
        &self.mapping
    }

    /// The header's [`signature`], by which files are recognised ("" without a header row).
    pub fn signature(&self) -> String {
        signature(&self.header)
    }

    /// The preset file: pretty JSON ending in a line break; the same preset always gives the
    /// same bytes.
    pub fn to_json(&self) -> Vec<u8> {
        let file = File {
            format: FORMAT.to_owned(),
            version: VERSION,
            name: self.name.clone(),
            header: self.header.clone(),
            mapping: wire(self),
        };
        // Strings, numbers and booleans only: serialising cannot fail.
        let mut bytes = serde_json::to_vec_pretty(&file).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }

    /// The mapping alone in its file form, to store (read back with [`Preset::from_parts`]).
    pub fn mapping_json(&self) -> String {
        serde_json::to_string(&wire(self)).unwrap_or_default()
    }
}

fn check_name(field: &str, raw: &str) -> Result<String, PresetError> {
    let name = raw.trim();
    let count = name.chars().count();
    if count == 0 || count > MAX_NAME_CHARS {
        return Err(PresetError::new(
            field,
            format!("must be 1–{MAX_NAME_CHARS} characters"),
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(PresetError::new(
            field,
            "must not contain control characters",
        ));
    }
    Ok(name.to_owned())
}

fn check_header(header: &[String], header_row: bool) -> Result<(), PresetError> {
    if header.len() > MAX_COLUMNS {
        return Err(PresetError::new(
            "header",
            format!("has {} cells; at most {MAX_COLUMNS}", header.len()),
        ));
    }
    match (header_row, header.is_empty()) {
        (true, true) => {
            return Err(PresetError::new(
                "header",
                "must hold the file's header row (mapping.header_row is true)",
            ));
        }
        (false, false) => {
            return Err(PresetError::new(
                "header",
                "must be empty for a file without a header row (mapping.header_row is false)",
            ));
        }
        _ => {}
    }
    for (i, cell) in header.iter().enumerate() {
        if cell.chars().count() > MAX_CELL_CHARS || cell.chars().any(char::is_control) {
            return Err(PresetError::new(
                format!("header[{i}]"),
                format!("must be at most {MAX_CELL_CHARS} characters without control characters"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
