//! Merchant rules over HTTP (`/api/merchant-rules`): a rule added, listed, previewed (writing
//! nothing), applied to past transactions (the tracker then shows the bill paid for those
//! cycles; a second apply matches nothing new), edited with its version (a stale one is 409)
//! and deleted; hostile input refused naming the field; another user's bill, account,
//! category and rule not found (AZ-02). Transactions are seeded through the import API.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::app_tests;
use crate::imports::user_data;
use crate::money::{assert_refused, bill, category, created, delete, get, patch, post, user};
use crate::support::Browser;

/// Money out to Acme Fiber in January, February and March 2026 (the test clock is 2026-03-14), a small
/// Acme purchase and another payee.
const CSV: &str = "Date,Amount,Payee\n2026-01-02,-60.00,Acme Fiber 122\n\
                   2026-02-02,-60.00,ACME FIBER 123\n\
                   2026-03-02,-60.00,Acme  Fiber 124\n2026-03-03,-5.00,Acme Fiber shop\n\
                   2026-03-05,-60.00,Other\n";

/// Imports `csv` (date, amount, payee) into a new USD account through the API; returns the
/// account's id.
pub(crate) async fn import(browser: &Browser, csv: &str) -> String {
    let form = Form::new()
        .part(
            "file",
            Part::bytes(csv.as_bytes().to_vec()).file_name("bank.csv"),
        )
        .text("account_name", "Checking")
        .text("account_currency", "USD")
        .text("date_column", "1")
        .text("amount_column", "2")
        .text("payee_column", "3");
    let (status, preview) = crate::imports_api::upload(browser, form).await;
    assert_eq!(status, StatusCode::CREATED, "{preview}");
    let id = preview["import"]["id"].as_str().expect("import id");
    let (status, applied) = post(browser, &format!("/api/imports/{id}/apply"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{applied}");
    let (_, accounts) = get(browser, "/api/bank-accounts").await;
    accounts[0]["id"].as_str().expect("account").to_owned()
}

/// The tracker's status of `bill`'s occurrence due on `due` (read from `GET /api/tracker`).
async fn tracker_status(browser: &Browser, bill: &str, due: &str) -> String {
    let month: Vec<&str> = due.split('-').collect();
    let path = format!(
        "/api/tracker?year={}&month={}",
        month[0],
        month[1].trim_start_matches('0')
    );
    let (status, tracker) = get(browser, &path).await;
    assert_eq!(status, StatusCode::OK, "{tracker}");
    fn find(value: &Value, bill: &str, due: &str) -> Option<String> {
        match value {
            Value::Object(map)
                if map.get("bill_id") == Some(&json!(bill))
                    && map.get("due_date") == Some(&json!(due)) =>
            {
                map.get("status").and_then(Value::as_str).map(str::to_owned)
            }
            Value::Object(map) => map.values().find_map(|v| find(v, bill, due)),
            Value::Array(items) => items.iter().find_map(|v| find(v, bill, due)),
            _ => None,
        }
    }
    find(&tracker, bill, due)
        .unwrap_or_else(|| panic!("{bill} due {due} on the tracker: {tracker}"))
}

app_tests! {
    async fn a_rule_round_trips_and_applying_it_pays_past_cycles_on_the_tracker_once(app) {
        let (alice, alice_id) = user(&app, "alice").await;
        let internet = bill(&app, alice_id, "Internet", 6_000, None).await.to_string();
        let utilities = category(&app, alice_id, "Utilities").await.to_string();
        let account = import(&alice, CSV).await;
        assert_eq!(tracker_status(&alice, &internet, "2026-03-01").await, "missed", "unpaid before the rule");

        let draft = json!({"bill_id": internet, "payee_text": "acme fiber", "min_amount": "55", "max_amount": "65", "account_id": account, "category_id": utilities});
        let before = user_data(&app).await;
        let (status, preview) = post(&alice, "/api/merchant-rules/preview", draft.clone()).await;
        assert_eq!(status, StatusCode::OK, "{preview}");
        assert_eq!(user_data(&app).await, before, "a preview writes nothing");
        assert_eq!((preview["count"].as_u64(), preview["would_match"].as_u64()), (Some(3), Some(3)));
        let payees: Vec<&str> = preview["transactions"].as_array().expect("list").iter().filter_map(|t| t["payee"].as_str()).collect();
        assert_eq!(payees, ["Acme Fiber 122", "ACME FIBER 123", "Acme  Fiber 124"], "past ones included, oldest first");

        let rule = created(&alice, "/api/merchant-rules", draft.clone()).await;
        let id = rule["id"].as_str().expect("id").to_owned();
        assert_eq!((rule["payee_match"].as_str(), rule["min_amount"]["amount_minor"].as_i64(), rule["enabled"].as_bool()), (Some("contains"), Some(5_500), Some(true)));
        let (status, listed) = get(&alice, &format!("/api/merchant-rules?bill_id={internet}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(listed, json!([rule]));
        assert_ne!(user_data(&app).await, before, "saving writes the rule");

        let (status, applied) = post(&alice, &format!("/api/merchant-rules/{id}/apply"), json!({})).await;
        assert_eq!(status, StatusCode::OK, "{applied}");
        assert_eq!((applied["matched"].as_array().map(Vec::len), applied["skipped"].as_array().map(Vec::len)), (Some(3), Some(0)));
        assert_eq!(tracker_status(&alice, &internet, "2026-03-01").await, "paid", "each cycle is settled by its own transaction, oldest first");
        assert_eq!(tracker_status(&alice, &internet, "2026-02-01").await, "paid");
        assert_eq!(tracker_status(&alice, &internet, "2026-01-01").await, "paid");
        let (_, matched) = get(&alice, "/api/transactions?state=matched").await;
        assert_eq!(matched["total"], 3);
        assert!(matched["items"].as_array().expect("items").iter().all(|t| t["category_id"] == json!(utilities) && t["payment_id"].is_string()), "{matched}");
        let (status, again) = post(&alice, &format!("/api/merchant-rules/{id}/apply"), json!({})).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(again["matched"], json!([]), "applying twice matches nothing new");
        let (_, payments) = get(&alice, &format!("/api/payments?bill_id={internet}")).await;
        assert_eq!(payments["items"].as_array().map(Vec::len), Some(3), "one bank payment per transaction: {payments}");

        let edit = json!({"bill_id": internet, "payee_match": "equals", "payee_text": "Other", "enabled": false, "version": rule["version"]});
        let (status, edited) = patch(&alice, &format!("/api/merchant-rules/{id}"), edit.clone()).await;
        assert_eq!(status, StatusCode::OK, "{edited}");
        assert_eq!((edited["payee_match"].as_str(), edited["enabled"].as_bool(), edited["min_amount"].is_null()), (Some("equals"), Some(false), true));
        let (status, stale) = patch(&alice, &format!("/api/merchant-rules/{id}"), edit).await;
        assert_eq!((status, stale["field"].as_str()), (StatusCode::CONFLICT, Some("version")), "{stale}");
        assert_eq!(delete(&alice, &format!("/api/merchant-rules/{id}")).await, StatusCode::NO_CONTENT);
        assert_eq!(delete(&alice, &format!("/api/merchant-rules/{id}")).await, StatusCode::NOT_FOUND, "deleted once");
        let (_, listed) = get(&alice, "/api/merchant-rules").await;
        assert_eq!(listed, json!([]));
        let (_, matched) = get(&alice, "/api/transactions?state=matched").await;
        assert_eq!(matched["total"], 3, "what a deleted rule matched stays matched");
    }

    async fn hostile_rule_input_is_refused_naming_the_field(app) {
        let (alice, alice_id) = user(&app, "alice").await;
        let internet = bill(&app, alice_id, "Internet", 6_000, None).await.to_string();
        let good = json!({"bill_id": internet, "payee_text": "acme"});
        let with = |key: &str, value: Value| {
            let mut body = good.clone();
            body[key] = value;
            body
        };
        let before = user_data(&app).await;
        let cases = [
            ("empty payee", with("payee_text", json!("   ")), "payee_text"),
            ("payee over 200", with("payee_text", json!("x".repeat(201))), "payee_text"),
            ("control character", with("payee_text", json!("ac\u{0}me")), "payee_text"),
            ("a pattern kind", with("payee_match", json!("regex")), "payee_match"),
            ("min above max", json!({"bill_id": internet, "payee_text": "acme", "min_amount": "70", "max_amount": "65"}), "max_amount"),
            ("not decimal", with("min_amount", json!("abc")), "min_amount"),
            ("float exponent", with("max_amount", json!("1e3")), "max_amount"),
            ("too many decimals", with("min_amount", json!("1.234")), "min_amount"),
            ("not an id", with("bill_id", json!("../etc")), "bill_id"),
            ("account not an id", with("account_id", json!("x")), "account_id"),
            ("unknown field", with("pattern", json!(".*")), "pattern"),
            ("a version on add", with("version", json!(1)), "version"),
        ];
        for (case, body, field) in cases {
            for path in ["/api/merchant-rules", "/api/merchant-rules/preview"] {
                if path.ends_with("preview") && field == "version" {
                    continue;
                }
                assert_refused(&format!("{case} at {path}"), &post(&alice, path, body.clone()).await, field);
            }
        }
        assert_eq!(user_data(&app).await, before, "nothing refused was written");
        let rule = created(&alice, "/api/merchant-rules", good.clone()).await;
        let path = format!("/api/merchant-rules/{}", rule["id"].as_str().expect("id"));
        assert_refused("an edit without version", &patch(&alice, &path, good.clone()).await, "version");
        assert_refused("a bad query", &get(&alice, "/api/merchant-rules?bill=1").await, "bill");
        assert_refused("a bad bill id", &get(&alice, "/api/merchant-rules?bill_id=1").await, "bill_id");
        assert_eq!(get(&alice, "/api/merchant-rules/x/apply").await.0, StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(post(&alice, "/api/merchant-rules/not-an-id/apply", json!({})).await.0, StatusCode::NOT_FOUND);
    }

    async fn az_02_another_users_bill_account_category_and_rule_are_not_found(app) {
        let (alice, alice_id) = user(&app, "alice").await;
        let (mallory, mallory_id) = user(&app, "mallory").await;
        let internet = bill(&app, alice_id, "Internet", 6_000, None).await.to_string();
        let malloys_bill = bill(&app, mallory_id, "Mallory's", 6_000, None).await.to_string();
        let mallorys_category = category(&app, mallory_id, "Mallory's").await.to_string();
        let mallorys_account = import(&mallory, CSV).await;
        import(&alice, CSV).await;
        let good = json!({"bill_id": internet, "payee_text": "acme fiber"});
        let with = |key: &str, value: &str| {
            let mut body = good.clone();
            body[key] = json!(value);
            body
        };
        for (case, body) in [
            ("mallory's bill", with("bill_id", &malloys_bill)),
            ("mallory's account", with("account_id", &mallorys_account)),
            ("mallory's category", with("category_id", &mallorys_category)),
        ] {
            for path in ["/api/merchant-rules", "/api/merchant-rules/preview"] {
                let (status, problem) = post(&alice, path, body.clone()).await;
                assert_eq!(status, StatusCode::NOT_FOUND, "{case} at {path}: {problem}");
            }
        }
        assert_eq!(get(&alice, &format!("/api/merchant-rules?bill_id={malloys_bill}")).await.0, StatusCode::NOT_FOUND);

        let rule = created(&alice, "/api/merchant-rules", good.clone()).await;
        let id = rule["id"].as_str().expect("id");
        let edit = json!({"bill_id": malloys_bill, "payee_text": "x", "version": rule["version"]});
        assert_eq!(patch(&mallory, &format!("/api/merchant-rules/{id}"), edit).await.0, StatusCode::NOT_FOUND, "mallory's edit of alice's rule");
        let onto = json!({"bill_id": malloys_bill, "payee_text": "x", "version": rule["version"]});
        assert_eq!(patch(&alice, &format!("/api/merchant-rules/{id}"), onto).await.0, StatusCode::NOT_FOUND, "alice's rule onto mallory's bill");
        assert_eq!(post(&mallory, &format!("/api/merchant-rules/{id}/apply"), json!({})).await.0, StatusCode::NOT_FOUND);
        assert_eq!(delete(&mallory, &format!("/api/merchant-rules/{id}")).await, StatusCode::NOT_FOUND);
        let (_, mallorys) = get(&mallory, "/api/merchant-rules").await;
        assert_eq!(mallorys, json!([]), "mallory lists only their own");
        let (_, matched) = get(&mallory, "/api/transactions?state=matched").await;
        assert_eq!(matched["total"], 0, "nothing of mallory's was touched");
        let (status, _) = post(&alice, &format!("/api/merchant-rules/{id}/apply"), json!({})).await;
        assert_eq!(status, StatusCode::OK);
        let (_, listed) = get(&alice, &format!("/api/merchant-rules?bill_id={internet}")).await;
        assert_eq!(listed[0]["version"], rule["version"], "mallory changed nothing");
    }
}
