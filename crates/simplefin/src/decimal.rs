//! The numeric strings of the protocol (`"-12.34"`, `"100"`) read exactly, never through
//! floating point, into bankfile's [`Decimal`] (an integer mantissa and a scale; its
//! `to_minor` turns it into minor units of an ISO currency and refuses, never rounds, digits
//! the currency does not have).
//!
//! The protocol's grammar is strict, so this is too: an optional `-` (or `+`), ASCII digits,
//! optionally a `.` and more digits. No exponents, separators, spaces inside, parentheses or
//! currency symbols (which bankfile's statement reader would tolerate).

use bankfile::decimal::{Decimal, Style};

/// How the protocol writes numbers: a `.` and no grouping.
const PROTOCOL: Style = Style {
    decimal: '.',
    thousands: None,
};

/// Reads a protocol numeric string; the reason says what is wrong with it.
pub(crate) fn parse_number(text: &str) -> Result<Decimal, String> {
    let text = text.trim();
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (whole, fraction) = unsigned.split_once('.').unwrap_or((unsigned, ""));
    let digits_only = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits_only(whole) || !digits_only(fraction) || unsigned.ends_with('.')
    {
        return Err("is not a number like -12.34".into());
    }
    Decimal::parse(text, PROTOCOL)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn minor(text: &str, exponent: u32) -> Result<i64, String> {
        parse_number(text).and_then(|d| d.to_minor(exponent))
    }

    #[test]
    fn reads_protocol_numbers_exactly() {
        assert_eq!(minor("-12.34", 2), Ok(-1234));
        assert_eq!(minor("100", 2), Ok(10000));
        assert_eq!(minor("+0.5", 2), Ok(50));
        assert_eq!(minor(" 7 ", 0), Ok(7));
        assert_eq!(minor("12.500", 2), Ok(1250));
        assert_eq!(minor("0.001", 3), Ok(1));
        assert_eq!(minor("-92233720368547758.08", 2), Ok(i64::MIN));
    }

    #[test]
    fn refuses_extra_decimals_and_overflow_instead_of_rounding() {
        assert!(minor("12.345", 2).is_err());
        assert!(minor("1.5", 0).is_err());
        assert!(
            minor("92233720368547758.08", 2)
                .unwrap_err()
                .contains("too large")
        );
        assert!(parse_number(&"9".repeat(40)).is_err());
    }

    #[test]
    fn refuses_everything_that_is_not_the_protocol_grammar() {
        for bad in [
            "", "-", "+", ".5", "5.", "1e3", "1,000.00", "NaN", "inf", "$5", "1.2.3", "- 5", "٣",
            "0x10", "--5", "(5)", "5-", "1 000",
        ] {
            assert!(parse_number(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn display_keeps_the_exact_value() {
        for text in ["-12.30", "0.000001", "5", "-0.05", "1234567890123.456789"] {
            assert_eq!(parse_number(text).unwrap().to_string(), text);
        }
    }
}
