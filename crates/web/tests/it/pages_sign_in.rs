//! The "Sign-in methods" admin page and its no-JavaScript form, on both engines, against the
//! fake providers of [`crate::oidc_fake`] (the app may reach them: loopback is allowed over
//! plain HTTP here): the form with the callback URLs to register, who may open it, the
//! lock-out guard on password sign-in, turning OIDC on (and refusing it when discovery fails),
//! secrets that never come back in a page or the API, the Test buttons, and the sign-in
//! page's escaped "Sign in with …" button afterwards.

use domain::user::Role;
use reqwest::StatusCode;
use serde_json::Value;
use testkit::TestEngine;

use crate::app_tests;
use crate::oidc_fake::{FakeGithub, FakeOp};
use crate::pages_support::{escaped, fetch, page, submit};
use crate::support::{Browser, Spawn, TestApp, spawn_with};

const PAGE: &str = "/admin/sign-in-methods";
const TEST: &str = "/admin/sign-in-methods/test";
const SECRET: &str = "oidc-client-secret-7f3a9c";
const PROVIDER: &str = "Acme <SSO>";

/// A test app that may reach the fake providers on 127.0.0.1 over plain HTTP.
async fn spawn(engine: TestEngine) -> Option<TestApp> {
    spawn_with(
        engine,
        Spawn {
            env: vec![
                ("OUTBOUND_ALLOW_HOSTS", "127.0.0.1".into()),
                ("OUTBOUND_ALLOW_HTTP_HOSTS", "127.0.0.1".into()),
            ],
            ..Spawn::default()
        },
    )
    .await
}

/// The sign-in methods in force, from the JSON API, with the raw text.
async fn methods(admin: &Browser) -> (Value, String) {
    let response = admin.get("/api/admin/sign-in-methods").await;
    assert_eq!(response.status(), StatusCode::OK);
    let text = response.text().await.expect("body");
    (serde_json::from_str(&text).expect("JSON"), text)
}

/// The form turning OIDC on with `issuer`, password sign-in staying on.
fn oidc_on(issuer: &str) -> Vec<(&'static str, String)> {
    vec![
        ("local_enabled", "true".into()),
        ("oidc.enabled", "true".into()),
        ("oidc.provider_name", PROVIDER.into()),
        ("oidc.issuer_url", issuer.into()),
        ("oidc.client_id", "billtracker".into()),
        ("oidc.client_secret", SECRET.into()),
        ("oidc.token_auth_method", "client_secret_basic".into()),
        ("oidc.scopes", "openid email profile".into()),
        ("oidc.auto_provision", "true".into()),
    ]
}

