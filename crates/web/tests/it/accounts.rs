//! Accounts, as a user or an attacker meets them through HTTP: how passwords are stored and
//! which are accepted (AUTH-01..04), changing one's password (AUTH-05), what a failed sign-in
//! reveals (AUTH-06), first start and single-user mode (AUTH-09), the soft lockout (AUTH-10),
//! rate limits (RL-01..03), mass assignment (AZ-03/04), field filtering (AZ-05), and the admin
//! API with its audit log (AZ-06).
//!
//! Every response body read here goes through [`reply`], which fails the test if it reveals a
//! password hash, a token hash or a ciphertext blob (AZ-05).

use std::time::{Duration, Instant};

use domain::user::Role;
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use testkit::TestEngine;

use crate::app_tests;
use crate::support::{Browser, PASSWORD, Spawn, TestApp, spawn_with};

/// A new password that passes the policy.
pub(crate) const NEW_PASSWORD: &str = "a brand new passphrase for spring";
/// A wrong guess for any account.
pub(crate) const WRONG: &str = "wrong horse battery staple";

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// A response, read once: status, headers and body (parsed as JSON when it is JSON).
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) headers: HeaderMap,
    pub(crate) text: String,
    pub(crate) json: Value,
}

impl Reply {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `Retry-After` in seconds (panics when missing or not a number).
    pub(crate) fn retry_after(&self) -> u64 {
        self.header("retry-after")
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("Retry-After seconds on {}: {}", self.status, self.text))
    }
}

/// Reads a response and checks its body reveals no secret (AZ-05).
pub(crate) async fn reply(response: reqwest::Response) -> Reply {
    let status = response.status();
    let headers = response.headers().clone();
    let path = response.url().path().to_owned();
    let text = response.text().await.expect("body");
    let json: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    assert_no_secrets(&text, &json, &format!("{status} from {path}"));
    Reply {
        status,
        headers,
        text,
        json,
    }
}

/// AZ-05: no password hash, token hash or encrypted field ever leaves the server. A 422 that
/// names a refused input field (`unknown field \`password_hash\``) only echoes the caller's own
/// field name, so that name is removed before scanning.
fn assert_no_secrets(text: &str, json: &Value, what: &str) {
    let mut scanned = text.to_owned();
    if let Some(field) = json["field"].as_str() {
        scanned = scanned
            .replace(&format!("{field}: "), "")
            .replace(&format!("`{field}`"), "")
            .replace(&format!("\"field\":\"{field}\""), "");
    }
    for needle in [
        "password_hash",
        "$argon2",
        "$2a$",
        "$2b$",
        "$2y$",
        "token_hash",
    ] {
        assert!(
            !scanned.contains(needle),
            "{what} reveals `{needle}`: {text}"
        );
    }
    assert_eq!(
        ciphertext_in(&scanned),
        None,
        "{what} reveals an encrypted field: {text}"
    );
}

/// The first `v1.<8 hex>.` (the encrypted-field format) in `text`.
fn ciphertext_in(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    text.match_indices("v1.").find_map(|(i, _)| {
        let id = bytes.get(i + 3..i + 11)?;
        (id.iter().all(u8::is_ascii_hexdigit) && bytes.get(i + 11) == Some(&b'.'))
            .then(|| text[i..(i + 20).min(text.len())].to_owned())
    })
}

