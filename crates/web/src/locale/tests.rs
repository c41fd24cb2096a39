//! The formats per locale a user would see, and amounts read back.

use super::*;

fn at(tag: &str) -> Locale {
    Locale::new(tag, chrono_tz::UTC)
}

fn code(c: &str) -> Currency {
    Currency::parse("currency", c).unwrap_or(Currency::USD)
}

fn march_5() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, 5).unwrap_or_default()
}

#[test]
fn money_has_the_locales_separators_and_symbol_placement() {
    assert_eq!(at("en-US").money(123_456, code("USD")), "$1,234.56");
    assert_eq!(at("en-GB").money(123_456, code("GBP")), "£1,234.56");
    assert_eq!(at("de-DE").money(123_456, code("EUR")), "1.234,56\u{a0}€");
    assert_eq!(
        at("fr-FR").money(123_456, code("EUR")),
        "1\u{202f}234,56\u{a0}€"
    );
    assert_eq!(at("de-DE").money(-500, code("EUR")), "-5,00\u{a0}€");
    assert_eq!(at("en-US").money(12_345_678, code("USD")), "$123,456.78");
}

#[test]
fn another_currency_is_written_with_its_code_in_the_locales_placement() {
    assert_eq!(at("en-US").money(500, code("EUR")), "EUR\u{a0}5.00");
    assert_eq!(at("de-DE").money(123_456, code("USD")), "1.234,56\u{a0}USD");
    assert_eq!(at("en-US").money(100_000, code("JPY")), "JPY\u{a0}100,000");
    assert_eq!(at("en-US").money(12_000, code("KWD")), "KWD\u{a0}12.000");
}

#[test]
fn rounded_amounts_drop_only_a_fraction_of_zeros() {
    assert_eq!(at("en-US").money_rounded(250_000, code("USD")), "$2,500");
    assert_eq!(
        at("de-DE").money_rounded(250_000, code("EUR")),
        "2.500\u{a0}€"
    );
    assert_eq!(at("en-US").money_rounded(250_050, code("USD")), "$2,500.50");
}

#[test]
fn dates_have_one_short_and_one_long_form_per_locale() {
    let d = march_5();
    assert_eq!(at("en-US").date(d), "Mar 5, 2026");
    assert_eq!(at("en-GB").date(d), "5 Mar 2026");
    assert_eq!(at("de-DE").date(d), "05.03.2026");
    assert_eq!(at("fr-FR").date(d), "5 mars 2026");
    assert_eq!(at("en-US").long_date(d), "Thursday, March 5, 2026");
    assert_eq!(at("de-DE").long_date(d), "Donnerstag, 5. März 2026");
    assert_eq!(at("en-US").day(d), "Thu, Mar 5");
    assert_eq!(at("de-DE").day(d), "Do., 5. März");
}

#[test]
fn months_are_named_in_the_locales_language() {
    assert_eq!(at("en-US").month(2026, 3), "March 2026");
    assert_eq!(at("de-DE").month(2026, 3), "März 2026");
    assert_eq!(at("fr-FR").month(2026, 3), "mars 2026");
}

#[test]
fn instants_are_shown_in_the_users_time_zone_with_its_abbreviation() {
    let at_utc = DateTime::parse_from_rfc3339("2026-03-05T13:03:00Z")
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default();
    let berlin = Locale::new("de-DE", chrono_tz::Europe::Berlin);
    assert_eq!(berlin.instant(at_utc), "05.03.2026, 14:03 CET");
    let new_york = Locale::new("en-US", chrono_tz::America::New_York);
    assert_eq!(new_york.instant(at_utc), "Mar 5, 2026, 8:03\u{202f}AM EST");
}

#[test]
fn an_unknown_tag_reads_as_en_us() {
    let unknown = at("xx-YY");
    assert_eq!(unknown.tag(), "en-US");
    assert_eq!(unknown.money(123_456, code("USD")), "$1,234.56");
    assert_eq!(unknown.date(march_5()), "Mar 5, 2026");
    assert_eq!(at("not a tag").tag(), "en-US");
    assert_eq!(at("de").money(500, code("EUR")), "5,00\u{a0}€");
}

#[test]
fn amount_fields_are_prefilled_and_read_in_the_locales_writing() {
    let de = at("de-DE");
    assert_eq!(de.amount_field(123_456, code("EUR")), "1234,56");
    assert_eq!(de.amount_input("amount", "12,50").as_deref(), Ok("12.50"));
    assert_eq!(
        de.amount_input("amount", "1.234,56").as_deref(),
        Ok("1234.56")
    );
    let us = at("en-US");
    assert_eq!(us.amount_field(123_456, code("USD")), "1234.56");
    assert_eq!(
        us.amount_input("amount", "1,234.56").as_deref(),
        Ok("1234.56")
    );
    assert!(us.amount_input("amount", "12,50").is_err());
    assert_eq!(
        at("fr-FR").amount_input("amount", "1 234,56").as_deref(),
        Ok("1234.56")
    );
    assert_eq!(
        at("en-GB").amount_input("amount", "12.50").as_deref(),
        Ok("12.50")
    );
}

#[test]
#[ignore = "a measurement, not a check: cargo test -p web --lib locale -- --ignored --nocapture"]
fn formatting_cost() {
    let l = at("de-DE");
    let started = std::time::Instant::now();
    for _ in 0..1000 {
        let _ = l.date(march_5());
    }
    let dates = started.elapsed();
    let started = std::time::Instant::now();
    for _ in 0..1000 {
        let _ = l.money(123_456, code("EUR"));
    }
    println!("1000 dates {dates:?}, 1000 amounts {:?}", started.elapsed());
}