/// Posts `fields` (and `extra`) to `path` as the form would.
async fn post(
    browser: &Browser,
    path: &str,
    fields: &[(&'static str, String)],
    extra: &[(&'static str, &str)],
) -> (StatusCode, String, String) {
    let mut form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    form.extend_from_slice(extra);
    submit(browser, path, &form).await
}

fn callback(app: &TestApp, provider: &str) -> String {
    format!(
        "{}/api/auth/{provider}/callback",
        app.app.config.public_url.trim_end_matches('/')
    )
}

app_tests! {
    @with spawn;

    async fn an_admin_sees_the_form_with_the_callback_urls_to_register(app) {
        let root = app.signed_in("root", Role::Admin).await;
        assert!(page(&root, "/admin").await.contains("href=\"/admin/sign-in-methods\""));
        let html = page(&root, PAGE).await;
        assert!(html.contains("<h1>Sign-in methods</h1>"), "{html}");
        assert!(html.contains(&escaped(&callback(&app, "oidc"))), "{html}");
        assert!(html.contains(&escaped(&callback(&app, "github"))), "{html}");
        assert!(
            html.contains("id=\"local_enabled\" name=\"local_enabled\" type=\"checkbox\" value=\"true\" checked"),
            "password sign-in is on: {html}"
        );
        assert!(html.contains("id=\"oidc-client_secret\" name=\"oidc.client_secret\" type=\"password\" autocomplete=\"off\""), "{html}");
        assert!(html.contains("Not set."), "{html}");
        assert!(html.contains("name=\"test\" value=\"oidc\""), "{html}");
        assert!(html.contains("name=\"test\" value=\"github\""), "{html}");
        assert!(html.contains("<summary>GitHub Enterprise</summary>"), "{html}");
    }

    async fn only_administrators_may_open_or_post_it(app) {
        let bob = app.signed_in("bob", Role::User).await;
        let (status, html) = fetch(&bob, PAGE).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{html}");
        let (status, _, _) = submit(&bob, PAGE, &[("github.enabled", "true")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _, _) = submit(&bob, TEST, &[("test", "oidc")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);

        let anonymous = app.browser().await;
        let response = anonymous.get(PAGE).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(response.headers()["location"], "/login?next=/admin/sign-in-methods");
    }

    async fn turning_password_sign_in_off_without_oidc_is_refused_and_nothing_saved(app) {
        let root = app.signed_in("root", Role::Admin).await;
        let (status, _, html) = submit(&root, PAGE, &[("oidc.provider_name", "Typed name")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
        assert!(html.contains("id=\"local_enabled-error\""), "the error sits under the field: {html}");
        assert!(html.contains("<a href=\"#local_enabled\">Password sign-in: "), "and in the summary: {html}");
        assert!(html.contains("aria-invalid=\"true\""), "{html}");
        assert!(html.contains("value=\"Typed name\""), "what was typed is kept: {html}");
        let (methods, _) = methods(&root).await;
        assert_eq!(methods["local_enabled"], true, "{methods}");
        assert_eq!(methods["source"], "environment", "nothing was saved: {methods}");
    }

    async fn turning_oidc_on_saves_it_and_the_secret_never_comes_back(app) {
        let op = FakeOp::start().await;
        let root = app.signed_in("root", Role::Admin).await;
        let (status, location, body) = post(&root, PAGE, &oidc_on(&op.issuer()), &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        assert_eq!(location, "/admin/sign-in-methods?notice=saved");
        let html = page(&root, &location).await;
        assert!(html.contains("Sign-in methods saved."), "{html}");
        assert!(html.contains("Saved — leave empty to keep it"), "{html}");
        assert!(html.contains(&format!("value=\"{}\"", escaped(PROVIDER))), "{html}");
        assert!(!html.contains(SECRET), "the secret is not in the page");
        let (json, text) = methods(&root).await;
        assert_eq!(json["oidc"]["enabled"], true, "{json}");
        assert_eq!(json["oidc"]["client_secret"], "saved", "{json}");
        assert_eq!(json["oidc"]["issuer_url"], op.issuer().as_str(), "{json}");
        assert_eq!(json["source"], "saved", "{json}");
        assert!(!text.contains(SECRET), "the secret is not in the API: {text}");

        // Saving again with the secret field empty keeps the saved secret.
        let mut again = oidc_on(&op.issuer());
        again.retain(|(name, _)| *name != "oidc.client_secret");
        again.push(("oidc.client_secret", String::new()));
        let (status, _, body) = post(&root, PAGE, &again, &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let (json, _) = methods(&root).await;
        assert_eq!(json["oidc"]["enabled"], true, "{json}");
        assert_eq!(json["oidc"]["client_secret"], "saved", "{json}");

        // The sign-in page offers the provider, its name escaped.
        let anonymous = app.browser().await;
        let html = page(&anonymous, "/login").await;
        assert!(html.contains(&format!("Sign in with {}", escaped(PROVIDER))), "{html}");
        assert!(!html.contains(PROVIDER), "the name is escaped: {html}");
        assert!(html.contains("href=\"/api/auth/oidc/login\""), "{html}");
    }

    async fn oidc_is_not_turned_on_when_discovery_fails(app) {
        let op = FakeOp::start().await;
        op.set_metadata_issuer("https://evil.example");
        let root = app.signed_in("root", Role::Admin).await;
        let (status, _, html) = post(&root, PAGE, &oidc_on(&op.issuer()), &[]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
        assert!(html.contains("id=\"oidc-issuer_url-error\""), "{html}");
        assert!(html.contains("<a href=\"#oidc-issuer_url\">Issuer URL"), "{html}");
        assert!(html.contains(&format!("value=\"{}\"", escaped(&op.issuer()))), "the typed issuer is kept: {html}");
        assert!(html.contains("value=\"billtracker\""), "the typed client id is kept: {html}");
        assert!(!html.contains(SECRET), "a typed secret is never echoed back");
        assert!(html.contains("type it again"), "the secret hint asks for it again: {html}");
        let (json, _) = methods(&root).await;
        assert_eq!(json["oidc"]["enabled"], false, "{json}");
        assert_eq!(json["oidc"]["client_secret"], "none", "{json}");
    }

    async fn testing_the_oidc_provider_lists_its_checks_and_saves_nothing(app) {
        let op = FakeOp::start().await;
        let root = app.signed_in("root", Role::Admin).await;
        let (status, _, html) = post(&root, TEST, &oidc_on(&op.issuer()), &[("test", "oidc")]).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(html.contains("OpenID Connect: the test passed"), "{html}");
        assert!(html.contains(&escaped(&format!("Discovery answered; issuer {} matches", op.issuer()))), "{html}");
        assert!(html.contains("PKCE (S256) supported"), "{html}");
        assert!(html.contains("Token endpoint accepts client_secret_basic"), "{html}");
        assert!(html.contains(&escaped(&callback(&app, "oidc"))), "{html}");
        assert!(!html.contains(SECRET), "a typed secret is never echoed back");
        assert!(html.contains("value=\"billtracker\""), "what was typed is kept: {html}");
        let (json, _) = methods(&root).await;
        assert_eq!(json["oidc"]["enabled"], false, "the test saved nothing: {json}");
        assert_eq!(json["oidc"]["issuer_url"], "", "{json}");

        // A discovery that fails is the problem shown.
        op.set_metadata_issuer("https://evil.example");
        let (status, _, html) = post(&root, TEST, &oidc_on(&op.issuer()), &[("test", "oidc")]).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(html.contains("OpenID Connect: the test found a problem"), "{html}");

        // No button named: nothing to test.
        let (status, _, html) = post(&root, TEST, &oidc_on(&op.issuer()), &[]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
        assert!(html.contains("Choose what to test"), "{html}");
    }

    async fn testing_github_tells_a_wrong_secret_from_the_right_one(app) {
        let github = FakeGithub::start("gh-client", "gh-right-secret").await;
        let root = app.signed_in("root", Role::Admin).await;
        let form = |secret: &str| -> Vec<(&'static str, String)> {
            vec![
                ("local_enabled", "true".into()),
                ("github.client_id", "gh-client".into()),
                ("github.client_secret", secret.into()),
                ("github.web_url", github.web_url()),
                ("github.api_url", github.api_url()),
            ]
        };
        let (status, _, html) = post(&root, TEST, &form("gh-wrong-secret"), &[("test", "github")]).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(html.contains("GitHub: the test found a problem"), "{html}");
        assert!(html.contains("GitHub does not accept this client id and secret"), "{html}");
        assert!(!html.contains("gh-wrong-secret"), "a typed secret is never echoed back");
        assert!(html.contains("<details open>"), "the Enterprise URLs typed are shown: {html}");

        let (status, _, html) = post(&root, TEST, &form("gh-right-secret"), &[("test", "github")]).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(html.contains("GitHub: the test passed"), "{html}");
        assert!(html.contains("GitHub accepts the client id and secret"), "{html}");
        assert!(html.contains(&escaped(&callback(&app, "github"))), "{html}");
        assert!(!html.contains("gh-right-secret"), "a typed secret is never echoed back");
        let (json, _) = methods(&root).await;
        assert_eq!(json["github"]["enabled"], false, "the test saved nothing: {json}");
        assert_eq!(json["github"]["client_secret"], "none", "{json}");
    }
}
