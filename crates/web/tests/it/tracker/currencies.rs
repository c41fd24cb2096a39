//! Totals per currency and moving bills to the default currency (issue 14, item 7): a month
//! that mixes currencies shows each one's total (never added, never a silent zero), and the
//! bills left in the old currency after the default changed can be moved in one audited step,
//! amounts unchanged, touching nobody else's bills. Today is 2026-03-14 on the test clock.

use domain::user::Role;
use reqwest::Method;
use serde_json::json;

use super::*;
use crate::app_tests;
use crate::pages_support::{page, submit};

/// The `by_currency` entries of a summary or bucket as (code, expected, paid, remaining).
fn per_currency(totals: &Value) -> Vec<(String, i64, i64, i64)> {
    totals["by_currency"]
        .as_array()
        .expect("by_currency")
        .iter()
        .map(|t| {
            (
                t["currency"].as_str().expect("code").to_owned(),
                t["expected"]["amount_minor"].as_i64().expect("expected"),
                t["paid"]["amount_minor"].as_i64().expect("paid"),
                t["remaining"]["amount_minor"].as_i64().expect("remaining"),
            )
        })
        .collect()
}

/// Alice's month: Rent 1000.00 USD (paid), Phone 40.00 USD, and Gym 30.00 EUR.
async fn dollars_and_euros(app: &TestApp) -> (UserId, BillId) {
    let alice = owner(app, "alice").await;
    let rent = bill(app, alice, "Rent", 1, 100_000).await;
    pay(app, alice, rent, 100_000, day(2026, 3, 1)).await;
    bill(app, alice, "Phone", 20, 4_000).await;
    let mut gym = monthly("Gym", 5, 3_000);
    gym.currency = "EUR".into();
    let gym = create(app, alice, gym).await;
    (alice, gym)
}

