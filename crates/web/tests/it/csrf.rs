//! CSRF-01…06: every unsafe route needs the signed token and a same-origin request; tokens are
//! bound to the session; JSON routes refuse "simple" content types; safe methods change
//! nothing; sign-in never redirects off-site.

use domain::user::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::app_tests;
use crate::every_route::{get_paths, seed};
use crate::support::PASSWORD;

fn unsafe_routes() -> Vec<(Method, String)> {
    web::router::route_specs()
        .into_iter()
        .filter(|r| r.method != "GET")
        .map(|r| {
            (
                r.method.parse().expect("method"),
                r.path
                    .replace("{id}", "0190a5b2-0000-7000-8000-000000000000"),
            )
        })
        .collect()
}

/// Routes whose valid request would end the caller's own session (tested last, on their own).
fn ends_the_callers_session(path: &str) -> bool {
    path.contains("logout") || path.contains("end-all")
}

/// A 403 from the CSRF layer, saying which check refused it: problem+json with `code` on the
/// API, the HTML error page with the check's words on a browser route.
async fn assert_refused(response: reqwest::Response, code: &str, what: &str) {
    assert_eq!(response.status(), StatusCode::FORBIDDEN, "{what}");
    if response.url().path().starts_with("/api/") {
        let body: Value = response.json().await.unwrap_or(Value::Null);
        assert_eq!(body["code"], code, "{what}: {body}");
        return;
    }
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let html = response.text().await.unwrap_or_default();
    let words = if code == "csrf" {
        "Missing or invalid CSRF token"
    } else {
        "This request came from another site."
    };
    assert!(
        kind.starts_with("text/html") && html.contains(words) && html.contains("403"),
        "{what}: {kind} {html}"
    );
}

