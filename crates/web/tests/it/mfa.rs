//! Two-step verification through HTTP (MFA-01…05, MFA-07), on both engines, with the TOTP
//! codes made by an independent implementation: `oathtool` (OATH Toolkit, Debian package
//! `oathtool`, installed by `scripts/test`), at times taken from the test's manual clock.
//!
//! Also: the pending sign-in cookie reaches nothing else, the TOTP secret and recovery codes
//! are not in the database in plaintext and `rotate-keys` re-encrypts the secret, the admin
//! policy forces enrolment after its grace period, and the pages work as plain forms.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use domain::user::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use service::clock::Clock;
use service::random::OsRandom;

use crate::app_tests;
use crate::support::{Browser, PASSWORD, TestApp};

const PENDING_COOKIE: &str = "bt_mfa_pending";
pub(crate) const SESSION_COOKIE: &str = "bt_session";

// ---------------------------------------------------------------------------------------------
// Helpers (the HTTP ones are `pub(crate)`: the security-key tests in `webauthn.rs` use them too)
// ---------------------------------------------------------------------------------------------

/// The TOTP code for `secret` (base32) at `at`, from `oathtool`: RFC 6238, SHA-1, 6 digits,
/// 30-second steps.
pub(crate) fn oathtool(secret: &str, at: DateTime<Utc>) -> String {
    let now = at.format("%Y-%m-%d %H:%M:%S UTC").to_string();
    let output = std::process::Command::new("oathtool")
        .args(["--totp", "-b", secret, "--now", &now])
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "the TOTP tests need oathtool, an independent RFC 6238 implementation \
                 (apt-get install oathtool; scripts/test installs it): {e}"
            )
        });
    assert!(
        output.status.success(),
        "oathtool: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let code = String::from_utf8(output.stdout)
        .expect("utf-8")
        .trim()
        .to_owned();
    assert_eq!(code.len(), 6, "{code}");
    code
}

/// A six-digit code that is none of the codes valid around `at`.
pub(crate) fn wrong_code(secret: &str, at: DateTime<Utc>) -> String {
    let valid: Vec<String> = [-30, 0, 30]
        .iter()
        .map(|s| oathtool(secret, at + Duration::seconds(*s)))
        .collect();
    (0..10)
        .map(|n| format!("{n}{n}{n}{n}{n}{n}"))
        .find(|c| !valid.contains(c))
        .expect("a wrong code")
}

/// A response read once.
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) json: Value,
    pub(crate) text: String,
    pub(crate) location: Option<String>,
    pub(crate) set_cookies: Vec<String>,
    pub(crate) retry_after: Option<String>,
}

pub(crate) async fn reply(response: reqwest::Response) -> Reply {
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body");
    Reply {
        status,
        json: serde_json::from_str(&text).unwrap_or(Value::Null),
        text,
        location: headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        set_cookies: headers
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .map(str::to_owned)
            .collect(),
        retry_after: headers
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
    }
}

impl Reply {
    pub(crate) fn sets_cookie(&self, name: &str) -> bool {
        self.set_cookies
            .iter()
            .any(|c| c.starts_with(&format!("{name}=")) && !c.contains("Max-Age=0"))
    }
}

