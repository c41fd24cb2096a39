//! Tests of the occurrence status rules, one per rule, with the tracker's examples.

use proptest::prelude::*;

use super::*;
use OccurrenceStatus::*;

fn date(month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(2025, month, day) {
        Some(date) => date,
        None => panic!("2025-{month}-{day} is not a date"),
    }
}

/// A fixed 100.00 bill due on March 10, nothing paid.
fn rent() -> OccurrenceFacts {
    OccurrenceFacts {
        due: date(3, 10),
        expected: 10_000,
        estimate: None,
        paid: 0,
        skipped: false,
        snoozed_until: None,
    }
}

fn status_on(facts: OccurrenceFacts, today: NaiveDate) -> OccurrenceStatus {
    occurrence_status(&facts, today, StatusRules::default())
}

#[test]
fn unpaid_bills_move_from_upcoming_to_due_soon_to_late_to_missed() {
    assert_eq!(status_on(rent(), date(3, 1)), Upcoming);
    assert_eq!(status_on(rent(), date(3, 6)), Upcoming, "4 days away");
    assert_eq!(status_on(rent(), date(3, 7)), DueSoon, "3 days away");
    assert_eq!(status_on(rent(), date(3, 10)), DueSoon, "due today");
    assert_eq!(status_on(rent(), date(3, 11)), Late);
    assert_eq!(status_on(rent(), date(3, 15)), Late, "last day of grace");
    assert_eq!(status_on(rent(), date(3, 16)), Missed);
}

#[test]
fn the_thresholds_are_the_users() {
    let rules = StatusRules {
        due_soon_days: 0,
        grace_days: 0,
    };
    assert_eq!(occurrence_status(&rent(), date(3, 9), rules), Upcoming);
    assert_eq!(occurrence_status(&rent(), date(3, 10), rules), DueSoon);
    assert_eq!(occurrence_status(&rent(), date(3, 11), rules), Missed);
}

#[test]
fn partial_payments_add_up_to_paid() {
    let first = OccurrenceFacts {
        paid: 4_000,
        ..rent()
    };
    assert_eq!(
        status_on(first, date(3, 20)),
        Partial,
        "partial even when overdue"
    );
    let both = OccurrenceFacts {
        paid: 4_000 + 6_000,
        ..rent()
    };
    assert_eq!(status_on(both, date(3, 20)), Paid);
    let too_much = OccurrenceFacts {
        paid: 10_001,
        ..rent()
    };
    assert_eq!(status_on(too_much, date(3, 1)), Overpaid);
}

#[test]
fn estimated_bills_are_paid_anywhere_in_their_range() {
    let power = OccurrenceFacts {
        expected: 8_000,
        estimate: Some((6_000, 9_000)),
        ..rent()
    };
    let paid = |paid| status_on(OccurrenceFacts { paid, ..power }, date(3, 12));
    assert_eq!(paid(5_999), Partial);
    assert_eq!(paid(6_000), Paid, "lower than expected still settles it");
    assert_eq!(paid(9_000), Paid);
    assert_eq!(paid(9_001), Overpaid);
}

#[test]
fn skipping_wins_over_everything() {
    let skipped = OccurrenceFacts {
        skipped: true,
        paid: 20_000,
        ..rent()
    };
    assert_eq!(status_on(skipped, date(4, 30)), Skipped);
    let unpaid = OccurrenceFacts {
        skipped: true,
        ..rent()
    };
    assert_eq!(status_on(unpaid, date(4, 30)), Skipped);
}

#[test]
fn a_refund_that_cancels_the_payment_leaves_the_bill_unpaid() {
    let refunded = OccurrenceFacts { paid: 0, ..rent() };
    assert_eq!(status_on(refunded, date(3, 12)), Late);
    let negative = OccurrenceFacts {
        paid: -500,
        ..rent()
    };
    assert_eq!(status_on(negative, date(3, 12)), Late);
}

#[test]
fn a_snoozed_overdue_bill_is_judged_against_the_snooze_date() {
    let snoozed = |until| OccurrenceFacts {
        snoozed_until: Some(until),
        ..rent()
    };
    assert_eq!(status_on(snoozed(date(3, 25)), date(3, 20)), Upcoming);
    assert_eq!(status_on(snoozed(date(3, 22)), date(3, 20)), DueSoon);
    assert_eq!(
        status_on(snoozed(date(3, 20)), date(3, 20)),
        DueSoon,
        "until today"
    );
    assert_eq!(
        status_on(snoozed(date(3, 19)), date(3, 20)),
        Missed,
        "run out"
    );
    assert_eq!(status_on(snoozed(date(3, 12)), date(3, 12)), DueSoon);
    assert_eq!(
        status_on(snoozed(date(3, 11)), date(3, 12)),
        Late,
        "run out"
    );
    assert_eq!(
        status_on(snoozed(date(3, 30)), date(3, 1)),
        Upcoming,
        "a bill that is not overdue ignores the snooze"
    );
    let partial = OccurrenceFacts {
        paid: 1,
        ..snoozed(date(3, 30))
    };
    assert_eq!(status_on(partial, date(3, 20)), Partial);
}

#[test]
fn pin_due_sorts_the_most_urgent_first() {
    let mut statuses = OccurrenceStatus::ALL.to_vec();
    statuses.sort_by_key(|status| pin_due_rank(*status));
    assert_eq!(&statuses[..4], &[Missed, Late, DueSoon, Upcoming]);
    assert_eq!(
        &statuses[4..],
        &[Paid, Partial, Overpaid, Skipped],
        "stable"
    );
}

#[test]
fn statuses_parse_from_their_names() {
    for status in OccurrenceStatus::ALL {
        assert_eq!(status.as_str().parse::<OccurrenceStatus>(), Ok(status));
    }
    assert_eq!(
        "due soon".parse::<OccurrenceStatus>().map_err(|e| e.field),
        Err("status".to_owned())
    );
    assert!(Late.is_overdue() && Missed.is_overdue() && !DueSoon.is_overdue());
}

proptest! {
    #[test]
    fn only_money_or_skipping_makes_an_occurrence_settled(
        expected in 0_i64..100_000,
        paid in -1_000_i64..200_000,
        offset in -400_i64..400,
        snooze in prop::option::of(-30_i64..30),
    ) {
        let today = date(6, 15);
        let shift = |days: i64| today.checked_add_signed(chrono::TimeDelta::days(days));
        let facts = OccurrenceFacts {
            due: shift(offset).unwrap_or(today),
            expected,
            estimate: None,
            paid,
            skipped: false,
            snoozed_until: snooze.and_then(shift),
        };
        let status = status_on(facts, today);
        let settled = matches!(status, Paid | Partial | Overpaid);
        prop_assert_eq!(settled, paid > 0);
        prop_assert!(status != Skipped);
        if status.is_overdue() {
            prop_assert!(facts.due < today);
        }
    }
}
