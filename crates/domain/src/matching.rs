//! Matching bank transactions to bills: how well a transaction fits a bill, and why.
//!
//! [`score`] rates one (transaction, bill) pair from 0 to 100 on three things, each giving a
//! typed [`Reason`] that reads as a short English phrase ("amount equal", "2 days after due",
//! "payee like 3 earlier matches"):
//! - **amount** (up to 45): the transaction's absolute amount equal to the bill's expected
//!   amount (45), inside an estimated bill's range (35), or within 10 % of the expected amount
//!   (20);
//! - **date** (up to 30): days from the nearest due date — on it (30), within 3 days either
//!   side (25), 7 days (15), 14 days (5);
//! - **payee** (up to 25): alike the payees of earlier matches to this bill (25), else alike
//!   the bill's name (20). "Alike" is sharing a word ([`payee::Words`]).
//!
//! Only money out (a negative amount) matches a bill — bills have no income kind — and only in
//! the bill's currency; any other pair has no score at all. A pair scoring below
//! [`SUGGEST_AT`] is not suggested. Everything here is pure and in integers.
//!
//! [`rule`] holds merchant rules' own test (payee contains / equals a text, an amount range);
//! [`autopay`] what bank transactions say about an autopay bill's occurrence.

pub mod autopay;
pub mod payee;
pub mod rule;
#[cfg(test)]
mod tests;

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;

use crate::{Invalid, text};
use payee::Words;

/// The least score a suggestion needs.
pub const SUGGEST_AT: u8 = 50;

/// Why a pair scored: one per kind of evidence that counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// The absolute amount is the bill's expected amount.
    AmountEqual,
    /// The absolute amount is inside the estimated bill's range.
    AmountInRange,
    /// The absolute amount is within this many percent (1–10) of the expected amount.
    AmountClose { percent: u8 },
    /// Posted this many days after (positive) or before (negative) the nearest due date.
    FromDue { days: i64 },
    /// The payee shares a word with this many payees of earlier matches to the bill.
    PayeeLikeEarlier { count: usize },
    /// The payee shares a word with the bill's name.
    PayeeLikeName,
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plural = |n: u64| if n == 1 { "" } else { "s" };
        match *self {
            Reason::AmountEqual => f.write_str("amount equal"),
            Reason::AmountInRange => f.write_str("amount within the estimate"),
            Reason::AmountClose { percent } => write!(f, "amount within {percent}%"),
            Reason::FromDue { days: 0 } => f.write_str("on the due date"),
            Reason::FromDue { days } => {
                let n = days.unsigned_abs();
                let side = if days > 0 { "after" } else { "before" };
                write!(f, "{n} day{} {side} due", plural(n))
            }
            Reason::PayeeLikeEarlier { count } => {
                let n = u64::try_from(count).unwrap_or(u64::MAX);
                write!(
                    f,
                    "payee like {n} earlier match{}",
                    if n == 1 { "" } else { "es" }
                )
            }
            Reason::PayeeLikeName => f.write_str("payee like the bill's name"),
        }
    }
}

/// A pair's score (0–100) and the reasons it is made of, amount first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Score {
    pub points: u8,
    pub reasons: Vec<Reason>,
}

impl Score {
    /// Whether the pair is worth suggesting.
    pub fn suggested(&self) -> bool {
        self.points >= SUGGEST_AT
    }
}

impl fmt::Display for Score {
    /// The reasons as one phrase: "amount equal, 2 days after due".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, reason) in self.reasons.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{reason}")?;
        }
        Ok(())
    }
}

/// What scoring needs of a transaction.
#[derive(Debug, Clone, Copy)]
pub struct TransactionFacts<'a> {
    /// Signed minor units: money out is negative.
    pub amount_minor: i64,
    pub currency: &'a str,
    pub posted_on: NaiveDate,
    pub payee: &'a Words,
}

/// What scoring needs of a bill, prepared once for many transactions.
#[derive(Debug, Clone, Copy)]
pub struct BillFacts<'a> {
    pub currency: &'a str,
    /// Positive minor units.
    pub expected_minor: i64,
    /// An estimated bill's (min, max).
    pub range: Option<(i64, i64)>,
    /// The bill's due dates around the transactions, sorted ascending.
    pub due_dates: &'a [NaiveDate],
    pub name: &'a Words,
    /// The distinct payees of earlier matches to this bill, each with how many matches had it.
    pub earlier: &'a [(Words, usize)],
}

