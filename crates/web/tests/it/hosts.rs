//! CSRF-01 against DNS rebinding: a request addressed to a host this instance does not serve
//! is refused before it reaches a session, a page or the data (also in single-user mode, where
//! no sign-in stands in the way), and an `Origin` is never believed because it matches the
//! request's own `Host`.

use domain::user::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::app_tests;
use crate::support::{Browser, TestApp, spawn_env, spawn_single_user};

/// A name an attacker's page made resolve to this server.
const REBIND: &str = "rebind.example";

/// Sends `method path` as `browser` (with its CSRF token), addressed to `host` and sent from
/// `origin` when given.
async fn send(
    browser: &Browser,
    method: Method,
    path: &str,
    host: Option<&str>,
    origin: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, String) {
    let mut request = browser
        .client
        .request(method, browser.url(path))
        .header("x-csrf-token", &browser.csrf);
    if let Some(host) = host {
        request = request.header("host", host);
    }
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.expect("request");
    let status = response.status();
    (status, response.text().await.expect("body"))
}

/// A harmless write: a new category (unique name) needing nothing but the CSRF checks.
fn category() -> Value {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    json!({"name": format!("Origin check {}", N.fetch_add(1, Ordering::Relaxed))})
}

async fn bill_names(browser: &Browser) -> Vec<String> {
    let (status, text) = send(browser, Method::GET, "/api/bills", None, None, None).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let bills: Value = serde_json::from_str(&text).expect("json");
    let items = bills.get("items").unwrap_or(&bills);
    items
        .as_array()
        .expect("a list of bills")
        .iter()
        .map(|b| b["name"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The rebinding page reads a page and the JSON API, and writes; each gets 421 and nothing.
async fn assert_rebinding_gets_nothing(app: &TestApp, browser: &Browser) {
    let host = format!("{REBIND}:{}", app.addr.port());
    let origin = format!("http://{host}");
    for path in ["/", "/api/auth/me", "/api/bills", "/api/auth/csrf-token"] {
        let (status, text) = send(browser, Method::GET, path, Some(&host), None, None).await;
        assert_eq!(
            status,
            StatusCode::MISDIRECTED_REQUEST,
            "GET {path} for {host}: {text}"
        );
        assert!(
            !text.contains("csrf_token\":\"") && !text.contains("username"),
            "GET {path} leaked: {text}"
        );
    }
    let bill = json!({"name": "Rebound", "expected_amount": "10"});
    for origin in [None, Some(origin.as_str())] {
        let (status, text) = send(
            browser,
            Method::POST,
            "/api/bills",
            Some(&host),
            origin,
            Some(bill.clone()),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::MISDIRECTED_REQUEST,
            "POST for {host} from {origin:?}: {text}"
        );
    }
    assert!(
        !bill_names(browser).await.contains(&"Rebound".to_owned()),
        "the forged write did nothing"
    );
    let (status, _) = send(browser, Method::GET, "/healthz", Some(&host), None, None).await;
    assert_eq!(status, StatusCode::OK, "health checks answer to any host");
    let (status, _) = send(
        browser,
        Method::GET,
        "/readyz",
        Some("10.1.2.3:3030"),
        None,
        None,
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "readiness checks answer to any host"
    );

    // The same requests addressed to this instance work.
    let own = format!("http://127.0.0.1:{}", app.addr.port());
    let (status, text) = send(browser, Method::GET, "/", None, None, None).await;
    assert!(
        status.is_success() || status.is_redirection(),
        "GET / for the real host: {status} {text}"
    );
    let (status, text) = send(
        browser,
        Method::POST,
        "/api/bills",
        None,
        Some(&own),
        Some(json!({"name": "Real", "expected_amount": "10"})),
    )
    .await;
    assert!(
        status.is_success(),
        "POST for the real host: {status} {text}"
    );
    assert!(bill_names(browser).await.contains(&"Real".to_owned()));
}

app_tests! {
    async fn csrf_01_a_dns_rebinding_host_gets_no_page_no_data_and_no_write(app) {
        let alice = app.signed_in("alice", Role::User).await;
        assert_rebinding_gets_nothing(&app, &alice).await;
    }

    async fn csrf_01_an_origin_is_never_believed_because_it_matches_the_host(app) {
        let alice = app.signed_in("alice", Role::User).await;
        let port = app.addr.port();
        // The rebinding page's own origin, with the Host it sends.
        let host = format!("{REBIND}:{port}");
        let origin = format!("http://{host}");
        let (status, text) = send(&alice, Method::POST, "/api/categories", Some(&host), Some(&origin), Some(category())).await;
        assert!(status == StatusCode::MISDIRECTED_REQUEST || status == StatusCode::FORBIDDEN, "{status} {text}");
        // Addressed to us but sent from the rebinding origin.
        let (status, text) = send(&alice, Method::POST, "/api/categories", None, Some(&origin), Some(category())).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{text}");
        // Origins of this local instance work: its loopback names at the port it is reached on.
        for origin in [format!("http://127.0.0.1:{port}"), format!("http://localhost:{port}")] {
            let (status, text) = send(&alice, Method::POST, "/api/categories", None, Some(&origin), Some(category())).await;
            assert!(status.is_success(), "{origin}: {status} {text}");
        }
        let (status, text) = send(&alice, Method::POST, "/api/categories", None, Some(&format!("https://127.0.0.1:{port}")), Some(category())).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "another scheme is another origin: {text}");
    }
}

app_tests! {
    @with spawn_single_user;

    async fn csrf_01_in_single_user_mode_a_rebinding_host_gets_nothing_either(app) {
        let solo = app.browser().await;
        assert_rebinding_gets_nothing(&app, &solo).await;
    }
}

async fn spawn_public(engine: testkit::TestEngine) -> Option<TestApp> {
    spawn_env(
        engine,
        &[
            ("PUBLIC_URL", "https://bills.example.test"),
            ("ALLOWED_HOSTS", "bills.lan"),
        ],
    )
    .await
}

app_tests! {
    @with spawn_public;

    async fn csrf_01_the_public_url_and_allowed_hosts_are_served_and_their_origins_accepted(app) {
        let alice = app.signed_in("alice", Role::User).await;
        let port = app.addr.port();
        for host in ["bills.example.test".to_owned(), format!("bills.lan:{port}"), format!("127.0.0.1:{port}")] {
            let (status, text) = send(&alice, Method::GET, "/api/auth/me", Some(&host), None, None).await;
            assert_eq!(status, StatusCode::OK, "{host}: {text}");
        }
        for host in [format!("{REBIND}:{port}"), "bills.example.test.rebind.example".to_owned(), "bills.lan.".to_owned()] {
            let (status, text) = send(&alice, Method::GET, "/api/auth/me", Some(&host), None, None).await;
            assert_eq!(status, StatusCode::MISDIRECTED_REQUEST, "{host}: {text}");
        }
        for origin in ["https://bills.example.test".to_owned(), format!("http://bills.lan:{port}")] {
            let (status, text) = send(&alice, Method::POST, "/api/categories", None, Some(&origin), Some(category())).await;
            assert!(status.is_success(), "{origin}: {status} {text}");
        }
        for origin in ["http://bills.example.test".to_owned(), format!("http://{REBIND}:{port}")] {
            let (status, text) = send(&alice, Method::POST, "/api/categories", None, Some(&origin), Some(category())).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{origin}: {text}");
        }
    }
}
