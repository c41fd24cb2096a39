//! OIDC sign-in through HTTP against the fake provider (`oidc_fake::FakeOp`), on both
//! engines: the authorization request (OIDC-01), state binding (OIDC-02), ID-token validation
//! (OIDC-03), discovery integrity and ignored `jku`/`x5u` (OIDC-04), identity by (iss, sub)
//! with linking rules (OIDC-05), tokens and secrets kept server-side (OIDC-06), the admin
//! group, the second factor after OIDC, local sign-in off, and the OIDC rate limit.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::user::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use service::auth::external::admin::{self, MethodsUpdate, OidcUpdate};
use service::auth::{Principal, RequestMeta};
use sha2::{Digest, Sha256};

use crate::app_tests;
use crate::oidc_fake::{Canary, FakeOp, Signing};
use crate::support::{Browser, Spawn, TestApp, spawn_with};

pub(crate) const CLIENT_ID: &str = "billtracker-client";
pub(crate) const CLIENT_SECRET: &str = "client-secret-Zq93kd02";

/// A test server that may reach loopback providers over plain HTTP.
pub(crate) async fn spawn_outbound(engine: testkit::TestEngine) -> Option<TestApp> {
    spawn_with(
        engine,
        Spawn {
            env: vec![
                ("OUTBOUND_ALLOW_HOSTS", "127.0.0.1".to_owned()),
                ("OUTBOUND_ALLOW_HTTP_HOSTS", "127.0.0.1".to_owned()),
            ],
            ..Default::default()
        },
    )
    .await
}

/// An administrator to change settings with.
pub(crate) async fn admin(app: &TestApp) -> Principal {
    let row = match app.app.store.user_by_username("root").await.expect("db") {
        Some(row) => row,
        None => {
            app.account("root", crate::support::PASSWORD, Role::Admin)
                .await
        }
    };
    // A session just opened by a password sign-in (root has no second factor): its step-up
    // is fresh (changing the sign-in methods and the 2FA policy needs one).
    service::auth::session::open(&app.app, &row, &RequestMeta::default(), true)
        .await
        .expect("session")
        .principal
}

/// OIDC settings for `issuer`, everything else off or default.
pub(crate) fn oidc_settings(issuer: &str) -> OidcUpdate {
    OidcUpdate {
        enabled: true,
        provider_name: "Acme SSO".into(),
        issuer_url: issuer.into(),
        client_id: CLIENT_ID.into(),
        client_secret: Some(CLIENT_SECRET.into()),
        token_auth_method: "client_secret_basic".into(),
        scopes: "openid email profile groups".into(),
        ..Default::default()
    }
}

/// Saves `oidc` (local sign-in on) through the service, as the admin page would.
pub(crate) async fn configure(app: &TestApp, oidc: OidcUpdate) {
    let admin = admin(app).await;
    admin::update(
        &app.app,
        &admin,
        MethodsUpdate {
            local_enabled: true,
            oidc,
            github: Default::default(),
        },
        &RequestMeta::default(),
    )
    .await
    .expect("save sign-in methods");
}

/// The query parameters of a URL.
pub(crate) fn query(url: &str) -> std::collections::BTreeMap<String, String> {
    reqwest::Url::parse(url)
        .expect("url")
        .query_pairs()
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// `GET path` → 303; the Location's query.
pub(crate) async fn begin(
    browser: &Browser,
    path: &str,
) -> std::collections::BTreeMap<String, String> {
    let response = browser.get(path).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER, "{path}");
    let location = response.headers()["location"]
        .to_str()
        .expect("location")
        .to_owned();
    query(&location)
}

/// The provider's callback with `code` and `state`.
pub(crate) async fn callback(
    browser: &Browser,
    provider: &str,
    code: &str,
    state: &str,
) -> reqwest::Response {
    let url = format!(
        "/api/auth/{provider}/callback?code={}&state={}",
        urlencode(code),
        urlencode(state)
    );
    browser.get(&url).await
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// Whether a response sets cookie `name` to a non-empty value.
pub(crate) fn sets_session(response: &reqwest::Response) -> bool {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|c| c.starts_with("bt_session=") && !c.starts_with("bt_session=;"))
}

/// Who the browser is signed in as (`GET /api/auth/me`), if anyone.
pub(crate) async fn me(browser: &Browser) -> Option<Value> {
    let response = browser.get("/api/auth/me").await;
    (response.status() == StatusCode::OK).then_some(())?;
    response.json().await.ok()
}

pub(crate) async fn user_count(app: &TestApp) -> usize {
    app.app.store.users().await.expect("users").len()
}

/// One sign-in with the fake provider answering `claims` signed with `signing`.
pub(crate) async fn sign_in_with(
    app: &TestApp,
    op: &FakeOp,
    make: impl FnOnce(&str) -> (Signing, Value, Value),
) -> (Browser, reqwest::Response) {
    let browser = app.browser().await;
    let params = begin(&browser, "/api/auth/oidc/login").await;
    let (signing, header, claims) = make(&params["nonce"]);
    op.set_id_token(op.sign_with_header(signing, header, &claims));
    let response = callback(&browser, "oidc", "code-1", &params["state"]).await;
    (browser, response)
}

pub(crate) fn now(app: &TestApp) -> chrono::DateTime<chrono::Utc> {
    use service::clock::Clock;
    app.clock.now()
}

