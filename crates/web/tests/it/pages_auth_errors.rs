//! The error paths of the sign-in, setup, second-factor, step-up, security, security-key,
//! welcome and external sign-in pages answer HTML — the page with the reason or the styled
//! error page — never `application/problem+json` and never a 500: an unknown id, an id that
//! does not parse, another user's real id, a form body with fields missing, the sign-in rate
//! limit, a dead setup link and an unknown provider, also in single-user mode.

use domain::user::Role;
use reqwest::StatusCode;
use serde_json::Value;

use crate::app_tests;
use crate::support::{Browser, PASSWORD, spawn_single_user};

/// A well-formed id (UUIDv7) that names nothing.
const NOBODY: &str = "0190b3a0-0000-7000-8000-000000000000";

/// POSTs a no-JavaScript form (the CSRF token added) as `browser`.
async fn post_form(browser: &Browser, path: &str, fields: &[(&str, &str)]) -> reqwest::Response {
    let mut form: Vec<(&str, &str)> = fields.to_vec();
    form.push(("csrf_token", browser.csrf.as_str()));
    let request = browser.client.post(browser.url(path)).form(&form);
    request.send().await.expect("post")
}

/// `response` is a whole HTML page and no server error (never problem details): its status
/// and HTML.
async fn html_of(response: reqwest::Response) -> (StatusCode, String) {
    let (status, path) = (response.status(), response.url().path().to_owned());
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let html = response.text().await.expect("body");
    assert!(
        kind.starts_with("text/html"),
        "{path} {status}: {kind} {html}"
    );
    assert!(html.contains("<html"), "{path} {status}: a whole page");
    assert!(status.as_u16() < 500, "{path} {status}: {html}");
    (status, html)
}

/// `response` is an HTML page with `status` that says `words`.
async fn assert_page(response: reqwest::Response, status: StatusCode, words: &str) {
    let (got, html) = html_of(response).await;
    assert_eq!(got, status, "{html}");
    assert!(html.contains(words), "wanted {words:?} in {html}");
}

/// The id of `browser`'s own session (`GET /api/profile/sessions`).
async fn session_id(browser: &Browser) -> String {
    let sessions: Value = browser
        .get("/api/profile/sessions")
        .await
        .json()
        .await
        .expect("json");
    sessions[0]["id"].as_str().expect("id").to_owned()
}

