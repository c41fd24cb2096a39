//! Cycle attribution: which occurrence of a bill a payment settles.
//!
//! A payment belongs to the cycle it settles, not to the month it was made in: rent for
//! February paid late on March 3 settles February, and March stays open.
//!
//! Rule of [`attribute_payment`], given the bill's cycle, the occurrences the caller considers
//! open (any order) and the payment date:
//! 1. Only occurrences due **at most one cycle after the payment** are candidates: due no later
//!    than `paid_on` moved one cycle on, and no later than the first occurrence due on or after
//!    `paid_on`. So paying early for the next bill is allowed, but not for the one after it.
//! 2. The payment goes to the **earliest candidate not yet fully paid** (`paid < expected`),
//!    so arrears are settled oldest first.
//! 3. When every candidate is fully paid (an extra payment), it goes to the candidate **nearest
//!    to `paid_on`** (the earlier one on a tie), where it shows as Overpaid.
//! 4. No candidate (no occurrences, or all of them more than a cycle ahead, e.g. a payment made
//!    long before a new bill's first due date): `None`, and the caller decides (record it
//!    without a cycle, or ask the user).
//!
//! Invariants (property-tested): the result is one of the given occurrences; it is never a
//! fully-paid occurrence while a candidate is still owed; it is never more than one cycle after
//! `paid_on` nor after the first occurrence due on or after it; and a monthly bill paid on its
//! due date with nothing outstanding gets that occurrence.
//!
//! The caller chooses the window: skipped months should be left out (or given `expected` 0), and
//! for estimated bills `expected` is the amount that counts as paid (the range's minimum).

use chrono::NaiveDate;

use crate::recurrence::Cycle;

/// One occurrence of a bill and how much of it is settled, in minor units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OccurrenceBalance {
    /// The occurrence's due date (identifies the cycle).
    pub due: NaiveDate,
    /// The amount that settles it.
    pub expected: i64,
    /// What has been attributed to it so far.
    pub paid: i64,
}

impl OccurrenceBalance {
    /// Whether what has been paid covers what is expected.
    pub fn is_settled(&self) -> bool {
        self.paid >= self.expected
    }
}

