//! A statement file's bytes as text. UTF-8 (a BOM is dropped) is read as is; bytes that are
//! not UTF-8 are read as Windows-1252, the superset of ISO-8859-1 that banks' "Latin-1" files
//! are in practice (`€` at 0x80). UTF-16 files (a UTF-16 BOM, or NUL bytes) are decoded when
//! they carry a BOM and refused otherwise: a NUL in text is a binary file.

use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1252};

use crate::FileError;

/// The encodings a file may be read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    /// Also ISO-8859-1.
    Windows1252,
    Utf16,
}

/// `bytes` decoded: in `forced` when the caller (an OFX header, the person) names it, else by
/// BOM, else UTF-8 when valid, else Windows-1252.
pub fn decode(bytes: &[u8], forced: Option<Encoding>) -> Result<(String, Encoding), FileError> {
    if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
        return utf8(rest);
    }
    for (bom, encoding) in [(b"\xFF\xFE", UTF_16LE), (b"\xFE\xFF", UTF_16BE)] {
        if let Some(rest) = bytes.strip_prefix(bom) {
            let (text, had_errors) = encoding.decode_without_bom_handling(rest);
            if had_errors {
                return Err(FileError::file("the file is not valid UTF-16"));
            }
            return refuse_nul(text.into_owned(), Encoding::Utf16);
        }
    }
    match forced {
        Some(Encoding::Windows1252) => latin(bytes),
        Some(Encoding::Utf8) => utf8(bytes),
        Some(Encoding::Utf16) | None => match std::str::from_utf8(bytes) {
            Ok(text) => refuse_nul(text.to_owned(), Encoding::Utf8),
            Err(_) => latin(bytes),
        },
    }
}

fn utf8(bytes: &[u8]) -> Result<(String, Encoding), FileError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        FileError::file(format!(
            "the file is not valid UTF-8 (at byte {})",
            e.valid_up_to()
        ))
    })?;
    refuse_nul(text.to_owned(), Encoding::Utf8)
}

fn latin(bytes: &[u8]) -> Result<(String, Encoding), FileError> {
    let (text, _) = WINDOWS_1252.decode_without_bom_handling(bytes);
    refuse_nul(text.into_owned(), Encoding::Windows1252)
}

fn refuse_nul(text: String, encoding: Encoding) -> Result<(String, Encoding), FileError> {
    if text.contains('\0') {
        return Err(FileError::file(
            "the file holds NUL bytes: it is a binary file (or UTF-16 without a byte order mark)",
        ));
    }
    Ok((text, encoding))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_encoding_is_read() {
        assert_eq!(
            decode(b"\xEF\xBB\xBFCaf\xC3\xA9", None),
            Ok(("Café".into(), Encoding::Utf8))
        );
        assert_eq!(
            decode(b"Caf\xE9 \x80", None),
            Ok(("Café €".into(), Encoding::Windows1252))
        );
        assert_eq!(
            decode(b"Caf\xC3\xA9", Some(Encoding::Windows1252)).map(|t| t.0),
            Ok("CafÃ©".into()),
            "a header that names 1252 is believed"
        );
        assert_eq!(
            decode(b"\xFF\xFEC\0a\0f\0\xE9\0", None),
            Ok(("Café".into(), Encoding::Utf16))
        );
    }

    #[test]
    fn binary_files_are_refused() {
        assert!(decode(b"PK\x03\x04\0\0", None).is_err());
        assert!(decode(b"C\0a\0f\0", None).is_err(), "UTF-16 without a BOM");
        assert!(
            decode(b"\xEF\xBB\xBF\xFF", None).is_err(),
            "a BOM promises UTF-8"
        );
    }
}
