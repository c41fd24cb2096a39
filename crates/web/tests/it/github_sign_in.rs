//! "Sign in with GitHub" through HTTP against the fake GitHub (`oidc_fake::FakeGithub`), on
//! both engines: state and PKCE on the authorization request, the code exchanged with the
//! verifier, identity by GitHub's numeric id (a renamed login is the same account), only a
//! verified primary email counts, refused codes and wrong client credentials create nothing,
//! the admin's "Test" tells right credentials from wrong ones, and a GitHub sign-in is never a
//! step-up on its own (MFA-05: GitHub approves silently while the browser is signed in there).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use reqwest::StatusCode;
use serde_json::json;
use service::auth::RequestMeta;
use service::auth::external::Provider;
use service::auth::external::admin::{self, GithubUpdate, MethodsUpdate};
use sha2::{Digest, Sha256};

use crate::app_tests;
use crate::mfa::{enrol, form, oathtool, post};
use crate::oidc::{admin, begin, callback, me, now, query, sets_session};
use crate::oidc_fake::FakeGithub;
use crate::support::TestApp;

const CLIENT_ID: &str = "Iv1.fakeclient";
const CLIENT_SECRET: &str = "gh-secret-81jd73";

fn settings(github: &FakeGithub, secret: &str) -> MethodsUpdate {
    MethodsUpdate {
        local_enabled: true,
        oidc: Default::default(),
        github: GithubUpdate {
            enabled: true,
            client_id: CLIENT_ID.into(),
            client_secret: Some(secret.into()),
            auto_provision: true,
            web_url: github.web_url(),
            api_url: github.api_url(),
            ..Default::default()
        },
    }
}

async fn configure(app: &TestApp, github: &FakeGithub) {
    let admin = admin(app).await;
    admin::update(
        &app.app,
        &admin,
        settings(github, CLIENT_SECRET),
        &RequestMeta::default(),
    )
    .await
    .expect("save");
}

/// A whole sign-in with the one code the fake accepts.
async fn sign_in(
    app: &TestApp,
    github: &FakeGithub,
) -> (crate::support::Browser, reqwest::Response) {
    let browser = app.browser().await;
    let params = begin(&browser, "/api/auth/github/login").await;
    github.set_code("gh-code-1");
    let response = callback(&browser, "github", "gh-code-1", &params["state"]).await;
    (browser, response)
}

/// GitHub sign-in turned on, and a browser signed in through it as GitHub user `id` (an
/// account made by the sign-in: no password, no second factor), with its session's CSRF token.
async fn github_account(
    app: &TestApp,
    id: i64,
    login: &str,
) -> (FakeGithub, crate::support::Browser) {
    let github = FakeGithub::start(CLIENT_ID, CLIENT_SECRET).await;
    configure(app, &github).await;
    github.set_user(id, login, None);
    let (mut browser, response) = sign_in(app, &github).await;
    assert_eq!(response.status(), StatusCode::OK);
    browser.refresh_csrf().await;
    (github, browser)
}

