//! Buckets, totals, safe-to-spend and sort orders.

use domain::user::Role;
use reqwest::Method;
use serde_json::json;

use super::*;
use crate::app_tests;

fn spans(view: &Value) -> Vec<(i64, String, String)> {
    view["buckets"]
        .as_array()
        .expect("buckets")
        .iter()
        .map(|b| {
            (
                b["index"].as_i64().expect("index"),
                b["start"].as_str().expect("start").to_owned(),
                b["end"].as_str().expect("end").to_owned(),
            )
        })
        .collect()
}

fn names(view: &Value) -> Vec<String> {
    occurrences(view)
        .iter()
        .map(|o| {
            format!(
                "{} {}",
                o["bill_name"].as_str().expect("name"),
                o["status"].as_str().expect("status")
            )
        })
        .collect()
}

app_tests! {
    @with super::spawn;

    async fn buckets_split_on_the_15th_by_default_and_follow_custom_paydays(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let alice = owner(&app, "alice").await;
        bill(&app, alice, "Phone", 12, 4_000).await;
        let view = tracker(&browser, "year=2026&month=2").await;
        assert_eq!(spans(&view), [(0, "2026-02-01".into(), "2026-02-14".into()), (1, "2026-02-15".into(), "2026-02-28".into())]);
        assert_eq!(find(&view, "Phone", "2026-02-12")["bucket"], 0);
        let saved = call(&browser, Method::PATCH, "/api/profile/settings", json!({"paydays": [25, 10, 1]})).await;
        assert_eq!(saved.1["paydays"], json!([1, 10, 25]), "{}", saved.1);
        let view = tracker(&browser, "year=2026&month=2").await;
        assert_eq!(spans(&view), [
            (0, "2026-02-01".into(), "2026-02-09".into()),
            (1, "2026-02-10".into(), "2026-02-24".into()),
            (2, "2026-02-25".into(), "2026-02-28".into()),
        ]);
        assert_eq!(find(&view, "Phone", "2026-02-12")["bucket"], 1);
        assert_eq!(view["buckets"][1]["occurrences"].as_array().map(Vec::len), Some(1));
    }

    async fn the_summary_adds_up_and_safe_to_spend_subtracts_unpaid_bills_before_the_next_payday(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let alice = owner(&app, "alice").await;
        let paid = bill(&app, alice, "Paid", 5, 10_000).await;
        pay(&app, alice, paid, 10_000, day(2026, 3, 5)).await;
        bill(&app, alice, "Late", 10, 20_000).await;
        bill(&app, alice, "Today", 14, 5_000).await;
        bill(&app, alice, "Later", 20, 30_000).await;
        let skipped = bill(&app, alice, "Skipped", 15, 7_000).await;
        let mut euro = monthly("Euro", 20, 99_900);
        euro.currency = "EUR".into();
        create(&app, alice, euro).await;
        let (status, _) = call(&browser, Method::PUT, &format!("/api/tracker/occurrences/{skipped}/2026-03-15"), json!({"skipped": true})).await;
        assert_eq!(status, StatusCode::OK);
        let cash = call(&browser, Method::PUT, "/api/tracker/cash", json!({"year": 2026, "month": 3, "bucket": 0, "starting_cash": "1000.00", "income": "500"})).await;
        assert_eq!(cash.0, StatusCode::OK, "{}", cash.1);
        assert_eq!(amount(&cash.1["income"]), ("500.00".into(), 50_000, "USD".into()));

        let view = tracker(&browser, "year=2026&month=3").await;
        let summary = &view["summary"];
        assert_eq!(amount(&summary["expected"]).1, 65_000, "skipped and EUR bills are not added");
        assert_eq!(amount(&summary["paid"]).1, 10_000);
        assert_eq!(amount(&summary["remaining"]).1, 55_000);
        assert_eq!(summary["overdue_count"], 1);
        // 1000 + 500 − (200 late + 50 due today) before the next payday (the 15th).
        assert_eq!(amount(&summary["safe_to_spend"]), ("1250.00".into(), 125_000, "USD".into()));
        assert_eq!(summary["safe_to_spend_bucket"], 0);
        assert_eq!(summary["safe_to_spend_due_by"], "2026-03-14");
        let first = &view["buckets"][0];
        assert_eq!((amount(&first["starting_cash"]).1, amount(&first["income"]).1), (100_000, 50_000));
        assert_eq!((amount(&first["expected"]).1, amount(&first["paid"]).1, amount(&first["remaining"]).1), (35_000, 10_000, 25_000));
        let second = &view["buckets"][1];
        assert_eq!((amount(&second["expected"]).1, amount(&second["remaining"]).1), (30_000, 30_000));
        assert!(second["starting_cash"].is_null() && second["income"].is_null(), "not given: {second}");
        assert_eq!(amount(&find(&view, "Euro", "2026-03-20")["expected"]), ("999.00".into(), 99_900, "EUR".into()), "listed in its own currency");

        // After the 15th the second bucket is current, and it has no cash or income saved:
        // there is nothing to compute safe-to-spend from, so it is unknown, not −550.
        set_clock(&app, 2026, 3, 16, 9);
        let view = tracker(&browser, "year=2026&month=3").await;
        assert_eq!(view["summary"]["safe_to_spend_bucket"], 1);
        assert!(view["summary"]["safe_to_spend"].is_null(), "{}", view["summary"]);
        // With starting cash of its own, only its unpaid bill (and the earlier late ones) count.
        let zero = call(&browser, Method::PUT, "/api/tracker/cash", json!({"year": 2026, "month": 3, "bucket": 1, "starting_cash": "0"})).await;
        assert_eq!(zero.0, StatusCode::OK, "{}", zero.1);
        assert!(zero.1["income"].is_null(), "{}", zero.1);
        let view = tracker(&browser, "year=2026&month=3").await;
        assert_eq!(amount(&view["summary"]["safe_to_spend"]).1, -55_000);
        assert_eq!(view["summary"]["safe_to_spend_due_by"], "2026-03-31");

        // A total beyond i64 is refused naming it, never wrapped.
        let huge = call(&browser, Method::PUT, "/api/tracker/cash", json!({"year": 2026, "month": 3, "bucket": 1, "starting_cash": "92233720368547758.07", "income": "1"})).await;
        assert_eq!(huge.0, StatusCode::OK, "{}", huge.1);
        let (status, body) = call_get(&browser, "/api/tracker?year=2026&month=3").await;
        assert_refused(&(status, body), "safe_to_spend");
    }

    async fn pin_due_puts_missed_then_late_then_due_soon_then_upcoming_first(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let alice = owner(&app, "alice").await;
        let paid = bill(&app, alice, "Alpha", 2, 1_000).await;
        pay(&app, alice, paid, 1_000, day(2026, 3, 2)).await;
        bill(&app, alice, "Bravo", 25, 9_000).await;
        bill(&app, alice, "Charlie", 16, 2_000).await;
        bill(&app, alice, "Delta", 11, 3_000).await;
        bill(&app, alice, "Echo", 3, 4_000).await;
        bill(&app, alice, "Foxtrot", 14, 500).await;
        // One bucket for the whole month, so the order is visible in one list.
        call(&browser, Method::PATCH, "/api/profile/settings", json!({"paydays": [1]})).await;
        let pinned = tracker(&browser, "sort=pin_due").await;
        assert_eq!(names(&pinned), ["Echo missed", "Delta late", "Foxtrot due_soon", "Charlie due_soon", "Bravo upcoming", "Alpha paid"]);
        assert_eq!((pinned["sort"].as_str(), pinned["dir"].as_str()), (Some("pin_due"), Some("asc")));
        let by_due = tracker(&browser, "").await;
        assert_eq!(names(&by_due)[0], "Alpha paid");
        let by_name = tracker(&browser, "sort=name&dir=desc").await;
        assert_eq!(names(&by_name)[0], "Foxtrot due_soon");
        let by_amount = tracker(&browser, "sort=amount&dir=desc").await;
        assert_eq!(names(&by_amount)[0], "Bravo upcoming");
        let by_status = tracker(&browser, "sort=status").await;
        assert_eq!(names(&by_status).last().map(String::as_str), Some("Alpha paid"));
    }
}
