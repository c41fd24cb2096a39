//! HDR-01, 02, 04, 05, 06: security headers on every kind of response, the nonce CSP, content
//! types, CORS, and files that must never be served.

use domain::user::Role;
use reqwest::{Method, StatusCode};
use testkit::TestEngine;

use crate::app_tests;
use crate::support::{Spawn, TestApp, spawn_with};

fn header(response: &reqwest::Response, name: &str) -> String {
    response
        .headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

fn assert_baseline(response: &reqwest::Response, what: &str) {
    assert_eq!(
        header(response, "x-content-type-options"),
        "nosniff",
        "{what}"
    );
    assert_eq!(header(response, "x-frame-options"), "SAMEORIGIN", "{what}");
    assert_eq!(
        header(response, "referrer-policy"),
        "strict-origin-when-cross-origin",
        "{what}"
    );
    assert_eq!(
        header(response, "x-permitted-cross-domain-policies"),
        "none",
        "{what}"
    );
    assert!(
        header(response, "content-security-policy").contains("frame-ancestors 'self'"),
        "{what}"
    );
    assert!(
        header(response, "strict-transport-security").is_empty(),
        "no HSTS over plain HTTP: {what}"
    );
    assert!(response.headers().get("server").is_none(), "{what}");
}

fn nonce_of(csp: &str) -> String {
    csp.split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap_or("")
        .to_owned()
}

async fn spawn_cors(engine: TestEngine) -> Option<TestApp> {
    spawn_with(
        engine,
        Spawn {
            env: vec![("CORS_ORIGIN", "https://app.example.org".into())],
            ..Default::default()
        },
    )
    .await
}

app_tests! {
    async fn hdr_01_baseline_headers_on_pages_json_static_and_errors(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let cases = [
            ("page", browser.get("/login").await),
            ("signed-in page", browser.get("/profile/security").await),
            ("json", browser.get("/api/auth/me").await),
            ("static", browser.get("/static/app.css").await),
            ("404", browser.get("/nothing/here").await),
            ("405", browser.client.request(Method::PUT, browser.url("/healthz")).send().await.expect("put")),
            ("413", browser.client.post(browser.url("/api/auth/login")).header("x-csrf-token", &browser.csrf).body(vec![b'x'; 2 << 20]).send().await.expect("post")),
            ("403", browser.client.post(browser.url("/api/auth/logout")).send().await.expect("post")),
        ];
        for (what, response) in &cases {
            assert_baseline(response, what);
        }
        assert_eq!(cases[6].1.status(), StatusCode::PAYLOAD_TOO_LARGE);
    }

    async fn hdr_02_every_response_gets_a_fresh_nonce_and_a_strict_policy(app) {
        let first = app.get("/login").await;
        let second = app.get("/login").await;
        let csp = header(&first, "content-security-policy");
        let (a, b) = (nonce_of(&csp), nonce_of(&header(&second, "content-security-policy")));
        assert!(a.len() >= 22, "≥128 bits of nonce: {a}");
        assert_ne!(a, b);
        assert!(!csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"), "{csp}");
        for directive in ["object-src 'none'", "base-uri 'none'", "script-src 'self' 'nonce-"] {
            assert!(csp.contains(directive), "{directive} in {csp}");
        }
        let html = first.text().await.expect("html");
        let scripts = html.matches("<script").count();
        assert!(scripts >= 1, "the page loads its script");
        assert_eq!(html.matches(&format!("nonce=\"{a}\"")).count(), html.matches("<script").count() + html.matches("rel=\"stylesheet\"").count(), "every script and stylesheet carries this response's nonce");
        assert!(!html.contains(" style=\""), "no inline styles");
    }

    async fn hdr_04_bodies_name_their_charset_and_unknown_methods_are_405(app) {
        for path in ["/login", "/api/auth/mode", "/static/app.css", "/static/app.js", "/nothing"] {
            let response = app.get(path).await;
            assert!(header(&response, "content-type").contains("charset=utf-8"), "{path}: {}", header(&response, "content-type"));
        }
        for method in ["TRACE", "PROPFIND", "CONNECTX"] {
            let response = app.client.request(Method::from_bytes(method.as_bytes()).expect("method"), app.url("/api/auth/mode")).send().await.expect("send");
            assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED, "{method}");
        }
        assert_eq!(app.get("/metrics").await.status(), StatusCode::NOT_FOUND, "metrics are off unless configured");
    }

    async fn hdr_05_cors_stays_closed_without_configuration(app) {
        let response = app.client.get(app.url("/api/auth/mode")).header("origin", "https://app.example.org").send().await.expect("get");
        assert!(response.headers().get("access-control-allow-origin").is_none());
    }

    async fn hdr_06_the_database_keys_and_backups_are_never_served(app) {
        let probes = [
            "/billtracker.db", "/data/billtracker.db", "/billtracker.db-wal", "/master.key", "/data/master.key",
            "/backups/latest.age", "/.env", "/.git/HEAD", "/static/../master.key", "/static/..%2fmaster.key",
            "/static/%2e%2e/%2e%2e/master.key", "/static/%2e%2e%2fbilltracker.db", "/static/billtracker.db",
            "/static//etc/passwd", "/static/app.css/../../master.key",
        ];
        for probe in probes {
            let response = app.get(probe).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{probe}");
            let body = response.bytes().await.expect("body");
            assert!(!body.starts_with(b"SQLite format") && !body.windows(3).any(|w| w == b"v1:"), "{probe} leaked file contents");
        }
        assert!(app.db.dir.path().join("master.key").exists(), "the key file exists, it is just not reachable");
    }
}

app_tests! {
    @with spawn_cors;

    async fn hdr_05_only_the_configured_origin_is_allowed_with_credentials(app) {
        let allowed = app.client.get(app.url("/api/auth/mode")).header("origin", "https://app.example.org").send().await.expect("get");
        assert_eq!(header(&allowed, "access-control-allow-origin"), "https://app.example.org");
        assert_eq!(header(&allowed, "access-control-allow-credentials"), "true");
        let evil = app.client.get(app.url("/api/auth/mode")).header("origin", "https://evil.test").send().await.expect("get");
        assert!(evil.headers().get("access-control-allow-origin").is_none());
        let preflight = app.client.request(Method::OPTIONS, app.url("/api/auth/login")).header("origin", "https://app.example.org").header("access-control-request-method", "POST").send().await.expect("options");
        assert_eq!(preflight.status(), StatusCode::NO_CONTENT);
        assert!(header(&preflight, "access-control-allow-headers").contains("x-csrf-token"));
        let evil_preflight = app.client.request(Method::OPTIONS, app.url("/api/auth/login")).header("origin", "https://evil.test").header("access-control-request-method", "POST").send().await.expect("options");
        assert!(evil_preflight.headers().get("access-control-allow-origin").is_none());
        assert_ne!(header(&allowed, "access-control-allow-origin"), "*");
    }
}
