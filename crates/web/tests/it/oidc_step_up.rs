//! Step-up re-authentication through the sign-in provider (MFA-05 for accounts made by a
//! provider, which have no password), on both engines against the fake provider: the
//! request asks the provider to authenticate again (`prompt=login`, `max_age=0`); a fresh
//! `auth_time` of the linked identity makes the session fresh; a stale `auth_time`, another
//! identity or a flow started elsewhere does not; with a second factor the provider's proof
//! stands in for the password and the factor is still asked.

use reqwest::StatusCode;
use serde_json::json;

use crate::app_tests;
use crate::mfa::{enrol, form, oathtool, post};
use crate::oidc::{CLIENT_ID, callback, configure, me, now, oidc_settings, query, sign_in_with};
use crate::oidc_fake::{FakeOp, Signing};
use crate::support::{Browser, TestApp};
use service::auth::external::admin::OidcUpdate;

/// A person who signed in through the provider as `sub` (no password), with a CSRF token for
/// their session.
async fn provider_account(app: &TestApp, op: &FakeOp, sub: &str) -> Browser {
    let (mut browser, response) = sign_in_with(app, op, |nonce| {
        (
            Signing::KeyA,
            json!({}),
            op.valid_claims(CLIENT_ID, nonce, sub, now(app)),
        )
    })
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    browser.refresh_csrf().await;
    browser
}

/// Starts a step-up from the step-up page: the provider's authorization URL's parameters.
async fn start(browser: &Browser) -> std::collections::BTreeMap<String, String> {
    let started = form(
        browser,
        "/profile/reauth/provider",
        &[("provider", "oidc"), ("next", "/profile/security")],
    )
    .await;
    assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.text);
    query(started.location.as_deref().expect("to the provider"))
}

/// The provider's answer for `sub`, authenticated at `auth_time`.
fn answer(
    op: &FakeOp,
    app: &TestApp,
    nonce: &str,
    sub: &str,
    auth_time: chrono::DateTime<chrono::Utc>,
) {
    let mut claims = op.valid_claims(CLIENT_ID, nonce, sub, now(app));
    claims["auth_time"] = json!(auth_time.timestamp());
    op.set_id_token(op.sign(Signing::KeyA, &claims));
}

