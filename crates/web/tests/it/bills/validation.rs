//! VAL-01: every field of a bill and a category refuses bad input with 422 (400 for broken
//! JSON, 415 for another content type) naming the JSON field, and nothing is written: the same
//! table runs against `POST` (no bill appears) and `PATCH` (the bill stays as it was).

use domain::user::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{call, get, new_bill, read};
use crate::app_tests;
use crate::support::Browser;

/// A bill with every field set to a valid value.
fn valid_bill() -> Value {
    json!({
        "name": "Electricity", "notes": "meter 42", "amount_kind": "fixed", "expected_amount": "80.00",
        "currency": "EUR", "cycle": "monthly", "anchor_date": "2026-01-15", "due_day": 15,
        "autopay": "verified", "autopay_verified_on": "2026-02-01", "auto_mark_paid": true,
        "is_subscription": false, "reminder_days": [3, 0], "website": "https://power.example",
        "account_details": "customer 123", "debt_balance": "0", "apr": "0", "min_payment": "0",
        "payoff_order": 1,
    })
}

/// Bad inputs: the fields to set (values as raw JSON text) and the field the answer must name.
#[rustfmt::skip]
const CASES: &[(&[(&str, &str)], &str)] = &[
    (&[("name", "5")], "name"), (&[("name", "\"\"")], "name"), (&[("name", "\"   \"")], "name"),
    (&[("name", "null")], "name"), (&[("name", "\"Rent\\u0007\"")], "name"),
    (&[("name", "\"Rent\\nline\"")], "name"), (&[("name", "\"LONG121\"")], "name"),
    (&[("category_id", "\"\"")], "category_id"), (&[("category_id", "\"not-a-uuid\"")], "category_id"),
    (&[("category_id", "\"0190a5b2-0000-7000-8000-000000000000\"")], "category_id"), (&[("category_id", "7")], "category_id"),
    (&[("notes", "\"a\\u0000b\"")], "notes"), (&[("notes", "\"LONG2001\"")], "notes"), (&[("notes", "[]")], "notes"),
    (&[("amount_kind", "\"variable\"")], "amount_kind"), (&[("amount_kind", "\"FIXED\"")], "amount_kind"),
    (&[("amount_kind", "\"\"")], "amount_kind"), (&[("amount_kind", "1")], "amount_kind"),
    (&[("expected_amount", "12.34")], "expected_amount"), (&[("expected_amount", "\"\"")], "expected_amount"),
    (&[("expected_amount", "\"12.345\"")], "expected_amount"), (&[("expected_amount", "\"1e3\"")], "expected_amount"),
    (&[("expected_amount", "\"NaN\"")], "expected_amount"), (&[("expected_amount", "\"inf\"")], "expected_amount"),
    (&[("expected_amount", "\"99999999999999999999\"")], "expected_amount"),
    (&[("expected_amount", "\"-5\"")], "expected_amount"), (&[("expected_amount", "\"1,000.00\"")], "expected_amount"),
    (&[("expected_amount", "\"\u{663}\"")], "expected_amount"), (&[("expected_amount", "null")], "expected_amount"),
    (&[("expected_min", "\"10\""), ("expected_max", "\"90\"")], "expected_min"),
    (&[("amount_kind", "\"estimated\""), ("expected_min", "\"10\""), ("expected_max", "null")], "expected_max"),
    (&[("amount_kind", "\"estimated\""), ("expected_min", "\"90\""), ("expected_max", "\"10\"")], "expected_max"),
    (&[("amount_kind", "\"estimated\""), ("expected_min", "\"-1\""), ("expected_max", "\"90\"")], "expected_min"),
    (&[("amount_kind", "\"estimated\""), ("expected_min", "\"1.001\""), ("expected_max", "\"90\"")], "expected_min"),
    (&[("amount_kind", "\"estimated\""), ("expected_min", "\"90\""), ("expected_max", "\"99\"")], "expected_amount"),
    (&[("currency", "\"eur\"")], "currency"), (&[("currency", "\"XXX\"")], "currency"),
    (&[("currency", "\"\"")], "currency"), (&[("currency", "978")], "currency"),
    (&[("cycle", "\"daily\"")], "cycle"), (&[("cycle", "\"\"")], "cycle"), (&[("cycle", "7")], "cycle"),
    (&[("cycle", "\"weekly\""), ("due_day", "3")], "due_day"),
    (&[("anchor_date", "\"2025-02-30\"")], "anchor_date"), (&[("anchor_date", "\"2025-13-01\"")], "anchor_date"),
    (&[("anchor_date", "\"2025-1-1\"")], "anchor_date"), (&[("anchor_date", "\"tomorrow\"")], "anchor_date"),
    (&[("anchor_date", "\"\"")], "anchor_date"), (&[("anchor_date", "20250101")], "anchor_date"),
    (&[("due_day", "0")], "due_day"), (&[("due_day", "32")], "due_day"), (&[("due_day", "-1")], "due_day"),
    (&[("due_day", "\"5\"")], "due_day"), (&[("due_day", "1.5")], "due_day"),
    (&[("due_day", "99999999999999999999")], "due_day"),
    (&[("autopay", "\"sometimes\"")], "autopay"), (&[("autopay", "\"\"")], "autopay"), (&[("autopay", "true")], "autopay"),
    (&[("autopay_verified_on", "\"2025-02-30\"")], "autopay_verified_on"),
    (&[("autopay_verified_on", "\"2026-03-15\"")], "autopay_verified_on"),
    (&[("autopay", "\"off\""), ("autopay_verified_on", "\"2026-01-01\"")], "autopay_verified_on"),
    (&[("auto_mark_paid", "\"yes\"")], "auto_mark_paid"), (&[("auto_mark_paid", "1")], "auto_mark_paid"),
    (&[("auto_mark_paid", "null")], "auto_mark_paid"), (&[("is_subscription", "\"true\"")], "is_subscription"),
    (&[("reminder_days", "[61]")], "reminder_days"), (&[("reminder_days", "[-1]")], "reminder_days"),
    (&[("reminder_days", "[1, 1]")], "reminder_days"), (&[("reminder_days", "[0,1,2,3,4,5,6,7,8,9,10]")], "reminder_days"),
    (&[("reminder_days", "\"7\"")], "reminder_days"), (&[("reminder_days", "[1.5]")], "reminder_days"),
    (&[("reminder_days", "[\"1\"]")], "reminder_days"), (&[("reminder_days", "[99999999999999999999]")], "reminder_days"),
    (&[("website", "\"\"")], "website"), (&[("website", "\"ftp://x.example\"")], "website"),
    (&[("website", "\"https://exa mple.org\"")], "website"), (&[("website", "5")], "website"),
    (&[("website", "\"LONGURL\"")], "website"),
    (&[("account_details", "\"LONG501\"")], "account_details"), (&[("account_details", "\"a\\u0001b\"")], "account_details"),
    (&[("account_details", "5")], "account_details"),
    (&[("debt_balance", "\"-1\"")], "debt_balance"), (&[("debt_balance", "\"1e3\"")], "debt_balance"),
    (&[("debt_balance", "\"NaN\"")], "debt_balance"), (&[("debt_balance", "\"12.345\"")], "debt_balance"),
    (&[("debt_balance", "\"99999999999999999999\"")], "debt_balance"), (&[("debt_balance", "100")], "debt_balance"),
    (&[("apr", "\"1000.01\"")], "apr"), (&[("apr", "\"-1\"")], "apr"), (&[("apr", "\"19.999\"")], "apr"),
    (&[("apr", "\"abc\"")], "apr"), (&[("apr", "19.99")], "apr"), (&[("apr", "\"99999999999999999999\"")], "apr"),
    (&[("min_payment", "\"-0.01\"")], "min_payment"), (&[("min_payment", "\"1e3\"")], "min_payment"),
    (&[("min_payment", "5")], "min_payment"),
    (&[("payoff_order", "0")], "payoff_order"), (&[("payoff_order", "1000")], "payoff_order"),
    (&[("payoff_order", "\"1\"")], "payoff_order"), (&[("payoff_order", "1.5")], "payoff_order"),
    (&[("colour", "\"red\"")], "colour"), (&[("user_id", "\"0190a5b2-0000-7000-8000-000000000000\"")], "user_id"),
];

