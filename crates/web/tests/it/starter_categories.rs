//! A new account's first categories (issue 14, item 3): a starter set, offered where there
//! are no categories (categories page, bill form) and through the API, made of ordinary
//! categories; and a category created from the bill form itself without losing what was typed
//! (nothing is made when the bill is refused).

use domain::user::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::app_tests;
use crate::bills::{call, get};
use crate::pages_bills::{add_bill, api_bill, bill_form};
use crate::pages_support::{page, submit};
use crate::support::Browser;

/// The caller's live category names.
async fn names(browser: &Browser) -> Vec<String> {
    let (_, list) = get(browser, "/api/categories").await;
    list.as_array()
        .expect("list")
        .iter()
        .map(|c| c["name"].as_str().expect("name").to_owned())
        .collect()
}

app_tests! {
    async fn a_new_account_can_start_with_a_set_of_ordinary_categories(app) {
        let alice = app.signed_in("alice", Role::User).await;
        assert!(names(&alice).await.is_empty(), "a new account starts empty");
        let (status, made) = call(&alice, Method::POST, "/api/categories/starter-set", None).await;
        assert_eq!(status, StatusCode::OK, "{made}");
        assert_eq!(made.as_array().expect("made").len(), 9);
        assert!(names(&alice).await.contains(&"Housing".to_owned()));
        let (_, again) = call(&alice, Method::POST, "/api/categories/starter-set", None).await;
        assert_eq!(again, json!([]), "asking twice adds nothing");

        // Ordinary categories: renamed and deleted like any other.
        let housing = made.as_array().expect("made").iter().find(|c| c["name"] == "Housing").expect("housing").clone();
        let (status, renamed) = call(&alice, Method::PATCH, &format!("/api/categories/{}", housing["id"].as_str().expect("id")), Some(json!({"name": "Home", "version": housing["version"]}))).await;
        assert_eq!((status, renamed["name"].clone()), (StatusCode::OK, json!("Home")));
        let other = made.as_array().expect("made").iter().find(|c| c["name"] == "Other").expect("other").clone();
        let (status, _) = call(&alice, Method::DELETE, &format!("/api/categories/{}", other["id"].as_str().expect("id")), None).await;
        assert_eq!(status, StatusCode::NO_CONTENT);
        let (_, refill) = call(&alice, Method::POST, "/api/categories/starter-set", None).await;
        let refilled: Vec<&str> = refill.as_array().expect("list").iter().map(|c| c["name"].as_str().expect("name")).collect();
        assert_eq!(refilled, ["Housing", "Other"], "only names not in use come back");

        // Each account its own set.
        let bob = app.signed_in("bob", Role::User).await;
        assert!(names(&bob).await.is_empty());
    }

    async fn the_bill_form_offers_the_starter_set_and_comes_back_to_itself(app) {
        let alice = app.signed_in("alice", Role::User).await;
        let html = page(&alice, "/bills/new").await;
        assert!(html.contains("Add the starter categories"), "{html}");
        assert!(page(&alice, "/categories").await.contains("Add the starter categories"));

        let (status, location, _) = submit(&alice, "/categories/starter-set", &[("return_to", "/bills/new")]).await;
        assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, "/bills/new?notice=starter_added"));
        let html = page(&alice, &location).await;
        assert!(html.contains(">Housing</option>"), "{html}");
        assert!(!html.contains("Add the starter categories"), "offered only while there are none");
        // Anywhere else it goes back to the categories page.
        let (_, location, _) = submit(&alice, "/categories/starter-set", &[("return_to", "https://evil.test/")]).await;
        assert_eq!(location, "/categories?notice=starter_added");
    }

    async fn a_category_typed_on_the_bill_form_is_made_with_the_bill_and_only_then(app) {
        let alice = app.signed_in("alice", Role::User).await;

        // A refused bill keeps what was typed and makes no category.
        let (status, _, html) = submit(&alice, "/bills", &bill_form(&[("new_category", "Pets"), ("expected_amount", "abc")])).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
        assert!(html.contains("value=\"Pets\""), "the typed category is kept: {html}");
        assert!(names(&alice).await.is_empty(), "nothing was written");

        // A bad category name is refused under its own field.
        let long = "x".repeat(61);
        let (status, _, html) = submit(&alice, "/bills", &bill_form(&[("new_category", &long)])).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("href=\"#new_category\""), "{html}");

        let id = add_bill(&alice, &[("name", "Vet plan"), ("new_category", "Pets")]).await;
        let bill: Value = api_bill(&alice, &id).await;
        assert_eq!(names(&alice).await, ["Pets"]);
        let (_, list) = get(&alice, "/api/categories").await;
        assert_eq!(bill["category_id"], list[0]["id"], "{bill}");

        // The same name again (in other letters) is that category, not a second one.
        let id = add_bill(&alice, &[("name", "Pet food"), ("new_category", "pets")]).await;
        assert_eq!(api_bill(&alice, &id).await["category_id"], list[0]["id"]);
        assert_eq!(names(&alice).await, ["Pets"]);
    }
}
