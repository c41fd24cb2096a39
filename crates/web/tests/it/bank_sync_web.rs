//! Bank sync over HTTP and on its page, against the local SimpleFIN Bridge, on both engines:
//! connecting answers 201 and no answer or page ever holds the access URL or its credentials;
//! choosing an account (stale version 409, another user's bank account 404), sync now with
//! its report, rename, backfill limits, disconnect; another user's connection and account
//! ids are 404 on every route; unknown fields are 422 naming the field; the page works
//! without JavaScript (form posts → 303 → the notice and the account); bank sync off is 409.

use domain::user::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use testkit::simplefin_bridge::{Bridge, BridgeConnection};

use crate::app_tests;
use crate::bank_sync::bank;
use crate::pages_support::{page, submit};
use crate::support::{Browser, TestApp};

/// Fails unless `body` holds nothing of `c`'s access URL.
fn no_secret(c: &BridgeConnection, what: &str, body: &str) {
    let (user, password) = c.credentials();
    for secret in [
        c.access_url(),
        password.clone(),
        format!("{user}:{password}"),
    ] {
        assert!(!body.contains(&secret), "{what} shows the access URL");
    }
    assert!(!body.contains("access_url"), "{what} names the access URL");
}

/// Every GET that shows bank sync, each checked for the access URL.
async fn no_secret_anywhere(c: &BridgeConnection, browser: &Browser, connection: &str) {
    for path in [
        "/api/sync/connections".to_owned(),
        format!("/api/sync/connections/{connection}"),
        "/bank-sync".to_owned(),
        "/transactions".to_owned(),
        "/api/bank-accounts".to_owned(),
        "/api/transactions".to_owned(),
    ] {
        let body = browser.get(&path).await.text().await.expect("body");
        no_secret(c, &path, &body);
    }
}

async fn answer(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// `browser` connects `c`; the connection as answered.
async fn connect(browser: &Browser, c: &BridgeConnection) -> Value {
    let response = browser
        .post(
            "/api/sync/connections",
            json!({"setup_token": c.setup_token(), "label": "My bank"}),
        )
        .await;
    let status = response.status();
    let body = response.text().await.expect("body");
    no_secret(c, "POST /api/sync/connections", &body);
    assert_eq!(status, StatusCode::CREATED, "{body}");
    serde_json::from_str(&body).expect("json")
}

fn account<'a>(connection: &'a Value, name: &str) -> &'a Value {
    connection["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .find(|a| a["name"] == name)
        .expect("account")
}

async fn patch(browser: &Browser, path: &str, body: Value) -> (StatusCode, Value) {
    answer(browser.send(Method::PATCH, path, Some(body)).await).await
}

async fn signed_in(app: &TestApp, name: &str) -> Browser {
    app.signed_in(name, Role::User).await
}

