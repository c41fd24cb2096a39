//! The categories page (`/categories…`) on both engines: create, bill counts, rename with the
//! version (stale → conflict), delete with Restore, restore; bad input under its field (422,
//! typed value kept, nothing written), a taken name (409), another user's category (404, theirs
//! unchanged) and escaping.

use domain::user::Role;
use reqwest::StatusCode;
use serde_json::Value;

use crate::app_tests;
use crate::pages_bills::{add_bill, alice};
use crate::pages_support::{escaped, fetch, page, submit};
use crate::support::Browser;

/// The caller's categories through the JSON API, deleted ones included.
async fn api_categories(browser: &Browser) -> Vec<Value> {
    let body: Value = browser
        .get("/api/categories?include_deleted=true")
        .await
        .json()
        .await
        .expect("json");
    body.as_array().cloned().unwrap_or_default()
}

/// Adds a category through the form; returns its id.
async fn add(browser: &Browser, name: &str) -> String {
    let (status, location, body) = submit(
        browser,
        "/categories",
        &[
            ("name", name),
            ("color", "#1a2b3c"),
            ("is_spending", "true"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    assert_eq!(location, "/categories?notice=created");
    api_categories(browser)
        .await
        .iter()
        .find(|c| c["name"] == name)
        .and_then(|c| c["id"].as_str())
        .expect("created")
        .to_owned()
}

app_tests! {
    async fn categories_are_created_renamed_deleted_and_restored(app) {
        let browser = alice(&app).await;
        let html = page(&browser, "/bills").await;
        assert!(html.contains("href=\"/categories\""), "the bills page links to the categories");
        let html = page(&browser, "/categories").await;
        assert!(html.contains("No categories yet"), "{html}");

        let id = add(&browser, "Utilities").await;
        add_bill(&browser, &[("name", "Power"), ("category_id", &id)]).await;
        let html = page(&browser, "/categories?notice=created").await;
        assert!(html.contains("Category added") && html.contains("Utilities"), "{html}");
        assert!(html.contains("fill=\"#1a2b3c\""), "its colour as a swatch beside the name");
        assert!(html.contains(&format!("href=\"/bills?show=active&#38;category={id}\">1<")), "one bill, linked to the filtered list: {html}");
        assert!(page(&browser, "/bills").await.contains("Utilities"), "the bill shows its category");

        let version = api_categories(&browser).await[0]["version"].as_i64().expect("version").to_string();
        let path = format!("/categories/{id}");
        let (status, location, _) = submit(&browser, &path, &[("name", "Home utilities"), ("color", "#aa0000"), ("version", &version)]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let html = page(&browser, &location).await;
        assert!(html.contains("Category saved") && html.contains("Home utilities"), "{html}");
        assert_eq!(api_categories(&browser).await[0]["is_spending"], false, "an unticked box is false");
        let (status, _, html) = submit(&browser, &path, &[("name", "Stale"), ("color", "#aa0000"), ("version", &version)]).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(html.contains("changed elsewhere") && html.contains("value=\"Stale\""), "{html}");
        assert_eq!(api_categories(&browser).await[0]["name"], "Home utilities");

        let (status, location, _) = submit(&browser, &format!("/categories/{id}/delete"), &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let html = page(&browser, &location).await;
        assert!(html.contains("Category deleted"), "{html}");
        assert!(html.contains(&format!("action=\"/categories/{id}/restore\"")), "the banner offers Restore");
        assert!(html.contains("Deleted categories"));
        assert!(api_categories(&browser).await[0]["deleted_at"].is_string());

        let (status, location, _) = submit(&browser, &format!("/categories/{id}/restore"), &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(page(&browser, &location).await.contains("Category restored"));
        assert!(api_categories(&browser).await[0]["deleted_at"].is_null());
    }

    async fn bad_input_and_taken_names_come_back_under_the_field(app) {
        let browser = alice(&app).await;
        let long = "x".repeat(61);
        for (field, value, message) in [("name", "", "Name must not be empty"), ("name", long.as_str(), "Name must be at most 60 characters"), ("name", "a\u{7}b", "Name must not contain control characters"), ("color", "red", "Colour must be a colour like #1a2b3c")] {
            let mut fields = vec![("name", "Fine"), ("color", "#1a2b3c")];
            fields.retain(|(n, _)| *n != field);
            fields.push((field, value));
            let (status, _, html) = submit(&browser, "/categories", &fields).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {html}");
            assert!(html.contains(message), "{field}: {html}");
            assert!(html.contains(&format!("href=\"#new-{field}\"")), "{field}: the summary links to the field");
            if !value.is_empty() {
                assert!(html.contains(&format!("value=\"{}\"", escaped(value))), "{field}: kept");
            }
        }
        assert!(api_categories(&browser).await.is_empty(), "nothing was written");

        let id = add(&browser, "Home").await;
        let (status, _, html) = submit(&browser, "/categories", &[("name", "Home"), ("color", "#1a2b3c")]).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(html.contains("Name is already used"), "{html}");
        let other = add(&browser, "Car").await;
        let version = api_categories(&browser).await.iter().find(|c| c["id"] == other.as_str()).expect("car")["version"].to_string();
        let (status, _, html) = submit(&browser, &format!("/categories/{other}"), &[("name", "Home"), ("color", "#1a2b3c"), ("version", &version)]).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(html.contains("Name is already used") && html.contains(&format!("id=\"name-{other}\"")), "{html}");
        let (status, _, html) = submit(&browser, &format!("/categories/{id}"), &[("name", " "), ("color", "#1a2b3c"), ("version", "1")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("<details class=\"adjust\" open>"), "the refused edit is open: {html}");
    }

    async fn another_users_category_is_not_found_and_names_are_escaped(app) {
        let bob = app.signed_in("bob", Role::User).await;
        let id = add(&bob, "<script>alert(1)</script>").await;
        let before = api_categories(&bob).await;
        let html = page(&bob, "/categories").await;
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(html.contains(&escaped("<script>alert(1)</script>")));

        let alice = alice(&app).await;
        assert!(!page(&alice, "/categories").await.contains("alert(1)"));
        for (path, fields) in [
            (format!("/categories/{id}"), vec![("name", "Mine"), ("color", "#000000"), ("version", "1")]),
            (format!("/categories/{id}/delete"), vec![]),
            (format!("/categories/{id}/restore"), vec![]),
            ("/categories/nope/delete".to_owned(), vec![]),
        ] {
            let (status, _, _) = submit(&alice, &path, &fields).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        }
        assert_eq!(api_categories(&bob).await, before, "bob's category is unchanged");
        let (status, _, html) = submit(&alice, "/bills", &crate::pages_bills::bill_form(&[("category_id", &id)])).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a bill cannot use bob's category");
        assert!(html.contains("Category must be the id of one of your categories"));
        assert_eq!(fetch(&alice, "/categories").await.0, StatusCode::OK);
    }
}
