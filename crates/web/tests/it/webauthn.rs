//! Security keys and passkeys through HTTP (MFA-06), on both engines, with a software
//! authenticator (webauthn-authenticator-rs' `SoftPasskey`) playing the browser and the key:
//! registration, the key as second factor at sign-in and at step-up, passwordless sign-in;
//! wrong origin and wrong relying-party id refused with 400; challenges random, single use and
//! short-lived; counters only forward; a removed key no longer works and the other sessions
//! end; names escaped; the pages' form posts.
//!
//! The server runs with `PUBLIC_URL=https://bills.example.test` (rp id `bills.example.test`):
//! the soft authenticator, like a browser, insists on https (or http://localhost), and the
//! origin it puts in its answer is whatever it is told, so the tests choose right and wrong
//! ones. `SoftPasskey` keeps no discoverable credentials, so for passwordless sign-in the test
//! does what a discoverable authenticator does itself: picks its credential for this rp id and
//! returns the account's user handle with the (signed) answer.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use domain::user::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use service::clock::Clock;
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::prelude::{
    CreationChallengeResponse, RequestChallengeResponse, Url,
};
use webauthn_authenticator_rs::softpasskey::SoftPasskey;

use crate::app_tests;
use crate::mfa::{
    Reply, SESSION_COOKIE, audit_actions, form, get, password_step, post, post_sign_in, reply,
};
use crate::support::{Browser, PASSWORD, Spawn, TestApp, spawn_with};

const ORIGIN: &str = "https://bills.example.test";

async fn spawn_webauthn(engine: testkit::TestEngine) -> Option<TestApp> {
    spawn_with(
        engine,
        Spawn {
            env: vec![("PUBLIC_URL", ORIGIN.to_owned())],
            ..Default::default()
        },
    )
    .await
}

async fn spawn_ip_address(engine: testkit::TestEngine) -> Option<TestApp> {
    spawn_with(
        engine,
        Spawn {
            env: vec![("PUBLIC_URL", "http://127.0.0.1:3030".to_owned())],
            ..Default::default()
        },
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

fn url(origin: &str) -> Url {
    Url::parse(origin).expect("origin")
}

/// A key that does user verification (PIN or biometric), as the server requires.
fn new_key() -> SoftPasskey {
    SoftPasskey::new(true)
}

/// The challenge of a `{"publicKey": …}` answer, decoded.
fn challenge_of(options: &Value) -> Vec<u8> {
    let text = options["publicKey"]["challenge"]
        .as_str()
        .expect("challenge");
    URL_SAFE_NO_PAD.decode(text).expect("base64url challenge")
}

fn creation(options: &Value) -> CreationChallengeResponse {
    serde_json::from_value(json!({"publicKey": options["publicKey"].clone()})).expect("creation")
}

fn request(options: &Value) -> RequestChallengeResponse {
    serde_json::from_value(json!({"publicKey": options["publicKey"].clone()})).expect("request")
}

/// `key`'s answer to registration `options` as a browser at `origin` would send it.
fn create(key: &mut SoftPasskey, origin: &str, options: &Value) -> Value {
    let answer = key
        .do_registration(url(origin), creation(options))
        .expect("the key registers");
    serde_json::to_value(answer).expect("json")
}

/// `key`'s answer to authentication `options` at `origin`.
fn sign(key: &mut SoftPasskey, origin: &str, options: &Value) -> Value {
    let answer = key
        .do_authentication(url(origin), request(options))
        .expect("the key signs");
    serde_json::to_value(answer).expect("json")
}

/// What a discoverable authenticator does for passwordless options (which name no
/// credential): uses its credential `credential_id` for this site and returns `user_handle`.
fn sign_discoverable(
    key: &mut SoftPasskey,
    origin: &str,
    options: &Value,
    credential_id: &str,
    user_handle: &[u8],
) -> Value {
    let mut options = options.clone();
    options["publicKey"]["allowCredentials"] = json!([{"type": "public-key", "id": credential_id}]);
    let mut answer = sign(key, origin, &options);
    answer["response"]["userHandle"] = json!(URL_SAFE_NO_PAD.encode(user_handle));
    answer
}

/// Registers `key` as `name` for the signed-in (freshly stepped-up) `browser`; the finish reply.
async fn register(browser: &Browser, key: &mut SoftPasskey, name: &str) -> Reply {
    let started = post(
        browser,
        "/api/profile/webauthn/register/start",
        json!({"name": name}),
    )
    .await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.text);
    let answer = create(key, ORIGIN, &started.json);
    post(
        browser,
        "/api/profile/webauthn/register/finish",
        json!({"credential": answer}),
    )
    .await
}

/// The second factor with `key` at `origin`; on success the browser keeps the new CSRF token.
async fn key_step(browser: &mut Browser, key: &mut SoftPasskey, origin: &str) -> Reply {
    let options = post(browser, "/api/auth/mfa/webauthn/start", json!({})).await;
    assert_eq!(options.status, StatusCode::OK, "{}", options.text);
    let answer = sign(key, origin, &options.json);
    finish_key_step(browser, answer).await
}

async fn finish_key_step(browser: &mut Browser, answer: Value) -> Reply {
    post_sign_in(
        browser,
        "/api/auth/mfa/webauthn/finish",
        json!({"credential": answer}),
    )
    .await
}

/// Passwordless sign-in of `browser` with `key`'s credential `credential_id` of `user`.
async fn passkey_sign_in(
    browser: &mut Browser,
    key: &mut SoftPasskey,
    credential_id: &str,
    user: &[u8],
) -> Reply {
    let started = post(browser, "/api/auth/passkey/start", json!({})).await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.text);
    let answer = sign_discoverable(key, ORIGIN, &started.json, credential_id, user);
    post_sign_in(
        browser,
        "/api/auth/passkey/finish",
        json!({"handle": started.json["handle"], "credential": answer}),
    )
    .await
}

