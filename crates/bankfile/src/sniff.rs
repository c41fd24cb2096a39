//! Which format a file is, from its first bytes — never from its name, which the person's
//! browser sends and anyone can change. Known binary formats are named in the refusal (a
//! spreadsheet or a PDF statement is a common mistake).

use crate::FileError;

/// A statement format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// OFX or QFX, 1.x (SGML) or 2.x (XML).
    Ofx,
    Qif,
    /// Any other text: read as a delimited file with the person's column mapping.
    Csv,
}

impl Format {
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Ofx => "ofx",
            Format::Qif => "qif",
            Format::Csv => "csv",
        }
    }
}

/// Binary formats people upload by mistake, by magic number.
const BINARY: [(&[u8], &str); 6] = [
    (
        b"PK\x03\x04",
        "a ZIP archive (an XLSX workbook is one: export it as CSV)",
    ),
    (b"%PDF", "a PDF document (ask the bank for CSV, OFX or QIF)"),
    (b"\x89PNG", "a PNG image"),
    (b"\xFF\xD8\xFF", "a JPEG image"),
    (
        b"\xD0\xCF\x11\xE0",
        "an old Excel or Word file (export it as CSV)",
    ),
    (b"\x1F\x8B", "a gzip archive"),
];

/// The format of `bytes`.
pub fn sniff(bytes: &[u8]) -> Result<Format, FileError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(FileError::file("the file is empty"));
    }
    if let Some((_, what)) = BINARY.iter().find(|(magic, _)| bytes.starts_with(magic)) {
        return Err(FileError::file(format!(
            "the file is {what}, not a bank statement"
        )));
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        // UTF-16 text (a BOM says so): sniff what it says.
        let (text, _) = crate::text::decode(bytes, None)?;
        return sniff(text.as_bytes());
    }
    if bytes.iter().take(4096).any(|b| *b == 0) {
        return Err(FileError::file(
            "the file is binary (it holds NUL bytes), not a bank statement",
        ));
    }
    let head: Vec<u8> = bytes
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(bytes)
        .iter()
        .take(4096)
        .map(u8::to_ascii_uppercase)
        .collect();
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(0);
    let head = &head[start..];
    let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    if head.starts_with(b"OFXHEADER") || head.starts_with(b"<OFX>") || has(b"<?OFX") {
        return Ok(Format::Ofx);
    }
    if head.starts_with(b"<?XML") && has(b"<OFX>") {
        return Ok(Format::Ofx);
    }
    if head.starts_with(b"!TYPE:") || head.starts_with(b"!ACCOUNT") || head.starts_with(b"!OPTION")
    {
        return Ok(Format::Qif);
    }
    if head.starts_with(b"<") {
        return Err(FileError::file(
            "the file is markup (HTML or XML) but not an OFX statement",
        ));
    }
    Ok(Format::Csv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_known_by_their_content() {
        assert_eq!(sniff(b"OFXHEADER:100\r\nDATA:OFXSGML"), Ok(Format::Ofx));
        assert_eq!(
            sniff(b"\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<?OFX OFXHEADER=\"200\"?><OFX>"),
            Ok(Format::Ofx)
        );
        assert_eq!(sniff(b"\n  <ofx>\n<signonmsgsrsv1>"), Ok(Format::Ofx));
        assert_eq!(sniff(b"!Type:Bank\nD1/2/27\n"), Ok(Format::Qif));
        assert_eq!(sniff(b"Date,Amount,Payee\n"), Ok(Format::Csv));
        assert_eq!(
            sniff(b"\xFF\xFE!\0T\0y\0p\0e\0:\0B\0a\0n\0k\0"),
            Ok(Format::Qif),
            "UTF-16 with a BOM"
        );
    }

    #[test]
    fn other_files_are_named() {
        for (bytes, words) in [
            (&b"PK\x03\x04rest"[..], "ZIP"),
            (b"%PDF-1.7", "PDF"),
            (b"   \n", "empty"),
            (b"", "empty"),
            (b"<html><body>", "markup"),
            (b"\x00\x01\x02", "NUL"),
        ] {
            match sniff(bytes) {
                Err(FileError::File(reason)) => assert!(reason.contains(words), "{reason}"),
                other => panic!("{other:?}"),
            }
        }
    }
}
