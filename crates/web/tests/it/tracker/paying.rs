//! Quick pay, toggle paid, pay all due in a bucket with undo, and month state.

use domain::id::BillId;
use domain::user::Role;
use reqwest::Method;
use serde_json::json;
use store::payment_queries::PaymentFilter;

use super::*;
use crate::app_tests;

/// The bill's payments, deleted ones included: (amount, paid on, cycle due, deleted).
async fn payments_of(
    app: &TestApp,
    owner: UserId,
    bill: BillId,
) -> Vec<(i64, String, String, bool)> {
    let filter = PaymentFilter {
        bill: Some(bill),
        from: None,
        to: None,
        include_deleted: true,
        limit: 100,
        offset: 0,
    };
    let mut rows: Vec<_> = app
        .app
        .store
        .payments(owner, &filter)
        .await
        .expect("payments")
        .into_iter()
        .map(|p| {
            (
                p.amount_minor,
                p.paid_on.to_string(),
                p.cycle_due.to_string(),
                p.deleted_at.is_some(),
            )
        })
        .collect();
    rows.sort();
    rows
}

async fn debt_balance(app: &TestApp, owner: UserId, bill: BillId) -> Option<i64> {
    app.app
        .store
        .bill(owner, bill)
        .await
        .expect("bill")
        .debt_balance_minor
}

