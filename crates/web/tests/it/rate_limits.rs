//! RL-01…03 through requests: every limited route of product.md §7 that exists refuses the
//! request after its count with 429 and `Retry-After`, while another client address or the
//! next window is served; per-account limits stay with their account; the client address is
//! what a trusted proxy wrote, in whatever form it writes it, and a whole IPv6 /64 (or an
//! IPv4 address in its IPv6-mapped form) is one client.

use domain::user::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::app_tests;
use crate::support::{Browser, PASSWORD, TestApp, spawn_env};

/// Builds the `n`-th `X-Forwarded-For` value.
type Forwarded = fn(usize) -> String;

const WRONG: &str = "wrong horse battery staple";

async fn spawn_behind_proxy(engine: testkit::TestEngine) -> Option<TestApp> {
    spawn_env(engine, &[("TRUSTED_PROXIES", "127.0.0.1")]).await
}

/// Sends `method path` as `browser` (with its CSRF token) through the trusted proxy, which
/// wrote `forwarded` as `X-Forwarded-For`.
async fn via_proxy(
    browser: &Browser,
    forwarded: &str,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = browser
        .client
        .request(method, browser.url(path))
        .header("x-csrf-token", &browser.csrf)
        .header("x-forwarded-for", forwarded);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.expect("request")
}

/// A failed sign-in (a new unknown name each time, so no account delay interferes).
async fn failed_sign_in(browser: &Browser, forwarded: &str, attempt: usize) -> StatusCode {
    let body = json!({"username": format!("guess{attempt}"), "password": WRONG});
    via_proxy(
        browser,
        forwarded,
        Method::POST,
        "/api/auth/login",
        Some(body),
    )
    .await
    .status()
}

/// One limited route: who calls it, how, and its documented budget.
struct Limited<'a> {
    name: &'static str,
    /// Taking turns: routes that check a password also count wrong ones per account (5 free),
    /// so several accounts share one address to reach the address's limit.
    callers: Vec<&'a Browser>,
    method: Method,
    path: String,
    /// The body of the `n`-th request.
    body: fn(usize) -> Option<Value>,
    count: usize,
    window_minutes: i64,
}

/// `count` requests from one address pass the limit; the next is 429 with a `Retry-After`
/// within the window; another address is served; after the window the first one is again.
async fn assert_limited(app: &TestApp, limit: &Limited<'_>, address: &str, other: &str) {
    let send = |from: String, n: usize| async move {
        via_proxy(
            limit.callers[n % limit.callers.len()],
            &from,
            limit.method.clone(),
            &limit.path,
            (limit.body)(n),
        )
        .await
    };
    let name = limit.name;
    for n in 0..limit.count {
        let response = send(address.to_owned(), n).await;
        let status = response.status();
        assert_ne!(
            status,
            StatusCode::TOO_MANY_REQUESTS,
            "{name}: request {} of {}",
            n + 1,
            limit.count
        );
        assert!(
            !status.is_server_error(),
            "{name}: {status} {}",
            response.text().await.unwrap_or_default()
        );
    }
    let over = send(address.to_owned(), limit.count).await;
    assert_eq!(
        over.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "{name}: request {} is over the limit",
        limit.count + 1
    );
    let wait: i64 = over
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{name}: Retry-After seconds"));
    assert!(
        (1..=limit.window_minutes * 60).contains(&wait),
        "{name}: Retry-After {wait}"
    );
    assert_ne!(
        send(other.to_owned(), limit.count + 1).await.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "{name}: another address has its own budget"
    );
    app.clock
        .advance(chrono::Duration::minutes(limit.window_minutes));
    assert_ne!(
        send(address.to_owned(), limit.count + 2).await.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "{name}: a new window"
    );
}

