//! SES-01…09: session tokens, cookies, fixation, sign-out, lifetimes, invalidation, the
//! sessions page, and no caching of authenticated answers.

use chrono::Duration;
use domain::user::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use testkit::TestEngine;

use crate::app_tests;
use crate::support::{Browser, PASSWORD, Spawn, TestApp, spawn_with};

fn set_cookies(response: &reqwest::Response) -> Vec<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::to_owned)
        .collect()
}

async fn me(browser: &Browser) -> StatusCode {
    browser.get("/api/auth/me").await.status()
}

async fn spawn_https(engine: TestEngine) -> Option<TestApp> {
    spawn_with(
        engine,
        Spawn {
            env: vec![("HTTPS", "true".into())],
            ..Default::default()
        },
    )
    .await
}

app_tests! {
    async fn ses_01_the_token_is_256_random_bits_and_only_its_hash_is_stored(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let token = browser.cookie("bt_session").expect("session cookie");
        assert!(token.len() >= 43, "32 bytes base64url: {token}");
        let dump = app.db.dump_text().await;
        assert!(!dump.contains(&token), "the raw token is not in the database");
        assert!(dump.contains(&hex_sha256(&token)), "its SHA-256 is");
        let other = app.browser().await;
        assert_eq!(other.get(&format!("/api/auth/me?session={token}")).await.status(), StatusCode::UNAUTHORIZED);
        let bearer = other.client.get(other.url("/api/auth/me")).bearer_auth(&token).send().await.expect("get");
        assert_eq!(bearer.status(), StatusCode::UNAUTHORIZED, "the token works only as the cookie");
    }

    async fn ses_02_the_session_cookie_is_httponly_strict_host_only(app) {
        app.account("alice", PASSWORD, Role::User).await;
        let mut browser = app.browser().await;
        let response = browser.login("alice", PASSWORD).await;
        let cookie = set_cookies(&response).into_iter().find(|c| c.starts_with("bt_session=")).expect("set-cookie");
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/"), "{cookie}");
        assert!(!cookie.contains("Domain") && !cookie.contains("Secure"), "HTTPS=false: no Secure: {cookie}");
        assert_eq!(response.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
    }

    async fn ses_03_a_session_from_before_sign_in_does_not_survive_it(app) {
        app.account("alice", PASSWORD, Role::User).await;
        // A real, live session (the attacker's own, from a real sign-in), planted in the
        // browser alice is about to sign in with.
        let mallory = app.signed_in("mallory", Role::User).await;
        let planted = mallory.cookie("bt_session").expect("mallory's session");
        let mut browser = app.browser().await;
        browser.set_cookie("bt_session", &planted);
        assert_eq!(me(&browser).await, StatusCode::OK, "the planted token is a working session");
        browser.refresh_csrf().await;

        assert_eq!(browser.login("alice", PASSWORD).await.status(), StatusCode::OK);
        let first = browser.cookie("bt_session").expect("alice's session");
        assert_ne!(first, planted, "sign-in gives a new token");
        let whoami: Value = browser.get("/api/auth/me").await.json().await.expect("me");
        assert_eq!(whoami["username"], "alice");
        let replay = app.browser().await;
        replay.set_cookie("bt_session", &planted);
        assert_eq!(me(&replay).await, StatusCode::UNAUTHORIZED, "the planted token died at the sign-in");

        // Signing in again over alice's own session rotates it too.
        let csrf_before = browser.csrf.clone();
        assert_eq!(browser.login("alice", PASSWORD).await.status(), StatusCode::OK);
        let second = browser.cookie("bt_session").expect("second session");
        assert_ne!(first, second, "sign-in rotates the token");
        assert_ne!(csrf_before, browser.csrf, "and the CSRF token");
        let replay = app.browser().await;
        replay.set_cookie("bt_session", &first);
        assert_eq!(me(&replay).await, StatusCode::UNAUTHORIZED, "the old token no longer works");
    }

    async fn ses_04_sign_out_deletes_the_session_and_clears_the_browser(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let token = browser.cookie("bt_session").expect("cookie");
        let response = browser.send(Method::POST, "/api/auth/logout", None).await;
        assert_eq!(response.status(), StatusCode::NO_CONTENT);
        assert!(response.headers().contains_key("clear-site-data"));
        let cookies = set_cookies(&response);
        assert!(cookies.iter().any(|c| c.starts_with("bt_session=;") && c.contains("Max-Age=0")), "{cookies:?}");
        let row = app.app.store.session_by_token_hash(&hex_sha256(&token)).await.expect("lookup");
        assert!(row.is_none(), "the row is gone");
        let replay = app.browser().await;
        replay.set_cookie("bt_session", &token);
        assert_eq!(me(&replay).await, StatusCode::UNAUTHORIZED);
    }

    async fn ses_04_sign_out_needs_the_csrf_token(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let response = browser.client.post(browser.url("/api/auth/logout")).send().await.expect("post");
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        assert_eq!(me(&browser).await, StatusCode::OK, "still signed in");
    }

    async fn ses_05_a_session_ends_after_seven_days_however_active(app) {
        let browser = app.signed_in("alice", Role::User).await;
        for _ in 0..(7 * 24 / 2) {
            app.clock.advance(Duration::hours(2) - Duration::minutes(1));
            assert_eq!(me(&browser).await, StatusCode::OK);
        }
        app.clock.advance(Duration::hours(3));
        assert_eq!(me(&browser).await, StatusCode::UNAUTHORIZED);
    }

    async fn ses_06_an_idle_session_ends_after_two_hours(app) {
        let browser = app.signed_in("alice", Role::User).await;
        app.clock.advance(Duration::hours(2) - Duration::seconds(1));
        assert_eq!(me(&browser).await, StatusCode::OK, "activity just before the limit extends it");
        app.clock.advance(Duration::hours(2) - Duration::seconds(1));
        assert_eq!(me(&browser).await, StatusCode::OK);
        app.clock.advance(Duration::hours(2) + Duration::seconds(1));
        assert_eq!(me(&browser).await, StatusCode::UNAUTHORIZED);
    }

    async fn ses_07_role_change_deactivation_and_reset_end_every_session(app) {
        let admin = app.signed_in("root", Role::Admin).await;
        let alice_a = app.signed_in("alice", Role::User).await;
        let mut alice_b = app.browser().await;
        alice_b.login("alice", PASSWORD).await;
        let alice = app.app.store.user_by_username("alice").await.expect("read").expect("alice");

        let promoted = admin.send(Method::PATCH, &format!("/api/admin/users/{}", alice.id), Some(json!({"role": "admin"}))).await;
        assert_eq!(promoted.status(), StatusCode::OK);
        assert_eq!(me(&alice_a).await, StatusCode::UNAUTHORIZED);
        assert_eq!(me(&alice_b).await, StatusCode::UNAUTHORIZED);

        let mut again = app.browser().await;
        assert_eq!(again.login("alice", PASSWORD).await.status(), StatusCode::OK);
        let reset = admin.post(&format!("/api/admin/users/{}/password", alice.id), json!({"password": "a brand new passphrase"})).await;
        assert_eq!(reset.status(), StatusCode::NO_CONTENT);
        assert_eq!(me(&again).await, StatusCode::UNAUTHORIZED);

        let mut third = app.browser().await;
        assert_eq!(third.login("alice", "a brand new passphrase").await.status(), StatusCode::OK);
        let off = admin.send(Method::PATCH, &format!("/api/admin/users/{}", alice.id), Some(json!({"is_active": false}))).await;
        assert_eq!(off.status(), StatusCode::OK);
        assert_eq!(me(&third).await, StatusCode::UNAUTHORIZED);
        let mut fourth = app.browser().await;
        let refused = fourth.login("alice", "a brand new passphrase").await;
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED, "a deactivated account gets the generic answer");
    }

    async fn ses_08_users_see_their_sessions_and_end_them(app) {
        let laptop = app.signed_in("alice", Role::User).await;
        let mut phone = app.browser().await;
        phone.client = reqwest::Client::builder().cookie_provider(phone.jar.clone()).user_agent("Mozilla/5.0 (Linux; Android 14) Firefox/128.0").build().expect("client");
        phone.refresh_csrf().await;
        phone.login("alice", PASSWORD).await;
        let bob = app.signed_in("bob", Role::User).await;

        let list: Vec<Value> = laptop.get("/api/profile/sessions").await.json().await.expect("json");
        assert_eq!(list.len(), 2, "bob's session is not listed");
        assert_eq!(list.iter().filter(|s| s["current"] == true).count(), 1);
        let phone_row = list.iter().find(|s| s["current"] == false).expect("the phone");
        assert_eq!(phone_row["device"], "Firefox on Android");
        assert_eq!(phone_row["ip"], "127.0.0.1");

        let bobs: Vec<Value> = bob.get("/api/profile/sessions").await.json().await.expect("json");
        let foreign = bob.send(Method::DELETE, &format!("/api/profile/sessions/{}", phone_row["id"].as_str().expect("id")), None).await;
        assert_eq!(foreign.status(), StatusCode::NOT_FOUND, "another user's session is not found");
        assert_eq!(me(&phone).await, StatusCode::OK);
        assert_eq!(bobs.len(), 1);

        // Six minutes on, the laptop's sign-in is no step-up any more: ending the phone's
        // session asks for the password again (a session thief cannot evict the owner).
        app.clock.advance(Duration::minutes(6));
        let stale = laptop.send(Method::DELETE, &format!("/api/profile/sessions/{}", phone_row["id"].as_str().expect("id")), None).await;
        assert_eq!(stale.status(), StatusCode::FORBIDDEN);
        let body: Value = stale.json().await.expect("json");
        assert_eq!(body["code"], "reauth_required");
        assert_eq!(me(&phone).await, StatusCode::OK, "the phone is still signed in");
        assert_eq!(laptop.post("/api/auth/reauth", json!({"password": PASSWORD})).await.status(), StatusCode::NO_CONTENT);
        let ended = laptop.send(Method::DELETE, &format!("/api/profile/sessions/{}", phone_row["id"].as_str().expect("id")), None).await;
        assert_eq!(ended.status(), StatusCode::NO_CONTENT);
        assert_eq!(me(&phone).await, StatusCode::UNAUTHORIZED);
        assert_eq!(me(&laptop).await, StatusCode::OK);
    }

    async fn ses_08_an_admin_can_end_everyones_sessions(app) {
        let admin = app.signed_in("root", Role::Admin).await;
        let alice = app.signed_in("alice", Role::User).await;
        let bob = app.signed_in("bob", Role::User).await;
        let response = admin.post("/api/admin/sessions/end-all", json!({})).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(me(&alice).await, StatusCode::UNAUTHORIZED);
        assert_eq!(me(&bob).await, StatusCode::UNAUTHORIZED);
        assert_eq!(me(&admin).await, StatusCode::OK, "the admin keeps their own session");
    }

    async fn ses_09_authenticated_answers_are_never_cached(app) {
        let browser = app.signed_in("alice", Role::User).await;
        for path in ["/api/auth/me", "/api/profile/sessions", "/api/profile/login-history", "/profile/security", "/"] {
            let response = browser.get(path).await;
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            assert_eq!(response.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"), "{path}");
        }
        let page = browser.get("/profile/security").await.text().await.expect("html");
        assert!(page.contains("historyCacheSize\":0"), "htmx keeps no history snapshots of financial pages");
    }

    async fn the_security_page_works_without_javascript(app) {
        app.account("alice", PASSWORD, Role::User).await;
        let browser = app.browser().await;
        let form = [("username", "alice"), ("password", PASSWORD), ("next", "/profile/security"), ("csrf_token", browser.csrf.as_str())];
        let signed_in = browser.client.post(browser.url("/login")).form(&form).send().await.expect("post");
        assert_eq!(signed_in.status(), StatusCode::SEE_OTHER);
        assert_eq!(signed_in.headers().get("location").and_then(|v| v.to_str().ok()), Some("/profile/security"));
        let page = browser.get("/profile/security").await;
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.expect("html");
        assert!(html.contains("This device") || html.contains("this device"), "the current session is marked");
        let csrf = browser.cookie("bt_csrf_token").expect("csrf cookie");
        let out = browser.client.post(browser.url("/logout")).form(&[("csrf_token", csrf.as_str())]).send().await.expect("post");
        assert_eq!(out.status(), StatusCode::SEE_OTHER);
        assert_eq!(me(&browser).await, StatusCode::UNAUTHORIZED);
        let back = browser.get("/profile/security").await;
        assert_eq!(back.status(), StatusCode::SEE_OTHER, "signed out: sent to the sign-in page");
    }

    async fn wrong_credentials_on_the_sign_in_page_keep_the_username(app) {
        app.account("alice", PASSWORD, Role::User).await;
        let browser = app.browser().await;
        let form = [("username", "alice"), ("password", "not it at all"), ("csrf_token", browser.csrf.as_str())];
        let response = browser.client.post(browser.url("/login")).form(&form).send().await.expect("post");
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let html = response.text().await.expect("html");
        assert!(html.contains("Wrong username or password"));
        assert!(html.contains("value=\"alice\""), "the typed username is kept");
    }
}

app_tests! {
    @with spawn_https;

    async fn ses_02_with_https_the_cookies_are_secure_and_host_prefixed(app) {
        app.account("alice", PASSWORD, Role::User).await;
        let browser = app.browser().await;
        let response = browser.post("/api/auth/login", json!({"username": "alice", "password": PASSWORD})).await;
        assert_eq!(response.status(), StatusCode::OK);
        let session = set_cookies(&response);
        assert!(
            session.iter().any(|c| c.starts_with("__Host-bt_session=") && c.contains("Secure") && c.contains("HttpOnly") && !c.contains("Domain")),
            "{session:?}"
        );
        let tokens = app.client.get(app.url("/api/auth/csrf-token")).send().await.expect("get");
        let cookies = set_cookies(&tokens);
        assert!(cookies.iter().any(|c| c.starts_with("__Host-bt_csrf_token=") && c.contains("Secure") && c.contains("Path=/")), "{cookies:?}");
        assert!(tokens.headers().get("strict-transport-security").is_some_and(|v| v.to_str().unwrap_or("").contains("max-age=31536000")));
    }
}

fn hex_sha256(value: &str) -> String {
    Sha256::digest(value.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

app_tests! {
    async fn the_cleanup_job_removes_ended_sessions_once_per_lease(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let token = browser.cookie("bt_session").expect("cookie");
        app.clock.advance(Duration::hours(3));
        let interval = std::time::Duration::from_secs(3600);
        let removed = service::jobs::cleanup_once(&app.app, "instance-a", interval).await.expect("cleanup");
        assert_eq!(removed, Some(1));
        assert_eq!(service::jobs::cleanup_once(&app.app, "instance-b", interval).await.expect("cleanup"), None, "another instance holds the lease");
        assert!(app.app.store.session_by_token_hash(&hex_sha256(&token)).await.expect("lookup").is_none());
    }
}

app_tests! {
    async fn the_password_form_changes_the_password_and_keeps_this_browser_signed_in(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let csrf = browser.cookie("bt_csrf_token").expect("csrf cookie");
        let wrong = [("current_password", "not my password"), ("new_password", "a new long passphrase"), ("csrf_token", csrf.as_str())];
        let refused = browser.client.post(browser.url("/profile/password")).form(&wrong).send().await.expect("post");
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        assert!(refused.text().await.expect("html").contains("current password"), "the form says what was wrong");
        let form = [("current_password", PASSWORD), ("new_password", "a new long passphrase"), ("csrf_token", csrf.as_str())];
        let changed = browser.client.post(browser.url("/profile/password")).form(&form).send().await.expect("post");
        assert_eq!(changed.status(), StatusCode::SEE_OTHER);
        assert_eq!(me(&browser).await, StatusCode::OK, "this browser got the rotated session");
        let mut other = app.browser().await;
        assert_eq!(other.login("alice", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(other.login("alice", "a new long passphrase").await.status(), StatusCode::OK);
    }
}
