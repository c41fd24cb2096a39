//! The status of one bill occurrence, computed from real payments and the month's state.
//!
//! [`occurrence_status`] is a pure function of [`OccurrenceFacts`], the user's `today` and
//! [`StatusRules`]. The rules, checked in this order:
//! 1. **Skipped** when the month is marked skipped, whatever was paid.
//! 2. Something was paid (`paid > 0`):
//!    - a fixed bill is **Overpaid** above the expected amount, **Paid** at exactly it, and
//!      **Partial** below it;
//!    - an estimated bill with a range `(min, max)` is **Overpaid** above `max`, **Paid** from
//!      `min` to `max` (a utility bill that came in lower than expected is still settled), and
//!      **Partial** below `min`. Without a range it is judged like a fixed bill.
//!
//!    Partial stays Partial when overdue: the user has acted on it, and the remainder shows in
//!    the summary.
//! 3. Nothing was paid (a total of zero or less; refunds can make it negative):
//!    - **Missed** when today is more than `grace_days` after the due date,
//!    - **Late** when today is after the due date, within the grace period,
//!    - **DueSoon** when the due date is today or at most `due_soon_days` away,
//!    - **Upcoming** otherwise.
//!
//!    A snooze until a date on or after today turns an overdue occurrence (Late or Missed) into
//!    DueSoon or Upcoming, judged against the snooze date instead of the due date; a snooze
//!    that has run out, or one on an occurrence that is not overdue, changes nothing.
//!
//! "Expected" is the month's actual amount when one is set, else the bill's expected amount;
//! the caller passes `estimate: None` when the month's actual amount is known, since the range
//! only describes a bill whose amount is not yet known.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{Invalid, text};

/// Where one occurrence of a bill stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OccurrenceStatus {
    /// Payments cover the expected amount (or reach an estimate's minimum).
    Paid,
    /// Something, but not enough, has been paid.
    Partial,
    /// More than expected (or than an estimate's maximum) has been paid.
    Overpaid,
    /// Unpaid, due today or within the due-soon window.
    DueSoon,
    /// Unpaid, past due but within the grace period.
    Late,
    /// Unpaid, past the grace period.
    Missed,
    /// The user skipped this month.
    Skipped,
    /// Unpaid, due later than the due-soon window.
    Upcoming,
}

impl OccurrenceStatus {
    /// Every status, in declaration order.
    pub const ALL: [OccurrenceStatus; 8] = [
        OccurrenceStatus::Paid,
        OccurrenceStatus::Partial,
        OccurrenceStatus::Overpaid,
        OccurrenceStatus::DueSoon,
        OccurrenceStatus::Late,
        OccurrenceStatus::Missed,
        OccurrenceStatus::Skipped,
        OccurrenceStatus::Upcoming,
    ];

    /// The name used in JSON, CSS classes and filters (`"due_soon"`).
    pub fn as_str(self) -> &'static str {
        match self {
            OccurrenceStatus::Paid => "paid",
            OccurrenceStatus::Partial => "partial",
            OccurrenceStatus::Overpaid => "overpaid",
            OccurrenceStatus::DueSoon => "due_soon",
            OccurrenceStatus::Late => "late",
            OccurrenceStatus::Missed => "missed",
            OccurrenceStatus::Skipped => "skipped",
            OccurrenceStatus::Upcoming => "upcoming",
        }
    }

    /// Whether the occurrence still needs paying and its due date (or snooze) has passed.
    pub fn is_overdue(self) -> bool {
        matches!(self, OccurrenceStatus::Late | OccurrenceStatus::Missed)
    }
}

impl fmt::Display for OccurrenceStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for OccurrenceStatus {
    type Err = Invalid;
    /// Parses a status name (a filter in a URL); the error names the field `status`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        text::choice(
            "status",
            s,
            &OccurrenceStatus::ALL,
            OccurrenceStatus::as_str,
        )
    }
}

/// The user's thresholds: how close a due date counts as "due soon", and how long after it a
/// bill is "late" before it is "missed".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct StatusRules {
    /// Days before the due date (inclusive) that show as DueSoon; default 3.
    pub due_soon_days: u8,
    /// Days after the due date that show as Late rather than Missed; default 5.
    pub grace_days: u8,
}

impl Default for StatusRules {
    fn default() -> Self {
        Self {
            due_soon_days: 3,
            grace_days: 5,
        }
    }
}

/// What is known about one occurrence; amounts in minor units of the bill's currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OccurrenceFacts {
    /// The occurrence's due date.
    pub due: NaiveDate,
    /// The month's actual amount if set, else the bill's expected amount.
    pub expected: i64,
    /// `(min, max)` for an estimated bill whose amount is not yet known.
    pub estimate: Option<(i64, i64)>,
    /// The total of the (not deleted) payments attributed to this occurrence.
    pub paid: i64,
    /// The month is marked skipped.
    pub skipped: bool,
    /// The user snoozed the overdue occurrence until this date.
    pub snoozed_until: Option<NaiveDate>,
}

/// The status of an occurrence on the user's `today`; see the module documentation for the
/// rules.
pub fn occurrence_status(
    facts: &OccurrenceFacts,
    today: NaiveDate,
    rules: StatusRules,
) -> OccurrenceStatus {
    if facts.skipped {
        return OccurrenceStatus::Skipped;
    }
    if facts.paid > 0 {
        let (enough, most) = facts.estimate.unwrap_or((facts.expected, facts.expected));
        return if facts.paid > most {
            OccurrenceStatus::Overpaid
        } else if facts.paid >= enough {
            OccurrenceStatus::Paid
        } else {
            OccurrenceStatus::Partial
        };
    }
    let days_late = today.signed_duration_since(facts.due).num_days();
    if days_late > 0 {
        if let Some(snooze) = facts.snoozed_until.filter(|snooze| *snooze >= today) {
            return timing_before_due(snooze, today, rules);
        }
        return if days_late > i64::from(rules.grace_days) {
            OccurrenceStatus::Missed
        } else {
            OccurrenceStatus::Late
        };
    }
    timing_before_due(facts.due, today, rules)
}

/// DueSoon or Upcoming for a date on or after `today`.
fn timing_before_due(due: NaiveDate, today: NaiveDate, rules: StatusRules) -> OccurrenceStatus {
    if due.signed_duration_since(today).num_days() <= i64::from(rules.due_soon_days) {
        OccurrenceStatus::DueSoon
    } else {
        OccurrenceStatus::Upcoming
    }
}

/// The sort key of the tracker's "pin due" order: Missed, then Late, DueSoon, Upcoming, then
/// every other status (settled or skipped) together, so a stable sort keeps their order.
pub fn pin_due_rank(status: OccurrenceStatus) -> u8 {
    match status {
        OccurrenceStatus::Missed => 0,
        OccurrenceStatus::Late => 1,
        OccurrenceStatus::DueSoon => 2,
        OccurrenceStatus::Upcoming => 3,
        OccurrenceStatus::Paid
        | OccurrenceStatus::Partial
        | OccurrenceStatus::Overpaid
        | OccurrenceStatus::Skipped => 4,
    }
}

#[cfg(test)]
mod tests;
