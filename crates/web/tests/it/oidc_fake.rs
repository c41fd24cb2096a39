//! Fake identity providers for the OIDC and GitHub sign-in tests, each on its own plain-HTTP
//! listener on `127.0.0.1:0`, plus a [`Canary`] that only counts connections.
//!
//! - [`FakeOp`]: an OpenID provider — discovery, JWKS (one RSA key, kid `key-a`), a token
//!   endpoint that records every request and answers with whatever ID token the test set, and
//!   a userinfo endpoint. [`FakeOp::sign`] makes the tokens: properly signed ones and the usual
//!   forgeries (a key that is not published, `alg: none`, HS256 keyed with the public key).
//! - [`FakeGithub`]: github.com's OAuth token endpoint and api.github.com's `/user` and
//!   `/user/emails` on one listener, with GitHub's quirks: errors come back as HTTP 200, the
//!   answer is urlencoded unless the client asks for JSON, and the API refuses requests without
//!   a `User-Agent`.
//! - [`Canary`]: a listener that accepts, counts and closes connections, for "the app must not
//!   fetch this URL" (`jku`, `x5u`, a refused issuer).
//!
//! The RSA keys are made once per test process (key generation is the slow part).
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use chrono::{DateTime, Duration, Utc};
use hmac::{Hmac, Mac};
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{EncodePublicKey, LineEnding};
use rsa::signature::{SignatureEncoding, Signer};
use rsa::traits::PublicKeyParts;
use rsa::{RsaPrivateKey, RsaPublicKey};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::net::TcpListener;
use tokio::task::AbortHandle;

/// The kid of the published key.
pub const KID_A: &str = "key-a";
/// The kid of the key that is never published.
pub const KID_OTHER: &str = "other";

// ---------------------------------------------------------------------------------------------
// Keys

struct Keys {
    a: RsaPrivateKey,
    other: RsaPrivateKey,
    a_public_pem: String,
}

static KEYS: OnceLock<Keys> = OnceLock::new();

fn generate_keys() -> Keys {
    // The two keys in parallel: each takes a noticeable fraction of a second.
    let (a, other) = std::thread::scope(|scope| {
        let a = scope
            .spawn(|| RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).expect("RSA key A"));
        let other = scope
            .spawn(|| RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).expect("RSA key B"));
        (
            a.join().expect("key A thread"),
            other.join().expect("key B thread"),
        )
    });
    let a_public_pem = RsaPublicKey::from(&a)
        .to_public_key_pem(LineEnding::LF)
        .expect("SPKI PEM");
    Keys {
        a,
        other,
        a_public_pem,
    }
}

/// The process-wide keys, made on a blocking thread the first time.
async fn keys() -> &'static Keys {
    if let Some(keys) = KEYS.get() {
        return keys;
    }
    tokio::task::spawn_blocking(|| KEYS.get_or_init(generate_keys))
        .await
        .expect("key generation")
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Key A as an RSA JWK (RFC 7517/7518): `n` and `e` big-endian, base64url without padding.
fn jwk(key: &RsaPrivateKey, kid: &str) -> Value {
    json!({
        "kty": "RSA",
        "use": "sig",
        "alg": "RS256",
        "kid": kid,
        "n": b64(&key.n().to_bytes_be()),
        "e": b64(&key.e().to_bytes_be()),
    })
}

// ---------------------------------------------------------------------------------------------
// Shared bits

/// One request to a token endpoint, as the fake received it.
#[derive(Clone, Debug, Default)]
pub struct TokenRequest {
    /// The `Authorization` header, verbatim (`Basic …` for `client_secret_basic`).
    pub authorization: Option<String>,
    /// The urlencoded body, decoded. A parameter sent twice keeps its last value (and the
    /// fake OP refuses the request, as RFC 6749 §3.2 says).
    pub form: BTreeMap<String, String>,
}

/// Decodes an `application/x-www-form-urlencoded` body; `true` when a name repeats.
fn decode_form(body: &[u8]) -> (BTreeMap<String, String>, bool) {
    let mut form = BTreeMap::new();
    let mut repeated = false;
    for (name, value) in url::form_urlencoded::parse(body) {
        repeated |= form.insert(name.into_owned(), value.into_owned()).is_some();
    }
    (form, repeated)
}

fn header_str(headers: &HeaderMap, name: header::HeaderName) -> Option<String> {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut response = (status, axum::Json(body.clone())).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Serves `router` on `listener` with every request counted; the handle stops the server.
fn serve(listener: TcpListener, router: Router, counter: Arc<AtomicUsize>) -> AbortHandle {
    let router = router.layer(axum::middleware::from_fn(
        move |request: Request, next: Next| {
            let counter = Arc::clone(&counter);
            async move {
                counter.fetch_add(1, Ordering::SeqCst);
                next.run(request).await
            }
        },
    ));
    let task = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    task.abort_handle()
}

// ---------------------------------------------------------------------------------------------
// Fake OpenID provider

/// How [`FakeOp::sign`] signs a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signing {
    /// RS256 with key A, header `kid: "key-a"`: the only valid signature.
    KeyA,
    /// RS256 with key B, which the JWKS never lists; header `kid: "other"`. For "a key the
    /// provider does not publish, claiming the published kid", add `{"kid": "key-a"}` with
    /// [`FakeOp::sign_with_header`].
    OtherKey,
    /// `alg: none`, no kid, an empty signature: `base64url(header).base64url(payload).`
    AlgNone,
    /// HS256 with key A's public key PEM ([`FakeOp::public_key_pem`]) as the HMAC secret,
    /// header `kid: "key-a"`: the RS256/HS256 key-confusion forgery.
    Hs256WithPublicKey,
    /// HS256 keyed with the given text (e.g. the client secret: what a provider that lists
    /// HS256 would do), header `kid: "key-a"`.
    Hs256With(&'static str),
}

struct OpState {
    metadata_issuer: Option<String>,
    metadata_algs: Option<Vec<String>>,
    id_token: Option<String>,
    token_error: Option<(StatusCode, Value)>,
    userinfo: Option<Value>,
    last_sub: Option<String>,
    token_requests: Vec<TokenRequest>,
    issued: BTreeSet<String>,
}

struct OpShared {
    issuer: String,
    keys: &'static Keys,
    state: Mutex<OpState>,
    access_tokens: AtomicUsize,
}

impl OpShared {
    fn lock(&self) -> std::sync::MutexGuard<'_, OpState> {
        self.state.lock().expect("fake OP state")
    }

    fn default_userinfo(sub: &str) -> Value {
        json!({
            "sub": sub,
            "email": format!("{sub}@example.test"),
            "email_verified": true,
            "name": format!("Test User {sub}"),
            "preferred_username": sub,
        })
    }
}

