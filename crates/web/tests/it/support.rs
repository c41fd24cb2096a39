//! A running test server: the real router and pipeline on `127.0.0.1:0`, a fresh database,
//! a manual clock, and a cookie-keeping client. Ready as soon as the listener is bound.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use service::clock::ManualClock;
use service::random::OsRandom;
use service::{App, Config};
use testkit::{TestDatabase, TestEngine};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct TestApp {
    pub addr: SocketAddr,
    pub client: reqwest::Client,
    #[allow(dead_code)]
    pub clock: ManualClock,
    pub app: App,
    stop: Option<oneshot::Sender<()>>,
    pub server: Option<JoinHandle<std::io::Result<()>>>,
    pub db: TestDatabase,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    /// Triggers graceful shutdown and waits for the server to return.
    pub async fn shutdown(&mut self) -> std::io::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match self.server.take() {
            Some(handle) => handle.await.expect("server task"),
            None => Ok(()),
        }
    }
}

/// Options for [`spawn_with`].
#[derive(Default)]
pub struct Spawn {
    pub env: Vec<(&'static str, String)>,
    pub extra: Option<axum::Router<web::AppState>>,
}

pub async fn spawn(engine: TestEngine) -> Option<TestApp> {
    spawn_with(engine, Spawn::default()).await
}

pub async fn spawn_with(engine: TestEngine, options: Spawn) -> Option<TestApp> {
    let db = TestDatabase::new(engine).await?;
    let mut env: BTreeMap<String, String> = BTreeMap::new();
    env.insert("LISTEN".into(), "127.0.0.1:0".into());
    env.insert("DATA_DIR".into(), db.dir.path().display().to_string());
    if let Some(url) = &db.database_url {
        env.insert("DATABASE_URL".into(), url.clone());
    }
    for (key, value) in options.env {
        env.insert(key.into(), value);
    }
    let config = Config::from_sources(None, &env).expect("test config");
    let grace = config.shutdown_grace;
    let store = db.store().await;
    let clock = ManualClock::new(
        Utc.with_ymd_and_hms(2026, 3, 14, 9, 0, 0)
            .single()
            .expect("time"),
    );
    let (keyring, _) = service::keys::open(&config, &store, &OsRandom)
        .await
        .expect("keyring");
    let app = App::with(
        store,
        config,
        keyring,
        Arc::new(clock.clone()),
        Arc::new(OsRandom),
    );
    service::setup::bootstrap(&app).await.expect("bootstrap");
    let mut server = web::Server::bind(
        "127.0.0.1:0".parse().expect("addr"),
        web::AppState::new(app.clone()),
    )
    .await
    .expect("bind");
    if let Some(extra) = options.extra {
        server = server.with_extra_routes(extra);
    }
    let addr = server.local_addr().expect("addr");
    let (stop, stopped) = oneshot::channel::<()>();
    let handle = tokio::spawn(server.run(
        async move {
            let _ = stopped.await;
        },
        grace,
    ));
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(30))
        .build()
        .expect("client");
    Some(TestApp {
        addr,
        client,
        clock,
        app,
        stop: Some(stop),
        server: Some(handle),
        db,
    })
}