/// `body` with `fields` set to raw JSON text (long-text placeholders expanded).
fn with_fields(mut body: Value, fields: &[(&str, &str)]) -> String {
    for (i, (field, _)) in fields.iter().enumerate() {
        body[*field] = json!(format!("@@{i}@@"));
    }
    let mut text = body.to_string();
    for (i, (_, raw)) in fields.iter().enumerate() {
        let raw = match *raw {
            "\"LONG121\"" => json!("x".repeat(121)).to_string(),
            "\"LONG2001\"" => json!("x".repeat(2001)).to_string(),
            "\"LONG501\"" => json!("x".repeat(501)).to_string(),
            "\"LONGURL\"" => json!(format!("https://example.org/{}", "a".repeat(2048))).to_string(),
            other => other.to_owned(),
        };
        text = text.replace(&format!("\"@@{i}@@\""), &raw);
    }
    text
}

async fn send_raw(
    b: &Browser,
    method: Method,
    path: &str,
    body: String,
    content_type: &str,
) -> (StatusCode, Value) {
    let request = b
        .client
        .request(method, b.url(path))
        .header("x-csrf-token", &b.csrf)
        .header("content-type", content_type);
    read(request.body(body).send().await.expect("send")).await
}

app_tests! {
    async fn val_01_every_bill_field_refuses_bad_input_naming_it(app) {
        let alice = app.signed_in("alice", Role::User).await;
        let (status, created) = send_raw(&alice, Method::POST, "/api/bills", valid_bill().to_string(), "application/json").await;
        assert_eq!(status, StatusCode::CREATED, "the valid bill is valid: {created}");
        let path = format!("/api/bills/{}", created["id"].as_str().expect("id"));
        let mut wrong = Vec::new();
        for (fields, expected) in CASES {
            let create = with_fields(valid_bill(), fields);
            let patch = with_fields(json!({"version": created["version"]}), fields);
            for (method, path, body) in [(Method::POST, "/api/bills", create), (Method::PATCH, path.as_str(), patch)] {
                let (status, problem) = send_raw(&alice, method.clone(), path, body, "application/json").await;
                if status != StatusCode::UNPROCESSABLE_ENTITY || problem["field"] != *expected {
                    wrong.push(format!("{method} {fields:?}: {status} {problem}"));
                }
            }
        }
        for missing in ["name", "expected_amount"] {
            let mut body = valid_bill();
            body.as_object_mut().expect("object").remove(missing);
            let (status, problem) = call(&alice, Method::POST, "/api/bills", Some(body)).await;
            assert_eq!((status, problem["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(missing)));
        }
        for (method, path) in [(Method::POST, "/api/bills"), (Method::PATCH, path.as_str())] {
            assert_eq!(send_raw(&alice, method.clone(), path, "{\"name\": ".into(), "application/json").await.0, StatusCode::BAD_REQUEST);
            assert_eq!(send_raw(&alice, method.clone(), path, "name=x".into(), "application/x-www-form-urlencoded").await.0, StatusCode::UNSUPPORTED_MEDIA_TYPE);
            assert_eq!(send_raw(&alice, method, path, "[]".into(), "application/json").await.0, StatusCode::UNPROCESSABLE_ENTITY);
        }
        assert!(wrong.is_empty(), "bad input not refused as expected:\n{}", wrong.join("\n"));
        let (_, all) = get(&alice, "/api/bills?include_inactive=true&include_deleted=true").await;
        assert_eq!(all, json!([created]), "nothing was written");
    }

    async fn val_01_every_category_field_refuses_bad_input_naming_it(app) {
        let alice = app.signed_in("alice", Role::User).await;
        let (_, category) = call(&alice, Method::POST, "/api/categories", Some(json!({"name": "Home"}))).await;
        let path = format!("/api/categories/{}", category["id"].as_str().expect("id"));
        let cases = [
            ("name", json!("")), ("name", json!("x".repeat(61))), ("name", json!("a\u{7}b")), ("name", json!(5)), ("name", Value::Null),
            ("color", json!("red")), ("color", json!("#12345")), ("color", json!("#1a2b3c;x")), ("color", json!("")), ("color", json!(255)),
            ("icon", json!("Home")), ("icon", json!("../x")), ("icon", json!("a".repeat(33))), ("icon", json!("")), ("icon", json!(["x"])),
            ("is_spending", json!("yes")), ("is_spending", json!(0)), ("owner", json!("bob")),
        ];
        for (field, value) in cases {
            let (status, problem) = call(&alice, Method::POST, "/api/categories", Some(json!({"name": "New", field: value.clone()}))).await;
            assert_eq!((status, problem["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field)), "POST {field}={value}");
            let (status, problem) = call(&alice, Method::PATCH, &path, Some(json!({"version": 1, field: value.clone()}))).await;
            assert_eq!((status, problem["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field)), "PATCH {field}={value}");
        }
        let (_, all) = get(&alice, "/api/categories?include_deleted=true").await;
        assert_eq!(all, json!([category]), "nothing was written");
        let bill = new_bill(&alice, json!({"name": "x", "expected_amount": "1"})).await;
        assert_eq!(bill["currency"], "USD", "the caller's currency by default");
    }
}