app_tests! {
    @with crate::oidc::spawn_outbound;

    async fn github_sign_in_uses_state_and_pkce_and_provisions_by_id(app) {
        let app = app;
        let github = FakeGithub::start(CLIENT_ID, CLIENT_SECRET).await;
        configure(&app, &github).await;
        let browser = app.browser().await;
        let params = begin(&browser, "/api/auth/github/login").await;
        assert_eq!(params["client_id"], CLIENT_ID);
        assert_eq!(params["code_challenge_method"], "S256");
        assert!(URL_SAFE_NO_PAD.decode(&params["state"]).expect("b64").len() >= 16);
        github.set_user(4242, "octo-ana", Some("Ana Octo"));
        github.set_code("gh-code-1");
        let response = callback(&browser, "github", "gh-code-1", &params["state"]).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(sets_session(&response));
        let user = me(&browser).await.expect("signed in");
        assert_eq!(user["username"], "octo-ana");
        assert_eq!(user["display_name"], "Ana Octo");
        assert_eq!(user["email"], "octocat@example.test");
        let request = &github.token_requests()[0];
        let verifier = &request.form["code_verifier"];
        assert_eq!(URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())), params["code_challenge"]);
        assert_eq!(request.form["client_secret"], CLIENT_SECRET);
        // Renamed on GitHub: the same account (the id is the identity).
        github.set_user(4242, "ana-renamed", Some("Ana Octo"));
        let (again, response) = sign_in(&app, &github).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(me(&again).await.expect("in")["id"], user["id"]);
        // The access token never reached the browser.
        let page = response.text().await.expect("body");
        assert!(!page.contains("gho_"));
    }

    async fn github_unverified_email_is_not_taken(app) {
        let app = app;
        let github = FakeGithub::start(CLIENT_ID, CLIENT_SECRET).await;
        configure(&app, &github).await;
        github.set_user(77, "nomail", None);
        github.set_emails(json!([
            {"email": "primary@example.test", "primary": true, "verified": false, "visibility": "private"},
            {"email": "other@example.test", "primary": false, "verified": true, "visibility": null}
        ]));
        let (browser, response) = sign_in(&app, &github).await;
        assert_eq!(response.status(), StatusCode::OK);
        let user = me(&browser).await.expect("in");
        assert_eq!(user["email"], serde_json::Value::Null);
        assert_eq!(user["display_name"], "nomail");
    }

    async fn github_refused_code_or_wrong_secret_signs_no_one_in(app) {
        let app = app;
        let github = FakeGithub::start(CLIENT_ID, CLIENT_SECRET).await;
        configure(&app, &github).await;
        let before = app.app.store.users().await.expect("users").len();
        // A code GitHub does not know.
        let browser = app.browser().await;
        let params = begin(&browser, "/api/auth/github/login").await;
        github.set_code("the-real-code");
        let response = callback(&browser, "github", "a-forged-code", &params["state"]).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert!(!sets_session(&response));
        // A wrong client secret saved: GitHub refuses the exchange.
        let admin = admin(&app).await;
        admin::update(&app.app, &admin, settings(&github, "wrong-secret"), &RequestMeta::default()).await.expect("save");
        let (browser, response) = sign_in(&app, &github).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert!(me(&browser).await.is_none());
        assert_eq!(app.app.store.users().await.expect("users").len(), before);
    }

    async fn mfa_05_a_github_sign_in_is_not_a_step_up_on_its_own(app) {
        let app = app;
        let (_github, browser) = github_account(&app, 5150, "octo-step").await;
        // Signing in through GitHub (which may not have asked anything) is no step-up either:
        // else signing out and in again would be one.
        let refused = post(&browser, "/api/profile/mfa/totp", json!({})).await;
        assert_eq!((refused.status, refused.json["code"].clone()), (StatusCode::FORBIDDEN, json!("reauth_required")), "right after the sign-in");
        app.clock.advance(chrono::Duration::minutes(10));
        let refused = post(&browser, "/api/profile/mfa/totp", json!({})).await;
        assert_eq!((refused.status, refused.json["code"].clone()), (StatusCode::FORBIDDEN, json!("reauth_required")));

        // The step-up page does not offer GitHub, and says why.
        let page = browser.get("/profile/reauth?next=/profile/security").await.text().await.expect("page");
        assert!(!page.contains("Confirm with GitHub"), "{page}");
        assert!(page.contains("GitHub cannot confirm"), "{page}");
        // Asking for it anyway is refused before anyone is sent to GitHub (which would approve
        // without asking while the browser is signed in there).
        let started = form(&browser, "/profile/reauth/provider", &[("provider", "github"), ("next", "/profile/security")]).await;
        assert_eq!(started.status, StatusCode::BAD_REQUEST, "{:?}", started.location);
        assert!(started.text.contains("GitHub cannot confirm"), "{}", started.text);
        assert_eq!(post(&browser, "/api/profile/mfa/totp", json!({})).await.status, StatusCode::FORBIDDEN, "still not fresh");
        assert!(crate::mfa::audit_actions(&app, "reauth.success").await.is_empty());
    }

    async fn mfa_05_with_a_second_factor_github_replaces_only_the_password(app) {
        let app = app;
        let (github, _) = github_account(&app, 5151, "octo-factor").await;
        // The account (made by its first GitHub sign-in) gets a password from an
        // administrator, steps up with it and adds a factor.
        let mut root = app.browser().await;
        let signed_in = root.login("root", crate::support::PASSWORD).await;
        assert_eq!(signed_in.status(), StatusCode::OK, "the administrator (made by configure)");
        let user = app.app.store.user_by_username("octo-factor").await.expect("read").expect("made by GitHub");
        let set = post(&root, &format!("/api/admin/users/{}/password", user.id), json!({"password": "octo's own passphrase"})).await;
        assert!(set.status.is_success(), "{}", set.text);
        let (mut browser, response) = sign_in(&app, &github).await;
        assert_eq!(response.status(), StatusCode::OK);
        browser.refresh_csrf().await;
        browser.reauthenticate("octo's own passphrase").await;
        let (secret, _) = enrol(&app, &browser).await;
        app.clock.advance(chrono::Duration::minutes(10));
        let started = form(&browser, "/profile/reauth/provider", &[("provider", "github"), ("next", "/profile/security")]).await;
        assert_eq!(started.status, StatusCode::SEE_OTHER, "{}", started.text);
        let params = query(started.location.as_deref().expect("to GitHub"));
        github.set_code("gh-code-2");
        let done = callback(&browser, "github", "gh-code-2", &params["state"]).await;
        assert_eq!(done.status(), StatusCode::OK);
        assert!(done.text().await.expect("page").contains("/profile/reauth?next="), "the factor comes next");
        assert_eq!(post(&browser, "/api/profile/mfa/totp", json!({})).await.status, StatusCode::FORBIDDEN, "GitHub alone is not enough");
        let code = oathtool(&secret, now(&app));
        let confirmed = form(&browser, "/profile/reauth", &[("code", &code), ("next", "/profile/security")]).await;
        assert_eq!(confirmed.status, StatusCode::SEE_OTHER, "{}", confirmed.text);
        assert_eq!(post(&browser, "/api/profile/mfa/totp", json!({})).await.status, StatusCode::OK);
    }

    async fn github_test_tells_right_credentials_from_wrong(app) {
        let app = app;
        let github = FakeGithub::start(CLIENT_ID, CLIENT_SECRET).await;
        let admin = admin(&app).await;
        let wrong = admin::test_provider(&app.app, &admin, Provider::Github, settings(&github, "nope"), &RequestMeta::default()).await.expect("test");
        assert!(!wrong.ok);
        assert!(wrong.problem.expect("problem").contains("does not accept"));
        let right = admin::test_provider(&app.app, &admin, Provider::Github, settings(&github, CLIENT_SECRET), &RequestMeta::default()).await.expect("test");
        assert!(right.ok, "{:?}", right.problem);
        // Testing saves nothing.
        let view = admin::view(&app.app, &admin).await.expect("view");
        assert!(!view.github.enabled);
    }
}
