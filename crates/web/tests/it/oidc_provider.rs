//! OIDC sign-in against a real OpenID provider (panva's `oidc-provider`, run by Node from
//! `tests/browser/oidc-op.mjs`), on both engines: discovery, dynamic client registration,
//! the authorization code flow with PKCE S256 and a nonce, ID tokens signed by the provider's
//! own RS256 key, both client authentication methods, auto-provisioning and the admin group.
//!
//! The provider runs once per test process (Node and the module come from `./scripts/test`,
//! which runs `npm ci` in tests/browser first). Without them the tests fail and say so, unless
//! `BT_SKIP_NODE_OP=1` skips them knowingly (printing `SKIPPED`, which the test script refuses).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;

use reqwest::StatusCode;
use serde_json::{Value, json};
use service::auth::external::admin::OidcUpdate;

use crate::app_tests;
use crate::oidc::{callback, configure, me, oidc_settings, query, sets_session};
use crate::support::TestApp;

struct NodeOp {
    issuer: String,
    _child: Child,
}

static OP: OnceLock<Option<NodeOp>> = OnceLock::new();

/// The running provider's issuer; `None` when knowingly skipped.
fn provider() -> Option<&'static str> {
    OP.get_or_init(|| {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let script = root.join("tests/browser/oidc-op.mjs");
        let module = root.join("tests/browser/node_modules/oidc-provider");
        if !module.exists() {
            if std::env::var("BT_SKIP_NODE_OP").is_ok_and(|v| v == "1") {
                eprintln!("SKIPPED: real OpenID provider tests (BT_SKIP_NODE_OP=1)");
                return None;
            }
            panic!(
                "tests/browser/node_modules/oidc-provider is missing: run ./scripts/test (it runs \
                 npm ci in tests/browser), or set BT_SKIP_NODE_OP=1 to skip these tests knowingly"
            );
        }
        // stdin stays a pipe held by this process: the provider exits when the tests end.
        let mut child = Command::new("node")
            .arg(&script)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start node (is Node.js installed?)");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("ready line");
        let ready: Value = serde_json::from_str(&line).expect("ready JSON");
        Some(NodeOp {
            issuer: ready["issuer"].as_str().expect("issuer").to_owned(),
            _child: child,
        })
    })
    .as_ref()
    .map(|op| op.issuer.as_str())
}

/// An HTTP client that keeps the provider's cookies and does not follow redirects.
fn user_agent() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

/// Registers a client for `redirect_uri` at the provider: (client_id, client_secret).
async fn register(issuer: &str, redirect_uri: &str, method: &str) -> (String, String) {
    let response = user_agent()
        .post(format!("{issuer}/reg"))
        .json(&json!({"redirect_uris": [redirect_uri], "token_endpoint_auth_method": method}))
        .send()
        .await
        .expect("register");
    assert_eq!(response.status(), StatusCode::CREATED);
    let client: Value = response.json().await.expect("json");
    (
        client["client_id"].as_str().expect("id").to_owned(),
        client["client_secret"].as_str().expect("secret").to_owned(),
    )
}

/// Signs in at the provider as `account` (a person with a browser would type a password
/// there): follows the provider's redirects until it sends the browser back to
/// `redirect_uri`; that callback URL.
async fn through_provider(
    issuer: &str,
    authorize: &str,
    redirect_uri: &str,
    account: Value,
) -> String {
    let state = query(authorize)["state"].clone();
    let agent = user_agent();
    let mut account = account;
    account["state"] = json!(state);
    let response = agent
        .post(format!("{issuer}/test/accounts"))
        .json(&account)
        .send()
        .await
        .expect("account");
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    let mut url = reqwest::Url::parse(authorize).expect("url");
    for _ in 0..10 {
        let response = agent.get(url.clone()).send().await.expect("provider");
        assert!(
            response.status().is_redirection(),
            "{} at {url}",
            response.status()
        );
        let location = response.headers()["location"].to_str().expect("location");
        let next = url.join(location).expect("location url");
        if next.as_str().starts_with(redirect_uri) {
            return next.to_string();
        }
        url = next;
    }
    panic!("the provider did not send the browser back");
}

async fn sign_in(
    app: &TestApp,
    issuer: &str,
    redirect_uri: &str,
    account: Value,
) -> (crate::support::Browser, reqwest::Response) {
    let browser = app.browser().await;
    let start = browser.get("/api/auth/oidc/login").await;
    assert_eq!(start.status(), StatusCode::SEE_OTHER);
    let authorize = start.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    assert!(authorize.starts_with(issuer));
    let back = through_provider(issuer, &authorize, redirect_uri, account).await;
    let params = query(&back);
    assert_eq!(params.get("iss").map(String::as_str), Some(issuer));
    let response = callback(&browser, "oidc", &params["code"], &params["state"]).await;
    (browser, response)
}

/// The provider stamps tokens with the real time: bring the test clock to it.
fn real_time(app: &TestApp) {
    use service::clock::Clock;
    app.clock.advance(chrono::Utc::now() - app.clock.now());
}

app_tests! {
    @with crate::oidc::spawn_outbound;

    async fn oidc_real_provider_signs_in_with_basic_and_post_client_auth(app) {
        let app = app;
        let Some(issuer) = provider() else { return };
        real_time(&app);
        let redirect_uri = format!("http://{}/api/auth/oidc/callback", app.addr);
        for method in ["client_secret_basic", "client_secret_post"] {
            let (client_id, client_secret) = register(issuer, &redirect_uri, method).await;
            configure(&app, OidcUpdate {
                client_id,
                client_secret: Some(client_secret),
                token_auth_method: method.into(),
                redirect_uri: redirect_uri.clone(),
                auto_provision: true,
                admin_group: "billtracker-admins".into(),
                ..oidc_settings(issuer)
            }).await;
            let sub = format!("real-{method}");
            let (browser, response) = sign_in(&app, issuer, &redirect_uri, json!({
                "sub": sub, "email": format!("{sub}@example.test"), "email_verified": true,
                "name": "Rita Real", "preferred_username": sub, "groups": ["billtracker-admins"],
            })).await;
            let status = response.status();
            assert_eq!(status, StatusCode::OK, "{method}: {}", response.text().await.unwrap_or_default().split("<p>").nth(1).unwrap_or_default());
            assert!(sets_session(&response));
            let user = me(&browser).await.expect("signed in");
            assert_eq!(user["display_name"], "Rita Real");
            assert_eq!(user["email"], format!("{sub}@example.test"));
            assert_eq!(user["role"], "admin", "admin group mapped");
        }
    }

    async fn oidc_real_provider_second_sign_in_finds_the_same_account(app) {
        let app = app;
        let Some(issuer) = provider() else { return };
        real_time(&app);
        let redirect_uri = format!("http://{}/api/auth/oidc/callback", app.addr);
        let (client_id, client_secret) = register(issuer, &redirect_uri, "client_secret_basic").await;
        configure(&app, OidcUpdate {
            client_id,
            client_secret: Some(client_secret),
            redirect_uri: redirect_uri.clone(),
            auto_provision: true,
            ..oidc_settings(issuer)
        }).await;
        let account = json!({"sub": "same-1", "email": "same@example.test", "email_verified": true, "name": "Sam Same", "preferred_username": "sam", "groups": []});
        let (first, _) = sign_in(&app, issuer, &redirect_uri, account.clone()).await;
        let (second, response) = sign_in(&app, issuer, &redirect_uri, account).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(me(&first).await.expect("in")["id"], me(&second).await.expect("in")["id"]);
        assert_eq!(me(&second).await.expect("in")["role"], "user");
    }
}
