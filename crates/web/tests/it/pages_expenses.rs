//! The expenses pages (`/expenses…`) and their no-JavaScript forms, on both engines: adding
//! through the form, filters and literal search, pagination that keeps the filters, bad input
//! per field (422 naming the field, typed value kept, nothing written), bulk delete with undo,
//! delete with restore, another user's ids (404, their row unchanged) and escaping. The manual
//! clock starts on Saturday 2026-03-14.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::app_tests;
use crate::money::{category, created, get, spend, text, user};
use crate::pages_support::{escaped, fetch, page, submit, unescape_amp};
use crate::support::Browser;

/// How many expense rows the list shows.
fn rows(html: &str) -> usize {
    html.matches("name=\"ids\"").count()
}

/// The caller's live expenses through the API.
async fn stored(browser: &Browser) -> Value {
    let (status, found) = get(browser, "/api/expenses?limit=500").await;
    assert_eq!(status, StatusCode::OK, "{found}");
    found
}

/// A valid expense form with `field` set to `value`.
fn form_with<'a>(field: &'a str, value: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("amount", "12.34"),
        ("currency", "USD"),
        ("spent_on", "2026-03-10"),
        ("category_id", ""),
        ("payee", "Corner shop"),
        ("note", ""),
        ("method", ""),
    ];
    for pair in &mut form {
        if pair.0 == field {
            pair.1 = value;
        }
    }
    form
}

