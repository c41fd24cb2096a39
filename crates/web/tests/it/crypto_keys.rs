//! CRY-01…04: what is encrypted at rest, what tampering does, key rotation (complete and
//! interrupted), and the randomness of session and CSRF tokens. Observed the way an operator or
//! an attacker with a copy of the database would: the raw database text, the key file, and the
//! JSON API.

use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::user::Role;
use reqwest::StatusCode;
use serde_json::Value;
use service::crypto::Keyring;
use service::random::OsRandom;
use testkit::TestEngine;
use tokio::sync::oneshot;

use crate::app_tests;
use crate::support::{Browser, PASSWORD, Spawn, TestApp, spawn_with};

/// A user agent that `device::describe` names ("Firefox on Linux"), so a decrypted value is
/// visible in the API, carrying a marker that appears nowhere else.
const UA_MARKER: &str = "Canary-Agent/7.3 unique-ua-marker";
const USER_AGENT: &str = "Mozilla/5.0 (X11; Linux x86_64; Canary-Agent/7.3 unique-ua-marker) Gecko/20100101 Firefox/128.0";
const DEVICE: &str = "Firefox on Linux";
const CLIENT_IP: &str = "198.51.100.77";
const WRONG_PASSWORD: &str = "Wrong-Guess-Passphrase-0815";

/// The test server behind a trusted proxy on loopback, so `X-Forwarded-For` sets the client IP.
async fn spawn_behind_proxy(engine: TestEngine) -> Option<TestApp> {
    spawn_with(
        engine,
        Spawn {
            env: vec![("TRUSTED_PROXIES", "127.0.0.1".into())],
            ..Default::default()
        },
    )
    .await
}