app_tests! {
    async fn csrf_01_every_unsafe_route_refuses_a_missing_token_or_a_foreign_site(app) {
        let admin = app.signed_in("root", Role::Admin).await;
        let routes = unsafe_routes();
        assert!(routes.len() >= 15, "the router has its unsafe routes");
        let port = app.addr.port();
        let own = format!("http://127.0.0.1:{port}");
        let rebinding_host = format!("rebind.example:{port}");
        let rebinding_origin = format!("http://{rebinding_host}");
        let request = |method: &Method, path: &str| admin.client.request(method.clone(), admin.url(path)).json(&json!({}));
        for (method, path) in &routes {
            let bare = request(method, path).send().await.expect("send");
            assert_refused(bare, "csrf", &format!("{method} {path} without a token")).await;
            let wrong = request(method, path).header("x-csrf-token", "forged.value").send().await.expect("send");
            assert_refused(wrong, "csrf", &format!("{method} {path} with a forged token")).await;
            let cross = request(method, path).header("x-csrf-token", &admin.csrf).header("sec-fetch-site", "cross-site").send().await.expect("send");
            assert_refused(cross, "cross_site", &format!("{method} {path} from another site")).await;
            for origin in ["https://evil.test", rebinding_origin.as_str(), "null"] {
                let foreign = request(method, path).header("x-csrf-token", &admin.csrf).header("origin", origin).send().await.expect("send");
                assert_refused(foreign, "cross_site", &format!("{method} {path} with Origin {origin}")).await;
            }
            // A DNS-rebinding page: its Origin equals the Host it sends.
            let rebound = request(method, path).header("x-csrf-token", &admin.csrf).header("host", &rebinding_host).header("origin", &rebinding_origin).send().await.expect("send");
            assert_eq!(rebound.status(), StatusCode::MISDIRECTED_REQUEST, "{method} {path} from a rebinding page");
            // The same request sent properly passes both checks and reaches the route (which
            // may still refuse the empty body or the made-up id).
            if ends_the_callers_session(path) {
                continue;
            }
            let valid = request(method, path).header("x-csrf-token", &admin.csrf).header("origin", &own).header("sec-fetch-site", "same-origin").send().await.expect("send");
            let status = valid.status();
            let body = valid.text().await.unwrap_or_default();
            let refused = ["\"code\":\"csrf\"", "\"code\":\"cross_site\"", "Missing or invalid CSRF token", "came from another site"].iter().any(|w| body.contains(w));
            assert!(status != StatusCode::MISDIRECTED_REQUEST && !refused,
                "{method} {path} with a valid token from this site: {status} {body}");
        }
        assert_eq!(admin.get("/api/auth/me").await.status(), StatusCode::OK, "none of that signed the admin out");

        // Valid requests from this site succeed, as JSON with the header and as forms with the
        // field (the admin limit of 30 per 15 minutes was spent above).
        app.clock.advance(chrono::Duration::minutes(16));
        let send_json = |method: Method, path: &str, body: Value| admin.client.request(method, admin.url(path))
            .header("x-csrf-token", &admin.csrf).header("origin", &own).header("sec-fetch-site", "same-origin").json(&body).send();
        let created = send_json(Method::POST, "/api/admin/users", json!({"username": "carol", "password": PASSWORD})).await.expect("send");
        assert_eq!(created.status(), StatusCode::CREATED);
        let carol: Value = created.json().await.expect("json");
        let carol = carol["id"].as_str().expect("id").to_owned();
        for (method, path, body) in [
            (Method::PATCH, format!("/api/admin/users/{carol}"), json!({"display_name": "Carol"})),
            (Method::DELETE, format!("/api/admin/users/{carol}/sessions"), json!({})),
            (Method::POST, "/api/bills".to_owned(), json!({"name": "Rent", "expected_amount": "10"})),
            (Method::POST, "/api/categories".to_owned(), json!({"name": "Food", "color": "#1A2B3C", "icon": "home", "is_spending": true})),
            (Method::POST, "/api/auth/reauth".to_owned(), json!({"password": PASSWORD})),
            (Method::POST, "/api/profile/sessions/end-others".to_owned(), json!({})),
            (Method::POST, "/api/demo/load".to_owned(), json!({})),
        ] {
            let response = send_json(method.clone(), &path, body).await.expect("send");
            assert!(response.status().is_success(), "{method} {path}: {} {}", response.status(), response.text().await.unwrap_or_default());
        }
        let send_form = |path: &str, form: &[(&str, &str)]| {
            let mut fields: Vec<(&str, &str)> = form.to_vec();
            fields.push(("csrf_token", admin.csrf.as_str()));
            admin.client.post(admin.url(path)).header("origin", &own).form(&fields).send()
        };
        for (path, form) in [
            ("/profile/name", vec![("display_name", "Root")]),
            ("/categories", vec![("name", "Travel"), ("color", "#112233"), ("icon", "home")]),
        ] {
            let response = send_form(path, &form).await.expect("send");
            assert!(response.status().is_success() || response.status().is_redirection(), "POST {path}: {}", response.status());
        }
        let bills: Value = admin.get("/api/bills").await.json().await.expect("json");
        assert!(bills.to_string().contains("Rent"), "the valid requests took effect");
        let categories: Value = admin.get("/api/categories").await.json().await.expect("json");
        assert!(categories.to_string().contains("Travel"), "the form took effect: {categories}");
        let me: Value = admin.get("/api/auth/me").await.json().await.expect("json");
        assert_eq!(me["display_name"], "Root");
        let out = send_json(Method::POST, "/api/auth/logout", json!({})).await.expect("send");
        assert!(out.status().is_success(), "sign-out: {}", out.status());
        assert_eq!(admin.get("/api/auth/me").await.status(), StatusCode::UNAUTHORIZED);
    }

    async fn csrf_01_sign_in_itself_needs_the_pre_session_token(app) {
        app.account("alice", PASSWORD, Role::User).await;
        let browser = app.browser().await;
        let body = json!({"username": "alice", "password": PASSWORD});
        let bare = browser.client.post(browser.url("/api/auth/login")).json(&body).send().await.expect("post");
        assert_eq!(bare.status(), StatusCode::FORBIDDEN);
        let same_origin = browser.client.post(browser.url("/api/auth/login")).header("x-csrf-token", &browser.csrf)
            .header("origin", browser.base.clone()).header("sec-fetch-site", "same-origin").json(&body).send().await.expect("post");
        assert_eq!(same_origin.status(), StatusCode::OK);
    }

    async fn csrf_02_a_token_from_one_session_is_refused_in_another(app) {
        let alice = app.signed_in("alice", Role::User).await;
        let bob = app.signed_in("bob", Role::User).await;
        let with_alices_header = bob.client.post(bob.url("/api/profile/sessions/end-others")).header("x-csrf-token", &alice.csrf).json(&json!({})).send().await.expect("post");
        assert_eq!(with_alices_header.status(), StatusCode::FORBIDDEN);
        // Even planting alice's token as bob's cookie too: the signature binds it to her session.
        bob.set_cookie("bt_csrf_token", &alice.csrf);
        let planted = bob.client.post(bob.url("/api/profile/sessions/end-others")).header("x-csrf-token", &alice.csrf).json(&json!({})).send().await.expect("post");
        assert_eq!(planted.status(), StatusCode::FORBIDDEN);
        let anonymous = app.browser().await;
        let pre_session = bob.client.post(bob.url("/api/profile/sessions/end-others")).header("x-csrf-token", &anonymous.csrf).json(&json!({})).send().await.expect("post");
        assert_eq!(pre_session.status(), StatusCode::FORBIDDEN, "a pre-sign-in token does not work after sign-in");
    }

    async fn csrf_03_the_token_endpoint_is_not_readable_cross_origin_or_cached(app) {
        let response = app.client.get(app.url("/api/auth/csrf-token")).header("origin", "https://evil.test").send().await.expect("get");
        assert_eq!(response.status(), StatusCode::OK);
        assert!(response.headers().get("access-control-allow-origin").is_none());
        assert_eq!(response.headers().get("cache-control").and_then(|v| v.to_str().ok()), Some("no-store"));
        let cookie = response.headers().get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        assert!(cookie.starts_with("bt_csrf_token=") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    }

    async fn csrf_04_json_routes_refuse_simple_request_content_types(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let body = r#"{"current_password":"x","new_password":"y"}"#;
        for kind in ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"] {
            let response = browser.client.post(browser.url("/api/auth/password")).header("x-csrf-token", &browser.csrf).header("content-type", kind).body(body).send().await.expect("post");
            assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE, "{kind}");
        }
    }

    async fn csrf_05_safe_methods_change_nothing(app) {
        let admin = app.signed_in("root", Role::Admin).await;
        let seeded = seed(&app, &admin).await;
        // Sign-in through a provider is GET by protocol (the provider redirects the browser
        // back); those routes write sign-in bookkeeping only (rate-limit counter, the flow, an
        // audit entry for a refused callback), never accounts or sessions: checked apart.
        let external = |path: &str| path.starts_with("/api/auth/oidc/") || path.starts_with("/api/auth/github/");
        let gets = get_paths(&seeded);
        let ids = [&seeded.bill, &seeded.category, &seeded.expense, &seeded.payment, &seeded.budget, &seeded.other_user];
        // A session's last activity is written back at most once a minute: the one write a
        // request may make, and not a change of state.
        let skip = ["sessions.last_seen_at"];
        let before = app.db.rows_except(&skip).await;
        assert!(ids.iter().all(|id| before.contains(id.as_str())), "the comparison sees the seeded rows");
        // Time passes first, so anything a request would write lazily (a new month, a due
        // date passed, an expired row) is written by these requests, and shows.
        app.clock.advance(chrono::Duration::minutes(61));
        for path in gets.iter().filter(|p| !external(p)) {
            for method in [Method::GET, Method::HEAD, Method::OPTIONS] {
                let response = admin.client.request(method.clone(), admin.url(path)).send().await.expect("send");
                let status = response.status();
                assert!(!status.is_server_error(), "{method} {path}: {status}");
                if method == Method::GET && ids.iter().any(|id| path.contains(id.as_str())) {
                    assert!(status.is_success(), "GET {path} reaches its handler with a real id: {status}");
                }
            }
        }
        let after = app.db.rows_except(&skip).await;
        let changed: Vec<&str> = after.lines().filter(|line| !before.lines().any(|l| l == *line)).collect();
        assert!(before == after, "a GET/HEAD/OPTIONS request changed the database: {changed:?}");
        let users = app.app.store.users().await.expect("users");
        let me = users.iter().find(|u| u.username == "root").expect("root").id;
        let sessions = app.app.store.sessions_of(me).await.expect("sessions").len();
        for path in gets.iter().filter(|p| external(p)) {
            for method in [Method::GET, Method::HEAD, Method::OPTIONS] {
                let response = admin.client.request(method.clone(), admin.url(path)).send().await.expect("send");
                assert!(!response.status().is_server_error(), "{method} {path}");
            }
        }
        assert_eq!(app.app.store.users().await.expect("users"), users);
        assert_eq!(app.app.store.sessions_of(me).await.expect("sessions").len(), sessions);
    }

    async fn csrf_06_sign_in_never_redirects_to_another_site(app) {
        app.account("alice", PASSWORD, Role::User).await;
        for next in ["https://evil.test", "//evil.test", "/\\evil.test", "%2F%2Fevil.test"] {
            let browser = app.browser().await;
            let form = [("username", "alice"), ("password", PASSWORD), ("next", next), ("csrf_token", browser.csrf.as_str())];
            let response = browser.client.post(browser.url("/login")).form(&form).send().await.expect("post");
            assert_eq!(response.status(), StatusCode::SEE_OTHER, "{next}");
            assert_eq!(response.headers().get("location").and_then(|v| v.to_str().ok()), Some("/"), "{next}");
            let page = browser.get(&format!("/login?next={}", next.replace('%', "%25"))).await;
            assert!(page.status().is_redirection());
            assert_eq!(page.headers().get("location").and_then(|v| v.to_str().ok()), Some("/"), "{next}");
        }
    }
}