/// A fake OpenID provider on `http://127.0.0.1:PORT` (plain HTTP). It stops when dropped.
pub struct FakeOp {
    shared: Arc<OpShared>,
    requests: Arc<AtomicUsize>,
    server: AbortHandle,
}

impl Drop for FakeOp {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl FakeOp {
    /// Starts the provider. Routes:
    ///
    /// - `GET /.well-known/openid-configuration`: the discovery document; its `issuer` is
    ///   [`FakeOp::issuer`] unless [`FakeOp::set_metadata_issuer`] changed it.
    /// - `GET /jwks`: key A only.
    /// - `GET /authorize`: a placeholder page (the tests drive the code flow themselves).
    /// - `POST /token`: records the request; refuses (400) a `grant_type` other than
    ///   `authorization_code`, a missing `code` and repeated parameters; then answers the error
    ///   set by [`FakeOp::set_token_error`], or a fresh `fake-access-token-<n>` with the ID token
    ///   set by [`FakeOp::set_id_token`] (no `id_token` member while none is set).
    /// - `GET /userinfo`: needs `Authorization: Bearer <an access token /token issued>` (else
    ///   401); answers [`FakeOp::set_userinfo`]'s JSON, by default the profile of the last
    ///   `sub` given to [`FakeOp::valid_claims`].
    pub async fn start() -> FakeOp {
        let keys = keys().await;
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind fake OP");
        let addr = listener.local_addr().expect("fake OP addr");
        let shared = Arc::new(OpShared {
            issuer: format!("http://{addr}"),
            keys,
            state: Mutex::new(OpState {
                metadata_issuer: None,
                metadata_algs: None,
                id_token: None,
                token_error: None,
                userinfo: None,
                last_sub: None,
                token_requests: Vec::new(),
                issued: BTreeSet::new(),
            }),
            access_tokens: AtomicUsize::new(0),
        });
        let router = Router::new()
            .route("/.well-known/openid-configuration", get(op_discovery))
            .route("/jwks", get(op_jwks))
            .route("/authorize", get(op_authorize))
            .route("/token", post(op_token))
            .route("/userinfo", get(op_userinfo).post(op_userinfo))
            .with_state(Arc::clone(&shared));
        let requests = Arc::new(AtomicUsize::new(0));
        let server = serve(listener, router, Arc::clone(&requests));
        FakeOp {
            shared,
            requests,
            server,
        }
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn issuer(&self) -> String {
        self.shared.issuer.clone()
    }

    /// The `issuer` the discovery document claims from now on (default [`FakeOp::issuer`]).
    pub fn set_metadata_algs(&self, algs: &[&str]) {
        self.shared.lock().metadata_algs = Some(algs.iter().map(|a| (*a).to_owned()).collect());
    }

    pub fn set_metadata_issuer(&self, issuer: &str) {
        self.shared.lock().metadata_issuer = Some(issuer.to_owned());
    }

    /// The claims of a valid ID token for `client_id`: `iss`, `aud`, `sub`, `nonce`,
    /// `iat` = `now`, `exp` = `now` + 5 minutes, `email` (`<sub>@example.test`),
    /// `email_verified` true, `name`, `preferred_username`. Also makes `sub` the default
    /// userinfo subject.
    pub fn valid_claims(
        &self,
        client_id: &str,
        nonce: &str,
        sub: &str,
        now: DateTime<Utc>,
    ) -> Value {
        self.shared.lock().last_sub = Some(sub.to_owned());
        let mut claims = json!({
            "iss": self.issuer(),
            "aud": client_id,
            "sub": sub,
            "nonce": nonce,
            "iat": now.timestamp(),
            "exp": (now + Duration::minutes(5)).timestamp(),
        });
        if let (Some(claims), Value::Object(profile)) =
            (claims.as_object_mut(), OpShared::default_userinfo(sub))
        {
            for (name, value) in profile {
                claims.entry(name).or_insert(value);
            }
        }
        claims
    }

    /// A compact JWS of `claims` (see [`Signing`] for the header and key of each variant).
    pub fn sign(&self, signing: Signing, claims: &Value) -> String {
        self.sign_with_header(signing, json!({}), claims)
    }

    /// Like [`FakeOp::sign`], with `extra_header`'s members merged into the protected header
    /// (overriding `alg`/`kid`/`typ` if given; a `null` member removes that member). The
    /// signature is made after the merge, so it covers the extra members. `alg` only changes
    /// what the header says, not how the token is signed.
    pub fn sign_with_header(
        &self,
        signing: Signing,
        extra_header: Value,
        claims: &Value,
    ) -> String {
        let mut header = match signing {
            Signing::KeyA => json!({"alg": "RS256", "typ": "JWT", "kid": KID_A}),
            Signing::OtherKey => json!({"alg": "RS256", "typ": "JWT", "kid": KID_OTHER}),
            Signing::AlgNone => json!({"alg": "none", "typ": "JWT"}),
            Signing::Hs256WithPublicKey | Signing::Hs256With(_) => {
                json!({"alg": "HS256", "typ": "JWT", "kid": KID_A})
            }
        };
        if let (Some(header), Value::Object(extra)) = (header.as_object_mut(), extra_header) {
            for (name, value) in extra {
                if value.is_null() {
                    header.remove(&name);
                } else {
                    header.insert(name, value);
                }
            }
        }
        let signing_input = format!(
            "{}.{}",
            b64(&serde_json::to_vec(&header).expect("header JSON")),
            b64(&serde_json::to_vec(claims).expect("claims JSON")),
        );
        let signature = match signing {
            Signing::KeyA => rs256(&self.shared.keys.a, signing_input.as_bytes()),
            Signing::OtherKey => rs256(&self.shared.keys.other, signing_input.as_bytes()),
            Signing::AlgNone => Vec::new(),
            Signing::Hs256WithPublicKey => hs256(
                self.shared.keys.a_public_pem.as_bytes(),
                signing_input.as_bytes(),
            ),
            Signing::Hs256With(secret) => hs256(secret.as_bytes(), signing_input.as_bytes()),
        };
        format!("{signing_input}.{}", b64(&signature))
    }

    /// The ID token of the following `/token` answers (until changed).
    pub fn set_id_token(&self, token: String) {
        self.shared.lock().id_token = Some(token);
    }

    /// Makes every following `/token` answer `status` with `body` (until
    /// [`FakeOp::clear_token_error`]). Requests are still recorded.
    pub fn set_token_error(&self, status: u16, body: Value) {
        let status = StatusCode::from_u16(status).expect("HTTP status");
        self.shared.lock().token_error = Some((status, body));
    }

    /// Undoes [`FakeOp::set_token_error`].
    pub fn clear_token_error(&self) {
        self.shared.lock().token_error = None;
    }

    /// The `/userinfo` answer from now on.
    pub fn set_userinfo(&self, body: Value) {
        self.shared.lock().userinfo = Some(body);
    }

    /// Every `POST /token` so far, oldest first.
    pub fn token_requests(&self) -> Vec<TokenRequest> {
        self.shared.lock().token_requests.clone()
    }

    /// How many HTTP requests the provider has seen, on any path.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }

    /// Key A's public key as an SPKI PEM (`-----BEGIN PUBLIC KEY-----`, LF line endings): the
    /// HMAC secret of [`Signing::Hs256WithPublicKey`].
    pub fn public_key_pem(&self) -> String {
        self.shared.keys.a_public_pem.clone()
    }

    /// The JWKS the provider publishes.
    pub fn jwks(&self) -> Value {
        json!({ "keys": [jwk(&self.shared.keys.a, KID_A)] })
    }
}

fn rs256(key: &RsaPrivateKey, message: &[u8]) -> Vec<u8> {
    SigningKey::<Sha256>::new(key.clone())
        .sign(message)
        .to_vec()
}

fn hs256(secret: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC key");
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

async fn op_discovery(State(op): State<Arc<OpShared>>) -> Response {
    let base = &op.issuer;
    let (issuer, algs) = {
        let state = op.lock();
        (
            state
                .metadata_issuer
                .clone()
                .unwrap_or_else(|| base.clone()),
            state
                .metadata_algs
                .clone()
                .unwrap_or_else(|| vec!["RS256".to_owned()]),
        )
    };
    axum::Json(json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{base}/authorize"),
        "token_endpoint": format!("{base}/token"),
        "userinfo_endpoint": format!("{base}/userinfo"),
        "jwks_uri": format!("{base}/jwks"),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": algs,
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "scopes_supported": ["openid", "email", "profile", "groups"],
        "claims_supported": [
            "iss", "sub", "aud", "exp", "iat", "nonce", "email", "email_verified", "name",
            "preferred_username", "groups"
        ],
    }))
    .into_response()
}

async fn op_jwks(State(op): State<Arc<OpShared>>) -> Response {
    axum::Json(json!({ "keys": [jwk(&op.keys.a, KID_A)] })).into_response()
}

async fn op_authorize() -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        "<!doctype html><title>Fake OP</title><p>Fake authorization page.",
    )
        .into_response()
}

