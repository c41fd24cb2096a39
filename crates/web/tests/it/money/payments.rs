//! Payments: round trip, partial payments and cycle attribution, debt balances, soft delete
//! and restore. The test clock stands at 2026-03-14; bills are monthly, due on the 1st.

use reqwest::StatusCode;
use serde_json::json;

use super::{answer, bill, created, day, delete, get, patch, post, text, user};
use crate::app_tests;

app_tests! {
    async fn payments_round_trip_through_record_read_edit_and_list(app) {
        let (alice, owner) = user(&app, "alice").await;
        let rent = bill(&app, owner, "Rent", 120_000, None).await;
        let power = bill(&app, owner, "Power", 8_000, None).await;

        let paid = created(&alice, "/api/payments", json!({
            "bill_id": rent.to_string(), "amount": "1200", "paid_on": "2026-03-02",
            "cycle_due": "2026-03-01", "method": " card ", "note": "March rent", "autopay_failed": true
        })).await;
        assert_eq!(paid["amount"], "1200.00");
        assert_eq!(paid["amount_minor"], 120_000);
        assert_eq!(paid["currency"], "USD");
        assert_eq!(paid["bill_name"], "Rent");
        assert_eq!(paid["cycle_due"], "2026-03-01");
        assert_eq!(paid["method"], "card");
        assert_eq!(paid["source"], "manual");
        assert_eq!(paid["autopay_failed"], true);
        assert!(paid.get("debt_balance").is_none(), "not a debt bill: {paid}");
        let id = text(&paid, "id").to_owned();

        let (status, read) = get(&alice, &format!("/api/payments/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(read, paid);

        let (status, edited) = patch(&alice, &format!("/api/payments/{id}"), json!({
            "amount": "1150.50", "note": "corrected", "method": null, "version": paid["version"]
        })).await;
        assert_eq!(status, StatusCode::OK, "{edited}");
        assert_eq!(edited["amount"], "1150.50");
        assert_eq!(edited["note"], "corrected");
        assert_eq!(edited["method"], json!(null));
        assert_eq!(edited["paid_on"], "2026-03-02", "fields left out stay");
        let (status, stale) = patch(&alice, &format!("/api/payments/{id}"), json!({
            "amount": "1", "version": paid["version"]
        })).await;
        assert_eq!(status, StatusCode::CONFLICT, "an edit based on an old version: {stale}");
        assert_eq!(stale["field"], "version");

        // Today (2026-03-14) is the default paid date.
        let today = created(&alice, "/api/payments", json!({
            "bill_id": power.to_string(), "amount": "80.00", "source": "import"
        })).await;
        assert_eq!(today["paid_on"], "2026-03-14");
        assert_eq!(today["source"], "import");
        created(&alice, "/api/payments", json!({
            "bill_id": power.to_string(), "amount": "75", "paid_on": "2026-02-01"
        })).await;

        let (_, all) = get(&alice, "/api/payments").await;
        let dates: Vec<&str> = all["items"].as_array().unwrap().iter().map(|p| text(p, "paid_on")).collect();
        assert_eq!(dates, ["2026-03-14", "2026-03-02", "2026-02-01"], "newest first");
        let (_, only_power) = get(&alice, &format!("/api/payments?bill_id={power}")).await;
        assert_eq!(only_power["items"].as_array().unwrap().len(), 2);
        let (_, march) = get(&alice, "/api/payments?from=2026-03-01&to=2026-03-10").await;
        assert_eq!(march["items"][0]["id"], json!(id));
        assert_eq!(march["items"].as_array().unwrap().len(), 1);
        let (_, second) = get(&alice, "/api/payments?limit=1&offset=1").await;
        assert_eq!(second["items"][0]["paid_on"], "2026-03-02");
        assert_eq!((second["limit"].as_i64(), second["offset"].as_i64()), (Some(1), Some(1)));
        // A blank value is no value of the documented type: refused by name, not read as absent.
        for (query, field) in [("offset=&to=", "offset"), ("from=", "from"), ("bill_id=%20", "bill_id")] {
            let (status, refused) = get(&alice, &format!("/api/payments?{query}")).await;
            assert_eq!((status, refused["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field)), "{query}");
        }
    }

    async fn partial_payments_add_up_and_a_late_march_payment_settles_february(app) {
        let (alice, owner) = user(&app, "alice").await;
        let rent = bill(&app, owner, "Rent", 100_000, None).await;
        let pay = |amount: &str, paid_on: &str| json!({"bill_id": rent.to_string(), "amount": amount, "paid_on": paid_on});
        let january = created(&alice, "/api/payments", pay("1000", "2026-01-01")).await;
        assert_eq!(january["cycle_due"], "2026-01-01");

        // February was never paid; a payment on March 3 settles it, not March.
        let late = created(&alice, "/api/payments", pay("600", "2026-03-03")).await;
        assert_eq!(late["cycle_due"], "2026-02-01", "a late payment belongs to the cycle it settles");
        let rest = created(&alice, "/api/payments", pay("400", "2026-03-05")).await;
        assert_eq!(rest["cycle_due"], "2026-02-01", "February is still partial, so it gets the rest");
        let totals = app.app.store.payment_totals(owner, day(2026, 2, 1), day(2026, 2, 1)).await.unwrap();
        assert_eq!(totals.len(), 1);
        assert_eq!(totals[0].total_minor, 100_000, "600 + 400 add up to February's 1000");

        let march = created(&alice, "/api/payments", pay("1000", "2026-03-06")).await;
        assert_eq!(march["cycle_due"], "2026-03-01", "with February settled, March is next");

        // An explicit cycle wins over attribution.
        let explicit = created(&alice, "/api/payments", json!({
            "bill_id": rent.to_string(), "amount": "10", "paid_on": "2026-03-07", "cycle_due": "2026-01-01"
        })).await;
        assert_eq!(explicit["cycle_due"], "2026-01-01");
    }

    async fn attribution_passes_over_skipped_months_and_needs_a_cycle_near_the_payment(app) {
        let (alice, owner) = user(&app, "alice").await;
        let gym = bill(&app, owner, "Gym", 3_000, None).await;
        for month in [1, 2] {
            let skipped = store::month_states::MonthStateFields { skipped: true, ..Default::default() };
            app.app.store.upsert_month_state(owner, gym, day(2026, month, 1), &skipped, app.app.now()).await.unwrap();
        }
        let paid = created(&alice, "/api/payments", json!({"bill_id": gym.to_string(), "amount": "30", "paid_on": "2026-03-03"})).await;
        assert_eq!(paid["cycle_due"], "2026-03-01", "skipped months are not owed");

        // The bill was not active yet in 2025: nothing near that date to settle.
        let (status, body) = post(&alice, "/api/payments", json!({"bill_id": gym.to_string(), "amount": "30", "paid_on": "2025-06-01"})).await;
        assert_eq!((status, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("cycle_due")), "{body}");
        let (status, body) = post(&alice, "/api/payments", json!({"bill_id": gym.to_string(), "amount": "30", "cycle_due": "2025-12-01"})).await;
        assert_eq!((status, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("cycle_due")), "before the bill was active: {body}");
    }

    async fn a_payment_lowers_a_debt_balance_and_deleting_it_raises_it_back(app) {
        let (alice, owner) = user(&app, "alice").await;
        let card = bill(&app, owner, "Card", 20_000, Some(500_000)).await;
        let balance = || async { app.app.store.bill(owner, card).await.unwrap().debt_balance_minor };

        let paid = created(&alice, "/api/payments", json!({
            "bill_id": card.to_string(), "amount": "200", "paid_on": "2026-03-01"
        })).await;
        assert_eq!(paid["debt_balance"], "4800.00", "the answer shows the new balance");
        assert_eq!(paid["debt_balance_minor"], 480_000);
        assert_eq!(balance().await, Some(480_000));
        let id = text(&paid, "id").to_owned();

        let (_, edited) = patch(&alice, &format!("/api/payments/{id}"), json!({"amount": "250", "version": paid["version"]})).await;
        assert_eq!(edited["debt_balance"], "4750.00", "an edit moves the balance by the difference");

        assert_eq!(delete(&alice, &format!("/api/payments/{id}")).await, StatusCode::NO_CONTENT);
        assert_eq!(balance().await, Some(500_000), "deleting the payment restores the balance");
        assert_eq!(delete(&alice, &format!("/api/payments/{id}")).await, StatusCode::NO_CONTENT, "twice is fine");
        assert_eq!(balance().await, Some(500_000), "and moves nothing");

        let (status, restored) = post(&alice, &format!("/api/payments/{id}/restore"), json!({})).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(restored["debt_balance"], "4750.00");
        assert_eq!(balance().await, Some(475_000));
    }

    async fn deleted_payments_leave_the_list_and_come_back_on_restore(app) {
        let (alice, owner) = user(&app, "alice").await;
        let rent = bill(&app, owner, "Rent", 100_000, None).await;
        let paid = created(&alice, "/api/payments", json!({"bill_id": rent.to_string(), "amount": "1000", "paid_on": "2026-03-01"})).await;
        let id = text(&paid, "id").to_owned();

        assert_eq!(delete(&alice, &format!("/api/payments/{id}")).await, StatusCode::NO_CONTENT);
        let (_, live) = get(&alice, "/api/payments").await;
        assert_eq!(live["items"], json!([]), "a deleted payment leaves the list");
        let (_, with_deleted) = get(&alice, "/api/payments?include_deleted=true").await;
        assert!(with_deleted["items"][0]["deleted_at"].is_string());
        let (status, _) = get(&alice, &format!("/api/payments/{id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "like the list, the plain read hides it (issue 12)");
        let (status, read) = get(&alice, &format!("/api/payments/{id}?include_deleted=true")).await;
        assert_eq!(status, StatusCode::OK, "readable by id when deleted ones are asked for");
        assert!(read["deleted_at"].is_string());
        let totals = app.app.store.payment_totals(owner, day(2026, 3, 1), day(2026, 3, 1)).await.unwrap();
        assert!(totals.is_empty(), "a deleted payment pays nothing");
        let (status, _) = patch(&alice, &format!("/api/payments/{id}"), json!({"note": "x", "version": read["version"]})).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "a deleted payment cannot be edited");

        let (status, restored) = post(&alice, &format!("/api/payments/{id}/restore"), json!({})).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(restored["deleted_at"], json!(null));
        let (_, live) = get(&alice, "/api/payments").await;
        assert_eq!(live["items"][0]["id"], json!(id));
        let (status, _) = post(&alice, &format!("/api/payments/{id}/restore"), json!({})).await;
        assert_eq!(status, StatusCode::OK, "restoring twice is fine");
    }

    async fn a_payment_for_a_deleted_bill_or_an_unknown_id_is_not_found(app) {
        let (alice, owner) = user(&app, "alice").await;
        let rent = bill(&app, owner, "Rent", 100_000, None).await;
        app.app.store.soft_delete_bill(owner, rent, app.app.now()).await.unwrap();
        let (status, _) = post(&alice, "/api/payments", json!({"bill_id": rent.to_string(), "amount": "1"})).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        for path in ["/api/payments/not-a-uuid", "/api/payments/0190a5b2-0000-7000-8000-000000000000"] {
            assert_eq!(answer(alice.get(path).await).await.0, StatusCode::NOT_FOUND, "{path}");
        }
    }
}