/// Sends a request as `browser` (with its CSRF token on unsafe methods), optionally as if
/// forwarded for `ip` by a proxy.
pub(crate) async fn call(
    browser: &Browser,
    method: Method,
    path: &str,
    body: Option<Value>,
    ip: Option<&str>,
) -> Reply {
    let unsafe_method = method != Method::GET && method != Method::HEAD;
    let mut request = browser.client.request(method, browser.url(path));
    if unsafe_method {
        request = request.header("x-csrf-token", &browser.csrf);
    }
    if let Some(ip) = ip {
        request = request.header("x-forwarded-for", ip);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    reply(request.send().await.expect("request")).await
}

pub(crate) async fn get(browser: &Browser, path: &str) -> Reply {
    call(browser, Method::GET, path, None, None).await
}

pub(crate) async fn post(browser: &Browser, path: &str, body: Value) -> Reply {
    call(browser, Method::POST, path, Some(body), None).await
}

async fn patch(browser: &Browser, path: &str, body: Value) -> Reply {
    call(browser, Method::PATCH, path, Some(body), None).await
}

async fn delete(browser: &Browser, path: &str) -> Reply {
    call(browser, Method::DELETE, path, None, None).await
}

/// Signs in through the JSON API from `ip` (through the trusted proxy) or directly; keeps the
/// new CSRF token on success.
pub(crate) async fn login(
    browser: &mut Browser,
    ip: Option<&str>,
    username: &str,
    password: &str,
) -> Reply {
    let answer = call(
        browser,
        Method::POST,
        "/api/auth/login",
        Some(json!({"username": username, "password": password})),
        ip,
    )
    .await;
    if answer.status == StatusCode::OK {
        answer.json["csrf_token"]
            .as_str()
            .expect("csrf_token")
            .clone_into(&mut browser.csrf);
    }
    answer
}

/// A browser signed in as a new administrator `root`.
pub(crate) async fn admin(app: &TestApp) -> Browser {
    app.signed_in("root", Role::Admin).await
}

async fn create_user(admin: &Browser, username: &str, password: &str) -> Reply {
    post(
        admin,
        "/api/admin/users",
        json!({"username": username, "password": password}),
    )
    .await
}

pub(crate) async fn stored(app: &TestApp, username: &str) -> store::users::UserRow {
    app.app
        .store
        .user_by_username(username)
        .await
        .expect("store")
        .unwrap_or_else(|| panic!("account {username} exists"))
}

async fn exists(app: &TestApp, username: &str) -> bool {
    app.app
        .store
        .user_by_username(username)
        .await
        .expect("store")
        .is_some()
}

/// Audit entries with `action`, newest first, as an admin sees them.
pub(crate) async fn audit(admin: &Browser, action: &str) -> Vec<Value> {
    let page = get(admin, &format!("/api/admin/audit-log?action={action}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.text);
    assert_eq!(page.json["chain_intact"], true);
    page.json["entries"].as_array().cloned().unwrap_or_default()
}

/// (m, t, p) of an Argon2 PHC string.
fn argon2_params(phc: &str) -> (u32, u32, u32) {
    let parsed = argon2::password_hash::PasswordHash::new(phc).expect("PHC string");
    let params = argon2::Params::try_from(&parsed).expect("params");
    (params.m_cost(), params.t_cost(), params.p_cost())
}

/// AUTH-01: the stored string is Argon2id v19 with at least OWASP's parameters.
fn assert_current_argon2id(phc: &str) {
    assert!(phc.starts_with("$argon2id$v=19$"), "{phc}");
    let (m, t, p) = argon2_params(phc);
    assert!(
        (t == 2 && m >= 19_456) || (t == 1 && m >= 47_104) || (t > 2 && m >= 19_456),
        "m={m} t={t}"
    );
    assert!(p >= 1, "p={p}");
}

/// A quick Argon2id hash with weak parameters (m = 4096 KiB, t = 1), as an old version made.
fn weak_argon2id(password: &str) -> String {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let params = argon2::Params::new(4096, 1, 1, None).expect("params");
    let salt = SaltString::encode_b64(b"an old salt 1234").expect("salt");
    argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password(password.as_bytes(), &salt)
        .expect("hash")
        .to_string()
}

/// Headers that must not differ between two refusals: all but the per-response ones, with the
/// per-request CSP nonce blanked.
fn comparable_headers(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = headers
        .iter()
        .filter(|(name, _)| !matches!(name.as_str(), "date" | "x-request-id" | "content-length"))
        .map(|(name, value)| {
            let value = value.to_str().unwrap_or("<binary>");
            (name.as_str().to_owned(), blank_nonces(value))
        })
        .collect();
    out.sort();
    out
}

fn blank_nonces(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(i) = rest.find("'nonce-") {
        out.push_str(&rest[..i]);
        out.push_str("'nonce-*'");
        let after = &rest[i + 7..];
        rest = after.find('\'').map_or("", |end| &after[end + 1..]);
    }
    out.push_str(rest);
    out
}

/// A problem body without its per-request id (when it has one).
fn without_request_id(body: &Value) -> Value {
    let mut body = body.clone();
    if let Some(map) = body.as_object_mut() {
        map.remove("request_id");
    }
    body
}

pub(crate) fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

/// Every `/api/admin` route from the router's own table, with `{id}` filled in and a body
/// that would do harm if it were accepted.
fn admin_routes(id: &str) -> Vec<(Method, String, Option<Value>)> {
    let routes: Vec<_> = web::router::route_specs()
        .into_iter()
        .filter(|spec| spec.path.starts_with("/api/admin"))
        .map(|spec| {
            let method = Method::from_bytes(spec.method.as_bytes()).expect("method");
            let body = match (spec.method, spec.path) {
                ("POST", "/api/admin/users") => Some(json!({
                    "username": "intruder",
                    "password": "an intruder passphrase",
                    "role": "admin",
                })),
                ("PATCH", _) => Some(json!({"role": "admin"})),
                ("POST", path) if path.ends_with("/password") => {
                    Some(json!({"password": "a takeover passphrase"}))
                }
                _ => None,
            };
            (method, spec.path.replace("{id}", id), body)
        })
        .collect();
    assert!(
        routes.len() >= 9,
        "list, create, get, patch, delete, reset password, end sessions, end-all, audit-log: {routes:?}"
    );
    routes
}

pub(crate) async fn spawn_behind_proxy(engine: TestEngine) -> Option<TestApp> {
    spawn_with(
        engine,
        Spawn {
            env: vec![("TRUSTED_PROXIES", "127.0.0.1".into())],
            extra: None,
        },
    )
    .await
}

async fn spawn_single_user(engine: TestEngine) -> Option<TestApp> {
    spawn_with(
        engine,
        Spawn {
            env: vec![
                ("SINGLE_USER_MODE", "true".into()),
                ("SINGLE_USER_USERNAME", "solo".into()),
            ],
            extra: None,
        },
    )
    .await
}

const BOOTSTRAP_PASSWORD: &str = "a long first-start passphrase";

async fn spawn_with_bootstrap_admin(engine: TestEngine) -> Option<TestApp> {
    spawn_with(
        engine,
        Spawn {
            env: vec![
                ("BOOTSTRAP_ADMIN_USERNAME", "owner".into()),
                ("BOOTSTRAP_ADMIN_PASSWORD", BOOTSTRAP_PASSWORD.into()),
            ],
            extra: None,
        },
    )
    .await
}

/// A fresh one-time setup token (the one made at spawn was only logged).
pub(crate) async fn setup_token(app: &TestApp) -> String {
    match service::setup::bootstrap(&app.app)
        .await
        .expect("bootstrap")
    {
        service::setup::Bootstrap::SetupLink { url } => url
            .split_once("token=")
            .map(|(_, token)| token.to_owned())
            .expect("token in the link"),
        other => panic!("expected a setup link, got {other:?}"),
    }
}

/// Submits the setup form the way the page does (CSRF token as a form field).
pub(crate) async fn submit_setup(
    browser: &Browser,
    token: &str,
    username: &str,
    password: &str,
) -> Reply {
    let form = [
        ("token", token),
        ("username", username),
        ("display_name", "The Owner"),
        ("password", password),
        ("csrf_token", browser.csrf.as_str()),
    ];
    let response = browser
        .client
        .post(browser.url("/setup"))
        .form(&form)
        .send()
        .await
        .expect("setup");
    reply(response).await
}

// ---------------------------------------------------------------------------------------------
// AUTH-01..04: storage and policy
// ---------------------------------------------------------------------------------------------

app_tests! {
    async fn auth_01_accounts_made_by_an_admin_are_stored_as_argon2id_with_unique_salts(app) {
        let root = admin(&app).await;
        for name in ["alice", "bob"] {
            let created = create_user(&root, name, PASSWORD).await;
            assert_eq!(created.status, StatusCode::CREATED, "{}", created.text);
            assert_eq!(created.json["username"], name);
            assert_eq!(created.json["role"], "user");
        }
        let alice = stored(&app, "alice").await.password_hash.expect("hash");
        let bob = stored(&app, "bob").await.password_hash.expect("hash");
        assert_current_argon2id(&alice);
        assert_current_argon2id(&bob);
        assert_ne!(alice, bob, "the same password must not give the same hash");
        let salt = |phc: &str| {
            argon2::password_hash::PasswordHash::new(phc).expect("phc").salt.expect("salt").as_str().to_owned()
        };
        assert_ne!(salt(&alice), salt(&bob), "each hash has its own salt");
        assert!(salt(&alice).len() >= 22, "at least 16 salt bytes");

        let mut browser = app.browser().await;
        assert_eq!(login(&mut browser, None, "alice", PASSWORD).await.status, StatusCode::OK);
    }

    async fn auth_02_a_weak_argon2id_hash_is_upgraded_when_the_user_signs_in(app) {
        let user = app.account("legacy", PASSWORD, Role::User).await;
        let weak = weak_argon2id(PASSWORD);
        assert!(weak.contains("m=4096,t=1,p=1"), "{weak}");
        app.app.store.set_password_hash(user.id, &weak, app.app.now()).await.expect("seed");

        let mut browser = app.browser().await;
        let refused = login(&mut browser, None, "legacy", WRONG).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
        assert_eq!(stored(&app, "legacy").await.password_hash.as_deref(), Some(weak.as_str()),
            "a wrong password upgrades nothing");

        let signed_in = login(&mut browser, None, "legacy", PASSWORD).await;
        assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.text);
        let upgraded = stored(&app, "legacy").await.password_hash.expect("hash");
        assert_ne!(upgraded, weak);
        assert_current_argon2id(&upgraded);

        let mut again = app.browser().await;
        assert_eq!(login(&mut again, None, "legacy", PASSWORD).await.status, StatusCode::OK,
            "the upgraded hash still verifies the same password");
        assert_eq!(stored(&app, "legacy").await.password_hash, Some(upgraded),
            "a current hash is not rewritten at every sign-in");
    }

    async fn auth_02_a_bcrypt_hash_is_upgraded_to_argon2id_when_the_user_signs_in(app) {
        let user = app.account("imported", PASSWORD, Role::User).await;
        let bcrypt = bcrypt::hash(PASSWORD, 4).expect("bcrypt");
        assert!(bcrypt.starts_with("$2b$04$"));
        app.app.store.set_password_hash(user.id, &bcrypt, app.app.now()).await.expect("seed");

        let mut browser = app.browser().await;
        let wrong = login(&mut browser, None, "imported", &PASSWORD.to_uppercase()).await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        let signed_in = login(&mut browser, None, "imported", PASSWORD).await;
        assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.text);
        assert_current_argon2id(&stored(&app, "imported").await.password_hash.expect("hash"));
    }

    async fn auth_03_a_seven_character_password_is_refused_naming_the_field(app) {
        let root = admin(&app).await;
        let short = create_user(&root, "shorty", "abcdefg").await;
        assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", short.text);
        assert_eq!(short.json["field"], "password");
        assert!(short.json["detail"].as_str().unwrap_or("").contains("at least 8"), "{}", short.text);
        assert!(!exists(&app, "shorty").await);

        let too_long = create_user(&root, "longy", &"q".repeat(257)).await;
        assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(too_long.json["field"], "password");

        let eight = create_user(&root, "eighty", "eight ch").await;
        assert_eq!(eight.status, StatusCode::CREATED, "8 characters are enough: {}", eight.text);

        // The same rule on every way a password is set: admin reset and own change.
        let eighty = stored(&app, "eighty").await;
        let reset = post(&root, &format!("/api/admin/users/{}/password", eighty.id), json!({"password": "abcdefg"})).await;
        assert_eq!(reset.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", reset.text);
        assert_eq!(reset.json["field"], "password");
        let root_hash = stored(&app, "root").await.password_hash;
        let change = post(&root, "/api/auth/password", json!({"current_password": PASSWORD, "new_password": "abcdefg"})).await;
        assert_eq!(change.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", change.text);
        assert_eq!(change.json["field"], "new_password");
        assert_eq!(stored(&app, "eighty").await.password_hash, eighty.password_hash);
        assert_eq!(stored(&app, "root").await.password_hash, root_hash);
    }

    async fn auth_03_long_unicode_passphrases_and_plain_lowercase_are_accepted_and_verified_exactly(app) {
        let root = admin(&app).await;
        let sixty_four: String = "Grüße aus Köln — 東京の夜は静か, и снег идёт 🌙 "
            .chars().cycle().take(64).collect();
        let two_hundred: String = "zwölf Boxkämpfer jagen Viktor quer über den großen Sylter Deich "
            .chars().cycle().take(200).collect();
        let lower = "qzvtmkrwhplxnbdj";
        assert_eq!((sixty_four.chars().count(), two_hundred.chars().count(), lower.len()), (64, 200, 16));
        assert!(sixty_four.contains(' ') && two_hundred.contains(' '));

        for (name, password) in [("pass64", sixty_four.as_str()), ("pass200", two_hundred.as_str()), ("lower16", lower)] {
            let created = create_user(&root, name, password).await;
            assert_eq!(created.status, StatusCode::CREATED, "{name}: {}", created.text);
            let mut browser = app.browser().await;
            assert_eq!(login(&mut browser, None, name, password).await.status, StatusCode::OK, "{name}");
        }

        let truncated = |s: &str| s.chars().take(s.chars().count() - 1).collect::<String>();
        let mut attacker = app.browser().await;
        for (name, variant) in [
            ("pass64", sixty_four.to_uppercase()),
            ("lower16", lower.to_uppercase()),
            ("pass200", truncated(&two_hundred)),
            ("pass64", truncated(&sixty_four)),
            ("lower16", format!("{lower} ")),
        ] {
            let refused = login(&mut attacker, None, name, &variant).await;
            assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{name} with {variant:?}");
        }
    }

    async fn auth_03_a_mebibyte_password_is_refused_quickly_without_being_hashed(app) {
        app.account("target", PASSWORD, Role::User).await;
        let browser = app.browser().await;

        let huge = "a".repeat(1024 * 1024);
        let started = Instant::now();
        let refused = call(&browser, Method::POST, "/api/auth/login",
            Some(json!({"username": "target", "password": huge})), None).await;
        let took = started.elapsed();
        assert!(
            [StatusCode::PAYLOAD_TOO_LARGE, StatusCode::UNPROCESSABLE_ENTITY].contains(&refused.status),
            "{} {}", refused.status, refused.text
        );
        assert!(took < Duration::from_millis(500), "refusing a 1 MiB password took {took:?}");

        // Under the body limit but over the password limit: refused by the handler, unhashed.
        let long = call(&browser, Method::POST, "/api/auth/login",
            Some(json!({"username": "target", "password": "b".repeat(5000)})), None).await;
        assert_eq!(long.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", long.text);
        assert_eq!(long.json["field"], "password");

        let row = stored(&app, "target").await;
        assert_eq!(row.failed_logins, 0, "no password was verified, so no failure was counted");
        let root = admin(&app).await;
        assert!(audit(&root, "login.failure").await.is_empty(), "no sign-in attempt reached verification");
    }

    async fn auth_04_common_and_personal_passwords_are_refused_as_too_common(app) {
        let root = admin(&app).await;
        for password in [
            "password1234",
            "PassWord1234",
            "margaret",
            "Margaret-1990",
            "margaret@example.org",
            "billtracker2026",
            "My BillTracker 2026!",
        ] {
            let refused = post(&root, "/api/admin/users", json!({
                "username": "margaret",
                "email": "margaret@example.org",
                "password": password,
            })).await;
            assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{password}: {}", refused.text);
            assert_eq!(refused.json["field"], "password", "{password}");
            assert!(refused.json["detail"].as_str().unwrap_or("").contains("too common"),
                "{password}: {}", refused.text);
        }
        assert!(!exists(&app, "margaret").await);
        let accepted = post(&root, "/api/admin/users", json!({
            "username": "margaret",
            "email": "margaret@example.org",
            "password": "lantern quietly over the fjord",
        })).await;
        assert_eq!(accepted.status, StatusCode::CREATED, "{}", accepted.text);
    }

    async fn auth_04_a_new_password_built_from_ones_own_name_or_email_is_refused_on_change(app) {
        let user = app.signed_in("hannelore", Role::User).await;
        for new in ["hannelore2026", "hannelore@example.org", "password1234", "billtracker2026"] {
            let refused = call(&user, Method::POST, "/api/auth/password",
                Some(json!({"current_password": PASSWORD, "new_password": new})), None).await;
            assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{new}: {}", refused.text);
            assert_eq!(refused.json["field"], "new_password");
            assert!(refused.json["detail"].as_str().unwrap_or("").contains("too common"), "{}", refused.text);
        }
        // The password stayed; the session too.
        assert_eq!(get(&user, "/api/auth/me").await.status, StatusCode::OK);
        let mut other = app.browser().await;
        assert_eq!(login(&mut other, None, "hannelore", PASSWORD).await.status, StatusCode::OK);
    }
}

// ---------------------------------------------------------------------------------------------
// AUTH-05: password change
// ---------------------------------------------------------------------------------------------

app_tests! {
    async fn auth_05_a_password_change_without_the_right_current_password_is_refused(app) {
        let user = app.signed_in("carol", Role::User).await;
        let before = stored(&app, "carol").await.password_hash;
        for current in ["", WRONG, "Correct horse battery staple"] {
            let refused = post(&user, "/api/auth/password",
                json!({"current_password": current, "new_password": NEW_PASSWORD})).await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "{current:?}: {}", refused.text);
        }
        let missing = post(&user, "/api/auth/password", json!({"new_password": NEW_PASSWORD})).await;
        assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(missing.json["field"], "current_password");

        assert_eq!(stored(&app, "carol").await.password_hash, before, "hash unchanged");
        assert_eq!(get(&user, "/api/auth/me").await.status, StatusCode::OK, "still signed in");
        let mut other = app.browser().await;
        assert_eq!(login(&mut other, None, "carol", NEW_PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    }

    async fn auth_05_a_password_change_ends_other_sessions_keeps_this_one_and_is_audited(app) {
        let mut here = app.signed_in("carol", Role::User).await;
        let mut elsewhere = app.browser().await;
        assert_eq!(login(&mut elsewhere, None, "carol", PASSWORD).await.status, StatusCode::OK);
        let before = stored(&app, "carol").await.password_hash;

        let changed = post(&here, "/api/auth/password",
            json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD})).await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.text);
        assert_eq!(changed.json["user"]["username"], "carol");
        changed.json["csrf_token"].as_str().expect("new CSRF token").clone_into(&mut here.csrf);

        assert_eq!(get(&elsewhere, "/api/auth/me").await.status, StatusCode::UNAUTHORIZED,
            "the other session was ended");
        assert_eq!(get(&here, "/api/auth/me").await.status, StatusCode::OK,
            "this browser continues with its rotated session");
        let unsafe_call = post(&here, "/api/profile/sessions/end-others", json!({})).await;
        assert_eq!(unsafe_call.status, StatusCode::OK, "the new CSRF token works: {}", unsafe_call.text);

        let after = stored(&app, "carol").await.password_hash.expect("hash");
        assert_ne!(Some(after.clone()), before);
        assert_current_argon2id(&after);
        let mut fresh = app.browser().await;
        assert_eq!(login(&mut fresh, None, "carol", PASSWORD).await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(login(&mut fresh, None, "carol", NEW_PASSWORD).await.status, StatusCode::OK);

        let root = admin(&app).await;
        let entries = audit(&root, "password.change").await;
        assert_eq!(entries.len(), 1, "{entries:?}");
        assert_eq!(entries[0]["actor"], "carol");
        assert_eq!(entries[0]["ip"], "127.0.0.1");
    }
}

// ---------------------------------------------------------------------------------------------
// AUTH-06: no user enumeration
// ---------------------------------------------------------------------------------------------

app_tests! {
    async fn auth_06_unknown_users_and_wrong_passwords_get_the_same_answer(app) {
        app.account("victim", PASSWORD, Role::User).await;
        let mut attacker = app.browser().await;
        let wrong_password = login(&mut attacker, None, "victim", WRONG).await;
        let unknown_user = login(&mut attacker, None, "nobody-here", WRONG).await;
        let malformed_user = login(&mut attacker, None, "not a username!", WRONG).await;

        assert_eq!(wrong_password.status, StatusCode::UNAUTHORIZED);
        for other in [&unknown_user, &malformed_user] {
            assert_eq!(other.status, wrong_password.status);
            assert_eq!(without_request_id(&other.json), without_request_id(&wrong_password.json));
            assert_eq!(comparable_headers(&other.headers), comparable_headers(&wrong_password.headers));
        }
        assert!(wrong_password.header("set-cookie").is_none(), "a failed sign-in sets no cookie");
    }
}

// ---------------------------------------------------------------------------------------------
// AUTH-09: first start, no defaults, single-user mode
// ---------------------------------------------------------------------------------------------

app_tests! {
    async fn auth_09_a_fresh_instance_has_no_accounts_and_no_default_admin(app) {
        let browser = app.browser().await;
        let mode = get(&browser, "/api/auth/mode").await;
        assert_eq!(mode.status, StatusCode::OK);
        assert_eq!(mode.json["setup_required"], true);
        assert_eq!(mode.json["mode"], "local");
        assert_eq!(app.app.store.count_users().await.expect("count"), 0);
        assert!(!exists(&app, "admin").await);

        let mut guesser = app.browser().await;
        for (user, password) in [("admin", "admin"), ("admin", "password"), ("admin", "changeme"),
                                 ("admin", ""), ("root", "root"), ("administrator", "admin123")] {
            let answer = login(&mut guesser, None, user, password).await;
            assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{user}/{password}");
        }
        assert_eq!(get(&guesser, "/api/admin/users").await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(app.app.store.count_users().await.expect("count"), 0);
    }

    async fn auth_09_the_setup_link_is_random_works_once_and_makes_the_bootstrap_admin(app) {
        let superseded = setup_token(&app).await;
        let token = setup_token(&app).await;
        assert_eq!(token.len(), 64, "256 bits in hex: {token}");
        assert!(token.chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(token, superseded);

        let browser = app.browser().await;
        for bad in ["nonsense", superseded.as_str(), "", &token[..63]] {
            let page = get(&browser, &format!("/setup?token={bad}")).await;
            assert_eq!(page.status, StatusCode::NOT_FOUND, "token {bad:?}");
        }
        let refused = submit_setup(&browser, &superseded, "mallory", "a sturdy first passphrase").await;
        assert_eq!(refused.status, StatusCode::NOT_FOUND, "{}", refused.text);
        assert!(!exists(&app, "mallory").await);

        let page = get(&browser, &format!("/setup?token={token}")).await;
        assert_eq!(page.status, StatusCode::OK);
        assert!(page.header("content-type").unwrap_or("").starts_with("text/html"));
        assert_eq!(page.header("referrer-policy"), Some("no-referrer"), "the token does not leak via Referer");

        let done = submit_setup(&browser, &token, "owner", "a sturdy first passphrase").await;
        assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.text);
        assert_eq!(done.header("location"), Some("/admin?notice=setup#create-title"), "the next step: your own account");
        let owner = stored(&app, "owner").await;
        assert_eq!(owner.role, Role::Admin);
        assert!(owner.is_bootstrap);
        assert_current_argon2id(owner.password_hash.as_deref().expect("hash"));
        let me = get(&browser, "/api/auth/me").await;
        assert_eq!(me.status, StatusCode::OK, "setup signs the administrator in");
        assert_eq!(me.json["role"], "admin");
        assert_eq!(me.json["is_bootstrap"], true);

        let other = app.browser().await;
        let again = submit_setup(&other, &token, "second", "another sturdy passphrase").await;
        assert_eq!(again.status, StatusCode::NOT_FOUND, "the link works once: {}", again.text);
        assert_eq!(get(&other, &format!("/setup?token={token}")).await.status, StatusCode::NOT_FOUND);
        assert!(!exists(&app, "second").await);
        assert_eq!(app.app.store.count_users().await.expect("count"), 1);
        assert_eq!(get(&other, "/api/auth/mode").await.json["setup_required"], false);
    }

    async fn auth_09_a_setup_link_expires_after_a_day(app) {
        let token = setup_token(&app).await;
        let browser = app.browser().await;
        app.clock.advance(chrono::Duration::hours(23));
        assert_eq!(get(&browser, &format!("/setup?token={token}")).await.status, StatusCode::OK);
        app.clock.advance(chrono::Duration::hours(1) + chrono::Duration::seconds(1));
        assert_eq!(get(&browser, &format!("/setup?token={token}")).await.status, StatusCode::NOT_FOUND);
        let late = submit_setup(&browser, &token, "owner", "a sturdy first passphrase").await;
        assert_eq!(late.status, StatusCode::NOT_FOUND);
        assert!(!exists(&app, "owner").await);
    }
}

app_tests! {
    @with spawn_with_bootstrap_admin;

    async fn auth_09_the_bootstrap_admin_from_the_environment_exists_at_start(app) {
        let owner = stored(&app, "owner").await;
        assert_eq!(owner.role, Role::Admin);
        assert!(owner.is_bootstrap);
        assert!(owner.is_active);
        assert_current_argon2id(owner.password_hash.as_deref().expect("hash"));
        assert_eq!(app.app.store.count_users().await.expect("count"), 1, "and no other account");
        assert_eq!(service::setup::bootstrap(&app.app).await.expect("bootstrap"), service::setup::Bootstrap::Done,
            "no setup link once an account exists");

        let mut browser = app.browser().await;
        assert_eq!(get(&browser, "/api/auth/mode").await.json["setup_required"], false);
        let signed_in = login(&mut browser, None, "owner", BOOTSTRAP_PASSWORD).await;
        assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.text);
        assert_eq!(signed_in.json["user"]["role"], "admin");
        assert_eq!(signed_in.json["user"]["is_bootstrap"], true);
        assert_eq!(get(&browser, "/api/admin/users").await.status, StatusCode::OK);
    }
}

app_tests! {
    @with spawn_single_user;

    async fn auth_09_single_user_mode_signs_everyone_in_as_a_regular_user_and_never_as_admin(app) {
        let browser = app.browser().await;
        let mode = get(&browser, "/api/auth/mode").await;
        assert_eq!(mode.json["mode"], "single-user");
        assert_eq!(mode.json["local_login"], false);

        let me = get(&browser, "/api/auth/me").await;
        assert_eq!(me.status, StatusCode::OK, "no sign-in needed: {}", me.text);
        assert_eq!(me.json["username"], "solo");
        assert_eq!(me.json["role"], "user");
        let solo = stored(&app, "solo").await;

        let check_admin_routes = |label: &'static str| {
            let browser = &browser;
            let id = solo.id.to_string();
            async move {
                for (method, path, body) in admin_routes(&id) {
                    let answer = call(browser, method.clone(), &path, body, None).await;
                    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{label}: {method} {path}: {}", answer.text);
                }
            }
        };
        check_admin_routes("as stored").await;

        // Even an admin role in the database grants nothing in single-user mode.
        let changes = store::users::UserChanges { role: Some(Role::Admin), ..Default::default() };
        app.app.store.update_user(solo.id, &changes, app.app.now()).await.expect("promote");
        let me = get(&browser, "/api/auth/me").await;
        assert_eq!(me.json["role"], "user");
        check_admin_routes("with role admin in the database").await;
        assert!(!exists(&app, "intruder").await);
        assert!(stored(&app, "solo").await.is_active);
    }
}

// ---------------------------------------------------------------------------------------------
// AUTH-10: soft lockout; RL-01..03: rate limits
// ---------------------------------------------------------------------------------------------

app_tests! {
    @with spawn_behind_proxy;

    async fn auth_10_wrong_passwords_from_many_addresses_slow_the_account_down_not_lock_it(app) {
        app.account("xavier", PASSWORD, Role::User).await;
        let mut attacker = app.browser().await;
        let mut statuses = Vec::new();
        for i in 1..=10 {
            let answer = login(&mut attacker, Some(&format!("198.51.100.{i}")), "xavier", WRONG).await;
            assert!([StatusCode::UNAUTHORIZED, StatusCode::TOO_MANY_REQUESTS].contains(&answer.status), "{}", answer.text);
            statuses.push(answer.status.as_u16());
        }
        assert_eq!(statuses[0], 401, "{statuses:?}");
        assert_eq!(statuses[9], 429, "the account is throttled after repeated failures: {statuses:?}");

        let mut owner = app.browser().await;
        let throttled = login(&mut owner, Some("203.0.113.77"), "xavier", PASSWORD).await;
        assert_eq!(throttled.status, StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
        let wait = throttled.retry_after();
        assert!((1..=15 * 60).contains(&wait), "Retry-After {wait}");
        let detail = throttled.json["detail"].as_str().unwrap_or("").to_lowercase();
        assert!(!detail.contains("xavier") && !detail.contains("lock") && !detail.contains("password"),
            "generic message: {detail}");
        assert!(stored(&app, "xavier").await.failed_logins > 0);

        app.clock.advance(chrono::Duration::seconds(i64::try_from(wait).expect("secs") + 1));
        let signed_in = login(&mut owner, Some("203.0.113.78"), "xavier", PASSWORD).await;
        assert_eq!(signed_in.status, StatusCode::OK, "after the delay the owner gets in: {}", signed_in.text);
        let row = stored(&app, "xavier").await;
        assert_eq!(row.failed_logins, 0, "success resets the counter");
        assert_eq!(row.throttled_until, None);

        let after = login(&mut attacker, Some("198.51.100.200"), "xavier", WRONG).await;
        assert_eq!(after.status, StatusCode::UNAUTHORIZED, "a single failure after the reset is not throttled");
    }

    async fn auth_10_the_account_delay_grows_but_never_exceeds_fifteen_minutes(app) {
        app.account("yolanda", PASSWORD, Role::User).await;
        let mut attacker = app.browser().await;
        let mut waits = Vec::new();
        let mut failures = 0;
        for i in 1..=40 {
            let answer = login(&mut attacker, Some(&format!("198.51.100.{i}")), "yolanda", WRONG).await;
            match answer.status {
                StatusCode::UNAUTHORIZED => failures += 1,
                StatusCode::TOO_MANY_REQUESTS => {
                    let wait = answer.retry_after();
                    assert!(wait <= 15 * 60, "Retry-After {wait} exceeds 15 minutes");
                    waits.push(wait);
                    app.clock.advance(chrono::Duration::seconds(i64::try_from(wait).expect("secs") + 1));
                }
                other => panic!("unexpected {other}: {}", answer.text),
            }
            if failures >= 14 {
                break;
            }
        }
        assert!(failures >= 14, "failures {failures}, waits {waits:?}");
        assert!(waits.windows(2).all(|w| w[0] <= w[1]), "the delay grows: {waits:?}");
        assert!(waits.iter().any(|w| *w > 5 * 60), "the delay reaches minutes: {waits:?}");
        let row = stored(&app, "yolanda").await;
        let until = row.throttled_until.expect("throttled");
        assert!(until - app.app.now() <= chrono::Duration::minutes(15));

        app.clock.advance(chrono::Duration::minutes(15) + chrono::Duration::seconds(1));
        let mut owner = app.browser().await;
        assert_eq!(login(&mut owner, Some("203.0.113.5"), "yolanda", PASSWORD).await.status, StatusCode::OK,
            "never locked for good");
    }

    async fn auth_10_an_admin_password_reset_during_the_lockout_lets_the_user_back_in(app) {
        let root = admin(&app).await;
        let user = app.account("xavier", PASSWORD, Role::User).await;
        let mut attacker = app.browser().await;
        for i in 1..=8 {
            login(&mut attacker, Some(&format!("198.51.100.{i}")), "xavier", WRONG).await;
        }
        let mut owner = app.browser().await;
        assert_eq!(login(&mut owner, Some("203.0.113.9"), "xavier", PASSWORD).await.status,
            StatusCode::TOO_MANY_REQUESTS, "throttled");

        let reset = post(&root, &format!("/api/admin/users/{}/password", user.id),
            json!({"password": NEW_PASSWORD})).await;
        assert_eq!(reset.status, StatusCode::NO_CONTENT, "{}", reset.text);
        let row = stored(&app, "xavier").await;
        assert_eq!((row.failed_logins, row.throttled_until), (0, None));

        let back = login(&mut owner, Some("203.0.113.10"), "xavier", NEW_PASSWORD).await;
        assert_eq!(back.status, StatusCode::OK, "{}", back.text);
        let entries = audit(&root, "user.password_reset").await;
        assert_eq!(entries.len(), 1);
        assert_eq!(entries[0]["target"], "user:xavier");
    }

    async fn rl_01_the_eleventh_sign_in_from_one_address_waits_others_do_not(app) {
        app.account("rita", PASSWORD, Role::User).await;
        let mut attacker = app.browser().await;
        for i in 0..10 {
            let answer = login(&mut attacker, Some("192.0.2.10"), &format!("guess{i}"), WRONG).await;
            assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "attempt {}", i + 1);
        }
        let eleventh = login(&mut attacker, Some("192.0.2.10"), "rita", PASSWORD).await;
        assert_eq!(eleventh.status, StatusCode::TOO_MANY_REQUESTS, "even with the right password");
        let wait = eleventh.retry_after();
        assert!((1..=15 * 60).contains(&wait), "Retry-After {wait}");
        assert_eq!(stored(&app, "rita").await.failed_logins, 0, "the refused attempt was not verified");

        let mut neighbour = app.browser().await;
        assert_eq!(login(&mut neighbour, Some("192.0.2.11"), "rita", PASSWORD).await.status, StatusCode::OK,
            "another address is unaffected");

        app.clock.advance(chrono::Duration::minutes(15));
        let later = login(&mut attacker, Some("192.0.2.10"), "rita", PASSWORD).await;
        assert_eq!(later.status, StatusCode::OK, "allowed again after 15 minutes: {}", later.text);
    }

    async fn rl_02_password_changes_are_limited_to_five_per_address(app) {
        let mut user = app.signed_in("paula", Role::User).await;
        for i in 1..=5 {
            let refused = call(&user, Method::POST, "/api/auth/password",
                Some(json!({"current_password": WRONG, "new_password": NEW_PASSWORD})), Some("192.0.2.20")).await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "attempt {i}: {}", refused.text);
        }
        let sixth = call(&user, Method::POST, "/api/auth/password",
            Some(json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD})), Some("192.0.2.20")).await;
        assert_eq!(sixth.status, StatusCode::TOO_MANY_REQUESTS, "{}", sixth.text);
        assert!(sixth.retry_after() >= 1);

        // Five wrong passwords also started the account's own delay (AUTH-03): past it, the
        // address is still limited, another address is not.
        app.clock.advance(chrono::Duration::seconds(31));
        let same = call(&user, Method::POST, "/api/auth/password",
            Some(json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD})), Some("192.0.2.20")).await;
        assert_eq!(same.status, StatusCode::TOO_MANY_REQUESTS, "{}", same.text);
        let elsewhere = call(&user, Method::POST, "/api/auth/password",
            Some(json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD})), Some("192.0.2.21")).await;
        assert_eq!(elsewhere.status, StatusCode::OK, "another address has its own budget: {}", elsewhere.text);
        elsewhere.json["csrf_token"].as_str().expect("csrf").clone_into(&mut user.csrf);
    }

    async fn rl_02_admin_changes_are_limited_to_thirty_per_address(app) {
        let root = admin(&app).await;
        let target = app.account("tom", PASSWORD, Role::User).await;
        let path = format!("/api/admin/users/{}/sessions", target.id);
        for i in 1..=30 {
            let ok = call(&root, Method::DELETE, &path, None, Some("192.0.2.30")).await;
            assert_eq!(ok.status, StatusCode::OK, "request {i}: {}", ok.text);
        }
        let refused = call(&root, Method::DELETE, &path, None, Some("192.0.2.30")).await;
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS, "{}", refused.text);
        let wait = refused.retry_after();
        assert!((1..=15 * 60).contains(&wait));
        let rename = call(&root, Method::PATCH, &format!("/api/admin/users/{}", target.id),
            Some(json!({"display_name": "Thomas"})), Some("192.0.2.30")).await;
        assert_eq!(rename.status, StatusCode::TOO_MANY_REQUESTS, "the limit covers every admin change");
        assert_eq!(stored(&app, "tom").await.display_name, "tom");

        let other = call(&root, Method::DELETE, &path, None, Some("192.0.2.31")).await;
        assert_eq!(other.status, StatusCode::OK, "another address is unaffected: {}", other.text);

        app.clock.advance(chrono::Duration::minutes(15));
        let later = call(&root, Method::DELETE, &path, None, Some("192.0.2.30")).await;
        assert_eq!(later.status, StatusCode::OK, "{}", later.text);
    }
}

