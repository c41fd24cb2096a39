//! Tests of the bill input types.

use serde::de::IntoDeserializer;
use serde::de::value::Error as DeError;

use super::*;

#[test]
fn bill_names_are_1_to_120_characters() {
    assert_eq!(
        BillName::parse("  Rent ").map(|n| n.0),
        Ok("Rent".to_owned())
    );
    assert_eq!(
        BillName::parse(" ").map_err(|e| e.field),
        Err("name".to_owned())
    );
    assert!(BillName::parse(&"é".repeat(120)).is_ok());
    assert!(BillName::parse(&"é".repeat(121)).is_err());
    assert!(BillName::parse("Rent\u{1b}[31m").is_err());
}

#[test]
fn notes_keep_line_breaks_and_refuse_other_control_characters() {
    assert_eq!(
        Notes::parse("notes", " line one\r\nline two\tend ").map(|n| n.0),
        Ok("line one\nline two\tend".to_owned())
    );
    assert_eq!(Notes::parse("notes", "   ").map(|n| n.is_empty()), Ok(true));
    assert_eq!(
        Notes::parse("note", "bell\u{7}").map_err(|e| e.field),
        Err("note".to_owned())
    );
    assert!(Notes::parse("notes", &"x".repeat(2000)).is_ok());
    assert_eq!(
        Notes::parse("notes", &"x".repeat(2001)).map_err(|e| e.reason),
        Err("must be at most 2000 characters".to_owned())
    );
}

fn field_of(result: Result<ExpectedAmount, Invalid>) -> String {
    match result {
        Ok(amount) => panic!("{amount:?} should be refused"),
        Err(e) => e.field,
    }
}

#[test]
fn fixed_amounts_are_not_negative_and_have_no_range() {
    let rent = ExpectedAmount::new(AmountKind::Fixed, 120_000, None);
    assert_eq!(
        rent.map(|a| (a.expected(), a.settles_at())),
        Ok((120_000, 120_000))
    );
    assert!(ExpectedAmount::new(AmountKind::Fixed, 0, None).is_ok());
    assert_eq!(
        field_of(ExpectedAmount::new(AmountKind::Fixed, -1, None)),
        "expected_amount"
    );
    assert_eq!(
        field_of(ExpectedAmount::new(AmountKind::Fixed, 100, Some((50, 150)))),
        "expected_min"
    );
}

#[test]
fn estimated_ranges_hold_the_expected_amount() {
    let power = ExpectedAmount::new(AmountKind::Estimated, 8_000, Some((6_000, 9_000)));
    assert_eq!(
        power.map(|a| (a.range(), a.settles_at())),
        Ok((Some((6_000, 9_000)), 6_000))
    );
    assert!(ExpectedAmount::new(AmountKind::Estimated, 8_000, None).is_ok());
    assert!(ExpectedAmount::new(AmountKind::Estimated, 5, Some((5, 5))).is_ok());
    let estimated = |expected, range| ExpectedAmount::new(AmountKind::Estimated, expected, range);
    assert_eq!(field_of(estimated(100, Some((-1, 200)))), "expected_min");
    assert_eq!(field_of(estimated(100, Some((200, 150)))), "expected_max");
    assert_eq!(
        field_of(estimated(100, Some((150, 200)))),
        "expected_amount"
    );
    assert_eq!(
        field_of(estimated(300, Some((150, 200)))),
        "expected_amount"
    );
}

#[test]
fn kinds_and_autopay_states_parse_from_their_names() {
    assert_eq!("estimated".parse::<AmountKind>(), Ok(AmountKind::Estimated));
    assert_eq!(
        "variable".parse::<AmountKind>().map_err(|e| e.field),
        Err("amount_kind".to_owned())
    );
    for state in AutopayState::ALL {
        assert_eq!(state.as_str().parse::<AutopayState>(), Ok(state));
    }
    assert_eq!(
        "on".parse::<AutopayState>()
            .map_err(|e| (e.field, e.reason)),
        Err((
            "autopay".to_owned(),
            "must be one of: off, assumed, verified".to_owned()
        ))
    );
}

#[test]
fn reminder_days_are_up_to_10_distinct_values_of_0_to_60() {
    assert_eq!(
        ReminderDays::parse(&[7, 0, 3]).map(|r| r.0),
        Ok(vec![0, 3, 7])
    );
    assert_eq!(ReminderDays::parse(&[]).map(|r| r.days().len()), Ok(0));
    assert!(ReminderDays::parse(&(0..10).collect::<Vec<_>>()).is_ok());
    assert!(ReminderDays::parse(&(0..11).collect::<Vec<_>>()).is_err());
    assert_eq!(
        ReminderDays::parse(&[61]).map_err(|e| e.field),
        Err("reminder_days".to_owned())
    );
    assert!(ReminderDays::parse(&[-1]).is_err());
    assert!(ReminderDays::parse(&[3, 3]).is_err());
}

#[test]
fn aprs_are_basis_points_up_to_1000_percent() {
    assert_eq!(
        Apr::parse_percent("19.99").map(Apr::basis_points),
        Ok(1_999)
    );
    assert_eq!(Apr::parse_percent(" 0 ").map(Apr::basis_points), Ok(0));
    assert_eq!(
        Apr::parse_percent("1000").map(Apr::basis_points),
        Ok(100_000)
    );
    assert_eq!(
        Apr::from_basis_points(1_999).map(|a| a.to_string()),
        Ok("19.99%".to_owned())
    );
    assert_eq!(
        Apr::from_basis_points(500).map(|a| a.to_string()),
        Ok("5.00%".to_owned())
    );
    let refused = |text: &str| Apr::parse_percent(text).map_err(|e| (e.field, e.reason));
    assert_eq!(
        refused("1000.01"),
        Err((
            "apr".to_owned(),
            "must be between 0 and 1000 percent".to_owned()
        ))
    );
    assert!(Apr::parse_percent("-1").is_err());
    assert_eq!(
        refused("19.999").map_err(|e| e.1),
        Err("must have at most 2 decimal places".to_owned())
    );
    assert!(Apr::parse_percent("19,99").is_err());
    assert!(Apr::parse_percent("99999999999999999999999").is_err());
    assert!(Apr::from_basis_points(i64::MAX).is_err());
}

#[test]
fn deserialising_validates_like_parsing() {
    let apr: Result<Apr, DeError> = Apr::deserialize(1_999_i64.into_deserializer());
    assert_eq!(apr.map(Apr::basis_points), Ok(1_999));
    let too_high: Result<Apr, DeError> = Apr::deserialize(100_001_i64.into_deserializer());
    assert!(too_high.is_err());
    let kind: Result<AmountKind, DeError> = AmountKind::deserialize("fixed".into_deserializer());
    assert_eq!(kind, Ok(AmountKind::Fixed));
}