async fn op_token(State(op): State<Arc<OpShared>>, headers: HeaderMap, body: Bytes) -> Response {
    let (form, repeated) = decode_form(&body);
    let mut state = op.lock();
    state.token_requests.push(TokenRequest {
        authorization: header_str(&headers, header::AUTHORIZATION),
        form: form.clone(),
    });
    let invalid = |error: &str, description: &str| {
        json_response(
            StatusCode::BAD_REQUEST,
            &json!({"error": error, "error_description": description}),
        )
    };
    if repeated {
        return invalid("invalid_request", "a parameter was sent more than once");
    }
    if form.get("grant_type").map(String::as_str) != Some("authorization_code") {
        return invalid(
            "unsupported_grant_type",
            "only authorization_code is supported",
        );
    }
    if form.get("code").is_none_or(String::is_empty) {
        return invalid("invalid_request", "code is missing");
    }
    if let Some((status, body)) = &state.token_error {
        return json_response(*status, body);
    }
    let n = op.access_tokens.fetch_add(1, Ordering::SeqCst) + 1;
    let access_token = format!("fake-access-token-{n}");
    state.issued.insert(access_token.clone());
    let mut answer = json!({
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": 300,
    });
    if let (Some(answer), Some(id_token)) = (answer.as_object_mut(), &state.id_token) {
        answer.insert("id_token".into(), Value::String(id_token.clone()));
    }
    json_response(StatusCode::OK, &answer)
}

