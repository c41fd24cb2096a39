//! Tests of the recurrence rules: the product's calendar examples and properties of every
//! schedule (sorted, in range, on the right clamped day, spaced by the cycle, nothing missed).

use proptest::prelude::*;

use super::*;

fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date,
        None => panic!("{year}-{month}-{day} is not a date"),
    }
}

fn due_day(day: i64) -> DueDay {
    match DueDay::new(day) {
        Ok(day) => day,
        Err(e) => panic!("{e}"),
    }
}

fn monthly(anchor: NaiveDate) -> Schedule {
    Schedule::new(Cycle::Monthly, anchor, None)
}

#[test]
fn cycles_parse_from_their_names_and_name_the_field() {
    for cycle in Cycle::ALL {
        assert_eq!(cycle.as_str().parse::<Cycle>(), Ok(cycle));
    }
    let error = "fortnightly".parse::<Cycle>().map_err(|e| e.field);
    assert_eq!(error, Err("cycle".to_owned()));
}

#[test]
fn due_days_run_from_1_to_31() {
    assert_eq!(DueDay::new(31).map(DueDay::get), Ok(31));
    assert_eq!(
        DueDay::new(0).map_err(|e| e.field),
        Err("due_day".to_owned())
    );
    assert!(DueDay::new(32).is_err());
    assert!(DueDay::new(-1).is_err());
    assert!(DueDay::new(i64::MAX).is_err());
}

#[test]
fn days_clamp_to_the_end_of_short_months() {
    assert_eq!(clamp_day(2025, 4, 31), Some(date(2025, 4, 30)));
    assert_eq!(clamp_day(2025, 2, 31), Some(date(2025, 2, 28)));
    assert_eq!(clamp_day(2024, 2, 31), Some(date(2024, 2, 29)));
    assert_eq!(
        clamp_day(2100, 2, 29),
        Some(date(2100, 2, 28)),
        "2100 is not leap"
    );
    assert_eq!(
        clamp_day(2000, 2, 29),
        Some(date(2000, 2, 29)),
        "2000 is leap"
    );
    assert_eq!(clamp_day(2025, 13, 1), None);
    assert_eq!(clamp_day(2025, 0, 1), None);
}

#[test]
fn a_bill_due_on_the_31st_falls_on_the_last_day_of_short_months() {
    let bill = monthly(date(2025, 1, 31));
    assert_eq!(bill.occurrences_in_month(2025, 2), vec![date(2025, 2, 28)]);
    assert_eq!(bill.occurrences_in_month(2025, 4), vec![date(2025, 4, 30)]);
    assert_eq!(bill.occurrences_in_month(2025, 5), vec![date(2025, 5, 31)]);
    assert_eq!(bill.occurrences_in_month(2028, 2), vec![date(2028, 2, 29)]);
}

#[test]
fn a_february_29_annual_bill_falls_on_the_28th_in_common_years() {
    let bill = Schedule::new(Cycle::Annual, date(2024, 2, 29), None);
    let dates = bill.occurrences_between(date(2024, 1, 1), date(2028, 12, 31));
    let expected = [(2024, 29), (2025, 28), (2026, 28), (2027, 28), (2028, 29)];
    let expected: Vec<_> = expected.iter().map(|&(y, d)| date(y, 2, d)).collect();
    assert_eq!(dates, expected);
}

#[test]
fn the_due_day_overrides_the_anchors_day_and_nothing_falls_before_the_anchor() {
    let bill = Schedule::new(Cycle::Monthly, date(2025, 1, 20), Some(due_day(5)));
    assert_eq!(bill.occurrences_in_month(2025, 1), vec![]);
    assert_eq!(bill.occurrences_in_month(2025, 2), vec![date(2025, 2, 5)]);
    assert_eq!(bill.occurrences_in_month(2024, 12), vec![]);
    assert_eq!(
        bill.next_on_or_after(date(2020, 1, 1)),
        Some(date(2025, 2, 5))
    );
    assert_eq!(bill.previous_before(date(2025, 2, 5)), None);
    assert_eq!(
        bill.previous_before(date(2025, 2, 6)),
        Some(date(2025, 2, 5))
    );
}