app_tests! {
    @with crate::oidc::spawn_outbound;
    async fn oidc_01_authorization_request_has_state_nonce_and_s256(app) {
        let app = app;
        let op = FakeOp::start().await;
        configure(&app, OidcUpdate { auto_provision: true, ..oidc_settings(&op.issuer()) }).await;
        let browser = app.browser().await;
        let first = begin(&browser, "/api/auth/oidc/login").await;
        let second = begin(&app.browser().await, "/api/auth/oidc/login").await;
        for params in [&first, &second] {
            assert_eq!(params["response_type"], "code");
            assert_eq!(params["client_id"], CLIENT_ID);
            assert_eq!(params["code_challenge_method"], "S256");
            assert!(params["scope"].split(' ').any(|s| s == "openid"));
            for key in ["state", "nonce"] {
                let bytes = URL_SAFE_NO_PAD.decode(&params[key]).expect("base64url");
                assert!(bytes.len() * 8 >= 128, "{key} has {} bits", bytes.len() * 8);
            }
        }
        assert_ne!(first["state"], second["state"]);
        assert_ne!(first["nonce"], second["nonce"]);
        assert_ne!(first["code_challenge"], second["code_challenge"]);
        // The verifier at the token endpoint is the one the challenge was made from.
        let claims = op.valid_claims(CLIENT_ID, &first["nonce"], "sub-1", now(&app));
        op.set_id_token(op.sign(Signing::KeyA, &claims));
        let done = callback(&browser, "oidc", "code-1", &first["state"]).await;
        assert_eq!(done.status(), StatusCode::OK);
        let requests = op.token_requests();
        let verifier = &requests[0].form["code_verifier"];
        assert_eq!(URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())), first["code_challenge"]);
        assert_eq!(requests[0].form["redirect_uri"], first["redirect_uri"]);
    }

    async fn oidc_happy_path_provisions_once_and_signs_in(app) {
        let app = app;
        let op = FakeOp::start().await;
        configure(&app, OidcUpdate { auto_provision: true, ..oidc_settings(&op.issuer()) }).await;
        let before = user_count(&app).await;
        let (browser, response) = sign_in_with(&app, &op, |nonce| {
            let claims = op.valid_claims(CLIENT_ID, nonce, "olivia-sub", now(&app));
            (Signing::KeyA, json!({}), claims)
        })
        .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(sets_session(&response));
        let page = response.text().await.expect("body");
        assert!(page.contains("http-equiv=\"refresh\""), "{page}");
        let user = me(&browser).await.expect("signed in");
        assert_eq!(user["display_name"], "Test User olivia-sub");
        assert_eq!(user_count(&app).await, before + 1);
        // client_secret_basic: credentials in the header, not the form.
        let request = &op.token_requests()[0];
        assert!(request.authorization.as_deref().is_some_and(|a| a.starts_with("Basic ")));
        assert!(!request.form.contains_key("client_secret"));
        // The second time: the same account, no new one.
        let (again, response) = sign_in_with(&app, &op, |nonce| {
            let claims = op.valid_claims(CLIENT_ID, nonce, "olivia-sub", now(&app));
            (Signing::KeyA, json!({}), claims)
        })
        .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(me(&again).await.expect("signed in")["id"], user["id"]);
        assert_eq!(user_count(&app).await, before + 1);
        // The security page lists the linked provider.
        let page = again.get("/profile/security").await.text().await.expect("page");
        assert!(page.contains("Linked sign-ins") && page.contains("Acme SSO"), "{page}");
        assert!(page.contains("olivia-sub@example.test"));
        let history = app.app.store.logins_of(
            user["id"].as_str().expect("id").parse().expect("user id"), 10,
        ).await.expect("history");
        assert!(history.iter().any(|h| h.method == "oidc" && h.success));
    }

    async fn oidc_client_secret_post_sends_the_secret_in_the_form(app) {
        let app = app;
        let op = FakeOp::start().await;
        configure(&app, OidcUpdate {
            auto_provision: true,
            token_auth_method: "client_secret_post".into(),
            ..oidc_settings(&op.issuer())
        }).await;
        let (_, response) = sign_in_with(&app, &op, |nonce| {
            (Signing::KeyA, json!({}), op.valid_claims(CLIENT_ID, nonce, "p-1", now(&app)))
        })
        .await;
        assert_eq!(response.status(), StatusCode::OK);
        let request = &op.token_requests()[0];
        assert_eq!(request.authorization, None);
        assert_eq!(request.form["client_id"], CLIENT_ID);
        assert_eq!(request.form["client_secret"], CLIENT_SECRET);
    }

    async fn oidc_02_state_must_be_known_unused_fresh_and_from_this_browser(app) {
        let app = app;
        let op = FakeOp::start().await;
        configure(&app, OidcUpdate { auto_provision: true, ..oidc_settings(&op.issuer()) }).await;
        let before = user_count(&app).await;
        let browser = app.browser().await;
        // Missing and unknown state.
        let missing = browser.get("/api/auth/oidc/callback?code=abc").await;
        assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
        assert!(!sets_session(&missing));
        let unknown = callback(&browser, "oidc", "abc", "not-a-state-we-issued").await;
        assert_eq!(unknown.status(), StatusCode::BAD_REQUEST);
        assert!(!sets_session(&unknown));
        // A state from browser A used in browser B.
        let a = app.browser().await;
        let params = begin(&a, "/api/auth/oidc/login").await;
        op.set_id_token(op.sign(Signing::KeyA, &op.valid_claims(CLIENT_ID, &params["nonce"], "s-1", now(&app))));
        let b = app.browser().await;
        let _own = begin(&b, "/api/auth/oidc/login").await;
        assert!(b.cookie("bt_sign_in_flow").is_some(), "B has its own flow cookie");
        let foreign = callback(&b, "oidc", "code-1", &params["state"]).await;
        assert_eq!(foreign.status(), StatusCode::BAD_REQUEST);
        assert!(!sets_session(&foreign));
        assert!(me(&b).await.is_none());
        // ...which also spent it: not usable by A afterwards either.
        let after = callback(&a, "oidc", "code-1", &params["state"]).await;
        assert_eq!(after.status(), StatusCode::BAD_REQUEST);
        // A used state.
        let params = begin(&a, "/api/auth/oidc/login").await;
        op.set_id_token(op.sign(Signing::KeyA, &op.valid_claims(CLIENT_ID, &params["nonce"], "s-1", now(&app))));
        let first = callback(&a, "oidc", "code-1", &params["state"]).await;
        assert_eq!(first.status(), StatusCode::OK);
        let replay = callback(&a, "oidc", "code-1", &params["state"]).await;
        assert_eq!(replay.status(), StatusCode::BAD_REQUEST);
        assert!(!sets_session(&replay));
        // An expired state (flows live 10 minutes).
        let c = app.browser().await;
        let params = begin(&c, "/api/auth/oidc/login").await;
        app.clock.advance(chrono::Duration::minutes(11));
        op.set_id_token(op.sign(Signing::KeyA, &op.valid_claims(CLIENT_ID, &params["nonce"], "s-2", now(&app))));
        let late = callback(&c, "oidc", "code-1", &params["state"]).await;
        assert_eq!(late.status(), StatusCode::BAD_REQUEST);
        assert!(me(&c).await.is_none());
        assert_eq!(user_count(&app).await, before + 1, "only the one good sign-in made an account");
    }

    async fn oidc_03_bad_id_tokens_are_refused_and_create_no_user(app) {
        let app = app;
        let op = FakeOp::start().await;
        configure(&app, OidcUpdate { auto_provision: true, ..oidc_settings(&op.issuer()) }).await;
        let before = user_count(&app).await;
        type Forge = Box<dyn Fn(&FakeOp, &str, chrono::DateTime<chrono::Utc>) -> (Signing, Value, Value)>;
        let cases: Vec<(&str, Forge)> = vec![
            ("signed with another key", Box::new(|op, n, t| (Signing::OtherKey, json!({}), op.valid_claims(CLIENT_ID, n, "x", t)))),
            ("another key claiming the published kid", Box::new(|op, n, t| (Signing::OtherKey, json!({"kid": "key-a"}), op.valid_claims(CLIENT_ID, n, "x", t)))),
            ("alg none", Box::new(|op, n, t| (Signing::AlgNone, json!({}), op.valid_claims(CLIENT_ID, n, "x", t)))),
            ("HS256 keyed with the RSA public key", Box::new(|op, n, t| (Signing::Hs256WithPublicKey, json!({}), op.valid_claims(CLIENT_ID, n, "x", t)))),
            ("wrong iss", Box::new(|op, n, t| { let mut c = op.valid_claims(CLIENT_ID, n, "x", t); c["iss"] = json!("https://evil.example"); (Signing::KeyA, json!({}), c) })),
            ("wrong aud", Box::new(|op, n, t| (Signing::KeyA, json!({}), op.valid_claims("someone-else", n, "x", t)))),
            ("expired", Box::new(|op, n, t| { let mut c = op.valid_claims(CLIENT_ID, n, "x", t); c["iat"] = json!((t - chrono::Duration::minutes(10)).timestamp()); c["exp"] = json!((t - chrono::Duration::minutes(5)).timestamp()); (Signing::KeyA, json!({}), c) })),
            ("issued in the future", Box::new(|op, n, t| { let mut c = op.valid_claims(CLIENT_ID, n, "x", t); c["iat"] = json!((t + chrono::Duration::hours(1)).timestamp()); c["exp"] = json!((t + chrono::Duration::hours(2)).timestamp()); (Signing::KeyA, json!({}), c) })),
            ("nonce mismatch", Box::new(|op, _, t| (Signing::KeyA, json!({}), op.valid_claims(CLIENT_ID, "another-nonce", "x", t)))),
            ("nonce missing", Box::new(|op, n, t| { let mut c = op.valid_claims(CLIENT_ID, n, "x", t); c.as_object_mut().expect("object").remove("nonce"); (Signing::KeyA, json!({}), c) })),
        ];
        for (name, forge) in cases {
            let (browser, response) = sign_in_with(&app, &op, |nonce| forge(&op, nonce, now(&app))).await;
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{name}");
            assert!(!sets_session(&response), "{name}");
            assert!(me(&browser).await.is_none(), "{name}");
            assert_eq!(user_count(&app).await, before, "{name}: no user row");
        }
        // Even when the provider lists HS256, an HMAC token (keyed with the client secret, as
        // such a provider would) is refused: only asymmetric signatures count.
        op.set_metadata_algs(&["RS256", "HS256"]);
        app.clock.advance(chrono::Duration::minutes(16)); // a new rate-limit window
        let (_, response) = sign_in_with(&app, &op, |nonce| {
            (Signing::Hs256With(CLIENT_SECRET), json!({}), op.valid_claims(CLIENT_ID, nonce, "x", now(&app)))
        })
        .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert!(response.text().await.expect("page").contains("ID token was refused"));
        assert_eq!(user_count(&app).await, before);
        let refusals = crate::mfa::audit_actions(&app, "login.failure").await;
        assert!(refusals.len() >= 11, "every refusal is audited: {refusals:?}");
        assert!(refusals.iter().all(|r| r["reason"].as_str().is_some_and(|t| t.contains("ID token was refused"))), "{refusals:?}");
    }

    async fn oidc_04_discovery_issuer_must_match_and_jku_x5u_are_ignored(app) {
        let app = app;
        let op = FakeOp::start().await;
        configure(&app, OidcUpdate { auto_provision: true, ..oidc_settings(&op.issuer()) }).await;
        // jku / x5u pointing at a key server the attacker controls: never fetched.
        let canary = Canary::start().await;
        for header in [json!({"jku": canary.url("/jwks")}), json!({"x5u": canary.url("/cert.pem")})] {
            let (_, response) = sign_in_with(&app, &op, |nonce| {
                (Signing::OtherKey, header.clone(), op.valid_claims(CLIENT_ID, nonce, "x", now(&app)))
            })
            .await;
            assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        }
        assert_eq!(canary.connections(), 0);
        // A provider that signs only with HMAC fails the administrator's Test.
        let root = admin(&app).await;
        op.set_metadata_algs(&["HS256"]);
        let update = MethodsUpdate { local_enabled: true, oidc: oidc_settings(&op.issuer()), github: Default::default() };
        let tested = admin::test_provider(&app.app, &root, service::auth::external::Provider::Oidc, update, &RequestMeta::default()).await.expect("test");
        assert!(!tested.ok);
        assert!(tested.problem.expect("problem").contains("does not accept"));
        op.set_metadata_algs(&["RS256"]);
        // The provider's metadata names another issuer: no sign-in starts.
        op.set_metadata_issuer("https://evil.example");
        let browser = app.browser().await;
        let response = browser.get("/api/auth/oidc/login").await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(response.headers().get("location").is_none());
        // ...and an administrator cannot turn it on.
        let admin = admin(&app).await;
        let err = admin::update(&app.app, &admin, MethodsUpdate { local_enabled: true, oidc: oidc_settings(&op.issuer()), github: Default::default() }, &RequestMeta::default()).await.expect_err("refused");
        assert!(matches!(err, service::Error::Invalid(ref i) if i.field == "oidc.issuer_url"), "{err:?}");
    }

    async fn oidc_05_identity_is_issuer_and_subject_not_email(app) {
        let app = app;
        let op = FakeOp::start().await;
        let carol = app.account("carol", crate::support::PASSWORD, Role::User).await;
        let with_email = |nonce: &str, sub: &str, verified: bool| {
            let mut c = op.valid_claims(CLIENT_ID, nonce, sub, now(&app));
            c["email"] = json!("carol@example.org");
            c["email_verified"] = json!(verified);
            (Signing::KeyA, json!({}), c)
        };
        // No linking: a provider account with carol's email does not become carol, and no
        // second account with her email is made.
        configure(&app, OidcUpdate { auto_provision: true, ..oidc_settings(&op.issuer()) }).await;
        let (b, response) = sign_in_with(&app, &op, |n| with_email(n, "sub-a", true)).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert!(me(&b).await.is_none());
        // Linking allowed, but the email is not verified: no link.
        configure(&app, OidcUpdate { link_verified_email: true, ..oidc_settings(&op.issuer()) }).await;
        let (b, response) = sign_in_with(&app, &op, |n| with_email(n, "sub-a", false)).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert!(me(&b).await.is_none());
        // Linking allowed and verified: linked to carol.
        let (b, response) = sign_in_with(&app, &op, |n| with_email(n, "sub-a", true)).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(me(&b).await.expect("signed in")["id"], json!(carol.id.to_string()));
        // A new subject with the same email is someone else: no takeover of carol.
        let (b, response) = sign_in_with(&app, &op, |n| with_email(n, "sub-b", true)).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert!(me(&b).await.is_none());
        let identities = app.app.store.identities_of(carol.id).await.expect("identities");
        assert_eq!(identities.len(), 1);
        assert_eq!(identities[0].subject, "sub-a");
    }

    async fn oidc_06_tokens_and_secret_stay_on_the_server(app) {
        let app = app;
        let op = FakeOp::start().await;
        configure(&app, OidcUpdate { auto_provision: true, ..oidc_settings(&op.issuer()) }).await;
        let browser = app.browser().await;
        let start = browser.get("/api/auth/oidc/login").await;
        let mut seen = format!("{:?}", start.headers());
        let params = query(start.headers()["location"].to_str().expect("location"));
        let id_token = op.sign(Signing::KeyA, &op.valid_claims(CLIENT_ID, &params["nonce"], "t-1", now(&app)));
        op.set_id_token(id_token.clone());
        let done = callback(&browser, "oidc", "code-1", &params["state"]).await;
        seen.push_str(&format!("{:?}", done.headers()));
        seen.push_str(&done.text().await.expect("body"));
        for path in ["/", "/api/auth/me", "/profile/security"] {
            let page = browser.get(path).await;
            seen.push_str(&format!("{:?}", page.headers()));
            seen.push_str(&page.text().await.expect("body"));
        }
        assert!(me(&browser).await.is_some());
        assert!(!seen.contains(&id_token), "the ID token reached the browser");
        assert!(!seen.contains("fake-access-token"), "the access token reached the browser");
        assert!(!seen.contains("eyJ"), "a JWT reached the browser");
        assert!(!seen.contains(CLIENT_SECRET));
        // The client secret is encrypted at rest (CRY-01), the verifier too.
        let dump = app.db.dump_text().await;
        assert!(!dump.contains(CLIENT_SECRET), "client secret in the database dump");
        assert!(!dump.contains(&id_token));
    }

    async fn oidc_admin_group_sets_the_role_at_each_sign_in(app) {
        let app = app;
        let op = FakeOp::start().await;
        configure(&app, OidcUpdate {
            auto_provision: true,
            admin_group: "bt-admins".into(),
            ..oidc_settings(&op.issuer())
        }).await;
        let (app, op) = (&app, &op);
        let signed = |groups: Value| {
            move |nonce: &str| {
                let mut c = op.valid_claims(CLIENT_ID, nonce, "g-1", now(app));
                c["groups"] = groups;
                (Signing::KeyA, json!({}), c)
            }
        };
        let (b, response) = sign_in_with(app, op, signed(json!(["staff", "bt-admins"]))).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(me(&b).await.expect("in")["role"], "admin");
        let (b2, response) = sign_in_with(app, op, signed(json!(["staff"]))).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(me(&b2).await.expect("in")["role"], "user");
        // The demotion ended the admin session.
        assert!(me(&b).await.is_none());
    }

    async fn oidc_user_with_a_required_second_factor_gets_the_factor_step(app) {
        let app = app;
        let op = FakeOp::start().await;
        configure(&app, OidcUpdate { auto_provision: true, ..oidc_settings(&op.issuer()) }).await;
        let root = admin(&app).await;
        service::auth::mfa::policy::set(&app.app, &root, domain::factor::MfaRequirement::Everyone, 0, &RequestMeta::default()).await.expect("policy");
        // Past the (zero-day) grace period.
        app.clock.advance(chrono::Duration::hours(1));
        let (browser, response) = sign_in_with(&app, &op, |nonce| {
            (Signing::KeyA, json!({}), op.valid_claims(CLIENT_ID, nonce, "m-1", now(&app)))
        })
        .await;
        assert_eq!(response.status(), StatusCode::OK);
        assert!(!sets_session(&response));
        let pending = response.headers().get_all("set-cookie").iter().any(|c| c.to_str().is_ok_and(|c| c.starts_with("bt_mfa_pending=")));
        assert!(pending, "the pending second-factor cookie is set");
        assert!(response.text().await.expect("body").contains("/login/mfa"));
        assert!(me(&browser).await.is_none());
    }

    async fn oidc_local_sign_in_off_refuses_passwords(app) {
        let app = app;
        let op = FakeOp::start().await;
        configure(&app, OidcUpdate { auto_provision: true, ..oidc_settings(&op.issuer()) }).await;
        let root = admin(&app).await;
        let off = |group: &str| MethodsUpdate {
            local_enabled: false,
            oidc: OidcUpdate { admin_group: group.into(), auto_provision: true, ..oidc_settings(&op.issuer()) },
            github: Default::default(),
        };
        let err = admin::update(&app.app, &root, off(""), &RequestMeta::default()).await.expect_err("no admin group");
        assert!(matches!(err, service::Error::Invalid(ref i) if i.field == "local_enabled"), "{err:?}");
        // An admin group, but no administrator has signed in with the provider yet: refused.
        let err = admin::update(&app.app, &root, off("bt-admins"), &RequestMeta::default()).await.expect_err("no admin linked");
        assert!(matches!(err, service::Error::Invalid(ref i) if i.field == "local_enabled"), "{err:?}");
        configure(&app, OidcUpdate { auto_provision: true, admin_group: "bt-admins".into(), ..oidc_settings(&op.issuer()) }).await;
        let (_, response) = sign_in_with(&app, &op, |nonce| {
            let mut c = op.valid_claims(CLIENT_ID, nonce, "boss", now(&app));
            c["groups"] = json!(["bt-admins"]);
            (Signing::KeyA, json!({}), c)
        })
        .await;
        assert_eq!(response.status(), StatusCode::OK);
        admin::update(&app.app, &root, off("bt-admins"), &RequestMeta::default()).await.expect("saved");
        // Passkeys are sign-in on this server too: off with passwords.
        let passkey = app.browser().await.post("/api/auth/passkey/start", json!({})).await;
        assert_eq!(passkey.status(), StatusCode::FORBIDDEN);
        let mut browser = app.browser().await;
        let response = browser.login("root", crate::support::PASSWORD).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let mode: Value = browser.get("/api/auth/mode").await.json().await.expect("json");
        assert_eq!(mode["local_login"], false);
        assert_eq!(mode["oidc"], "Acme SSO");
        // The sign-in page offers only the provider.
        let page = browser.get("/login").await.text().await.expect("page");
        assert!(!page.contains("name=\"password\""));
        assert!(page.contains("Sign in with Acme SSO"));
        // The saved secret becomes unreadable (a lost key): OIDC cannot work, so passwords come
        // back by themselves rather than leaving no way in.
        let saved = app.app.store.setting("auth.oidc.client_secret").await.expect("db").expect("saved");
        app.app.store.put_setting("auth.oidc.client_secret", "v1.damaged", now(&app)).await.expect("damage");
        let mode: Value = browser.get("/api/auth/mode").await.json().await.expect("json");
        assert_eq!(mode["local_login"], true);
        app.app.store.put_setting("auth.oidc.client_secret", &saved, now(&app)).await.expect("restore");
        let mode: Value = browser.get("/api/auth/mode").await.json().await.expect("json");
        assert_eq!(mode["local_login"], false);
        // The operator's way back (`billtracker enable-local-login`).
        assert!(admin::enable_local_login(&app.app).await.expect("enable"));
        assert!(!admin::enable_local_login(&app.app).await.expect("again"));
        let response = browser.login("root", crate::support::PASSWORD).await;
        assert_eq!(response.status(), StatusCode::OK);
    }

    async fn oidc_routes_are_rate_limited_per_address(app) {
        let app = app;
        let op = FakeOp::start().await;
        configure(&app, OidcUpdate { auto_provision: true, ..oidc_settings(&op.issuer()) }).await;
        let browser = app.browser().await;
        for n in 0..20 {
            let response = browser.get("/api/auth/oidc/login").await;
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "request {n}");
        }
        let over = browser.get("/api/auth/oidc/callback?code=a&state=b").await;
        assert_eq!(over.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(over.headers().contains_key("retry-after"));
    }

    async fn oidc_missing_claims_come_from_userinfo_about_the_same_subject(app) {
        let app = app;
        let op = FakeOp::start().await;
        configure(&app, OidcUpdate { auto_provision: true, ..oidc_settings(&op.issuer()) }).await;
        let bare = |nonce: &str| {
            let mut c = op.valid_claims(CLIENT_ID, nonce, "u-1", now(&app));
            for key in ["email", "email_verified", "name", "preferred_username"] {
                c.as_object_mut().expect("object").remove(key);
            }
            (Signing::KeyA, json!({}), c)
        };
        op.set_userinfo(json!({"sub": "someone-else", "email": "x@example.test", "email_verified": true}));
        let (_, response) = sign_in_with(&app, &op, bare).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "userinfo about another subject");
        op.set_userinfo(json!({"sub": "u-1", "email": "uma@example.test", "email_verified": true, "name": "Uma Info", "preferred_username": "uma"}));
        let (browser, response) = sign_in_with(&app, &op, bare).await;
        assert_eq!(response.status(), StatusCode::OK);
        let user = me(&browser).await.expect("in");
        assert_eq!(user["username"], "uma");
        assert_eq!(user["display_name"], "Uma Info");
    }

    async fn oidc_deactivated_account_cannot_sign_in(app) {
        let app = app;
        let op = FakeOp::start().await;
        configure(&app, OidcUpdate { auto_provision: true, ..oidc_settings(&op.issuer()) }).await;
        let (browser, _) = sign_in_with(&app, &op, |nonce| {
            (Signing::KeyA, json!({}), op.valid_claims(CLIENT_ID, nonce, "d-1", now(&app)))
        })
        .await;
        let id: domain::id::UserId = me(&browser).await.expect("in")["id"].as_str().expect("id").parse().expect("id");
        app.app.store.update_user(id, &store::users::UserChanges { is_active: Some(false), ..Default::default() }, now(&app)).await.expect("deactivate");
        let (again, response) = sign_in_with(&app, &op, |nonce| {
            (Signing::KeyA, json!({}), op.valid_claims(CLIENT_ID, nonce, "d-1", now(&app)))
        })
        .await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        assert!(me(&again).await.is_none());
    }
}

