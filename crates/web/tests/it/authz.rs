//! AZ-01: the authorisation matrix (`tests/authz_matrix.toml`) over the real router, for every
//! kind of caller, on both engines. A route missing from the matrix fails the test.

use std::collections::BTreeMap;

use domain::user::Role;
use reqwest::{Method, StatusCode};
use testkit::TestEngine;

use crate::app_tests;
use crate::support::{Browser, PASSWORD, Spawn, TestApp, spawn_with};

const CALLERS: [&str; 6] = [
    "anon",
    "user",
    "admin",
    "bootstrap",
    "deactivated",
    "single_user",
];

fn matrix() -> BTreeMap<String, Vec<String>> {
    let text = include_str!("../authz_matrix.toml");
    let table: toml::Table = text.parse().expect("matrix is TOML");
    let routes = table["routes"].as_table().expect("[routes]");
    routes
        .iter()
        .map(|(route, row)| {
            let row: Vec<String> = row
                .as_array()
                .expect("row")
                .iter()
                .map(|v| v.as_str().expect("value").to_owned())
                .collect();
            assert_eq!(row.len(), CALLERS.len(), "{route}: one value per caller");
            (route.clone(), row)
        })
        .collect()
}

fn concrete(path: &str) -> String {
    path.replace("{id}", "0190a5b2-0000-7000-8000-000000000000")
        .replace("{*path}", "app.css")
        .replace("{provider}", "oidc")
}

/// The outcome class of one answer.
fn class(response: &reqwest::Response) -> &'static str {
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if status == StatusCode::UNAUTHORIZED
        || (status.is_redirection() && location.starts_with("/login"))
    {
        "login"
    } else if status == StatusCode::FORBIDDEN {
        "forbid"
    } else if status.is_server_error() {
        "error"
    } else {
        "allow"
    }
}

async fn call(browser: &Browser, method: &str, path: &str) -> reqwest::Response {
    let url = browser.url(&concrete(path));
    let method: Method = method.parse().expect("method");
    let request = browser.client.request(method.clone(), url);
    if method == Method::GET {
        return request.send().await.expect("send");
    }
    let request = request.header("x-csrf-token", &browser.csrf);
    let request = if path.starts_with("/api/") {
        request.json(&serde_json::json!({}))
    } else {
        request.form(&[("csrf_token", browser.csrf.as_str())])
    };
    request.send().await.expect("send")
}

/// One browser per kind of caller; `tag` keeps account names unique when called again.
async fn browsers(app: &TestApp, tag: &str) -> Vec<(&'static str, Browser)> {
    // Each set signs in four times; start a fresh login rate-limit window.
    app.clock.advance(chrono::Duration::minutes(16));
    let anon = app.browser().await;
    let user = app.signed_in(&format!("member{tag}"), Role::User).await;
    let admin = app.signed_in(&format!("root{tag}"), Role::Admin).await;
    let first = format!("first{tag}");
    let bootstrap_row = app.account(&first, PASSWORD, Role::Admin).await;
    app.app
        .store
        .tamper_for_tests(&format!(
            "UPDATE users SET is_bootstrap = TRUE WHERE id = '{}'",
            bootstrap_row.id
        ))
        .await;
    let mut bootstrap = app.browser().await;
    assert_eq!(
        bootstrap.login(&first, PASSWORD).await.status(),
        StatusCode::OK
    );
    let deactivated = app.signed_in(&format!("gone{tag}"), Role::User).await;
    let gone = app
        .app
        .store
        .user_by_username(&format!("gone{tag}"))
        .await
        .expect("read")
        .expect("gone");
    app.app
        .store
        .update_user(
            gone.id,
            &store::users::UserChanges {
                is_active: Some(false),
                ..Default::default()
            },
            app.app.now(),
        )
        .await
        .expect("deactivate");
    // A browser whose session ended fetches a new (pre-sign-in) token, as the pages do.
    let mut deactivated = deactivated;
    deactivated.refresh_csrf().await;
    vec![
        ("anon", anon),
        ("user", user),
        ("admin", admin),
        ("bootstrap", bootstrap),
        ("deactivated", deactivated),
    ]
}

