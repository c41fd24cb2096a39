//! The user's locale on the pages, on both engines: amounts and dates written as the locale
//! writes them, amounts typed with the locale's decimal comma read exactly (and a comma that
//! groups thousands never silently dropped), and times in the user's time zone. The manual
//! clock stands at 2026-03-14 09:00 UTC.

use reqwest::StatusCode;
use serde_json::json;

use crate::app_tests;
use crate::money::user;
use crate::pages_support::{page, submit};
use crate::support::Browser;
use crate::tracker::{status_of, tracker};

const MARCH: &str = "/?year=2026&month=3&sort=due&dir=asc";

/// Saves currency, time zone and locale through the first sign-in's form.
async fn choose(browser: &Browser, currency: &str, time_zone: &str, locale: &str) {
    let form = [
        ("currency", currency),
        ("time_zone", time_zone),
        ("locale", locale),
    ];
    let (status, location, _) = submit(browser, "/welcome", &form).await;
    assert_eq!(
        (status, location.as_str()),
        (StatusCode::SEE_OTHER, "/?notice=welcome")
    );
}

/// An estimated bill ("Power", expected 80) due on March 10; its id.
async fn power(browser: &Browser) -> String {
    let bill = crate::bills::new_bill(browser, json!({
        "name": "Power", "amount_kind": "estimated", "expected_amount": "80", "expected_min": "60",
        "expected_max": "120", "anchor_date": "2026-03-10", "due_day": 10,
    }))
    .await;
    bill["id"].as_str().expect("id").to_owned()
}

app_tests! {
    async fn a_german_users_tracker_writes_amounts_and_dates_as_german_does(app) {
        let (browser, _) = user(&app, "anna").await;
        choose(&browser, "EUR", "Europe/Berlin", "de-DE").await;
        crate::bills::new_bill(&browser, json!({"name": "Miete", "expected_amount": "1234.56", "anchor_date": "2026-03-20", "due_day": 20})).await;

        let html = page(&browser, MARCH).await;

        assert!(html.contains("1.234,56\u{a0}€"), "{html}");
        assert!(!html.contains("€1,234.56"), "{html}");
        assert!(html.contains("März 2026"), "the month in German: {html}");
        assert!(html.contains("Fr., 20. März"), "the due day in German: {html}");
    }

    async fn a_german_user_pays_with_a_decimal_comma_and_the_field_is_prefilled_with_one(app) {
        let (browser, _) = user(&app, "anna").await;
        choose(&browser, "EUR", "Europe/Berlin", "de-DE").await;
        let id = power(&browser).await;
        let html = page(&browser, MARCH).await;
        assert!(html.contains(&format!("id=\"pay-{id}-2026-03-10\" name=\"amount\" value=\"80,00\"")), "{html}");

        let form = [("bill_id", id.as_str()), ("due_date", "2026-03-10"), ("amount", "12,50"), ("return_to", MARCH)];
        let (status, location, _) = submit(&browser, "/tracker/pay", &form).await;

        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(!location.contains("error="), "{location}");
        let view = tracker(&browser, "year=2026&month=3").await;
        let paid = crate::tracker::find(&view, "Power", "2026-03-10");
        assert_eq!(paid["paid"]["amount_minor"], 1250, "12,50 is 12.50, never 1250: {paid}");
    }

    async fn a_comma_that_groups_thousands_is_refused_by_name_and_nothing_is_paid(app) {
        let (browser, _) = user(&app, "alice").await;
        choose(&browser, "USD", "America/New_York", "en-US").await;
        let id = power(&browser).await;

        let form = [("bill_id", id.as_str()), ("due_date", "2026-03-10"), ("amount", "12,50"), ("return_to", MARCH)];
        let (status, location, _) = submit(&browser, "/tracker/pay", &form).await;

        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(location.contains("error=amount"), "{location}");
        let html = page(&browser, &location).await;
        assert!(html.contains("That amount is not valid: type the amount paid; it must use a point for the decimals and a comma only between thousands, like 1,234.56 or 12.50."), "{html}");
        assert_eq!(status_of(&tracker(&browser, "year=2026&month=3").await, "Power", "2026-03-10"), "late");
    }

    async fn grouped_amounts_in_the_locales_writing_are_read_exactly_on_every_form(app) {
        let (browser, _) = user(&app, "anna").await;
        choose(&browser, "EUR", "Europe/Berlin", "de-DE").await;
        let id = power(&browser).await;

        // The bill page's payment form.
        let path = format!("/bills/{id}/payments");
        let form = [("amount", "1.234,56"), ("paid_on", "2026-03-10"), ("cycle_due", ""), ("method", ""), ("note", "")];
        let (status, _, body) = submit(&browser, &path, &form).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let view = tracker(&browser, "year=2026&month=3").await;
        assert_eq!(crate::tracker::find(&view, "Power", "2026-03-10")["paid"]["amount_minor"], 123_456);

        // The expense form, and its edit form prefilled the same way.
        let form = [("amount", "1.234,5"), ("currency", "EUR"), ("spent_on", "2026-03-10"), ("category_id", ""), ("payee", "Bäcker"), ("note", ""), ("method", "")];
        let (status, _, body) = submit(&browser, "/expenses", &form).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let (_, found) = crate::bills::get(&browser, "/api/expenses").await;
        assert_eq!(found["items"][0]["amount_minor"], 123_450, "{found}");
        let expense = found["items"][0]["id"].as_str().expect("id").to_owned();
        let html = page(&browser, &format!("/expenses/{expense}/edit")).await;
        assert!(html.contains("value=\"1234,50\""), "{html}");
        assert!(html.contains("Like 12,34."), "the hint in the locale's writing: {html}");

        // A point is not a German decimal mark: refused under the field, nothing stored.
        let form = [("amount", "12.50"), ("currency", "EUR"), ("spent_on", "2026-03-10"), ("category_id", ""), ("payee", "Kiosk"), ("note", ""), ("method", "")];
        let (status, _, html) = submit(&browser, "/expenses", &form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("Amount must use a comma for the decimals and a point only between thousands, like 1.234,56 or 12,50"), "{html}");
    }

    async fn the_security_page_shows_times_in_the_users_time_zone(app) {
        let (browser, _) = user(&app, "alice").await;
        choose(&browser, "USD", "Europe/Berlin", "en-US").await;

        let html = page(&browser, "/profile/security").await;

        // Signed in at 09:00 UTC, which is 10:00 in Berlin in March.
        assert!(html.contains("Mar 14, 2026, 10:00\u{202f}AM CET"), "{html}");
        assert!(!html.contains("09:00 UTC"), "{html}");
    }
}