app_tests! {
    async fn rl_03_a_forged_forwarded_for_header_does_not_escape_the_login_limit(app) {
        app.account("rita", PASSWORD, Role::User).await;
        let mut attacker = app.browser().await;
        for i in 0..10 {
            // Every form a proxy might write, and garbage: from an untrusted peer, none counts.
            let forged = match i % 4 {
                0 => format!("10.{i}.{}.{}", i * 7 % 256, i * 13 % 256),
                1 => format!("10.{i}.0.1:{}", 40_000 + i),
                2 => format!("[2001:db8:{i}::1]:443, [2001:db8:{i}::2]"),
                _ => format!("unknown, client-{i}"),
            };
            let answer = login(&mut attacker, Some(&forged), &format!("guess{i}"), WRONG).await;
            assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
        }
        let eleventh = login(&mut attacker, Some("203.0.113.250"), "rita", PASSWORD).await;
        assert_eq!(eleventh.status, StatusCode::TOO_MANY_REQUESTS, "{}", eleventh.text);
        assert!(eleventh.retry_after() >= 1);

        let filter = store::audit::AuditFilter { action: Some("login.failure".into()), limit: 50, ..Default::default() };
        let failures = app.app.store.audit_entries(&filter).await.expect("audit");
        assert_eq!(failures.len(), 10);
        assert!(failures.iter().all(|e| e.ip.as_deref() == Some("127.0.0.1")),
            "the recorded address is the real peer: {:?}", failures.iter().map(|e| &e.ip).collect::<Vec<_>>());
    }
}