/// A browser with its own jar that sends `user_agent` and `X-Forwarded-For: forwarded_for`.
async fn browser_as(app: &TestApp, user_agent: &str, forwarded_for: &str) -> Browser {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert("x-forwarded-for", forwarded_for.parse().expect("header"));
    let jar = Arc::new(reqwest::cookie::Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .user_agent(user_agent)
        .default_headers(headers)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    let mut browser = Browser {
        client,
        jar,
        base: format!("http://{}", app.addr),
        csrf: String::new(),
    };
    browser.refresh_csrf().await;
    browser
}

async fn json_ok(browser: &Browser, path: &str) -> Value {
    let response = browser.get(path).await;
    assert_eq!(response.status(), StatusCode::OK, "GET {path}");
    response.json().await.expect("json")
}

/// Every place `needle` occurs in `haystack`, with some context, for failure messages.
fn occurrences(haystack: &str, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(at) = haystack[from..].find(needle) {
        let at = from + at;
        let mut start = at.saturating_sub(80);
        while !haystack.is_char_boundary(start) {
            start -= 1;
        }
        let mut end = (at + needle.len() + 40).min(haystack.len());
        while !haystack.is_char_boundary(end) {
            end += 1;
        }
        found.push(haystack[start..end].replace(|c: char| c.is_control(), "·"));
        from = at + needle.len();
    }
    found
}

/// The key ids named by every `v1.<8 hex>.` ciphertext in `text`.
fn ciphertext_key_ids(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut ids = Vec::new();
    for (at, _) in text.match_indices("v1.") {
        let id = &bytes[at + 3..(at + 12).min(bytes.len())];
        if id.len() == 9
            && id[8] == b'.'
            && id[..8]
                .iter()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        {
            ids.push(String::from_utf8_lossy(&id[..8]).into_owned());
        }
    }
    ids
}

/// Signs `username` in from the distinctive client (after one failed attempt), as CRY-01 needs.
async fn sign_in_from_the_canary_client(app: &TestApp, username: &str) -> Browser {
    app.account(username, PASSWORD, Role::User).await;
    let mut browser = browser_as(app, USER_AGENT, CLIENT_IP).await;
    assert_eq!(
        browser.login(username, WRONG_PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        browser.login(username, PASSWORD).await.status(),
        StatusCode::OK
    );
    browser
}

/// The sessions list and the login history show the canary client's IP and device.
async fn assert_api_shows_the_canary_client(browser: &Browser) {
    let sessions = json_ok(browser, "/api/profile/sessions").await;
    let current = sessions
        .as_array()
        .expect("array")
        .iter()
        .find(|s| s["current"] == true)
        .unwrap_or_else(|| panic!("the current session is listed: {sessions}"));
    assert_eq!(current["ip"], CLIENT_IP, "{sessions}");
    assert_eq!(current["device"], DEVICE, "{sessions}");

    let history = json_ok(browser, "/api/profile/login-history").await;
    let entries = history.as_array().expect("array");
    for success in [true, false] {
        let entry = entries
            .iter()
            .find(|e| e["success"] == success)
            .unwrap_or_else(|| panic!("a sign-in with success={success}: {history}"));
        assert_eq!(entry["ip"], CLIENT_IP, "{history}");
        assert_eq!(entry["device"], DEVICE, "{history}");
    }
}

/// A second server on the same database and clock, with `keyring` (what a restart after
/// re-opening the key would run). Returns its base URL and the switch that stops it.
async fn serve_with_keyring(app: &TestApp, keyring: Keyring) -> (String, oneshot::Sender<()>) {
    let second = service::App::with(
        app.app.store.clone(),
        (*app.app.config).clone(),
        keyring,
        Arc::new(app.clock.clone()),
        Arc::new(OsRandom),
    );
    let server = web::Server::bind(
        "127.0.0.1:0".parse().expect("addr"),
        web::AppState::new(second),
    )
    .await
    .expect("bind");
    let addr = server.local_addr().expect("addr");
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(server.run(
        async move {
            let _ = stopped.await;
        },
        Duration::from_secs(1),
    ));
    (format!("http://{addr}"), stop)
}

/// The same browser (same jar, same cookies) talking to another server.
fn same_browser_at(browser: &Browser, base: &str) -> Browser {
    Browser {
        client: browser.client.clone(),
        jar: browser.jar.clone(),
        base: base.to_owned(),
        csrf: browser.csrf.clone(),
    }
}

fn key_file_ids(app: &TestApp) -> Vec<String> {
    let path = service::crypto::key_file_path(&app.app.config.data_dir);
    let text = std::fs::read_to_string(&path).expect("key file");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split_once(':').expect("<id>:<hex>").0.to_owned())
        .collect()
}

async fn stored_key_ids(app: &TestApp) -> Vec<String> {
    app.app
        .store
        .encrypted_cells()
        .await
        .expect("cells")
        .iter()
        .map(|cell| {
            service::crypto::ciphertext_key_id(&cell.value)
                .unwrap_or_else(|| panic!("{}.{} is not ciphertext", cell.table, cell.column))
                .to_owned()
        })
        .collect()
}

/// Flips one base64url character in the middle of a ciphertext's body.
fn flip_a_character(ciphertext: &str) -> String {
    let (head, body) = ciphertext.rsplit_once('.').expect("v1.<id>.<body>");
    let mut chars: Vec<char> = body.chars().collect();
    let middle = chars.len() / 2;
    chars[middle] = if chars[middle] == 'A' { 'B' } else { 'A' };
    format!("{head}.{}", chars.into_iter().collect::<String>())
}

app_tests! {
    @with spawn_behind_proxy;

    async fn cry_01_user_agent_session_token_and_password_never_reach_the_database(app) {
        let browser = sign_in_from_the_canary_client(&app, "alice").await;
        assert_api_shows_the_canary_client(&browser).await;
        let token = browser.cookie("bt_session").expect("session cookie");

        let dump = app.db.dump_text().await;
        assert!(!dump.is_empty());
        assert!(
            dump.contains("v1."),
            "the encrypted columns hold ciphertext"
        );
        for (what, secret) in [
            ("user agent", UA_MARKER),
            ("session cookie", token.as_str()),
            ("password", PASSWORD),
            ("wrong password", WRONG_PASSWORD),
        ] {
            assert!(
                !dump.contains(secret),
                "the {what} is stored in plaintext: {:?}",
                occurrences(&dump, secret)
            );
        }
    }

    async fn cry_01_the_encrypted_session_and_history_columns_hold_no_plaintext(app) {
        let browser = sign_in_from_the_canary_client(&app, "alice").await;
        assert_api_shows_the_canary_client(&browser).await;
        let cells = app.app.store.encrypted_cells().await.expect("cells");
        let columns: Vec<_> = cells
            .iter()
            .filter(|c| c.table != "settings")
            .map(|c| (c.table, c.column))
            .collect();
        for expected in [
            ("sessions", "ip_enc"),
            ("sessions", "user_agent_enc"),
            ("login_history", "ip_enc"),
            ("login_history", "user_agent_enc"),
        ] {
            assert!(columns.contains(&expected), "{expected:?} in {columns:?}");
        }
        for cell in &cells {
            assert!(
                service::crypto::ciphertext_key_id(&cell.value).is_some()
                    && !cell.value.contains(CLIENT_IP)
                    && !cell.value.contains(UA_MARKER),
                "{}.{} of {}: {}",
                cell.table,
                cell.column,
                cell.row,
                cell.value
            );
        }
    }

    async fn cry_02_tampered_or_swapped_ciphertexts_show_as_absent_and_the_server_keeps_serving(app) {
        let user = app.account("alice", PASSWORD, Role::User).await;
        let mut first = browser_as(&app, USER_AGENT, "198.51.100.1").await;
        assert_eq!(first.login("alice", PASSWORD).await.status(), StatusCode::OK);
        let mut second = browser_as(&app, USER_AGENT, "198.51.100.2").await;
        assert_eq!(second.login("alice", PASSWORD).await.status(), StatusCode::OK);

        let rows = app.app.store.sessions_of(user.id).await.expect("sessions");
        assert_eq!(rows.len(), 2);
        let (a, b) = (&rows[0], &rows[1]);
        let a_ua = a.user_agent_enc.clone().expect("ua a");
        let b_ua = b.user_agent_enc.clone().expect("ua b");
        assert_ne!(a_ua, b_ua, "the same plaintext twice gives different ciphertexts");
        let a_ip = a.ip_enc.clone().expect("ip a");
        let b_ip = b.ip_enc.clone().expect("ip b");

        // Swap the IPs of the two sessions: each value is authentic, just in the wrong row.
        app.app.store.tamper_for_tests(&format!("UPDATE sessions SET ip_enc = '{b_ip}' WHERE id = '{}'", a.id)).await;
        app.app.store.tamper_for_tests(&format!("UPDATE sessions SET ip_enc = '{a_ip}' WHERE id = '{}'", b.id)).await;
        // Move session b's IP ciphertext into its own user-agent column.
        app.app.store.tamper_for_tests(&format!("UPDATE sessions SET user_agent_enc = '{b_ip}' WHERE id = '{}'", b.id)).await;
        // Flip one character of session a's user agent.
        let flipped = flip_a_character(&a_ua);
        app.app.store.tamper_for_tests(&format!("UPDATE sessions SET user_agent_enc = '{flipped}' WHERE id = '{}'", a.id)).await;
        let tampered = app.app.store.sessions_of(user.id).await.expect("sessions");
        let now_a = tampered.iter().find(|s| s.id == a.id).expect("a");
        let now_b = tampered.iter().find(|s| s.id == b.id).expect("b");
        assert_eq!(now_a.ip_enc.as_deref(), Some(b_ip.as_str()), "the tampering took effect");
        assert_eq!(now_b.user_agent_enc.as_deref(), Some(b_ip.as_str()), "the tampering took effect");
        assert_eq!(now_a.user_agent_enc.as_deref(), Some(flipped.as_str()), "the tampering took effect");

        for browser in [&first, &second] {
            let response = browser.get("/api/profile/sessions").await;
            assert_eq!(response.status(), StatusCode::OK);
            let list: Value = response.json().await.expect("json");
            let list = list.as_array().expect("array");
            assert_eq!(list.len(), 2);
            for session in list {
                assert_eq!(session["ip"], Value::Null, "a swapped IP never shows the other row's address: {session}");
                assert_eq!(session["device"], "Unknown device", "{session}");
            }
        }

        // Garbage of every shape: still no 500.
        for garbage in ["", "v1.", "v1.zzzzzzzz.", "v1.00000000.AAAA", "v2.00000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "not encrypted at all", "v1.0000000.é"] {
            app.app.store.tamper_for_tests(&format!("UPDATE sessions SET ip_enc = '{garbage}', user_agent_enc = '{garbage}'")).await;
            let response = first.get("/api/profile/sessions").await;
            assert_eq!(response.status(), StatusCode::OK, "with {garbage:?}");
            let list: Value = response.json().await.expect("json");
            assert!(list.as_array().expect("array").iter().all(|s| s["ip"].is_null()), "{garbage:?}: {list}");
        }

        // Login history: the same.
        app.app.store.tamper_for_tests(&format!("UPDATE login_history SET ip_enc = '{a_ip}', user_agent_enc = '{}'", flip_a_character(&b_ua))).await;
        let history = first.get("/api/profile/login-history").await;
        assert_eq!(history.status(), StatusCode::OK);
        let history: Value = history.json().await.expect("json");
        let entries = history.as_array().expect("array");
        assert!(!entries.is_empty());
        for entry in entries {
            assert_eq!(entry["ip"], Value::Null, "{entry}");
            assert_eq!(entry["device"], "Unknown device", "{entry}");
        }

        // The server still serves, and the session itself still works.
        assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
        assert_eq!(first.get("/api/auth/me").await.status(), StatusCode::OK);
        second.refresh_csrf().await;
        assert_eq!(second.send(reqwest::Method::POST, "/api/auth/logout", None).await.status(), StatusCode::NO_CONTENT);
        first.refresh_csrf().await;
        assert_eq!(first.get("/api/profile/sessions").await.status(), StatusCode::OK);
    }

    async fn cry_03_rotation_re_encrypts_everything_and_the_old_key_is_no_longer_needed(app) {
        let browser = sign_in_from_the_canary_client(&app, "alice").await;
        let old = app.app.keyring.current_id().to_owned();
        assert_eq!(key_file_ids(&app), vec![old.clone()]);
        let before = stored_key_ids(&app).await;
        assert!(before.len() >= 7, "canary, 1 session and 2 history rows: {before:?}");
        assert!(before.iter().all(|id| *id == old));

        let count = service::keys::rotate(&app.app.config, &app.app.store, &OsRandom).await.expect("rotate");
        assert_eq!(count, before.len(), "every encrypted cell was re-encrypted");

        let ids = key_file_ids(&app);
        assert_eq!(ids.len(), 1, "the key file holds only the new key: {ids:?}");
        let new = ids[0].clone();
        assert_ne!(new, old);
        let after = stored_key_ids(&app).await;
        assert_eq!(after.len(), before.len());
        assert!(after.iter().all(|id| *id == new), "{after:?}");
        if app.db.database_url.is_some() {
            // The PostgreSQL dump is the live rows (a SQLite file keeps freed pages).
            let dump = app.db.dump_text().await;
            let named = ciphertext_key_ids(&dump);
            assert!(named.len() >= after.len());
            assert!(named.iter().all(|id| *id == new), "old ciphertext left in the dump: {named:?}");
        }

        let (keyring, _) = service::keys::open(&app.app.config, &app.app.store, &OsRandom).await.expect("re-open");
        assert_eq!(keyring.current_id(), new);
        assert!(keyring.previous_ids().is_empty(), "the old key is not needed");
        let (base, stop) = serve_with_keyring(&app, keyring).await;
        assert_api_shows_the_canary_client(&same_browser_at(&browser, &base)).await;
        let _ = stop.send(());
    }

    async fn cry_03_an_interrupted_rotation_still_opens_and_a_second_run_completes_it(app) {
        let browser = sign_in_from_the_canary_client(&app, "alice").await;
        let old = app.app.keyring.current_id().to_owned();

        // The new key was written in front, then the process died before re-encrypting.
        let half = service::crypto::rotate_key_file(&app.app.config.data_dir, &OsRandom).expect("rotate key file");
        let middle = half.current_id().to_owned();
        assert_eq!(key_file_ids(&app), vec![middle.clone(), old.clone()]);

        let (reopened, _) = service::keys::open(&app.app.config, &app.app.store, &OsRandom).await.expect("restart after the crash");
        assert_eq!(reopened.current_id(), middle);
        let (base, stop) = serve_with_keyring(&app, reopened).await;
        let restarted = same_browser_at(&browser, &base);
        assert_api_shows_the_canary_client(&restarted).await;
        // New data is written under the new key meanwhile.
        let mut late = browser_as(&app, USER_AGENT, CLIENT_IP).await;
        late.base = base.clone();
        late.refresh_csrf().await;
        assert_eq!(late.login("alice", PASSWORD).await.status(), StatusCode::OK);
        let _ = stop.send(());
        let mixed = stored_key_ids(&app).await;
        assert!(mixed.contains(&old) && mixed.contains(&middle), "{mixed:?}");

        // Running the rotation again finishes the job.
        let count = service::keys::rotate(&app.app.config, &app.app.store, &OsRandom).await.expect("rotate");
        assert_eq!(count, mixed.len());
        let ids = key_file_ids(&app);
        assert_eq!(ids.len(), 1, "{ids:?}");
        let last = ids[0].clone();
        assert!(last != old && last != middle);
        assert!(stored_key_ids(&app).await.iter().all(|id| *id == last));

        let (keyring, _) = service::keys::open(&app.app.config, &app.app.store, &OsRandom).await.expect("re-open");
        assert_eq!(keyring.current_id(), last);
        let (base, stop) = serve_with_keyring(&app, keyring).await;
        assert_api_shows_the_canary_client(&same_browser_at(&browser, &base)).await;
        let sessions: Value = same_browser_at(&browser, &base).get("/api/profile/sessions").await.json().await.expect("json");
        let sessions = sessions.as_array().expect("array");
        assert_eq!(sessions.len(), 2);
        assert!(sessions.iter().all(|s| s["ip"] == CLIENT_IP && s["device"] == DEVICE), "{sessions:?}");
        let _ = stop.send(());
    }

    async fn cry_03_a_tampered_cell_stops_rotation_without_losing_data(app) {
        let browser = sign_in_from_the_canary_client(&app, "alice").await;
        let user = app.app.store.user_by_username("alice").await.expect("query").expect("alice");
        let rows = app.app.store.sessions_of(user.id).await.expect("sessions");
        let flipped = flip_a_character(rows[0].ip_enc.as_deref().expect("ip"));
        app.app.store.tamper_for_tests(&format!("UPDATE sessions SET ip_enc = '{flipped}' WHERE id = '{}'", rows[0].id)).await;
        let before = app.app.store.encrypted_cells().await.expect("cells");

        let err = service::keys::rotate(&app.app.config, &app.app.store, &OsRandom).await.expect_err("refused");
        let message = err.to_string();
        assert!(message.contains("sessions.ip_enc"), "names the cell: {message}");
        assert_eq!(app.app.store.encrypted_cells().await.expect("cells"), before, "nothing was rewritten");

        // Every intact value still opens with the keys on disk.
        let (keyring, _) = service::keys::open(&app.app.config, &app.app.store, &OsRandom).await.expect("re-open");
        let (base, stop) = serve_with_keyring(&app, keyring).await;
        let history: Value = same_browser_at(&browser, &base).get("/api/profile/login-history").await.json().await.expect("json");
        assert!(history.as_array().expect("array").iter().all(|e| e["ip"] == CLIENT_IP), "{history}");
        let _ = stop.send(());
    }

    async fn cry_04_session_and_csrf_tokens_carry_256_random_bits_and_never_repeat(app) {
        app.account("alice", PASSWORD, Role::User).await;
        let mut tokens = Vec::new();
        let mut csrf_nonces = Vec::new();
        for _ in 0..3 {
            let mut browser = app.browser().await;
            let anonymous = browser.csrf.clone();
            assert_eq!(browser.login("alice", PASSWORD).await.status(), StatusCode::OK);
            let token = browser.cookie("bt_session").expect("session cookie");
            assert!(token.len() >= 43, "{token}");
            let raw = URL_SAFE_NO_PAD.decode(&token).expect("base64url");
            assert!(raw.len() >= 32, "{} bytes", raw.len());
            assert!(uuid::Uuid::parse_str(&token).is_err(), "not a UUID");
            tokens.push(token);
            for csrf in [anonymous, browser.csrf.clone()] {
                let (nonce, tag) = csrf.split_once('.').expect("<random>.<mac>");
                let raw = URL_SAFE_NO_PAD.decode(nonce).expect("base64url");
                assert!(raw.len() >= 32, "CSRF random part {} bytes", raw.len());
                assert!(URL_SAFE_NO_PAD.decode(tag).expect("mac").len() >= 32);
                csrf_nonces.push(nonce.to_owned());
            }
        }
        let distinct = |items: &[String]| items.iter().collect::<std::collections::BTreeSet<_>>().len();
        assert_eq!(distinct(&tokens), tokens.len(), "every sign-in gets its own token: {tokens:?}");
        assert_eq!(distinct(&csrf_nonces), csrf_nonces.len(), "every CSRF token is new: {csrf_nonces:?}");
        // Not a counter or a timestamp: tokens differ in most of their characters.
        let same = tokens[0].chars().zip(tokens[1].chars()).filter(|(a, b)| a == b).count();
        assert!(same < 10, "{} of 43 characters in common", same);
    }
}

/// CRY-03 with `TOKEN_ENCRYPTION_KEY`: the operator sets the new key and the old one as
/// previous, runs the rotation, then the new key alone opens everything.
mod cry_03_rotation_with_the_environment_key {
    use super::*;

    const KEY_A: &str = "first-environment-key-for-rotation-0001";
    const KEY_B: &str = "second-environment-key-for-rotation-0002";

    async fn spawn_with_key_a(engine: TestEngine) -> Option<TestApp> {
        spawn_with(
            engine,
            Spawn {
                env: vec![
                    ("TRUSTED_PROXIES", "127.0.0.1".into()),
                    ("TOKEN_ENCRYPTION_KEY", KEY_A.into()),
                ],
                ..Default::default()
            },
        )
        .await
    }

    fn config_with(app: &TestApp, pairs: &[(&str, &str)]) -> service::Config {
        let mut env = std::collections::BTreeMap::new();
        env.insert("LISTEN".to_owned(), "127.0.0.1:0".to_owned());
        env.insert(
            "DATA_DIR".to_owned(),
            app.db.dir.path().display().to_string(),
        );
        if let Some(url) = &app.db.database_url {
            env.insert("DATABASE_URL".to_owned(), url.clone());
        }
        env.insert("TRUSTED_PROXIES".to_owned(), "127.0.0.1".to_owned());
        for (k, v) in pairs {
            env.insert((*k).to_owned(), (*v).to_owned());
        }
        service::Config::from_sources(None, &env).expect("config")
    }

    app_tests! {
        @with spawn_with_key_a;

        async fn all_cells_move_to_the_new_key(app) {
            let browser = sign_in_from_the_canary_client(&app, "alice").await;
            let old = app.app.keyring.current_id().to_owned();
            assert!(
                !service::crypto::key_file_path(&app.app.config.data_dir).exists(),
                "no key file is written when the key comes from the environment"
            );

            let only_b = config_with(&app, &[("TOKEN_ENCRYPTION_KEY", KEY_B)]);
            let refused = service::keys::open(&only_b, &app.app.store, &OsRandom).await;
            assert!(
                refused.is_err(),
                "key B alone does not open data under key A"
            );

            let rotating = config_with(
                &app,
                &[
                    ("TOKEN_ENCRYPTION_KEY", KEY_B),
                    ("TOKEN_ENCRYPTION_KEY_PREVIOUS", KEY_A),
                ],
            );
            assert!(
                rotating.token_encryption_key_previous.is_some(),
                "TOKEN_ENCRYPTION_KEY_PREVIOUS is read from the environment"
            );
            let count = service::keys::rotate(&rotating, &app.app.store, &OsRandom)
                .await
                .expect("rotate");
            assert!(count >= 7, "{count}");
            let ids = stored_key_ids(&app).await;
            assert!(!ids.contains(&old), "{ids:?}");

            let (keyring, _) = service::keys::open(&only_b, &app.app.store, &OsRandom)
                .await
                .expect("key B alone opens everything now");
            assert!(ids.iter().all(|id| id == keyring.current_id()));
            let (base, stop) = serve_with_keyring(&app, keyring).await;
            assert_api_shows_the_canary_client(&same_browser_at(&browser, &base)).await;
            let _ = stop.send(());
        }
    }
}

app_tests! {
    @with spawn_behind_proxy;

    /// CRY-01: the sign-in IP is nowhere in plaintext but the audit log, which keeps it on
    /// purpose (docs/security.md, "Decisions": the hash-chained record of "from where"). Read
    /// table by table on both engines (a SQLite file cannot be split by table, so its rows are
    /// read through SQL); the tables that hold the IP encrypted must be there and hold it.
    async fn cry_01_the_client_ip_is_in_plaintext_only_in_the_audit_log(app) {
        let browser = sign_in_from_the_canary_client(&app, "alice").await;
        assert_api_shows_the_canary_client(&browser).await;
        let elsewhere = app.db.rows_except(&["audit_log"]).await;
        assert!(!elsewhere.contains(CLIENT_IP), "the login IP is stored in plaintext: {:#?}", occurrences(&elsewhere, CLIENT_IP));
        for table in ["sessions", "login_history"] {
            let rows = elsewhere.split(&format!("== {table}\n")).nth(1).unwrap_or_else(|| panic!("table {table} was read"));
            let rows = rows.split("\n== ").next().unwrap_or_default();
            assert!(rows.contains("'v1."), "{table} holds the sign-in, its IP encrypted: {rows}");
        }
        let everything = app.db.rows_except(&[]).await;
        assert!(everything.contains(CLIENT_IP), "the audit log records where sign-ins came from");
    }
}
