//! Issue 12: a browser route never answers with problem+json, and never with a 5xx. Every page
//! and form of the route table is walked through its error paths — an unknown id, an id that
//! does not parse, another user's real id, a form body that is garbage or not a form at all —
//! and must answer the HTML error page (or a redirect). The sign-in rate limit is drawn as the
//! 429 page with `Retry-After`. Driven by the route table, so a page added later is covered.

use domain::user::Role;
use reqwest::{Method, StatusCode};

use crate::app_tests;
use crate::every_route::{SCRIPT_ESCAPED, seed};
use crate::support::{Browser, TestApp};

/// Whether `path` is a browser route (what the page kit presents as HTML).
fn is_browser_route(path: &str) -> bool {
    !(path.starts_with("/api")
        || path.starts_with("/static/")
        || matches!(path, "/healthz" | "/readyz" | "/metrics" | "/sw.js"))
}

/// Routes whose valid request ends the caller's session or every session: left out (they are
/// tested where they live).
fn ends_sessions(path: &str) -> bool {
    path.contains("logout") || path.contains("sign-out") || path.contains("end-all")
}

/// What `response` must be on a browser route: not a 5xx, and an error answer is an HTML page.
async fn assert_page(response: reqwest::Response, what: &str) -> (StatusCode, String) {
    let status = response.status();
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response.text().await.unwrap_or_default();
    assert!(!status.is_server_error(), "{what}: {status} {body}");
    assert!(
        !kind.contains("problem+json") && !kind.contains("json"),
        "{what}: {status} {kind} {body}"
    );
    if status.is_client_error() {
        // The error page, or a form page drawn again with its refusal (422, 409, 429).
        assert!(
            kind.starts_with("text/html") && body.contains("<main"),
            "{what}: {status} {kind} {body}"
        );
    }
    (status, body)
}

/// Sends `method path` as `browser`, with a body of `kind` (`form`, `json` or none).
async fn send(
    browser: &Browser,
    method: &Method,
    path: &str,
    body: Option<(&str, String)>,
) -> reqwest::Response {
    let mut request = browser
        .client
        .request(method.clone(), browser.url(path))
        .header("accept", "text/html");
    if *method != Method::GET {
        request = request.header("x-csrf-token", &browser.csrf);
    }
    if let Some((kind, body)) = body {
        request = request.header("content-type", kind).body(body);
    }
    request.send().await.expect("send")
}

/// The browser routes with an `{id}`, each filled with `id`.
fn with_ids(id: &str) -> Vec<(Method, String)> {
    web::router::route_specs()
        .into_iter()
        .filter(|r| is_browser_route(r.path) && r.path.contains("{id}") && !ends_sessions(r.path))
        .map(|r| {
            (
                r.method.parse().expect("method"),
                r.path.replace("{id}", id),
            )
        })
        .collect()
}

/// The seeded ids of the administrator's rows, by the path segment that names their kind.
fn real_id(path: &str, seeded: &crate::every_route::Seeded) -> Option<String> {
    [
        ("/bills/", &seeded.bill),
        ("/categories/", &seeded.category),
        ("/expenses/", &seeded.expense),
        ("/payments/", &seeded.payment),
        ("/budgets/", &seeded.budget),
    ]
    .into_iter()
    .find(|(segment, _)| path.contains(segment))
    .map(|(_, id)| id.clone())
}

