//! Budgets per category: their period and how close spending is to the limit.
//!
//! Rules and invariants:
//! - A budget covers a calendar month or a calendar year ([`period_range`]: first to last day,
//!   inclusive, so February ends on the 28th or 29th).
//! - [`budget_use`] is the one rule for the percentage shown and the state: the integer
//!   percentage of the limit spent (widened to `i128`, so no amount can overflow and no float
//!   can round), and from it **Exceeded** from 100 %, **Warning** from 80 %, **Under** below.
//!   79.99 % is 79 % and still Under.
//! - A limit of zero or less is exceeded by any spending at all (and Under when nothing was
//!   spent); refunds can make spending negative, which is Under.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::recurrence::clamp_day;
use crate::{Invalid, text};

/// How long a budget's limit lasts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetPeriod {
    /// A calendar month.
    Monthly,
    /// A calendar year.
    Yearly,
}

impl BudgetPeriod {
    /// Every period.
    pub const ALL: [BudgetPeriod; 2] = [BudgetPeriod::Monthly, BudgetPeriod::Yearly];

    /// The name used in JSON and forms.
    pub fn as_str(self) -> &'static str {
        match self {
            BudgetPeriod::Monthly => "monthly",
            BudgetPeriod::Yearly => "yearly",
        }
    }
}

impl fmt::Display for BudgetPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for BudgetPeriod {
    type Err = Invalid;
    /// Parses a period name; the error names the field `period`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        text::choice("period", s, &BudgetPeriod::ALL, BudgetPeriod::as_str)
    }
}

/// How spending stands against a budget's limit; ordered from best to worst.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BudgetState {
    /// Below 80 % of the limit.
    Under,
    /// From 80 % of the limit: the first alert.
    Warning,
    /// From 100 % of the limit: the second alert.
    Exceeded,
}

impl BudgetState {
    /// The name used in JSON and CSS classes.
    pub fn as_str(self) -> &'static str {
        match self {
            BudgetState::Under => "under",
            BudgetState::Warning => "warning",
            BudgetState::Exceeded => "exceeded",
        }
    }
}

/// The percentage of the limit from which a budget warns.
pub const WARNING_FROM_PERCENT: i64 = 80;
/// The percentage of the limit from which a budget is exceeded.
pub const EXCEEDED_FROM_PERCENT: i64 = 100;

/// How much of a budget's limit is used: the percentage shown and the state its chip shows,
/// both from this one rule, so they can never disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BudgetUse {
    /// The integer part of spent / limit in percent, never below 0 (refunds); a limit of
    /// zero or less that has spending counts as 100.
    pub percent: i64,
    /// From `percent`: Exceeded from 100, Warning from 80, else Under.
    pub state: BudgetState,
}

/// How much of a limit of `limit_minor` is used after `spent_minor` was spent in its period.
pub fn budget_use(limit_minor: i64, spent_minor: i64) -> BudgetUse {
    let percent = if limit_minor <= 0 {
        if spent_minor > 0 {
            EXCEEDED_FROM_PERCENT
        } else {
            0
        }
    } else {
        // ⌊spent × 100 / limit⌋ in i128, so nothing overflows and no float rounds. The integer
        // part is at least 80 exactly when spent / limit is at least 80 %, so the thresholds
        // below are exact.
        let whole = i128::from(spent_minor.max(0)) * 100 / i128::from(limit_minor);
        i64::try_from(whole).unwrap_or(i64::MAX)
    };
    let state = if percent >= EXCEEDED_FROM_PERCENT {
        BudgetState::Exceeded
    } else if percent >= WARNING_FROM_PERCENT {
        BudgetState::Warning
    } else {
        BudgetState::Under
    };
    BudgetUse { percent, state }
}

/// The state of a budget of `limit_minor` after `spent_minor` was spent in its period
/// ([`budget_use`]'s state).
pub fn budget_state(limit_minor: i64, spent_minor: i64) -> BudgetState {
    budget_use(limit_minor, spent_minor).state
}

