//! Bills and categories through the JSON API, as their owner and as another user meets them:
//! round trips (create, read, edit, soft delete, restore, permanent delete), optimistic
//! concurrency, active ranges, due days clamped to short months, account details encrypted at
//! rest, and the security requirements AZ-02, AZ-03, AZ-07, VAL-05 (VAL-01 in [`validation`]).
//! The test clock stands at 2026-03-14 09:00 UTC, so "today" is 14 March 2026.

mod next_due;
mod validation;

use domain::user::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::app_tests;
use crate::support::{Browser, PASSWORD, TestApp};

/// Status and JSON body (`Null` when there is none).
pub(crate) async fn read(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

pub(crate) async fn get(b: &Browser, path: &str) -> (StatusCode, Value) {
    read(b.get(path).await).await
}

pub(crate) async fn call(
    b: &Browser,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    read(b.send(method, path, body).await).await
}

/// Creates a bill and returns it, failing the test unless it is 201.
pub(crate) async fn new_bill(b: &Browser, body: Value) -> Value {
    let (status, bill) = call(b, Method::POST, "/api/bills", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{bill}");
    bill
}

async fn new_category(b: &Browser, name: &str) -> Value {
    let body = json!({"name": name, "color": "#1A2B3C", "icon": "home", "is_spending": false});
    let (status, category) = call(b, Method::POST, "/api/categories", Some(body)).await;
    assert_eq!(status, StatusCode::CREATED, "{category}");
    category
}

/// The ids in a list answer, in order.
fn ids(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("list")
        .iter()
        .map(|item| item["id"].as_str().expect("id").to_owned())
        .collect()
}

/// A browser signed in as the bootstrap administrator (who administers but has no data).
async fn bootstrap_admin(app: &TestApp) -> Browser {
    let row = app.account("first", PASSWORD, Role::Admin).await;
    app.app
        .store
        .tamper_for_tests(&format!(
            "UPDATE users SET is_bootstrap = TRUE WHERE id = '{}'",
            row.id
        ))
        .await;
    let mut browser = app.browser().await;
    assert_eq!(
        browser.login("first", PASSWORD).await.status(),
        StatusCode::OK
    );
    browser
}

app_tests! {
    async fn a_bill_goes_through_create_read_edit_delete_restore_and_permanent_delete(app) {
        let alice = app.signed_in("alice", Role::User).await;
        let housing = new_category(&alice, "Housing").await;
        let bill = new_bill(&alice, json!({
            "name": " Rent ", "category_id": housing["id"], "expected_amount": "1200.5",
            "due_day": 1, "anchor_date": "2026-01-01", "notes": "Flat 3\nsecond floor",
            "autopay": "assumed", "reminder_days": [7, 1], "website": "https://landlord.example/pay",
            "debt_balance": "15000", "apr": "19.99", "min_payment": "35.10", "payoff_order": 2,
        })).await;
        assert_eq!(bill["name"], "Rent");
        assert_eq!((bill["expected_amount"].as_str(), bill["expected_amount_minor"].as_i64()), (Some("1200.50"), Some(120_050)));
        assert_eq!((bill["currency"].as_str(), bill["cycle"].as_str(), bill["amount_kind"].as_str()), (Some("USD"), Some("monthly"), Some("fixed")));
        assert_eq!(bill["next_due"], "2026-01-01", "the earliest due date still owing, not the next from today");
        assert_eq!(bill["reminder_days"], json!([1, 7]));
        assert_eq!((bill["debt_balance_minor"].as_i64(), bill["apr"].as_str(), bill["min_payment"].as_str()), (Some(1_500_000), Some("19.99"), Some("35.10")));
        assert_eq!((bill["is_active"].as_bool(), bill["version"].as_i64()), (Some(true), Some(1)));
        let path = format!("/api/bills/{}", bill["id"].as_str().expect("id"));
        assert_eq!(get(&alice, &path).await, (StatusCode::OK, bill.clone()));
        let (_, categories) = get(&alice, "/api/categories").await;
        assert_eq!(categories[0]["bill_count"], 1, "{categories}");

        // A partial edit changes what it names and keeps the rest.
        let (status, edited) = call(&alice, Method::PATCH, &path, Some(json!({"version": 1, "expected_amount": "1250", "category_id": null, "debt_balance": "14000.25"}))).await;
        assert_eq!(status, StatusCode::OK, "{edited}");
        assert_eq!((edited["expected_amount"].as_str(), edited["category_id"].clone()), (Some("1250.00"), Value::Null));
        assert_eq!((edited["debt_balance"].as_str(), edited["notes"].as_str()), (Some("14000.25"), Some("Flat 3\nsecond floor")));
        assert!(edited["version"].as_i64() > Some(1));
        // Switching to weekly drops the due day; estimated bills keep a range.
        let (status, weekly) = call(&alice, Method::PATCH, &path, Some(json!({"version": edited["version"], "cycle": "weekly", "amount_kind": "estimated", "expected_min": "1000", "expected_max": "1300"}))).await;
        assert_eq!(status, StatusCode::OK, "{weekly}");
        assert_eq!((weekly["due_day"].clone(), weekly["expected_max_minor"].as_i64(), weekly["next_due"].as_str()), (Value::Null, Some(130_000), Some("2026-01-01")));

        // Soft delete: gone from the list, shown with include_deleted, restorable.
        assert_eq!(call(&alice, Method::DELETE, &path, None).await.0, StatusCode::NO_CONTENT);
        assert!(ids(&get(&alice, "/api/bills").await.1).is_empty());
        let (_, all) = get(&alice, "/api/bills?include_deleted=true").await;
        assert_eq!(ids(&all), vec![bill["id"].as_str().expect("id").to_owned()]);
        assert!(all[0]["deleted_at"].is_string() && all[0]["next_due"].is_null(), "{all}");
        assert_eq!(call(&alice, Method::PATCH, &path, Some(json!({"version": 99, "name": "x"}))).await.0, StatusCode::NOT_FOUND, "a deleted bill is not edited");
        let (status, restored) = call(&alice, Method::POST, &format!("{path}/restore"), None).await;
        assert_eq!((status, restored["deleted_at"].clone()), (StatusCode::OK, Value::Null));
        assert_eq!(ids(&get(&alice, "/api/bills").await.1).len(), 1);

        // Permanent delete needs confirm=true.
        let (status, problem) = call(&alice, Method::DELETE, &format!("{path}/permanent"), None).await;
        assert_eq!((status, problem["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("confirm")));
        let (status, problem) = call(&alice, Method::DELETE, &format!("{path}/permanent?confirm=yes"), None).await;
        assert_eq!((status, problem["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("confirm")));
        assert_eq!(get(&alice, &path).await.0, StatusCode::OK, "still there");
        assert_eq!(call(&alice, Method::DELETE, &format!("{path}/permanent?confirm=true"), None).await.0, StatusCode::NO_CONTENT);
        assert_eq!(get(&alice, &path).await.0, StatusCode::NOT_FOUND);
        assert!(ids(&get(&alice, "/api/bills?include_deleted=true&include_inactive=true").await.1).is_empty());
        assert_eq!(get(&alice, "/api/bills/not-a-uuid").await.0, StatusCode::NOT_FOUND);
    }

    async fn categories_count_their_bills_keep_names_unique_and_restore(app) {
        let alice = app.signed_in("alice", Role::User).await;
        let food = new_category(&alice, "Food").await;
        assert_eq!((food["color"].as_str(), food["icon"].as_str(), food["is_spending"].as_bool(), food["bill_count"].as_i64()), (Some("#1a2b3c"), Some("home"), Some(false), Some(0)));
        let (status, problem) = call(&alice, Method::POST, "/api/categories", Some(json!({"name": "Food"}))).await;
        assert_eq!((status, problem["field"].as_str()), (StatusCode::CONFLICT, Some("name")));
        let (status, defaults) = call(&alice, Method::POST, "/api/categories", Some(json!({"name": "Fun"}))).await;
        assert_eq!((status, defaults["is_spending"].as_bool(), defaults["color"].as_str()), (StatusCode::CREATED, Some(true), Some("#64748b")));
        new_bill(&alice, json!({"name": "Groceries box", "expected_amount": "60", "category_id": food["id"]})).await;
        let path = format!("/api/categories/{}", food["id"].as_str().expect("id"));
        assert_eq!(get(&alice, &path).await.1["bill_count"], 1);

        let (status, renamed) = call(&alice, Method::PATCH, &path, Some(json!({"version": 1, "name": "Groceries", "color": "#FF0000"}))).await;
        assert_eq!((status, renamed["name"].as_str(), renamed["color"].as_str(), renamed["icon"].as_str()), (StatusCode::OK, Some("Groceries"), Some("#ff0000"), Some("home")));
        let (status, problem) = call(&alice, Method::PATCH, &path, Some(json!({"version": 1, "name": "Stale"}))).await;
        assert_eq!((status, problem["field"].as_str()), (StatusCode::CONFLICT, Some("version")));
        let (status, problem) = call(&alice, Method::PATCH, &path, Some(json!({"version": renamed["version"], "name": "Fun"}))).await;
        assert_eq!((status, problem["field"].as_str()), (StatusCode::CONFLICT, Some("name")));
        assert_eq!(get(&alice, &path).await.1["name"], "Groceries", "refused edits change nothing");

        assert_eq!(call(&alice, Method::DELETE, &path, None).await.0, StatusCode::NO_CONTENT);
        let (_, live) = get(&alice, "/api/categories").await;
        assert_eq!(live.as_array().map(Vec::len), Some(1), "{live}");
        let (_, all) = get(&alice, "/api/categories?include_deleted=true").await;
        assert_eq!(all.as_array().map(Vec::len), Some(2), "{all}");
        // A bill cannot be put into a deleted category; its name can be reused meanwhile.
        let (status, problem) = call(&alice, Method::POST, "/api/bills", Some(json!({"name": "x", "expected_amount": "1", "category_id": food["id"]}))).await;
        assert_eq!((status, problem["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("category_id")));
        new_category(&alice, "Groceries").await;
        let (status, problem) = call(&alice, Method::POST, &format!("{path}/restore"), None).await;
        assert_eq!((status, problem["field"].as_str()), (StatusCode::CONFLICT, Some("name")));
        let (_, all) = get(&alice, "/api/categories?include_deleted=true").await;
        let other = all.as_array().expect("list").iter().find(|c| c["name"] == "Groceries" && c["deleted_at"].is_null()).expect("new one");
        let other_path = format!("/api/categories/{}", other["id"].as_str().expect("id"));
        assert_eq!(call(&alice, Method::DELETE, &other_path, None).await.0, StatusCode::NO_CONTENT);
        let (status, back) = call(&alice, Method::POST, &format!("{path}/restore"), None).await;
        assert_eq!((status, back["deleted_at"].clone(), back["bill_count"].as_i64()), (StatusCode::OK, Value::Null, Some(1)));
        for (query, field) in [("include_deleted=maybe", "include_deleted"), ("include_deleted=true&include_deleted=false", "include_deleted"), ("colour=red", "colour")] {
            let (status, problem) = get(&alice, &format!("/api/categories?{query}")).await;
            assert_eq!((status, problem["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field)), "{query}");
            let (status, problem) = get(&alice, &format!("/api/bills?{}", query.replace("colour", "include_inactive=true&colour"))).await;
            assert_eq!((status, problem["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field)), "{query}");
        }
    }

    async fn deactivating_keeps_the_history_and_reactivating_opens_a_new_range(app) {
        let alice = app.signed_in("alice", Role::User).await;
        let bill = new_bill(&alice, json!({"name": "Gym", "expected_amount": "30", "anchor_date": "2026-01-05", "is_subscription": true})).await;
        let path = format!("/api/bills/{}", bill["id"].as_str().expect("id"));
        assert_eq!(get(&alice, &format!("{path}/history")).await.1, json!([{"start_date": "2026-01-05", "end_date": null}]), "tracking starts at the first due date, also in the past");

        // No body at all: deactivated today.
        let (status, off) = read(alice.client.post(alice.url(&format!("{path}/deactivate"))).header("x-csrf-token", &alice.csrf).send().await.expect("send")).await;
        assert_eq!((status, off["is_active"].as_bool(), off["next_due"].clone()), (StatusCode::OK, Some(false), Value::Null), "{off}");
        assert!(ids(&get(&alice, "/api/bills").await.1).is_empty(), "inactive bills are left out by default");
        let (_, listed) = get(&alice, "/api/bills?include_inactive=true").await;
        assert_eq!((ids(&listed).len(), listed[0]["is_active"].as_bool()), (1, Some(false)));
        assert_eq!(get(&alice, &format!("{path}/history")).await.1, json!([{"start_date": "2026-01-05", "end_date": "2026-03-14"}]));
        // Deactivating again changes nothing.
        assert_eq!(call(&alice, Method::POST, &format!("{path}/deactivate"), Some(json!({}))).await.1["version"], off["version"]);
        // A JSON `null` body is no body, as the document says (nullable).
        assert_eq!(call(&alice, Method::POST, &format!("{path}/deactivate"), Some(Value::Null)).await.1["version"], off["version"]);
        let (status, problem) = call(&alice, Method::POST, &format!("{path}/deactivate"), Some(json!([]))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "an array is no body: {problem}");

        for (on, field) in [(json!("2026-03-10"), "on"), (json!("2026-02-30"), "on"), (json!(5), "on")] {
            let (status, problem) = call(&alice, Method::POST, &format!("{path}/reactivate"), Some(json!({"on": on}))).await;
            assert_eq!((status, problem["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field)), "{on}: {problem}");
        }
        let (status, problem) = call(&alice, Method::POST, &format!("{path}/reactivate"), Some(json!({"from": "2026-03-20"}))).await;
        assert_eq!((status, problem["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("from")));
        let (status, on) = call(&alice, Method::POST, &format!("{path}/reactivate"), Some(json!({"on": "2026-03-20"}))).await;
        assert_eq!((status, on["is_active"].as_bool(), on["next_due"].as_str()), (StatusCode::OK, Some(true), Some("2026-01-05")), "January's is still owing: {on}");
        assert_eq!(get(&alice, &format!("{path}/history")).await.1, json!([
            {"start_date": "2026-01-05", "end_date": "2026-03-14"},
            {"start_date": "2026-03-20", "end_date": null},
        ]));
        assert_eq!(ids(&get(&alice, "/api/bills").await.1).len(), 1);
    }

    async fn the_31st_falls_on_the_last_day_of_short_months(app) {
        let alice = app.signed_in("alice", Role::User).await;
        for (anchor, next_due) in [("2026-03-01", "2026-03-31"), ("2026-04-01", "2026-04-30"), ("2027-02-01", "2027-02-28"), ("2028-02-01", "2028-02-29")] {
            let bill = new_bill(&alice, json!({"name": "Card", "expected_amount": "10", "due_day": 31, "anchor_date": anchor})).await;
            assert_eq!(bill["next_due"], next_due, "anchored {anchor}");
            assert_eq!(bill["due_day"], 31, "the template keeps the 31st");
        }
        let bill = new_bill(&alice, json!({"name": "Insurance", "expected_amount": "10", "cycle": "annual", "anchor_date": "2024-02-29"})).await;
        let path = format!("/api/bills/{}", bill["id"].as_str().expect("id"));
        assert_eq!(bill["next_due"], "2026-02-28", "owing: the earliest unpaid due date of the past year (older ones are offered as history)");
        let (status, _) = call(&alice, Method::POST, &format!("{path}/pay-history"), None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(get(&alice, &path).await.1["next_due"], "2027-02-28", "a 29 February bill falls on the 28th in common years");
    }

    async fn account_details_are_encrypted_at_rest_and_shown_to_their_owner(app) {
        let alice = app.signed_in("alice", Role::User).await;
        let secret = "IBAN DE89370400440532013000\nref 4471-XQ";
        let bill = new_bill(&alice, json!({"name": "Loan", "expected_amount": "250", "account_details": secret})).await;
        assert_eq!(bill["account_details"], secret);
        let id: domain::id::BillId = bill["id"].as_str().expect("id").parse().expect("uuid");
        let owner = app.app.store.user_by_username("alice").await.expect("read").expect("alice").id;
        let stored = app.app.store.bill(owner, id).await.expect("stored").account_details_enc.expect("sealed");
        assert!(stored.starts_with("v1.") && !stored.contains("DE8937"), "{stored}");
        assert!(!app.db.dump_text().await.contains("DE89370400440532013000"), "plaintext in the database");

        let path = format!("/api/bills/{id}");
        let (_, renamed) = call(&alice, Method::PATCH, &path, Some(json!({"version": 1, "name": "Car loan"}))).await;
        assert_eq!(renamed["account_details"], secret, "an edit that does not name them keeps them");
        let (status, problem) = call(&alice, Method::PATCH, &path, Some(json!({"version": 2, "account_details": "x".repeat(501)}))).await;
        assert_eq!((status, problem["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("account_details")));
        let (_, cleared) = call(&alice, Method::PATCH, &path, Some(json!({"version": 2, "account_details": null}))).await;
        assert_eq!(cleared["account_details"], Value::Null);
        assert_eq!(app.app.store.bill(owner, id).await.expect("stored").account_details_enc, None);
    }

    async fn a_stale_version_is_a_conflict_and_changes_nothing(app) {
        let alice = app.signed_in("alice", Role::User).await;
        let bill = new_bill(&alice, json!({"name": "Phone", "expected_amount": "20"})).await;
        let path = format!("/api/bills/{}", bill["id"].as_str().expect("id"));
        assert_eq!(call(&alice, Method::PATCH, &path, Some(json!({"version": 1, "name": "Mobile"}))).await.0, StatusCode::OK);
        let (status, problem) = call(&alice, Method::PATCH, &path, Some(json!({"version": 1, "name": "Landline"}))).await;
        assert_eq!((status, problem["field"].as_str()), (StatusCode::CONFLICT, Some("version")));
        let (status, problem) = call(&alice, Method::PATCH, &path, Some(json!({"name": "Landline"}))).await;
        assert_eq!((status, problem["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("version")));
        assert_eq!(get(&alice, &path).await.1["name"], "Mobile");
    }

    async fn the_bootstrap_admin_is_refused_on_bills_and_categories(app) {
        let admin = bootstrap_admin(&app).await;
        assert_eq!(get(&admin, "/api/bills").await.0, StatusCode::FORBIDDEN);
        assert_eq!(get(&admin, "/api/categories").await.0, StatusCode::FORBIDDEN);
        let (status, _) = call(&admin, Method::POST, "/api/bills", Some(json!({"name": "Rent", "expected_amount": "1"}))).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _) = call(&admin, Method::POST, "/api/categories", Some(json!({"bad": 1}))).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "refused before the body is read");
        let other_admin = app.signed_in("root", Role::Admin).await;
        assert_eq!(get(&other_admin, "/api/bills").await.0, StatusCode::OK, "other admins track their own bills");
        assert_eq!(app.get("/api/bills").await.status(), StatusCode::UNAUTHORIZED);
    }

    async fn az_02_another_users_bill_and_category_are_not_found(app) {
        let alice = app.signed_in("alice", Role::User).await;
        let bob = app.signed_in("bob", Role::User).await;
        let category = new_category(&alice, "Private").await;
        let bill = new_bill(&alice, json!({"name": "Secret", "expected_amount": "9", "category_id": category["id"], "account_details": "acct 1234"})).await;
        let b = format!("/api/bills/{}", bill["id"].as_str().expect("id"));
        let c = format!("/api/categories/{}", category["id"].as_str().expect("id"));
        let patch = Some(json!({"version": 1, "name": "Mine now"}));
        let attempts = [
            (Method::GET, b.clone(), None), (Method::PATCH, b.clone(), patch.clone()), (Method::DELETE, b.clone(), None),
            (Method::POST, format!("{b}/restore"), None), (Method::DELETE, format!("{b}/permanent?confirm=true"), None),
            (Method::POST, format!("{b}/deactivate"), None), (Method::POST, format!("{b}/reactivate"), None),
            (Method::GET, format!("{b}/history"), None),
            (Method::GET, c.clone(), None), (Method::PATCH, c.clone(), patch.clone()), (Method::DELETE, c.clone(), None),
            (Method::POST, format!("{c}/restore"), None),
        ];
        for (method, path, body) in attempts {
            let (status, answer) = call(&bob, method.clone(), &path, body).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{method} {path}: {answer}");
            assert!(!answer.to_string().contains("acct 1234"));
        }
        let (status, problem) = call(&bob, Method::POST, "/api/bills", Some(json!({"name": "x", "expected_amount": "1", "category_id": category["id"]}))).await;
        assert_eq!((status, problem["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("category_id")));
        assert_eq!(get(&alice, &b).await.1, bill, "Alice's bill is unchanged");
        let (_, mine) = get(&alice, &c).await;
        assert_eq!((mine["name"].as_str(), mine["version"].as_i64(), mine["deleted_at"].clone()), (Some("Private"), Some(1), Value::Null));
    }

    async fn az_03_a_smuggled_user_id_is_refused(app) {
        let alice = app.signed_in("alice", Role::User).await;
        let bob_id = app.account("bob", PASSWORD, Role::User).await.id.to_string();
        let (status, problem) = call(&alice, Method::POST, "/api/bills", Some(json!({"name": "x", "expected_amount": "1", "user_id": bob_id}))).await;
        assert_eq!((status, problem["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("user_id")), "{problem}");
        let (status, problem) = call(&alice, Method::POST, "/api/categories", Some(json!({"name": "x", "user_id": bob_id}))).await;
        assert_eq!((status, problem["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("user_id")));
        let bill = new_bill(&alice, json!({"name": "Water", "expected_amount": "40"})).await;
        let path = format!("/api/bills/{}", bill["id"].as_str().expect("id"));
        for smuggled in [json!({"version": 1, "user_id": bob_id}), json!({"version": 1, "id": bob_id}), json!({"version": 1, "is_active": false}), json!({"version": 1, "deleted_at": null})] {
            let (status, problem) = call(&alice, Method::PATCH, &path, Some(smuggled.clone())).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{smuggled}: {problem}");
        }
        assert_eq!(get(&alice, &path).await.1, bill);
        assert_eq!(ids(&get(&alice, "/api/bills").await.1).len(), 1);
    }

    async fn az_07_lists_contain_only_the_callers_rows(app) {
        let alice = app.signed_in("alice", Role::User).await;
        let bob = app.signed_in("bob", Role::User).await;
        let mut mine = Vec::new();
        for (browser, who) in [(&alice, "alice"), (&bob, "bob")] {
            let category = new_category(browser, "Housing").await;
            let rent = new_bill(browser, json!({"name": "Rent", "expected_amount": "900", "category_id": category["id"]})).await;
            let old = new_bill(browser, json!({"name": "Rent", "expected_amount": "800", "notes": who})).await;
            let path = format!("/api/bills/{}", old["id"].as_str().expect("id"));
            call(browser, Method::DELETE, &path, None).await;
            mine.push((category["id"].clone(), vec![rent["id"].clone(), old["id"].clone()]));
        }
        for (browser, (category, bills)) in [(&alice, &mine[0]), (&bob, &mine[1])] {
            let (_, list) = get(browser, "/api/bills?include_inactive=true&include_deleted=true").await;
            let mut got: Vec<Value> = list.as_array().expect("list").iter().map(|b| b["id"].clone()).collect();
            got.sort_by_key(Value::to_string);
            let mut want = bills.clone();
            want.sort_by_key(Value::to_string);
            assert_eq!(got, want);
            let (_, categories) = get(browser, "/api/categories?include_deleted=true").await;
            assert_eq!(categories.as_array().map(|c| c.iter().map(|c| c["id"].clone()).collect::<Vec<_>>()), Some(vec![category.clone()]));
            assert_eq!(categories[0]["bill_count"], 1, "counts only the caller's live bills");
        }
    }

    async fn val_05_script_urls_are_refused(app) {
        let alice = app.signed_in("alice", Role::User).await;
        let bill = new_bill(&alice, json!({"name": "Power", "expected_amount": "70", "website": "HTTPS://power.example/account"})).await;
        assert_eq!(bill["website"], "https://power.example/account");
        let path = format!("/api/bills/{}", bill["id"].as_str().expect("id"));
        for url in ["javascript:alert(1)", "JaVaScRiPt:alert(document.cookie)", " javascript://x/%0aalert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "file:///etc/passwd", "//evil.example", "https://x.example/\"onmouseover=alert(1)", "https://bank.example@evil.example/"] {
            let (status, problem) = call(&alice, Method::POST, "/api/bills", Some(json!({"name": "x", "expected_amount": "1", "website": url}))).await;
            assert_eq!((status, problem["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("website")), "{url}");
            let (status, problem) = call(&alice, Method::PATCH, &path, Some(json!({"version": 1, "website": url}))).await;
            assert_eq!((status, problem["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("website")), "{url}");
        }
        assert_eq!(get(&alice, &path).await.1, bill);
        assert_eq!(ids(&get(&alice, "/api/bills").await.1).len(), 1);
    }
}
