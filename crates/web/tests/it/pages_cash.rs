//! The cash page (`/tracker/cash`) and the tracker's safe-to-spend card, on both engines: the
//! month's pay periods with their dates, saving without JavaScript (back to the tracker with a
//! notice naming the month, the card now shown and explained), a refused field named and what
//! was typed kept, the recurring income applied and overridden per month, a stale form after
//! the paydays changed, and another user's amounts untouched. The manual clock starts on
//! Saturday 2026-03-14.

use reqwest::StatusCode;

use crate::app_tests;
use crate::money::user;
use crate::pages_support::{page, submit};
use crate::tracker::{amount, bill, tracker};

const MARCH: &str = "/tracker/cash?year=2026&month=3";
const PROMPT: &str = "Set your starting cash and income to see what is safe to spend";

/// The March form with every field: recurring income, then each period's starting cash and
/// income.
fn march(
    recurring: &'static str,
    periods: &[(&'static str, &'static str)],
) -> Vec<(String, String)> {
    let mut form = vec![
        ("year".to_owned(), "2026".to_owned()),
        ("month".to_owned(), "3".to_owned()),
        ("periods".to_owned(), periods.len().to_string()),
        ("income_per_payday".to_owned(), recurring.to_owned()),
    ];
    for (i, (starting, income)) in periods.iter().enumerate() {
        form.push((format!("starting_cash_{i}"), (*starting).to_owned()));
        form.push((format!("income_{i}"), (*income).to_owned()));
    }
    form
}

async fn save(
    browser: &crate::support::Browser,
    form: &[(String, String)],
) -> (StatusCode, String, String) {
    let fields: Vec<(&str, &str)> = form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    submit(browser, "/tracker/cash", &fields).await
}

