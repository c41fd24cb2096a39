//! The bill pages (`/bills…`) and their no-JavaScript forms, on both engines: adding a bill
//! through the form (listed, on its page, on the tracker), bad input per field (422 naming
//! the field, typed value kept, nothing written), a stale edit (409, "changed elsewhere"),
//! delete / restore / deactivate / delete for good, the list's tabs, search, filter and sort,
//! another user's ids (404, their bill unchanged) and the escaping of bill names. Payments and
//! occurrence overrides on the bill page are in `pages_bills/payments.rs`. The manual clock
//! starts on Saturday 2026-03-14.

mod payments;

use domain::user::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::app_tests;
use crate::pages_support::{escaped, fetch, page, submit, unescape_amp};
use crate::support::{Browser, TestApp};

/// The bill form's fields for a monthly USD bill due on the 20th from March 2026, with
/// `changes` laid over them.
pub fn bill_form<'a>(changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut fields = vec![
        ("name", "Rent"),
        ("category_id", ""),
        ("expected_amount", "1234.56"),
        ("currency", "USD"),
        ("amount_kind", "fixed"),
        ("expected_min", ""),
        ("expected_max", ""),
        ("cycle", "monthly"),
        ("anchor_date", "2026-03-01"),
        ("due_day", "20"),
        ("reminder_days", ""),
        ("autopay", "off"),
        ("autopay_verified_on", ""),
        ("website", ""),
        ("account_details", ""),
        ("notes", ""),
        ("debt_balance", ""),
        ("apr", ""),
        ("min_payment", ""),
        ("payoff_order", ""),
    ];
    for (name, value) in changes {
        match fields.iter_mut().find(|(n, _)| n == name) {
            Some(field) => field.1 = value,
            None => fields.push((name, value)),
        }
    }
    fields
}

/// Adds a bill through the form; returns its id (from the redirect to its page).
pub async fn add_bill(browser: &Browser, changes: &[(&str, &str)]) -> String {
    let (status, location, body) = submit(browser, "/bills", &bill_form(changes)).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
    location
        .strip_prefix("/bills/")
        .and_then(|rest| rest.split('?').next())
        .expect("redirect to the bill")
        .to_owned()
}

/// The caller's bills through the JSON API, deleted and inactive ones included.
pub async fn api_bills(browser: &Browser) -> Vec<Value> {
    let response = browser
        .get("/api/bills?include_inactive=true&include_deleted=true")
        .await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.expect("json");
    body.as_array().cloned().unwrap_or_default()
}

/// One bill through the JSON API.
pub async fn api_bill(browser: &Browser, id: &str) -> Value {
    let response = browser.get(&format!("/api/bills/{id}")).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("json")
}

pub async fn alice(app: &TestApp) -> Browser {
    app.signed_in("alice", Role::User).await
}