app_tests! {
    async fn a_month_of_two_currencies_totals_each_and_adds_neither_to_the_other(app) {
        let browser = app.signed_in("alice", Role::User).await;
        dollars_and_euros(&app).await;
        let view = tracker(&browser, "year=2026&month=3").await;
        let summary = &view["summary"];
        assert_eq!(per_currency(summary), vec![
            ("USD".into(), 104_000, 100_000, 4_000),
            ("EUR".into(), 3_000, 0, 3_000),
        ], "the user's currency first: {summary}");
        assert_eq!(summary["expected"]["amount_minor"], 104_000, "the plain fields stay the user's currency's");
        assert_eq!(per_currency(&view["buckets"][0]), vec![
            ("USD".into(), 100_000, 100_000, 0),
            ("EUR".into(), 3_000, 0, 3_000),
        ]);

        // The default becomes EUR: the dollars are still there, never a silent zero.
        let (status, settings) = call(&browser, Method::PATCH, "/api/profile/settings", json!({"currency": "EUR"})).await;
        assert_eq!(status, StatusCode::OK, "{settings}");
        assert_eq!(settings["bills_in_other_currencies"], json!([{"currency": "USD", "bills": 2, "can_change": true}]), "the API says which bills stayed behind");
        let view = tracker(&browser, "year=2026&month=3").await;
        assert_eq!(per_currency(&view["summary"]), vec![
            ("EUR".into(), 3_000, 0, 3_000),
            ("USD".into(), 104_000, 100_000, 4_000),
        ]);
        assert_eq!(view["summary"]["expected"]["amount_minor"], 3_000);
        assert_eq!(view["summary"]["expected"]["currency"], "EUR");

        // Safe to spend shows once there is cash to compute it from, and says what it leaves out.
        let cash = call(&browser, Method::PUT, "/api/tracker/cash", json!({"year": 2026, "month": 3, "bucket": 0, "starting_cash": "100"})).await;
        assert_eq!(cash.0, StatusCode::OK, "{}", cash.1);
        let html = page(&browser, "/?year=2026&month=3").await;
        assert!(html.contains("summary-value\">EUR\u{a0}30.00<") && html.contains("summary-value\">$1,040.00<"), "each currency's total on its own line: {html}");
        assert!(html.contains("Bills in USD are totalled on their own"), "{html}");
        assert!(html.contains("Counts only bills in EUR; those in USD are left out"), "{html}");
        assert!(html.contains("EUR\u{a0}30.00 and $1,000.00"), "the bucket header names both: {html}");
    }

    async fn bills_move_to_the_default_currency_in_one_step_and_nobody_elses_do(app) {
        let alice_browser = app.signed_in("alice", Role::User).await;
        let bob_browser = app.signed_in("bob", Role::User).await;
        let (_, gym) = dollars_and_euros(&app).await;
        let bob = owner(&app, "bob").await;
        let bobs = bill(&app, bob, "Bob's rent", 1, 50_000).await;

        // Refused: the same currency, unknown codes, and different decimals (no invented rate).
        assert_refused(&call(&alice_browser, Method::POST, "/api/bills/change-currency", json!({"from": "USD", "to": "USD"})).await, "to");
        assert_refused(&call(&alice_browser, Method::POST, "/api/bills/change-currency", json!({"from": "XXX", "to": "EUR"})).await, "from");
        assert_refused(&call(&alice_browser, Method::POST, "/api/bills/change-currency", json!({"from": "USD", "to": "JPY"})).await, "to");

        let (status, moved) = call(&alice_browser, Method::POST, "/api/bills/change-currency", json!({"from": "USD", "to": "EUR"})).await;
        assert_eq!((status, moved), (StatusCode::OK, json!({"from": "USD", "to": "EUR", "changed": 2})));
        let view = tracker(&alice_browser, "year=2026&month=3").await;
        assert_eq!(per_currency(&view["summary"]), vec![("EUR".into(), 107_000, 100_000, 7_000)], "amounts unchanged, now one currency");
        assert_eq!(find(&view, "Rent", "2026-03-01")["status"], "paid", "payments keep settling their bill");
        let gym_row = app.app.store.bill(owner(&app, "alice").await, gym).await.expect("gym");
        assert_eq!(gym_row.version, 1, "bills already in EUR are not touched");

        // Bob's dollars stay dollars, and his tracker is unchanged.
        assert_eq!(app.app.store.bill(bob, bobs).await.expect("bob's").currency, "USD");
        let bobs_view = tracker(&bob_browser, "year=2026&month=3").await;
        assert_eq!(per_currency(&bobs_view["summary"]), vec![("USD".into(), 50_000, 0, 50_000)]);

        let entries = app.app.store.audit_entries(&service::audit::AuditFilter {
            action: Some("bills.currency_changed".into()),
            limit: 10,
            ..Default::default()
        }).await.expect("audit");
        assert_eq!(entries.len(), 1);
        assert_eq!(serde_json::from_str::<Value>(&entries[0].detail).expect("detail"), json!({"from": "USD", "to": "EUR", "bills": 2}));

        // Nothing left to move: a second call changes nothing.
        let (_, again) = call(&alice_browser, Method::POST, "/api/bills/change-currency", json!({"from": "USD", "to": "EUR"})).await;
        assert_eq!(again["changed"], 0);
    }

    async fn the_profile_offers_to_move_the_bills_left_in_the_old_currency(app) {
        let browser = app.signed_in("alice", Role::User).await;
        dollars_and_euros(&app).await;
        let html = page(&browser, "/profile").await;
        assert!(html.contains("You have 1 bill in EUR. Change it to USD?"), "{html}");

        let (status, _) = call(&browser, Method::PATCH, "/api/profile/settings", json!({"currency": "EUR"})).await;
        assert_eq!(status, StatusCode::OK);
        let html = page(&browser, "/profile").await;
        assert!(html.contains("You have 2 bills in USD. Change them to EUR? No conversion is made — the amounts stay as they are."), "{html}");
        assert!(html.contains("action=\"/profile/bill-currency\""), "{html}");
        assert!(html.contains("Change 2 bills to EUR"), "{html}");

        let (status, location, _) = submit(&browser, "/profile/bill-currency", &[("from", "USD"), ("to", "EUR"), ("return_to", "/profile")]).await;
        assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/profile?notice=bill_currency"));
        let html = page(&browser, &location).await;
        assert!(html.contains("Those bills now use your default currency. Their amounts were not converted."), "{html}");
        assert!(!html.contains("Bills in another currency"), "the offer is gone: {html}");
        let view = tracker(&browser, "year=2026&month=3").await;
        assert_eq!(per_currency(&view["summary"]).len(), 1);

        // A move the decimals do not allow comes back with a banner, changing nothing.
        let (status, location, _) = submit(&browser, "/profile/bill-currency", &[("from", "EUR"), ("to", "JPY")]).await;
        assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/profile?error=bill_currency"));
        assert!(page(&browser, &location).await.contains("Those bills were not changed"));
    }

    async fn the_welcome_card_offers_to_move_bills_made_before_it_was_answered(app) {
        let browser = app.signed_in("alice", Role::User).await;
        dollars_and_euros(&app).await;
        let (status, location, _) = submit(&browser, "/welcome", &[("currency", "EUR"), ("time_zone", "Europe/Berlin"), ("locale", "de-DE")]).await;
        assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/?notice=welcome"));
        let html = page(&browser, &location).await;
        assert!(html.contains("You have 2 bills in USD. Change them to EUR?"), "{html}");
        assert!(html.contains("name=\"return_to\" value=\"/\""), "{html}");

        let (status, location, _) = submit(&browser, "/profile/bill-currency", &[("from", "USD"), ("to", "EUR"), ("return_to", "/")]).await;
        assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/?notice=bill_currency"));
        let html = page(&browser, &location).await;
        assert!(html.contains("Their amounts were not converted"), "{html}");
        assert!(!html.contains("Bills in another currency") && !html.contains("totalled on their own"), "{html}");
    }

    async fn a_paid_bill_cannot_move_to_a_currency_with_other_decimals(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let alice = owner(&app, "alice").await;
        let id = bill(&app, alice, "Rent", 1, 100_000).await;
        pay(&app, alice, id, 100_000, day(2026, 3, 1)).await;
        let rent = app.app.store.bill(alice, id).await.expect("rent");
        // 1 000.00 USD paid: as yen those 100 000 minor units would read ¥100,000.
        let (status, body) = call(&browser, Method::PATCH, &format!("/api/bills/{id}"), json!({"version": rent.version, "currency": "JPY", "expected_amount": "1000"})).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["field"], "currency", "the field is named: {body}");
        let unchanged = app.app.store.bill(alice, id).await.expect("bill");
        assert_eq!((unchanged.currency.as_str(), unchanged.version), ("USD", rent.version), "nothing written");
        // The same number of decimals reads the same: allowed.
        let (status, body) = call(&browser, Method::PATCH, &format!("/api/bills/{id}"), json!({"version": rent.version, "currency": "EUR"})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(body["currency"], "EUR");
    }
}