app_tests! {
    @with crate::oidc::spawn_outbound;

    async fn mfa_05_a_provider_account_steps_up_through_its_provider(app) {
        let app = app;
        let op = FakeOp::start().await;
        configure(&app, OidcUpdate { auto_provision: true, ..oidc_settings(&op.issuer()) }).await;
        let browser = provider_account(&app, &op, "step-1").await;
        app.clock.advance(chrono::Duration::minutes(10));
        let refused = post(&browser, "/api/profile/mfa/totp", json!({})).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert_eq!(refused.json["code"], "reauth_required");
        // The step-up page offers the provider (the account has no password to type).
        let page = browser.get("/profile/reauth?next=/profile/security").await.text().await.expect("page");
        assert!(page.contains("Confirm with Acme SSO"));
        assert!(!page.contains("name=\"password\""));
        let params = start(&browser).await;
        assert_eq!(params["prompt"], "login");
        assert_eq!(params["max_age"], "0");
        // A stale authentication at the provider is not a step-up.
        answer(&op, &app, &params["nonce"], "step-1", now(&app) - chrono::Duration::minutes(30));
        let stale = callback(&browser, "oidc", "code", &params["state"]).await;
        assert_eq!(stale.status(), StatusCode::BAD_REQUEST);
        assert_eq!(post(&browser, "/api/profile/mfa/totp", json!({})).await.status, StatusCode::FORBIDDEN);
        // Someone else at the provider is not a step-up of this account.
        let params = start(&browser).await;
        answer(&op, &app, &params["nonce"], "someone-else", now(&app));
        assert_eq!(callback(&browser, "oidc", "code", &params["state"]).await.status(), StatusCode::BAD_REQUEST);
        // A fresh authentication of the linked identity is.
        let params = start(&browser).await;
        answer(&op, &app, &params["nonce"], "step-1", now(&app));
        let done = callback(&browser, "oidc", "code", &params["state"]).await;
        assert_eq!(done.status(), StatusCode::OK);
        assert!(done.text().await.expect("page").contains("url=/profile/security"));
        assert_eq!(post(&browser, "/api/profile/mfa/totp", json!({})).await.status, StatusCode::OK);
        let events = crate::mfa::audit_actions(&app, "reauth.success").await;
        assert_eq!(events.last().expect("audited")["method"], "oidc");
    }

    async fn mfa_05_a_step_up_belongs_to_the_session_and_browser_that_began_it(app) {
        let app = app;
        let op = FakeOp::start().await;
        configure(&app, OidcUpdate { auto_provision: true, ..oidc_settings(&op.issuer()) }).await;
        let first = provider_account(&app, &op, "two-sessions").await;
        let second = provider_account(&app, &op, "two-sessions").await;
        app.clock.advance(chrono::Duration::minutes(10));
        // Started by the first session, answered in the second browser: refused.
        let params = start(&first).await;
        answer(&op, &app, &params["nonce"], "two-sessions", now(&app));
        assert_eq!(callback(&second, "oidc", "code", &params["state"]).await.status(), StatusCode::BAD_REQUEST);
        for browser in [&first, &second] {
            assert_eq!(post(browser, "/api/profile/mfa/totp", json!({})).await.status, StatusCode::FORBIDDEN);
        }
        // The first session signed out meanwhile: its step-up cannot complete.
        let params = start(&first).await;
        assert_eq!(form(&first, "/logout", &[]).await.status, StatusCode::SEE_OTHER);
        answer(&op, &app, &params["nonce"], "two-sessions", now(&app));
        assert_eq!(callback(&first, "oidc", "code", &params["state"]).await.status(), StatusCode::BAD_REQUEST);
        assert!(me(&second).await.is_some());
    }

    async fn mfa_05_with_a_second_factor_the_provider_replaces_only_the_password(app) {
        let app = app;
        let op = FakeOp::start().await;
        configure(&app, OidcUpdate { auto_provision: true, ..oidc_settings(&op.issuer()) }).await;
        let browser = provider_account(&app, &op, "with-factor").await;
        let (secret, _) = enrol(&app, &browser).await;
        app.clock.advance(chrono::Duration::minutes(10));
        let params = start(&browser).await;
        answer(&op, &app, &params["nonce"], "with-factor", now(&app));
        let done = callback(&browser, "oidc", "code", &params["state"]).await;
        assert_eq!(done.status(), StatusCode::OK);
        assert!(done.text().await.expect("page").contains("/profile/reauth?next="), "the factor comes next");
        // Not fresh yet: the factor is still needed.
        assert_eq!(post(&browser, "/api/profile/mfa/totp", json!({})).await.status, StatusCode::FORBIDDEN);
        let page = browser.get("/profile/reauth?next=/profile/security").await.text().await.expect("page");
        assert!(page.contains("confirmed it"), "{page}");
        let code = oathtool(&secret, now(&app));
        let confirmed = form(&browser, "/profile/reauth", &[("code", &code), ("next", "/profile/security")]).await;
        assert_eq!(confirmed.status, StatusCode::SEE_OTHER, "{}", confirmed.text);
        assert_eq!(post(&browser, "/api/profile/mfa/totp", json!({})).await.status, StatusCode::OK);
        // Signing in through the provider now asks for the factor, and the history says how.
        let (next, response) = sign_in_with(&app, &op, |nonce| {
            (Signing::KeyA, json!({}), op.valid_claims(CLIENT_ID, nonce, "with-factor", now(&app)))
        })
        .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(me(&next).await.is_none(), "not signed in before the factor");
        let code = oathtool(&secret, now(&app) + chrono::Duration::seconds(30));
        app.clock.advance(chrono::Duration::seconds(30));
        let done = post(&next, "/api/auth/mfa/verify", json!({"code": code})).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.text);
        let user: domain::id::UserId = me(&browser).await.expect("in")["id"].as_str().expect("id").parse().expect("id");
        let history = app.app.store.logins_of(user, 10).await.expect("history");
        assert!(history.iter().any(|h| h.success && h.method == "oidc+totp"), "{history:?}");
        // Without the provider's proof, an empty password is still refused.
        app.clock.advance(chrono::Duration::minutes(10));
        let code = oathtool(&secret, now(&app));
        let refused = form(&browser, "/profile/reauth", &[("code", &code), ("next", "/")]).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
}
