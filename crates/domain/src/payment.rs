//! Payment and expense input types: method, payee and where a payment came from.
//!
//! Rules and invariants (the error of each names its JSON field):
//! - [`PaymentMethod`] (`method`) and [`Payee`] (`payee`): 1–120 characters after trimming, no
//!   control characters. Both are optional on a payment or expense: parse them with
//!   [`crate::text::optional`] (or `parse_optional`) so a blank input is `None`.
//! - [`PaymentSource`]: how the payment was recorded (`source`): by hand, from a file import,
//!   or matched from a bank transaction. Status never depends on it; it explains the payment.
//!
//! Amounts are parsed with [`crate::money::parse_positive_amount`]; the paid date is a calendar
//! date; the cycle a payment settles comes from [`crate::attribution`].

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{Invalid, text};

/// How a payment was made ("card", "bank transfer"): 1–120 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PaymentMethod(String);

impl PaymentMethod {
    /// The most characters it may hold.
    pub const MAX_CHARS: usize = 120;

    /// Parses the field `method`.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        text::bounded("method", raw, 1, Self::MAX_CHARS).map(Self)
    }

    /// Parses the field `method`, blank meaning none.
    pub fn parse_optional(raw: &str) -> Result<Option<Self>, Invalid> {
        text::optional(raw, Self::parse)
    }

    /// The method as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Who was paid: 1–120 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Payee(String);

impl Payee {
    /// The most characters it may hold.
    pub const MAX_CHARS: usize = 120;

    /// Parses the field `payee`.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        text::bounded("payee", raw, 1, Self::MAX_CHARS).map(Self)
    }

    /// Parses the field `payee`, blank meaning none.
    pub fn parse_optional(raw: &str) -> Result<Option<Self>, Invalid> {
        text::optional(raw, Self::parse)
    }

    /// The payee as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Where a payment record came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentSource {
    /// Entered by the user (including quick pay and autopay assumed paid).
    Manual,
    /// Read from an imported file.
    Import,
    /// Matched from a bank transaction.
    Bank,
}

impl PaymentSource {
    /// Every source.
    pub const ALL: [PaymentSource; 3] = [
        PaymentSource::Manual,
        PaymentSource::Import,
        PaymentSource::Bank,
    ];

    /// The name used in JSON, exports and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentSource::Manual => "manual",
            PaymentSource::Import => "import",
            PaymentSource::Bank => "bank",
        }
    }
}

impl fmt::Display for PaymentSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PaymentSource {
    type Err = Invalid;
    /// Parses a source name; the error names the field `source`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        text::choice("source", s, &PaymentSource::ALL, PaymentSource::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_and_payees_are_bounded_and_blank_means_none() {
        assert_eq!(
            PaymentMethod::parse(" card ").map(|m| m.0),
            Ok("card".to_owned())
        );
        assert_eq!(PaymentMethod::parse_optional("  "), Ok(None));
        assert!(PaymentMethod::parse(&"x".repeat(121)).is_err());
        assert_eq!(
            Payee::parse("").map_err(|e| e.field),
            Err("payee".to_owned())
        );
        assert_eq!(
            Payee::parse_optional(" City Water ").map(|p| p.map(|p| p.0)),
            Ok(Some("City Water".to_owned()))
        );
        assert!(Payee::parse("Shop\u{7}").is_err());
    }

    #[test]
    fn sources_parse_from_their_names() {
        for source in PaymentSource::ALL {
            assert_eq!(source.as_str().parse::<PaymentSource>(), Ok(source));
        }
        assert_eq!(
            "csv".parse::<PaymentSource>().map_err(|e| e.reason),
            Err("must be one of: manual, import, bank".to_owned())
        );
    }
}
