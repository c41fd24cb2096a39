//! Pay-period buckets: the tracker groups a month's occurrences by the user's paydays.
//!
//! Rules and invariants:
//! - [`Paydays`] are 1 to 4 distinct days of the month (1–31), kept sorted; the default is the
//!   1st and the 15th.
//! - [`buckets`] splits a month into consecutive, non-overlapping buckets that cover it exactly:
//!   the first always starts on the 1st (even when no payday is the 1st), every payday starts a
//!   new one, and each ends the day before the next starts (the last on the month's last day).
//!   Paydays past the end of a short month clamp to its last day (31 → 30 April, 28/29
//!   February); paydays that clamp onto the same day make one bucket. Default: 1st–14th and
//!   15th–end.
//! - [`bucket_of`] is the bucket of those that holds a date.
//! - [`safe_to_spend`] is starting cash + income − unpaid bills before the next payday, with
//!   checked arithmetic (an overflow is an error, never a wrapped number).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::recurrence::{clamp_day, days_in_month};
use crate::{Invalid, money};

/// The user's paydays: 1–4 distinct days of the month, sorted.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "Vec<i64>", into = "Vec<u32>")]
pub struct Paydays(Vec<u32>);

impl Paydays {
    /// The most paydays a month may have.
    pub const MAX_DAYS: usize = 4;

    /// Parses the list the user chose; the error names the field `paydays`.
    pub fn parse(days: &[i64]) -> Result<Self, Invalid> {
        if days.is_empty() || days.len() > Self::MAX_DAYS {
            return Err(Invalid::new(
                "paydays",
                "must list 1 to 4 days of the month",
            ));
        }
        let mut parsed = Vec::with_capacity(days.len());
        for &day in days {
            let day = u32::try_from(day)
                .ok()
                .filter(|day| (1..=31).contains(day))
                .ok_or_else(|| Invalid::new("paydays", "must be days of the month from 1 to 31"))?;
            if parsed.contains(&day) {
                return Err(Invalid::new("paydays", "must not list the same day twice"));
            }
            parsed.push(day);
        }
        parsed.sort_unstable();
        Ok(Self(parsed))
    }

    /// The days, ascending.
    pub fn days(&self) -> &[u32] {
        &self.0
    }

    /// The first day of each bucket of `month` in `year`: the 1st, then each payday clamped to
    /// the month, without repeats, ascending. Empty for an invalid month.
    fn starts(&self, year: i32, month: u32) -> Vec<u32> {
        let Some(last) = days_in_month(year, month) else {
            return Vec::new();
        };
        let mut starts = vec![1];
        for day in &self.0 {
            let day = (*day).min(last);
            if !starts.contains(&day) {
                starts.push(day);
            }
        }
        starts
    }
}

impl Default for Paydays {
    /// The 1st and the 15th.
    fn default() -> Self {
        Self(vec![1, 15])
    }
}

impl TryFrom<Vec<i64>> for Paydays {
    type Error = Invalid;
    fn try_from(days: Vec<i64>) -> Result<Self, Self::Error> {
        Self::parse(&days)
    }
}

impl From<Paydays> for Vec<u32> {
    fn from(paydays: Paydays) -> Self {
        paydays.0
    }
}

/// One pay period of a month: `start..=end`, numbered from 0 within the month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Bucket {
    /// The position within the month, from 0.
    pub index: usize,
    /// The first day (the 1st or a payday).
    pub start: NaiveDate,
    /// The last day, inclusive.
    pub end: NaiveDate,
}

impl Bucket {
    /// Whether `date` falls in this bucket.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }

    /// The day after the bucket: the next payday, or the 1st of the next month. Bills due
    /// before it are the ones safe-to-spend subtracts.
    pub fn next_start(&self) -> Option<NaiveDate> {
        self.end.succ_opt()
    }
}

/// The buckets of `month` (1–12) in `year`, covering the month exactly; empty for an invalid
/// month.
pub fn buckets(year: i32, month: u32, paydays: &Paydays) -> Vec<Bucket> {
    let Some(last) = days_in_month(year, month) else {
        return Vec::new();
    };
    let starts = paydays.starts(year, month);
    let ends = starts.iter().skip(1).map(|next| next - 1).chain([last]);
    starts
        .iter()
        .zip(ends)
        .enumerate()
        .filter_map(|(index, (&start, end))| {
            Some(Bucket {
                index,
                start: clamp_day(year, month, start)?,
                end: clamp_day(year, month, end)?,
            })
        })
        .collect()
}

/// The bucket that holds `date`, under `paydays`.
pub fn bucket_of(date: NaiveDate, paydays: &Paydays) -> Bucket {
    let all = buckets(date.year(), date.month(), paydays);
    all.iter()
        .copied()
        .find(|bucket| bucket.contains(date))
        // Unreachable: the buckets cover every day of the month. A one-day bucket keeps the
        // function total without a panic.
        .unwrap_or(Bucket {
            index: 0,
            start: date,
            end: date,
        })
}

