//! The tracker, month state, quick pay, toggle paid, pay all with undo, month cash and the
//! tracking settings, through the real router on both engines. Bills and payments are made
//! directly through the store, so these tests depend only on the tracker's own routes.
//!
//! The manual clock starts on Saturday 2026-03-14 at 09:00 UTC, so "today" is March 14 for a
//! user in UTC. Sessions here last long enough for the clock to move a few days.

mod cash;
mod currencies;
mod paying;
mod security;
mod statuses;
mod summary;

use chrono::{NaiveDate, TimeZone, Utc};
use domain::id::{BillId, UserId};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use store::bills::{BillTemplate, NewBill};
use store::payments::NewPayment;

use crate::support::{Browser, Spawn, TestApp, spawn_with};

/// A test app whose sessions survive the clock moving by days.
pub async fn spawn(engine: testkit::TestEngine) -> Option<TestApp> {
    spawn_with(
        engine,
        Spawn {
            env: vec![
                ("SESSION_IDLE_TIMEOUT_MINUTES", "10080".into()),
                ("SESSION_LIFETIME_DAYS", "90".into()),
            ],
            ..Default::default()
        },
    )
    .await
}

pub fn day(year: i32, month: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, d).expect("date")
}

/// Puts the clock at `hour`:00 UTC on the given day.
pub fn set_clock(app: &TestApp, year: i32, month: u32, d: u32, hour: u32) {
    app.clock.set(
        Utc.with_ymd_and_hms(year, month, d, hour, 0, 0)
            .single()
            .expect("time"),
    );
}

pub async fn owner(app: &TestApp, username: &str) -> UserId {
    app.app
        .store
        .user_by_username(username)
        .await
        .expect("read")
        .expect("user")
        .id
}

/// A fixed monthly USD bill due on `due_day`, anchored on 2026-01-01.
pub fn monthly(name: &str, due_day: i64, expected_minor: i64) -> BillTemplate {
    BillTemplate {
        expected_minor,
        anchor_date: day(2026, 1, 1),
        due_day: Some(due_day),
        ..testkit::store_fixtures::template(name)
    }
}

/// Creates a bill active from 2026-01-01.
pub async fn create(app: &TestApp, owner: UserId, template: BillTemplate) -> BillId {
    create_with(app, owner, template, None).await
}

pub async fn create_with(
    app: &TestApp,
    owner: UserId,
    template: BillTemplate,
    debt_balance_minor: Option<i64>,
) -> BillId {
    let new = NewBill {
        id: BillId::new(),
        template,
        debt_balance_minor,
        active_from: day(2026, 1, 1),
    };
    app.app
        .store
        .create_bill(owner, &new, app.app.now())
        .await
        .expect("create bill")
        .id
}

/// A monthly bill due on `due_day` for `expected_minor` cents.
pub async fn bill(app: &TestApp, owner: UserId, name: &str, due_day: i64, expected: i64) -> BillId {
    create(app, owner, monthly(name, due_day, expected)).await
}

/// Records a payment of `amount_minor` for the occurrence due on `cycle_due`.
pub async fn pay(
    app: &TestApp,
    owner: UserId,
    bill: BillId,
    amount_minor: i64,
    cycle_due: NaiveDate,
) {
    let payment = NewPayment {
        bill_id: bill,
        amount_minor,
        paid_on: cycle_due,
        cycle_due,
        method: String::new(),
        note: String::new(),
        source: "manual".into(),
        autopay_failed: false,
    };
    app.app
        .store
        .create_payment(owner, &payment, app.app.now())
        .await
        .expect("payment");
}

/// `GET /api/tracker?{query}`, which must answer 200.
pub async fn tracker(browser: &Browser, query: &str) -> Value {
    let response = browser.get(&format!("/api/tracker?{query}")).await;
    let status = response.status();
    let body: Value = response.json().await.expect("json");
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// Every occurrence of the view, bucket by bucket.
pub fn occurrences(view: &Value) -> Vec<&Value> {
    view["buckets"]
        .as_array()
        .expect("buckets")
        .iter()
        .flat_map(|b| b["occurrences"].as_array().expect("occurrences"))
        .collect()
}

/// The occurrence of the bill named `name` due on `due`.
pub fn find<'a>(view: &'a Value, name: &str, due: &str) -> &'a Value {
    occurrences(view)
        .into_iter()
        .find(|o| o["bill_name"] == name && o["due_date"] == due)
        .unwrap_or_else(|| panic!("no occurrence of {name} on {due} in {view}"))
}

/// The status of the occurrence of `name` due on `due`.
pub fn status_of(view: &Value, name: &str, due: &str) -> String {
    find(view, name, due)["status"]
        .as_str()
        .expect("status")
        .to_owned()
}

/// Sends `method path` with a JSON body; returns the status and the JSON answer.
pub async fn call(
    browser: &Browser,
    method: Method,
    path: &str,
    body: Value,
) -> (StatusCode, Value) {
    let response = browser.send(method, path, Some(body)).await;
    let status = response.status();
    let text = response.text().await.expect("body");
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// GETs `path`; returns the status and the JSON answer.
pub async fn call_get(browser: &Browser, path: &str) -> (StatusCode, Value) {
    let response = browser.get(path).await;
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// Asserts a 422 naming `field`.
pub fn assert_refused(answer: &(StatusCode, Value), field: &str) {
    assert_eq!(
        answer.0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "expected 422 naming {field}: {}",
        answer.1
    );
    assert_eq!(answer.1["field"], field, "{}", answer.1);
}

/// An amount of the API: decimal text, minor units, currency.
pub fn amount(value: &Value) -> (String, i64, String) {
    (
        value["amount"].as_str().expect("amount").to_owned(),
        value["amount_minor"].as_i64().expect("amount_minor"),
        value["currency"].as_str().expect("currency").to_owned(),
    )
}
