//! CSRF-01…06: every unsafe route needs the signed token and a same-origin request; tokens are
//! bound to the session; JSON routes refuse "simple" content types; safe methods change
//! nothing; sign-in never redirects off-site.

use domain::user::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::app_tests;
use crate::support::PASSWORD;

fn unsafe_routes() -> Vec<(Method, String)> {
    web::routes::route_specs()
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

app_tests! {
    async fn csrf_01_every_unsafe_route_refuses_a_missing_token_or_a_foreign_site(app) {
        let admin = app.signed_in("root", Role::Admin).await;
        let routes = unsafe_routes();
        assert!(routes.len() >= 15, "the router has its unsafe routes");
        for (method, path) in &routes {
            let bare = admin.client.request(method.clone(), admin.url(path)).json(&json!({})).send().await.expect("send");
            assert_eq!(bare.status(), StatusCode::FORBIDDEN, "{method} {path} without a token");
            let wrong = admin.client.request(method.clone(), admin.url(path)).header("x-csrf-token", "forged.value").json(&json!({})).send().await.expect("send");
            assert_eq!(wrong.status(), StatusCode::FORBIDDEN, "{method} {path} with a forged token");
            let cross = admin.client.request(method.clone(), admin.url(path)).header("x-csrf-token", &admin.csrf).header("sec-fetch-site", "cross-site").json(&json!({})).send().await.expect("send");
            assert_eq!(cross.status(), StatusCode::FORBIDDEN, "{method} {path} from another site");
            let foreign = admin.client.request(method.clone(), admin.url(path)).header("x-csrf-token", &admin.csrf).header("origin", "https://evil.test").json(&json!({})).send().await.expect("send");
            assert_eq!(foreign.status(), StatusCode::FORBIDDEN, "{method} {path} with a foreign Origin");
        }
        assert_eq!(admin.get("/api/auth/me").await.status(), StatusCode::OK, "none of that signed the admin out");
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
        // Sign-in through a provider is GET by protocol (the provider redirects the browser
        // back); those routes write sign-in bookkeeping only (rate-limit counter, the flow, an
        // audit entry for a refused callback), never accounts or sessions: checked apart.
        let external = |path: &str| path.starts_with("/api/auth/oidc/") || path.starts_with("/api/auth/github/");
        let gets: Vec<String> = web::routes::route_specs()
            .into_iter()
            .filter(|r| r.method == "GET")
            .map(|r| r.path.replace("{id}", "0190a5b2-0000-7000-8000-000000000000").replace("{*path}", "app.css").replace("{provider}", "oidc"))
            .collect();
        let before = app.db.dump_text().await;
        for path in gets.iter().filter(|p| !external(p)) {
            for method in [Method::GET, Method::HEAD, Method::OPTIONS] {
                let response = admin.client.request(method.clone(), admin.url(path)).send().await.expect("send");
                assert!(!response.status().is_server_error(), "{method} {path}");
            }
        }
        assert!(app.db.dump_text().await == before, "a GET/HEAD/OPTIONS request changed the database");
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