app_tests! {
    async fn sign_in_with_an_unknown_or_switched_off_provider_is_refused(app) {
        let browser = app.browser().await;
        for path in ["/api/auth/saml/login", "/api/auth/saml/callback?code=a&state=b"] {
            assert_eq!(browser.get(path).await.status(), StatusCode::NOT_FOUND, "{path}");
        }
        for provider in ["oidc", "github"] {
            let response = browser.get(&format!("/api/auth/{provider}/login")).await;
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{provider}");
            assert!(response.headers().get("location").is_none());
            assert!(response.text().await.expect("page").contains("is not turned on"));
        }
    }

    async fn net_01_an_oidc_issuer_on_a_refused_address_is_422_and_never_contacted(app) {
        let app = app;
        let canary = Canary::start().await;
        let port = canary.addr().port();
        let root = admin(&app).await;
        let refused = [
            canary.url(""),
            format!("https://127.0.0.1:{port}"),
            format!("https://[::1]:{port}"),
            "https://169.254.169.254/latest".to_owned(),
            "https://10.0.0.1/realms/home".to_owned(),
            format!("https://localhost:{port}"),
            "http://idp.example.org".to_owned(),
            "file:///etc/passwd".to_owned(),
            "gopher://127.0.0.1:70/".to_owned(),
        ];
        for issuer in refused {
            let update = MethodsUpdate {
                local_enabled: true,
                oidc: oidc_settings(&issuer),
                github: Default::default(),
            };
            let err = admin::update(&app.app, &root, update, &RequestMeta::default())
                .await
                .expect_err("refused");
            assert!(
                matches!(err, service::Error::Invalid(ref i) if i.field == "oidc.issuer_url"),
                "{issuer}: {err:?}"
            );
        }
        // Through HTTP: the same refusal is a 422 naming the field.
        let mut browser = app.browser().await;
        assert_eq!(browser.login("root", crate::support::PASSWORD).await.status(), StatusCode::OK);
        let body = json!({"local_enabled": true, "oidc": {"enabled": true, "issuer_url": canary.url(""), "client_id": "x", "client_secret": "y"}, "github": {}});
        let response = browser.send(reqwest::Method::PUT, "/api/admin/sign-in-methods", Some(body)).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = response.json().await.expect("problem");
        assert_eq!(problem["field"], "oidc.issuer_url");
        assert_eq!(canary.connections(), 0, "the canary saw a connection");
        let view = admin::view(&app.app, &root).await.expect("view");
        assert!(!view.oidc.enabled);
    }
}

