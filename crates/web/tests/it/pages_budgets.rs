//! The budgets page (`/budgets…`) and its no-JavaScript forms, on both engines: creating a
//! budget, the under / warning / over states in words and as a `<meter>` as spending passes
//! 80 % and 100 %, changing a limit, deleting, bad input per field (422 naming the field,
//! typed value kept, nothing written), a duplicate (409), another user's budget (404, theirs
//! unchanged) and escaping. The manual clock starts on Saturday 2026-03-14.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::app_tests;
use crate::money::{category, created, get, text, user};
use crate::pages_support::{escaped, fetch, page, submit};
use crate::support::Browser;

/// The caller's budgets through the API.
async fn budgets(browser: &Browser) -> Vec<Value> {
    let (status, list) = get(browser, "/api/budgets").await;
    assert_eq!(status, StatusCode::OK, "{list}");
    list.as_array().cloned().unwrap_or_default()
}

async fn spend(browser: &Browser, category: &str, amount: &str) {
    created(
        browser,
        "/api/expenses",
        json!({"amount": amount, "spent_on": "2026-03-10", "category_id": category}),
    )
    .await;
}

app_tests! {
    async fn budgets_show_warning_and_over_in_words_once_spending_passes_80_and_100_percent(app) {
        let (alice, owner) = user(&app, "alice").await;
        let food = category(&app, owner, "Food").await.to_string();
        let html = page(&alice, "/budgets").await;
        assert!(html.contains("No budgets yet"), "{html}");
        assert!(html.contains("action=\"/budgets\""), "the create form is offered");

        let (status, location, _) = submit(&alice, "/budgets", &[("category_id", &food), ("period", "monthly"), ("limit", "100")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let html = page(&alice, &location).await;
        assert!(html.contains("Budget created."), "{html}");
        for shown in ["Food", "Monthly", "Mar 1, 2026 – Mar 31, 2026", "$100.00", "Under budget", "0 % used", "<meter"] {
            assert!(html.contains(shown), "{shown}: {html}");
        }

        spend(&alice, &food, "79").await;
        let html = page(&alice, "/budgets").await;
        assert!(html.contains("Under budget") && html.contains("79 % used"), "{html}");
        assert!(html.contains("value=\"79\""), "the meter's value");

        spend(&alice, &food, "1").await;
        let html = page(&alice, "/budgets").await;
        assert!(html.contains("Nearly at the limit") && html.contains("80 % used"), "{html}");
        assert!(html.contains("$80.00 spent of $100.00") && html.contains("$20.00"), "{html}");

        // The chip says what the percentage says, whatever the percentage (no fixed "80 %").
        spend(&alice, &food, "13").await;
        let html = page(&alice, "/budgets").await;
        assert!(html.contains("Nearly at the limit") && html.contains("93 % used"), "{html}");
        assert!(!html.contains("80 % used"), "no chip with another percentage: {html}");

        spend(&alice, &food, "12.50").await;
        let html = page(&alice, "/budgets").await;
        assert!(html.contains("Over budget") && html.contains("105 % used"), "{html}");
        assert!(html.contains("<dt>Over by</dt><dd>$5.50</dd>"), "the overspend: {html}");
        assert!(html.contains("value=\"100\""), "the meter stops at its maximum; the text says the rest");
        assert!(!html.contains("style="), "no inline styles");
    }

    async fn a_limit_can_be_changed_and_a_budget_deleted(app) {
        let (alice, owner) = user(&app, "alice").await;
        let food = category(&app, owner, "Food").await.to_string();
        submit(&alice, "/budgets", &[("category_id", &food), ("period", "yearly"), ("limit", "1000")]).await;
        let budget = budgets(&alice).await.remove(0);
        let id = text(&budget, "id").to_owned();
        let version = budget["version"].to_string();
        let html = page(&alice, "/budgets").await;
        assert!(html.contains(&format!("action=\"/budgets/{id}\"")) && html.contains("Jan 1, 2026 – Dec 31, 2026"), "{html}");
        assert!(html.contains("data-confirm="), "deleting asks first");

        let (status, _, html) = submit(&alice, &format!("/budgets/{id}"), &[("limit", "12.345"), ("version", &version)]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("Limit must have at most 2 decimal places for USD"), "{html}");
        assert!(html.contains("value=\"12.345\""), "the typed limit is kept");
        assert!(html.contains(&format!("id=\"limit-{id}-error\"")));

        let (status, location, _) = submit(&alice, &format!("/budgets/{id}"), &[("limit", "1250.5"), ("version", &version)]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let html = page(&alice, &location).await;
        assert!(html.contains("Limit saved.") && html.contains("$1,250.50"), "{html}");
        let (status, _, html) = submit(&alice, &format!("/budgets/{id}"), &[("limit", "5"), ("version", &version)]).await;
        assert_eq!(status, StatusCode::CONFLICT, "a stale page");
        assert!(html.contains("changed elsewhere"), "{html}");
        assert_eq!(budgets(&alice).await[0]["limit"], "1250.50");

        let (status, location, _) = submit(&alice, &format!("/budgets/{id}/delete"), &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(page(&alice, &location).await.contains("Budget deleted."));
        assert!(budgets(&alice).await.is_empty());
    }

    async fn bad_budget_input_is_refused_per_field_and_nothing_is_written(app) {
        let (alice, owner) = user(&app, "alice").await;
        let food = category(&app, owner, "Food").await.to_string();
        let stranger = uuid::Uuid::now_v7().to_string();
        let long = "9".repeat(30);
        let cases: Vec<(&str, &str, &str, &str, &str)> = vec![
            (&food, "monthly", "", "limit", "Limit must not be empty"),
            (&food, "monthly", "abc", "limit", "Limit must be a number like 12.34"),
            (&food, "monthly", "12.345", "limit", "Limit must have at most 2 decimal places for USD"),
            (&food, "monthly", "0", "limit", "Limit must be greater than zero"),
            (&food, "monthly", "-5", "limit", "Limit must be greater than zero"),
            (&food, "monthly", &long, "limit", "Limit is too large"),
            (&food, "weekly", "100", "period", "Period must be one of: monthly, yearly"),
            ("", "monthly", "100", "category_id", "Choose one of your categories."),
            (&stranger, "monthly", "100", "category_id", "Choose one of your categories."),
        ];
        for (category_id, period, limit, field, message) in cases {
            let (status, _, html) = submit(&alice, "/budgets", &[("category_id", category_id), ("period", period), ("limit", limit)]).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}={limit:?}: {html}");
            assert!(html.contains(message), "{field}: {html}");
            assert!(html.contains(&format!("id=\"{field}-error\"")), "{field}: under the field");
            assert!(html.contains(&format!("value=\"{}\"", escaped(limit))), "the typed limit is kept");
        }
        assert!(budgets(&alice).await.is_empty(), "nothing was written");

        submit(&alice, "/budgets", &[("category_id", &food), ("period", "monthly"), ("limit", "100")]).await;
        let (status, _, html) = submit(&alice, "/budgets", &[("category_id", &food), ("period", "monthly"), ("limit", "50")]).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(html.contains("already has a monthly budget"), "{html}");
        assert_eq!(budgets(&alice).await.len(), 1);
    }

    async fn another_users_budget_is_not_found_and_stays_unchanged(app) {
        let (alice, _) = user(&app, "alice").await;
        let (bob, bob_id) = user(&app, "bob").await;
        let theirs = category(&app, bob_id, "Bob's hobby").await.to_string();
        let budget = created(&bob, "/api/budgets", json!({"category_id": theirs, "period": "monthly", "limit": "300"})).await;
        let id = text(&budget, "id").to_owned();
        let (status, _, html) = submit(&alice, &format!("/budgets/{id}"), &[("limit", "1"), ("version", &budget["version"].to_string())]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(!html.contains("Bob"));
        let (status, _, _) = submit(&alice, &format!("/budgets/{id}/delete"), &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(submit(&alice, "/budgets/not-an-id/delete", &[]).await.0, StatusCode::NOT_FOUND);
        let (status, _, _) = submit(&alice, "/budgets", &[("category_id", &theirs), ("period", "monthly"), ("limit", "5")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "their category is not one of mine");
        assert!(!page(&alice, "/budgets").await.contains("Bob"));

        let now = budgets(&bob).await;
        assert_eq!(now.len(), 1);
        assert_eq!((now[0]["limit"].as_str(), now[0]["version"].clone()), (Some("300.00"), budget["version"].clone()));
        assert!(budgets(&alice).await.is_empty());
    }

    async fn category_names_are_escaped_on_the_budgets_page(app) {
        let (alice, owner) = user(&app, "alice").await;
        let evil = category(&app, owner, "<script>x</script>").await.to_string();
        submit(&alice, "/budgets", &[("category_id", &evil), ("period", "monthly"), ("limit", "10")]).await;
        let (status, html) = fetch(&alice, "/budgets").await;
        assert_eq!(status, StatusCode::OK);
        assert!(!html.contains("<script>x"), "{html}");
        assert!(html.contains(&escaped("<script>x</script>")), "{html}");
        for form in html.split("<form method=\"post\"").skip(1) {
            let form = form.split("</form>").next().unwrap_or_default();
            assert!(form.contains("name=\"csrf_token\""), "{form}");
        }
    }
}
