//! Amounts as statement files write them, read exactly: an integer mantissa and a scale, never
//! a floating-point number. [`Style`] says which character separates decimals and which (if
//! any) groups thousands; signs may be written `-12.50`, `+12.50`, `12.50-` or `(12.50)`, and a
//! currency symbol at either end is ignored. [`Decimal::to_minor`] turns the amount into the
//! account currency's minor units and refuses digits the currency does not have.

use std::fmt;

/// The most digits an amount may have (more cannot be an amount of money in an `i64`).
const MAX_DIGITS: usize = 19;

/// How a file writes numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// `.` or `,`.
    pub decimal: char,
    /// `,`, `.`, `'`, a space (also no-break spaces), or none.
    pub thousands: Option<char>,
}

impl Style {
    /// `1,234.56`: the OFX and QIF way, and most English-language banks.
    pub const POINT: Style = Style {
        decimal: '.',
        thousands: Some(','),
    };
    /// `1.234,56`: most of continental Europe.
    pub const COMMA: Style = Style {
        decimal: ',',
        thousands: Some('.'),
    };
}

/// An exact signed decimal: `mantissa / 10^scale`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decimal {
    mantissa: i128,
    scale: u32,
}

impl Decimal {
    /// Reads `text` written in `style`; the reason names what is wrong.
    pub fn parse(text: &str, style: Style) -> Result<Self, String> {
        let mut s = text.trim();
        if s.is_empty() {
            return Err("is empty".into());
        }
        let mut negative = false;
        if let Some(inner) = s.strip_prefix('(').and_then(|r| r.strip_suffix(')')) {
            negative = true;
            s = inner.trim();
        }
        s = s.trim_matches(|c: char| "$€£¥₹₩₽¤".contains(c) || c.is_whitespace());
        if let Some(rest) = s.strip_suffix('-') {
            negative = !negative;
            s = rest.trim_end();
        } else if let Some(rest) = s.strip_prefix('-').or_else(|| s.strip_prefix('−')) {
            negative = !negative;
            s = rest.trim_start();
        } else if let Some(rest) = s.strip_prefix('+') {
            s = rest.trim_start();
        }
        s = s.trim_matches(|c: char| "$€£¥₹₩₽¤".contains(c) || c.is_whitespace());
        if s.contains(['e', 'E']) {
            return Err("must be written without an exponent".into());
        }
        let (whole, fraction) = match s.rsplit_once(style.decimal) {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (s, None),
        };
        let whole: String = match style.thousands {
            Some(sep) => {
                let groups: Vec<&str> = whole
                    .split(|c: char| c == sep || (sep == ' ' && is_space(c)))
                    .collect();
                let grouped = groups.len() > 1;
                if grouped
                    && (groups[0].is_empty()
                        || groups[0].len() > 3
                        || groups[1..].iter().any(|g| g.len() != 3))
                {
                    return Err(format!("has a misplaced '{sep}'"));
                }
                groups.concat()
            }
            None => whole.to_owned(),
        };
        let fraction = fraction.unwrap_or("");
        let digits = format!("{whole}{fraction}");
        if whole.is_empty() && fraction.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err("is not a number".into());
        }
        let significant = digits.trim_start_matches('0');
        if significant.len() > MAX_DIGITS || fraction.len() > MAX_DIGITS {
            return Err("is too large".into());
        }
        let mut mantissa: i128 = 0;
        for b in digits.bytes() {
            mantissa = mantissa * 10 + i128::from(b - b'0');
        }
        Ok(Self {
            mantissa: if negative { -mantissa } else { mantissa },
            scale: u32::try_from(fraction.len()).map_err(|_| "is too large".to_owned())?,
        })
    }

    /// The amount in minor units of a currency with `exponent` decimals (2 for USD, 0 for
    /// JPY). Decimals beyond the currency's are refused unless they are zeros.
    pub fn to_minor(self, exponent: u32) -> Result<i64, String> {
        let minor = if self.scale <= exponent {
            10_i128
                .checked_pow(exponent - self.scale)
                .and_then(|f| self.mantissa.checked_mul(f))
        } else {
            let divisor = 10_i128.pow(self.scale - exponent);
            if self.mantissa % divisor != 0 {
                return Err(format!(
                    "has {} decimals; the currency has {exponent}",
                    self.scale
                ));
            }
            Some(self.mantissa / divisor)
        };
        minor
            .and_then(|m| i64::try_from(m).ok())
            .ok_or_else(|| "is too large".to_owned())
    }

    pub fn is_negative(self) -> bool {
        self.mantissa < 0
    }

    /// The same amount with the other sign.
    pub fn negated(self) -> Self {
        Self {
            mantissa: -self.mantissa,
            ..self
        }
    }
}

impl fmt::Display for Decimal {
    /// `-1234.50` (as many decimals as written).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.mantissa < 0 { "-" } else { "" };
        let digits = self.mantissa.unsigned_abs().to_string();
        let scale = self.scale as usize;
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (whole, fraction) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{whole}.{fraction}")
    }
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{202f}' | '\u{2009}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn minor(text: &str, style: Style) -> Result<i64, String> {
        Decimal::parse(text, style).and_then(|d| d.to_minor(2))
    }

    #[test]
    fn amounts_read_exactly_in_both_styles() {
        for (text, expected) in [
            ("12.50", 1250),
            ("-12.5", -1250),
            ("+3", 300),
            ("1,234.56", 123_456),
            ("(45.10)", -4510),
            ("45.10-", -4510),
            ("$ 9.99", 999),
            ("-$9.99", -999),
            (".5", 50),
            ("0.10", 10),
            ("12.500", 1250),
        ] {
            assert_eq!(minor(text, Style::POINT), Ok(expected), "{text}");
        }
        assert_eq!(minor("1.234,56", Style::COMMA), Ok(123_456));
        assert_eq!(minor("-0,99 €", Style::COMMA), Ok(-99));
        let swiss = Style {
            decimal: '.',
            thousands: Some('\''),
        };
        assert_eq!(minor("1'234.05", swiss), Ok(123_405));
        let spaced = Style {
            decimal: ',',
            thousands: Some(' '),
        };
        assert_eq!(minor("1\u{202f}234,05", spaced), Ok(123_405));
    }

    #[test]
    fn what_is_not_an_amount_is_named() {
        for text in ["", "abc", "1e5", "12.3.4", "1,23.00", "--", "12,34", "١٢"] {
            assert!(minor(text, Style::POINT).is_err(), "{text}");
        }
        assert_eq!(
            minor("12.345", Style::POINT),
            Err("has 3 decimals; the currency has 2".into())
        );
        assert_eq!(
            minor("99999999999999999999", Style::POINT),
            Err("is too large".into())
        );
        assert_eq!(
            minor("92233720368547758.08", Style::POINT),
            Err("is too large".into())
        );
        assert_eq!(
            minor("-92233720368547758.08", Style::POINT),
            Ok(i64::MIN),
            "the most negative amount still fits"
        );
    }

    #[test]
    fn display_keeps_the_written_decimals() {
        let d = Decimal::parse("-0.05", Style::POINT).map(|d| d.to_string());
        assert_eq!(d.as_deref(), Ok("-0.05"));
        assert_eq!(
            Decimal::parse("1,000", Style::POINT).map(|d| d.to_string()),
            Ok("1000".into())
        );
    }
}