/// `OIDC_*` from the environment work until an administrator saves the methods; a secret left
/// empty on the form then still comes from the environment.
async fn environment_fallback(engine: testkit::TestEngine) {
    let op = FakeOp::start().await;
    let Some(app) = spawn_with(
        engine,
        Spawn {
            env: vec![
                ("OUTBOUND_ALLOW_HOSTS", "127.0.0.1".to_owned()),
                ("OUTBOUND_ALLOW_HTTP_HOSTS", "127.0.0.1".to_owned()),
                ("OIDC_PROVIDER_NAME", "Env SSO".to_owned()),
                ("OIDC_ISSUER_URL", op.issuer()),
                ("OIDC_CLIENT_ID", CLIENT_ID.to_owned()),
                ("OIDC_CLIENT_SECRET", CLIENT_SECRET.to_owned()),
                ("OIDC_AUTO_PROVISION", "true".to_owned()),
            ],
            ..Default::default()
        },
    )
    .await
    else {
        return;
    };
    let root = admin(&app).await;
    let view = admin::view(&app.app, &root).await.expect("view");
    assert_eq!(view.source, admin::SettingsSource::Environment);
    assert!(view.oidc.enabled);
    assert_eq!(view.oidc.provider_name, "Env SSO");
    let shown = serde_json::to_string(&web::api::wire::sign_in_methods::MethodsView::from(&view))
        .expect("json");
    assert!(!shown.contains(CLIENT_SECRET));
    let (browser, response) = sign_in_with(&app, &op, |nonce| {
        let claims = op.valid_claims(CLIENT_ID, nonce, "env-1", now(&app));
        (Signing::KeyA, json!({}), claims)
    })
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(me(&browser).await.is_some());
    // Saved from the form with the secret left empty: the environment's secret still works.
    let update = MethodsUpdate {
        local_enabled: true,
        oidc: OidcUpdate {
            client_secret: None,
            provider_name: "Saved SSO".into(),
            auto_provision: true,
            ..oidc_settings(&op.issuer())
        },
        github: Default::default(),
    };
    let view = admin::update(&app.app, &root, update, &RequestMeta::default())
        .await
        .expect("save");
    assert_eq!(view.source, admin::SettingsSource::Saved);
    assert_eq!(
        serde_json::to_value(web::api::wire::sign_in_methods::SecretSource::from(
            view.oidc.client_secret
        ))
        .expect("json"),
        "environment"
    );
    let (browser, response) = sign_in_with(&app, &op, |nonce| {
        let claims = op.valid_claims(CLIENT_ID, nonce, "env-2", now(&app));
        (Signing::KeyA, json!({}), claims)
    })
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(me(&browser).await.is_some());
}