async fn op_userinfo(State(op): State<Arc<OpShared>>, headers: HeaderMap) -> Response {
    let state = op.lock();
    let authorized = header_str(&headers, header::AUTHORIZATION)
        .and_then(|value| {
            let (scheme, token) = value.split_once(' ')?;
            scheme
                .eq_ignore_ascii_case("bearer")
                .then(|| token.trim().to_owned())
        })
        .is_some_and(|token| state.issued.contains(&token));
    if !authorized {
        return (
            StatusCode::UNAUTHORIZED,
            [(header::WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"")],
        )
            .into_response();
    }
    let body = state.userinfo.clone().unwrap_or_else(|| {
        OpShared::default_userinfo(state.last_sub.as_deref().unwrap_or("fake-subject"))
    });
    json_response(StatusCode::OK, &body)
}

// ---------------------------------------------------------------------------------------------
// Fake GitHub

struct GithubState {
    code: Option<String>,
    user: Value,
    emails: Value,
    token_requests: Vec<TokenRequest>,
    issued: BTreeSet<String>,
}

struct GithubShared {
    client_id: String,
    client_secret: String,
    state: Mutex<GithubState>,
    tokens: AtomicUsize,
}

impl GithubShared {
    fn lock(&self) -> std::sync::MutexGuard<'_, GithubState> {
        self.state.lock().expect("fake GitHub state")
    }
}

fn github_user(id: i64, login: &str, name: Option<&str>) -> Value {
    json!({
        "login": login,
        "id": id,
        "node_id": format!("U_fake{id}"),
        "avatar_url": format!("https://avatars.githubusercontent.com/u/{id}?v=4"),
        "html_url": format!("https://github.com/{login}"),
        "type": "User",
        "site_admin": false,
        "name": name,
        "email": null,
    })
}

/// A fake github.com and api.github.com on one `127.0.0.1:PORT` listener. It stops when
/// dropped.
pub struct FakeGithub {
    addr: SocketAddr,
    shared: Arc<GithubShared>,
    requests: Arc<AtomicUsize>,
    server: AbortHandle,
}

impl Drop for FakeGithub {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl FakeGithub {
    /// Starts the fake for the OAuth app `client_id`/`client_secret`. Routes:
    ///
    /// - `GET /login/oauth/authorize`: a placeholder page.
    /// - `POST /login/oauth/access_token`: checks the client (form `client_id` and
    ///   `client_secret`, or HTTP Basic), then the code set by [`FakeGithub::set_code`] (single
    ///   use). Always HTTP 200, like GitHub: `{"error": "incorrect_client_credentials" | …}`
    ///   or `{"access_token": "gho_fake…", "token_type": "bearer", "scope": …}`; JSON only
    ///   with `Accept: application/json`, urlencoded otherwise.
    /// - `GET /api/user`, `GET /api/user/emails`: 403 without a `User-Agent`, 401 without
    ///   `Authorization: Bearer|token <an issued token>`.
    ///
    /// Until set, the user is octocat (id 583231) with one primary, verified address.
    pub async fn start(client_id: &str, client_secret: &str) -> FakeGithub {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind fake GitHub");
        let addr = listener.local_addr().expect("fake GitHub addr");
        let shared = Arc::new(GithubShared {
            client_id: client_id.to_owned(),
            client_secret: client_secret.to_owned(),
            state: Mutex::new(GithubState {
                code: None,
                user: github_user(583231, "octocat", Some("The Octocat")),
                emails: json!([{
                    "email": "octocat@example.test",
                    "primary": true,
                    "verified": true,
                    "visibility": "private",
                }]),
                token_requests: Vec::new(),
                issued: BTreeSet::new(),
            }),
            tokens: AtomicUsize::new(0),
        });
        let router = Router::new()
            .route("/login/oauth/authorize", get(op_authorize))
            .route("/login/oauth/access_token", post(github_token))
            .route("/api/user", get(github_api_user))
            .route("/api/user/emails", get(github_api_emails))
            .with_state(Arc::clone(&shared));
        let requests = Arc::new(AtomicUsize::new(0));
        let server = serve(listener, router, Arc::clone(&requests));
        FakeGithub {
            addr,
            shared,
            requests,
            server,
        }
    }

    /// `http://127.0.0.1:PORT`: stands for `https://github.com`.
    pub fn web_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://127.0.0.1:PORT/api`: stands for `https://api.github.com`.
    pub fn api_url(&self) -> String {
        format!("http://{}/api", self.addr)
    }

    /// The one authorization code the token endpoint accepts next (once).
    pub fn set_code(&self, code: &str) {
        self.shared.lock().code = Some(code.to_owned());
    }

    /// The user `/api/user` answers with (`email` is always `null`, as for a private email).
    pub fn set_user(&self, id: i64, login: &str, name: Option<&str>) {
        self.shared.lock().user = github_user(id, login, name);
    }

    /// The `/api/user/emails` answer: an array of `{"email", "primary", "verified",
    /// "visibility"}`.
    pub fn set_emails(&self, emails: Value) {
        self.shared.lock().emails = emails;
    }

