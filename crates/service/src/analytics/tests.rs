//! Unit tests of the analytics rules: the query, expected vs paid by due month, and the
//! split of spending into the charted currency and the others.

use domain::bill::AmountKind;
use domain::id::BillId;
use domain::money::Money;
use domain::recurrence::Cycle;
use domain::status::OccurrenceStatus;
use store::analytics::DaySpend;

use super::*;

fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, m, d).unwrap_or_default()
}

fn currency(code: &str) -> Currency {
    Currency::parse("currency", code).unwrap_or(Currency::USD)
}

fn occurrence(due: NaiveDate, expected: i64, paid: i64, skipped: bool, code: &str) -> Occurrence {
    Occurrence {
        bill_id: BillId::new(),
        bill_name: "Rent".into(),
        name_key: "rent".into(),
        category_id: None,
        category_name: None,
        cycle: Cycle::Monthly,
        amount_kind: AmountKind::Fixed,
        due,
        expected: Money::new(expected, currency(code)),
        paid: Money::new(paid, currency(code)),
        status: OccurrenceStatus::Upcoming,
        actual: None,
        note: String::new(),
        skipped,
        snoozed_until: None,
        bucket: 0,
        autopay_check: None,
    }
}

#[test]
fn the_query_takes_one_year_and_names_what_it_refuses() {
    let field = |items: &[(&str, &str)]| {
        AnalyticsQuery::parse(&pairs(items)).map_or_else(|e| e.field, |_| String::new())
    };
    assert_eq!(
        AnalyticsQuery::parse(&[]),
        Ok(AnalyticsQuery { year: None })
    );
    assert_eq!(
        AnalyticsQuery::parse(&pairs(&[("year", " 2025 ")])),
        Ok(AnalyticsQuery { year: Some(2025) })
    );
    for bad in ["abc", "0", "99999", "-1", "", "2025.0", "1e3"] {
        assert_eq!(field(&[("year", bad)]), "year", "{bad}");
    }
    assert_eq!(field(&[("year", "2025"), ("year", "2024")]), "year");
    assert_eq!(field(&[("month", "3")]), "month");
}

#[test]
fn expected_counts_unskipped_occurrences_of_the_currency_by_due_month() {
    let occurrences = [
        occurrence(day(1, 5), 1_000, 1_000, false, "USD"),
        occurrence(day(1, 20), 500, 0, false, "USD"),
        occurrence(day(3, 1), 700, 100, true, "USD"),
        occurrence(day(3, 2), 9_999, 9_999, false, "EUR"),
        occurrence(day(12, 31), 42, 50, false, "USD"),
    ];
    let months = expected_by_month(&occurrences, Currency::USD);
    let months = months.unwrap_or_default();
    assert_eq!(months[0], (1_500, 1_000));
    assert_eq!(months[1], (0, 0));
    assert_eq!(
        months[2],
        (0, 100),
        "skipped: nothing expected, the payment counts"
    );
    assert_eq!(months[11], (42, 50));
    let huge = [
        occurrence(day(2, 1), i64::MAX, 0, false, "USD"),
        occurrence(day(2, 2), 1, 0, false, "USD"),
    ];
    assert_eq!(
        expected_by_month(&huge, Currency::USD).map_err(|e| (e.field, e.reason)),
        Err(("year".into(), TOO_LARGE.into()))
    );
}

#[test]
fn spending_splits_the_charted_currency_from_the_others() {
    let row = |source, d: NaiveDate, code: &str, total| DaySpend {
        source,
        day: d,
        currency: code.into(),
        total_minor: total,
    };
    let rows = [
        row(SpendSource::Bills, day(2, 3), "USD", 1_000),
        row(SpendSource::Expenses, day(2, 3), "USD", 250),
        row(SpendSource::Expenses, day(2, 9), "USD", 5),
        row(SpendSource::Bills, day(2, 3), "EUR", 7_000),
        row(SpendSource::Expenses, day(4, 1), "JPY", 300),
    ];
    let spent = Spending::of_days(&rows, Currency::USD);
    assert_eq!(spent.months.get(&2), Some(&(1_000, 255)));
    assert_eq!(spent.total, (1_000, 255));
    assert_eq!(spent.days.get(&day(2, 3)), Some(&1_250));
    assert_eq!(spent.days.len(), 2);
    assert_eq!(spent.others.get("EUR"), Some(&(7_000, 0)));
    assert_eq!(spent.others.get("JPY"), Some(&(0, 300)));
    assert_eq!(
        fit(i128::from(i64::MAX) + 1).map_err(|e| e.field),
        Err("year".into())
    );
}