#[test]
fn biweekly_bills_keep_their_rhythm_across_the_year_end() {
    let bill = Schedule::new(Cycle::Biweekly, date(2024, 12, 20), Some(due_day(3)));
    assert_eq!(
        bill.due_day(),
        None,
        "weekly-type schedules have no due day"
    );
    assert_eq!(
        bill.occurrences_between(date(2024, 12, 1), date(2025, 1, 31)),
        vec![
            date(2024, 12, 20),
            date(2025, 1, 3),
            date(2025, 1, 17),
            date(2025, 1, 31)
        ]
    );
    assert_eq!(
        bill.next_on_or_after(date(2024, 12, 21)),
        Some(date(2025, 1, 3))
    );
    assert_eq!(
        bill.previous_before(date(2025, 1, 3)),
        Some(date(2024, 12, 20))
    );
    assert_eq!(bill.previous_before(date(2024, 12, 20)), None);
}

#[test]
fn weekly_months_hold_4_or_5_and_biweekly_months_2_or_3() {
    let weekly = Schedule::new(Cycle::Weekly, date(2020, 1, 3), None);
    let biweekly = Schedule::new(Cycle::Biweekly, date(2020, 1, 3), None);
    for year in 2021..=2026 {
        for month in 1..=12 {
            let w = weekly.occurrences_in_month(year, month).len();
            let b = biweekly.occurrences_in_month(year, month).len();
            assert!((4..=5).contains(&w), "{year}-{month}: {w} weekly");
            assert!((2..=3).contains(&b), "{year}-{month}: {b} biweekly");
        }
    }
}

#[test]
fn the_anchor_month_sets_the_phase_of_quarterly_bills() {
    let bill = Schedule::new(Cycle::Quarterly, date(2025, 2, 10), None);
    let months: Vec<_> = bill
        .occurrences_between(date(2025, 1, 1), date(2026, 6, 30))
        .iter()
        .map(|d| (d.year(), d.month()))
        .collect();
    assert_eq!(
        months,
        vec![
            (2025, 2),
            (2025, 5),
            (2025, 8),
            (2025, 11),
            (2026, 2),
            (2026, 5)
        ]
    );
    assert_eq!(bill.occurrences_in_month(2026, 1), vec![]);
    assert_eq!(
        bill.next_on_or_after(date(2025, 11, 11)),
        Some(date(2026, 2, 10))
    );
    assert_eq!(
        bill.previous_before(date(2026, 2, 10)),
        Some(date(2025, 11, 10))
    );
    let semiannual = Schedule::new(Cycle::Semiannual, date(2025, 8, 31), None);
    assert_eq!(
        semiannual.next_on_or_after(date(2025, 9, 1)),
        Some(date(2026, 2, 28))
    );
}

#[test]
fn queries_at_the_ends_of_the_calendar_return_nothing_instead_of_panicking() {
    let late = monthly(date(9999, 12, 31));
    assert_eq!(
        late.occurrences_in_month(9999, 12),
        vec![date(9999, 12, 31)]
    );
    assert_eq!(
        late.occurrences_in_month(10000, 1).len(),
        1,
        "chrono goes past 9999"
    );
    let last = monthly(NaiveDate::MAX);
    assert_eq!(last.next_on_or_after(NaiveDate::MAX), Some(NaiveDate::MAX));
    assert_eq!(
        last.occurrences_between(NaiveDate::MAX, NaiveDate::MAX)
            .len(),
        1
    );
    let weekly_last = Schedule::new(Cycle::Weekly, NaiveDate::MAX, None);
    assert_eq!(
        weekly_last
            .occurrences_between(NaiveDate::MIN, NaiveDate::MAX)
            .len(),
        1
    );
    let first = Schedule::new(Cycle::Annual, date(1, 1, 1), None);
    assert_eq!(first.previous_before(date(1, 1, 1)), None);
    assert_eq!(first.previous_before(NaiveDate::MIN), None);
    assert_eq!(first.occurrences_in_month(2025, 13), vec![]);
    assert_eq!(
        first.occurrences_between(date(2025, 2, 1), date(2025, 1, 1)),
        vec![]
    );
}

fn any_date(from_year: i32, years: i32) -> impl Strategy<Value = NaiveDate> {
    let start = date(from_year, 1, 1);
    (0..u64::try_from(years * 366).unwrap_or(0))
        .prop_map(move |days| start.checked_add_days(Days::new(days)).unwrap_or(start))
}