app_tests! {
    async fn pages_never_answer_problem_json_security(app) {
        let alice = app.signed_in("alice", Role::User).await;
        let bob = app.signed_in("bob", Role::User).await;
        let not_found = StatusCode::NOT_FOUND;
        let gone = "That session does not exist or has already ended.";
        // An id that does not parse, one that names nothing, and bob's real session.
        let response = post_form(&alice, "/profile/sessions/not-an-id/end", &[]).await;
        assert_page(response, not_found, "does not exist").await;
        let response = post_form(&alice, &format!("/profile/sessions/{NOBODY}/end"), &[]).await;
        assert_page(response, not_found, gone).await;
        let bobs = session_id(&bob).await;
        let response = post_form(&alice, &format!("/profile/sessions/{bobs}/end"), &[]).await;
        assert_page(response, not_found, gone).await;
        assert_eq!(bob.get("/api/auth/me").await.status(), StatusCode::OK, "bob's session lives on");
        // A password form with its fields missing, and one with a wrong current password.
        let response = post_form(&alice, "/profile/password", &[("new_password", "x")]).await;
        assert_page(response, StatusCode::UNPROCESSABLE_ENTITY, "not valid").await;
        let wrong = [("current_password", "nope"), ("new_password", "a much better passphrase 42")];
        let response = post_form(&alice, "/profile/password", &wrong).await;
        assert_page(response, StatusCode::FORBIDDEN, "Your current password is not right.").await;
    }

    async fn pages_never_answer_problem_json_security_keys(app) {
        let alice = app.signed_in("alice", Role::User).await;
        let gone = "That key does not exist (it may have been removed already).";
        let response = post_form(&alice, "/profile/webauthn/not-an-id/rename", &[("name", "Desk")]).await;
        assert_page(response, StatusCode::NOT_FOUND, "does not exist").await;
        let response = post_form(&alice, &format!("/profile/webauthn/{NOBODY}/rename"), &[("name", "Desk")]).await;
        assert_page(response, StatusCode::NOT_FOUND, gone).await;
        let response = post_form(&alice, &format!("/profile/webauthn/{NOBODY}/remove"), &[]).await;
        assert_page(response, StatusCode::NOT_FOUND, gone).await;
        // The second factor's and the app's forms with nothing in them.
        // A first code with no app being set up: back to the security page.
        let response = post_form(&alice, "/profile/mfa/totp/confirm", &[]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(response.headers()["location"], "/profile/security");
        // A passkey answer that is not one: the sign-in page says why.
        let response = post_form(&app.browser().await, "/login/passkey", &[("credential", "{garbled")]).await;
        let (status, html) = html_of(response).await;
        assert!(status.is_client_error(), "{status}");
        assert!(html.contains("passkey"), "{html}");
    }

    async fn pages_never_answer_problem_json_sign_in(app) {
        let browser = app.browser().await;
        app.account("carol", PASSWORD, Role::User).await;
        // Fields missing: the form body is refused as a page.
        let response = post_form(&browser, "/login", &[("username", "carol")]).await;
        assert_page(response, StatusCode::UNPROCESSABLE_ENTITY, "not valid").await;
        let response = post_form(&browser, "/login", &[("username", "carol"), ("password", "wrong")]).await;
        assert_page(response, StatusCode::UNAUTHORIZED, "Wrong username or password.").await;
        // The address's sign-in budget (10 a window): the 11th is the page with Retry-After.
        for attempt in 1..10 {
            let guess = format!("guess{attempt}");
            let response = post_form(&browser, "/login", &[("username", &guess), ("password", "wrong")]).await;
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "attempt {attempt}");
        }
        let response = post_form(&browser, "/login", &[("username", "carol"), ("password", PASSWORD)]).await;
        assert!(response.headers().contains_key("retry-after"), "Retry-After");
        assert_page(response, StatusCode::TOO_MANY_REQUESTS, "Too many attempts.").await;
        // The second step without a pending sign-in goes back to the password step.
        let response = post_form(&browser, "/login/mfa", &[("code", "123456")]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(response.headers()["location"], "/login");
        // A setup link that never worked, and one posted to.
        let response = browser.get("/setup?token=nope").await;
        assert_page(response, StatusCode::NOT_FOUND, "This setup link is not valid.").await;
        let fields = [("token", "nope"), ("username", "root2"), ("display_name", ""), ("password", PASSWORD)];
        let response = post_form(&browser, "/setup", &fields).await;
        assert_page(response, StatusCode::NOT_FOUND, "This setup link is not valid any more.").await;
        let response = post_form(&browser, "/setup", &[("token", "nope")]).await;
        assert_page(response, StatusCode::UNPROCESSABLE_ENTITY, "not valid").await;
    }

    async fn pages_never_answer_problem_json_external_sign_in(app) {
        let browser = app.browser().await;
        for path in ["/api/auth/saml/login", "/api/auth/saml/callback?code=a&state=b"] {
            let response = browser.get(path).await;
            assert_page(response, StatusCode::NOT_FOUND, "There is no such sign-in provider here.").await;
        }
        // A provider that is not turned on, and a callback nobody started.
        for path in ["/api/auth/oidc/login", "/api/auth/github/callback?code=a&state=b"] {
            let (status, html) = html_of(browser.get(path).await).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path}: {html}");
        }
    }

    async fn pages_never_answer_problem_json_step_up(app) {
        let alice = app.signed_in("alice", Role::User).await;
        let response = post_form(&alice, "/profile/reauth", &[("password", "wrong"), ("next", "/profile/security")]).await;
        assert_page(response, StatusCode::FORBIDDEN, "That password or code is not right.").await;
        let response = post_form(&alice, "/profile/reauth", &[("next", "/profile/security")]).await;
        assert_page(response, StatusCode::UNPROCESSABLE_ENTITY, "Enter your password.").await;
        let response = post_form(&alice, "/profile/reauth/provider", &[("provider", "saml")]).await;
        assert_page(response, StatusCode::UNPROCESSABLE_ENTITY, "Choose a sign-in provider.").await;
    }

    async fn pages_never_answer_problem_json_welcome(app) {
        let alice = app.signed_in("alice", Role::User).await;
        let response = post_form(&alice, "/welcome", &[("currency", "XXX"), ("time_zone", "UTC"), ("locale", "en-US")]).await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(response.headers()["location"], "/?welcome_error=currency");
        // Fields missing read as empty: the first is named.
        let response = post_form(&alice, "/welcome", &[]).await;
        assert_eq!(response.headers()["location"], "/?welcome_error=currency");
    }
}

app_tests! {
    @with spawn_single_user;

    async fn pages_never_answer_problem_json_in_single_user_mode(app) {
        let solo = app.browser().await;
        let response = solo.get("/profile/reauth?next=/profile/security").await;
        assert_page(response, StatusCode::FORBIDDEN, "Single-user mode has no password to confirm.").await;
        for path in ["/profile/mfa/totp/start", "/profile/webauthn/register", &format!("/profile/webauthn/{NOBODY}/remove")] {
            let response = post_form(&solo, path, &[]).await;
            assert_page(response, StatusCode::FORBIDDEN, "need sign-in, which single-user mode does not have").await;
        }
        let response = post_form(&solo, "/login", &[("username", "solo"), ("password", "x")]).await;
        assert_page(response, StatusCode::FORBIDDEN, "Forbidden").await;
    }
}