pub(crate) async fn send(
    browser: &Browser,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> Reply {
    reply(browser.send(method, path, body).await).await
}

pub(crate) async fn post(browser: &Browser, path: &str, body: Value) -> Reply {
    send(browser, Method::POST, path, Some(body)).await
}

pub(crate) async fn get(browser: &Browser, path: &str) -> Reply {
    reply(browser.get(path).await).await
}

/// A form POST as a browser without JavaScript sends it (CSRF token in the body).
pub(crate) async fn form(browser: &Browser, path: &str, fields: &[(&str, &str)]) -> Reply {
    let mut fields: Vec<(&str, &str)> = fields.to_vec();
    fields.push(("csrf_token", browser.csrf.as_str()));
    reply(
        browser
            .client
            .post(browser.url(path))
            .form(&fields)
            .send()
            .await
            .expect("form"),
    )
    .await
}

/// A fresh browser giving `username`'s password to the JSON API.
pub(crate) async fn password_step(
    app: &TestApp,
    username: &str,
    password: &str,
) -> (Browser, Reply) {
    let browser = app.browser().await;
    let answer = post(
        &browser,
        "/api/auth/login",
        json!({"username": username, "password": password}),
    )
    .await;
    (browser, answer)
}

/// A JSON POST that signs in (`path` answers with the new session's CSRF token); on success
/// the browser keeps the token.
pub(crate) async fn post_sign_in(browser: &mut Browser, path: &str, body: Value) -> Reply {
    let answer = post(browser, path, body).await;
    if answer.status == StatusCode::OK {
        browser.csrf = answer.json["csrf_token"].as_str().expect("csrf").to_owned();
    }
    answer
}

/// Completes a pending sign-in with `body`; on success keeps the session's CSRF token.
pub(crate) async fn second_step(browser: &mut Browser, body: Value) -> Reply {
    post_sign_in(browser, "/api/auth/mfa/verify", body).await
}

/// Signs `username` in with password and the app's current code.
pub(crate) async fn sign_in_with_code(app: &TestApp, username: &str, secret: &str) -> Browser {
    let (mut browser, answer) = password_step(app, username, PASSWORD).await;
    assert_eq!(answer.json["mfa_required"], true, "{}", answer.text);
    let code = oathtool(secret, app.clock.now());
    let done = second_step(&mut browser, json!({"code": code})).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    browser
}

/// Sets up an authenticator app for the signed-in `browser` (fresh from sign-in); returns the
/// secret and the recovery codes.
pub(crate) async fn enrol(app: &TestApp, browser: &Browser) -> (String, Vec<String>) {
    let started = post(browser, "/api/profile/mfa/totp", json!({})).await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.text);
    let secret = started.json["secret"].as_str().expect("secret").to_owned();
    assert!(
        started.json["otpauth_url"]
            .as_str()
            .expect("url")
            .contains(&secret)
    );
    assert!(
        started.json["qr_svg"]
            .as_str()
            .expect("qr")
            .starts_with("<svg")
    );
    let code = oathtool(&secret, app.clock.now());
    let confirmed = post(
        browser,
        "/api/profile/mfa/totp/confirm",
        json!({"code": code}),
    )
    .await;
    assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.text);
    let codes = confirmed.json["recovery_codes"]
        .as_array()
        .expect("codes")
        .iter()
        .map(|c| c.as_str().expect("code").to_owned())
        .collect();
    (secret, codes)
}

pub(crate) async fn audit_actions(app: &TestApp, action: &str) -> Vec<Value> {
    app.app
        .store
        .audit_entries(&service::audit::AuditFilter {
            action: Some(action.to_owned()),
            limit: 100,
            ..Default::default()
        })
        .await
        .expect("audit")
        .into_iter()
        .map(|e| serde_json::from_str(&e.detail).expect("detail"))
        .collect()
}

