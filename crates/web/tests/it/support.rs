//! A running test server: the real router and pipeline on `127.0.0.1:0`, a fresh database,
//! a manual clock, and a cookie-keeping client. Ready as soon as the listener is bound.

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
    _db: TestDatabase,
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
    let app = App::with(store, config, Arc::new(clock.clone()), Arc::new(OsRandom));
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
        _db: db,
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