app_tests! {
    async fn an_expense_added_through_the_form_is_listed_with_its_amount(app) {
        let (alice, owner) = user(&app, "alice").await;
        let food = category(&app, owner, "Food").await.to_string();
        let html = page(&alice, "/expenses").await;
        assert!(html.contains("No expenses yet"), "{html}");
        assert!(html.contains("href=\"/expenses/new\""));
        let form = page(&alice, "/expenses/new").await;
        assert!(form.contains("value=\"2026-03-14\""), "today by default: {form}");
        assert!(form.contains("<option value=\"USD\" selected>"), "the user's currency");
        assert!(form.contains(&format!("<option value=\"{food}\">Food</option>")), "{form}");

        let (status, location, _) = submit(&alice, "/expenses", &[
            ("amount", "1234.5"), ("currency", "USD"), ("spent_on", "2026-03-10"),
            ("category_id", &food), ("payee", "Corner shop"), ("note", "milk and bread"), ("method", "card"),
        ]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(location, "/expenses?notice=added");
        let html = page(&alice, &location).await;
        assert!(html.contains("Expense added."), "{html}");
        for shown in ["Corner shop", "milk and bread", "Paid by card", "$1,234.50", ">Food</span>", "Mar 10, 2026", "1 expense"] {
            assert!(html.contains(shown), "{shown}: {html}");
        }
        let found = stored(&alice).await;
        assert_eq!(found["items"][0]["amount_minor"], 123_450);
    }

    async fn filters_narrow_the_list_and_a_percent_sign_matches_only_itself(app) {
        let (alice, owner) = user(&app, "alice").await;
        let food = category(&app, owner, "Food").await.to_string();
        spend(&alice, "10", "2026-03-02", "50% off sale").await;
        spend(&alice, "20", "2026-03-03", "500 things").await;
        spend(&alice, "30", "2026-02-20", "February rent").await;
        created(&alice, "/api/expenses", json!({"amount": "40", "spent_on": "2026-03-04", "payee": "Grocer", "category_id": food})).await;

        let html = page(&alice, "/expenses?q=%25").await;
        assert!(html.contains("50% off sale"), "{html}");
        assert!(!html.contains("500 things"), "a literal %: {html}");
        assert_eq!(rows(&html), 1);
        assert!(html.contains("value=\"%\""), "the search is kept in its field");

        let html = page(&alice, "/expenses?month=2026-03").await;
        assert_eq!(rows(&html), 3, "{html}");
        assert!(!html.contains("February rent"));
        let html = page(&alice, &format!("/expenses?category_id={food}")).await;
        assert_eq!(rows(&html), 1);
        assert!(html.contains("Grocer"));
        let html = page(&alice, "/expenses?min_amount=15&max_amount=35").await;
        assert_eq!(rows(&html), 2, "{html}");
        let html = page(&alice, "/expenses?from=2026-03-03&to=2026-03-04&sort=amount&dir=asc").await;
        assert_eq!(rows(&html), 2);
        let order = (html.find("500 things"), html.find("Grocer"));
        assert!(matches!(order, (Some(a), Some(b)) if a < b), "sorted by amount, ascending");
        let html = page(&alice, "/expenses?q=nothing-like-this").await;
        assert!(html.contains("No expenses match these filters"), "{html}");

        for (query, message) in [
            ("from=2025-02-30", "From is not a day of the calendar"),
            ("month=March", "Month must be a month written like 2026-03"),
            ("min_amount=abc", "Minimum amount must be a number like 12.34"),
            ("sort=drop", "Sort by must be one of"),
        ] {
            let (status, html) = fetch(&alice, &format!("/expenses?{query}")).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
            assert!(html.contains(message), "{query}: {html}");
            assert_eq!(rows(&html), 0, "{query}: nothing listed while a filter is refused");
        }
    }

    async fn page_links_keep_the_filters_and_the_sort(app) {
        let (alice, _) = user(&app, "alice").await;
        for n in 1..=30 {
            spend(&alice, &format!("{n}.00"), "2026-03-01", &format!("Coffee {n:02}")).await;
        }
        spend(&alice, "99", "2026-03-01", "Tea").await;
        let html = unescape_amp(&page(&alice, "/expenses?q=Coffee&sort=amount&dir=asc").await);
        assert_eq!(rows(&html), 25);
        assert!(html.contains("30 expenses match"), "{html}");
        assert!(html.contains("Page 1 of 2"));
        let next = "/expenses?q=Coffee&sort=amount&dir=asc&page=2";
        assert!(html.contains(&format!("href=\"{next}\"")), "{html}");
        let html = page(&alice, next).await;
        assert_eq!(rows(&html), 5);
        assert!(html.contains("Coffee 26") && html.contains("Coffee 30"), "{html}");
        assert!(!html.contains("Tea"));
        assert!(unescape_amp(&html).contains("href=\"/expenses?q=Coffee&sort=amount&dir=asc\" rel=\"prev\""));
    }

    async fn bad_input_is_refused_per_field_with_422_keeping_what_was_typed(app) {
        let (alice, _) = user(&app, "alice").await;
        let long = "x".repeat(121);
        let stranger = uuid::Uuid::now_v7().to_string();
        let cases: Vec<(&str, &str, &str)> = vec![
            ("amount", "", "Amount must not be empty"),
            ("amount", "12.345", "Amount must have at most 2 decimal places for USD"),
            ("amount", "abc", "Amount must be a number like 12.34"),
            ("amount", "0", "Amount must not be zero"),
            ("amount", "99999999999999999999", "Amount is too large"),
            ("spent_on", "2025-02-30", "Date is not a day of the calendar"),
            ("spent_on", "14/03/2026", "Date must be a date written like 2025-03-14"),
            ("payee", "Shop\u{7}bell", "Payee must not contain control characters"),
            ("payee", &long, "Payee must be at most 120 characters"),
            ("method", &long, "Payment method must be at most 120 characters"),
            ("note", "a\u{1}b", "Note must not contain control characters"),
            ("currency", "XYZ", "Currency XYZ is not a supported currency"),
            ("category_id", "not-an-id", "Choose one of your categories."),
            ("category_id", &stranger, "Choose one of your categories."),
        ];
        for (field, value, message) in cases {
            let (status, _, html) = submit(&alice, "/expenses", &form_with(field, value)).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}={value:?}: {html}");
            assert!(html.contains(message), "{field}={value:?} names the field: {html}");
            assert!(html.contains(&format!("id=\"{field}-error\"")), "{field}: the message sits under the field");
            assert!(html.contains("aria-invalid=\"true\""), "{field}");
            if field != "category_id" && field != "currency" {
                let kept = if field == "note" { format!(">{}</textarea>", escaped(value)) } else { format!("value=\"{}\"", escaped(value)) };
                assert!(html.contains(&kept), "{field}: the typed value is kept: {html}");
            }
            assert!(html.contains("value=\"Corner shop\"") || field == "payee", "the other fields are kept");
        }
        assert_eq!(stored(&alice).await["total"], 0, "nothing was written");
    }

    async fn editing_saves_every_field_and_a_stale_form_is_refused(app) {
        let (alice, _) = user(&app, "alice").await;
        let made = spend(&alice, "5", "2026-03-01", "Bakery").await;
        let id = text(&made, "id").to_owned();
        let back = "/expenses?q=Bak";
        let html = page(&alice, &format!("/expenses/{id}/edit?return_to=%2Fexpenses%3Fq%3DBak")).await;
        assert!(html.contains("value=\"5.00\"") && html.contains("value=\"Bakery\""), "{html}");
        assert!(html.contains(&format!("action=\"/expenses/{id}\"")));
        let version = made["version"].to_string();
        let mut form = form_with("amount", "7.25");
        form.push(("version", &version));
        form.push(("return_to", back));
        let (status, location, _) = submit(&alice, &format!("/expenses/{id}"), &form).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(location, "/expenses?q=Bak&notice=saved");
        let html = page(&alice, "/expenses").await;
        assert!(html.contains("$7.25") && html.contains("Corner shop"), "{html}");

        let (status, _, html) = submit(&alice, &format!("/expenses/{id}"), &form).await;
        assert_eq!(status, StatusCode::CONFLICT, "the same version again is stale");
        assert!(html.contains("changed elsewhere"), "{html}");
    }

    async fn bulk_delete_then_undo_brings_the_rows_back(app) {
        let (alice, _) = user(&app, "alice").await;
        let a = text(&spend(&alice, "1", "2026-03-01", "Alpha").await, "id").to_owned();
        let b = text(&spend(&alice, "2", "2026-03-02", "Beta").await, "id").to_owned();
        spend(&alice, "3", "2026-03-03", "Gamma").await;
        let html = page(&alice, "/expenses").await;
        assert!(html.contains("action=\"/expenses/bulk-delete\""));
        assert!(html.contains("form=\"bulk-delete\""), "row checkboxes belong to the bulk form");

        let (status, location, _) = submit(&alice, "/expenses/bulk-delete", &[("ids", &a), ("ids", &b), ("return_to", "/expenses?sort=payee&dir=asc")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(location.starts_with("/expenses?sort=payee&dir=asc&notice=bulk_deleted&count=2&undo="), "{location}");
        let token = location.split("undo=").nth(1).expect("undo token").to_owned();
        let html = page(&alice, &location).await;
        assert!(html.contains("Deleted 2 expenses."), "{html}");
        assert!(html.contains("action=\"/expenses/undo\"") && html.contains(&token));
        assert!(!html.contains("Alpha") && html.contains("Gamma"));
        assert_eq!(stored(&alice).await["total"], 1);

        let (status, location, _) = submit(&alice, "/expenses/undo", &[("undo_token", &token), ("return_to", "/expenses")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let html = page(&alice, &location).await;
        assert!(html.contains("Undone: 2 expenses back."), "{html}");
        assert!(html.contains("Alpha") && html.contains("Beta"));
        assert_eq!(stored(&alice).await["total"], 3);

        let (_, location, _) = submit(&alice, "/expenses/undo", &[("undo_token", &token)]).await;
        assert!(location.contains("error=nothing_to_undo"), "{location}");
        let (_, location, _) = submit(&alice, "/expenses/bulk-delete", &[("return_to", "/expenses")]).await;
        assert!(location.contains("error=none_selected"), "{location}");
        assert!(page(&alice, &location).await.contains("Select at least one expense"));
    }

    async fn a_deleted_expense_can_be_restored_from_the_banner(app) {
        let (alice, _) = user(&app, "alice").await;
        let id = text(&spend(&alice, "8", "2026-03-05", "Florist").await, "id").to_owned();
        let (status, location, _) = submit(&alice, &format!("/expenses/{id}/delete"), &[("return_to", "/expenses")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let html = page(&alice, &location).await;
        assert!(html.contains("Expense deleted."), "{html}");
        assert!(html.contains(&format!("action=\"/expenses/{id}/restore\"")), "{html}");
        assert!(html.contains("No expenses yet"));
        assert_eq!(stored(&alice).await["total"], 0);

        let (status, location, _) = submit(&alice, &format!("/expenses/{id}/restore"), &[("return_to", "/expenses")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let html = page(&alice, &location).await;
        assert!(html.contains("Expense restored.") && html.contains("Florist"), "{html}");
        assert_eq!(stored(&alice).await["total"], 1);
    }

    async fn another_users_expense_is_not_found_and_stays_unchanged(app) {
        let (alice, _) = user(&app, "alice").await;
        let (bob, _) = user(&app, "bob").await;
        let theirs = spend(&bob, "42", "2026-03-05", "Bob's shop").await;
        let id = text(&theirs, "id").to_owned();
        let (status, _) = fetch(&alice, &format!("/expenses/{id}/edit")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let mut form = form_with("amount", "1");
        form.push(("version", "1"));
        for (path, fields) in [
            (format!("/expenses/{id}"), form.clone()),
            (format!("/expenses/{id}/delete"), Vec::new()),
            (format!("/expenses/{id}/restore"), Vec::new()),
        ] {
            let (status, _, html) = submit(&alice, &path, &fields).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
            assert!(!html.contains("Bob"), "{path}");
        }
        let (status, location, _) = submit(&alice, "/expenses/bulk-delete", &[("ids", &id)]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(location.contains("error=not_found"), "{location}");
        assert_eq!(fetch(&alice, "/expenses/not-an-id/edit").await.0, StatusCode::NOT_FOUND);
        assert!(!page(&alice, "/expenses").await.contains("Bob"));

        let (status, now) = get(&bob, &format!("/api/expenses/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(now, theirs, "their row is unchanged");
    }

    async fn user_text_is_escaped_and_forms_carry_the_csrf_token(app) {
        let (alice, _) = user(&app, "alice").await;
        spend(&alice, "1", "2026-03-05", "<script>alert(1)</script>").await;
        let html = page(&alice, "/expenses").await;
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(html.contains(&escaped("<script>alert(1)</script>")), "{html}");
        assert!(!html.contains("style="), "no inline styles");
        for form in html.split("<form method=\"post\"").skip(1) {
            let form = form.split("</form>").next().unwrap_or_default();
            assert!(form.contains("name=\"csrf_token\""), "{form}");
        }
        let (_, _, html) = submit(&alice, "/expenses", &form_with("payee", "<b>bold</b>\u{1}")).await;
        assert!(!html.contains("<b>bold"), "{html}");
        assert!(!page(&alice, "/expenses/new").await.contains("style="));
    }
}