async fn spawn_custom_csrf(engine: testkit::TestEngine) -> Option<crate::support::TestApp> {
    crate::support::spawn_with(
        engine,
        crate::support::Spawn {
            env: vec![
                ("CSRF_HTTP_ONLY", "false".into()),
                ("CSRF_COOKIE_NAME", "xsrf".into()),
                ("CSRF_SAME_SITE", "lax".into()),
            ],
            ..Default::default()
        },
    )
    .await
}

app_tests! {
    @with spawn_custom_csrf;

    async fn csrf_01_the_cookie_follows_the_csrf_settings_and_still_protects(app) {
        let response = app.client.get(app.url("/api/auth/csrf-token")).send().await.expect("get");
        let cookie = response.headers().get("set-cookie").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
        assert!(cookie.starts_with("xsrf=") && cookie.contains("SameSite=Lax") && !cookie.contains("HttpOnly"), "{cookie}");
        app.account("alice", PASSWORD, Role::User).await;
        let mut browser = app.browser().await;
        assert_eq!(browser.login("alice", PASSWORD).await.status(), StatusCode::OK);
        let readable = browser.cookie("xsrf").expect("a custom client can read the cookie");
        assert_eq!(readable, browser.csrf);
        let bare = browser.client.post(browser.url("/api/profile/sessions/end-others")).json(&json!({})).send().await.expect("post");
        assert_eq!(bare.status(), StatusCode::FORBIDDEN);
    }
}
