//! The administrators' most dangerous actions need a fresh step-up (MFA-05, AZ-06), on both
//! engines: resetting another account's password, changing a role, deactivating, changing an
//! email, creating an administrator, deleting an account, changing the sign-in methods and the
//! two-step verification policy. A session whose step-up is stale (more than 5 minutes since
//! sign-in or the last step-up) is refused — 403 `reauth_required` from the JSON API, a
//! redirect to the step-up page from the forms — and nothing changes; after
//! `POST /api/auth/reauth` the same requests work.

use chrono::Duration;
use domain::user::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::app_tests;
use crate::mfa::{Reply, form, post, reply};
use crate::support::{Browser, PASSWORD, TestApp};

/// One account as the snapshot keeps it: username, role, active, email, password hash.
type Account = (String, String, bool, Option<String>, Option<String>);

/// What an attacker holding a stale admin session changes, as the database shows it.
#[derive(Debug, PartialEq, Eq)]
struct Snapshot {
    users: Vec<Account>,
    methods: Option<String>,
    policy: Option<String>,
}

async fn snapshot(app: &TestApp) -> Snapshot {
    let mut users: Vec<_> = app
        .app
        .store
        .users()
        .await
        .expect("users")
        .into_iter()
        .map(|u| {
            (
                u.username,
                u.role.as_str().to_owned(),
                u.is_active,
                u.email,
                u.password_hash,
            )
        })
        .collect();
    users.sort();
    Snapshot {
        users,
        methods: app.app.store.setting("auth.methods").await.expect("read"),
        policy: app.app.store.setting("mfa.policy").await.expect("read"),
    }
}

async fn send(browser: &Browser, method: Method, path: &str, body: Value) -> Reply {
    reply(browser.send(method, path, Some(body)).await).await
}

/// The sign-in methods with GitHub turned on by a stranger (an identity provider that makes
/// accounts, planted by whoever holds the session).
fn planted_provider() -> Value {
    json!({
        "local_enabled": true,
        "oidc": {},
        "github": {"enabled": true, "client_id": "Iv1.attacker", "client_secret": "attacker-secret", "auto_provision": true},
    })
}

/// Every dangerous action through the JSON API, with what it answers.
async fn api_actions(browser: &Browser, alice: &str, bob: &str) -> Vec<(&'static str, Reply)> {
    vec![
        ("password reset", post(browser, &format!("/api/admin/users/{alice}/password"), json!({"password": "the attacker's new passphrase"})).await),
        ("role", send(browser, Method::PATCH, &format!("/api/admin/users/{alice}"), json!({"role": "admin"})).await),
        ("deactivate", send(browser, Method::PATCH, &format!("/api/admin/users/{bob}"), json!({"is_active": false})).await),
        ("email", send(browser, Method::PATCH, &format!("/api/admin/users/{alice}"), json!({"email": "mallory@example.net"})).await),
        ("new admin", post(browser, "/api/admin/users", json!({"username": "mallory", "password": "a long enough passphrase", "role": "admin"})).await),
        ("sign-in methods", send(browser, Method::PUT, "/api/admin/sign-in-methods", planted_provider()).await),
        ("2fa policy", send(browser, Method::PUT, "/api/admin/mfa-policy", json!({"require": "off", "grace_days": 90})).await),
        ("delete", reply(browser.send(Method::DELETE, &format!("/api/admin/users/{bob}"), None).await).await),
    ]
}

/// Every dangerous action through the no-JavaScript forms, with what it answers.
async fn page_actions(browser: &Browser, alice: &str, bob: &str) -> Vec<(&'static str, Reply)> {
    vec![
        (
            "password reset",
            form(
                browser,
                &format!("/admin/users/{alice}/password"),
                &[("password", "the attacker's new passphrase")],
            )
            .await,
        ),
        (
            "role",
            form(
                browser,
                &format!("/admin/users/{alice}/role"),
                &[("role", "admin")],
            )
            .await,
        ),
        (
            "deactivate",
            form(
                browser,
                &format!("/admin/users/{bob}/active"),
                &[("is_active", "false")],
            )
            .await,
        ),
        (
            "email",
            form(
                browser,
                &format!("/admin/users/{alice}/profile"),
                &[
                    ("username", "alice"),
                    ("display_name", "alice"),
                    ("email", "mallory@example.net"),
                ],
            )
            .await,
        ),
        (
            "new admin",
            form(
                browser,
                "/admin/users",
                &[
                    ("username", "mallory"),
                    ("display_name", ""),
                    ("email", ""),
                    ("password", "a long enough passphrase"),
                    ("role", "admin"),
                ],
            )
            .await,
        ),
        (
            "sign-in methods",
            form(
                browser,
                "/admin/sign-in-methods",
                &[
                    ("local_enabled", "true"),
                    ("github.enabled", "true"),
                    ("github.client_id", "Iv1.attacker"),
                    ("github.client_secret", "attacker-secret"),
                    ("github.auto_provision", "true"),
                ],
            )
            .await,
        ),
        (
            "2fa policy",
            form(
                browser,
                "/admin/mfa-policy",
                &[("require", "off"), ("grace_days", "90")],
            )
            .await,
        ),
        (
            "delete",
            form(
                browser,
                &format!("/admin/users/{bob}/delete"),
                &[("confirm_username", "bob")],
            )
            .await,
        ),
    ]
}