async fn user_id(app: &TestApp, username: &str) -> domain::id::UserId {
    app.app
        .store
        .user_by_username(username)
        .await
        .expect("read")
        .expect("user")
        .id
}

/// A new sign-in rate-limit window (10 sign-ins per 15 minutes from one address).
fn new_window(app: &TestApp) {
    app.clock.advance(Duration::minutes(16));
}

fn assert_refused(reply: &Reply, what: &str) {
    assert_eq!(
        reply.status,
        StatusCode::BAD_REQUEST,
        "{what}: {}",
        reply.text
    );
    assert_eq!(reply.json["field"], "credential", "{what}: {}", reply.text);
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

app_tests! {
    @with spawn_webauthn;

    async fn mfa_06_a_soft_passkey_registers_and_then_signs_in_as_the_second_factor(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let mut key = new_key();

        // Registration: the options name this relying party, require user verification and
        // prefer a discoverable credential; the challenge is 32 random bytes.
        let started = post(&browser, "/api/profile/webauthn/register/start", json!({"name": "YubiKey"})).await;
        assert_eq!(started.status, StatusCode::OK, "{}", started.text);
        let options = &started.json["publicKey"];
        assert_eq!(options["rp"]["id"], "bills.example.test");
        assert_eq!(options["authenticatorSelection"]["userVerification"], "required");
        assert_eq!(options["authenticatorSelection"]["residentKey"], "preferred");
        assert!(challenge_of(&started.json).len() >= 16);
        let alice = user_id(&app, "alice").await;
        assert_eq!(
            options["user"]["id"].as_str().map(|id| URL_SAFE_NO_PAD.decode(id).expect("b64")),
            Some(alice.as_uuid().as_bytes().to_vec()),
            "the user handle is the account id, no personal data"
        );
        let answer = create(&mut key, ORIGIN, &started.json);
        let added = post(&browser, "/api/profile/webauthn/register/finish", json!({"credential": answer})).await;
        assert_eq!(added.status, StatusCode::OK, "{}", added.text);
        assert_eq!(added.json["key"]["name"], "YubiKey");
        assert_eq!(added.json["recovery_codes"].as_array().map(Vec::len), Some(10), "the first factor comes with recovery codes");
        let listed = get(&browser, "/api/profile/webauthn").await;
        assert_eq!(listed.json.as_array().map(Vec::len), Some(1), "{}", listed.text);
        let status = get(&browser, "/api/profile/mfa").await;
        assert_eq!((status.json["enabled"].clone(), status.json["security_keys"].clone()), (json!(true), json!(1)));
        assert_eq!(audit_actions(&app, "mfa.webauthn_added").await.len(), 1);

        // The credential is stored encrypted, named by its id.
        let factors = app.app.store.factors_of(alice).await.expect("factors");
        let stored = factors.iter().find(|f| f.kind == domain::factor::FactorKind::WebAuthn).expect("key row");
        assert!(stored.confirmed && stored.credential_id.is_some());
        assert!(!stored.secret_enc.as_deref().unwrap_or_default().contains("cred_id"), "encrypted at rest");

        // Sign-in: the password, then the key.
        let (mut pending, answer) = password_step(&app, "alice", PASSWORD).await;
        assert_eq!(answer.json["mfa_required"], true, "{}", answer.text);
        assert_eq!(answer.json["methods"], json!(["webauthn", "recovery_code"]));
        assert_eq!(pending.cookie(SESSION_COOKIE), None);
        let options = post(&pending, "/api/auth/mfa/webauthn/start", json!({})).await;
        assert_eq!(options.status, StatusCode::OK, "{}", options.text);
        assert_eq!(options.json["publicKey"]["rpId"], "bills.example.test");
        assert_eq!(options.json["publicKey"]["userVerification"], "required");
        assert_eq!(options.json["publicKey"]["allowCredentials"].as_array().map(Vec::len), Some(1), "names the account's key");
        let answer = sign(&mut key, ORIGIN, &options.json);
        let done = finish_key_step(&mut pending, answer).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.text);
        assert_eq!(done.json["user"]["username"], "alice");
        assert_eq!(get(&pending, "/api/auth/me").await.status, StatusCode::OK);
        let logins = audit_actions(&app, "login.success").await;
        assert!(logins.iter().any(|l| l["second_factor"] == "webauthn"), "{logins:?}");
        let history = app.app.store.logins_of(alice, 10).await.expect("history");
        assert!(history.iter().any(|l| l.success && l.method == "password+webauthn"));
        let listed = get(&pending, "/api/profile/webauthn").await;
        assert!(listed.json[0]["last_used_at"].is_string(), "{}", listed.text);

        // A second key: several per account, each signing in.
        let mut spare = new_key();
        let added = register(&pending, &mut spare, "Spare key").await;
        assert_eq!(added.status, StatusCode::OK, "{}", added.text);
        assert_eq!(added.json["recovery_codes"], Value::Null, "the unused codes are kept");
        assert_eq!(get(&pending, "/api/profile/webauthn").await.json.as_array().map(Vec::len), Some(2));
        let (mut again, _) = password_step(&app, "alice", PASSWORD).await;
        let done = key_step(&mut again, &mut spare, ORIGIN).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    }

    async fn mfa_06_a_passkey_signs_in_without_a_password(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let mut key = new_key();
        let added = register(&browser, &mut key, "Phone").await;
        assert_eq!(added.status, StatusCode::OK, "{}", added.text);
        let alice = user_id(&app, "alice").await;
        let credential_id = app.app.store.factors_of(alice).await.expect("factors")
            .into_iter().find_map(|f| f.credential_id).expect("credential id");

        // The options name no credential and require user verification.
        let mut visitor = app.browser().await;
        let started = post(&visitor, "/api/auth/passkey/start", json!({})).await;
        assert_eq!(started.status, StatusCode::OK, "{}", started.text);
        assert!(started.json["handle"].as_str().is_some_and(|h| h.len() >= 43), "a 256-bit handle");
        assert_eq!(started.json["publicKey"]["userVerification"], "required");
        assert!(started.json["publicKey"]["allowCredentials"].as_array().is_none_or(Vec::is_empty));
        assert!(challenge_of(&started.json).len() >= 16);

        let done = passkey_sign_in(&mut visitor, &mut key, &credential_id, alice.as_uuid().as_bytes()).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.text);
        assert_eq!(done.json["user"]["username"], "alice");
        assert!(visitor.cookie(SESSION_COOKIE).is_some(), "a session, no second step");
        assert_eq!(get(&visitor, "/api/auth/me").await.status, StatusCode::OK);
        let logins = audit_actions(&app, "login.success").await;
        assert!(logins.iter().any(|l| l["method"] == "passkey"), "{logins:?}");

        // The answer must name the account the key belongs to.
        let bob = app.account("bob", PASSWORD, Role::User).await;
        let mut other = app.browser().await;
        let refused = passkey_sign_in(&mut other, &mut key, &credential_id, bob.id.as_uuid().as_bytes()).await;
        assert_refused(&refused, "alice's key claiming bob");
        assert_eq!(get(&other, "/api/auth/me").await.status, StatusCode::UNAUTHORIZED);
        let started = post(&other, "/api/auth/passkey/start", json!({})).await;
        let mut anonymous = sign(&mut key, ORIGIN, &{
            let mut o = started.json.clone();
            o["publicKey"]["allowCredentials"] = json!([{"type": "public-key", "id": credential_id}]);
            o
        });
        anonymous["response"]["userHandle"] = Value::Null;
        let refused = post(&other, "/api/auth/passkey/finish", json!({"handle": started.json["handle"], "credential": anonymous})).await;
        assert_refused(&refused, "an answer without a user handle");
    }

    async fn mfa_06_a_wrong_origin_or_relying_party_id_is_refused_with_400(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let mut key = new_key();

        // Registration from another origin (a subdomain the rp id would cover), and for
        // another rp id (a suffix the origin allows): both 400, nothing added.
        let started = post(&browser, "/api/profile/webauthn/register/start", json!({"name": "Key"})).await;
        let answer = create(&mut key, "https://evil.bills.example.test", &started.json);
        assert_refused(&post(&browser, "/api/profile/webauthn/register/finish", json!({"credential": answer})).await, "registration, wrong origin");
        let mut started = post(&browser, "/api/profile/webauthn/register/start", json!({"name": "Key"})).await;
        started.json["publicKey"]["rp"]["id"] = json!("example.test");
        let answer = create(&mut key, ORIGIN, &started.json);
        assert_refused(&post(&browser, "/api/profile/webauthn/register/finish", json!({"credential": answer})).await, "registration, wrong rp id");
        assert_eq!(get(&browser, "/api/profile/webauthn").await.json, json!([]));

        let added = register(&browser, &mut key, "Key").await;
        assert_eq!(added.status, StatusCode::OK, "{}", added.text);

        // Authentication: the same two mistakes, each counted as a wrong second factor.
        let (mut pending, _) = password_step(&app, "alice", PASSWORD).await;
        let refused = key_step(&mut pending, &mut key, "https://evil.bills.example.test").await;
        assert_refused(&refused, "second factor, wrong origin");
        let mut options = post(&pending, "/api/auth/mfa/webauthn/start", json!({})).await;
        options.json["publicKey"]["rpId"] = json!("example.test");
        let answer = sign(&mut key, ORIGIN, &options.json);
        assert_refused(&finish_key_step(&mut pending, answer).await, "second factor, wrong rp id");
        assert_eq!(get(&pending, "/api/auth/me").await.status, StatusCode::UNAUTHORIZED);
        let failures = audit_actions(&app, "mfa.failure").await;
        assert_eq!(failures.len(), 2, "{failures:?}");
        assert!(failures.iter().all(|f| f["method"] == "webauthn"));

        // The right origin and rp id still work with the same pending sign-in.
        let done = key_step(&mut pending, &mut key, ORIGIN).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.text);
    }

    async fn mfa_06_challenges_are_random_single_use_and_short_lived(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let mut key = new_key();

        // Random: two registrations get different 32-byte challenges; the newer replaces the
        // older, whose answer is then refused.
        let first = post(&browser, "/api/profile/webauthn/register/start", json!({"name": "Key"})).await;
        let second = post(&browser, "/api/profile/webauthn/register/start", json!({"name": "Key"})).await;
        let (a, b) = (challenge_of(&first.json), challenge_of(&second.json));
        assert!(a.len() >= 16 && b.len() >= 16 && a != b, "{a:?} {b:?}");
        let stale = create(&mut key, ORIGIN, &first.json);
        assert_refused(&post(&browser, "/api/profile/webauthn/register/finish", json!({"credential": stale})).await, "the replaced challenge");

        // Single use: a registration answer accepted once is refused the second time.
        let started = post(&browser, "/api/profile/webauthn/register/start", json!({"name": "Key"})).await;
        let answer = create(&mut key, ORIGIN, &started.json);
        let added = post(&browser, "/api/profile/webauthn/register/finish", json!({"credential": answer.clone()})).await;
        assert_eq!(added.status, StatusCode::OK, "{}", added.text);
        assert_refused(&post(&browser, "/api/profile/webauthn/register/finish", json!({"credential": answer})).await, "the same registration again");

        // A replayed assertion: accepted at one sign-in, refused at the next (its challenge
        // was the old one) and counted.
        let (mut one, _) = password_step(&app, "alice", PASSWORD).await;
        let options = post(&one, "/api/auth/mfa/webauthn/start", json!({})).await;
        let answer = sign(&mut key, ORIGIN, &options.json);
        assert_eq!(finish_key_step(&mut one, answer.clone()).await.status, StatusCode::OK);
        let (mut two, _) = password_step(&app, "alice", PASSWORD).await;
        post(&two, "/api/auth/mfa/webauthn/start", json!({})).await;
        assert_refused(&finish_key_step(&mut two, answer.clone()).await, "a replayed assertion");
        // …and without any challenge begun for this sign-in.
        let (mut three, _) = password_step(&app, "alice", PASSWORD).await;
        assert_refused(&finish_key_step(&mut three, answer).await, "no challenge begun");

        // Short-lived: an answer after 5 minutes is refused.
        let (mut late, _) = password_step(&app, "alice", PASSWORD).await;
        let options = post(&late, "/api/auth/mfa/webauthn/start", json!({})).await;
        let answer = sign(&mut key, ORIGIN, &options.json);
        app.clock.advance(Duration::seconds(5 * 60 + 1));
        let refused = finish_key_step(&mut late, answer).await;
        assert!(matches!(refused.status, StatusCode::BAD_REQUEST | StatusCode::UNAUTHORIZED), "{}", refused.text);

        // Passwordless: a handle works once, and only within 5 minutes.
        new_window(&app);
        let alice = user_id(&app, "alice").await;
        let credential_id = app.app.store.factors_of(alice).await.expect("factors")
            .into_iter().find_map(|f| f.credential_id).expect("credential id");
        let mut visitor = app.browser().await;
        let started = post(&visitor, "/api/auth/passkey/start", json!({})).await;
        let answer = sign_discoverable(&mut key, ORIGIN, &started.json, &credential_id, alice.as_uuid().as_bytes());
        let body = json!({"handle": started.json["handle"], "credential": answer});
        assert_eq!(post(&visitor, "/api/auth/passkey/finish", body.clone()).await.status, StatusCode::OK);
        visitor.refresh_csrf().await;
        assert_refused(&post(&visitor, "/api/auth/passkey/finish", body).await, "the same passkey handle again");
        let started = post(&visitor, "/api/auth/passkey/start", json!({})).await;
        let answer = sign_discoverable(&mut key, ORIGIN, &started.json, &credential_id, alice.as_uuid().as_bytes());
        app.clock.advance(Duration::seconds(5 * 60 + 1));
        assert_refused(&post(&visitor, "/api/auth/passkey/finish", json!({"handle": started.json["handle"], "credential": answer})).await, "an expired passkey handle");
        assert_refused(&post(&visitor, "/api/auth/passkey/finish", json!({"handle": "made-up", "credential": {"id": "x", "rawId": "eA", "type": "public-key", "response": {"authenticatorData": "eA", "clientDataJSON": "eA", "signature": "eA"}}})).await, "a made-up handle");
    }

    async fn mfa_06_a_signature_counter_that_goes_back_is_refused(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let mut key = new_key();
        assert_eq!(register(&browser, &mut key, "Key").await.status, StatusCode::OK);
        let (mut pending, _) = password_step(&app, "alice", PASSWORD).await;
        assert_eq!(key_step(&mut pending, &mut key, ORIGIN).await.status, StatusCode::OK);

        // A clone of the key would show a counter the server has already seen.
        let alice = user_id(&app, "alice").await;
        let factor = app.app.store.factors_of(alice).await.expect("factors").into_iter()
            .find(|f| f.kind == domain::factor::FactorKind::WebAuthn).expect("key");
        assert!(factor.counter.is_some_and(|c| c > 0), "the soft key counts: {:?}", factor.counter);
        assert!(app.app.store.advance_factor_counter(alice, factor.id, 1_000, app.clock.now()).await.expect("advance"));
        let (mut next, _) = password_step(&app, "alice", PASSWORD).await;
        assert_refused(&key_step(&mut next, &mut key, ORIGIN).await, "a counter behind the stored one");
    }

    async fn mfa_06_a_removed_key_no_longer_works_and_the_other_sessions_end(app) {
        let here = app.signed_in("alice", Role::User).await;
        let mut key = new_key();
        assert_eq!(register(&here, &mut key, "Old key").await.status, StatusCode::OK);
        let alice = user_id(&app, "alice").await;
        let factor = app.app.store.factors_of(alice).await.expect("factors").into_iter()
            .find(|f| f.kind == domain::factor::FactorKind::WebAuthn).expect("key");
        let credential_id = factor.credential_id.clone().expect("credential id");
        let (mut there, _) = password_step(&app, "alice", PASSWORD).await;
        assert_eq!(key_step(&mut there, &mut key, ORIGIN).await.status, StatusCode::OK);

        // Renaming needs only the session, and only the owner's key.
        let renamed = reply(here.send(Method::PATCH, &format!("/api/profile/webauthn/{}", factor.id), Some(json!({"name": "  Blue key "}))).await).await;
        assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text);
        assert_eq!(renamed.json["name"], "Blue key");
        let bob = app.signed_in("bob", Role::User).await;
        let theirs = bob.send(Method::PATCH, &format!("/api/profile/webauthn/{}", factor.id), Some(json!({"name": "Mine"}))).await;
        assert_eq!(theirs.status(), StatusCode::NOT_FOUND);
        assert_eq!(bob.send(Method::DELETE, &format!("/api/profile/webauthn/{}", factor.id), None).await.status(), StatusCode::NOT_FOUND);
        let empty = here.send(Method::PATCH, &format!("/api/profile/webauthn/{}", factor.id), Some(json!({"name": "   "}))).await;
        assert_eq!(empty.status(), StatusCode::UNPROCESSABLE_ENTITY);

        // Removing needs a fresh step-up: the password and, the account having a key, the key.
        app.clock.advance(Duration::minutes(6));
        let path = format!("/api/profile/webauthn/{}", factor.id);
        let stale = reply(here.send(Method::DELETE, &path, None).await).await;
        assert_eq!((stale.status, stale.json["code"].clone()), (StatusCode::FORBIDDEN, json!("reauth_required")), "{}", stale.text);
        let no_factor = post(&here, "/api/auth/reauth", json!({"password": PASSWORD})).await;
        assert_eq!(no_factor.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", no_factor.text);
        let options = post(&here, "/api/auth/reauth/webauthn/start", json!({})).await;
        assert_eq!(options.status, StatusCode::OK, "{}", options.text);
        let wrong_origin = sign(&mut key, "https://evil.bills.example.test", &options.json);
        assert_refused(&post(&here, "/api/auth/reauth", json!({"password": PASSWORD, "webauthn": wrong_origin})).await, "step-up, wrong origin");
        let options = post(&here, "/api/auth/reauth/webauthn/start", json!({})).await;
        let answer = sign(&mut key, ORIGIN, &options.json);
        let stepped = post(&here, "/api/auth/reauth", json!({"password": PASSWORD, "webauthn": answer})).await;
        assert_eq!(stepped.status, StatusCode::NO_CONTENT, "{}", stepped.text);

        let removed = here.send(Method::DELETE, &path, None).await;
        assert_eq!(removed.status(), StatusCode::NO_CONTENT);
        assert_eq!(get(&there, "/api/auth/me").await.status, StatusCode::UNAUTHORIZED, "the other session ended");
        assert_eq!(get(&here, "/api/auth/me").await.status, StatusCode::OK, "this one stays");
        let events = audit_actions(&app, "mfa.webauthn_removed").await;
        assert_eq!(events.len(), 1);
        assert_eq!(events[0]["other_sessions_ended"], 1, "{events:?}");

        // The removed key signs in nowhere: not passwordless, and not as a second factor
        // (the account has none left: the password alone signs in, the recovery codes went).
        new_window(&app);
        let mut visitor = app.browser().await;
        let refused = passkey_sign_in(&mut visitor, &mut key, &credential_id, alice.as_uuid().as_bytes()).await;
        assert_refused(&refused, "a removed passkey");
        let (_, answer) = password_step(&app, "alice", PASSWORD).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        assert_eq!(answer.json["mfa_required"], Value::Null, "{}", answer.text);
        let nobody = app.browser().await;
        assert_eq!(post(&nobody, "/api/auth/mfa/webauthn/start", json!({})).await.status, StatusCode::UNAUTHORIZED, "no pending sign-in");
        assert_eq!(app.app.store.unused_recovery_codes(alice).await.expect("codes"), 0);
    }

    async fn mfa_06_key_names_are_escaped_and_the_pages_work_as_form_posts(app) {
        const HOSTILE: &str = "<script>alert(1)</script>\"><img src=x>";
        let browser = app.signed_in("alice", Role::User).await;
        let mut key = new_key();

        // The security page offers the section, its script, and (hidden until the script
        // shows it) the add form.
        let page = get(&browser, "/profile/security").await;
        assert!(page.text.contains("Security keys and passkeys"));
        assert!(page.text.contains("<script src=\"/static/webauthn.js\""));
        assert!(page.text.contains("data-webauthn=\"create\""));
        assert!(page.text.contains("data-webauthn-origin=\"https://bills.example.test\""), "keys are offered only at PUBLIC_URL's origin");
        assert!(page.text.contains("Add a security key or passkey"));

        // Adding a key through the page: the start call, then the form post with the answer.
        let started = post(&browser, "/api/profile/webauthn/register/start", json!({"name": HOSTILE})).await;
        assert_eq!(started.status, StatusCode::OK, "{}", started.text);
        let answer = create(&mut key, ORIGIN, &started.json).to_string();
        let added = form(&browser, "/profile/webauthn/register", &[("name", "ignored"), ("credential", &answer)]).await;
        assert_eq!(added.status, StatusCode::OK, "the recovery codes, shown once: {}", added.text);
        assert!(added.text.contains("recovery-codes"), "{}", added.text);
        let refused = form(&browser, "/profile/webauthn/register", &[("credential", &answer)]).await;
        assert_eq!(refused.location.as_deref(), Some("/profile/security?key_error=refused#security-keys"));

        // The name comes back as the owner typed it, and is drawn escaped.
        let listed = get(&browser, "/api/profile/webauthn").await;
        assert_eq!(listed.json[0]["name"], HOSTILE);
        let page = get(&browser, "/profile/security").await;
        assert!(!page.text.contains("<script>alert(1)"), "escaped");
        assert!(!page.text.contains("<img src=x>"), "escaped");
        assert!(page.text.contains("&#60;script&#62;alert(1)&#60;/script&#62;"), "shown");

        // Rename and remove as plain forms.
        let id = listed.json[0]["id"].as_str().expect("id").to_owned();
        let renamed = form(&browser, &format!("/profile/webauthn/{id}/rename"), &[("name", "Desk key")]).await;
        assert_eq!(renamed.location.as_deref(), Some("/profile/security?key=renamed#security-keys"));
        let bad = form(&browser, &format!("/profile/webauthn/{id}/rename"), &[("name", "")]).await;
        assert_eq!(bad.location.as_deref(), Some("/profile/security?key_error=name#security-keys"));
        assert!(get(&browser, "/profile/security?key=renamed").await.text.contains("Desk key"));

        // The second step of signing in offers the key, and takes its answer as a form post.
        new_window(&app);
        let (pending, _) = password_step(&app, "alice", PASSWORD).await;
        let page = get(&pending, "/login/mfa").await;
        assert!(page.text.contains("Use your security key"), "{}", page.text);
        assert!(page.text.contains("<script src=\"/static/webauthn.js\""));
        let options = post(&pending, "/api/auth/mfa/webauthn/start", json!({})).await;
        let answer = sign(&mut key, ORIGIN, &options.json).to_string();
        let wrong = form(&pending, "/login/mfa", &[("webauthn", "{\"id\":1}"), ("next", "/bills")]).await;
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", wrong.text);
        let done = form(&pending, "/login/mfa", &[("webauthn", &answer), ("next", "/bills")]).await;
        assert_eq!(done.location.as_deref(), Some("/bills"), "{}", done.text);

        // The sign-in page offers passwordless sign-in; its form post signs in.
        let mut visitor = app.browser().await;
        let page = get(&visitor, "/login").await;
        assert!(page.text.contains("Sign in with a passkey"));
        let alice = user_id(&app, "alice").await;
        let credential_id = app.app.store.factors_of(alice).await.expect("factors")
            .into_iter().find_map(|f| f.credential_id).expect("credential id");
        let started = post(&visitor, "/api/auth/passkey/start", json!({})).await;
        let answer = sign_discoverable(&mut key, ORIGIN, &started.json, &credential_id, alice.as_uuid().as_bytes()).to_string();
        let handle = started.json["handle"].as_str().expect("handle").to_owned();
        let done = form(&visitor, "/login/passkey", &[("handle", &handle), ("credential", &answer), ("next", "/expenses")]).await;
        assert_eq!(done.location.as_deref(), Some("/expenses"), "{}", done.text);
        visitor.refresh_csrf().await;
        let again = form(&visitor, "/login/passkey", &[("handle", &handle), ("credential", &answer)]).await;
        assert_eq!(again.status, StatusCode::BAD_REQUEST, "used once");
        assert!(again.text.contains("That passkey did not sign you in"));

        // Removing through the page needs a fresh step-up first.
        app.clock.advance(Duration::minutes(6));
        let removed = form(&browser, &format!("/profile/webauthn/{id}/remove"), &[]).await;
        assert_eq!(removed.location.as_deref(), Some("/profile/reauth?next=%2Fprofile%2Fsecurity"));
        let page = get(&browser, "/profile/reauth?next=%2Fprofile%2Fsecurity").await;
        assert!(page.text.contains("Confirm with your security key"), "{}", page.text);
        assert!(page.text.contains("<script src=\"/static/webauthn.js\""));
    }
}

app_tests! {
    @with spawn_ip_address;

    async fn mfa_06_with_an_ip_address_public_url_webauthn_is_off_and_the_rest_works(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let refused = post(&browser, "/api/profile/webauthn/register/start", json!({"name": "Key"})).await;
        assert_eq!((refused.status, refused.json["field"].clone()), (StatusCode::CONFLICT, json!("webauthn")), "{}", refused.text);
        let started = post(&browser, "/api/auth/passkey/start", json!({})).await;
        assert_eq!(started.status, StatusCode::CONFLICT);
        let page = get(&browser, "/profile/security").await;
        assert!(page.text.contains("not available on this server"));
        assert!(!page.text.contains("webauthn.js"));
        let visitor = app.browser().await;
        let page = get(&visitor, "/login").await;
        assert!(!page.text.contains("Sign in with a passkey"));
        assert!(!page.text.contains("webauthn.js"));
    }
}