/// The due date of the occurrence of a `cycle` bill that a payment made on `paid_on` settles;
/// see the module documentation for the rule.
pub fn attribute_payment(
    occurrences: &[OccurrenceBalance],
    paid_on: NaiveDate,
    cycle: Cycle,
) -> Option<NaiveDate> {
    // The current cycle's occurrence: the first one due on or after the payment. Without one,
    // every occurrence is in the past and all are candidates.
    let next_due = occurrences
        .iter()
        .map(|occurrence| occurrence.due)
        .filter(|due| *due >= paid_on)
        .min();
    // Past the end of the calendar nothing can be later than a cycle ahead.
    let latest = cycle.one_cycle_after(paid_on).unwrap_or(NaiveDate::MAX);
    let horizon = next_due.map_or(latest, |due| due.min(latest));
    let candidates = occurrences
        .iter()
        .filter(|occurrence| occurrence.due <= horizon);
    let oldest_owed = candidates
        .clone()
        .filter(|occurrence| !occurrence.is_settled())
        .map(|occurrence| occurrence.due)
        .min();
    oldest_owed.or_else(|| {
        candidates
            .map(|occurrence| occurrence.due)
            .min_by_key(|due| (due.signed_duration_since(paid_on).num_days().abs(), *due))
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::recurrence::Schedule;

    fn date(month: u32, day: u32) -> NaiveDate {
        match NaiveDate::from_ymd_opt(2025, month, day) {
            Some(date) => date,
            None => panic!("2025-{month}-{day} is not a date"),
        }
    }

    fn rent(month: u32, paid: i64) -> OccurrenceBalance {
        OccurrenceBalance {
            due: date(month, 1),
            expected: 100_000,
            paid,
        }
    }

    #[test]
    fn a_late_payment_settles_the_earlier_cycle() {
        let open = [rent(2, 0), rent(3, 0), rent(4, 0)];
        assert_eq!(
            attribute_payment(&open, date(3, 5), Cycle::Monthly),
            Some(date(2, 1))
        );
        let february_paid = [rent(2, 100_000), rent(3, 0), rent(4, 0)];
        assert_eq!(
            attribute_payment(&february_paid, date(3, 5), Cycle::Monthly),
            Some(date(3, 1))
        );
    }

    #[test]
    fn a_bill_paid_on_its_due_date_with_nothing_outstanding_pays_that_cycle() {
        let open = [rent(2, 100_000), rent(3, 0), rent(4, 0)];
        assert_eq!(
            attribute_payment(&open, date(3, 1), Cycle::Monthly),
            Some(date(3, 1))
        );
    }

    #[test]
    fn paying_early_reaches_only_the_next_cycle() {
        let open = [rent(2, 100_000), rent(3, 100_000), rent(4, 0), rent(5, 0)];
        assert_eq!(
            attribute_payment(&open, date(3, 20), Cycle::Monthly),
            Some(date(4, 1))
        );
        let ahead = [
            rent(2, 100_000),
            rent(3, 100_000),
            rent(4, 100_000),
            rent(5, 0),
        ];
        assert_eq!(
            attribute_payment(&ahead, date(3, 20), Cycle::Monthly),
            Some(date(4, 1)),
            "May is two cycles away: the extra payment overpays April"
        );
    }

    #[test]
    fn a_partial_occurrence_is_still_owed() {
        let open = [rent(2, 60_000), rent(3, 0)];
        assert_eq!(
            attribute_payment(&open, date(3, 2), Cycle::Monthly),
            Some(date(2, 1))
        );
    }

    #[test]
    fn an_extra_payment_goes_to_the_nearest_occurrence() {
        let paid = [rent(1, 100_000), rent(2, 100_000), rent(3, 100_000)];
        assert_eq!(
            attribute_payment(&paid, date(2, 3), Cycle::Monthly),
            Some(date(2, 1))
        );
        assert_eq!(
            attribute_payment(&paid, date(2, 27), Cycle::Monthly),
            Some(date(3, 1))
        );
        assert_eq!(
            attribute_payment(&paid, date(9, 1), Cycle::Monthly),
            Some(date(3, 1))
        );
        assert_eq!(attribute_payment(&[], date(9, 1), Cycle::Monthly), None);
    }

    #[test]
    fn a_payment_more_than_a_cycle_before_the_first_due_date_has_no_cycle() {
        let new_bill = [rent(3, 0), rent(4, 0)];
        assert_eq!(
            attribute_payment(&new_bill, date(1, 15), Cycle::Monthly),
            None
        );
        assert_eq!(
            attribute_payment(&new_bill, date(2, 1), Cycle::Monthly),
            Some(date(3, 1))
        );
        let weekly = [rent(1, 0)];
        let christmas = date(1, 1) - chrono::TimeDelta::days(7);
        assert_eq!(
            attribute_payment(&weekly, christmas, Cycle::Weekly),
            Some(date(1, 1))
        );
        let day_before = christmas - chrono::TimeDelta::days(1);
        assert_eq!(attribute_payment(&weekly, day_before, Cycle::Weekly), None);
    }

    /// A bill of any cycle starting early in 2025, with up to 15 occurrences each owing 0, 1 or
    /// 2 units and paid 0, 0.5 or 1 unit.
    fn balances() -> impl Strategy<Value = (Cycle, Vec<OccurrenceBalance>)> {
        (
            prop::sample::select(Cycle::ALL.to_vec()),
            0_i64..60,
            prop::collection::vec((0_i64..3, 0_i64..3), 1..16),
        )
            .prop_map(|(cycle, shift, amounts)| {
                let start = date(1, 1) + chrono::TimeDelta::days(shift);
                let schedule = Schedule::new(cycle, start, None);
                let balances = schedule
                    .occurrences_between(start, date(12, 31) + chrono::TimeDelta::days(3_000))
                    .into_iter()
                    .zip(amounts)
                    .map(|(due, (expected, paid))| OccurrenceBalance {
                        due,
                        expected: expected * 100,
                        paid: paid * 50,
                    })
                    .collect();
                (cycle, balances)
            })
    }

    proptest! {
        #[test]
        fn attribution_keeps_its_invariants(
            (cycle, balances) in balances(),
            offset in -400_i64..3_000,
        ) {
            let paid_on = date(1, 1) + chrono::TimeDelta::days(offset);
            let chosen = attribute_payment(&balances, paid_on, cycle);
            let mut reversed = balances.clone();
            reversed.reverse();
            prop_assert_eq!(attribute_payment(&reversed, paid_on, cycle), chosen, "order-free");

            let a_cycle_later = cycle.one_cycle_after(paid_on).unwrap_or(NaiveDate::MAX);
            let next_due = balances.iter().map(|o| o.due).filter(|d| *d >= paid_on).min();
            let is_candidate = |o: &&OccurrenceBalance| {
                o.due <= a_cycle_later && next_due.is_none_or(|next| o.due <= next)
            };
            let Some(chosen) = chosen else {
                prop_assert_eq!(balances.iter().filter(is_candidate).count(), 0);
                return Ok(());
            };
            let occurrence = balances.iter().find(|o| o.due == chosen);
            prop_assert!(occurrence.is_some(), "one of the given occurrences");
            let days_ahead = chosen.signed_duration_since(paid_on).num_days();
            prop_assert!(days_ahead <= cycle.longest_gap_days(), "at most one cycle ahead");
            if let Some(next_due) = next_due {
                prop_assert!(chosen <= next_due, "not past the current cycle");
            }
            let earlier_owed = balances.iter().any(|o| !o.is_settled() && o.due < chosen);
            prop_assert!(!earlier_owed, "oldest arrears first");
            if occurrence.is_some_and(OccurrenceBalance::is_settled) {
                let all_paid = balances.iter().filter(is_candidate).all(|o| o.is_settled());
                prop_assert!(all_paid, "a paid occurrence only when every candidate is paid");
            }
        }

        #[test]
        fn paying_on_the_due_date_with_nothing_outstanding_pays_that_occurrence(
            months in 2_usize..14,
            pick in 0_usize..14,
        ) {
            let schedule = Schedule::new(Cycle::Monthly, date(1, 31), None);
            let dues = schedule.occurrences_between(date(1, 1), date(1, 1) + chrono::TimeDelta::days(500));
            let pick = pick % months;
            let balances: Vec<_> = dues
                .iter()
                .take(months)
                .enumerate()
                .map(|(i, &due)| OccurrenceBalance {
                    due,
                    expected: 5_000,
                    paid: if i < pick { 5_000 } else { 0 },
                })
                .collect();
            let due = balances[pick].due;
            prop_assert_eq!(attribute_payment(&balances, due, Cycle::Monthly), Some(due));
        }
    }
}
