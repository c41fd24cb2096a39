//! Money: integer minor units with an ISO 4217 currency, never floating point.
//!
//! Rules and invariants:
//! - A [`Currency`] is one of a built-in list of ISO 4217 codes (exactly three ASCII upper-case
//!   letters), each with its ISO minor-unit exponent: 2 for most, 0 for JPY, KRW, VND, CLP, ISK,
//!   …, 3 for BHD, KWD, JOD, OMR, TND, LYD, IQD. Unknown codes are refused, so every amount has a
//!   known number of decimals.
//! - An amount is an `i64` of minor units (`1234` USD is 12.34 USD). All arithmetic is checked:
//!   a sum that would wrap is an [`Invalid`] "amount is too large" (security VAL-02), never a
//!   wrong total. Amounts of different currencies are never added.
//! - [`parse_amount`] reads the plain decimal text a user types (`12`, `12.3`, `-5.00`) and
//!   refuses everything else with a message saying what to change: exponents, `NaN`/`inf`,
//!   thousands separators, more decimals than the currency has, non-ASCII digits, overflow.
//! - [`format_minor`] writes the canonical text back; `parse_amount(format_minor(x)) == x` for
//!   every `i64` (property-tested), so amounts survive forms and exports unchanged.
//! - [`delocalize`] turns an amount typed in a locale's writing (`1.234,56`) into that plain
//!   text, refusing what could be misread (`12,50` where the comma groups thousands).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Invalid;

mod localized;
pub use localized::{NumberStyle, delocalize};

/// The message of every overflow, in words a user can act on.
pub const TOO_LARGE: &str = "amount is too large";

/// ISO 4217 codes with their minor-unit exponents (ISO values, e.g. HUF, IDR and TWD are 2).
#[rustfmt::skip]
const CURRENCIES: &[(&str, u8)] = &[
    ("AED", 2), ("ARS", 2), ("AUD", 2), ("BDT", 2), ("BGN", 2), ("BHD", 3), ("BRL", 2),
    ("CAD", 2), ("CHF", 2), ("CLP", 0), ("CNY", 2), ("COP", 2), ("CRC", 2), ("CZK", 2),
    ("DKK", 2), ("DOP", 2), ("EGP", 2), ("EUR", 2), ("GBP", 2), ("GEL", 2), ("GHS", 2),
    ("HKD", 2), ("HUF", 2), ("IDR", 2), ("ILS", 2), ("INR", 2), ("IQD", 3), ("ISK", 0),
    ("JOD", 3), ("JPY", 0), ("KES", 2), ("KRW", 0), ("KWD", 3), ("KZT", 2), ("LKR", 2),
    ("LYD", 3), ("MAD", 2), ("MXN", 2), ("MYR", 2), ("NGN", 2), ("NOK", 2), ("NZD", 2),
    ("OMR", 3), ("PEN", 2), ("PHP", 2), ("PKR", 2), ("PLN", 2), ("PYG", 0), ("QAR", 2),
    ("RON", 2), ("RSD", 2), ("RUB", 2), ("SAR", 2), ("SEK", 2), ("SGD", 2), ("THB", 2),
    ("TND", 3), ("TRY", 2), ("TWD", 2), ("UAH", 2), ("UGX", 0), ("USD", 2), ("UYU", 2),
    ("VND", 0), ("XAF", 0), ("XOF", 0), ("ZAR", 2),
];

/// An ISO 4217 currency from the built-in list, with its minor-unit exponent.
///
/// Serialised as its code (`"USD"`); deserialising refuses codes outside the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
pub struct Currency {
    code: &'static str,
    exponent: u8,
}

