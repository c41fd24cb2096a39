//! Bill input types that parse once: name, notes, expected amount, autopay, reminders, APR.
//!
//! Rules and invariants (the error of each names the JSON field it came from):
//! - [`BillName`]: 1–120 characters after trimming, no control characters (`name`).
//! - [`Notes`]: at most 2000 characters; line breaks and tabs are kept (`\r\n` becomes `\n`),
//!   other control characters are refused. Shared by bills, payments, expenses and month
//!   overrides, so the field name is a parameter.
//! - [`ExpectedAmount`]: never negative; only an estimated bill has a range, and then
//!   `min ≤ expected ≤ max` (`expected_amount`, `expected_min`, `expected_max`).
//! - [`AutopayState`], [`AmountKind`]: one of their names (`autopay`, `amount_kind`).
//! - [`ReminderDays`]: up to 10 distinct lead times of 0–60 days, kept sorted
//!   (`reminder_days`).
//! - [`Apr`]: an annual percentage rate in basis points, 0–100 000 (0 %–1000 %), typed as a
//!   percentage with up to two decimals (`apr`).
//!
//! The website is in [`crate::website`]; currency and amounts in [`crate::money`]; the cycle and
//! due day in [`crate::recurrence`].

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::money::{DecimalProblem, parse_decimal};
use crate::{Invalid, text};

/// A bill's name: 1–120 characters, trimmed, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BillName(String);

impl BillName {
    /// The most characters a name may hold.
    pub const MAX_CHARS: usize = 120;

    /// Parses the field `name`.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        text::bounded("name", raw, 1, Self::MAX_CHARS).map(Self)
    }

    /// The name as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Free-form notes: up to 2000 characters, line breaks and tabs allowed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Notes(String);

impl Notes {
    /// The most characters notes may hold.
    pub const MAX_CHARS: usize = 2000;

    /// Parses notes from the input named `field` (`notes`, `note`); blank is empty notes.
    pub fn parse(field: &str, raw: &str) -> Result<Self, Invalid> {
        let value = raw.trim().replace("\r\n", "\n");
        if value.chars().count() > Self::MAX_CHARS {
            return Err(Invalid::new(
                field,
                format!("must be at most {} characters", Self::MAX_CHARS),
            ));
        }
        if value
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\t')
        {
            return Err(Invalid::new(field, "must not contain control characters"));
        }
        Ok(Self(value))
    }

    /// The notes as stored.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether there are no notes.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Whether a bill's amount is known in advance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AmountKind {
    /// The same amount every cycle (rent, a subscription).
    Fixed,
    /// An amount that varies (utilities), optionally within a range.
    Estimated,
}

impl AmountKind {
    /// Every kind.
    pub const ALL: [AmountKind; 2] = [AmountKind::Fixed, AmountKind::Estimated];

    /// The name used in JSON and forms.
    pub fn as_str(self) -> &'static str {
        match self {
            AmountKind::Fixed => "fixed",
            AmountKind::Estimated => "estimated",
        }
    }
}

impl FromStr for AmountKind {
    type Err = Invalid;
    /// Parses a kind name; the error names the field `amount_kind`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        text::choice("amount_kind", s, &AmountKind::ALL, AmountKind::as_str)
    }
}

/// What a bill is expected to cost per occurrence, in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExpectedAmount {
    kind: AmountKind,
    expected: i64,
    range: Option<(i64, i64)>,
}

impl ExpectedAmount {
    /// Checks the amounts: none negative, a range only for an estimated bill, and then
    /// `min ≤ expected ≤ max`.
    pub fn new(
        kind: AmountKind,
        expected: i64,
        range: Option<(i64, i64)>,
    ) -> Result<Self, Invalid> {
        if expected < 0 {
            return Err(Invalid::new("expected_amount", "must not be negative"));
        }
        if let Some((min, max)) = range {
            if kind == AmountKind::Fixed {
                return Err(Invalid::new(
                    "expected_min",
                    "only estimated bills have a range",
                ));
            }
            if min < 0 {
                return Err(Invalid::new("expected_min", "must not be negative"));
            }
            if max < min {
                return Err(Invalid::new(
                    "expected_max",
                    "must not be less than the minimum",
                ));
            }
            if expected < min || expected > max {
                return Err(Invalid::new(
                    "expected_amount",
                    "must be between the minimum and the maximum",
                ));
            }
        }
        Ok(Self {
            kind,
            expected,
            range,
        })
    }

    /// Fixed or estimated.
    pub fn kind(&self) -> AmountKind {
        self.kind
    }

    /// The amount expected per occurrence.
    pub fn expected(&self) -> i64 {
        self.expected
    }

