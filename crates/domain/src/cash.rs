//! Starting cash and income of one pay period, the inputs of safe-to-spend.
//!
//! Rules:
//! - A period's starting cash is what the user saved for that period of that month, or
//!   nothing: it is never guessed or carried over.
//! - A period's income is, in order: the income saved for that period of that month (0 too,
//!   which says "nothing comes in this time"); else the user's recurring income per payday,
//!   when the period starts on a payday ([`starts_on_payday`]); else nothing.
//! - A period starts on a payday when it is not the month's first (every later period begins on
//!   a payday) or when the 1st is one of the paydays. Someone paid on the 25th gets the
//!   recurring income in the 25th–end period, not in 1st–24th: that money came last month.
//!   Paydays that clamp onto one day of a short month make one period, paid once.
//! - Safe-to-spend is known only when the period has starting cash or income; with neither it
//!   is unknown (`None`), never a made-up zero.

use serde::Serialize;

use crate::Invalid;
use crate::buckets::{Bucket, Paydays, safe_to_spend};

/// Where a period's income comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IncomeSource {
    /// Saved for this period of this month.
    Saved,
    /// The recurring income per payday.
    Recurring,
    /// Neither: no income.
    None,
}

impl IncomeSource {
    /// The name the API uses: `saved`, `recurring` or `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Saved => "saved",
            Self::Recurring => "recurring",
            Self::None => "none",
        }
    }
}

/// One period's starting cash and income after the rules above, in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodCash {
    /// The saved starting cash (may be negative: overdrawn).
    pub starting: Option<i64>,
    /// The income that counts for the period.
    pub income: Option<i64>,
    pub income_source: IncomeSource,
}

/// Whether `bucket` begins on one of `paydays` (see the module rules).
pub fn starts_on_payday(bucket: &Bucket, paydays: &Paydays) -> bool {
    bucket.index > 0 || paydays.days().contains(&1)
}

impl PeriodCash {
    /// The period's cash from what was saved for it and the recurring income per payday.
    pub fn resolve(
        bucket: &Bucket,
        paydays: &Paydays,
        saved_starting: Option<i64>,
        saved_income: Option<i64>,
        per_payday: Option<i64>,
    ) -> Self {
        let (income, income_source) = match (saved_income, per_payday) {
            (Some(saved), _) => (Some(saved), IncomeSource::Saved),
            (None, Some(pay)) if starts_on_payday(bucket, paydays) => {
                (Some(pay), IncomeSource::Recurring)
            }
            _ => (None, IncomeSource::None),
        };
        Self {
            starting: saved_starting,
            income,
            income_source,
        }
    }

    /// Whether there is something to compute safe-to-spend from.
    pub fn is_known(&self) -> bool {
        self.starting.is_some() || self.income.is_some()
    }

    /// Starting cash + income − `unpaid` (what is still owed before the next payday), or
    /// `None` when nothing is known; an overflow is an [`Invalid`] for `safe_to_spend`.
    pub fn safe_to_spend(&self, unpaid: i64) -> Result<Option<i64>, Invalid> {
        if !self.is_known() {
            return Ok(None);
        }
        safe_to_spend(self.starting.unwrap_or(0), self.income.unwrap_or(0), unpaid).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::buckets::buckets;

    fn paydays(days: &[i64]) -> Paydays {
        match Paydays::parse(days) {
            Ok(paydays) => paydays,
            Err(e) => panic!("{e}"),
        }
    }

    fn periods(days: &[i64]) -> (Paydays, Vec<Bucket>) {
        let paydays = paydays(days);
        let all = buckets(2026, 3, &paydays);
        (paydays, all)
    }

    #[test]
    fn recurring_income_fills_only_periods_that_start_on_a_payday() {
        let (default, all) = periods(&[1, 15]);
        assert!(all.iter().all(|b| starts_on_payday(b, &default)));
        let (monthly, all) = periods(&[25]);
        let paid: Vec<bool> = all.iter().map(|b| starts_on_payday(b, &monthly)).collect();
        assert_eq!(paid, [false, true], "1st–24th is paid by last month's 25th");
        let first = PeriodCash::resolve(&all[0], &monthly, None, None, Some(300_000));
        assert_eq!(
            (first.income, first.income_source, first.is_known()),
            (None, IncomeSource::None, false)
        );
        let second = PeriodCash::resolve(&all[1], &monthly, None, None, Some(300_000));
        assert_eq!(
            (second.income, second.income_source),
            (Some(300_000), IncomeSource::Recurring)
        );
    }

    #[test]
    fn a_months_own_income_overrides_the_recurring_one_even_when_zero() {
        let (default, all) = periods(&[1, 15]);
        let own = PeriodCash::resolve(&all[1], &default, None, Some(0), Some(200_000));
        assert_eq!(
            (own.income, own.income_source),
            (Some(0), IncomeSource::Saved)
        );
        assert_eq!(own.safe_to_spend(5_000), Ok(Some(-5_000)));
    }

    #[test]
    fn safe_to_spend_is_unknown_without_cash_or_income() {
        let (default, all) = periods(&[1, 15]);
        let nothing = PeriodCash::resolve(&all[0], &default, None, None, None);
        assert_eq!(nothing.safe_to_spend(5_000), Ok(None));
        let starting_only = PeriodCash::resolve(&all[0], &default, Some(10_000), None, None);
        assert_eq!(starting_only.safe_to_spend(4_000), Ok(Some(6_000)));
        let both = PeriodCash::resolve(&all[0], &default, Some(10_000), None, Some(50_000));
        assert_eq!(both.safe_to_spend(4_000), Ok(Some(56_000)));
        let huge = PeriodCash::resolve(&all[0], &default, Some(i64::MAX), Some(1), None);
        assert_eq!(
            huge.safe_to_spend(0).map_err(|e| e.field),
            Err("safe_to_spend".to_owned())
        );
    }
}