impl Currency {
    /// Parses a code such as `USD` (surrounding spaces ignored) for the input named `field`.
    pub fn parse(field: &str, raw: &str) -> Result<Self, Invalid> {
        let code = raw.trim();
        if code.len() != 3 || !code.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(Invalid::new(
                field,
                "must be a three-letter upper-case ISO 4217 code like USD",
            ));
        }
        CURRENCIES
            .iter()
            .find(|(known, _)| *known == code)
            .map(|&(code, exponent)| Self { code, exponent })
            .ok_or_else(|| Invalid::new(field, format!("{code} is not a supported currency")))
    }

    /// US dollars, the default currency of a new account.
    pub const USD: Currency = Currency {
        code: "USD",
        exponent: 2,
    };

    /// Every supported currency, in code order.
    pub fn all() -> impl Iterator<Item = Currency> {
        CURRENCIES
            .iter()
            .map(|&(code, exponent)| Self { code, exponent })
    }

    /// The ISO 4217 code, e.g. `"USD"`.
    pub fn code(self) -> &'static str {
        self.code
    }

    /// How many decimals the minor unit has: 2 for USD (cents), 0 for JPY, 3 for KWD.
    pub fn exponent(self) -> u8 {
        self.exponent
    }

    /// The ISO 4217 name, e.g. `"Euro"`, `"United States dollar"` (from the `iso_currency`
    /// crate's copy of the ISO list; every code of the built-in list has one, tested).
    pub fn name(self) -> String {
        iso_currency::Currency::from_code(self.code)
            .map_or_else(String::new, |c| c.name().to_owned())
    }

    /// How a list shows it: `"EUR — Euro"` (the code alone if the name were missing).
    pub fn label(self) -> String {
        let name = self.name();
        if name.is_empty() {
            self.code.to_owned()
        } else {
            format!("{} — {name}", self.code)
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code)
    }
}

impl TryFrom<String> for Currency {
    type Error = Invalid;
    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse("currency", &raw)
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::try_from(raw).map_err(serde::de::Error::custom)
    }
}

impl From<Currency> for String {
    fn from(currency: Currency) -> Self {
        currency.code.to_owned()
    }
}

/// An amount of one currency in minor units. Every `i64` is a valid amount (negative for
/// refunds and credits), so the fields are public; the arithmetic is where the rules live.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// Minor units: cents for USD, yen for JPY, fils for KWD.
    pub minor: i64,
    /// The currency the minor units are counted in.
    pub currency: Currency,
}

impl Money {
    /// An amount of `minor` units of `currency`.
    pub fn new(minor: i64, currency: Currency) -> Self {
        Self { minor, currency }
    }

    /// Zero in `currency`.
    pub fn zero(currency: Currency) -> Self {
        Self::new(0, currency)
    }

    /// `self + other`, refusing a different currency and overflow.
    pub fn checked_add(self, other: Money) -> Result<Money, Invalid> {
        self.same_currency(other)?;
        add_minor("amount", self.minor, other.minor).map(|minor| Self::new(minor, self.currency))
    }

    /// `self - other`, refusing a different currency and overflow.
    pub fn checked_sub(self, other: Money) -> Result<Money, Invalid> {
        self.same_currency(other)?;
        self.minor
            .checked_sub(other.minor)
            .map(|minor| Self::new(minor, self.currency))
            .ok_or_else(|| Invalid::new("amount", TOO_LARGE))
    }

    /// The total of `amounts` in `currency` (zero when empty), refusing any amount of another
    /// currency and any intermediate overflow.
    pub fn sum(
        currency: Currency,
        amounts: impl IntoIterator<Item = Money>,
    ) -> Result<Money, Invalid> {
        amounts
            .into_iter()
            .try_fold(Self::zero(currency), Money::checked_add)
    }

    fn same_currency(self, other: Money) -> Result<(), Invalid> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(Invalid::new(
                "currency",
                format!("cannot combine {} with {}", self.currency, other.currency),
            ))
        }
    }
}

impl fmt::Display for Money {
    /// `12.34 USD`: for logs and tests; pages format through the user's locale.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}",
            format_minor(self.minor, self.currency),
            self.currency
        )
    }
}

/// `a + b` in minor units, or "amount is too large" for `field`.
pub fn add_minor(field: &str, a: i64, b: i64) -> Result<i64, Invalid> {
    a.checked_add(b)
        .ok_or_else(|| Invalid::new(field, TOO_LARGE))
}

/// The total of plain minor-unit amounts (zero when empty), or "amount is too large" for
/// `field` if any partial sum would overflow.
pub fn sum_minor(field: &str, amounts: impl IntoIterator<Item = i64>) -> Result<i64, Invalid> {
    amounts
        .into_iter()
        .try_fold(0_i64, |total, amount| add_minor(field, total, amount))
}

/// Parses a typed amount of `currency` into minor units, for the input named `field`.
///
/// Accepts an optional `-`, digits, and optionally `.` followed by at most the currency's
/// number of decimals (`12`, `12.3`, `-5.00`), with surrounding spaces.
pub fn parse_amount(field: &str, text: &str, currency: Currency) -> Result<i64, Invalid> {
    parse_decimal(text, currency.exponent).map_err(|problem| {
        let reason = match problem {
            DecimalProblem::TooManyDecimals(0) => {
                format!("must be a whole number for {currency}")
            }
            DecimalProblem::TooManyDecimals(n) => {
                format!("must have at most {n} decimal places for {currency}")
            }
            other => other.reason().to_owned(),
        };
        Invalid::new(field, reason)
    })
}

