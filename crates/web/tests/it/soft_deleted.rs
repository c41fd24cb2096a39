//! A soft-deleted bill, category, payment or expense read by its plain `GET` is 404, like in
//! the lists; `include_deleted=true` shows it with its `deleted_at` (issue 12, item 8).

use domain::user::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::app_tests;
use crate::bills::{call, get};

/// The first item of a list answer (a plain array or a page with `items`).
fn first_id(list: &Value) -> String {
    let items = list.get("items").unwrap_or(list);
    items[0]["id"].as_str().expect("an item").to_owned()
}

app_tests! {
    async fn a_deleted_item_is_not_found_by_its_plain_read_unless_deleted_ones_are_asked_for(app) {
        let alice = app.signed_in("alice", Role::User).await;
        assert_eq!(alice.post("/api/demo/load", json!({})).await.status(), StatusCode::CREATED);
        for kind in ["expenses", "payments", "bills", "categories"] {
            let (status, list) = get(&alice, &format!("/api/{kind}")).await;
            assert_eq!(status, StatusCode::OK, "{kind}: {list}");
            let path = format!("/api/{kind}/{}", first_id(&list));
            assert_eq!(get(&alice, &path).await.0, StatusCode::OK, "{kind} before the delete");
            assert_eq!(call(&alice, Method::DELETE, &path, None).await.0, StatusCode::NO_CONTENT, "{kind}");
            assert_eq!(get(&alice, &path).await.0, StatusCode::NOT_FOUND, "a deleted one of {kind}");
            let (status, shown) = get(&alice, &format!("{path}?include_deleted=true")).await;
            assert_eq!(status, StatusCode::OK, "{kind} with include_deleted: {shown}");
            assert!(shown["deleted_at"].is_string(), "{kind}: {shown}");
            let (status, problem) = get(&alice, &format!("{path}?include_deleted=maybe")).await;
            assert_eq!((status, problem["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("include_deleted")));
        }
    }
}