app_tests! {
    @with super::spawn;

    async fn pay_all_then_undo_restores_exactly_the_previous_state(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let alice = owner(&app, "alice").await;
        let missed = bill(&app, alice, "Missed", 3, 4_000).await;
        bill(&app, alice, "Late", 10, 2_000).await;
        bill(&app, alice, "Today", 14, 1_500).await;
        let partial = bill(&app, alice, "Partial", 12, 10_000).await;
        pay(&app, alice, partial, 3_000, day(2026, 3, 12)).await;
        bill(&app, alice, "Soon", 15, 900).await;
        let skipped = bill(&app, alice, "Skipped", 5, 700).await;
        app.app.store.upsert_month_state(alice, skipped, day(2026, 3, 5), &store::month_states::MonthStateFields { skipped: true, ..Default::default() }, app.app.now()).await.expect("skip");
        let debt = create_with(&app, alice, monthly("Card", 7, 5_000), Some(100_000)).await;
        let before = tracker(&browser, "year=2026&month=3").await;

        let paid = call(&browser, Method::POST, "/api/tracker/pay-all", json!({"year": 2026, "month": 3, "bucket": 0})).await;
        assert_eq!(paid.0, StatusCode::OK, "{}", paid.1);
        assert_eq!(paid.1["paid_count"], 4, "missed, late, due today and the debt; not partial or skipped");
        let token = paid.1["undo_token"].as_str().expect("token").to_owned();
        let after = tracker(&browser, "year=2026&month=3").await;
        for (name, due) in [("Missed", "2026-03-03"), ("Late", "2026-03-10"), ("Today", "2026-03-14"), ("Card", "2026-03-07")] {
            assert_eq!(status_of(&after, name, due), "paid", "{name}");
        }
        assert_eq!(status_of(&after, "Partial", "2026-03-12"), "partial");
        assert_eq!(status_of(&after, "Soon", "2026-03-15"), "due_soon", "other buckets are left alone");
        assert_eq!(payments_of(&app, alice, missed).await, [(4_000, "2026-03-14".into(), "2026-03-03".into(), false)]);
        assert_eq!(debt_balance(&app, alice, debt).await, Some(95_000));
        let again = call(&browser, Method::POST, "/api/tracker/pay-all", json!({"year": 2026, "month": 3, "bucket": 0})).await;
        assert_eq!((again.1["paid_count"].as_i64(), again.1["undo_token"].is_null()), (Some(0), true));
        let later = call(&browser, Method::POST, "/api/tracker/pay-all", json!({"year": 2026, "month": 3, "bucket": 1})).await;
        assert_eq!(later.1["paid_count"], 0, "nothing in the second bucket is due yet");

        let undone = call(&browser, Method::POST, "/api/tracker/undo", json!({"undo_token": token})).await;
        assert_eq!((undone.0, undone.1["undone_count"].as_i64()), (StatusCode::OK, Some(4)));
        assert_eq!(tracker(&browser, "year=2026&month=3").await, before, "exactly the previous state");
        assert_eq!(debt_balance(&app, alice, debt).await, Some(100_000));
        assert_eq!(payments_of(&app, alice, partial).await, [(3_000, "2026-03-12".into(), "2026-03-12".into(), false)], "earlier payments stay");
        let twice = call(&browser, Method::POST, "/api/tracker/undo", json!({"undo_token": token})).await;
        assert_eq!(twice.1["undone_count"], 0);
    }

    async fn toggling_paid_twice_pays_and_then_unpays_the_occurrence(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let alice = owner(&app, "alice").await;
        let late = bill(&app, alice, "Water", 10, 2_000).await;
        let path = format!("/api/bills/{late}/toggle-paid");
        let on = call(&browser, Method::POST, &path, json!({"due_date": "2026-03-10"})).await;
        assert_eq!((on.0, on.1["status"].as_str()), (StatusCode::OK, Some("paid")), "{}", on.1);
        assert_eq!(amount(&on.1["paid"]).0, "20.00");
        let off = call(&browser, Method::POST, &path, json!({"due_date": "2026-03-10"})).await;
        assert_eq!((off.1["status"].as_str(), amount(&off.1["paid"]).1), (Some("late"), 0));
        assert_eq!(payments_of(&app, alice, late).await, [(2_000, "2026-03-14".into(), "2026-03-10".into(), true)], "soft-deleted, not erased");
        // A partial occurrence is paid in full, then every payment of it is removed.
        let partial = bill(&app, alice, "Power", 12, 10_000).await;
        pay(&app, alice, partial, 3_000, day(2026, 3, 12)).await;
        let path = format!("/api/bills/{partial}/toggle-paid");
        let on = call(&browser, Method::POST, &path, json!({"due_date": "2026-03-12"})).await;
        assert_eq!((on.1["status"].as_str(), amount(&on.1["paid"]).1), (Some("paid"), 10_000));
        let off = call(&browser, Method::POST, &path, json!({"due_date": "2026-03-12"})).await;
        assert_eq!((off.1["status"].as_str(), amount(&off.1["paid"]).1), (Some("late"), 0));
    }

    async fn quick_pay_records_what_the_earliest_unpaid_occurrence_still_owes_today(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let alice = owner(&app, "alice").await;
        let mut weekly = monthly("Cleaner", 1, 2_500);
        weekly.cycle = "weekly".into();
        weekly.anchor_date = day(2026, 1, 5);
        let cleaner = create(&app, alice, weekly).await;
        let first = call(&browser, Method::POST, "/api/payments/quick", json!({"bill_id": cleaner.to_string()})).await;
        assert_eq!(first.0, StatusCode::CREATED, "{}", first.1);
        assert_eq!((first.1["occurrence"]["due_date"].as_str(), first.1["paid_on"].as_str()), (Some("2026-03-02"), Some("2026-03-14")));
        assert_eq!(amount(&first.1["amount"]), ("25.00".into(), 2_500, "USD".into()));
        assert_eq!(first.1["occurrence"]["status"], "paid");
        let second = call(&browser, Method::POST, "/api/payments/quick", json!({"bill_id": cleaner.to_string()})).await;
        assert_eq!(second.1["occurrence"]["due_date"], "2026-03-09");
        // The month's actual amount is what quick pay records.
        let stated = call(&browser, Method::PUT, &format!("/api/tracker/occurrences/{cleaner}/2026-03-16"), json!({"actual_amount": "12.34"})).await;
        assert_eq!(amount(&stated.1["expected"]).1, 1_234, "{}", stated.1);
        let chosen = call(&browser, Method::POST, "/api/payments/quick", json!({"bill_id": cleaner.to_string(), "due_date": "2026-03-16"})).await;
        assert_eq!((amount(&chosen.1["amount"]).1, chosen.1["occurrence"]["status"].as_str()), (1_234, Some("paid")));
        let repeat = call(&browser, Method::POST, "/api/payments/quick", json!({"bill_id": cleaner.to_string(), "due_date": "2026-03-09"})).await;
        assert_eq!((repeat.0, repeat.1["field"].as_str()), (StatusCode::CONFLICT, Some("due_date")));
        let not_a_monday = call(&browser, Method::POST, "/api/payments/quick", json!({"bill_id": cleaner.to_string(), "due_date": "2026-03-10"})).await;
        assert_refused(&not_a_monday, "due_date");
        for _ in 0..2 {
            call(&browser, Method::POST, "/api/payments/quick", json!({"bill_id": cleaner.to_string()})).await;
        }
        let none_left = call(&browser, Method::POST, "/api/payments/quick", json!({"bill_id": cleaner.to_string()})).await;
        assert_eq!(none_left.0, StatusCode::CONFLICT, "{}", none_left.1);
        assert_eq!(payments_of(&app, alice, cleaner).await.len(), 5);
    }

    async fn month_state_changes_one_occurrence_and_never_the_bill(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let alice = owner(&app, "alice").await;
        let water = bill(&app, alice, "Water", 10, 5_000).await;
        let template = app.app.store.bill(alice, water).await.expect("bill");
        let path = format!("/api/tracker/occurrences/{water}/2026-03-10");
        let set = call(&browser, Method::PUT, &path, json!({"actual_amount": "42.50", "note": "meter reading"})).await;
        assert_eq!(set.0, StatusCode::OK, "{}", set.1);
        assert_eq!((amount(&set.1["expected"]).1, amount(&set.1["actual_amount"]).1, set.1["note"].as_str()), (4_250, 4_250, Some("meter reading")));
        let skip = call(&browser, Method::PUT, &path, json!({"skipped": true})).await;
        assert_eq!((skip.1["status"].as_str(), skip.1["note"].as_str(), amount(&skip.1["expected"]).1), (Some("skipped"), Some("meter reading"), 4_250), "absent fields are kept");
        let cleared = call(&browser, Method::PUT, &path, json!({"actual_amount": null, "skipped": false})).await;
        assert_eq!((cleared.1["status"].as_str(), amount(&cleared.1["expected"]).1, cleared.1["actual_amount"].is_null()), (Some("late"), 5_000, true));
        assert_eq!(app.app.store.bill(alice, water).await.expect("bill"), template, "the template is untouched");
        let april = tracker(&browser, "year=2026&month=4").await;
        let next = find(&april, "Water", "2026-04-10");
        assert_eq!((amount(&next["expected"]).1, next["note"].as_str()), (5_000, Some("")));
        let wrong_day = call(&browser, Method::PUT, &format!("/api/tracker/occurrences/{water}/2026-03-11"), json!({"skipped": true})).await;
        assert_refused(&wrong_day, "due_date");
        let impossible = call(&browser, Method::PUT, &format!("/api/tracker/occurrences/{water}/2026-02-30"), json!({"skipped": true})).await;
        assert_refused(&impossible, "due_date");
        let early_snooze = call(&browser, Method::PUT, &path, json!({"snoozed_until": "2026-03-09"})).await;
        assert_refused(&early_snooze, "snoozed_until");
    }
}