app_tests! {
    async fn a_bill_added_through_the_form_is_listed_and_on_the_tracker(app) {
        let browser = alice(&app).await;
        let html = page(&browser, "/bills").await;
        assert!(html.contains("No bills yet"), "{html}");
        assert!(html.contains("href=\"/bills/new\""), "the empty state offers to add one");
        let form = page(&browser, "/bills/new").await;
        assert!(form.contains("action=\"/bills\""), "{form}");
        assert!(form.contains("<option value=\"USD\" selected>"), "the user's currency by default");
        assert!(form.contains("nothing is sent yet"), "the reminder field says plainly that nothing delivers it yet");

        let id = add_bill(&browser, &[]).await;
        let html = page(&browser, &format!("/bills/{id}?notice=created")).await;
        assert!(html.contains("Bill added"), "{html}");
        assert!(html.contains("$1,234.56"));
        assert!(html.contains("Monthly on the 20th"));
        assert!(html.contains("Mar 20, 2026"));

        let html = page(&browser, "/bills").await;
        assert!(html.contains(&format!("href=\"/bills/{id}\">Rent</a>")), "{html}");
        assert!(html.contains("$1,234.56"));
        assert!(html.contains("Monthly on the 20th"));
        assert!(html.contains("in 6 days"));
        let tracker = page(&browser, "/?year=2026&month=3").await;
        assert!(tracker.contains("Rent") && tracker.contains("$1,234.56"), "{tracker}");
    }

    async fn every_field_of_the_form_is_saved_and_shown(app) {
        let browser = alice(&app).await;
        let id = add_bill(&browser, &[
            ("name", "Credit card"),
            ("amount_kind", "estimated"),
            ("expected_amount", "80"),
            ("expected_min", "60"),
            ("expected_max", "100.50"),
            ("cycle", "quarterly"),
            ("due_day", "31"),
            ("reminder_days", "7, 1, 0"),
            ("autopay", "verified"),
            ("autopay_verified_on", "2026-03-01"),
            ("auto_mark_paid", "true"),
            ("is_subscription", "true"),
            ("website", "https://bank.example/pay"),
            ("account_details", "Card ending 4242"),
            ("notes", "Paid from checking\nsecond line"),
            ("debt_balance", "2500.00"),
            ("apr", "19.99"),
            ("min_payment", "35"),
            ("payoff_order", "2"),
        ]).await;
        let bill = api_bill(&browser, &id).await;
        assert_eq!(bill["amount_kind"], "estimated");
        assert_eq!(bill["expected_max"], "100.50");
        assert_eq!(bill["cycle"], "quarterly");
        assert_eq!(bill["due_day"], 31);
        assert_eq!(bill["reminder_days"], json!([0, 1, 7]));
        assert_eq!(bill["autopay"], "verified");
        assert_eq!(bill["auto_mark_paid"], true);
        assert_eq!(bill["is_subscription"], true);
        assert_eq!(bill["account_details"], "Card ending 4242");
        assert_eq!(bill["apr"], "19.99");
        assert_eq!(bill["payoff_order"], 2);
        let html = page(&browser, &format!("/bills/{id}")).await;
        for shown in ["≈ $80.00", "$60.00 – $100.50", "Every 3 months on the 31st", "Autopay verified", "Debt", "Subscription", "$2,500.00", "19.99%", "Card ending 4242", "href=\"https://bank.example/pay\"", "7 days before"] {
            assert!(html.contains(shown), "{shown}: {html}");
        }
        let edit = page(&browser, &format!("/bills/{id}/edit")).await;
        assert!(edit.contains("value=\"0, 1, 7\""), "the edit form holds the saved values: {edit}");
        assert!(edit.contains("Card ending 4242"));
    }

    async fn bad_input_comes_back_under_its_field_and_nothing_is_written(app) {
        let browser = alice(&app).await;
        let long = "x".repeat(121);
        let cases: Vec<(&str, &str, &str)> = vec![
            ("name", "", "Name must not be empty"),
            ("name", "Rent\u{7}", "Name must not contain control characters"),
            ("name", &long, "Name must be at most 120 characters"),
            ("expected_amount", "12.345", "Amount must have at most 2 decimal places"),
            ("expected_amount", "abc", "Amount must be a number"),
            ("expected_amount", "-5", "Amount must not be negative"),
            ("anchor_date", "2025-02-30", "First due date"),
            // A mistyped date reaches the server empty: refused, never taken as today.
            ("anchor_date", "", "First due date must not be empty"),
            ("due_day", "32", "Due day of the month"),
            ("due_day", "soon", "Due day of the month must be a whole number"),
            ("reminder_days", "7, x", "Reminders must be whole numbers"),
            ("currency", "XYZ", "Currency XYZ is not a supported currency"),
            ("website", "javascript:alert(1)", "Website must be a web address starting with http"),
            ("apr", "19.999", "APR must have at most 2 decimal places"),
            ("payoff_order", "0", "Payoff order must be from 1 to 999"),
            ("category_id", "not-an-id", "Category must be the id of one of your categories"),
        ];
        for (field, value, message) in cases {
            let (status, _, html) = submit(&browser, "/bills", &bill_form(&[(field, value)])).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}={value:?}: {html}");
            assert!(html.contains(message), "{field}={value:?}: {html}");
            assert!(html.contains(&format!("href=\"#{field}\"")), "the summary links to {field}");
            assert!(
                html.contains(&format!("id=\"{field}\" name=\"{field}\"")) && html.contains("aria-invalid=\"true\""),
                "{field} is marked invalid"
            );
            if field != "category_id" && field != "currency" && !value.is_empty() {
                assert!(html.contains(&format!("value=\"{}\"", escaped(value))), "{field}: the typed value is kept");
            }
        }
        let (status, _, html) = submit(&browser, "/bills", &bill_form(&[("name", "Kept"), ("expected_amount", "abc")])).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("value=\"Kept\""), "the other fields are kept too");
        assert!(api_bills(&browser).await.is_empty(), "nothing was written");
    }

    async fn an_edit_of_a_stale_version_says_it_changed_elsewhere(app) {
        let browser = alice(&app).await;
        let id = add_bill(&browser, &[]).await;
        let version = api_bill(&browser, &id).await["version"].as_i64().expect("version").to_string();
        let form = page(&browser, &format!("/bills/{id}/edit")).await;
        assert!(form.contains(&format!("name=\"version\" value=\"{version}\"")), "{form}");

        let renamed = browser.send(reqwest::Method::PATCH, &format!("/api/bills/{id}"), Some(json!({"version": version.parse::<i64>().unwrap(), "name": "Rent (other tab)"}))).await;
        assert_eq!(renamed.status(), StatusCode::OK);
        let path = format!("/bills/{id}");
        let (status, _, html) = submit(&browser, &path, &bill_form(&[("name", "Rent (this tab)"), ("version", &version)])).await;
        assert_eq!(status, StatusCode::CONFLICT, "{html}");
        assert!(html.contains("changed elsewhere"), "{html}");
        assert!(html.contains("value=\"Rent (this tab)\""), "the typed values are kept");
        assert_eq!(api_bill(&browser, &id).await["name"], "Rent (other tab)", "nothing was saved");

        let version = api_bill(&browser, &id).await["version"].as_i64().expect("version").to_string();
        let (status, location, _) = submit(&browser, &path, &bill_form(&[("name", "Flat rent"), ("version", &version)])).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(page(&browser, &location).await.contains("Changes saved"));
        assert_eq!(api_bill(&browser, &id).await["name"], "Flat rent");
    }

    async fn delete_restore_deactivate_and_delete_for_good(app) {
        let browser = alice(&app).await;
        let id = add_bill(&browser, &[("name", "Gym")]).await;
        let link = format!("href=\"/bills/{id}\">Gym</a>");

        let (status, location, _) = submit(&browser, &format!("/bills/{id}/delete"), &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let html = page(&browser, &location).await;
        assert!(html.contains("Bill deleted"), "{html}");
        assert!(html.contains(&format!("action=\"/bills/{id}/restore\"")), "the banner offers Restore");
        assert!(!html.contains(&link), "gone from Active");
        assert!(page(&browser, "/bills?show=deleted").await.contains(&link), "listed under Deleted");
        assert!(!page(&browser, "/?year=2026&month=3").await.contains("Gym"), "off the tracker");

        let (status, location, _) = submit(&browser, &format!("/bills/{id}/restore"), &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(page(&browser, &location).await.contains("Bill restored"));
        assert!(page(&browser, "/bills").await.contains(&link), "back in Active");

        let (status, _, _) = submit(&browser, &format!("/bills/{id}/deactivate"), &[("on", "2026-03-14")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(page(&browser, "/bills?show=inactive").await.contains(&link), "listed under Inactive");
        let html = page(&browser, &format!("/bills/{id}")).await;
        assert!(html.contains("(deactivated)"), "the history shows the closed period: {html}");
        let (status, _, html) = submit(&browser, &format!("/bills/{id}/reactivate"), &[("on", "2026-02-30")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
        assert!(html.contains("value=\"2026-02-30\""), "the typed date is kept");
        let (status, _, _) = submit(&browser, &format!("/bills/{id}/reactivate"), &[("on", "")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(page(&browser, "/bills").await.contains(&link));

        submit(&browser, &format!("/bills/{id}/delete"), &[]).await;
        let html = page(&browser, &format!("/bills/{id}")).await;
        assert!(html.contains("This bill is deleted") && html.contains("data-confirm="), "{html}");
        let (status, _, html) = submit(&browser, &format!("/bills/{id}/delete-permanently"), &[]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("Tick the box"), "{html}");
        assert_eq!(api_bills(&browser).await.len(), 1, "not deleted without the confirmation");
        let (status, location, _) = submit(&browser, &format!("/bills/{id}/delete-permanently"), &[("confirm", "true")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(page(&browser, &location).await.contains("deleted for good"));
        assert_eq!(fetch(&browser, &format!("/bills/{id}")).await.0, StatusCode::NOT_FOUND);
        assert!(api_bills(&browser).await.is_empty());
    }

    async fn the_list_searches_filters_and_sorts_with_bookmarkable_urls(app) {
        let browser = alice(&app).await;
        let (status, _, _) = submit(&browser, "/categories", &[("name", "Home"), ("color", "#336699"), ("is_spending", "true")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let categories: Value = browser.get("/api/categories").await.json().await.expect("json");
        let home = categories[0]["id"].as_str().expect("id").to_owned();
        add_bill(&browser, &[("name", "Rent"), ("expected_amount", "900"), ("category_id", &home)]).await;
        add_bill(&browser, &[("name", "Power"), ("expected_amount", "80"), ("category_id", &home), ("due_day", "5")]).await;
        add_bill(&browser, &[("name", "Phone"), ("expected_amount", "30")]).await;

        let html = page(&browser, "/bills?q=pow").await;
        assert!(html.contains(">Power</a>") && !html.contains(">Rent</a>") && !html.contains(">Phone</a>"), "{html}");
        let html = page(&browser, "/bills?q=zzz").await;
        assert!(html.contains("No bills match"), "{html}");
        let html = page(&browser, &format!("/bills?category={home}")).await;
        assert!(html.contains(">Power</a>") && html.contains(">Rent</a>") && !html.contains(">Phone</a>"));
        let html = page(&browser, "/bills?category=none").await;
        assert!(html.contains(">Phone</a>") && !html.contains(">Rent</a>"));

        let html = page(&browser, "/bills?sort=amount&dir=desc").await;
        let at = |name: &str| html.find(&format!(">{name}</a>")).expect(name);
        assert!(at("Rent") < at("Power") && at("Power") < at("Phone"), "largest first");
        let html = page(&browser, "/bills?sort=next_due").await;
        let at = |name: &str| html.find(&format!(">{name}</a>")).expect(name);
        assert!(at("Power") < at("Rent"), "Power is still owing from March 5th, Rent is due on the 20th");
        let html = unescape_amp(&page(&browser, "/bills?q=pow&sort=amount&dir=desc").await);
        assert!(html.contains("href=\"/bills?show=deleted&q=pow&sort=amount&dir=desc\""), "the tabs keep the search: {html}");
        assert!(html.contains("<option value=\"amount\" selected>"));

        let html = page(&browser, "/bills?show=everything&sort=drop").await;
        assert!(html.contains("That filter is not valid"), "{html}");
        assert!(html.contains(">Phone</a>"));
    }

    async fn another_users_bill_is_not_found_and_stays_unchanged(app) {
        let bob = app.signed_in("bob", Role::User).await;
        let id = add_bill(&bob, &[("name", "Bob's rent")]).await;
        let before = api_bill(&bob, &id).await;
        let alice = alice(&app).await;
        for path in [format!("/bills/{id}"), format!("/bills/{id}/edit"), "/bills/nope".to_owned(), "/bills/nope/edit".to_owned()] {
            let (status, html) = fetch(&alice, &path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
            assert!(!html.contains("Bob&#39;s rent") && !html.contains("Bob's rent"), "{path}: {html}");
        }
        let posts: Vec<(String, Vec<(&str, &str)>)> = vec![
            (format!("/bills/{id}"), bill_form(&[("name", "Mine now"), ("version", "1")])),
            (format!("/bills/{id}/delete"), vec![]),
            (format!("/bills/{id}/deactivate"), vec![]),
            (format!("/bills/{id}/delete-permanently"), vec![("confirm", "true")]),
            (format!("/bills/{id}/payments"), vec![("amount", "10.00"), ("paid_on", "2026-03-10")]),
            (format!("/bills/{id}/occurrence"), vec![("due_date", "2026-03-20"), ("skipped", "true")]),
        ];
        for (path, fields) in posts {
            let (status, _, html) = submit(&alice, &path, &fields).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}: {html}");
        }
        let after = api_bill(&bob, &id).await;
        assert_eq!(after, before, "bob's bill is unchanged");
        let payments: Value = bob.get(&format!("/api/payments?bill_id={id}")).await.json().await.expect("json");
        assert_eq!(payments["items"], json!([]), "no payment was recorded on it");
        assert!(!page(&alice, "/bills").await.contains("Bob"));
    }

    async fn bill_names_are_escaped_and_the_pages_keep_to_the_csp(app) {
        let browser = alice(&app).await;
        let name = "<script>alert(1)</script>";
        let id = add_bill(&browser, &[("name", name), ("notes", "\"><img src=x onerror=alert(1)>")]).await;
        for path in ["/bills".to_owned(), format!("/bills/{id}"), format!("/bills/{id}/edit"), "/bills/new".to_owned(), "/categories".to_owned()] {
            let response = browser.get(&path).await;
            assert_eq!(response.status(), StatusCode::OK, "{path}");
            let csp = response.headers().get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
            let html = response.text().await.expect("body");
            assert!(!html.contains("<script>alert"), "{path}: {html}");
            assert!(!html.contains("<img src=x"), "{path}");
            if path != "/bills/new" && path != "/categories" {
                assert!(html.contains(&escaped(name)), "{path}: the name renders as text");
            }
            assert!(!html.contains("style="), "{path}: no inline styles");
            assert!(html.contains("href=\"/static/app.css\""), "{path}: the one stylesheet");
            let nonce = csp.split("'nonce-").nth(1).and_then(|rest| rest.split('\'').next()).expect("nonce").to_owned();
            for tag in html.split('<').skip(1) {
                if tag.starts_with("script") || tag.starts_with("link rel=\"stylesheet\"") {
                    assert!(tag.contains(&format!("nonce=\"{nonce}\"")), "{path}: {tag}");
                }
                let lower = tag.to_ascii_lowercase();
                let attrs = lower.split('>').next().unwrap_or_default();
                assert!(!attrs.split_whitespace().any(|a| a.starts_with("on") && a.contains('=')), "{path}: {tag}");
            }
            for form in html.split("<form method=\"post\"").skip(1) {
                let form = form.split("</form>").next().unwrap_or_default();
                assert!(form.contains("name=\"csrf_token\""), "{path}: {form}");
            }
        }
        let css = browser.get("/static/app.css").await;
        assert_eq!(css.status(), StatusCode::OK);
        assert!(css.text().await.expect("css").contains(".breadcrumb"), "the bills rules are in the one stylesheet");
    }

    async fn the_bootstrap_administrator_gets_403_and_strangers_sign_in(app) {
        app.account("first", crate::support::PASSWORD, Role::Admin).await;
        let first = crate::tracker::owner(&app, "first").await;
        app.app.store.tamper_for_tests(&format!("UPDATE users SET is_bootstrap = TRUE WHERE id = '{first}'")).await;
        let mut admin = app.browser().await;
        assert_eq!(admin.login("first", crate::support::PASSWORD).await.status(), StatusCode::OK);
        for path in ["/bills", "/bills/new", "/categories"] {
            assert_eq!(admin.get(path).await.status(), StatusCode::FORBIDDEN, "{path}");
        }
        let (status, _, _) = submit(&admin, "/bills", &bill_form(&[])).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let anonymous = app.browser().await;
        let response = anonymous.get("/bills?show=deleted").await;
        let location = response.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        assert!(location.starts_with("/login?next=/bills"), "{location}");
    }
}