    /// `(min, max)` of an estimated bill that has a range.
    pub fn range(&self) -> Option<(i64, i64)> {
        self.range
    }

    /// The least payment that settles an occurrence: the range's minimum for an estimated bill
    /// with a range, else the expected amount.
    pub fn settles_at(&self) -> i64 {
        self.range.map_or(self.expected, |(min, _)| min)
    }
}

/// Whether a bill pays itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AutopayState {
    /// Paid by hand.
    Off,
    /// Assumed paid on the due date (recorded automatically when auto-mark-paid is on).
    Assumed,
    /// Autopay confirmed by the user on a date (stored beside the bill).
    Verified,
}

impl AutopayState {
    /// Every state.
    pub const ALL: [AutopayState; 3] = [
        AutopayState::Off,
        AutopayState::Assumed,
        AutopayState::Verified,
    ];

    /// The name used in JSON and forms.
    pub fn as_str(self) -> &'static str {
        match self {
            AutopayState::Off => "off",
            AutopayState::Assumed => "assumed",
            AutopayState::Verified => "verified",
        }
    }
}

impl FromStr for AutopayState {
    type Err = Invalid;
    /// Parses a state name; the error names the field `autopay`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        text::choice("autopay", s, &AutopayState::ALL, AutopayState::as_str)
    }
}

/// How many days before a due date to remind: up to 10 distinct values of 0–60, sorted.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(try_from = "Vec<i64>", into = "Vec<u8>")]
pub struct ReminderDays(Vec<u8>);

impl ReminderDays {
    /// Parses the field `reminder_days`; an empty list means no reminders.
    pub fn parse(days: &[i64]) -> Result<Self, Invalid> {
        const FIELD: &str = "reminder_days";
        if days.len() > 10 {
            return Err(Invalid::new(FIELD, "must list at most 10 reminders"));
        }
        let mut parsed = Vec::with_capacity(days.len());
        for &day in days {
            let day = u8::try_from(day)
                .ok()
                .filter(|day| *day <= 60)
                .ok_or_else(|| Invalid::new(FIELD, "must be between 0 and 60 days"))?;
            if parsed.contains(&day) {
                return Err(Invalid::new(FIELD, "must not list the same day twice"));
            }
            parsed.push(day);
        }
        parsed.sort_unstable();
        Ok(Self(parsed))
    }

    /// The lead times in days, ascending.
    pub fn days(&self) -> &[u8] {
        &self.0
    }
}

impl TryFrom<Vec<i64>> for ReminderDays {
    type Error = Invalid;
    fn try_from(days: Vec<i64>) -> Result<Self, Self::Error> {
        Self::parse(&days)
    }
}

impl From<ReminderDays> for Vec<u8> {
    fn from(days: ReminderDays) -> Self {
        days.0
    }
}

/// An annual percentage rate in basis points (1999 = 19.99 %), from 0 to 100 000 (1000 %).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "u32")]
pub struct Apr(u32);

impl Apr {
    /// The highest rate accepted, in basis points.
    pub const MAX_BASIS_POINTS: u32 = 100_000;

    /// An APR from basis points; the error names the field `apr`.
    pub fn from_basis_points(basis_points: i64) -> Result<Self, Invalid> {
        u32::try_from(basis_points)
            .ok()
            .filter(|bp| *bp <= Self::MAX_BASIS_POINTS)
            .map(Self)
            .ok_or_else(|| Invalid::new("apr", "must be between 0 and 1000 percent"))
    }

    /// Parses a typed percentage such as `19.99` (at most two decimals) for the field `apr`.
    pub fn parse_percent(text: &str) -> Result<Self, Invalid> {
        let basis_points = parse_decimal(text, 2).map_err(|problem| {
            let reason = match problem {
                DecimalProblem::TooManyDecimals(_) => "must have at most 2 decimal places",
                DecimalProblem::TooLarge => "must be between 0 and 1000 percent",
                other => other.reason(),
            };
            Invalid::new("apr", reason)
        })?;
        Self::from_basis_points(basis_points)
    }

    /// The rate in basis points.
    pub fn basis_points(self) -> u32 {
        self.0
    }

    /// The rate as decimal text without the sign: `19.99`, `0.05`.
    pub fn percent_text(self) -> String {
        format!("{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

impl fmt::Display for Apr {
    /// `19.99%`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}%", self.percent_text())
    }
}

impl TryFrom<i64> for Apr {
    type Error = Invalid;
    fn try_from(basis_points: i64) -> Result<Self, Self::Error> {
        Self::from_basis_points(basis_points)
    }
}

impl From<Apr> for u32 {
    fn from(apr: Apr) -> Self {
        apr.0
    }
}

#[cfg(test)]
mod tests;
