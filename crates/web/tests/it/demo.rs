//! Demo data: loaded into the caller's own account, cleared again (only the generated rows, never
//! the person's own records however they are named), never for the bootstrap administrator.
//! (Its rate limit is tested with the others in `rate_limits.rs`.)

use domain::user::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::app_tests;
use crate::bills::{call, get, new_bill};
use crate::money::created;

/// How many bills, categories, expenses and payments `browser`'s account has.
async fn counts(browser: &crate::support::Browser) -> [usize; 4] {
    let mut counts = [0; 4];
    for (i, path) in [
        "/api/bills",
        "/api/categories",
        "/api/expenses?limit=500",
        "/api/payments?limit=500",
    ]
    .iter()
    .enumerate()
    {
        let (status, list) = get(browser, path).await;
        assert_eq!(status, StatusCode::OK, "{path}: {list}");
        let items = list
            .as_array()
            .or_else(|| list["items"].as_array())
            .unwrap_or_else(|| panic!("{path}: {list}"));
        counts[i] = items.len();
    }
    counts
}

app_tests! {
    async fn demo_data_loads_into_the_callers_account_and_clears_again(app) {
        let alice = app.signed_in("alice", Role::User).await;
        let bob = app.signed_in("bob", Role::User).await;
        let loaded = alice.post("/api/demo/load", json!({})).await;
        assert_eq!(loaded.status(), StatusCode::CREATED);
        let counts: Value = loaded.json().await.expect("json");
        assert!(counts["bills"].as_u64().is_some_and(|n| n >= 10), "{counts}");
        assert!(counts["payments"].as_u64().is_some_and(|n| n > 100), "{counts}");
        let alice_id = app.app.store.user_by_username("alice").await.expect("read").expect("alice").id;
        let bob_id = app.app.store.user_by_username("bob").await.expect("read").expect("bob").id;
        assert!(app.app.store.has_demo(alice_id).await.expect("read"));
        assert!(!app.app.store.has_demo(bob_id).await.expect("read"), "bob's account is untouched");

        let again = alice.post("/api/demo/load", json!({})).await;
        assert_eq!(again.status(), StatusCode::CONFLICT);

        let cleared = alice.post("/api/demo/clear", json!({})).await;
        assert_eq!(cleared.status(), StatusCode::OK);
        let body: Value = cleared.json().await.expect("json");
        assert_eq!(body["bills"].as_u64(), counts["bills"].as_u64());
        assert!(!app.app.store.has_demo(alice_id).await.expect("read"));
        app.clock.advance(chrono::Duration::minutes(16)); // the three-per-window limit is per IP
        assert_eq!(bob.post("/api/demo/clear", json!({})).await.status(), StatusCode::OK, "clearing nothing is fine");
    }

    async fn demo_clear_keeps_real_records_named_like_demo_ones(app) {
        let alice = app.signed_in("alice", Role::User).await;
        // Alice's own records, named exactly like generated ones: a category "Demo · Housing",
        // a bill in it noted "Demo data" with two payments, and an expense noted "Demo data".
        let (status, category) = call(&alice, reqwest::Method::POST, "/api/categories", Some(json!({"name": "Demo · Housing", "color": "#2563eb", "icon": "tag", "is_spending": true}))).await;
        assert_eq!(status, StatusCode::CREATED, "{category}");
        let bill = new_bill(&alice, json!({
            "name": "Rent", "expected_amount": "900", "notes": "Demo data", "category_id": category["id"],
            "cycle": "monthly", "due_day": 1, "anchor_date": "2026-01-01",
        })).await;
        for (amount, paid_on) in [("400", "2026-03-02"), ("500", "2026-03-05")] {
            created(&alice, "/api/payments", json!({"bill_id": bill["id"], "amount": amount, "paid_on": paid_on, "cycle_due": "2026-03-01", "note": "Demo data"})).await;
        }
        created(&alice, "/api/expenses", json!({"amount": "12.50", "spent_on": "2026-03-01", "payee": "Grocer", "note": "Demo data", "category_id": category["id"]})).await;
        let own = counts(&alice).await;
        assert_eq!(own, [1, 1, 1, 2]);

        // A bill noted "Demo data" does not count as demo data already loaded.
        let loaded = alice.post("/api/demo/load", json!({})).await;
        assert_eq!(loaded.status(), StatusCode::CREATED);
        let generated: Value = loaded.json().await.expect("json");
        assert!(counts(&alice).await[0] > 1, "the generated bills are there");

        let cleared = alice.post("/api/demo/clear", json!({})).await;
        assert_eq!(cleared.status(), StatusCode::OK);
        let body: Value = cleared.json().await.expect("json");
        assert_eq!(body["bills"], generated["bills"], "only the generated bills went");
        assert_eq!(counts(&alice).await, own, "every generated row is gone and all of alice's own rows stayed");
        let (status, kept) = get(&alice, &format!("/api/bills/{}", bill["id"].as_str().expect("id"))).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!((kept["notes"].as_str(), kept["category_id"].as_str()), (Some("Demo data"), category["id"].as_str()));
    }

    async fn rel_09_the_marker_migration_marks_old_demo_data_and_nothing_else(app) {
        let alice = app.signed_in("alice", Role::User).await;
        let loaded = alice.post("/api/demo/load", json!({})).await;
        assert_eq!(loaded.status(), StatusCode::CREATED);
        // As before the marker: nothing marked, generated rows known only by label.
        for table in ["categories", "bills", "payments", "expenses"] {
            app.app.store.tamper_for_tests(&format!("UPDATE {table} SET is_demo = FALSE")).await;
        }
        app.clock.advance(chrono::Duration::minutes(1));
        let own = new_bill(&alice, json!({"name": "Rent", "expected_amount": "900", "notes": "Demo data"})).await;
        created(&alice, "/api/expenses", json!({"amount": "12.50", "spent_on": "2026-03-01", "payee": "Grocer", "note": "Demo data"})).await;
        let (status, category) = call(&alice, reqwest::Method::POST, "/api/categories", Some(json!({"name": "Demo · Mine", "color": "#2563eb", "icon": "tag", "is_spending": true}))).await;
        assert_eq!(status, StatusCode::CREATED, "{category}");

        // The migration's own statements, as they ran on upgrade.
        let migration = match app.app.store.engine() {
            store::Engine::Sqlite => include_str!("../../../store/migrations/sqlite/0010_demo_marker.sql"),
            store::Engine::Postgres => include_str!("../../../store/migrations/postgres/0010_demo_marker.sql"),
        };
        let code: String = migration.lines().filter(|l| !l.trim_start().starts_with("--")).collect::<Vec<_>>().join("\n");
        let updates: Vec<&str> = code.split(';').map(str::trim).filter(|s| s.starts_with("UPDATE")).collect();
        assert_eq!(updates.len(), 4);
        for update in updates {
            app.app.store.tamper_for_tests(update).await;
        }

        let cleared = alice.post("/api/demo/clear", json!({})).await;
        assert_eq!(cleared.status(), StatusCode::OK);
        assert_eq!(counts(&alice).await, [1, 1, 1, 0], "only alice's own rows are left");
        let (status, _) = get(&alice, &format!("/api/bills/{}", own["id"].as_str().expect("id"))).await;
        assert_eq!(status, StatusCode::OK);
    }

    async fn auth_09_the_bootstrap_admin_cannot_load_demo_data(app) {
        let row = app.account("first", crate::support::PASSWORD, Role::Admin).await;
        app.app.store.tamper_for_tests(&format!("UPDATE users SET is_bootstrap = TRUE WHERE id = '{}'", row.id)).await;
        let mut admin = app.browser().await;
        admin.login("first", crate::support::PASSWORD).await;
        assert_eq!(admin.post("/api/demo/load", json!({})).await.status(), StatusCode::FORBIDDEN);
        assert!(!app.app.store.has_demo(row.id).await.expect("read"));
    }
}