#[tokio::test]
async fn oidc_environment_settings_work_until_saved_sqlite() {
    environment_fallback(testkit::TestEngine::Sqlite).await;
}

#[tokio::test]
async fn oidc_environment_settings_work_until_saved_postgres() {
    environment_fallback(testkit::TestEngine::Postgres).await;
}

app_tests! {
    @with crate::oidc::spawn_outbound;

    async fn oidc_admin_group_fails_closed_and_keeps_the_last_admin(app) {
        let app = app;
        let op = FakeOp::start().await;
        configure(&app, OidcUpdate {
            auto_provision: true,
            admin_group: "bt-admins".into(),
            ..oidc_settings(&op.issuer())
        }).await;
        let (app, op) = (&app, &op);
        let with_groups = |sub: &'static str, groups: Option<Value>| {
            move |nonce: &str| {
                let mut c = op.valid_claims(CLIENT_ID, nonce, sub, now(app));
                match groups {
                    Some(g) => c["groups"] = g,
                    None => {
                        c.as_object_mut().expect("object").remove("groups");
                    }
                }
                (Signing::KeyA, json!({}), c)
            }
        };
        let (b, _) = sign_in_with(app, op, with_groups("g-2", Some(json!(["bt-admins"])))).await;
        assert_eq!(me(&b).await.expect("in")["role"], "admin");
        // No groups claim at all: not in the group (fail closed).
        let (b, response) = sign_in_with(app, op, with_groups("g-2", None)).await;
        assert_eq!(response.status(), StatusCode::OK);
        assert_eq!(me(&b).await.expect("in")["role"], "user");
        // The last administrator (root made a regular user; the bootstrap account does not
        // count) keeps the role even when the group no longer lists them.
        let root = app.app.store.user_by_username("root").await.expect("db").expect("root");
        app.app.store.update_user(root.id, &store::users::UserChanges { role: Some(Role::User), ..Default::default() }, now(app)).await.expect("demote root");
        let (b, _) = sign_in_with(app, op, with_groups("g-2", Some(json!(["bt-admins"])))).await;
        assert_eq!(me(&b).await.expect("in")["role"], "admin");
        let (b, _) = sign_in_with(app, op, with_groups("g-2", Some(json!([])))).await;
        assert_eq!(me(&b).await.expect("in")["role"], "admin", "the last administrator stays one");
    }

    async fn oidc_05_no_email_link_into_admin_or_deactivated_accounts(app) {
        let app = app;
        let op = FakeOp::start().await;
        configure(&app, OidcUpdate { link_verified_email: true, ..oidc_settings(&op.issuer()) }).await;
        let root = app.app.store.user_by_username("root").await.expect("db").expect("root");
        let dora = app.account("dora", crate::support::PASSWORD, Role::User).await;
        app.app.store.update_user(dora.id, &store::users::UserChanges { is_active: Some(false), ..Default::default() }, now(&app)).await.expect("deactivate");
        for (email, who) in [("root@example.org", root.id), ("dora@example.org", dora.id)] {
            let (b, response) = sign_in_with(&app, &op, |nonce| {
                let mut c = op.valid_claims(CLIENT_ID, nonce, &format!("sub-{email}"), now(&app));
                c["email"] = json!(email);
                (Signing::KeyA, json!({}), c)
            })
            .await;
            assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{email}");
            assert!(me(&b).await.is_none());
            assert!(app.app.store.identities_of(who).await.expect("identities").is_empty(), "{email} not linked");
        }
    }

    async fn oidc_02_two_tabs_in_one_browser_both_complete(app) {
        let app = app;
        let op = FakeOp::start().await;
        configure(&app, OidcUpdate { auto_provision: true, ..oidc_settings(&op.issuer()) }).await;
        let browser = app.browser().await;
        let first = begin(&browser, "/api/auth/oidc/login").await;
        let second = begin(&browser, "/api/auth/oidc/login").await;
        op.set_id_token(op.sign(Signing::KeyA, &op.valid_claims(CLIENT_ID, &second["nonce"], "tabs", now(&app))));
        assert_eq!(callback(&browser, "oidc", "c", &second["state"]).await.status(), StatusCode::OK);
        op.set_id_token(op.sign(Signing::KeyA, &op.valid_claims(CLIENT_ID, &first["nonce"], "tabs", now(&app))));
        assert_eq!(callback(&browser, "oidc", "c", &first["state"]).await.status(), StatusCode::OK);
        // A repeated parameter is refused (which one would be the provider's?).
        let third = begin(&browser, "/api/auth/oidc/login").await;
        let state = &third["state"];
        let twice = browser.get(&format!("/api/auth/oidc/callback?code=a&state={state}&state={state}")).await;
        assert_eq!(twice.status(), StatusCode::BAD_REQUEST);
    }

    async fn a_kept_client_secret_never_goes_to_a_new_destination(app) {
        let app = app;
        let op = FakeOp::start().await;
        let other = FakeOp::start().await;
        configure(&app, oidc_settings(&op.issuer())).await;
        let root = admin(&app).await;
        // A new issuer with the secret left empty: the old secret is not reused.
        let moved = MethodsUpdate {
            local_enabled: true,
            oidc: OidcUpdate { client_secret: None, ..oidc_settings(&other.issuer()) },
            github: Default::default(),
        };
        let err = admin::update(&app.app, &root, moved, &RequestMeta::default()).await.expect_err("secret needed");
        assert!(matches!(err, service::Error::Invalid(ref i) if i.field == "oidc.client_secret"), "{err:?}");
        // The same issuer with the secret left empty keeps it.
        let kept = MethodsUpdate {
            local_enabled: true,
            oidc: OidcUpdate { client_secret: None, provider_name: "Renamed".into(), ..oidc_settings(&op.issuer()) },
            github: Default::default(),
        };
        let view = admin::update(&app.app, &root, kept, &RequestMeta::default()).await.expect("kept");
        assert_eq!(view.oidc.provider_name, "Renamed");
        assert_eq!(view.oidc.issuer_url, op.issuer(), "the refused move saved nothing");
        // GitHub's Test sends the secret to the token endpoint: a kept secret never goes to
        // another site typed into the form.
        let github = crate::oidc_fake::FakeGithub::start("gh-id", "gh-secret").await;
        let elsewhere = crate::oidc_fake::FakeGithub::start("gh-id", "gh-secret").await;
        let on = |site: &crate::oidc_fake::FakeGithub, secret: Option<&str>| MethodsUpdate {
            local_enabled: true,
            oidc: OidcUpdate { client_secret: None, ..oidc_settings(&op.issuer()) },
            github: service::auth::external::admin::GithubUpdate {
                enabled: true,
                client_id: "gh-id".into(),
                client_secret: secret.map(str::to_owned),
                web_url: site.web_url(),
                api_url: site.api_url(),
                ..Default::default()
            },
        };
        admin::update(&app.app, &root, on(&github, Some("gh-secret")), &RequestMeta::default()).await.expect("github saved");
        let tested = admin::test_provider(&app.app, &root, service::auth::external::Provider::Github, on(&elsewhere, None), &RequestMeta::default()).await.expect("test");
        assert!(!tested.ok);
        assert!(elsewhere.token_requests().is_empty(), "the stored secret went to another site");
        let tested = admin::test_provider(&app.app, &root, service::auth::external::Provider::Github, on(&github, None), &RequestMeta::default()).await.expect("test");
        assert!(tested.ok, "{:?}", tested.problem);
        assert_eq!(github.token_requests().last().expect("sent").form["client_secret"], "gh-secret");
    }

    async fn provider_names_and_usernames_are_made_safe(app) {
        let app = app;
        let op = FakeOp::start().await;
        configure(&app, OidcUpdate { auto_provision: true, ..oidc_settings(&op.issuer()) }).await;
        let (browser, response) = sign_in_with(&app, &op, |nonce| {
            let mut c = op.valid_claims(CLIENT_ID, nonce, "u-9", now(&app));
            c["preferred_username"] = json!("rооt"); // Cyrillic o's: a look-alike of root
            c["name"] = json!("Eve\u{202E}gnp.exe\u{200B}<script>");
            c["email"] = json!("eve@example.test");
            (Signing::KeyA, json!({}), c)
        })
        .await;
        assert_eq!(response.status(), StatusCode::OK);
        let user = me(&browser).await.expect("in");
        let username = user["username"].as_str().expect("username");
        assert!(username.is_ascii() && username != "root", "{username}");
        assert_eq!(user["display_name"], "Evegnp.exe<script>");
        let page = browser.get("/").await.text().await.expect("page");
        assert!(page.contains("Evegnp.exe&lt;script&gt;") || page.contains("Evegnp.exe&#60;script&#62;"), "shown escaped");
        assert!(!page.contains("Evegnp.exe<script>"), "never raw");
    }
}
