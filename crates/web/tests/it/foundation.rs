//! The server skeleton: health, readiness, error bodies, limits, panics, metrics, shutdown.

use std::time::Duration;

use axum::routing::{get, post};
use reqwest::StatusCode;
use serde_json::Value;
use testkit::TestEngine;

use crate::app_tests;
use crate::support::{Spawn, TestApp, spawn_with};

fn assert_baseline_headers(response: &reqwest::Response) {
    let h = response.headers();
    let get = |name: &str| {
        h.get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned()
    };
    assert_eq!(get("x-content-type-options"), "nosniff");
    assert_eq!(get("x-frame-options"), "SAMEORIGIN");
    assert_eq!(get("referrer-policy"), "strict-origin-when-cross-origin");
    assert_eq!(get("x-permitted-cross-domain-policies"), "none");
    assert!(get("content-security-policy").contains("frame-ancestors 'self'"));
    assert!(
        get("content-type").contains("charset=utf-8"),
        "charset on {}",
        get("content-type")
    );
    assert!(h.get("server").is_none() && h.get("x-powered-by").is_none());
}

async fn problem(response: reqwest::Response) -> Value {
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("application/problem+json; charset=utf-8")
    );
    response.json().await.expect("problem body")
}

async fn spawn_with_test_routes(engine: TestEngine) -> Option<TestApp> {
    let extra = axum::Router::new()
        .route(
            "/test/panic",
            get(|| async {
                #[allow(clippy::panic)]
                if true {
                    panic!("secret detail /etc/passwd in a panic")
                }
                "unreachable"
            }),
        )
        .route(
            "/test/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_millis(400)).await;
                "finished"
            }),
        )
        .route(
            "/test/echo",
            post(|body: String| async move { body.len().to_string() }),
        );
    spawn_with(
        engine,
        Spawn {
            env: vec![
                ("REQUEST_BODY_LIMIT_BYTES", "2048".into()),
                ("METRICS", "token".into()),
                ("METRICS_TOKEN", "metrics-token-0123456789".into()),
            ],
            extra: Some(extra),
        },
    )
    .await
}

