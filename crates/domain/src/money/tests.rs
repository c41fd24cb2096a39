//! Tests of the money rules: currency codes, parsing and formatting of amounts, checked sums.

use proptest::prelude::*;

use super::*;

fn currency(code: &str) -> Currency {
    match Currency::parse("currency", code) {
        Ok(currency) => currency,
        Err(e) => panic!("{code} should be supported: {e}"),
    }
}

fn usd() -> Currency {
    currency("USD")
}

fn reason(result: Result<i64, Invalid>) -> String {
    match result {
        Ok(value) => panic!("expected a refusal, got {value}"),
        Err(e) => e.reason,
    }
}

#[test]
fn currencies_carry_their_iso_minor_unit_exponents() {
    assert_eq!(usd().exponent(), 2);
    assert_eq!(currency("HUF").exponent(), 2, "ISO 4217 says 2 for HUF");
    for code in ["JPY", "KRW", "VND", "CLP", "ISK"] {
        assert_eq!(currency(code).exponent(), 0, "{code}");
    }
    for code in ["BHD", "KWD", "JOD", "OMR", "TND", "LYD", "IQD"] {
        assert_eq!(currency(code).exponent(), 3, "{code}");
    }
    assert!(Currency::all().count() >= 40);
    assert_eq!(currency(" EUR ").code(), "EUR");
}

#[test]
fn every_supported_currency_has_its_iso_name_for_the_lists() {
    assert_eq!(currency("EUR").label(), "EUR — Euro");
    assert_eq!(usd().label(), "USD — United States dollar");
    for c in Currency::all() {
        assert!(!c.name().is_empty(), "{} has a name", c.code());
        let iso = iso_currency::Currency::from_code(c.code()).map(|i| i.exponent());
        // The ISO list's exponent agrees with ours (None there means no minor unit).
        assert_eq!(
            iso.map(|e| e.unwrap_or(0)),
            Some(u16::from(c.exponent())),
            "{}",
            c.code()
        );
    }
}

#[test]
fn currency_codes_must_be_known_upper_case_iso_codes() {
    assert_eq!(
        Currency::parse("currency", "usd").map_err(|e| e.field),
        Err("currency".to_owned())
    );
    assert!(Currency::parse("currency", "US").is_err());
    assert!(Currency::parse("currency", "USDX").is_err());
    assert!(Currency::parse("currency", "ÜSD").is_err());
    assert_eq!(
        Currency::parse("currency", "XYZ").map_err(|e| e.reason),
        Err("XYZ is not a supported currency".to_owned())
    );
}

#[test]
fn typed_amounts_become_minor_units() {
    let cases = [
        ("12", 1200),
        ("12.3", 1230),
        ("12.34", 1234),
        ("-5.00", -500),
        ("0", 0),
        ("  7.5  ", 750),
        ("-0.05", -5),
        ("007", 700),
    ];
    for (text, minor) in cases {
        assert_eq!(parse_amount("amount", text, usd()), Ok(minor), "{text:?}");
    }
    assert_eq!(parse_amount("amount", "1234", currency("JPY")), Ok(1234));
    assert_eq!(parse_amount("amount", "1.005", currency("KWD")), Ok(1005));
}