app_tests! {
    @with spawn_behind_proxy;

    async fn rl_02_every_limited_route_refuses_the_request_after_its_count(app) {
        let root = app.signed_in("root", Role::Admin).await;
        let alice = app.signed_in("alice", Role::User).await;
        let anonymous = app.browser().await;
        let target = app.account("tom", PASSWORD, Role::User).await;
        let mut changers = Vec::new();
        let mut steppers = Vec::new();
        for i in 0..3 {
            changers.push(app.signed_in(&format!("changer{i}"), Role::User).await);
            steppers.push(app.signed_in(&format!("stepper{i}"), Role::User).await);
        }
        let limits = [
            Limited { name: "sign-in 10/15", callers: vec![&anonymous], method: Method::POST, path: "/api/auth/login".into(),
                body: |n| Some(json!({"username": format!("guess{n}"), "password": WRONG})), count: 10, window_minutes: 15 },
            Limited { name: "password change 5/15", callers: changers.iter().collect(), method: Method::POST, path: "/api/auth/password".into(),
                body: |_| Some(json!({"current_password": WRONG, "new_password": "a brand new passphrase for spring"})), count: 5, window_minutes: 15 },
            Limited { name: "admin 30/15", callers: vec![&root], method: Method::DELETE, path: format!("/api/admin/users/{}/sessions", target.id),
                body: |_| None, count: 30, window_minutes: 15 },
            Limited { name: "OIDC 20/15", callers: vec![&anonymous], method: Method::GET, path: "/api/auth/oidc/login".into(),
                body: |_| None, count: 20, window_minutes: 15 },
            Limited { name: "demo clear 3/15", callers: vec![&alice], method: Method::POST, path: "/api/demo/clear".into(),
                body: |_| Some(json!({})), count: 3, window_minutes: 15 },
            Limited { name: "re-authentication 10/15", callers: steppers.iter().collect(), method: Method::POST, path: "/api/auth/reauth".into(),
                body: |_| Some(json!({"password": WRONG})), count: 10, window_minutes: 15 },
        ];
        for (i, limit) in limits.iter().enumerate() {
            assert_limited(&app, limit, &format!("192.0.2.{}", 10 + 2 * i), &format!("192.0.2.{}", 11 + 2 * i)).await;
        }
    }

    async fn rl_02_an_accounts_failure_delay_does_not_reach_other_accounts(app) {
        app.account("alice", PASSWORD, Role::User).await;
        app.account("bob", PASSWORD, Role::User).await;
        let attacker = app.browser().await;
        for i in 0..5 {
            let body = json!({"username": "alice", "password": WRONG});
            let response = via_proxy(&attacker, &format!("198.51.100.{i}"), Method::POST, "/api/auth/login", Some(body)).await;
            assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "attempt {}", i + 1);
        }
        let alice = app.browser().await;
        let refused = via_proxy(&alice, "198.51.100.9", Method::POST, "/api/auth/login", Some(json!({"username": "alice", "password": PASSWORD}))).await;
        assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS, "alice's account waits");
        let bob = via_proxy(&app.browser().await, "198.51.100.9", Method::POST, "/api/auth/login", Some(json!({"username": "bob", "password": PASSWORD}))).await;
        assert_eq!(bob.status(), StatusCode::OK, "bob's account, from the same address, is not delayed");
        app.clock.advance(chrono::Duration::minutes(1));
        let later = via_proxy(&alice, "198.51.100.9", Method::POST, "/api/auth/login", Some(json!({"username": "alice", "password": PASSWORD}))).await;
        assert_eq!(later.status(), StatusCode::OK, "the delay ends");
    }

    async fn rl_03_a_proxy_writing_ip_and_port_cannot_be_bypassed_with_a_forged_entry(app) {
        let attacker = app.browser().await;
        // The client forges a new leftmost entry each time; the proxy appends what it saw, in
        // its own form (`ip:port`, `[v6]:port`); the third proxy writes something we cannot
        // parse, so nothing left of it is believed and the peer is the client.
        let forms: [(&str, Forwarded); 3] = [
            ("ip:port", |i| format!("10.{i}.0.1, 203.0.113.5:{}", 40_000 + i)),
            ("[v6]:port", |i| format!("10.{i}.0.2, [2001:db8:9::5]:{}", 40_000 + i)),
            ("garbage", |i| format!("10.{i}.0.3, client-{i}")),
        ];
        for (form, forwarded) in forms {
            for i in 0..10 {
                assert_eq!(failed_sign_in(&attacker, &forwarded(i), i).await, StatusCode::UNAUTHORIZED, "{form}: attempt {}", i + 1);
            }
            for i in 10..12 {
                assert_eq!(failed_sign_in(&attacker, &forwarded(i), i).await, StatusCode::TOO_MANY_REQUESTS, "{form}: attempt {}", i + 1);
            }
        }
    }

    async fn rl_01_one_ipv6_64_shares_one_sign_in_limit(app) {
        let attacker = app.browser().await;
        for i in 0..10 {
            let address = format!("2001:db8:7:7:{:x}::1", i + 1);
            assert_eq!(failed_sign_in(&attacker, &address, i).await, StatusCode::UNAUTHORIZED, "attempt {}", i + 1);
        }
        assert_eq!(failed_sign_in(&attacker, "[2001:db8:7:7:ffff:ffff:ffff:ffff]:443", 10).await, StatusCode::TOO_MANY_REQUESTS,
            "another address of the same /64 is the same client");
        assert_eq!(failed_sign_in(&attacker, "2001:db8:7:8::1", 11).await, StatusCode::UNAUTHORIZED, "the next /64 is another client");
    }

    async fn rl_01_an_ipv4_mapped_address_shares_the_limit_of_its_ipv4(app) {
        let attacker = app.browser().await;
        for i in 0..10 {
            let address = if i % 2 == 0 { "::ffff:198.51.100.20" } else { "198.51.100.20" };
            assert_eq!(failed_sign_in(&attacker, address, i).await, StatusCode::UNAUTHORIZED, "attempt {}", i + 1);
        }
        assert_eq!(failed_sign_in(&attacker, "::ffff:198.51.100.20", 10).await, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(failed_sign_in(&attacker, "198.51.100.20", 11).await, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(failed_sign_in(&attacker, "::ffff:198.51.100.21", 12).await, StatusCode::UNAUTHORIZED);
    }
}