app_tests! {
    async fn the_page_lists_the_months_pay_periods_with_their_dates(app) {
        let (browser, _) = user(&app, "alice").await;
        let html = page(&browser, MARCH).await;
        assert!(html.contains("<h1>Starting cash and income</h1>"), "{html}");
        assert!(html.contains("March 2026"), "{html}");
        assert!(html.contains("Mar 1 – Mar 14") && html.contains("Mar 15 – Mar 31"), "{html}");
        for field in ["income_per_payday", "starting_cash_0", "income_0", "starting_cash_1", "income_1"] {
            assert!(html.contains(&format!("name=\"{field}\"")), "{field}: {html}");
        }
        assert!(!html.contains("starting_cash_2"), "two periods only");
        assert!(html.contains("the 1st and the 15th"), "{html}");
        assert!(html.contains("name=\"csrf_token\""), "{html}");
        assert!(html.contains("href=\"/tracker/cash?year=2026&amp;month=4\"") || html.contains("href=\"/tracker/cash?year=2026&#38;month=4\""), "next month: {html}");
    }

    async fn saving_returns_to_the_tracker_with_a_notice_and_the_card_appears_explained(app) {
        let (browser, me) = user(&app, "alice").await;
        bill(&app, me, "Rent", 10, 80_000).await;
        let before = page(&browser, "/?year=2026&month=3").await;
        assert!(before.contains(PROMPT), "no card yet, a link instead: {before}");
        assert!(before.contains("href=\"/tracker/cash?year=2026&amp;month=3\"") || before.contains("href=\"/tracker/cash?year=2026&#38;month=3\""), "{before}");
        assert!(!before.contains(">Safe to spend</p>"), "{before}");

        let (status, location, _) = save(&browser, &march("", &[("1500.00", "250"), ("", "")])).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(location, "/?year=2026&month=3&notice=cash_saved");
        let after = page(&browser, &location).await;
        assert!(after.contains("Starting cash and income saved for March 2026."), "{after}");
        assert!(after.contains(">Safe to spend</p>"), "{after}");
        // 1500 + 250 − the unpaid rent of 800 due on the 10th.
        assert!(after.contains("$950.00"), "{after}");
        assert!(after.contains("Cash + income this pay period − bills still due by Mar 14"), "{after}");
        assert!(!after.contains(PROMPT), "{after}");
        // The page shows what was saved.
        let form = page(&browser, MARCH).await;
        assert!(form.contains("value=\"1500.00\"") && form.contains("value=\"250.00\""), "{form}");
        // Another month has nothing saved: no card there.
        bill(&app, me, "Phone", 5, 1_000).await;
        assert!(page(&browser, "/?year=2026&month=4").await.contains(PROMPT));
    }

    async fn bad_input_is_refused_naming_the_field_and_keeping_what_was_typed(app) {
        let (browser, me) = user(&app, "alice").await;
        let (status, _, html) = save(&browser, &march("2000", &[("100", "0"), ("12.3x", "-5")])).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
        assert!(html.contains("Starting cash and income were not saved"), "{html}");
        assert!(html.contains("Starting cash for Mar 15 – Mar 31 "), "{html}");
        assert!(html.contains("href=\"#starting_cash_1\""), "the summary links to the field: {html}");
        assert!(html.contains("aria-invalid=\"true\""), "{html}");
        for typed in ["value=\"2000\"", "value=\"100\"", "value=\"0\"", "value=\"12.3x\"", "value=\"-5\""] {
            assert!(html.contains(typed), "{typed} kept: {html}");
        }
        assert!(app.app.store.month_cash(me, "2026-03").await.expect("read").is_empty(), "nothing saved");
        assert_eq!(app.app.store.recurring_income(me).await.expect("read"), None, "nothing saved");

        let (status, _, html) = save(&browser, &march("", &[("", ""), ("", "-5")])).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("Income for Mar 15 – Mar 31 must not be negative."), "{html}");
        let (status, _, html) = save(&browser, &march("0", &[("", ""), ("", "")])).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("Income each payday must be greater than zero"), "{html}");
        // A tampered month is an error page, never a 500.
        let (status, _, _) = submit(&browser, "/tracker/cash", &[("year", "2026"), ("month", "13"), ("periods", "2")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }

    async fn recurring_income_applies_every_month_and_a_month_overrides_it(app) {
        let (browser, me) = user(&app, "alice").await;
        bill(&app, me, "Rent", 20, 80_000).await;
        let (status, _, _) = save(&browser, &march("2000", &[("", ""), ("", "0")])).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        // March: the first period gets the pay (card 2000, the rent is due after the 14th);
        // the second says nothing comes in this time.
        let view = tracker(&browser, "year=2026&month=3").await;
        assert_eq!(amount(&view["summary"]["safe_to_spend"]).1, 200_000);
        assert_eq!(amount(&view["buckets"][1]["income"]).1, 0);
        // April was never saved and gets the pay in both periods.
        let april = tracker(&browser, "year=2026&month=4").await;
        assert_eq!((amount(&april["buckets"][0]["income"]).1, amount(&april["buckets"][1]["income"]).1), (200_000, 200_000));
        let html = page(&browser, "/tracker/cash?year=2026&month=4").await;
        assert!(html.contains("value=\"2000.00\""), "{html}");
        assert!(html.contains("Blank: your pay each payday, $2,000.00."), "{html}");
    }

    async fn a_form_loaded_before_the_paydays_changed_is_refused_not_misfiled(app) {
        let (browser, me) = user(&app, "alice").await;
        let settings = crate::tracker::call(&browser, reqwest::Method::PATCH, "/api/profile/settings", serde_json::json!({"paydays": [1, 10, 20]})).await;
        assert_eq!(settings.0, StatusCode::OK, "{}", settings.1);
        let (status, _, html) = save(&browser, &march("", &[("100", ""), ("200", "")])).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("The pay periods do not match the 3 pay periods of this month"), "{html}");
        assert!(html.contains("Mar 20 – Mar 31"), "the form now shows the new periods: {html}");
        assert!(app.app.store.month_cash(me, "2026-03").await.expect("read").is_empty());
    }

    async fn another_users_amounts_are_untouched(app) {
        let (alice, _) = user(&app, "alice").await;
        let (bob, bob_id) = user(&app, "bob").await;
        assert_eq!(save(&bob, &march("900", &[("5", "6"), ("7", "8")])).await.0, StatusCode::SEE_OTHER);
        assert_eq!(save(&alice, &march("", &[("", ""), ("", "")])).await.0, StatusCode::SEE_OTHER);
        assert_eq!(save(&alice, &march("1000", &[("1", "2"), ("3", "4")])).await.0, StatusCode::SEE_OTHER);
        let theirs: Vec<_> = app.app.store.month_cash(bob_id, "2026-03").await.expect("read").iter().map(|c| (c.starting_minor, c.income_minor)).collect();
        assert_eq!(theirs, [(Some(500), Some(600)), (Some(700), Some(800))]);
        assert_eq!(app.app.store.recurring_income(bob_id).await.expect("read"), Some(90_000));
        let html = page(&alice, MARCH).await;
        assert!(!html.contains("value=\"5.00\"") && html.contains("value=\"1.00\""), "{html}");
    }
}