#[test]
fn amounts_that_are_not_plain_decimals_are_refused_with_a_reason() {
    let cases = [
        ("", "must not be empty"),
        ("   ", "must not be empty"),
        ("NaN", "must be a number like 12.34"),
        ("inf", "must be a number like 12.34"),
        ("-", "must be a number like 12.34"),
        (".", "must be a number like 12.34"),
        ("+5", "must be a number like 12.34"),
        (
            "1e3",
            "must be written out in full, without an exponent like 1e3",
        ),
        (
            "1,234.00",
            "must use . as the decimal point and no thousands separators, like 1234.56",
        ),
        (
            "1 234",
            "must use . as the decimal point and no thousands separators, like 1234.56",
        ),
        (
            "1.234.56",
            "must use . as the decimal point and no thousands separators, like 1234.56",
        ),
        ("١٢", "must use the digits 0-9"),
        ("１２", "must use the digits 0-9"),
        (
            "12.",
            "must have digits before and after the decimal point, like 0.50",
        ),
        (
            ".5",
            "must have digits before and after the decimal point, like 0.50",
        ),
        ("12.345", "must have at most 2 decimal places for USD"),
        ("92233720368547758.08", "amount is too large"),
        (
            "99999999999999999999999999999999999999999",
            "amount is too large",
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(
            reason(parse_amount("amount", text, usd())),
            expected,
            "{text:?}"
        );
    }
    assert_eq!(
        reason(parse_amount("amount", "12.5", currency("JPY"))),
        "must be a whole number for JPY"
    );
    assert_eq!(
        parse_amount("actual_amount", "x", usd()).map_err(|e| e.field),
        Err("actual_amount".to_owned())
    );
}

#[test]
fn the_extremes_of_i64_parse_exactly() {
    assert_eq!(
        parse_amount("amount", "92233720368547758.07", usd()),
        Ok(i64::MAX)
    );
    assert_eq!(
        parse_amount("amount", "-92233720368547758.08", usd()),
        Ok(i64::MIN)
    );
}

#[test]
fn positive_amounts_refuse_zero_and_negatives() {
    assert_eq!(parse_positive_amount("amount", "0.01", usd()), Ok(1));
    assert_eq!(
        reason(parse_positive_amount("amount", "0", usd())),
        "must be greater than zero"
    );
    assert!(parse_positive_amount("amount", "-3", usd()).is_err());
}

#[test]
fn minor_units_format_with_the_currencys_decimals() {
    assert_eq!(format_minor(1234, usd()), "12.34");
    assert_eq!(format_minor(1234, currency("JPY")), "1234");
    assert_eq!(format_minor(-5, usd()), "-0.05");
    assert_eq!(format_minor(0, usd()), "0.00");
    assert_eq!(format_minor(1005, currency("KWD")), "1.005");
    assert_eq!(format_minor(i64::MIN, usd()), "-92233720368547758.08");
    assert_eq!(Money::new(1234, usd()).to_string(), "12.34 USD");
}

#[test]
fn money_adds_up_with_checks() {
    let a = Money::new(1050, usd());
    let b = Money::new(-50, usd());
    assert_eq!(a.checked_add(b), Ok(Money::new(1000, usd())));
    assert_eq!(a.checked_sub(b), Ok(Money::new(1100, usd())));
    assert_eq!(Money::sum(usd(), [a, b, a]), Ok(Money::new(2050, usd())));
    assert_eq!(Money::sum(usd(), []), Ok(Money::zero(usd())));
    assert_eq!(
        Money::new(i64::MAX, usd()).checked_add(Money::new(1, usd())),
        Err(Invalid::new("amount", "amount is too large"))
    );
    assert!(
        Money::new(i64::MIN, usd())
            .checked_sub(Money::new(1, usd()))
            .is_err()
    );
    assert_eq!(
        a.checked_add(Money::new(1, currency("EUR")))
            .map_err(|e| e.field),
        Err("currency".to_owned())
    );
    assert_eq!(sum_minor("total", [1, 2, 3]), Ok(6));
    assert!(sum_minor("total", [i64::MAX, 1, -5]).is_err());
}

fn any_currency() -> impl Strategy<Value = Currency> {
    let all: Vec<Currency> = Currency::all().collect();
    prop::sample::select(all)
}

proptest! {
    #[test]
    fn formatting_then_parsing_gives_back_the_same_amount(
        minor in any::<i64>(),
        currency in any_currency(),
    ) {
        let text = format_minor(minor, currency);
        prop_assert_eq!(parse_amount("amount", &text, currency), Ok(minor));
    }

    #[test]
    fn checked_sums_never_wrap(amounts in prop::collection::vec(any::<i64>(), 0..20)) {
        let exact: i128 = amounts.iter().map(|&a| i128::from(a)).sum();
        let partials_fit = amounts
            .iter()
            .scan(0_i128, |total, &a| {
                *total += i128::from(a);
                Some(*total)
            })
            .all(|total| i64::try_from(total).is_ok());
        match sum_minor("total", amounts.iter().copied()) {
            Ok(total) => prop_assert_eq!(i128::from(total), exact),
            Err(e) => {
                prop_assert!(!partials_fit);
                prop_assert_eq!(e.reason, TOO_LARGE);
            }
        }
        let money = amounts.iter().map(|&a| Money::new(a, usd()));
        match Money::sum(usd(), money) {
            Ok(total) => prop_assert_eq!(i128::from(total.minor), exact),
            Err(_) => prop_assert!(!partials_fit),
        }
    }

    #[test]
    fn small_amounts_never_overflow(amounts in prop::collection::vec(-1_000_000_000_i64..1_000_000_000, 0..50)) {
        let exact: i64 = amounts.iter().sum();
        prop_assert_eq!(sum_minor("total", amounts), Ok(exact));
    }
}