fn any_schedule(from_year: i32, years: i32) -> impl Strategy<Value = Schedule> {
    (
        prop::sample::select(Cycle::ALL.to_vec()),
        any_date(from_year, years),
        prop::option::of(1_i64..=31),
    )
        .prop_map(|(cycle, anchor, day)| {
            Schedule::new(cycle, anchor, day.and_then(|d| DueDay::new(d).ok()))
        })
}

fn months_per(cycle: Cycle) -> i64 {
    match cycle {
        Cycle::Weekly | Cycle::Biweekly => 0,
        Cycle::Monthly => 1,
        Cycle::Quarterly => 3,
        Cycle::Semiannual => 6,
        Cycle::Annual => 12,
    }
}

/// Whether `d` is an occurrence, straight from the rules in the module documentation.
fn by_definition(schedule: &Schedule, d: NaiveDate) -> bool {
    if d < schedule.anchor() {
        return false;
    }
    let days = (d - schedule.anchor()).num_days();
    let months = month_index(d) - month_index(schedule.anchor());
    match schedule.cycle() {
        Cycle::Weekly => days % 7 == 0,
        Cycle::Biweekly => days % 14 == 0,
        cycle => {
            let period = months_per(cycle);
            let wanted = schedule.day_of_month().unwrap_or(0);
            months % period == 0 && clamp_day(d.year(), d.month(), wanted) == Some(d)
        }
    }
}

proptest! {
    #[test]
    fn occurrences_are_exactly_the_dates_the_rules_define(
        schedule in any_schedule(1995, 30),
        start in any_date(1990, 40),
        length in 0_u64..800,
    ) {
        let end = start.checked_add_days(Days::new(length)).unwrap_or(start);
        let dates = schedule.occurrences_between(start, end);
        let expected: Vec<NaiveDate> = start
            .iter_days()
            .take_while(|d| *d <= end)
            .filter(|d| by_definition(&schedule, *d))
            .collect();
        prop_assert_eq!(&dates, &expected);
        for pair in dates.windows(2) {
            prop_assert!(pair[0] < pair[1]);
            let gap = (pair[1] - pair[0]).num_days();
            match schedule.cycle() {
                Cycle::Weekly => prop_assert_eq!(gap, 7),
                Cycle::Biweekly => prop_assert_eq!(gap, 14),
                cycle => {
                    let months = month_index(pair[1]) - month_index(pair[0]);
                    prop_assert_eq!(months, months_per(cycle));
                    prop_assert!(gap <= cycle.longest_gap_days());
                }
            }
        }
    }

    #[test]
    fn next_and_previous_agree_with_the_list(
        schedule in any_schedule(1995, 30),
        day in any_date(1990, 40),
    ) {
        if let Some(next) = schedule.next_on_or_after(day) {
            prop_assert!(next >= day && next >= schedule.anchor());
            prop_assert!(schedule.is_occurrence(next));
            prop_assert_eq!(schedule.occurrences_between(day, next), vec![next]);
            prop_assert_eq!(schedule.previous_before(next.succ_opt().unwrap_or(next)), Some(next));
        }
        match schedule.previous_before(day) {
            Some(previous) => {
                prop_assert!(previous < day && by_definition(&schedule, previous));
                let between = schedule.occurrences_between(previous, day.pred_opt().unwrap_or(day));
                prop_assert_eq!(between, vec![previous]);
            }
            None => {
                let before = day.pred_opt().unwrap_or(day);
                let earlier = schedule.occurrences_between(schedule.anchor(), before);
                prop_assert!(day <= schedule.anchor() || earlier.is_empty());
            }
        }
    }

    #[test]
    fn extreme_dates_never_panic(
        schedule in any_schedule(1, 9999),
        day in any_date(1, 9999),
        length in 0_u64..120,
    ) {
        let end = day.checked_add_days(Days::new(length)).unwrap_or(NaiveDate::MAX);
        let dates = schedule.occurrences_between(day, end);
        prop_assert!(dates.iter().all(|d| *d >= day && *d <= end));
        let _ = schedule.previous_before(day);
        let _ = schedule.occurrences_in_month(day.year(), day.month());
        let _ = schedule.next_on_or_after(NaiveDate::MAX);
        let _ = schedule.previous_before(NaiveDate::MIN);
    }
}
