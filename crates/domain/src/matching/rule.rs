//! A merchant rule's test: which transactions a per-bill rule takes. Regex-free: the payee
//! contains, or equals, a text, compared case-insensitively (Unicode lower case) with runs of
//! white space counted as one space; an optional amount range compares the transaction's
//! absolute amount (money out of 12.34 is 1234), so the rule reads as people say it ("between
//! 40 and 60"). The account is compared by the caller, which holds the ids.

use std::fmt;
use std::str::FromStr;

use crate::{Invalid, text};

/// How a rule compares the payee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PayeeMatch {
    Contains,
    Equals,
}

impl PayeeMatch {
    pub const ALL: [PayeeMatch; 2] = [PayeeMatch::Contains, PayeeMatch::Equals];

    /// The stored and sent name.
    pub fn as_str(self) -> &'static str {
        match self {
            PayeeMatch::Contains => "contains",
            PayeeMatch::Equals => "equals",
        }
    }
}

impl FromStr for PayeeMatch {
    type Err = Invalid;
    /// Parses a name; the error names the field `payee_match`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        text::choice("payee_match", s, &PayeeMatch::ALL, PayeeMatch::as_str)
    }
}

/// The payee half of a rule: a kind and a text of 1–200 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PayeePattern {
    kind: PayeeMatch,
    text: String,
    folded: String,
}

impl PayeePattern {
    /// The most characters the text may hold.
    pub const MAX_CHARS: usize = 200;

    /// Parses the field `payee_text`: trimmed, 1–200 characters, no control characters.
    pub fn parse(kind: PayeeMatch, raw: &str) -> Result<Self, Invalid> {
        let text = text::bounded("payee_text", raw, 1, Self::MAX_CHARS)?;
        let folded = fold(&text);
        Ok(Self { kind, text, folded })
    }

    pub fn kind(&self) -> PayeeMatch {
        self.kind
    }

    /// The text as the person wrote it (trimmed).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Whether `payee` is taken by this pattern.
    pub fn matches(&self, payee: &str) -> bool {
        let payee = fold(payee);
        match self.kind {
            PayeeMatch::Contains => payee.contains(&self.folded),
            PayeeMatch::Equals => payee == self.folded,
        }
    }
}

/// Lower case, white space runs as one space, trimmed.
fn fold(text: &str) -> String {
    text.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// A rule's amount range on absolute minor units; either end may be open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct AmountBounds {
    min: Option<i64>,
    max: Option<i64>,
}

impl AmountBounds {
    /// Parses the fields `min_amount` and `max_amount` (minor units): neither negative, and
    /// the minimum not above the maximum.
    pub fn new(min: Option<i64>, max: Option<i64>) -> Result<Self, Invalid> {
        if min.is_some_and(|m| m < 0) {
            return Err(Invalid::new("min_amount", "must not be negative"));
        }
        if max.is_some_and(|m| m < 0) {
            return Err(Invalid::new("max_amount", "must not be negative"));
        }
        if let (Some(min), Some(max)) = (min, max)
            && min > max
        {
            return Err(Invalid::new(
                "max_amount",
                "must not be below the minimum amount",
            ));
        }
        Ok(Self { min, max })
    }

    pub fn min(&self) -> Option<i64> {
        self.min
    }

    pub fn max(&self) -> Option<i64> {
        self.max
    }

    /// Whether the absolute value of the signed `amount_minor` is inside the range.
    pub fn contains(&self, amount_minor: i64) -> bool {
        let amount = amount_minor.unsigned_abs();
        let above_min = self.min.is_none_or(|m| amount >= m.unsigned_abs());
        let below_max = self.max.is_none_or(|m| amount <= m.unsigned_abs());
        above_min && below_max
    }
}

impl fmt::Display for PayeePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "payee {} \"{}\"", self.kind.as_str(), self.text)
    }
}
