//! The OpenAPI document describes every `/api` route of the real router, with its method, and
//! is served at `/api/openapi.json`.

use reqwest::StatusCode;
use serde_json::Value;

#[test]
fn every_api_route_of_the_router_is_in_the_openapi_document() {
    let doc = serde_json::to_value(web::api::openapi::document()).expect("serialises");
    assert!(
        doc["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.1")),
        "OpenAPI 3.1"
    );
    let paths = doc["paths"].as_object().expect("paths");
    let mut missing = Vec::new();
    for route in web::router::route_specs()
        .into_iter()
        .filter(|r| r.path.starts_with("/api/"))
    {
        if route.path == "/api/openapi.json" {
            continue;
        }
        let method = route.method.to_ascii_lowercase();
        if paths.get(route.path).and_then(|p| p.get(&method)).is_none() {
            missing.push(format!("{} {}", route.method, route.path));
        }
    }
    assert!(
        missing.is_empty(),
        "routes without an OpenAPI entry: {missing:?}"
    );
    let described: usize = paths
        .values()
        .map(|p| p.as_object().map_or(0, |o| o.len()))
        .sum();
    let routed = web::router::route_specs()
        .iter()
        .filter(|r| r.path.starts_with("/api/") && r.path != "/api/openapi.json")
        .count();
    assert_eq!(
        described, routed,
        "the document describes no route the router lacks"
    );
    for (path, item) in paths {
        for (method, operation) in item.as_object().expect("path item") {
            let responses = operation["responses"].as_object().expect("responses");
            assert!(
                !responses.is_empty(),
                "{method} {path} documents its responses"
            );
        }
    }
}

#[tokio::test]
async fn the_document_is_served_as_json() {
    let Some(app) = crate::support::spawn(testkit::TestEngine::Sqlite).await else {
        return;
    };
    let response = app.get("/api/openapi.json").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["info"]["title"], "BillTracker API");
}

#[test]
fn operation_ids_are_unique() {
    let doc = serde_json::to_value(web::api::openapi::document()).expect("serialises");
    let mut seen = std::collections::BTreeMap::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            if let Some(id) = operation["operationId"].as_str()
                && let Some(other) = seen.insert(id.to_owned(), format!("{method} {path}"))
            {
                panic!("operationId {id} of {method} {path} is also {other}'s");
            }
        }
    }
    assert!(!seen.is_empty());
}