app_tests! {
    async fn healthz_and_readyz_answer_200_when_the_database_is_up(app) {
        let health = app.get("/healthz").await;
        assert_eq!(health.status(), StatusCode::OK);
        assert_baseline_headers(&health);
        let ready = app.get("/readyz").await;
        assert_eq!(ready.status(), StatusCode::OK);
        let body: Value = ready.json().await.expect("json");
        assert_eq!(body["database"], "ok");
    }

    async fn readyz_says_503_when_the_database_is_gone(app) {
        app.app.store.close().await;
        let ready = app.get("/readyz").await;
        assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert!(ready.headers().contains_key("retry-after"));
        assert_eq!(app.get("/healthz").await.status(), StatusCode::OK, "the process is still alive");
    }

    async fn unknown_routes_and_methods_get_problem_json_with_the_request_id(app) {
        let missing = app.get("/no/such/page").await;
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        assert_baseline_headers(&missing);
        let id = missing.headers().get("x-request-id").and_then(|v| v.to_str().ok()).map(str::to_owned);
        let body = problem(missing).await;
        assert_eq!(body["status"], 404);
        assert_eq!(body["request_id"].as_str(), id.as_deref());

        let trace = app.client.request(reqwest::Method::TRACE, app.url("/healthz")).send().await.expect("trace");
        assert_eq!(trace.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_baseline_headers(&trace);
        assert!(trace.headers().contains_key("allow"));
        assert_eq!(problem(trace).await["status"], 405);
    }

    async fn a_mistyped_address_in_a_browser_gets_the_styled_404_page(app) {
        app.account("alice", crate::support::PASSWORD, domain::user::Role::User).await;
        let mut browser = app.browser().await;
        let anonymous = browser.client.get(browser.url("/security")).header("accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8").send().await.expect("get");
        assert_eq!(anonymous.status(), StatusCode::NOT_FOUND);
        assert!(anonymous.headers()["content-type"].to_str().expect("type").starts_with("text/html"));
        assert_eq!(browser.login("alice", crate::support::PASSWORD).await.status(), StatusCode::OK);
        for path in ["/security", "/bills/x/y/z"] {
            let page = browser.client.get(browser.url(path)).header("accept", "text/html").send().await.expect("get");
            assert_eq!(page.status(), StatusCode::NOT_FOUND, "{path}");
            assert_baseline_headers(&page);
            assert!(page.headers()["content-type"].to_str().expect("type").starts_with("text/html"), "{path}");
            let html = page.text().await.expect("html");
            assert!(html.contains("There is no page at this address") && html.contains("<nav"), "{path}: {html}");
        }
        // The API and static files stay problem details, whatever the client accepts.
        for path in ["/api/nope", "/static/nope.js"] {
            let answer = browser.client.get(browser.url(path)).header("accept", "text/html").send().await.expect("get");
            assert_eq!(answer.status(), StatusCode::NOT_FOUND);
            assert_eq!(problem(answer).await["status"], 404, "{path}");
        }
    }

    async fn request_ids_differ_per_request(app) {
        let a = app.get("/healthz").await;
        let b = app.get("/healthz").await;
        let id = |r: &reqwest::Response| r.headers().get("x-request-id").cloned();
        assert!(id(&a).is_some());
        assert_ne!(id(&a), id(&b));
    }
}

app_tests! {
    @with spawn_with_test_routes;

    async fn log_03_a_panicking_handler_gives_a_generic_500_and_the_server_keeps_serving(app) {
        let response = app.get("/test/panic").await;
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_baseline_headers(&response);
        let text = response.text().await.expect("body");
        assert!(!text.contains("passwd") && !text.contains("secret") && !text.contains("panic"), "{text}");
        let body: Value = serde_json::from_str(&text).expect("json");
        assert_eq!(body["status"], 500);
        assert!(body["request_id"].as_str().is_some_and(|id| id.len() >= 16));
        assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    }

    async fn a_body_over_the_limit_is_refused_with_413(app) {
        let browser = app.browser().await;
        let echo = |body: String| browser.client.post(browser.url("/test/echo")).header("x-csrf-token", &browser.csrf).body(body).send();
        let ok = echo("x".repeat(100)).await.expect("post");
        assert_eq!(ok.text().await.expect("body"), "100");
        let big = echo("x".repeat(10_000)).await.expect("post");
        assert_eq!(big.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_baseline_headers(&big);
        // A browser route answers with the error page; the API with problem details.
        assert!(big.text().await.expect("body").contains("That was too large to send."));
        let api = browser.client.post(browser.url("/api/auth/login")).header("x-csrf-token", &browser.csrf).header("content-type", "application/json").body("x".repeat(10_000)).send().await.expect("post");
        assert_eq!(api.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(problem(api).await["status"], 413);
    }

    async fn metrics_need_the_token_and_count_requests_by_route(app) {
        app.get("/healthz").await;
        assert_eq!(app.get("/metrics").await.status(), StatusCode::UNAUTHORIZED);
        let wrong = app.client.get(app.url("/metrics")).bearer_auth("metrics-token-wrong-value").send().await.expect("get");
        assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
        let metrics = app.client.get(app.url("/metrics")).bearer_auth("metrics-token-0123456789").send().await.expect("get");
        assert_eq!(metrics.status(), StatusCode::OK);
        let text = metrics.text().await.expect("text");
        assert!(text.contains("http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"), "{text}");
        assert!(text.contains("http_request_duration_seconds_bucket"));
    }

    async fn rel_10_shutdown_lets_in_flight_requests_finish(app) {
        let slow = tokio::spawn({
            let client = app.client.clone();
            let url = app.url("/test/slow");
            async move { client.get(url).send().await }
        });
        // The slow request is in flight once the server counts it.
        while app.app.store.ping().await.is_ok() {
            let metrics = app.client.get(app.url("/metrics")).bearer_auth("metrics-token-0123456789").send().await.expect("get");
            if metrics.text().await.expect("text").contains("http_requests_in_flight 2") { break; }
            tokio::task::yield_now().await;
        }
        app.shutdown().await.expect("clean shutdown");
        let response = slow.await.expect("join").expect("the in-flight request was answered");
        assert_eq!(response.text().await.expect("body"), "finished");
        assert!(app.client.get(app.url("/healthz")).send().await.is_err(), "new connections are refused");
    }
}

#[tokio::test]
async fn metrics_are_off_by_default() {
    let Some(app) = crate::support::spawn(TestEngine::Sqlite).await else {
        return;
    };
    assert_eq!(app.get("/metrics").await.status(), StatusCode::NOT_FOUND);
}
