use chrono::NaiveDate;
use proptest::prelude::*;

use super::payee::Words;
use super::rule::{AmountBounds, PayeeMatch, PayeePattern};
use super::*;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

fn monthly() -> Vec<NaiveDate> {
    (1..=12).map(|m| day(2027, m, 1)).collect()
}

fn scored(
    amount: i64,
    posted: NaiveDate,
    payee: &str,
    earlier: &[(Words, usize)],
) -> Option<Score> {
    let (payee, name, dues) = (Words::of(payee), Words::of("Electricity Co"), monthly());
    let tx = TransactionFacts {
        amount_minor: amount,
        currency: "USD",
        posted_on: posted,
        payee: &payee,
    };
    let bill = BillFacts {
        currency: "USD",
        expected_minor: 5_000,
        range: None,
        due_dates: &dues,
        name: &name,
        earlier,
    };
    score(&tx, &bill)
}

#[test]
fn an_equal_amount_two_days_after_due_from_an_earlier_payee_explains_itself() {
    let earlier = [(Words::of("CITY ELECTRIC 0042"), 3)];
    let score = scored(-5_000, day(2027, 3, 3), "City Electric 0043", &earlier).expect("scored");
    assert_eq!(
        score.to_string(),
        "amount equal, 2 days after due, payee like 3 earlier matches"
    );
    assert_eq!(score.points, 95, "45 + 25 + 25");
    assert!(score.suggested());
}

#[test]
fn reasons_read_as_short_english_phrases() {
    assert_eq!(Reason::FromDue { days: -1 }.to_string(), "1 day before due");
    assert_eq!(Reason::FromDue { days: 0 }.to_string(), "on the due date");
    assert_eq!(
        Reason::AmountClose { percent: 4 }.to_string(),
        "amount within 4%"
    );
    assert_eq!(
        Reason::PayeeLikeEarlier { count: 1 }.to_string(),
        "payee like 1 earlier match"
    );
    assert_eq!(
        Reason::AmountInRange.to_string(),
        "amount within the estimate"
    );
}

#[test]
fn money_in_and_another_currency_never_match_a_bill() {
    assert_eq!(scored(5_000, day(2027, 3, 1), "Electricity", &[]), None);
    assert_eq!(scored(0, day(2027, 3, 1), "Electricity", &[]), None);
    let (payee, name, dues) = (Words::of("x"), Words::of("x"), monthly());
    let tx = TransactionFacts {
        amount_minor: -5_000,
        currency: "EUR",
        posted_on: day(2027, 3, 1),
        payee: &payee,
    };
    let bill = BillFacts {
        currency: "USD",
        expected_minor: 5_000,
        range: None,
        due_dates: &dues,
        name: &name,
        earlier: &[],
    };
    assert_eq!(score(&tx, &bill), None);
}

#[test]
fn an_amount_alone_is_not_enough_to_suggest() {
    let score = scored(-5_000, day(2027, 3, 16), "Somebody Else", &[]).expect("scored");
    assert_eq!(score.reasons, [Reason::AmountEqual]);
    assert!(!score.suggested());
}

#[test]
fn an_estimated_bill_takes_amounts_in_its_range_and_close_ones() {
    let (payee, name, dues) = (Words::of("power"), Words::of("power"), monthly());
    let bill = BillFacts {
        currency: "USD",
        expected_minor: 5_000,
        range: Some((4_000, 7_000)),
        due_dates: &dues,
        name: &name,
        earlier: &[],
    };
    let at = |amount| {
        score(
            &TransactionFacts {
                amount_minor: amount,
                currency: "USD",
                posted_on: day(2027, 5, 30),
                payee: &payee,
            },
            &bill,
        )
        .expect("scored")
        .reasons[0]
    };
    assert_eq!(at(-6_500), Reason::AmountInRange);
    assert_eq!(
        at(-7_200),
        Reason::FromDue { days: -2 },
        "44% off is not close; the date counts"
    );
    let close = scored(-5_200, day(2027, 3, 16), "x", &[]).expect("scored");
    assert_eq!(close.reasons, [Reason::AmountClose { percent: 4 }]);
}

#[test]
fn the_nearest_due_date_wins_and_a_tie_goes_to_the_earlier_one() {
    let dues = [day(2027, 1, 1), day(2027, 1, 11)];
    assert_eq!(days_from_nearest(day(2027, 1, 3), &dues), Some(2));
    assert_eq!(days_from_nearest(day(2027, 1, 9), &dues), Some(-2));
    assert_eq!(days_from_nearest(day(2027, 1, 6), &dues), Some(5));
    assert_eq!(days_from_nearest(day(2026, 12, 30), &dues), Some(-2));
    assert_eq!(days_from_nearest(day(2027, 1, 6), &[]), None);
}