app_tests! {
    @with crate::bank_sync::spawn_sync;

    async fn connect_choose_sync_rename_and_disconnect_over_the_api_never_showing_the_access_url(app) {
        let bridge = Bridge::start().await;
        let c = bank(&bridge);
        let alice = signed_in(&app, "alice").await;
        let made = connect(&alice, &c).await;
        let id = made["id"].as_str().expect("id").to_owned();
        assert_eq!((made["label"].as_str(), made["health"].as_str()), (Some("My bank"), Some("ok")), "{made}");
        let checking = account(&made, "Checking").clone();
        assert_eq!((checking["balance"].as_str(), checking["currency"].as_str(), checking["monitored"].as_bool()), (Some("1000.00"), Some("USD"), Some(false)), "{checking}");
        assert!(checking["balance_gap"].is_null());

        let (status, listed) = answer(alice.get("/api/sync/connections").await).await;
        assert_eq!((status, listed.as_array().map(Vec::len)), (StatusCode::OK, Some(1)), "{listed}");

        let path = format!("/api/sync/accounts/{}", checking["id"].as_str().expect("id"));
        let version = checking["version"].as_i64().expect("version");
        let (status, chosen) = patch(&alice, &path, json!({"monitored": true, "bank_account_id": "new", "version": version})).await;
        assert_eq!(status, StatusCode::OK, "{chosen}");
        assert!(chosen["bank_account_id"].is_string() && chosen["monitored"] == true, "{chosen}");
        let (status, stale) = patch(&alice, &path, json!({"monitored": false, "bank_account_id": null, "version": version})).await;
        assert_eq!((status, stale["field"].as_str()), (StatusCode::CONFLICT, Some("version")), "{stale}");
        let accounts: Value = alice.get("/api/bank-accounts").await.json().await.expect("json");
        assert_eq!(accounts.as_array().map(Vec::len), Some(1), "a stale edit made no bank account: {accounts}");

        let (status, report) = answer(alice.post(&format!("/api/sync/connections/{id}/sync"), json!({})).await).await;
        assert_eq!(status, StatusCode::OK, "{report}");
        assert_eq!((report["new"].as_u64(), report["error"].is_null()), (Some(4), true), "{report}");
        let transactions: Value = alice.get("/api/transactions").await.json().await.expect("json");
        assert_eq!(transactions["total"], 4, "{transactions}");
        let (_, shown) = answer(alice.get(&format!("/api/sync/connections/{id}")).await).await;
        assert_eq!(shown["last_sync"]["new"], 4, "what changed is shown: {shown}");
        let page = alice.get("/bank-sync").await.text().await.expect("html");
        assert!(page.contains("Last sync: 4 new"), "{page}");

        let (status, renamed) = patch(&alice, &format!("/api/sync/connections/{id}"), json!({"label": "Everyday"})).await;
        assert_eq!((status, renamed["label"].as_str()), (StatusCode::OK, Some("Everyday")), "{renamed}");
        let (status, blank) = patch(&alice, &format!("/api/sync/connections/{id}"), json!({"label": "  "})).await;
        assert_eq!((status, blank["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("label")), "{blank}");
        let (status, far) = answer(alice.post(&format!("/api/sync/connections/{id}/backfill"), json!({"days": 400})).await).await;
        assert_eq!((status, far["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("days")), "{far}");

        no_secret_anywhere(&c, &alice, &id).await;
        let gone = alice.send(Method::DELETE, &format!("/api/sync/connections/{id}"), None).await;
        assert_eq!(gone.status(), StatusCode::NO_CONTENT);
        assert_eq!(alice.get(&format!("/api/sync/connections/{id}")).await.status(), StatusCode::NOT_FOUND);
        let transactions: Value = alice.get("/api/transactions").await.json().await.expect("json");
        assert_eq!(transactions["total"], 4, "synced transactions stay");
    }

    async fn another_users_connection_and_account_ids_are_404_on_every_route(app) {
        let bridge = Bridge::start().await;
        let c = bank(&bridge);
        let alice = signed_in(&app, "alice").await;
        let mallory = signed_in(&app, "mallory").await;
        let made = connect(&alice, &c).await;
        let id = made["id"].as_str().expect("id").to_owned();
        let savings = account(&made, "Savings").clone();
        let account_id = savings["id"].as_str().expect("id").to_owned();
        let version = savings["version"].as_i64().expect("version");
        let calls = [
            (Method::GET, format!("/api/sync/connections/{id}"), None),
            (Method::PATCH, format!("/api/sync/connections/{id}"), Some(json!({"label": "Mine"}))),
            (Method::DELETE, format!("/api/sync/connections/{id}"), None),
            (Method::POST, format!("/api/sync/connections/{id}/sync"), Some(json!({}))),
            (Method::POST, format!("/api/sync/connections/{id}/backfill"), Some(json!({"days": 30}))),
            (Method::PATCH, format!("/api/sync/accounts/{account_id}"), Some(json!({"monitored": false, "version": version}))),
        ];
        for (method, path, body) in calls {
            let status = mallory.send(method.clone(), &path, body).await.status();
            assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}");
        }
        for (path, fields) in [
            (format!("/bank-sync/{id}/sync"), vec![]),
            (format!("/bank-sync/{id}/backfill"), vec![("days", "90")]),
            (format!("/bank-sync/{id}/disconnect"), vec![("confirm", "true")]),
            (format!("/bank-sync/accounts/{account_id}"), vec![("version", "1")]),
        ] {
            let (status, _, _) = submit(&mallory, &path, &fields).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "POST {path}");
        }
        let mine: Value = mallory.get("/api/sync/connections").await.json().await.expect("json");
        assert_eq!(mine, json!([]));
        // Alice cannot point her account at Mallory's bank account.
        let (status, theirs) = answer(mallory.post("/api/bank-accounts", json!({"name": "Theirs", "currency": "USD"})).await).await;
        assert_eq!(status, StatusCode::CREATED, "{theirs}");
        let (status, refused) = patch(&alice, &format!("/api/sync/accounts/{account_id}"), json!({"monitored": true, "bank_account_id": theirs["id"], "version": version})).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{refused}");
        assert_eq!(alice.get(&format!("/api/sync/connections/{id}")).await.status(), StatusCode::OK, "still there");
    }

    async fn unknown_and_wrong_fields_are_422_naming_the_field(app) {
        let bridge = Bridge::start().await;
        let c = bank(&bridge);
        let alice = signed_in(&app, "alice").await;
        let made = connect(&alice, &c).await;
        let id = made["id"].as_str().expect("id").to_owned();
        let checking = account(&made, "Checking");
        let path = format!("/api/sync/accounts/{}", checking["id"].as_str().expect("id"));
        for (method, target, body, field) in [
            (Method::POST, "/api/sync/connections".to_owned(), json!({"setup_token": "x", "access_url": "https://u:p@evil.test"}), "access_url"),
            (Method::POST, "/api/sync/connections".to_owned(), json!({"setup_token": "https://bridge.example/claim"}), "setup_token"),
            (Method::PATCH, format!("/api/sync/connections/{id}"), json!({"label": "x", "host": "evil.test"}), "host"),
            (Method::POST, format!("/api/sync/connections/{id}/backfill"), json!({"days": 30, "start": 0}), "start"),
            (Method::POST, format!("/api/sync/connections/{id}/backfill"), json!({"days": "many"}), "days"),
            (Method::PATCH, path.clone(), json!({"monitored": true, "version": 1, "user_id": "x"}), "user_id"),
            (Method::PATCH, path.clone(), json!({"monitored": true, "bank_account_id": "nope", "version": 1}), "bank_account_id"),
            (Method::PATCH, path.clone(), json!({"monitored": true, "bank_account_id": null, "version": checking["version"]}), "bank_account"),
        ] {
            let (status, problem) = answer(alice.send(method.clone(), &target, Some(body)).await).await;
            assert_eq!((status, problem["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field)), "{method} {target}: {problem}");
        }
    }

    async fn the_page_connects_chooses_syncs_and_disconnects_without_javascript(app) {
        let bridge = Bridge::start().await;
        let c = bank(&bridge);
        let alice = signed_in(&app, "alice").await;
        let empty = page(&alice, "/bank-sync").await;
        assert!(empty.contains("name=\"setup_token\"") && empty.contains("No connections yet."), "{empty}");

        let (status, _, refused) = submit(&alice, "/bank-sync", &[("setup_token", "https://bridge.example/claim"), ("label", "Typed name")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.contains("id=\"setup_token-error\"") && refused.contains("is a web address") && refused.contains("Typed name"), "{refused}");

        let token = c.setup_token();
        let (status, location, _) = submit(&alice, "/bank-sync", &[("setup_token", &token), ("label", "")]).await;
        assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/bank-sync?notice=connected"));
        let shown = page(&alice, &location).await;
        assert!(shown.contains("Connected.") && shown.contains("Checking") && shown.contains("Savings"), "{shown}");
        assert!(shown.contains("OK, not synced yet") && shown.contains("$1,000.00"), "{shown}");
        no_secret(&c, "the page", &shown);

        let view: Value = alice.get("/api/sync/connections").await.json().await.expect("json");
        let connection = view[0]["id"].as_str().expect("id").to_owned();
        let checking = account(&view[0], "Checking").clone();
        let id = checking["id"].as_str().expect("id");
        let version = checking["version"].to_string();
        let (status, location, _) = submit(&alice, &format!("/bank-sync/accounts/{id}"), &[("monitored", "true"), ("bank_account_id", "new"), ("version", &version)]).await;
        assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/bank-sync?notice=account_saved"));
        let (status, location, _) = submit(&alice, &format!("/bank-sync/accounts/{id}"), &[("monitored", "true"), ("bank_account_id", "new"), ("version", &version)]).await;
        assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/bank-sync?error=conflict"), "a stale form");

        let (status, location, _) = submit(&alice, &format!("/bank-sync/{connection}/sync"), &[]).await;
        assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/bank-sync?notice=synced"));
        let synced = page(&alice, &location).await;
        assert!(synced.contains("Synced.") && synced.contains("OK, last synced"), "{synced}");
        assert!(synced.contains(" selected>Checking</option>"), "the new bank account is chosen: {synced}");
        no_secret(&c, "the page after a sync", &synced);
        let listed = page(&alice, "/transactions").await;
        assert!(listed.contains("Power Co"), "synced rows are listed");

        let (status, location, _) = submit(&alice, &format!("/bank-sync/{connection}/disconnect"), &[]).await;
        assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/bank-sync?error=unconfirmed"));
        assert!(page(&alice, &location).await.contains("Tick the box"));
        let (status, location, _) = submit(&alice, &format!("/bank-sync/{connection}/disconnect"), &[("confirm", "true")]).await;
        assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/bank-sync?notice=disconnected"));
        let after = page(&alice, &location).await;
        assert!(after.contains("Disconnected.") && after.contains("No connections yet."), "{after}");
    }
}

app_tests! {
    async fn bank_sync_off_answers_409_and_the_page_says_so(app) {
        let alice = signed_in(&app, "alice").await;
        let (status, problem) = answer(alice.post("/api/sync/connections", json!({"setup_token": "aHR0cHM6Ly9icmlkZ2UuZXhhbXBsZS9jbGFpbS94"})).await).await;
        assert_eq!((status, problem["field"].as_str()), (StatusCode::CONFLICT, Some("bank_sync")), "{problem}");
        let shown = page(&alice, "/bank-sync").await;
        assert!(shown.contains("switched off") && !shown.contains("name=\"setup_token\""), "{shown}");
        let (status, location, _) = submit(&alice, "/bank-sync", &[("setup_token", "aHR0cHM6Ly9icmlkZ2UuZXhhbXBsZS9jbGFpbS94")]).await;
        assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/bank-sync?error=conflict"));
    }
}
