//! When a recurring bill falls due: cycles, due days and the occurrences of a schedule.
//!
//! Rules and invariants:
//! - A [`Schedule`] is a [`Cycle`], an anchor date and, for the monthly-type cycles, an optional
//!   [`DueDay`] (1–31). The anchor is the first possible occurrence: nothing is ever due before
//!   it.
//! - Weekly and biweekly bills fall every 7 / 14 days from the anchor, across month and year
//!   ends; a month holds 4–5 weekly or 2–3 biweekly occurrences. Their due day is ignored.
//! - Queries may start on either side of the anchor: a range that begins before it simply
//!   starts at the anchor, and nothing is "previous" to it.
//! - Monthly, quarterly, semiannual and annual bills fall once in every 1st / 3rd / 6th / 12th
//!   month counted from the anchor's month (the anchor sets the phase: a quarterly bill anchored
//!   in February is due in Feb, May, Aug, Nov), on the due day (default: the anchor's day)
//!   clamped to the month's last day: 31 → 30 April, → 28 or 29 February, and back to 31 in
//!   May. A February-29 annual bill is due on February 28 in common years.
//! - Every computation is checked: queries near the ends of the calendar (year 1, year 9999
//!   and beyond) return fewer or no dates instead of overflowing or panicking.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Days, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::{Invalid, text};

/// How often a bill repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cycle {
    /// Every 7 days from the anchor.
    Weekly,
    /// Every 14 days from the anchor.
    Biweekly,
    /// Every month, on the due day.
    Monthly,
    /// Every third month from the anchor's month, on the due day.
    Quarterly,
    /// Every sixth month from the anchor's month, on the due day.
    Semiannual,
    /// Once a year in the anchor's month, on the due day.
    Annual,
}

/// The distance between two occurrences: whole days, or whole months on a due day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Days(u64),
    Months(i64),
}

impl Cycle {
    /// Every cycle, shortest first.
    pub const ALL: [Cycle; 6] = [
        Cycle::Weekly,
        Cycle::Biweekly,
        Cycle::Monthly,
        Cycle::Quarterly,
        Cycle::Semiannual,
        Cycle::Annual,
    ];

    /// The name used in JSON, forms and URLs (`"biweekly"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Cycle::Weekly => "weekly",
            Cycle::Biweekly => "biweekly",
            Cycle::Monthly => "monthly",
            Cycle::Quarterly => "quarterly",
            Cycle::Semiannual => "semiannual",
            Cycle::Annual => "annual",
        }
    }

    /// Whether the cycle counts months (and so uses a due day) rather than days.
    pub fn is_monthly_type(self) -> bool {
        matches!(self.step(), Step::Months(_))
    }

    /// The longest possible gap in days between two consecutive occurrences (7, 14, 31, 92,
    /// 184, 366): an upper bound for "one cycle".
    pub fn longest_gap_days(self) -> i64 {
        match self {
            Cycle::Weekly => 7,
            Cycle::Biweekly => 14,
            Cycle::Monthly => 31,
            Cycle::Quarterly => 92,
            Cycle::Semiannual => 184,
            Cycle::Annual => 366,
        }
    }

    /// `date` moved one cycle later: 7 or 14 days, or 1, 3, 6 or 12 calendar months (the day
    /// clamped to the end of a shorter month: one month after January 31 is February 28/29).
    /// `None` past the end of the calendar.
    pub fn one_cycle_after(self, date: NaiveDate) -> Option<NaiveDate> {
        match self.step() {
            Step::Days(days) => date.checked_add_days(Days::new(days)),
            Step::Months(months) => {
                date.checked_add_months(Months::new(u32::try_from(months).ok()?))
            }
        }
    }

    fn step(self) -> Step {
        match self {
            Cycle::Weekly => Step::Days(7),
            Cycle::Biweekly => Step::Days(14),
            Cycle::Monthly => Step::Months(1),
            Cycle::Quarterly => Step::Months(3),
            Cycle::Semiannual => Step::Months(6),
            Cycle::Annual => Step::Months(12),
        }
    }
}

impl fmt::Display for Cycle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Cycle {
    type Err = Invalid;
    /// Parses a cycle name; the error names the field `cycle`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        text::choice("cycle", s, &Cycle::ALL, Cycle::as_str)
    }
}

/// A day of the month from 1 to 31; months shorter than the day clamp it to their last day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "u32")]
pub struct DueDay(u8);

impl DueDay {
    /// A due day from 1 to 31; the error names the field `due_day`.
    pub fn new(day: i64) -> Result<Self, Invalid> {
        u8::try_from(day)
            .ok()
            .filter(|day| (1..=31).contains(day))
            .map(Self)
            .ok_or_else(|| Invalid::new("due_day", "must be a day of the month from 1 to 31"))
    }

    /// The day number, 1–31.
    pub fn get(self) -> u32 {
        u32::from(self.0)
    }
}

impl TryFrom<i64> for DueDay {
    type Error = Invalid;
    fn try_from(day: i64) -> Result<Self, Self::Error> {
        Self::new(day)
    }
}

impl From<DueDay> for u32 {
    fn from(day: DueDay) -> Self {
        day.get()
    }
}

/// The number of days of `month` (1–12) in `year`, or `None` for a month outside 1–12.
pub fn days_in_month(year: i32, month: u32) -> Option<u32> {
    let leap = year.rem_euclid(4) == 0 && (year.rem_euclid(100) != 0 || year.rem_euclid(400) == 0);
    match month {
        2 if leap => Some(29),
        2 => Some(28),
        4 | 6 | 9 | 11 => Some(30),
        1 | 3 | 5 | 7 | 8 | 10 | 12 => Some(31),
        _ => None,
    }
}