/// An administrator `root` whose sign-in is more than 5 minutes old, and the ids of `alice`
/// (a user) and `bob` (another administrator, so that deactivating is allowed).
async fn stale_admin(app: &TestApp) -> (Browser, String, String) {
    let root = app.signed_in("root", Role::Admin).await;
    let alice = app
        .account("alice", PASSWORD, Role::User)
        .await
        .id
        .to_string();
    let bob = app
        .account("bob", PASSWORD, Role::Admin)
        .await
        .id
        .to_string();
    app.clock
        .advance(Duration::minutes(5) + Duration::seconds(1));
    (root, alice, bob)
}

app_tests! {
    async fn mfa_05_dangerous_admin_api_actions_need_a_fresh_step_up(app) {
        let (root, alice, bob) = stale_admin(&app).await;
        let before = snapshot(&app).await;

        for (action, answer) in api_actions(&root, &alice, &bob).await {
            assert_eq!(
                (answer.status, answer.json["code"].clone()),
                (StatusCode::FORBIDDEN, json!("reauth_required")),
                "{action}: {}",
                answer.text
            );
        }
        assert_eq!(snapshot(&app).await, before, "a stale session changed nothing");

        root.reauthenticate(PASSWORD).await;
        for (action, answer) in api_actions(&root, &alice, &bob).await {
            assert!(answer.status.is_success(), "{action} after the step-up: {} {}", answer.status, answer.text);
        }
        let after = snapshot(&app).await;
        assert_ne!(after.methods, before.methods);
        assert!(after.users.iter().any(|u| u.0 == "mallory" && u.1 == "admin"));
        assert!(!after.users.iter().any(|u| u.0 == "bob"), "bob was deleted");
    }

    async fn mfa_05_dangerous_admin_forms_send_a_stale_session_to_the_step_up_page(app) {
        let (root, alice, bob) = stale_admin(&app).await;
        let before = snapshot(&app).await;

        for (action, answer) in page_actions(&root, &alice, &bob).await {
            assert_eq!(answer.status, StatusCode::SEE_OTHER, "{action}: {}", answer.text);
            let to = answer.location.unwrap_or_default();
            assert!(to.starts_with("/profile/reauth?next=%2Fadmin"), "{action}: to {to}");
        }
        assert_eq!(snapshot(&app).await, before, "a stale session changed nothing");

        root.reauthenticate(PASSWORD).await;
        for (action, answer) in page_actions(&root, &alice, &bob).await {
            assert_eq!(answer.status, StatusCode::SEE_OTHER, "{action}: {}", answer.text);
            let to = answer.location.unwrap_or_default();
            assert!(to.contains("notice="), "{action} after the step-up: to {to}");
        }
        let after = snapshot(&app).await;
        assert!(after.policy.is_some() && after.methods.is_some());
        assert!(after.users.iter().any(|u| u.0 == "alice" && u.1 == "admin" && u.3.as_deref() == Some("mallory@example.net")));
        assert!(!after.users.iter().any(|u| u.0 == "bob"), "bob was deleted");
    }

    async fn mfa_05_renaming_an_account_or_ending_its_sessions_needs_no_step_up(app) {
        let (root, alice, _) = stale_admin(&app).await;
        let renamed = send(&root, Method::PATCH, &format!("/api/admin/users/{alice}"), json!({"display_name": "Alice A."})).await;
        assert_eq!(renamed.status, StatusCode::OK, "{}", renamed.text);
        let ended = reply(root.send(Method::DELETE, &format!("/api/admin/users/{alice}/sessions"), None).await).await;
        assert_eq!(ended.status, StatusCode::OK, "{}", ended.text);
    }
}