async fn spawn_single_user(engine: TestEngine) -> Option<TestApp> {
    spawn_with(
        engine,
        Spawn {
            env: vec![
                ("SINGLE_USER_MODE", "true".into()),
                ("SINGLE_USER_USERNAME", "solo".into()),
            ],
            ..Default::default()
        },
    )
    .await
}

#[test]
fn az_01_every_route_is_in_the_matrix_and_every_row_is_a_route() {
    let matrix = matrix();
    let routes: Vec<String> = web::router::route_specs()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    let missing: Vec<&String> = routes.iter().filter(|r| !matrix.contains_key(*r)).collect();
    assert!(
        missing.is_empty(),
        "routes missing from authz_matrix.toml: {missing:?}"
    );
    let stale: Vec<&String> = matrix.keys().filter(|k| !routes.contains(k)).collect();
    assert!(
        stale.is_empty(),
        "matrix rows for routes that do not exist: {stale:?}"
    );
}

app_tests! {
    async fn az_01_each_kind_of_caller_gets_what_the_matrix_says(app) {
        let matrix = matrix();
        let callers = browsers(&app, "").await;
        let mut wrong = Vec::new();
        for (route, expected) in &matrix {
            let (method, path) = route.split_once(' ').expect("METHOD path");
            // Ending sessions last, so the callers stay signed in for the other rows.
            if path.contains("end-all") || path.contains("logout") || path.contains("end-others") {
                continue;
            }
            for (caller, browser) in &callers {
                let column = CALLERS.iter().position(|c| c == caller).expect("caller");
                let response = call(browser, method, path).await;
                let got = class(&response);
                if got != expected[column] {
                    wrong.push(format!("{route} as {caller}: expected {}, got {got} ({})", expected[column], response.status()));
                }
            }
        }
        // Routes that end sessions get fresh callers each, so they cannot affect one another.
        let ending = ["POST /api/admin/sessions/end-all", "POST /profile/sessions/end-others", "POST /api/profile/sessions/end-others", "POST /api/auth/logout", "POST /logout"];
        for (i, route) in ending.iter().enumerate() {
            let (method, path) = route.split_once(' ').expect("route");
            for (j, caller) in CALLERS.iter().enumerate().filter(|(_, c)| **c != "single_user") {
                let callers = browsers(&app, &format!("x{i}y{j}")).await;
                let (_, browser) = callers.iter().find(|(c, _)| c == caller).expect("caller");
                let expected = &matrix[*route][j];
                let got = class(&call(browser, method, path).await);
                if got != expected {
                    wrong.push(format!("{route} as {caller}: expected {expected}, got {got}"));
                }
            }
        }
        assert!(wrong.is_empty(), "authorisation matrix violations:\n{}", wrong.join("\n"));
    }
}

app_tests! {
    @with spawn_single_user;

    async fn az_01_single_user_mode_matches_its_column(app) {
        let matrix = matrix();
        let mut browser = app.browser().await;
        let column = CALLERS.iter().position(|c| *c == "single_user").expect("column");
        let mut wrong = Vec::new();
        for (route, expected) in &matrix {
            let (method, path) = route.split_once(' ').expect("route");
            // Signing out replaces the CSRF cookie; a page would fetch the new token.
            browser.refresh_csrf().await;
            let response = call(&browser, method, path).await;
            let got = class(&response);
            if got != expected[column] {
                let status = response.status();
                wrong.push(format!("{route}: expected {}, got {got} ({status}) {}", expected[column], response.text().await.unwrap_or_default()));
            }
        }
        assert!(wrong.is_empty(), "single-user violations:\n{}", wrong.join("\n"));
    }
}