/// The date of `day` in `month` of `year`, the day clamped into the month (31 → 30 April,
/// → 28/29 February; 0 → 1). `None` for a month outside 1–12 or a year chrono cannot hold.
pub fn clamp_day(year: i32, month: u32, day: u32) -> Option<NaiveDate> {
    let last = days_in_month(year, month)?;
    NaiveDate::from_ymd_opt(year, month, day.clamp(1, last))
}

/// A bill's recurrence: its cycle, its anchor (first possible occurrence) and its due day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Schedule {
    cycle: Cycle,
    anchor: NaiveDate,
    due_day: Option<DueDay>,
}

impl Schedule {
    /// A schedule. The due day only means something for monthly-type cycles; for weekly and
    /// biweekly ones it is dropped, so two schedules that fall on the same dates are equal.
    pub fn new(cycle: Cycle, anchor: NaiveDate, due_day: Option<DueDay>) -> Self {
        let due_day = if cycle.is_monthly_type() {
            due_day
        } else {
            None
        };
        Self {
            cycle,
            anchor,
            due_day,
        }
    }

    /// How often the bill repeats.
    pub fn cycle(&self) -> Cycle {
        self.cycle
    }

    /// The first possible occurrence; it also sets the phase of the cycle.
    pub fn anchor(&self) -> NaiveDate {
        self.anchor
    }

    /// The due day as given (`None` for weekly and biweekly schedules, or when it defaults to
    /// the anchor's day).
    pub fn due_day(&self) -> Option<DueDay> {
        self.due_day
    }

    /// The day of the month a monthly-type bill falls on before clamping: the due day, or the
    /// anchor's day. `None` for weekly and biweekly schedules.
    pub fn day_of_month(&self) -> Option<u32> {
        self.cycle
            .is_monthly_type()
            .then(|| self.due_day.map_or(self.anchor.day(), DueDay::get))
    }

    /// Whether the bill falls due on `date`.
    pub fn is_occurrence(&self, date: NaiveDate) -> bool {
        self.next_on_or_after(date) == Some(date)
    }

    /// The first occurrence on or after `date` (never before the anchor), or `None` past the
    /// end of the calendar.
    pub fn next_on_or_after(&self, date: NaiveDate) -> Option<NaiveDate> {
        let from = date.max(self.anchor);
        match self.cycle.step() {
            Step::Days(step) => {
                let gap = days_between(self.anchor, from)?;
                let steps = gap.div_ceil(step);
                self.anchor
                    .checked_add_days(Days::new(steps.checked_mul(step)?))
            }
            Step::Months(period) => {
                let month = month_index(from);
                let behind = (month - month_index(self.anchor)).rem_euclid(period);
                let month = if behind == 0 {
                    month
                } else {
                    month + period - behind
                };
                let candidate = self.date_in_month(month)?;
                if candidate >= from {
                    Some(candidate)
                } else {
                    self.date_in_month(month + period)
                }
            }
        }
    }

    /// The last occurrence strictly before `date`, or `None` when there is none (on or before
    /// the anchor).
    pub fn previous_before(&self, date: NaiveDate) -> Option<NaiveDate> {
        let until = date.pred_opt()?;
        if until < self.anchor {
            return None;
        }
        match self.cycle.step() {
            Step::Days(step) => {
                let gap = days_between(self.anchor, until)?;
                self.anchor.checked_add_days(Days::new(gap / step * step))
            }
            Step::Months(period) => {
                let month = month_index(until);
                let month = month - (month - month_index(self.anchor)).rem_euclid(period);
                let candidate = self.date_in_month(month)?;
                let candidate = if candidate <= until {
                    candidate
                } else {
                    self.date_in_month(month - period)?
                };
                (candidate >= self.anchor).then_some(candidate)
            }
        }
    }

    /// Every occurrence from `start` to `end_inclusive`, in order (empty when `start` is after
    /// the end).
    pub fn occurrences_between(
        &self,
        start: NaiveDate,
        end_inclusive: NaiveDate,
    ) -> Vec<NaiveDate> {
        let mut dates = Vec::new();
        let mut next = self.next_on_or_after(start);
        while let Some(date) = next.filter(|date| *date <= end_inclusive) {
            dates.push(date);
            next = date
                .succ_opt()
                .and_then(|after| self.next_on_or_after(after));
        }
        dates
    }

    /// Every occurrence in `month` (1–12) of `year`; empty for an invalid month.
    pub fn occurrences_in_month(&self, year: i32, month: u32) -> Vec<NaiveDate> {
        match (clamp_day(year, month, 1), clamp_day(year, month, 31)) {
            (Some(first), Some(last)) => self.occurrences_between(first, last),
            _ => Vec::new(),
        }
    }

    /// The due date in the month numbered `month` (see [`month_index`]).
    fn date_in_month(&self, month: i64) -> Option<NaiveDate> {
        let year = i32::try_from(month.div_euclid(12)).ok()?;
        let month = u32::try_from(month.rem_euclid(12) + 1).ok()?;
        clamp_day(year, month, self.day_of_month()?)
    }
}

/// Months since year 0 (`year * 12 + month - 1`), so month arithmetic crosses year ends.
fn month_index(date: NaiveDate) -> i64 {
    i64::from(date.year()) * 12 + i64::from(date.month0())
}

/// Whole days from `earlier` to `later`, or `None` if `later` is before `earlier`.
fn days_between(earlier: NaiveDate, later: NaiveDate) -> Option<u64> {
    u64::try_from(later.signed_duration_since(earlier).num_days()).ok()
}

#[cfg(test)]
mod tests;
