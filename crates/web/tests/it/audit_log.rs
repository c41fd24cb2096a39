//! The audit log under attack (LOG-01), on both engines: a flood of anonymous failed sign-ins
//! from many addresses adds a bounded number of rows (the rest are counted in the next row),
//! and the administrators' view checks the hash chain from a sealed checkpoint, so its cost
//! does not grow with the whole log, yet a row changed after the checkpoint, and a changed
//! checkpoint, are still reported.

use chrono::Duration;
use domain::user::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use store::audit::ChainCheck;
use tokio::task::JoinSet;

use crate::app_tests;
use crate::support::{Browser, TestApp};

const CHECKPOINT: &str = "audit.checkpoint";

/// The anonymous `login.failure` rows, oldest first.
async fn anonymous_failures(app: &TestApp) -> Vec<Value> {
    let mut rows: Vec<_> = app
        .app
        .store
        .audit_entries(&service::audit::AuditFilter {
            action: Some("login.failure".into()),
            actor_name: Some("anonymous".into()),
            limit: 500,
            ..Default::default()
        })
        .await
        .expect("audit")
        .into_iter()
        .map(|e| serde_json::from_str::<Value>(&e.detail).expect("detail"))
        .collect();
    rows.reverse();
    rows
}

/// `count` failed password sign-ins for names that do not exist, each from its own address
/// (`10.<round>.x.y` through the trusted proxy), eight at a time.
async fn failed_sign_ins(browser: &Browser, round: u8, count: u16) {
    let mut tasks = JoinSet::new();
    for i in 0..count {
        let client = browser.client.clone();
        let url = browser.url("/api/auth/login");
        let csrf = browser.csrf.clone();
        let [hi, lo] = i.to_be_bytes();
        tasks.spawn(async move {
            client
                .post(url)
                .header("x-csrf-token", csrf)
                .header("x-forwarded-for", format!("10.{round}.{hi}.{lo}"))
                .json(&json!({"username": format!("nobody-{round}-{i}"), "password": "not the password"}))
                .send()
                .await
                .expect("login")
                .status()
        });
        if tasks.len() >= 8 {
            let status = tasks.join_next().await.expect("task").expect("join");
            assert_eq!(status, StatusCode::UNAUTHORIZED);
        }
    }
    while let Some(status) = tasks.join_next().await {
        assert_eq!(status.expect("join"), StatusCode::UNAUTHORIZED);
    }
}

/// `count` refused sign-in callbacks (an unknown `state`), each from its own address.
async fn refused_callbacks(browser: &Browser, round: u8, count: u16) {
    for i in 0..count {
        let [hi, lo] = i.to_be_bytes();
        let response = browser
            .client
            .get(browser.url(&format!(
                "/api/auth/github/callback?state=forged-{i}&code=x"
            )))
            .header("x-forwarded-for", format!("10.{}.{hi}.{lo}", round + 100))
            .send()
            .await
            .expect("callback");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    }
}

/// One run of the periodic cleanup job, which moves the audit checkpoint forward.
async fn cleanup_job(app: &TestApp) {
    let ran = service::jobs::cleanup_once(
        &app.app,
        "test-instance",
        std::time::Duration::from_secs(60),
    )
    .await;
    assert!(ran.expect("cleanup").is_some(), "the job ran");
}

/// The chain's verdict as the JSON API and the audit page give it (they must agree).
async fn chain_intact(admin: &Browser) -> bool {
    let answer = admin.get("/api/admin/audit-log").await;
    assert_eq!(answer.status(), StatusCode::OK);
    let body: Value = answer.json().await.expect("json");
    let intact = body["chain_intact"].as_bool().expect("chain_intact");
    let page = admin
        .get("/admin/audit-log")
        .await
        .text()
        .await
        .expect("page");
    let shown = if intact {
        "Chain intact"
    } else {
        "Chain BROKEN"
    };
    assert!(page.contains(shown), "the page agrees: {shown}");
    intact
}

