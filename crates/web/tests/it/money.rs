//! Payments, expenses and budgets through the JSON API, on both engines: round trips, cycle
//! attribution, debt balances, soft delete and restore, expense search and pagination, bulk
//! delete with undo, budget thresholds, and the security requirements AZ-02, AZ-07, VAL-01,
//! VAL-02 and VAL-03. Bills and categories are made directly in the store, so these tests do
//! not depend on the bill and category routes.

mod budgets;
mod expenses;
mod payments;
mod security;

use chrono::NaiveDate;
use domain::id::{BillId, CategoryId, UserId};
use domain::user::Role;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use store::bills::{BillTemplate, NewBill};
use store::categories::CategoryFields;

use crate::support::{Browser, TestApp};

pub fn day(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).expect("valid date")
}

/// A signed-in user and their id.
pub async fn user(app: &TestApp, name: &str) -> (Browser, UserId) {
    let browser = app.signed_in(name, Role::User).await;
    let id = app
        .app
        .store
        .user_by_username(name)
        .await
        .expect("read user")
        .expect("user exists")
        .id;
    (browser, id)
}

/// A monthly USD bill due on the 1st, active since 2026-01-01; `debt` opens a balance.
pub async fn bill(
    app: &TestApp,
    owner: UserId,
    name: &str,
    expected_minor: i64,
    debt: Option<i64>,
) -> BillId {
    let template = BillTemplate {
        category_id: None,
        name: name.into(),
        notes: String::new(),
        amount_kind: "fixed".into(),
        expected_minor,
        min_minor: None,
        max_minor: None,
        currency: "USD".into(),
        cycle: "monthly".into(),
        anchor_date: day(2026, 1, 1),
        due_day: Some(1),
        autopay: "off".into(),
        autopay_verified_on: None,
        auto_mark_paid: false,
        is_subscription: false,
        reminder_days: Vec::new(),
        website: None,
        account_details_enc: None,
        debt_apr_bp: None,
        debt_min_payment_minor: None,
        debt_payoff_order: None,
    };
    let new = NewBill {
        id: BillId::new(),
        template,
        debt_balance_minor: debt,
        active_from: day(2026, 1, 1),
    };
    app.app
        .store
        .create_bill(owner, &new, app.app.now())
        .await
        .expect("create bill")
        .id
}

pub async fn category(app: &TestApp, owner: UserId, name: &str) -> CategoryId {
    let fields = CategoryFields {
        name: name.into(),
        color: "#3b82f6".into(),
        icon: "cart".into(),
        is_spending: true,
    };
    app.app
        .store
        .create_category(owner, &fields, app.app.now())
        .await
        .expect("create category")
        .id
}

/// Records an expense through the API; returns it as created.
pub async fn spend(browser: &Browser, amount: &str, spent_on: &str, payee: &str) -> Value {
    created(
        browser,
        "/api/expenses",
        serde_json::json!({"amount": amount, "spent_on": spent_on, "payee": payee}),
    )
    .await
}

/// The status and JSON body of an answer (`Null` when there is none).
pub async fn answer(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

pub async fn get(browser: &Browser, path: &str) -> (StatusCode, Value) {
    answer(browser.get(path).await).await
}

pub async fn post(browser: &Browser, path: &str, body: Value) -> (StatusCode, Value) {
    answer(browser.post(path, body).await).await
}

pub async fn patch(browser: &Browser, path: &str, body: Value) -> (StatusCode, Value) {
    answer(browser.send(Method::PATCH, path, Some(body)).await).await
}

pub async fn delete(browser: &Browser, path: &str) -> StatusCode {
    browser.send(Method::DELETE, path, None).await.status()
}

/// Posts `body` and expects it back as created (201).
pub async fn created(browser: &Browser, path: &str, body: Value) -> Value {
    let (status, value) = post(browser, path, body).await;
    assert_eq!(status, StatusCode::CREATED, "{path}: {value}");
    value
}

/// Asserts a 422 problem naming `field`.
pub fn assert_refused(case: &str, (status, body): &(StatusCode, Value), field: &str) {
    assert_eq!(
        *status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{case}: expected 422, got {status} {body}"
    );
    assert_eq!(body["field"], field, "{case}: names the field ({body})");
}

/// The string at `key` of a JSON object.
pub fn text<'a>(value: &'a Value, key: &str) -> &'a str {
    value[key]
        .as_str()
        .unwrap_or_else(|| panic!("{key} in {value}"))
}