/// How well `transaction` fits `bill`; `None` when it cannot match at all (money in, another
/// currency).
pub fn score(transaction: &TransactionFacts<'_>, bill: &BillFacts<'_>) -> Option<Score> {
    if transaction.amount_minor >= 0 || transaction.currency != bill.currency {
        return None;
    }
    let mut points: u32 = 0;
    let mut reasons = Vec::with_capacity(3);
    let amount = transaction.amount_minor.unsigned_abs();
    if let Some((reason, worth)) = amount_reason(amount, bill) {
        reasons.push(reason);
        points += worth;
    }
    if let Some(days) = days_from_nearest(transaction.posted_on, bill.due_dates) {
        let worth = match days.unsigned_abs() {
            0 => 30,
            1..=3 => 25,
            4..=7 => 15,
            8..=14 => 5,
            _ => 0,
        };
        if worth > 0 {
            reasons.push(Reason::FromDue { days });
            points += worth;
        }
    }
    let earlier: usize = bill
        .earlier
        .iter()
        .filter(|(words, _)| words.alike(transaction.payee))
        .map(|(_, count)| *count)
        .sum();
    if earlier > 0 {
        reasons.push(Reason::PayeeLikeEarlier { count: earlier });
        points += 25;
    } else if bill.name.alike(transaction.payee) {
        reasons.push(Reason::PayeeLikeName);
        points += 20;
    }
    Some(Score {
        points: u8::try_from(points.min(100)).unwrap_or(100),
        reasons,
    })
}

fn amount_reason(amount: u64, bill: &BillFacts<'_>) -> Option<(Reason, u32)> {
    let expected = u64::try_from(bill.expected_minor).ok()?;
    if amount == expected {
        return Some((Reason::AmountEqual, 45));
    }
    if let Some((min, max)) = bill.range
        && let (Ok(min), Ok(max)) = (u64::try_from(min), u64::try_from(max))
        && (min..=max).contains(&amount)
    {
        return Some((Reason::AmountInRange, 35));
    }
    if expected == 0 {
        return None;
    }
    // Percent of the expected amount, rounded up, in u128 so nothing overflows.
    let diff = u128::from(amount.abs_diff(expected));
    let percent = (diff * 100).div_ceil(u128::from(expected));
    (percent <= 10).then(|| {
        let percent = u8::try_from(percent).unwrap_or(10);
        (Reason::AmountClose { percent }, 20)
    })
}

/// Signed days from the due date nearest to `posted` (positive: after it); the earlier due
/// date wins a tie. `None` without due dates.
pub fn days_from_nearest(posted: NaiveDate, due_dates: &[NaiveDate]) -> Option<i64> {
    let at = due_dates.partition_point(|due| *due <= posted);
    let before = at.checked_sub(1).and_then(|i| due_dates.get(i));
    let after = due_dates.get(at);
    let since = before.map(|due| (posted - *due).num_days());
    let until = after.map(|due| (posted - *due).num_days());
    match (since, until) {
        (Some(since), Some(until)) if until.unsigned_abs() < since.unsigned_abs() => Some(until),
        (Some(since), _) => Some(since),
        (None, until) => until,
    }
}

/// How a transaction came to be matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MatchedBy {
    /// Chosen by the person from the transaction.
    Manual,
    /// A suggestion the person accepted.
    Suggestion,
    /// A merchant rule.
    Rule,
}

impl MatchedBy {
    pub const ALL: [MatchedBy; 3] = [MatchedBy::Manual, MatchedBy::Suggestion, MatchedBy::Rule];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchedBy::Manual => "manual",
            MatchedBy::Suggestion => "suggestion",
            MatchedBy::Rule => "rule",
        }
    }
}

impl FromStr for MatchedBy {
    type Err = Invalid;
    /// Parses a name; the error names the field `matched_by`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        text::choice("matched_by", s, &MatchedBy::ALL, MatchedBy::as_str)
    }
}