app_tests! {
    @with crate::accounts::spawn_behind_proxy;

    async fn log_01_a_flood_of_anonymous_failed_sign_ins_adds_a_bounded_number_of_audit_rows(app) {
        let bound = usize::try_from(service::audit::ANONYMOUS_ROWS_PER_WINDOW).expect("bound");
        let browser = app.browser().await;
        // Thousands of failures from as many addresses, the clock moved past the sign-in
        // limits between rounds, all within one window of the audit bound.
        let mut attempts = 0;
        for round in 0..3 {
            failed_sign_ins(&browser, round, 300).await;
            refused_callbacks(&browser, round, 400).await;
            attempts += 700;
            app.clock.advance(Duration::minutes(16));
        }
        let rows = anonymous_failures(&app).await;
        assert!(rows.len() <= bound, "{} rows for {attempts} anonymous failures", rows.len());
        assert!(rows.len() >= bound.min(10), "the first ones are recorded: {}", rows.len());

        // In the next window, the first row says how many went unrecorded.
        app.clock.advance(service::audit::ANONYMOUS_WINDOW);
        failed_sign_ins(&browser, 9, 1).await;
        let rows = anonymous_failures(&app).await;
        let last = rows.last().expect("a row");
        assert_eq!(last["unrecorded"], json!(attempts - bound), "{last}");
        assert_eq!(rows.len(), bound + 1);

        let admin = app.signed_in("root", Role::Admin).await;
        assert!(chain_intact(&admin).await);
    }

    async fn log_01_the_audit_chain_is_checked_from_a_sealed_checkpoint_and_tampering_is_still_found(app) {
        let admin = app.signed_in("root", Role::Admin).await;
        let browser = app.browser().await;
        failed_sign_ins(&browser, 1, 20).await;
        assert!(chain_intact(&admin).await);
        assert_eq!(app.app.store.setting(CHECKPOINT).await.expect("read"), None, "looking changes nothing");
        cleanup_job(&app).await;
        let sealed = app.app.store.setting(CHECKPOINT).await.expect("read").expect("a checkpoint after the job");
        assert!(sealed.starts_with("v1."), "sealed with the keyring: {sealed}");
        let seen = app.app.store.audit_entries(&service::audit::AuditFilter { limit: 1, ..Default::default() }).await.expect("audit")[0].seq;

        // Later rows are checked from the checkpoint on, and the checkpoint moves forward.
        failed_sign_ins(&browser, 2, 20).await;
        assert!(chain_intact(&admin).await);
        cleanup_job(&app).await;
        let moved = app.app.store.setting(CHECKPOINT).await.expect("read").expect("checkpoint");
        assert_ne!(moved, sealed, "the checkpoint moved to the newest row");

        // A row changed after the checkpoint is found.
        failed_sign_ins(&browser, 3, 5).await;
        let newest = app.app.store.audit_entries(&service::audit::AuditFilter { limit: 1, ..Default::default() }).await.expect("audit")[0].seq;
        app.app.store.tamper_for_tests(&format!("UPDATE audit_log SET ip = '203.0.113.9' WHERE seq = {newest}")).await;
        assert!(!chain_intact(&admin).await, "a changed row after the checkpoint");
        app.app.store.tamper_for_tests(&format!("DELETE FROM audit_log WHERE seq > {seen}")).await;

        // A changed, forged or replaced checkpoint is found.
        let mut flipped = moved.clone().into_bytes();
        let at = flipped.len() - 3;
        flipped[at] = if flipped[at] == b'A' { b'B' } else { b'A' };
        let forged = [
            String::from_utf8(flipped).expect("utf-8"),
            format!("{{\"seq\":{seen},\"hash\":\"{}\"}}", "0".repeat(64)),
            "v1.00000000.AAAA".to_owned(),
        ];
        for value in forged {
            app.app.store.put_setting(CHECKPOINT, &value, app.app.now()).await.expect("tamper");
            assert!(!chain_intact(&admin).await, "a forged checkpoint {value}");
        }
        // The genuine (older) checkpoint still vouches for the log.
        app.app.store.put_setting(CHECKPOINT, &sealed, app.app.now()).await.expect("put back");
        assert!(chain_intact(&admin).await);
    }
}

app_tests! {
    async fn log_01_a_check_from_a_checkpoint_reads_only_the_rows_after_it(app) {
        let store = &app.app.store;
        let mut browser = app.browser().await;
        for i in 0..6 {
            browser.login(&format!("nobody-{i}"), "not the password").await;
        }
        let ChainCheck::Whole { last: Some((seq, hash)), checked } = store.verify_audit_chain_from(None).await.expect("check") else {
            panic!("a whole chain");
        };
        assert_eq!(checked, u64::try_from(seq).expect("seq"), "from the start: every row");
        for i in 6..9 {
            browser.login(&format!("nobody-{i}"), "not the password").await;
        }
        let from = Some((seq, hash.as_str()));
        let again = store.verify_audit_chain_from(from).await.expect("check");
        assert!(matches!(again, ChainCheck::Whole { checked: 3, last: Some((newest, _)) } if newest == seq + 3), "{again:?}");

        // A row after the checkpoint changed; the checkpoint's own row changed.
        store.tamper_for_tests(&format!("UPDATE audit_log SET detail = '{{}}' WHERE seq = {}", seq + 2)).await;
        assert_eq!(store.verify_audit_chain_from(from).await.expect("check"), ChainCheck::Broken { seq: seq + 2 });
        store.tamper_for_tests(&format!("UPDATE audit_log SET actor_name = 'someone' WHERE seq = {seq}")).await;
        assert_eq!(store.verify_audit_chain_from(from).await.expect("check"), ChainCheck::Broken { seq });
        // The full check (`billtracker check`) still reads everything.
        assert_eq!(store.verify_audit_chain().await.expect("check"), Some(seq));
    }
}