    /// Every `POST /login/oauth/access_token` so far, oldest first.
    pub fn token_requests(&self) -> Vec<TokenRequest> {
        self.shared.lock().token_requests.clone()
    }

    /// How many HTTP requests the fake has seen, on any path.
    pub fn requests(&self) -> usize {
        self.requests.load(Ordering::SeqCst)
    }
}

/// The client credentials of a token request: form parameters, else HTTP Basic.
fn github_client(form: &BTreeMap<String, String>, headers: &HeaderMap) -> (String, String) {
    if let (Some(id), Some(secret)) = (form.get("client_id"), form.get("client_secret")) {
        return (id.clone(), secret.clone());
    }
    let basic = header_str(headers, header::AUTHORIZATION)
        .and_then(|value| {
            let (scheme, encoded) = value.split_once(' ')?;
            scheme.eq_ignore_ascii_case("basic").then(|| {
                STANDARD
                    .decode(encoded.trim())
                    .ok()
                    .and_then(|bytes| String::from_utf8(bytes).ok())
            })?
        })
        .and_then(|pair| {
            let (id, secret) = pair.split_once(':')?;
            // RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
            let decode = |part: &str| {
                url::form_urlencoded::parse(format!("x={part}").as_bytes())
                    .next()
                    .map(|(_, value)| value.into_owned())
                    .unwrap_or_default()
            };
            Some((decode(id), decode(secret)))
        });
    basic.unwrap_or_else(|| {
        (
            form.get("client_id").cloned().unwrap_or_default(),
            String::new(),
        )
    })
}

/// A token endpoint answer in the format the client asked for (always HTTP 200).
fn github_answer(headers: &HeaderMap, fields: &[(&str, &str)]) -> Response {
    let wants_json = header_str(headers, header::ACCEPT)
        .is_some_and(|accept| accept.to_ascii_lowercase().contains("application/json"));
    if wants_json {
        let object: serde_json::Map<String, Value> = fields
            .iter()
            .map(|(name, value)| ((*name).to_owned(), Value::String((*value).to_owned())))
            .collect();
        return json_response(StatusCode::OK, &Value::Object(object));
    }
    let mut body = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in fields {
        body.append_pair(name, value);
    }
    (
        StatusCode::OK,
        [(
            header::CONTENT_TYPE,
            "application/x-www-form-urlencoded; charset=utf-8",
        )],
        body.finish(),
    )
        .into_response()
}

async fn github_token(
    State(github): State<Arc<GithubShared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (form, _) = decode_form(&body);
    let mut state = github.lock();
    state.token_requests.push(TokenRequest {
        authorization: header_str(&headers, header::AUTHORIZATION),
        form: form.clone(),
    });
    let (client_id, client_secret) = github_client(&form, &headers);
    if client_id != github.client_id || client_secret != github.client_secret {
        return github_answer(
            &headers,
            &[
                ("error", "incorrect_client_credentials"),
                (
                    "error_description",
                    "The client_id and/or client_secret passed are incorrect.",
                ),
                (
                    "error_uri",
                    "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#incorrect-client-credentials",
                ),
            ],
        );
    }
    let code_ok = match (form.get("code"), &state.code) {
        (Some(given), Some(expected)) => !given.is_empty() && given == expected,
        _ => false,
    };
    if !code_ok {
        return github_answer(
            &headers,
            &[
                ("error", "bad_verification_code"),
                (
                    "error_description",
                    "The code passed is incorrect or expired.",
                ),
                (
                    "error_uri",
                    "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code",
                ),
            ],
        );
    }
    state.code = None;
    let n = github.tokens.fetch_add(1, Ordering::SeqCst) + 1;
    let token = format!("gho_fake{n:032}");
    state.issued.insert(token.clone());
    github_answer(
        &headers,
        &[
            ("access_token", &token),
            ("token_type", "bearer"),
            ("scope", "read:user,user:email"),
        ],
    )
}

/// GitHub's checks for an API request: a `User-Agent`, then a token it issued.
fn github_api_check(github: &GithubShared, headers: &HeaderMap) -> Option<Response> {
    if header_str(headers, header::USER_AGENT).is_none_or(|agent| agent.trim().is_empty()) {
        return Some(
            (
                StatusCode::FORBIDDEN,
                [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                "Request forbidden by administrative rules. Please make sure your request has a \
                 User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). \
                 Check https://developer.github.com for other possible causes.\n",
            )
                .into_response(),
        );
    }
    let Some(authorization) = header_str(headers, header::AUTHORIZATION) else {
        return Some(json_response(
            StatusCode::UNAUTHORIZED,
            &json!({
                "message": "Requires authentication",
                "documentation_url": "https://docs.github.com/rest",
                "status": "401",
            }),
        ));
    };
    let token = authorization.split_once(' ').and_then(|(scheme, token)| {
        (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token"))
            .then(|| token.trim().to_owned())
    });
    if token.is_some_and(|token| github.lock().issued.contains(&token)) {
        return None;
    }
    Some(json_response(
        StatusCode::UNAUTHORIZED,
        &json!({
            "message": "Bad credentials",
            "documentation_url": "https://docs.github.com/rest",
            "status": "401",
        }),
    ))
}

fn github_api_answer(body: Value) -> Response {
    let mut response = json_response(StatusCode::OK, &body);
    response.headers_mut().insert(
        "x-oauth-scopes",
        HeaderValue::from_static("read:user, user:email"),
    );
    response
}

async fn github_api_user(State(github): State<Arc<GithubShared>>, headers: HeaderMap) -> Response {
    if let Some(refusal) = github_api_check(&github, &headers) {
        return refusal;
    }
    let user = github.lock().user.clone();
    github_api_answer(user)
}

async fn github_api_emails(
    State(github): State<Arc<GithubShared>>,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = github_api_check(&github, &headers) {
        return refusal;
    }
    let emails = github.lock().emails.clone();
    github_api_answer(emails)
}

// ---------------------------------------------------------------------------------------------
// Canary

/// A TCP listener on `127.0.0.1:0` that accepts, counts and closes connections. Point a URL
/// the app must never fetch at it and check [`Canary::connections`] is 0.
pub struct Canary {
    addr: SocketAddr,
    hits: Arc<AtomicUsize>,
    server: AbortHandle,
}

impl Drop for Canary {
    fn drop(&mut self) {
        self.server.abort();
    }
}

impl Canary {
    pub async fn start() -> Canary {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind canary");
        let addr = listener.local_addr().expect("canary addr");
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&hits);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                drop(stream);
            }
        });
        Canary {
            addr,
            hits,
            server: task.abort_handle(),
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Connections accepted so far.
    pub fn connections(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

// ---------------------------------------------------------------------------------------------
// Self-tests of the fakes

mod tests {
    use rsa::BigUint;
    use rsa::pkcs1v15::{Signature, VerifyingKey};
    use rsa::signature::Verifier;

    use super::*;

    fn client() -> reqwest::Client {
        reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    fn part(token: &str, index: usize) -> Vec<u8> {
        let part = token.split('.').nth(index).expect("JWS part");
        URL_SAFE_NO_PAD.decode(part).expect("base64url part")
    }

    fn header_of(token: &str) -> Value {
        serde_json::from_slice(&part(token, 0)).expect("header JSON")
    }

    /// Verifies an RS256 JWS against the first JWK of `jwks`, the way a relying party would.
    fn rs256_verifies(jwks: &Value, token: &str) -> bool {
        let key = &jwks["keys"][0];
        let n = URL_SAFE_NO_PAD
            .decode(key["n"].as_str().expect("n"))
            .expect("n base64url");
        let e = URL_SAFE_NO_PAD
            .decode(key["e"].as_str().expect("e"))
            .expect("e base64url");
        let public =
            RsaPublicKey::new(BigUint::from_bytes_be(&n), BigUint::from_bytes_be(&e)).expect("key");
        let verifying = VerifyingKey::<Sha256>::new(public);
        let (signing_input, signature) = token.rsplit_once('.').expect("JWS");
        let Ok(signature) = URL_SAFE_NO_PAD.decode(signature) else {
            return false;
        };
        let Ok(signature) = Signature::try_from(signature.as_slice()) else {
            return false;
        };
        verifying
            .verify(signing_input.as_bytes(), &signature)
            .is_ok()
    }

    #[tokio::test]
    async fn discovery_and_jwks() {
        let op = FakeOp::start().await;
        let issuer = op.issuer();
        assert!(issuer.starts_with("http://127.0.0.1:"), "{issuer}");
        let client = client();
        let discovery: Value = client
            .get(format!("{issuer}/.well-known/openid-configuration"))
            .send()
            .await
            .expect("discovery")
            .json()
            .await
            .expect("discovery JSON");
        assert_eq!(discovery["issuer"], issuer.as_str());
        assert_eq!(discovery["token_endpoint"], format!("{issuer}/token"));
        assert_eq!(discovery["userinfo_endpoint"], format!("{issuer}/userinfo"));
        assert_eq!(
            discovery["id_token_signing_alg_values_supported"],
            json!(["RS256"])
        );
        assert_eq!(
            discovery["code_challenge_methods_supported"],
            json!(["S256"])
        );

        let jwks_uri = discovery["jwks_uri"].as_str().expect("jwks_uri");
        let response = client.get(jwks_uri).send().await.expect("jwks");
        assert_eq!(response.status(), 200);
        let jwks: Value = response.json().await.expect("JWKS JSON");
        let keys = jwks["keys"].as_array().expect("keys");
        assert_eq!(keys.len(), 1, "only key A is published");
        let key = &keys[0];
        assert_eq!(key["kty"], "RSA");
        assert_eq!(key["use"], "sig");
        assert_eq!(key["alg"], "RS256");
        assert_eq!(key["kid"], KID_A);
        assert_eq!(key["e"], "AQAB");
        let n = key["n"].as_str().expect("n");
        assert!(!n.contains('=') && !n.contains('+') && !n.contains('/'));
        assert_eq!(URL_SAFE_NO_PAD.decode(n).expect("n").len(), 256);
        assert_eq!(jwks, op.jwks());

        op.set_metadata_issuer("https://evil.example");
        let discovery: Value = client
            .get(format!("{issuer}/.well-known/openid-configuration"))
            .send()
            .await
            .expect("discovery")
            .json()
            .await
            .expect("discovery JSON");
        assert_eq!(discovery["issuer"], "https://evil.example");
        assert_eq!(discovery["jwks_uri"], format!("{issuer}/jwks"));
        assert_eq!(op.requests(), 3);
    }

    #[tokio::test]
    async fn signatures() {
        let op = FakeOp::start().await;
        let jwks = op.jwks();
        let now = Utc::now();
        let claims = op.valid_claims("client-1", "nonce-1", "alice", now);
        assert_eq!(claims["iss"], op.issuer().as_str());
        assert_eq!(claims["aud"], "client-1");
        assert_eq!(claims["nonce"], "nonce-1");
        assert_eq!(claims["sub"], "alice");
        assert_eq!(claims["email_verified"], true);
        assert_eq!(
            claims["exp"].as_i64().expect("exp") - claims["iat"].as_i64().expect("iat"),
            300
        );

        let good = op.sign(Signing::KeyA, &claims);
        assert_eq!(good.split('.').count(), 3);
        assert!(!good.contains('='));
        assert_eq!(
            header_of(&good),
            json!({"alg": "RS256", "typ": "JWT", "kid": "key-a"})
        );
        let payload: Value = serde_json::from_slice(&part(&good, 1)).expect("payload");
        assert_eq!(payload, claims);
        assert!(
            rs256_verifies(&jwks, &good),
            "key A verifies against the JWKS"
        );

        let mut tampered = claims.clone();
        tampered["sub"] = json!("mallory");
        let (_, signature) = good.rsplit_once('.').expect("JWS");
        let forged = format!(
            "{}.{}.{signature}",
            good.split('.').next().expect("header"),
            b64(&serde_json::to_vec(&tampered).expect("JSON"))
        );
        assert!(!rs256_verifies(&jwks, &forged), "a changed payload fails");

        let other = op.sign(Signing::OtherKey, &claims);
        assert_eq!(header_of(&other)["kid"], KID_OTHER);
        assert!(!rs256_verifies(&jwks, &other), "key B does not verify");
        let other_as_a = op.sign_with_header(Signing::OtherKey, json!({"kid": "key-a"}), &claims);
        assert_eq!(header_of(&other_as_a)["kid"], KID_A);
        assert!(!rs256_verifies(&jwks, &other_as_a));

        let none = op.sign(Signing::AlgNone, &claims);
        assert!(none.ends_with('.'), "{none}");
        assert_eq!(header_of(&none), json!({"alg": "none", "typ": "JWT"}));

        let hs = op.sign(Signing::Hs256WithPublicKey, &claims);
        assert_eq!(
            header_of(&hs),
            json!({"alg": "HS256", "typ": "JWT", "kid": "key-a"})
        );
        let pem = op.public_key_pem();
        assert!(pem.starts_with("-----BEGIN PUBLIC KEY-----\n"), "{pem}");
        let (signing_input, signature) = hs.rsplit_once('.').expect("JWS");
        let mut mac = Hmac::<Sha256>::new_from_slice(pem.as_bytes()).expect("HMAC");
        mac.update(signing_input.as_bytes());
        mac.verify_slice(&URL_SAFE_NO_PAD.decode(signature).expect("signature"))
            .expect("HS256 keyed with the PEM");
        assert!(!rs256_verifies(&jwks, &hs));

        let canary = Canary::start().await;
        let jku = op.sign_with_header(
            Signing::KeyA,
            json!({"jku": canary.url("/jwks"), "typ": null}),
            &claims,
        );
        assert_eq!(
            header_of(&jku),
            json!({"alg": "RS256", "kid": "key-a", "jku": canary.url("/jwks")})
        );
        assert!(
            rs256_verifies(&jwks, &jku),
            "the signature covers the merged header"
        );
        assert_eq!(canary.connections(), 0);
    }

    #[tokio::test]
    async fn token_and_userinfo_endpoints() {
        let op = FakeOp::start().await;
        let client = client();
        let claims = op.valid_claims("client-1", "n", "bob", Utc::now());
        let id_token = op.sign(Signing::KeyA, &claims);
        op.set_id_token(id_token.clone());

        let response = client
            .post(format!("{}/token", op.issuer()))
            .basic_auth("client-1", Some("s3cret"))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", "the-code"),
                ("redirect_uri", "http://127.0.0.1:1/cb"),
                ("code_verifier", "verifier"),
            ])
            .send()
            .await
            .expect("token");
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["cache-control"], "no-store");
        let answer: Value = response.json().await.expect("token JSON");
        assert_eq!(answer["access_token"], "fake-access-token-1");
        assert_eq!(answer["token_type"], "Bearer");
        assert_eq!(answer["expires_in"], 300);
        assert_eq!(answer["id_token"], id_token.as_str());

        let recorded = op.token_requests();
        assert_eq!(recorded.len(), 1);
        assert_eq!(
            recorded[0].authorization.as_deref(),
            Some(format!("Basic {}", STANDARD.encode("client-1:s3cret")).as_str())
        );
        assert_eq!(recorded[0].form["grant_type"], "authorization_code");
        assert_eq!(recorded[0].form["code"], "the-code");
        assert_eq!(recorded[0].form["redirect_uri"], "http://127.0.0.1:1/cb");
        assert_eq!(recorded[0].form["code_verifier"], "verifier");

        let userinfo = format!("{}/userinfo", op.issuer());
        let response = client.get(&userinfo).send().await.expect("userinfo");
        assert_eq!(response.status(), 401);
        let response = client
            .get(&userinfo)
            .bearer_auth("fake-access-token-99")
            .send()
            .await
            .expect("userinfo");
        assert_eq!(response.status(), 401, "a token the fake never issued");
        let info: Value = client
            .get(&userinfo)
            .bearer_auth("fake-access-token-1")
            .send()
            .await
            .expect("userinfo")
            .json()
            .await
            .expect("userinfo JSON");
        assert_eq!(info["sub"], "bob");
        assert_eq!(info["email"], "bob@example.test");
        op.set_userinfo(json!({"sub": "someone-else"}));
        let info: Value = client
            .get(&userinfo)
            .bearer_auth("fake-access-token-1")
            .send()
            .await
            .expect("userinfo")
            .json()
            .await
            .expect("userinfo JSON");
        assert_eq!(info, json!({"sub": "someone-else"}));

        // client_secret_post, an error answer, and the protocol checks.
        op.set_token_error(400, json!({"error": "invalid_grant"}));
        let response = client
            .post(format!("{}/token", op.issuer()))
            .form(&[
                ("grant_type", "authorization_code"),
                ("code", "c"),
                ("client_id", "client-1"),
                ("client_secret", "s3cret"),
            ])
            .send()
            .await
            .expect("token");
        assert_eq!(response.status(), 400);
        assert_eq!(
            response.json::<Value>().await.expect("JSON"),
            json!({"error": "invalid_grant"})
        );
        op.clear_token_error();
        let response = client
            .post(format!("{}/token", op.issuer()))
            .form(&[("grant_type", "password"), ("code", "c")])
            .send()
            .await
            .expect("token");
        assert_eq!(response.status(), 400);
        let recorded = op.token_requests();
        assert_eq!(recorded.len(), 3);
        assert_eq!(recorded[1].authorization, None);
        assert_eq!(recorded[1].form["client_secret"], "s3cret");
        assert_eq!(op.requests(), 7);
    }

    #[tokio::test]
    async fn github_token_exchange_and_api() {
        let github = FakeGithub::start("gh-client", "gh-secret").await;
        assert_eq!(github.api_url(), format!("{}/api", github.web_url()));
        github.set_code("code-1");
        let client = client();
        let token_url = format!("{}/login/oauth/access_token", github.web_url());
        let exchange = |secret: &'static str, code: &'static str| {
            client
                .post(&token_url)
                .header("accept", "application/json")
                .form(&[
                    ("client_id", "gh-client"),
                    ("client_secret", secret),
                    ("code", code),
                    ("redirect_uri", "http://127.0.0.1:1/cb"),
                    ("code_verifier", "v"),
                ])
                .send()
        };

        let response = exchange("wrong", "code-1").await.expect("token");
        assert_eq!(response.status(), 200, "GitHub reports errors with 200");
        let answer: Value = response.json().await.expect("JSON");
        assert_eq!(answer["error"], "incorrect_client_credentials");

        let answer: Value = exchange("gh-secret", "code-1")
            .await
            .expect("token")
            .json()
            .await
            .expect("JSON");
        assert_eq!(answer["token_type"], "bearer");
        assert_eq!(answer["scope"], "read:user,user:email");
        let token = answer["access_token"].as_str().expect("token").to_owned();
        assert!(token.starts_with("gho_fake"), "{token}");

        let answer: Value = exchange("gh-secret", "code-1")
            .await
            .expect("token")
            .json()
            .await
            .expect("JSON");
        assert_eq!(
            answer["error"], "bad_verification_code",
            "codes are single use"
        );

        let recorded = github.token_requests();
        assert_eq!(recorded.len(), 3);
        assert_eq!(recorded[1].form["client_secret"], "gh-secret");
        assert_eq!(recorded[1].form["code_verifier"], "v");

        // Without Accept: application/json the answer is urlencoded.
        github.set_code("code-2");
        let response = client
            .post(&token_url)
            .form(&[
                ("client_id", "gh-client"),
                ("client_secret", "gh-secret"),
                ("code", "code-2"),
            ])
            .send()
            .await
            .expect("token");
        assert!(
            response.headers()["content-type"]
                .to_str()
                .expect("type")
                .starts_with("application/x-www-form-urlencoded")
        );
        let body = response.text().await.expect("body");
        assert!(body.starts_with("access_token=gho_fake"), "{body}");
        assert!(body.contains("token_type=bearer"), "{body}");

        let user_url = format!("{}/user", github.api_url());
        let response = client
            .get(&user_url)
            .bearer_auth(&token)
            .send()
            .await
            .expect("user");
        assert_eq!(response.status(), 403, "no User-Agent");
        let response = client
            .get(&user_url)
            .header("user-agent", "BillTracker-test")
            .send()
            .await
            .expect("user");
        assert_eq!(response.status(), 401, "no token");
        let response = client
            .get(&user_url)
            .header("user-agent", "BillTracker-test")
            .bearer_auth("gho_unknown")
            .send()
            .await
            .expect("user");
        assert_eq!(response.status(), 401, "a token the fake never issued");

        github.set_user(42, "alice", Some("Alice A."));
        let user: Value = client
            .get(&user_url)
            .header("user-agent", "BillTracker-test")
            .header("authorization", format!("token {token}"))
            .send()
            .await
            .expect("user")
            .json()
            .await
            .expect("JSON");
        assert_eq!(user["id"], 42);
        assert_eq!(user["login"], "alice");
        assert_eq!(user["name"], "Alice A.");
        assert_eq!(user["email"], Value::Null);

        let emails = json!([
            {"email": "a@example.test", "primary": true, "verified": false, "visibility": null},
        ]);
        github.set_emails(emails.clone());
        let answer: Value = client
            .get(format!("{}/user/emails", github.api_url()))
            .header("user-agent", "BillTracker-test")
            .bearer_auth(&token)
            .send()
            .await
            .expect("emails")
            .json()
            .await
            .expect("JSON");
        assert_eq!(answer, emails);
    }

    #[tokio::test]
    async fn canary_counts_connections() {
        let canary = Canary::start().await;
        assert_eq!(canary.connections(), 0);
        assert_eq!(canary.url("/x"), format!("http://{}/x", canary.addr()));
        let result = client().get(canary.url("/jwks")).send().await;
        assert!(result.is_err(), "the canary closes without answering");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        assert!(canary.connections() >= 1);
    }
}