/// Starting cash + income − unpaid bills before the next payday, in minor units; an overflow
/// is an [`Invalid`] for the field `safe_to_spend`.
pub fn safe_to_spend(
    starting_cash: i64,
    income: i64,
    unpaid_before_next_payday: i64,
) -> Result<i64, Invalid> {
    starting_cash
        .checked_add(income)
        .and_then(|cash| cash.checked_sub(unpaid_before_next_payday))
        .ok_or_else(|| Invalid::new("safe_to_spend", money::TOO_LARGE))
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn date(year: i32, month: u32, day: u32) -> NaiveDate {
        match NaiveDate::from_ymd_opt(year, month, day) {
            Some(date) => date,
            None => panic!("{year}-{month}-{day} is not a date"),
        }
    }

    fn paydays(days: &[i64]) -> Paydays {
        match Paydays::parse(days) {
            Ok(paydays) => paydays,
            Err(e) => panic!("{e}"),
        }
    }

    fn spans(year: i32, month: u32, paydays: &Paydays) -> Vec<(u32, u32)> {
        buckets(year, month, paydays)
            .iter()
            .map(|b| (b.start.day(), b.end.day()))
            .collect()
    }

    #[test]
    fn the_default_splits_the_month_on_the_15th() {
        let default = Paydays::default();
        assert_eq!(default.days(), &[1, 15]);
        assert_eq!(spans(2025, 3, &default), vec![(1, 14), (15, 31)]);
        assert_eq!(spans(2025, 2, &default), vec![(1, 14), (15, 28)]);
        assert_eq!(spans(2024, 2, &default), vec![(1, 14), (15, 29)]);
    }

    #[test]
    fn paydays_past_the_end_of_february_clamp_and_merge() {
        let late = paydays(&[30, 15]);
        assert_eq!(late.days(), &[15, 30], "sorted");
        assert_eq!(spans(2025, 2, &late), vec![(1, 14), (15, 27), (28, 28)]);
        assert_eq!(spans(2025, 4, &late), vec![(1, 14), (15, 29), (30, 30)]);
        let merging = paydays(&[29, 30, 31]);
        assert_eq!(spans(2025, 2, &merging), vec![(1, 27), (28, 28)]);
        assert_eq!(spans(2024, 2, &merging), vec![(1, 28), (29, 29)]);
    }

    #[test]
    fn the_first_bucket_always_starts_on_the_1st() {
        assert_eq!(spans(2025, 1, &paydays(&[10])), vec![(1, 9), (10, 31)]);
        assert_eq!(spans(2025, 1, &paydays(&[1])), vec![(1, 31)]);
        assert_eq!(buckets(2025, 13, &Paydays::default()), vec![]);
    }

    #[test]
    fn a_date_belongs_to_the_bucket_that_holds_it() {
        let default = Paydays::default();
        let bucket = bucket_of(date(2025, 2, 20), &default);
        assert_eq!(
            (bucket.index, bucket.start, bucket.end),
            (1, date(2025, 2, 15), date(2025, 2, 28))
        );
        assert_eq!(bucket.next_start(), Some(date(2025, 3, 1)));
        assert_eq!(bucket_of(date(2025, 2, 14), &default).index, 0);
    }

    #[test]
    fn paydays_must_be_1_to_4_distinct_days() {
        let reason = |days: &[i64]| Paydays::parse(days).map_err(|e| (e.field, e.reason));
        assert_eq!(
            reason(&[]),
            Err((
                "paydays".to_owned(),
                "must list 1 to 4 days of the month".to_owned()
            ))
        );
        assert!(Paydays::parse(&[1, 8, 15, 22, 29]).is_err());
        assert!(Paydays::parse(&[0]).is_err());
        assert!(Paydays::parse(&[32]).is_err());
        assert!(Paydays::parse(&[-1]).is_err());
        assert_eq!(
            reason(&[15, 15]).map_err(|e| e.1),
            Err("must not list the same day twice".to_owned())
        );
    }

    #[test]
    fn safe_to_spend_subtracts_unpaid_bills_and_refuses_overflow() {
        assert_eq!(safe_to_spend(50_000, 200_000, 180_000), Ok(70_000));
        assert_eq!(safe_to_spend(0, 0, 1_000), Ok(-1_000), "can be negative");
        assert!(
            safe_to_spend(i64::MAX, 1, 1).is_err(),
            "checked before subtracting"
        );
        assert_eq!(
            safe_to_spend(i64::MIN, 0, 1).map_err(|e| e.field),
            Err("safe_to_spend".to_owned())
        );
    }

    proptest! {
        #[test]
        fn buckets_cover_the_month_exactly(
            days in prop::collection::btree_set(1_i64..=31, 1..=4),
            year in 1_i32..=9999,
            month in 1_u32..=12,
        ) {
            let days: Vec<i64> = days.into_iter().collect();
            let paydays = paydays(&days);
            let all = buckets(year, month, &paydays);
            prop_assert!(!all.is_empty());
            prop_assert_eq!(all[0].start.day(), 1);
            let last = all[all.len() - 1].end;
            prop_assert!(last.succ_opt().is_none_or(|next| next.month() != month));
            for pair in all.windows(2) {
                prop_assert_eq!(pair[0].end.succ_opt(), Some(pair[1].start));
                prop_assert_eq!(pair[0].index + 1, pair[1].index);
            }
            for day in all[0].start.iter_days().take_while(|d| *d <= last) {
                prop_assert_eq!(all.iter().filter(|b| b.contains(day)).count(), 1);
                prop_assert!(all.contains(&bucket_of(day, &paydays)));
            }
        }
    }
}