/// The first and last day (inclusive) of the `period` that holds `date`.
pub fn period_range(period: BudgetPeriod, date: NaiveDate) -> (NaiveDate, NaiveDate) {
    let (first_month, last_month) = match period {
        BudgetPeriod::Monthly => (date.month(), date.month()),
        BudgetPeriod::Yearly => (1, 12),
    };
    // Both exist for every date chrono can hold (its range is whole years); the fallback to
    // `date` only keeps the function total.
    let start = clamp_day(date.year(), first_month, 1).unwrap_or(date);
    let end = clamp_day(date.year(), last_month, 31).unwrap_or(date);
    (start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        match NaiveDate::from_ymd_opt(year, month, day) {
            Some(date) => date,
            None => panic!("{year}-{month}-{day} is not a date"),
        }
    }

    #[test]
    fn budgets_warn_at_80_percent_and_are_exceeded_at_100() {
        assert_eq!(budget_state(10_000, 0), BudgetState::Under);
        assert_eq!(budget_state(10_000, 7_900), BudgetState::Under, "79 %");
        assert_eq!(budget_state(10_000, 7_999), BudgetState::Under, "79.99 %");
        assert_eq!(budget_state(10_000, 8_000), BudgetState::Warning, "80 %");
        assert_eq!(budget_state(10_000, 9_999), BudgetState::Warning);
        assert_eq!(budget_state(10_000, 10_000), BudgetState::Exceeded, "100 %");
        assert_eq!(budget_state(10_000, 25_000), BudgetState::Exceeded);
        assert_eq!(budget_state(10_000, -500), BudgetState::Under, "refunds");
    }

    #[test]
    fn thresholds_are_exact_for_limits_that_do_not_divide_evenly() {
        // 80 % of 333 is 266.4: 266 is below it, 267 above.
        assert_eq!(budget_state(333, 266), BudgetState::Under);
        assert_eq!(budget_state(333, 267), BudgetState::Warning);
        assert_eq!(budget_state(333, 332), BudgetState::Warning);
        assert_eq!(budget_state(333, 333), BudgetState::Exceeded);
    }

    #[test]
    fn extreme_amounts_do_not_overflow() {
        assert_eq!(budget_state(i64::MAX, i64::MAX), BudgetState::Exceeded);
        // 80 % of i64::MAX is …645.6; an f64 could not tell these two apart.
        let eighty_percent = i64::MAX / 5 * 4 + 2;
        assert_eq!(budget_state(i64::MAX, eighty_percent), BudgetState::Warning);
        assert_eq!(
            budget_state(i64::MAX, eighty_percent - 1),
            BudgetState::Under
        );
        assert_eq!(budget_state(i64::MAX, i64::MIN), BudgetState::Under);
        assert_eq!(budget_state(1, i64::MAX), BudgetState::Exceeded);
    }

    #[test]
    fn an_empty_limit_is_exceeded_by_any_spending() {
        assert_eq!(budget_state(0, 0), BudgetState::Under);
        assert_eq!(budget_state(0, 1), BudgetState::Exceeded);
        assert_eq!(budget_state(-5, 1), BudgetState::Exceeded);
    }

    #[test]
    fn the_chip_follows_the_percentage_shown() {
        // (limit, spent, percent shown, state of the chip)
        let table = [
            (10_000, 0, 0, BudgetState::Under),
            (10_000, 7_999, 79, BudgetState::Under),
            (10_000, 8_000, 80, BudgetState::Warning),
            (1_234_567, 1_150_000, 93, BudgetState::Warning),
            (10_000, 9_999, 99, BudgetState::Warning),
            (10_000, 10_000, 100, BudgetState::Exceeded),
            (10_000, 25_000, 250, BudgetState::Exceeded),
            (10_000, -500, 0, BudgetState::Under),
            (333, 266, 79, BudgetState::Under),
            (333, 267, 80, BudgetState::Warning),
            (0, 1, 100, BudgetState::Exceeded),
            (0, 0, 0, BudgetState::Under),
        ];
        for (limit, spent, percent, state) in table {
            let used = budget_use(limit, spent);
            assert_eq!(
                (used.percent, used.state),
                (percent, state),
                "{spent} of {limit}"
            );
        }
        // For every percentage, the state is the one its number says.
        for spent in 0..=20_000 {
            let used = budget_use(10_000, spent);
            let expected = match used.percent {
                p if p >= EXCEEDED_FROM_PERCENT => BudgetState::Exceeded,
                p if p >= WARNING_FROM_PERCENT => BudgetState::Warning,
                _ => BudgetState::Under,
            };
            assert_eq!(used.state, expected, "{spent}");
        }
    }

    #[test]
    fn periods_are_whole_calendar_months_and_years() {
        let feb = date(2024, 2, 10);
        assert_eq!(
            period_range(BudgetPeriod::Monthly, feb),
            (date(2024, 2, 1), date(2024, 2, 29))
        );
        assert_eq!(
            period_range(BudgetPeriod::Monthly, date(2025, 2, 28)),
            (date(2025, 2, 1), date(2025, 2, 28))
        );
        assert_eq!(
            period_range(BudgetPeriod::Yearly, feb),
            (date(2024, 1, 1), date(2024, 12, 31))
        );
        assert_eq!(
            period_range(BudgetPeriod::Monthly, NaiveDate::MAX).1,
            NaiveDate::MAX
        );
    }

    #[test]
    fn periods_parse_from_their_names() {
        assert_eq!("yearly".parse::<BudgetPeriod>(), Ok(BudgetPeriod::Yearly));
        assert_eq!(
            "weekly".parse::<BudgetPeriod>().map_err(|e| e.field),
            Err("period".to_owned())
        );
        assert!(BudgetState::Under < BudgetState::Warning);
        assert_eq!(BudgetState::Exceeded.as_str(), "exceeded");
    }
}