// ---------------------------------------------------------------------------------------------
// AZ-03/04: mass assignment
// ---------------------------------------------------------------------------------------------

app_tests! {
    async fn az_03_sign_in_refuses_a_smuggled_role_or_user_id(app) {
        let victim = app.account("victim", PASSWORD, Role::Admin).await;
        app.account("eve", PASSWORD, Role::User).await;
        let mut eve = app.browser().await;
        for (field, value) in [("role", json!("admin")), ("user_id", json!(victim.id.to_string())), ("is_admin", json!(true))] {
            let mut body = json!({"username": "eve", "password": PASSWORD});
            body[field] = value;
            let refused = call(&eve, Method::POST, "/api/auth/login", Some(body), None).await;
            assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {}", refused.text);
            assert_eq!(refused.json["field"], field);
            assert_eq!(get(&eve, "/api/auth/me").await.status, StatusCode::UNAUTHORIZED, "not signed in");
        }
        let signed_in = login(&mut eve, None, "eve", PASSWORD).await;
        assert_eq!(signed_in.json["user"]["role"], "user");
        let smuggled = post(&eve, "/api/auth/password", json!({
            "current_password": PASSWORD, "new_password": NEW_PASSWORD, "user_id": victim.id.to_string(),
        })).await;
        assert_eq!(smuggled.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(smuggled.json["field"], "user_id");
        assert_eq!(stored(&app, "victim").await.password_hash, victim.password_hash);
        assert_eq!(stored(&app, "eve").await.role, Role::User);
    }

    async fn az_04_creating_a_user_refuses_server_owned_fields(app) {
        let root = admin(&app).await;
        let victim = app.account("victim", PASSWORD, Role::User).await;
        let before = app.app.store.count_users().await.expect("count");
        for (field, value) in [
            ("password_hash", json!(victim.password_hash)),
            ("is_bootstrap", json!(true)),
            ("user_id", json!(victim.id.to_string())),
            ("id", json!(victim.id.to_string())),
            ("is_active", json!(false)),
            ("failed_logins", json!(0)),
        ] {
            let mut body = json!({"username": "mallory", "password": "a perfectly fine passphrase"});
            body[field] = value;
            let refused = post(&root, "/api/admin/users", body).await;
            assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {}", refused.text);
            assert_eq!(refused.json["field"], field);
        }
        assert!(!exists(&app, "mallory").await);
        assert_eq!(app.app.store.count_users().await.expect("count"), before);
        assert_eq!(stored(&app, "victim").await.password_hash, victim.password_hash);
    }

    async fn az_04_updating_a_user_refuses_a_password_hash_and_changes_nothing(app) {
        let root = admin(&app).await;
        let target = app.account("target", PASSWORD, Role::User).await;
        let planted = weak_argon2id("attacker knows this one");
        let path = format!("/api/admin/users/{}", target.id);
        for body in [
            json!({"password_hash": planted}),
            json!({"display_name": "Renamed", "password_hash": planted}),
            json!({"is_bootstrap": true}),
            json!({"failed_logins": 0, "role": "admin"}),
        ] {
            let refused = patch(&root, &path, body.clone()).await;
            assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {}", refused.text);
            let field = refused.json["field"].as_str().unwrap_or_default().to_owned();
            assert!(["password_hash", "is_bootstrap", "failed_logins"].contains(&field.as_str()), "{}", refused.text);
        }
        let after = stored(&app, "target").await;
        assert_eq!(after.password_hash, target.password_hash);
        assert_eq!((after.display_name.as_str(), after.role, after.is_bootstrap, after.version),
                   ("target", Role::User, false, target.version), "nothing was applied");
        let mut browser = app.browser().await;
        assert_eq!(login(&mut browser, None, "target", "attacker knows this one").await.status, StatusCode::UNAUTHORIZED);
    }
}

// ---------------------------------------------------------------------------------------------
// AZ-05: field filtering
// ---------------------------------------------------------------------------------------------

app_tests! {
    async fn az_05_no_response_reveals_password_hashes_token_hashes_or_ciphertext(app) {
        // Every `reply` scans its body; this test visits every JSON view of accounts and
        // additionally looks for the live session token and its stored hash.
        let mut root = app.browser().await;
        app.account("root", PASSWORD, Role::Admin).await;
        let user = app.account("ursula", PASSWORD, Role::User).await;
        let mut bodies = vec![login(&mut root, None, "root", PASSWORD).await.text];
        let mut ursula = app.browser().await;
        bodies.push(login(&mut ursula, None, "ursula", PASSWORD).await.text);
        bodies.push(login(&mut ursula, None, "ursula", WRONG).await.text);

        let created = create_user(&root, "zeno", PASSWORD).await;
        assert_eq!(created.status, StatusCode::CREATED);
        bodies.push(created.text);
        let id = user.id;
        for path in [
            "/api/auth/me".to_owned(),
            "/api/auth/mode".to_owned(),
            "/api/auth/csrf-token".to_owned(),
            "/api/admin/users".to_owned(),
            format!("/api/admin/users/{id}"),
            "/api/profile/sessions".to_owned(),
            "/api/profile/login-history".to_owned(),
            "/api/admin/audit-log?limit=500".to_owned(),
        ] {
            let answer = get(&root, &path).await;
            assert_eq!(answer.status, StatusCode::OK, "{path}: {}", answer.text);
            bodies.push(answer.text);
        }
        bodies.push(patch(&root, &format!("/api/admin/users/{id}"), json!({"display_name": "Ursula K."})).await.text);
        bodies.push(get(&ursula, "/api/profile/sessions").await.text);
        bodies.push(get(&ursula, "/api/profile/login-history").await.text);
        bodies.push(post(&ursula, "/api/auth/password",
            json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD})).await.text);

        let users = get(&root, "/api/admin/users").await;
        for listed in users.json.as_array().expect("list") {
            let keys: Vec<&str> = listed.as_object().expect("user").keys().map(String::as_str).collect();
            for key in &keys {
                assert!(["id", "username", "email", "display_name", "role", "is_active", "is_bootstrap", "created_at"]
                    .contains(key), "unexpected field {key} in {listed}");
            }
        }

        let token = root.cookie("bt_session").expect("session cookie");
        let token_hash = {
            use sha2::Digest;
            hex::encode(sha2::Sha256::digest(token.as_bytes()))
        };
        for body in &bodies {
            assert!(!body.contains(&token), "a body repeats the session token: {body}");
            assert!(!body.contains(&token_hash), "a body reveals the stored token hash: {body}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// AZ-06: admin routes and the audit log
// ---------------------------------------------------------------------------------------------

app_tests! {
    async fn az_06_a_regular_user_is_refused_on_every_admin_route(app) {
        let root = admin(&app).await;
        let user = app.signed_in("ulrich", Role::User).await;
        let me = stored(&app, "ulrich").await;
        for (method, path, body) in admin_routes(&me.id.to_string()) {
            let answer = call(&user, method.clone(), &path, body, None).await;
            assert_eq!(answer.status, StatusCode::FORBIDDEN, "{method} {path}: {}", answer.text);
        }
        let after = stored(&app, "ulrich").await;
        assert_eq!((after.role, after.is_active, after.password_hash.clone()), (Role::User, true, me.password_hash.clone()),
            "no escalation, no deactivation, no takeover");
        assert!(!exists(&app, "intruder").await);
        assert_eq!(get(&root, "/api/auth/me").await.status, StatusCode::OK, "end-all did not run");
        assert_eq!(get(&user, "/api/auth/me").await.status, StatusCode::OK, "end-sessions did not run");

        let anonymous = app.browser().await;
        for (method, path, body) in admin_routes(&me.id.to_string()) {
            let answer = call(&anonymous, method.clone(), &path, body, None).await;
            assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "anonymous {method} {path}: {}", answer.text);
        }
    }

    async fn az_06_admin_actions_write_audit_entries_with_actor_action_target_ip_and_time(app) {
        let root = admin(&app).await;
        let now = app.app.now();
        let created = create_user(&root, "dana", PASSWORD).await;
        assert_eq!(created.status, StatusCode::CREATED);
        let id = created.json["id"].as_str().expect("id").to_owned();
        let path = format!("/api/admin/users/{id}");
        assert_eq!(patch(&root, &path, json!({"role": "admin"})).await.status, StatusCode::OK);
        assert_eq!(patch(&root, &path, json!({"is_active": false})).await.status, StatusCode::OK);
        assert_eq!(delete(&root, &path).await.status, StatusCode::NO_CONTENT);
        assert!(!exists(&app, "dana").await);

        let expect = |entry: &Value, action: &str| {
            assert_eq!(entry["actor"], "root", "{entry}");
            assert_eq!(entry["action"], action, "{entry}");
            assert_eq!(entry["target"], "user:dana", "{entry}");
            assert_eq!(entry["ip"], "127.0.0.1", "{entry}");
            let at: chrono::DateTime<chrono::Utc> = entry["at"].as_str().expect("at").parse().expect("RFC 3339 time");
            assert_eq!(at, now, "{entry}");
            assert!(entry["at"].as_str().unwrap_or("").ends_with('Z') || entry["at"].as_str().unwrap_or("").ends_with("+00:00"), "UTC");
        };
        let creates = audit(&root, "user.create").await;
        let dana_create = creates.iter().find(|e| e["target"] == "user:dana").expect("user.create entry");
        expect(dana_create, "user.create");
        let updates = audit(&root, "user.update").await;
        assert_eq!(updates.len(), 2, "{updates:?}");
        // Newest first: deactivation, then the role change.
        expect(&updates[1], "user.update");
        assert_eq!(updates[1]["detail"]["role"], "admin");
        expect(&updates[0], "user.update");
        assert_eq!(updates[0]["detail"]["is_active"], false);
        let deletes = audit(&root, "user.delete").await;
        assert_eq!(deletes.len(), 1);
        expect(&deletes[0], "user.delete");
    }

    async fn az_06_the_audit_log_cannot_be_edited_or_deleted(app) {
        let root = admin(&app).await;
        assert_eq!(create_user(&root, "dana", PASSWORD).await.status, StatusCode::CREATED);
        let before = get(&root, "/api/admin/audit-log").await;
        let entries = before.json["entries"].as_array().cloned().unwrap_or_default();
        assert!(!entries.is_empty());
        let seq = entries[0]["seq"].clone();
        for method in [Method::PATCH, Method::DELETE, Method::PUT, Method::POST] {
            let answer = call(&root, method.clone(), "/api/admin/audit-log", Some(json!({"entries": []})), None).await;
            assert_eq!(answer.status, StatusCode::METHOD_NOT_ALLOWED, "{method}: {}", answer.text);
        }
        for method in [Method::PATCH, Method::DELETE, Method::PUT] {
            let answer = call(&root, method.clone(), &format!("/api/admin/audit-log/{seq}"), Some(json!({"action": "nothing"})), None).await;
            assert!([StatusCode::NOT_FOUND, StatusCode::METHOD_NOT_ALLOWED].contains(&answer.status), "{method}: {}", answer.text);
        }
        let after = get(&root, "/api/admin/audit-log").await;
        assert_eq!(after.json["entries"], before.json["entries"]);
        assert_eq!(after.json["chain_intact"], true);
    }

    async fn az_06_the_last_admin_cannot_remove_their_own_access(app) {
        let root = admin(&app).await;
        let me = stored(&app, "root").await;
        let path = format!("/api/admin/users/{}", me.id);
        let refusals = [
            patch(&root, &path, json!({"role": "user"})).await,
            patch(&root, &path, json!({"is_active": false})).await,
            delete(&root, &path).await,
        ];
        for refused in &refusals {
            assert!([StatusCode::UNPROCESSABLE_ENTITY, StatusCode::CONFLICT].contains(&refused.status), "{}", refused.text);
        }
        assert_eq!(refusals[0].json["field"], "role");
        assert_eq!(refusals[1].json["field"], "is_active");
        let after = stored(&app, "root").await;
        assert_eq!((after.role, after.is_active), (Role::Admin, true));
        assert_eq!(app.app.store.count_active_admins().await.expect("count"), 1);
        assert_eq!(get(&root, "/api/admin/users").await.status, StatusCode::OK, "still administering");
    }

    async fn az_06_deactivation_ends_the_users_sessions_and_sign_in_fails_generically(app) {
        let root = admin(&app).await;
        let frank = app.signed_in("frank", Role::User).await;
        let id = stored(&app, "frank").await.id;
        let path = format!("/api/admin/users/{id}");
        let deactivated = patch(&root, &path, json!({"is_active": false})).await;
        assert_eq!(deactivated.status, StatusCode::OK, "{}", deactivated.text);
        assert_eq!(deactivated.json["is_active"], false);
        assert_eq!(get(&frank, "/api/auth/me").await.status, StatusCode::UNAUTHORIZED, "signed out at once");

        let mut again = app.browser().await;
        let refused = login(&mut again, None, "frank", PASSWORD).await;
        let unknown = login(&mut again, None, "nobody-here", PASSWORD).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
        assert_eq!(without_request_id(&refused.json), without_request_id(&unknown.json),
            "a deactivated account looks like a wrong password");

        assert_eq!(patch(&root, &path, json!({"is_active": true})).await.status, StatusCode::OK);
        assert_eq!(login(&mut again, None, "frank", PASSWORD).await.status, StatusCode::OK, "reactivated");
    }

    async fn az_06_deleting_a_user_signs_them_out_and_their_name_no_longer_signs_in(app) {
        let root = admin(&app).await;
        let iris = app.signed_in("iris", Role::User).await;
        let id = stored(&app, "iris").await.id;
        let deleted = delete(&root, &format!("/api/admin/users/{id}")).await;
        assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{}", deleted.text);
        assert_eq!(get(&iris, "/api/auth/me").await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(get(&root, &format!("/api/admin/users/{id}")).await.status, StatusCode::NOT_FOUND);
        let mut again = app.browser().await;
        assert_eq!(login(&mut again, None, "iris", PASSWORD).await.status, StatusCode::UNAUTHORIZED);
    }

    async fn az_06_a_role_change_ends_the_accounts_sessions(app) {
        let root = admin(&app).await;
        let gina = app.signed_in("gina", Role::User).await;
        let id = stored(&app, "gina").await.id;
        let promoted = patch(&root, &format!("/api/admin/users/{id}"), json!({"role": "admin"})).await;
        assert_eq!(promoted.status, StatusCode::OK, "{}", promoted.text);
        assert_eq!(promoted.json["role"], "admin");
        assert_eq!(get(&gina, "/api/auth/me").await.status, StatusCode::UNAUTHORIZED);

        let mut back = app.browser().await;
        let signed_in = login(&mut back, None, "gina", PASSWORD).await;
        assert_eq!(signed_in.json["user"]["role"], "admin");
        let demoted = patch(&root, &format!("/api/admin/users/{id}"), json!({"role": "user"})).await;
        assert_eq!(demoted.status, StatusCode::OK, "{}", demoted.text);
        assert_eq!(get(&back, "/api/auth/me").await.status, StatusCode::UNAUTHORIZED, "demotion ends sessions too");
        assert_eq!(get(&root, "/api/auth/me").await.status, StatusCode::OK, "the acting admin stays signed in");
    }
}

// ---------------------------------------------------------------------------------------------
// Regressions: bugs these tests found (now fixed). Each runs on both engines; `$reason` says
// what went wrong.
// ---------------------------------------------------------------------------------------------

/// Like `app_tests!` for one test, with a line saying which bug it guards against.
macro_rules! regression {
    ($reason:literal, $spawn:path, async fn $name:ident($app:ident) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                #[allow(unused_mut)]
                let Some(mut $app) = $spawn(testkit::TestEngine::Sqlite).await else {
                    return;
                };
                $body
            }

            #[tokio::test]
            async fn postgres() {
                #[allow(unused_mut)]
                let Some(mut $app) = $spawn(testkit::TestEngine::Postgres).await else {
                    return;
                };
                $body
            }
        }
    };
}

regression! {
    "FIXED: setup::complete checks the token, hashes, then creates; two concurrent POST /setup both succeed",
    crate::support::spawn,
    async fn auth_09_the_setup_link_works_once_even_when_submitted_twice_at_the_same_time(app) {
        let token = setup_token(&app).await;
        let first = app.browser().await;
        let second = app.browser().await;
        let (a, b) = tokio::join!(
            submit_setup(&first, &token, "owner", "a sturdy first passphrase"),
            submit_setup(&second, &token, "usurper", "a sturdy second passphrase"),
        );
        let created = [a.status, b.status].iter().filter(|s| **s == StatusCode::SEE_OTHER).count();
        assert_eq!(created, 1, "exactly one submission wins: {} / {}", a.status, b.status);
        assert_eq!(app.app.store.count_users().await.expect("count"), 1,
            "one bootstrap administrator, however the requests interleave");
    }
}

regression! {
    "FIXED: users::create_account omits the email's local part from the context words that change/reset use",
    crate::support::spawn,
    async fn auth_04_a_new_account_password_made_of_the_email_name_is_refused_as_on_change(app) {
        let root = admin(&app).await;
        let refused = post(&root, "/api/admin/users", json!({
            "username": "margaret",
            "email": "quentin.blake@example.org",
            "password": "quentin.blake2026",
        })).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", refused.text);
        assert_eq!(refused.json["field"], "password");
        assert!(refused.json["detail"].as_str().unwrap_or("").contains("too common"), "{}", refused.text);
        assert!(!exists(&app, "margaret").await);
    }
}

regression! {
    "FIXED: after 5 failures an existing account answers 429, a missing one keeps answering 401 (enumeration)",
    spawn_behind_proxy,
    async fn auth_06_a_throttled_account_answers_like_an_unknown_one(app) {
        app.account("victim", PASSWORD, Role::User).await;
        let mut attacker = app.browser().await;
        let mut last = Vec::new();
        for (net, username) in [(100, "victim"), (101, "no-such-person")] {
            let mut answer = None;
            for i in 1..=6 {
                let ip = format!("198.51.{net}.{i}");
                answer = Some(login(&mut attacker, Some(&ip), username, WRONG).await);
            }
            last.push(answer.expect("answer"));
        }
        assert_eq!(last[0].status, last[1].status,
            "the sixth wrong password for an existing and for a missing account must look alike: {} vs {}",
            last[0].text, last[1].text);
        assert_eq!(without_request_id(&last[0].json), without_request_id(&last[1].json));
    }
}

regression! {
    "FIXED: in single-user mode POST /api/auth/login still signs in an admin account, which then has /api/admin/*",
    spawn_single_user,
    async fn auth_09_single_user_mode_grants_no_admin_access_even_to_an_admin_password(app) {
        app.account("root", PASSWORD, Role::Admin).await;
        let mut browser = app.browser().await;
        let signed_in = login(&mut browser, None, "root", PASSWORD).await;
        let me = get(&browser, "/api/auth/me").await;
        assert_ne!(me.json["role"], "admin", "sign-in answered {}: {}", signed_in.status, signed_in.text);
        let root = stored(&app, "root").await;
        for (method, path, body) in admin_routes(&root.id.to_string()) {
            let answer = call(&browser, method.clone(), &path, body, None).await;
            assert_eq!(answer.status, StatusCode::FORBIDDEN, "{method} {path}: {}", answer.text);
        }
    }
}