async fn walk(app: &TestApp) {
    let admin = app.signed_in("root", Role::Admin).await;
    let seeded = seed(app, &admin).await;
    let mallory = app.signed_in("mallory", Role::User).await;
    // Unknown and malformed ids: 404 pages (or the admin area's 403 for a non-admin).
    for id in [
        "0190a5b2-0000-7000-8000-000000000000",
        "not-an-id",
        "%00",
        "1",
    ] {
        for (method, path) in with_ids(id) {
            let body = (method != Method::GET)
                .then(|| ("application/x-www-form-urlencoded", String::new()));
            let (status, _) = assert_page(
                send(&mallory, &method, &path, body).await,
                &format!("{method} {path} (id {id})"),
            )
            .await;
            assert!(
                matches!(
                    status,
                    StatusCode::NOT_FOUND
                        | StatusCode::FORBIDDEN
                        | StatusCode::UNPROCESSABLE_ENTITY
                ) || status.is_redirection(),
                "{method} {path} (id {id}): {status}"
            );
        }
    }
    // Another user's real ids: the same 404 page as a missing record, and nothing changed.
    for (method, template) in web::router::route_specs()
        .into_iter()
        .map(|r| (r.method, r.path))
    {
        if !is_browser_route(template) || !template.contains("{id}") || ends_sessions(template) {
            continue;
        }
        let Some(id) = real_id(template, &seeded) else {
            continue;
        };
        let method: Method = method.parse().expect("method");
        let path = template.replace("{id}", &id);
        let body = (method != Method::GET).then(|| {
            (
                "application/x-www-form-urlencoded",
                "confirm=true&name=Mine&amount=1".to_owned(),
            )
        });
        let what = format!("{method} {path} (another user's id)");
        let response = send(&mallory, &method, &path, body).await;
        let location = response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let (status, page) = assert_page(response, &what).await;
        // 404 like a missing record; a form refused for its own fields before the record is
        // looked up shows only what was typed (422) or goes back with an error banner, never
        // a success notice.
        let banner =
            status.is_redirection() && location.contains("error=") && !location.contains("notice=");
        let refused_form =
            method == Method::POST && (status == StatusCode::UNPROCESSABLE_ENTITY || banner);
        assert!(
            status == StatusCode::NOT_FOUND || refused_form,
            "{what}: {status} {location}"
        );
        assert!(
            !page.contains(SCRIPT_ESCAPED),
            "{what}: the owner's data leaked: {page}"
        );
    }
    let bill: serde_json::Value = admin
        .get(&format!("/api/bills/{}", seeded.bill))
        .await
        .json()
        .await
        .expect("bill");
    assert_eq!(
        bill["name"].as_str().map(|n| n.contains("script")),
        Some(true),
        "the admin's bill was not renamed: {bill}"
    );
    assert!(
        bill["deleted_at"].is_null(),
        "the admin's bill was not deleted: {bill}"
    );
    // Bad bodies on every form: garbage fields, broken encoding, impossible values, JSON.
    let garbage = "amount=%FF%FE&due_date=2027-02-30&name=&expected_amount=1e999&on=yesterday&version=x&ids=1&year=0&month=13&confirm=maybe".to_owned();
    for spec in web::router::route_specs() {
        if spec.method != "POST" || !is_browser_route(spec.path) || ends_sessions(spec.path) {
            continue;
        }
        let path = spec
            .path
            .replace(
                "{id}",
                &real_id(spec.path, &seeded).unwrap_or_else(|| seeded.bill.clone()),
            )
            .replace("{provider}", "nope");
        for (kind, body) in [
            ("application/x-www-form-urlencoded", garbage.clone()),
            ("application/json", "{\"name\": 1}".to_owned()),
            ("text/plain", "\u{0}".to_owned()),
        ] {
            assert_page(
                send(&admin, &Method::POST, &path, Some((kind, body))).await,
                &format!("POST {path} with a {kind} body"),
            )
            .await;
        }
    }
}

app_tests! {
    async fn pages_never_answer_problem_json_on_error_paths(app) {
        walk(&app).await;
    }

    async fn pages_draw_the_sign_in_rate_limit_as_the_429_page(app) {
        let visitor = app.browser().await;
        let mut limited = None;
        for attempt in 0..40 {
            let form = format!("username=nobody{attempt}&password=wrong&csrf_token={}", visitor.csrf);
            let response = send(&visitor, &Method::POST, "/login", Some(("application/x-www-form-urlencoded", form))).await;
            if response.status() == StatusCode::TOO_MANY_REQUESTS {
                limited = Some(response);
                break;
            }
            assert_page(response, "POST /login").await;
        }
        let response = limited.expect("the sign-in limit answers 429 within 40 attempts");
        assert!(response.headers().contains_key("retry-after"), "429 tells when to come back");
        let (status, _) = assert_page(response, "POST /login over the limit").await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    }
}