/// Starts a new login rate-limit window (10 sign-ins per 15 minutes from one address).
pub(crate) fn new_window(app: &TestApp) {
    app.clock.advance(Duration::minutes(16));
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

app_tests! {
    async fn mfa_01_codes_of_steps_minus_one_to_plus_one_work_each_step_once_by_server_time(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let (secret, _) = enrol(&app, &browser).await;

        new_window(&app);
        let t1 = app.clock.now();
        for offset in [-30, 0, 30] {
            let (mut browser, answer) = password_step(&app, "alice", PASSWORD).await;
            assert_eq!(answer.status, StatusCode::OK);
            let code = oathtool(&secret, t1 + Duration::seconds(offset));
            let done = second_step(&mut browser, json!({"code": code})).await;
            assert_eq!(done.status, StatusCode::OK, "step {offset:+}s: {}", done.text);
            assert_eq!(done.json["user"]["username"], "alice");
            assert_eq!(get(&browser, "/api/auth/me").await.status, StatusCode::OK);
        }

        // Each step once: the +1 code again, and the current one (an earlier step), are refused.
        let (mut again, _) = password_step(&app, "alice", PASSWORD).await;
        for offset in [30, 0] {
            let code = oathtool(&secret, t1 + Duration::seconds(offset));
            let refused = second_step(&mut again, json!({"code": code})).await;
            assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "replayed step {offset:+}s");
        }

        // Two steps away from the server's time: refused; its own time: accepted.
        new_window(&app);
        let t2 = app.clock.now();
        let (mut browser, _) = password_step(&app, "alice", PASSWORD).await;
        for offset in [-60, 60] {
            let code = oathtool(&secret, t2 + Duration::seconds(offset));
            let refused = second_step(&mut browser, json!({"code": code})).await;
            assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "step {offset:+}s");
        }
        let code = oathtool(&secret, t2);
        assert_eq!(second_step(&mut browser, json!({"code": code})).await.status, StatusCode::OK);
    }

    async fn mfa_02_five_wrong_codes_throttle_the_account_and_are_recorded(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let (secret, _) = enrol(&app, &browser).await;
        let (bobs_secret, _) = enrol(&app, &app.signed_in("bob", Role::User).await).await;
        new_window(&app);

        let (mut first, _) = password_step(&app, "alice", PASSWORD).await;
        let wrong = wrong_code(&secret, app.clock.now());
        for attempt in 1..=5 {
            let refused = second_step(&mut first, json!({"code": wrong})).await;
            assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "attempt {attempt}");
        }
        // Even the right code waits now, with this handle or a new one (per account).
        let right = oathtool(&secret, app.clock.now());
        let throttled = second_step(&mut first, json!({"code": right})).await;
        assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS, "{}", throttled.text);
        assert!(throttled.retry_after.is_some());
        let (mut second, answer) = password_step(&app, "alice", PASSWORD).await;
        assert_eq!(answer.json["mfa_required"], true, "the password step itself is not locked");
        assert_eq!(second_step(&mut second, json!({"code": right})).await.status, StatusCode::TOO_MANY_REQUESTS);
        // RL-02: the delay is alice's; bob, from the same address, signs in with his code.
        sign_in_with_code(&app, "bob", &bobs_secret).await;

        // Recorded: audit entries naming the event, failed sign-ins in the history.
        let events = audit_actions(&app, "mfa.failure").await;
        assert_eq!(events.len(), 5, "{events:?}");
        assert!(events.iter().all(|e| e["reason"] == "password right, second factor wrong"));
        let user = app.app.store.user_by_username("alice").await.expect("read").expect("alice");
        let history = app.app.store.logins_of(user.id, 50).await.expect("history");
        assert_eq!(history.iter().filter(|l| !l.success && l.method == "totp").count(), 5);

        // The delay ends: then a right code signs in and clears the count.
        app.clock.advance(Duration::seconds(31));
        let code = oathtool(&secret, app.clock.now());
        assert_eq!(second_step(&mut second, json!({"code": code})).await.status, StatusCode::OK);
    }

    async fn mfa_03_a_pending_sign_in_reaches_nothing_expires_and_serves_one_user_once(app) {
        let alice = app.signed_in("alice", Role::User).await;
        let (alice_secret, _) = enrol(&app, &alice).await;
        let bob = app.signed_in("bob", Role::User).await;
        let (bob_secret, _) = enrol(&app, &bob).await;
        new_window(&app);

        let (pending, answer) = password_step(&app, "alice", PASSWORD).await;
        assert!(answer.sets_cookie(PENDING_COOKIE));
        let cookie = answer.set_cookies.iter().find(|c| c.starts_with(PENDING_COOKIE)).expect("cookie");
        for attribute in ["HttpOnly", "SameSite=Strict", "Path=/", "Max-Age=300"] {
            assert!(cookie.contains(attribute), "{cookie}");
        }
        assert_eq!(pending.cookie(SESSION_COOKIE), None);
        assert_eq!(get(&pending, "/api/bills").await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(get(&pending, "/api/auth/me").await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(get(&pending, "/api/profile/mfa").await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(post(&pending, "/api/auth/reauth", json!({"password": PASSWORD})).await.status, StatusCode::UNAUTHORIZED);
        let home = get(&pending, "/").await;
        assert!(home.location.as_deref().is_some_and(|l| l.starts_with("/login")), "{:?}", home.location);

        // Five minutes later the handle is dead, even with a right code.
        app.clock.advance(Duration::seconds(5 * 60 + 1));
        let mut pending = pending;
        let code = oathtool(&alice_secret, app.clock.now());
        assert_eq!(second_step(&mut pending, json!({"code": code})).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(get(&pending, "/login/mfa").await.location.as_deref(), Some("/login"));

        // Bound to one user: bob's right code does nothing on alice's handle, and the handle
        // only ever signs alice in.
        let (mut pending, _) = password_step(&app, "alice", PASSWORD).await;
        let handle = pending.cookie(PENDING_COOKIE).expect("handle");
        let bobs = oathtool(&bob_secret, app.clock.now());
        assert_eq!(second_step(&mut pending, json!({"code": bobs})).await.status, StatusCode::UNAUTHORIZED);
        let code = oathtool(&alice_secret, app.clock.now());
        let done = second_step(&mut pending, json!({"code": code})).await;
        assert_eq!(done.status, StatusCode::OK);
        assert_eq!(done.json["user"]["username"], "alice");
        assert!(done.sets_cookie(SESSION_COOKIE));
        assert!(done.set_cookies.iter().any(|c| c.starts_with(&format!("{PENDING_COOKIE}=;")) && c.contains("Max-Age=0")), "the pending cookie is cleared");

        // Single use: the same handle in another browser, with a later right code, is refused.
        app.clock.advance(Duration::seconds(30));
        let mut thief = app.browser().await;
        thief.set_cookie(PENDING_COOKIE, &handle);
        let later = oathtool(&alice_secret, app.clock.now());
        assert_eq!(second_step(&mut thief, json!({"code": later})).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(get(&thief, "/api/auth/me").await.status, StatusCode::UNAUTHORIZED);
    }

    async fn mfa_04_recovery_codes_are_hashed_work_once_and_a_new_set_ends_the_old(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let (secret, codes) = enrol(&app, &browser).await;
        assert!(codes.len() >= 10);
        assert_eq!(codes.iter().collect::<std::collections::HashSet<_>>().len(), codes.len());
        assert!(codes.iter().all(|c| c.len() == 29 && c.matches('-').count() == 4), "{codes:?}");

        // At rest: neither the codes nor the TOTP secret in plaintext.
        let dump = app.db.dump_text().await;
        for code in &codes {
            assert!(!dump.contains(code.as_str()) && !dump.contains(&code.replace('-', "")), "a recovery code in the database");
        }
        assert!(!dump.contains(&secret), "the TOTP secret in plaintext in the database");
        let status = get(&browser, "/api/profile/mfa").await;
        assert_eq!((status.json["totp"].clone(), status.json["recovery_codes_left"].clone()), (json!(true), json!(10)));
        assert!(!status.text.contains(&secret), "the status never shows the secret");

        new_window(&app);
        let (mut first, answer) = password_step(&app, "alice", PASSWORD).await;
        assert_eq!(answer.json["methods"], json!(["totp", "recovery_code"]));
        let used = second_step(&mut first, json!({"recovery_code": codes[0].to_uppercase()})).await;
        assert_eq!(used.status, StatusCode::OK, "{}", used.text);
        assert_eq!(used.json["recovery_codes_left"], 9);
        let events = audit_actions(&app, "mfa.recovery_code_used").await;
        assert_eq!(events, vec![json!({"left": 9})]);

        let (mut second, _) = password_step(&app, "alice", PASSWORD).await;
        assert_eq!(second_step(&mut second, json!({"recovery_code": codes[0]})).await.status, StatusCode::UNAUTHORIZED, "a code works once");

        // A new set (fresh step-up: `first` just signed in) ends the old one.
        let renewed = post(&first, "/api/profile/mfa/recovery-codes", json!({})).await;
        assert_eq!(renewed.status, StatusCode::OK, "{}", renewed.text);
        let fresh: Vec<String> = renewed.json["recovery_codes"].as_array().expect("codes").iter().map(|c| c.as_str().expect("code").to_owned()).collect();
        assert_eq!(fresh.len(), 10);
        assert!(fresh.iter().all(|c| !codes.contains(c)));
        // A change of factors also voids sign-ins half-way through.
        assert_eq!(second_step(&mut second, json!({"recovery_code": fresh[0]})).await.status, StatusCode::UNAUTHORIZED);
        let (mut third, _) = password_step(&app, "alice", PASSWORD).await;
        assert_eq!(second_step(&mut third, json!({"recovery_code": codes[1]})).await.status, StatusCode::UNAUTHORIZED, "the old set is dead");
        let done = second_step(&mut third, json!({"recovery_code": fresh[0]})).await;
        assert_eq!(done.status, StatusCode::OK);
        assert_eq!(done.json["recovery_codes_left"], 9);
    }

    async fn mfa_05_factor_changes_need_a_fresh_step_up_and_end_the_other_sessions(app) {
        let mut here = app.signed_in("alice", Role::User).await;
        let mut there = app.browser().await;
        assert_eq!(there.login("alice", PASSWORD).await.status(), StatusCode::OK);

        // Six minutes after signing in, the sign-in no longer counts as a step-up.
        app.clock.advance(Duration::minutes(6));
        let stale = post(&here, "/api/profile/mfa/totp", json!({})).await;
        assert_eq!(stale.status, StatusCode::FORBIDDEN);
        assert_eq!(stale.json["code"], "reauth_required", "{}", stale.text);
        let wrong = post(&here, "/api/auth/reauth", json!({"password": "not my password at all"})).await;
        assert_eq!(wrong.status, StatusCode::FORBIDDEN);
        assert_eq!(post(&here, "/api/auth/reauth", json!({"password": PASSWORD})).await.status, StatusCode::NO_CONTENT);
        let (secret, _) = enrol(&app, &here).await;
        assert_eq!(get(&there, "/api/auth/me").await.status, StatusCode::UNAUTHORIZED, "turning it on ended the other session");
        assert_eq!(get(&here, "/api/auth/me").await.status, StatusCode::OK, "this session stays");

        new_window(&app);
        there = sign_in_with_code(&app, "alice", &secret).await;
        here.refresh_csrf().await;
        app.clock.advance(Duration::minutes(6));
        for (method, path) in [(Method::DELETE, "/api/profile/mfa/totp"), (Method::POST, "/api/profile/mfa/recovery-codes"), (Method::POST, "/api/profile/mfa/totp")] {
            let refused = send(&here, method, path, Some(json!({}))).await;
            assert_eq!((refused.status, refused.json["code"].clone()), (StatusCode::FORBIDDEN, json!("reauth_required")), "{path}");
        }
        // With a second factor, the password alone is not enough.
        let password_only = post(&here, "/api/auth/reauth", json!({"password": PASSWORD})).await;
        assert_eq!((password_only.status, password_only.json["field"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("code")));
        let bad = wrong_code(&secret, app.clock.now());
        assert_eq!(post(&here, "/api/auth/reauth", json!({"password": PASSWORD, "code": bad})).await.status, StatusCode::FORBIDDEN);
        let code = oathtool(&secret, app.clock.now());
        assert_eq!(post(&here, "/api/auth/reauth", json!({"password": PASSWORD, "code": code})).await.status, StatusCode::NO_CONTENT);
        assert_eq!(send(&here, Method::DELETE, "/api/profile/mfa/totp", None).await.status, StatusCode::NO_CONTENT);
        assert_eq!(get(&there, "/api/auth/me").await.status, StatusCode::UNAUTHORIZED, "turning it off ended the other session");

        // The removed app no longer authenticates: sign-in needs only the password again.
        let (_, answer) = password_step(&app, "alice", PASSWORD).await;
        assert_eq!(answer.status, StatusCode::OK);
        assert!(answer.json["mfa_required"].is_null(), "{}", answer.text);
        assert!(answer.sets_cookie(SESSION_COOKIE));
        for action in ["reauth.success", "reauth.failure", "mfa.totp_enabled", "mfa.totp_disabled"] {
            assert!(!audit_actions(&app, action).await.is_empty(), "{action} is audited");
        }
    }

    async fn mfa_07_json_sign_in_asks_for_the_factor_without_a_session_even_after_a_password_reset(app) {
        let browser = app.signed_in("alice", Role::User).await;
        enrol(&app, &browser).await;
        let admin = app.signed_in("root", Role::Admin).await;
        new_window(&app);

        let (_, answer) = password_step(&app, "alice", PASSWORD).await;
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(answer.json, json!({"mfa_required": true, "enrolment_required": false, "methods": ["totp", "recovery_code"]}));
        assert!(!answer.sets_cookie(SESSION_COOKIE), "no session before the second factor: {:?}", answer.set_cookies);
        assert!(answer.json["csrf_token"].is_null());

        // The page path too: the form sends the browser to the second step, without a session.
        let page = app.browser().await;
        let posted = form(&page, "/login", &[("username", "alice"), ("password", PASSWORD), ("next", "/bills")]).await;
        assert_eq!(posted.status, StatusCode::SEE_OTHER);
        assert_eq!(posted.location.as_deref(), Some("/login/mfa?next=%2Fbills"));
        assert!(!posted.sets_cookie(SESSION_COOKIE) && posted.sets_cookie(PENDING_COOKIE));

        // An administrator's password reset (after their step-up) leaves the factor in place.
        let user = app.app.store.user_by_username("alice").await.expect("read").expect("alice");
        admin.reauthenticate(PASSWORD).await;
        let reset = post(&admin, &format!("/api/admin/users/{}/password", user.id), json!({"password": "a brand new passphrase for spring"})).await;
        assert!(reset.status.is_success(), "{}", reset.text);
        let (_, answer) = password_step(&app, "alice", "a brand new passphrase for spring").await;
        assert_eq!(answer.json["mfa_required"], true);
        assert!(!answer.sets_cookie(SESSION_COOKIE));
    }

    async fn a_damaged_policy_setting_requires_a_factor_of_everyone_instead_of_none(app) {
        let admin = app.signed_in("root", Role::Admin).await;
        let alice = app.signed_in("alice", Role::User).await;
        for damaged in ["not json", r#"{"require":"nobody","grace_days":0}"#] {
            app.app.store.put_setting("mfa.policy", damaged, app.clock.now()).await.expect("damage the setting");
            let policy = get(&admin, "/api/admin/mfa-policy").await;
            assert_eq!(policy.json["require"], "everyone", "{damaged}: {}", policy.text);
            assert_eq!(get(&alice, "/api/profile/mfa").await.json["required"], true, "{damaged}");
            let (_, answer) = password_step(&app, "alice", PASSWORD).await;
            assert!(!answer.sets_cookie(SESSION_COOKIE), "{damaged}: no session without a factor");
        }
    }

    async fn the_policy_makes_people_enrol_after_the_grace_period_and_admins_can_reset(app) {
        let admin = app.signed_in("root", Role::Admin).await;
        let alice = app.signed_in("alice", Role::User).await;
        let set = send(&admin, Method::PUT, "/api/admin/mfa-policy", Some(json!({"require": "everyone", "grace_days": 1}))).await;
        assert_eq!(set.status, StatusCode::OK, "{}", set.text);
        assert_eq!(set.json["require"], "everyone");
        let status = get(&alice, "/api/profile/mfa").await;
        assert_eq!(status.json["required"], true);
        assert!(status.json["enrol_by"].is_string());

        // Within the grace period: signed in with the password alone.
        let (_, answer) = password_step(&app, "alice", PASSWORD).await;
        assert!(answer.sets_cookie(SESSION_COOKIE));

        // After it: the only way on is to set up an app.
        app.clock.advance(Duration::days(1) + Duration::seconds(1));
        let (mut browser, answer) = password_step(&app, "alice", PASSWORD).await;
        assert_eq!(answer.json, json!({"mfa_required": true, "enrolment_required": true, "methods": ["totp"]}));
        assert_eq!(get(&browser, "/api/bills").await.status, StatusCode::UNAUTHORIZED);
        let setup = get(&browser, "/api/auth/mfa/enrolment").await;
        assert_eq!(setup.status, StatusCode::OK, "{}", setup.text);
        let secret = setup.json["secret"].as_str().expect("secret").to_owned();
        assert!(setup.json["qr_svg"].as_str().expect("svg").starts_with("<svg"));
        let wrong = wrong_code(&secret, app.clock.now());
        assert_eq!(second_step(&mut browser, json!({"code": wrong})).await.status, StatusCode::UNAUTHORIZED);
        let code = oathtool(&secret, app.clock.now());
        let done = second_step(&mut browser, json!({"code": code})).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.text);
        assert_eq!(done.json["recovery_codes"].as_array().expect("codes").len(), 10);
        // Required: it cannot be turned off.
        let off = send(&browser, Method::DELETE, "/api/profile/mfa/totp", None).await;
        assert_eq!(off.status, StatusCode::CONFLICT, "{}", off.text);

        // The administrator resets it (after a step-up of their own): signed out, no factor left.
        // (The policy covers administrators too: a day later, the admin enrols at sign-in.)
        drop(admin);
        let (mut admin, answer) = password_step(&app, "root", PASSWORD).await;
        assert_eq!(answer.json["enrolment_required"], true);
        let setup = get(&admin, "/api/auth/mfa/enrolment").await;
        let admin_secret = setup.json["secret"].as_str().expect("secret").to_owned();
        let code = oathtool(&admin_secret, app.clock.now());
        assert_eq!(second_step(&mut admin, json!({"code": code})).await.status, StatusCode::OK);
        app.clock.advance(Duration::minutes(6));
        let user = app.app.store.user_by_username("alice").await.expect("read").expect("alice");
        let stale = send(&admin, Method::DELETE, &format!("/api/admin/users/{}/mfa", user.id), None).await;
        assert_eq!((stale.status, stale.json["code"].clone()), (StatusCode::FORBIDDEN, json!("reauth_required")));
        let code = oathtool(&admin_secret, app.clock.now());
        assert_eq!(post(&admin, "/api/auth/reauth", json!({"password": PASSWORD, "code": code})).await.status, StatusCode::NO_CONTENT);
        let reset = send(&admin, Method::DELETE, &format!("/api/admin/users/{}/mfa", user.id), None).await;
        assert_eq!((reset.status, reset.json["factors_removed"].clone()), (StatusCode::OK, json!(1)), "{}", reset.text);
        assert_eq!(get(&browser, "/api/auth/me").await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(audit_actions(&app, "user.mfa_reset").await.len(), 1);
        drop(alice);
        let (_, answer) = password_step(&app, "alice", PASSWORD).await;
        assert_eq!(answer.json["enrolment_required"], true, "still required: a new app at the next sign-in");
    }

    async fn cry_01_the_totp_secret_is_encrypted_at_rest_and_rotate_keys_re_encrypts_it(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let (secret, _) = enrol(&app, &browser).await;
        let cells = app.app.store.encrypted_cells().await.expect("cells");
        let cell = cells.iter().find(|c| c.table == "mfa_factors" && c.column == "secret_enc").expect("registered for rotation");
        assert!(cell.value.starts_with("v1.") && !cell.value.contains(&secret));

        let count = service::keys::rotate(&app.app.config, &app.app.store, &OsRandom).await.expect("rotate");
        assert!(count >= 2);
        let (keyring, _) = service::keys::open(&app.app.config, &app.app.store, &OsRandom).await.expect("re-open");
        let rotated = app.app.store.encrypted_cells().await.expect("cells");
        let cell = rotated.iter().find(|c| c.table == "mfa_factors").expect("cell");
        assert_eq!(service::crypto::ciphertext_key_id(&cell.value), Some(keyring.current_id()));

        // The app under the new key still checks codes with the re-encrypted secret.
        let rotated_app = service::App::with(
            app.app.store.clone(),
            (*app.app.config).clone(),
            keyring,
            Arc::new(app.clock.clone()),
            Arc::new(OsRandom),
        );
        new_window(&app);
        let meta = service::auth::RequestMeta::default();
        let outcome = service::auth::login::login(&rotated_app, "alice", PASSWORD, &meta, None).await.expect("password");
        let service::auth::mfa::pending::LoginOutcome::SecondFactor(pending) = outcome else { panic!("a second factor is asked for") };
        let code = domain::factor::TotpCode::parse("code", &oathtool(&secret, app.clock.now())).expect("code");
        let done = service::auth::mfa::pending::complete(&rotated_app, &pending.token, &service::auth::mfa::Proof::Totp(code), &meta).await.expect("signed in");
        assert_eq!(done.signed_in.principal.username, "alice");
    }

    async fn the_admin_pages_set_the_policy_and_reset_a_persons_two_step_verification(app) {
        let admin = app.signed_in("root", Role::Admin).await;
        let alice = app.signed_in("alice", Role::User).await;
        enrol(&app, &alice).await;

        let saved = form(&admin, "/admin/mfa-policy", &[("require", "admins"), ("grace_days", "3")]).await;
        assert_eq!(saved.location.as_deref(), Some("/admin?notice=mfa_policy"));
        let page = get(&admin, "/admin?notice=mfa_policy").await;
        assert!(page.text.contains("value=\"admins\" checked"), "the saved choice is selected");
        assert!(page.text.contains("Two-step verification policy saved."));
        let refused = form(&admin, "/admin/mfa-policy", &[("require", "sometimes"), ("grace_days", "3")]).await;
        assert_eq!(refused.location.as_deref(), Some("/admin?error=invalid"));
        assert_eq!(audit_actions(&app, "mfa.policy").await, vec![json!({"require": "admins", "grace_days": 3})]);

        let user = app.app.store.user_by_username("alice").await.expect("read").expect("alice");
        let page = get(&admin, &format!("/admin/users/{}", user.id)).await;
        assert!(page.text.contains("On, with 10 unused recovery codes"), "{}", page.text);
        let reset = form(&admin, &format!("/admin/users/{}/mfa/reset", user.id), &[]).await;
        assert_eq!(reset.location, Some(format!("/admin/users/{}?notice=mfa_reset", user.id)));
        assert_eq!(get(&alice, "/api/auth/me").await.status, StatusCode::UNAUTHORIZED, "signed out everywhere");
        let page = get(&admin, &format!("/admin/users/{}", user.id)).await;
        assert!(page.text.contains("Off for this account."));

        // Later, the administrator confirms it is them first.
        app.clock.advance(Duration::minutes(6));
        let stale = form(&admin, &format!("/admin/users/{}/mfa/reset", user.id), &[]).await;
        assert_eq!(stale.location, Some(format!("/profile/reauth?next=%2Fadmin%2Fusers%2F{}", user.id)));
    }

    async fn the_pages_set_up_an_app_sign_in_with_it_and_step_up_without_javascript(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let started = form(&browser, "/profile/mfa/totp/start", &[]).await;
        assert_eq!((started.status, started.location.as_deref()), (StatusCode::SEE_OTHER, Some("/profile/mfa/totp")));
        let setup = get(&browser, "/profile/mfa/totp").await;
        assert_eq!(setup.status, StatusCode::OK);
        assert!(setup.text.contains("<svg class=\"qr\""), "a server-drawn QR code");
        let secret: String = setup.text.split("<code class=\"totp-secret\">").nth(1).and_then(|rest| rest.split("</code>").next()).expect("secret shown").replace(' ', "");
        let wrong = form(&browser, "/profile/mfa/totp/confirm", &[("code", &wrong_code(&secret, app.clock.now()))]).await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        let code = oathtool(&secret, app.clock.now());
        let confirmed = form(&browser, "/profile/mfa/totp/confirm", &[("code", &code)]).await;
        assert_eq!(confirmed.status, StatusCode::OK, "{}", confirmed.text);
        assert_eq!(confirmed.text.matches("<li><code>").count(), 10, "ten recovery codes shown once");
        let page = get(&browser, "/profile/security").await;
        assert!(page.text.contains("Two-step verification") && page.text.contains("10 of 10"));

        // Signing in with the forms.
        new_window(&app);
        let visitor = app.browser().await;
        let posted = form(&visitor, "/login", &[("username", "alice"), ("password", PASSWORD), ("next", "/")]).await;
        assert_eq!(posted.location.as_deref(), Some("/login/mfa?next=%2F"));
        let second = get(&visitor, "/login/mfa?next=%2F").await;
        assert_eq!(second.status, StatusCode::OK);
        assert!(second.text.contains("autocomplete=\"one-time-code\"") && second.text.contains("name=\"recovery_code\""));
        let refused = form(&visitor, "/login/mfa", &[("code", &wrong_code(&secret, app.clock.now())), ("next", "/")]).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
        assert!(refused.text.contains("That code is not right"));
        app.clock.advance(Duration::seconds(30));
        let code = oathtool(&secret, app.clock.now());
        let done = form(&visitor, "/login/mfa", &[("code", &code), ("next", "/")]).await;
        assert_eq!((done.status, done.location.as_deref()), (StatusCode::SEE_OTHER, Some("/")));
        assert!(done.sets_cookie(SESSION_COOKIE));

        // A stale session is sent to confirm it's you, then back to the form that asked.
        let mut visitor = visitor;
        visitor.refresh_csrf().await;
        app.clock.advance(Duration::minutes(6));
        let sent = form(&visitor, "/profile/mfa/recovery-codes", &[]).await;
        assert_eq!(sent.location.as_deref(), Some("/profile/reauth?next=%2Fprofile%2Fsecurity%23recovery-codes-form"));
        let ask = get(&visitor, "/profile/reauth?next=%2Fprofile%2Fsecurity%23recovery-codes-form").await;
        assert!(ask.text.contains("name=\"password\"") && ask.text.contains("name=\"code\""));
        let code = oathtool(&secret, app.clock.now());
        let confirmed = form(&visitor, "/profile/reauth", &[("password", PASSWORD), ("code", &code), ("next", "/profile/security#recovery-codes-form")]).await;
        assert_eq!(confirmed.location.as_deref(), Some("/profile/security#recovery-codes-form"));
        let renewed = form(&visitor, "/profile/mfa/recovery-codes", &[]).await;
        assert_eq!(renewed.status, StatusCode::OK);
        assert_eq!(renewed.text.matches("<li><code>").count(), 10);
    }
}