#[test]
fn payee_words_ignore_case_numbers_and_bank_noise() {
    assert!(Words::of("NETFLIX.COM 866-579-7172").alike(&Words::of("Netflix")));
    assert!(!Words::of("POS DEBIT 1234").alike(&Words::of("Card payment 1234")));
    assert!(Words::of("POS DEBIT 1234").is_empty());
}

#[test]
fn rules_compare_payees_case_insensitively_and_amounts_by_size() {
    let contains = PayeePattern::parse(PayeeMatch::Contains, "  city  ELECTRIC ").expect("pattern");
    assert!(contains.matches("DD CITY ELECTRIC 0042"));
    assert!(contains.matches("dd city   electric"));
    assert!(!contains.matches("CITY GAS"));
    let equals = PayeePattern::parse(PayeeMatch::Equals, "Ünion Gas").expect("pattern");
    assert!(equals.matches("ÜNION GAS"));
    assert!(!equals.matches("ÜNION GAS LTD"));
    assert_eq!(
        PayeePattern::parse(PayeeMatch::Equals, "  ").map_err(|e| e.field),
        Err("payee_text".into())
    );
    assert_eq!(
        PayeePattern::parse(PayeeMatch::Equals, &"x".repeat(201)).map_err(|e| e.field),
        Err("payee_text".into())
    );
    let bounds = AmountBounds::new(Some(4_000), Some(6_000)).expect("bounds");
    assert!(bounds.contains(-5_000) && bounds.contains(5_000) && !bounds.contains(-6_001));
    assert!(
        AmountBounds::new(None, None)
            .expect("open")
            .contains(i64::MIN)
    );
    assert_eq!(
        AmountBounds::new(Some(6_000), Some(4_000)).map_err(|e| e.field),
        Err("max_amount".into())
    );
    assert_eq!(
        AmountBounds::new(Some(-1), None).map_err(|e| e.field),
        Err("min_amount".into())
    );
    assert_eq!(
        "regex".parse::<PayeeMatch>().map_err(|e| e.field),
        Err("payee_match".into())
    );
    assert_eq!("rule".parse::<MatchedBy>(), Ok(MatchedBy::Rule));
}

proptest! {
    #[test]
    fn a_score_is_at_most_100_and_exists_only_for_money_out(amount in any::<i64>(), offset in -400i64..400, expected in 0i64..i64::MAX, payee in "[a-zA-Z .0-9]{0,30}") {
        let (payee, name, dues) = (Words::of(&payee), Words::of("Electricity Co"), monthly());
        let posted = day(2027, 6, 15) + chrono::Duration::days(offset);
        let earlier = [(Words::of("electric"), usize::MAX)];
        let tx = TransactionFacts { amount_minor: amount, currency: "USD", posted_on: posted, payee: &payee };
        let bill = BillFacts { currency: "USD", expected_minor: expected, range: Some((0, expected)), due_dates: &dues, name: &name, earlier: &earlier };
        let score = score(&tx, &bill);
        prop_assert_eq!(score.is_some(), amount < 0);
        if let Some(score) = score {
            prop_assert!(score.points <= 100);
            prop_assert_eq!(score.points == 0, score.reasons.is_empty());
            for reason in &score.reasons {
                prop_assert!(!reason.to_string().is_empty());
            }
        }
    }

    #[test]
    fn the_exact_amount_never_scores_below_another_amount(amount in 1i64..10_000_000, other in 1i64..10_000_000, offset in -40i64..40) {
        let (payee, name, dues) = (Words::of("someone"), Words::of("bill"), monthly());
        let posted = day(2027, 6, 15) + chrono::Duration::days(offset);
        let bill = BillFacts { currency: "USD", expected_minor: amount, range: None, due_dates: &dues, name: &name, earlier: &[] };
        let at = |a: i64| score(&TransactionFacts { amount_minor: -a, currency: "USD", posted_on: posted, payee: &payee }, &bill).map(|s| s.points);
        prop_assert!(at(amount) >= at(other));
    }

    #[test]
    fn a_contains_rule_finds_its_text_anywhere_in_any_case(before in "[a-z ]{0,10}", text in "[a-z]{1,10}", after in "[a-z ]{0,10}") {
        let pattern = PayeePattern::parse(PayeeMatch::Contains, &text).expect("pattern");
        let payee = format!("{before} {} {after}", text.to_uppercase());
        prop_assert!(pattern.matches(&payee));
    }

    #[test]
    fn bounds_ignore_the_sign(amount in (i64::MIN + 1)..i64::MAX, min in 0i64..1_000_000, width in 0i64..1_000_000) {
        let bounds = AmountBounds::new(Some(min), Some(min + width)).expect("bounds");
        prop_assert_eq!(bounds.contains(amount), bounds.contains(-amount));
    }
}
