//! Ownership (AZ-02, AZ-07), input validation (VAL-01), the bootstrap administrator, and the
//! tracking settings.

use domain::user::Role;
use reqwest::Method;
use serde_json::json;

use super::*;
use crate::app_tests;
use crate::support::PASSWORD;

/// What `owner` has written for `bill`: live payments and month states of March 2026.
async fn written(app: &TestApp, owner: UserId) -> (usize, usize) {
    let (from, to) = (day(2026, 1, 1), day(2026, 12, 31));
    let totals = app
        .app
        .store
        .payment_totals(owner, from, to)
        .await
        .expect("totals");
    let states = app
        .app
        .store
        .month_states(owner, None, from, to)
        .await
        .expect("states");
    (totals.len(), states.len())
}

app_tests! {
    @with super::spawn;

    async fn az_02_another_users_bill_cannot_be_paid_toggled_or_stated(app) {
        let alice = app.signed_in("alice", Role::User).await;
        app.signed_in("bob", Role::User).await;
        let bob = owner(&app, "bob").await;
        let theirs = bill(&app, bob, "Bob's rent", 10, 90_000).await;
        let attempts = [
            (Method::PUT, format!("/api/tracker/occurrences/{theirs}/2026-03-10"), json!({"skipped": true, "note": "mine now"})),
            (Method::POST, "/api/payments/quick".to_owned(), json!({"bill_id": theirs.to_string()})),
            (Method::POST, "/api/payments/quick".to_owned(), json!({"bill_id": theirs.to_string(), "due_date": "2026-03-10"})),
            (Method::POST, format!("/api/bills/{theirs}/toggle-paid"), json!({"due_date": "2026-03-10"})),
            (Method::PUT, "/api/tracker/occurrences/not-a-uuid/2026-03-10".to_owned(), json!({"skipped": true})),
            (Method::POST, "/api/payments/quick".to_owned(), json!({"bill_id": "not-a-uuid"})),
        ];
        for (method, path, body) in attempts {
            let answer = call(&alice, method.clone(), &path, body).await;
            assert_eq!(answer.0, StatusCode::NOT_FOUND, "{method} {path}: {}", answer.1);
        }
        // Even a date that is not one of the bill's occurrences gives nothing away.
        let probe = call(&alice, Method::PUT, &format!("/api/tracker/occurrences/{theirs}/2026-03-11"), json!({})).await;
        assert_eq!(probe.0, StatusCode::NOT_FOUND);
        // Alice's pay-all and undo never reach Bob's bills or payments.
        let paid = call(&alice, Method::POST, "/api/tracker/pay-all", json!({"year": 2026, "month": 3, "bucket": 0})).await;
        assert_eq!(paid.1["paid_count"], 0);
        assert_eq!(written(&app, bob).await, (0, 0), "nothing written for Bob");
        pay(&app, bob, theirs, 90_000, day(2026, 3, 10)).await;
        let bobs_view_before = app.app.store.payment_totals(bob, day(2026, 3, 1), day(2026, 3, 31)).await.expect("totals");
        let undo = call(&alice, Method::POST, "/api/tracker/undo", json!({"undo_token": "0".repeat(32)})).await;
        assert_eq!(undo.1["undone_count"], 0);
        assert_eq!(app.app.store.payment_totals(bob, day(2026, 3, 1), day(2026, 3, 31)).await.expect("totals"), bobs_view_before);
    }

    async fn az_07_the_tracker_shows_only_the_callers_bills(app) {
        let alice = app.signed_in("alice", Role::User).await;
        let bob_browser = app.signed_in("bob", Role::User).await;
        let (a, b) = (owner(&app, "alice").await, owner(&app, "bob").await);
        bill(&app, a, "Alice's phone", 12, 3_000).await;
        let bobs = bill(&app, b, "Bob's rent", 10, 90_000).await;
        pay(&app, b, bobs, 90_000, day(2026, 3, 10)).await;
        call(&bob_browser, Method::PUT, "/api/tracker/cash", json!({"year": 2026, "month": 3, "bucket": 0, "starting_cash": "5000", "income": "0"})).await;
        let view = tracker(&alice, "year=2026&month=3").await;
        let listed: Vec<&str> = occurrences(&view).iter().filter_map(|o| o["bill_name"].as_str()).collect();
        assert_eq!(listed, ["Alice's phone"]);
        assert_eq!((amount(&view["summary"]["expected"]).1, amount(&view["summary"]["paid"]).1), (3_000, 0));
        assert!(view["buckets"][0]["starting_cash"].is_null(), "Bob's cash is his");
        assert!(view["summary"]["safe_to_spend"].is_null(), "nothing of Alice's to compute it from");
        let bobs_view = tracker(&bob_browser, "year=2026&month=3").await;
        assert_eq!(occurrences(&bobs_view).len(), 1);
    }

    async fn val_01_tracker_parameters_and_settings_refuse_bad_input_naming_them(app) {
        let browser = app.signed_in("alice", Role::User).await;
        for (query, field) in [
            ("year=0", "year"), ("year=10000", "year"), ("year=twenty", "year"), ("month=13", "month"),
            ("month=0", "month"), ("sort=drop", "sort"), ("dir=sideways", "dir"), ("user_id=x", "user_id"),
            ("month=3&month=4", "month"),
        ] {
            let response = browser.get(&format!("/api/tracker?{query}")).await;
            let answer = (response.status(), response.json::<Value>().await.unwrap_or(Value::Null));
            assert_refused(&answer, field);
        }
        let before = browser.get("/api/profile/settings").await.json::<Value>().await.expect("json");
        for (body, field) in [
            (json!({"time_zone": "Mars/Base"}), "time_zone"), (json!({"paydays": [0]}), "paydays"),
            (json!({"paydays": []}), "paydays"), (json!({"paydays": [1, 8, 15, 22, 29]}), "paydays"),
            (json!({"paydays": [15, 15]}), "paydays"), (json!({"week_start": 8}), "week_start"),
            (json!({"week_start": "1"}), "week_start"), (json!({"due_soon_days": 31}), "due_soon_days"),
            (json!({"grace_days": 61}), "grace_days"), (json!({"grace_days": -1}), "grace_days"),
            (json!({"grace_days": 1e40}), "grace_days"), (json!({"theme": "neon"}), "theme"),
            (json!({"locale": "x".repeat(36)}), "locale"), (json!({"locale": "en\u{0}US"}), "locale"),
            (json!({"currency": "XXX"}), "currency"), (json!({"currency": "usd"}), "currency"),
            (json!({"user_id": "someone"}), "user_id"), (json!({"theme": "dark", "role": "admin"}), "role"),
        ] {
            let answer = call(&browser, Method::PATCH, "/api/profile/settings", body.clone()).await;
            assert_refused(&answer, field);
        }
        let after = browser.get("/api/profile/settings").await.json::<Value>().await.expect("json");
        assert_eq!(after, before, "nothing was saved");
    }

    async fn val_01_cash_pay_all_month_state_and_payments_refuse_bad_input_naming_them(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let water = bill(&app, owner(&app, "alice").await, "Water", 10, 5_000).await;
        let state = format!("/api/tracker/occurrences/{water}/2026-03-10");
        let cash = |bucket: i64, start: &str, income: &str| json!({"year": 2026, "month": 3, "bucket": bucket, "starting_cash": start, "income": income});
        let cases = [
            (Method::PUT, "/api/tracker/cash".to_owned(), cash(2, "1", "1"), "bucket"),
            (Method::PUT, "/api/tracker/cash".to_owned(), cash(-1, "1", "1"), "bucket"),
            (Method::PUT, "/api/tracker/cash".to_owned(), cash(0, "1e3", "1"), "starting_cash"),
            (Method::PUT, "/api/tracker/cash".to_owned(), cash(0, "99999999999999999999", "1"), "starting_cash"),
            (Method::PUT, "/api/tracker/cash".to_owned(), cash(0, "1", "-5"), "income"),
            (Method::PUT, "/api/tracker/cash".to_owned(), cash(0, "1", "1.234"), "income"),
            (Method::PUT, "/api/tracker/cash".to_owned(), json!({"year": 10000, "month": 3, "bucket": 0, "starting_cash": "1", "income": "1"}), "year"),
            (Method::POST, "/api/tracker/pay-all".to_owned(), json!({"year": 2026, "month": 13, "bucket": 0}), "month"),
            (Method::POST, "/api/tracker/pay-all".to_owned(), json!({"year": 2026, "month": 3, "bucket": 9}), "bucket"),
            (Method::POST, "/api/tracker/pay-all".to_owned(), json!({"year": 2026, "month": 3, "bucket": 0, "owner": "x"}), "owner"),
            (Method::POST, "/api/tracker/undo".to_owned(), json!({"undo_token": "../../etc"}), "undo_token"),
            (Method::POST, "/api/tracker/undo".to_owned(), json!({"undo_token": 5}), "undo_token"),
            (Method::PUT, state.clone(), json!({"actual_amount": "12.345"}), "actual_amount"),
            (Method::PUT, state.clone(), json!({"actual_amount": "-1"}), "actual_amount"),
            (Method::PUT, state.clone(), json!({"note": "bell\u{7}"}), "note"),
            (Method::PUT, state.clone(), json!({"note": "x".repeat(2001)}), "note"),
            (Method::PUT, state.clone(), json!({"snoozed_until": "2026-13-01"}), "snoozed_until"),
            (Method::PUT, state.clone(), json!({"skipped": "yes"}), "skipped"),
            (Method::PUT, state.clone(), json!({"bill_id": "x"}), "bill_id"),
            (Method::POST, "/api/payments/quick".to_owned(), json!({"bill_id": water.to_string(), "due_date": "2026-02-30"}), "due_date"),
            (Method::POST, "/api/payments/quick".to_owned(), json!({"bill_id": water.to_string(), "amount": "1"}), "amount"),
            (Method::POST, format!("/api/bills/{water}/toggle-paid"), json!({"due_date": "10/03/2026"}), "due_date"),
            (Method::POST, format!("/api/bills/{water}/toggle-paid"), json!({}), "due_date"),
        ];
        for (method, path, body, field) in cases {
            let answer = call(&browser, method, &path, body).await;
            assert_refused(&answer, field);
        }
        let view = tracker(&browser, "year=2026&month=3").await;
        let water = find(&view, "Water", "2026-03-10");
        assert_eq!((water["status"].as_str(), water["note"].as_str(), amount(&water["paid"]).1), (Some("late"), Some(""), 0), "nothing was written");
        assert!(view["buckets"][0]["starting_cash"].is_null(), "nothing was saved");
    }

    async fn the_bootstrap_administrator_gets_403_on_every_tracking_route(app) {
        app.account("first", PASSWORD, Role::Admin).await;
        let first = owner(&app, "first").await;
        app.app.store.tamper_for_tests(&format!("UPDATE users SET is_bootstrap = TRUE WHERE id = '{first}'")).await;
        let mut browser = app.browser().await;
        assert_eq!(browser.login("first", PASSWORD).await.status(), StatusCode::OK);
        let water = bill(&app, first, "Water", 10, 5_000).await;
        assert_eq!(browser.get("/api/tracker").await.status(), StatusCode::FORBIDDEN);
        assert_eq!(browser.get("/api/profile/settings").await.status(), StatusCode::FORBIDDEN);
        let writes = [
            (Method::PUT, format!("/api/tracker/occurrences/{water}/2026-03-10"), json!({"skipped": true})),
            (Method::PUT, "/api/tracker/cash".to_owned(), json!({"year": 2026, "month": 3, "bucket": 0, "starting_cash": "1", "income": "1"})),
            (Method::POST, "/api/tracker/pay-all".to_owned(), json!({"year": 2026, "month": 3, "bucket": 0})),
            (Method::POST, "/api/tracker/undo".to_owned(), json!({"undo_token": "abc"})),
            (Method::POST, "/api/payments/quick".to_owned(), json!({"bill_id": water.to_string()})),
            (Method::POST, format!("/api/bills/{water}/toggle-paid"), json!({"due_date": "2026-03-10"})),
            (Method::PATCH, "/api/profile/settings".to_owned(), json!({"theme": "dark"})),
        ];
        for (method, path, body) in writes {
            let answer = call(&browser, method.clone(), &path, body).await;
            assert_eq!(answer.0, StatusCode::FORBIDDEN, "{method} {path}: {}", answer.1);
        }
        assert_eq!(written(&app, first).await, (0, 0));
        assert!(app.app.store.user_settings(first).await.expect("settings").is_none());
    }

    async fn settings_start_at_the_defaults_and_a_patch_changes_only_what_it_names(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let defaults = browser.get("/api/profile/settings").await.json::<Value>().await.expect("json");
        assert_eq!(defaults, json!({"currency": "USD", "locale": "en-US", "time_zone": "UTC", "week_start": 1, "paydays": [1, 15], "due_soon_days": 3, "grace_days": 5, "theme": "system", "bills_in_other_currencies": []}));
        let saved = call(&browser, Method::PATCH, "/api/profile/settings", json!({"currency": "EUR", "locale": "de-CH", "time_zone": "Europe/Berlin", "week_start": 7, "due_soon_days": 0, "grace_days": 60, "theme": "dark"})).await;
        assert_eq!(saved.0, StatusCode::OK, "{}", saved.1);
        let expected = json!({"currency": "EUR", "locale": "de-CH", "time_zone": "Europe/Berlin", "week_start": 7, "paydays": [1, 15], "due_soon_days": 0, "grace_days": 60, "theme": "dark", "bills_in_other_currencies": []});
        assert_eq!(saved.1, expected);
        assert_eq!(browser.get("/api/profile/settings").await.json::<Value>().await.expect("json"), expected);
        let view = tracker(&browser, "").await;
        assert_eq!(view["currency"], "EUR", "totals follow the user's currency");
        let alice = owner(&app, "alice").await;
        bill(&app, alice, "Rent", 17, 1_000).await;
        assert_eq!(status_of(&tracker(&browser, "").await, "Rent", "2026-03-17"), "upcoming", "due soon only on the day itself");
    }
}
