//! Demo data: loaded into the caller's own account, cleared again, never for the bootstrap
//! administrator. (Its rate limit is tested with the others in `rate_limits.rs`.)

use domain::user::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::app_tests;

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

    async fn auth_09_the_bootstrap_admin_cannot_load_demo_data(app) {
        let row = app.account("first", crate::support::PASSWORD, Role::Admin).await;
        app.app.store.tamper_for_tests(&format!("UPDATE users SET is_bootstrap = TRUE WHERE id = '{}'", row.id)).await;
        let mut admin = app.browser().await;
        admin.login("first", crate::support::PASSWORD).await;
        assert_eq!(admin.post("/api/demo/load", json!({})).await.status(), StatusCode::FORBIDDEN);
        assert!(!app.app.store.has_demo(row.id).await.expect("read"));
    }
}