/// Runs each body on both engines as `name::sqlite` / `name::postgres`, with `$app` a
/// [`TestApp`] spawned by `$spawn` (an `async fn(TestEngine) -> Option<TestApp>`).
#[macro_export]
macro_rules! app_tests {
    ($( $(#[$meta:meta])* async fn $name:ident($app:ident) $body:block )*) => {
        app_tests!(@with $crate::support::spawn; $( $(#[$meta])* async fn $name($app) $body )*);
    };
    (@with $spawn:path; $( $(#[$meta:meta])* async fn $name:ident($app:ident) $body:block )*) => {
        $(
            $(#[$meta])*
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                #[tokio::test]
                async fn sqlite() {
                    #[allow(unused_mut)]
                    let Some(mut $app) = $spawn(testkit::TestEngine::Sqlite).await else { return };
                    $body
                }

                #[tokio::test]
                async fn postgres() {
                    #[allow(unused_mut)]
                    let Some(mut $app) = $spawn(testkit::TestEngine::Postgres).await else { return };
                    $body
                }
            }
        )*
    };
}

/// A browser-like client: its own cookie jar and the CSRF token it was given.
pub struct Browser {
    pub client: reqwest::Client,
    pub jar: Arc<reqwest::cookie::Jar>,
    pub base: String,
    pub csrf: String,
}

impl Browser {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    /// An unsafe request with the CSRF header and a JSON body (or none).
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<serde_json::Value>,
    ) -> reqwest::Response {
        let mut request = self
            .client
            .request(method, self.url(path))
            .header("x-csrf-token", &self.csrf);
        if let Some(body) = body {
            request = request.json(&body);
        }
        request.send().await.expect("request")
    }

    pub async fn post(&self, path: &str, body: serde_json::Value) -> reqwest::Response {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    /// Fetches a (new or reused) CSRF token from `GET /api/auth/csrf-token`.
    pub async fn refresh_csrf(&mut self) {
        let body: serde_json::Value = self
            .get("/api/auth/csrf-token")
            .await
            .json()
            .await
            .expect("csrf json");
        self.csrf = body["csrf_token"].as_str().expect("csrf_token").to_owned();
    }

    /// Signs in through the JSON API; keeps the new CSRF token on success (an `mfa_required`
    /// answer has none: the pre-session token stays).
    pub async fn login(&mut self, username: &str, password: &str) -> reqwest::Response {
        let response = self
            .post(
                "/api/auth/login",
                serde_json::json!({"username": username, "password": password}),
            )
            .await;
        if response.status().is_success() {
            let headers = response.headers().clone();
            let status = response.status();
            let body: serde_json::Value = response.json().await.expect("login json");
            if let Some(csrf) = body["csrf_token"].as_str() {
                self.csrf = csrf.to_owned();
            }
            let mut rebuilt = http::Response::builder().status(status);
            for (k, v) in &headers {
                rebuilt = rebuilt.header(k, v);
            }
            return reqwest::Response::from(rebuilt.body(body.to_string()).expect("response"));
        }
        response
    }

    /// Steps the session up again with `password` (`POST /api/auth/reauth`), as the dangerous
    /// actions need after 5 minutes; fails the test unless it is accepted.
    pub async fn reauthenticate(&self, password: &str) {
        let response = self
            .post(
                "/api/auth/reauth",
                serde_json::json!({"password": password}),
            )
            .await;
        assert_eq!(
            response.status(),
            reqwest::StatusCode::NO_CONTENT,
            "step-up: {}",
            response.text().await.unwrap_or_default()
        );
    }

    /// The value of cookie `name` in this browser's jar.
    pub fn cookie(&self, name: &str) -> Option<String> {
        use reqwest::cookie::CookieStore;
        let url: reqwest::Url = self.base.parse().expect("url");
        let header = self.jar.cookies(&url)?;
        header.to_str().ok()?.split("; ").find_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            (k == name).then(|| v.to_owned())
        })
    }

    /// Puts a cookie into the jar (to plant a value, as an attacker or a stale tab would).
    pub fn set_cookie(&self, name: &str, value: &str) {
        let url: reqwest::Url = self.base.parse().expect("url");
        self.jar
            .add_cookie_str(&format!("{name}={value}; Path=/"), &url);
    }
}

impl TestApp {
    /// A new browser with an empty jar and a pre-session CSRF token.
    pub async fn browser(&self) -> Browser {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .build()
            .expect("client");
        let mut browser = Browser {
            client,
            jar,
            base: format!("http://{}", self.addr),
            csrf: String::new(),
        };
        browser.refresh_csrf().await;
        browser
    }

    /// Creates an account directly through the service layer.
    pub async fn account(
        &self,
        username: &str,
        password: &str,
        role: domain::user::Role,
    ) -> store::users::UserRow {
        let account = service::users::NewAccount {
            username: domain::user::Username::parse(username).expect("username"),
            display_name: domain::user::DisplayName::parse(username).expect("display name"),
            email: Some(
                domain::user::Email::parse(&format!("{username}@example.org")).expect("email"),
            ),
            role,
            password: password.to_owned(),
        };
        service::users::create_account(
            &self.app,
            &service::audit::Actor::System,
            account,
            false,
            &Default::default(),
        )
        .await
        .unwrap_or_else(|e| panic!("create account {username}: {e:?}"))
    }

    /// A browser signed in as a new account `username` with `role`.
    pub async fn signed_in(&self, username: &str, role: domain::user::Role) -> Browser {
        self.account(username, PASSWORD, role).await;
        let mut browser = self.browser().await;
        let response = browser.login(username, PASSWORD).await;
        assert_eq!(
            response.status(),
            reqwest::StatusCode::OK,
            "sign-in of {username}"
        );
        browser
    }
}

/// The password test accounts get.
pub const PASSWORD: &str = "correct horse battery staple";

/// A test app with these configuration values added.
pub async fn spawn_env(engine: TestEngine, env: &[(&'static str, &str)]) -> Option<TestApp> {
    let env = env.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
    spawn_with(engine, Spawn { env, extra: None }).await
}

/// A test app in single-user mode, every request attached to the regular user `solo`.
pub async fn spawn_single_user(engine: TestEngine) -> Option<TestApp> {
    spawn_env(
        engine,
        &[
            ("SINGLE_USER_MODE", "true"),
            ("SINGLE_USER_USERNAME", "solo"),
        ],
    )
    .await
}