/// Like [`parse_amount`], for amounts that must be greater than zero (a payment, a budget
/// limit).
pub fn parse_positive_amount(field: &str, text: &str, currency: Currency) -> Result<i64, Invalid> {
    parse_amount(field, text, currency).and_then(|minor| require_positive(field, minor))
}

/// Refuses an amount that is zero or negative.
pub fn require_positive(field: &str, minor: i64) -> Result<i64, Invalid> {
    if minor > 0 {
        Ok(minor)
    } else {
        Err(Invalid::new(field, "must be greater than zero"))
    }
}

/// Writes `minor` units of `currency` as plain decimal text: `1234` USD → `12.34`, JPY →
/// `1234`, `-5` USD → `-0.05`. No grouping and a `.` decimal point, so it parses back exactly.
pub fn format_minor(minor: i64, currency: Currency) -> String {
    let sign = if minor < 0 { "-" } else { "" };
    // `unsigned_abs` keeps `i64::MIN` exact.
    let magnitude = minor.unsigned_abs();
    let exponent = u32::from(currency.exponent);
    if exponent == 0 {
        return format!("{sign}{magnitude}");
    }
    let scale = 10_u64.pow(exponent);
    let width = usize::from(currency.exponent);
    format!("{sign}{}.{:0width$}", magnitude / scale, magnitude % scale)
}

/// Why a decimal text was refused (before the field and currency are added to the message).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DecimalProblem {
    Empty,
    NotANumber,
    Exponent,
    Separators,
    NonAsciiDigits,
    NoDigits,
    TooManyDecimals(u8),
    TooLarge,
}

impl DecimalProblem {
    pub(crate) fn reason(self) -> &'static str {
        match self {
            Self::Empty => "must not be empty",
            Self::NotANumber => "must be a number like 12.34",
            Self::Exponent => "must be written out in full, without an exponent like 1e3",
            Self::Separators => {
                "must use . as the decimal point and no thousands separators, like 1234.56"
            }
            Self::NonAsciiDigits => "must use the digits 0-9",
            Self::NoDigits => "must have digits before and after the decimal point, like 0.50",
            Self::TooManyDecimals(_) => "has too many decimal places",
            Self::TooLarge => TOO_LARGE,
        }
    }
}

/// Reads `[-]digits[.digits]` (trimmed) as an integer scaled by `10^exponent`.
pub(crate) fn parse_decimal(text: &str, exponent: u8) -> Result<i64, DecimalProblem> {
    let text = text.trim();
    if text.is_empty() {
        return Err(DecimalProblem::Empty);
    }
    let (negative, unsigned) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    if let Some(bad) = unsigned.chars().find(|c| !c.is_ascii_digit() && *c != '.') {
        return Err(match bad {
            'e' | 'E' if unsigned.chars().next().is_some_and(|c| c.is_ascii_digit()) => {
                DecimalProblem::Exponent
            }
            ',' | '_' | '\'' | ' ' | '\u{a0}' | '\u{202f}' => DecimalProblem::Separators,
            c if c.is_numeric() => DecimalProblem::NonAsciiDigits,
            _ => DecimalProblem::NotANumber,
        });
    }
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((_, fraction)) if fraction.contains('.') => return Err(DecimalProblem::Separators),
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (unsigned, None),
    };
    if whole.is_empty() || fraction.is_some_and(str::is_empty) {
        return Err(if unsigned.len() <= 1 {
            DecimalProblem::NotANumber
        } else {
            DecimalProblem::NoDigits
        });
    }
    let fraction = fraction.unwrap_or("");
    if fraction.len() > usize::from(exponent) {
        return Err(DecimalProblem::TooManyDecimals(exponent));
    }
    // Accumulate in i128 so that i64::MIN (one more than i64::MAX in magnitude) parses.
    let padding = usize::from(exponent) - fraction.len();
    let digits = whole
        .bytes()
        .chain(fraction.bytes())
        .chain(std::iter::repeat_n(b'0', padding));
    let mut magnitude: i128 = 0;
    for digit in digits {
        magnitude = magnitude
            .checked_mul(10)
            .and_then(|m| m.checked_add(i128::from(digit - b'0')))
            .ok_or(DecimalProblem::TooLarge)?;
    }
    let value = if negative { -magnitude } else { magnitude };
    i64::try_from(value).map_err(|_| DecimalProblem::TooLarge)
}

#[cfg(test)]
mod tests;
