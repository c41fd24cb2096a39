//! Starting cash, income and the recurring income through the JSON API: the month's periods
//! (`GET /api/tracker/cash`), one period (`PUT /api/tracker/cash`), the income per payday
//! (`/api/tracker/recurring-income`), and what they do to the tracker's safe-to-spend.

use domain::user::Role;
use reqwest::Method;
use serde_json::json;

use super::*;
use crate::app_tests;

/// `(income in minor units or None, source)` of each period of the month.
async fn incomes(browser: &Browser, year: i32, month: u32) -> Vec<(Option<i64>, String)> {
    let (status, view) = call_get(
        browser,
        &format!("/api/tracker/cash?year={year}&month={month}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    view["periods"]
        .as_array()
        .expect("periods")
        .iter()
        .map(|p| {
            (
                p["income"]["amount_minor"].as_i64(),
                p["income_source"].as_str().expect("source").to_owned(),
            )
        })
        .collect()
}

app_tests! {
    @with super::spawn;

    async fn recurring_income_fills_every_payday_period_until_a_month_says_otherwise(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let alice = owner(&app, "alice").await;
        bill(&app, alice, "Rent", 10, 80_000).await;
        let (status, none) = call_get(&browser, "/api/tracker/recurring-income").await;
        assert_eq!((status, none["income_per_payday"].is_null()), (StatusCode::OK, true), "{none}");
        let set = call(&browser, Method::PUT, "/api/tracker/recurring-income", json!({"income_per_payday": "2000"})).await;
        assert_eq!(set.0, StatusCode::OK, "{}", set.1);
        assert_eq!(amount(&set.1["income_per_payday"]), ("2000.00".into(), 200_000, "USD".into()));

        let recurring = (Some(200_000), "recurring".to_owned());
        assert_eq!(incomes(&browser, 2026, 3).await, [recurring.clone(), recurring.clone()]);
        assert_eq!(incomes(&browser, 2027, 1).await, [recurring.clone(), recurring.clone()], "every month");
        // Today (March 14) is in the first period: 2000 − the unpaid rent due on the 10th.
        let view = tracker(&browser, "year=2026&month=3").await;
        assert_eq!(amount(&view["summary"]["safe_to_spend"]).1, 120_000);
        assert_eq!(amount(&view["buckets"][0]["income"]).1, 200_000);

        // March's first period has its own income (none this time); April still gets the pay.
        let own = call(&browser, Method::PUT, "/api/tracker/cash", json!({"year": 2026, "month": 3, "bucket": 0, "income": "0"})).await;
        assert_eq!(own.0, StatusCode::OK, "{}", own.1);
        assert_eq!(incomes(&browser, 2026, 3).await, [(Some(0), "saved".to_owned()), recurring.clone()]);
        assert_eq!(incomes(&browser, 2026, 4).await, [recurring.clone(), recurring.clone()]);
        let view = tracker(&browser, "year=2026&month=3").await;
        assert_eq!(amount(&view["summary"]["safe_to_spend"]).1, -80_000, "the saved 0 counts, not the pay");

        // Paid once a month on the 25th: 1st–24th was paid by last month's 25th.
        call(&browser, Method::PATCH, "/api/profile/settings", json!({"paydays": [25]})).await;
        assert_eq!(incomes(&browser, 2026, 4).await, [(None, "none".to_owned()), recurring]);
        let view = tracker(&browser, "year=2026&month=4").await;
        assert!(view["summary"]["safe_to_spend"].is_null(), "{}", view["summary"]);

        // Removing the recurring income leaves the month's own income.
        let cleared = call(&browser, Method::PUT, "/api/tracker/recurring-income", json!({"income_per_payday": null})).await;
        assert_eq!((cleared.0, cleared.1["income_per_payday"].is_null()), (StatusCode::OK, true), "{}", cleared.1);
        call(&browser, Method::PATCH, "/api/profile/settings", json!({"paydays": [1, 15]})).await;
        assert_eq!(incomes(&browser, 2026, 3).await, [(Some(0), "saved".to_owned()), (None, "none".to_owned())]);
    }

    async fn a_period_with_neither_amount_is_removed_and_safe_to_spend_is_unknown_again(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let alice = owner(&app, "alice").await;
        bill(&app, alice, "Phone", 12, 4_000).await;
        let saved = call(&browser, Method::PUT, "/api/tracker/cash", json!({"year": 2026, "month": 3, "bucket": 0, "starting_cash": "-25.50", "income": null})).await;
        assert_eq!(saved.0, StatusCode::OK, "{}", saved.1);
        assert_eq!(amount(&saved.1["starting_cash"]).1, -2_550, "overdrawn is allowed");
        let view = tracker(&browser, "year=2026&month=3").await;
        assert_eq!(amount(&view["summary"]["safe_to_spend"]).1, -6_550);
        let cleared = call(&browser, Method::PUT, "/api/tracker/cash", json!({"year": 2026, "month": 3, "bucket": 0, "starting_cash": " "})).await;
        assert_eq!(cleared.0, StatusCode::OK, "{}", cleared.1);
        assert!(app.app.store.month_cash(alice, "2026-03").await.expect("read").is_empty(), "no row left");
        assert!(tracker(&browser, "year=2026&month=3").await["summary"]["safe_to_spend"].is_null());
    }

    async fn the_recurring_income_is_refused_naming_its_field_and_stays_the_callers_own(app) {
        let alice = app.signed_in("alice", Role::User).await;
        let bob = app.signed_in("bob", Role::User).await;
        call(&bob, Method::PUT, "/api/tracker/recurring-income", json!({"income_per_payday": "1500"})).await;
        for bad in ["0", "-1", "12.345", "lots"] {
            let answer = call(&alice, Method::PUT, "/api/tracker/recurring-income", json!({"income_per_payday": bad})).await;
            assert_refused(&answer, "income_per_payday");
        }
        assert_refused(&call(&alice, Method::PUT, "/api/tracker/recurring-income", json!({"income": "1"})).await, "income");
        call(&alice, Method::PUT, "/api/tracker/recurring-income", json!({"income_per_payday": "10"})).await;
        let (_, theirs) = call_get(&bob, "/api/tracker/recurring-income").await;
        assert_eq!(amount(&theirs["income_per_payday"]).1, 150_000, "Bob's is untouched");
        let (status, body) = call_get(&alice, "/api/tracker/cash?year=2026&month=13").await;
        assert_refused(&(status, body), "month");
    }
}
