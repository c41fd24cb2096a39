//! A bill's next due date is its earliest occurrence still owing (issue 14, item 11): an unpaid
//! March stays "next due" in May, a skipped or paid one is passed over, a partly paid one is
//! not, and the bills list says the same as the bill itself. Today is 2026-03-14 on the test
//! clock.

use domain::user::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{call, get, new_bill};
use crate::app_tests;
use crate::pages_support::page;
use crate::support::PASSWORD;
use crate::tracker::{day, owner, pay, set_clock};

/// The `next_due` of the bill at `path`, and of the same bill in the list.
async fn next_due(b: &crate::support::Browser, id: &str) -> (String, String) {
    let (status, bill) = get(b, &format!("/api/bills/{id}")).await;
    assert_eq!(status, StatusCode::OK, "{bill}");
    let (_, list) = get(b, "/api/bills").await;
    let listed = list
        .as_array()
        .expect("list")
        .iter()
        .find(|b| b["id"] == id)
        .expect("listed")["next_due"]
        .clone();
    let text = |v: &Value| v.as_str().unwrap_or("none").to_owned();
    (text(&bill["next_due"]), text(&listed))
}

app_tests! {
    @with crate::tracker::spawn;

    async fn next_due_is_the_earliest_due_date_still_owing(app) {
        let mut alice = app.signed_in("alice", Role::User).await;
        let bill = new_bill(&alice, json!({"name": "Rent", "expected_amount": "100", "anchor_date": "2026-01-01", "due_day": 1})).await;
        let id = bill["id"].as_str().expect("id").to_owned();
        let other = new_bill(&alice, json!({"name": "Phone", "expected_amount": "20", "anchor_date": "2026-03-10", "due_day": 10})).await;
        let other_id = other["id"].as_str().expect("id").to_owned();
        let bill_id = id.parse().expect("bill id");
        let me = owner(&app, "alice").await;
        let same = |d: &str| (d.to_owned(), d.to_owned());

        assert_eq!(next_due(&alice, &id).await, same("2026-01-01"), "January was never paid");
        assert_eq!(next_due(&alice, &other_id).await, same("2026-03-10"), "each bill its own");

        pay(&app, me, bill_id, 10_000, day(2026, 1, 1)).await;
        assert_eq!(next_due(&alice, &id).await, same("2026-02-01"));
        let (status, _) = call(&alice, Method::PUT, &format!("/api/tracker/occurrences/{id}/2026-02-01"), Some(json!({"skipped": true}))).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(next_due(&alice, &id).await, same("2026-03-01"), "a skipped month owes nothing");
        pay(&app, me, bill_id, 4_000, day(2026, 3, 1)).await;
        assert_eq!(next_due(&alice, &id).await, same("2026-03-01"), "a partly paid month still owes");

        // It is May, and March is still short: March is next due, not June or May.
        set_clock(&app, 2026, 5, 10, 9);
        alice = app.browser().await;
        let signed_in = alice.login("alice", PASSWORD).await;
        assert!(signed_in.status().is_success(), "a new session in May: {:?}", signed_in.text().await);
        assert_eq!(next_due(&alice, &id).await, same("2026-03-01"));

        pay(&app, me, bill_id, 6_000, day(2026, 3, 1)).await;
        assert_eq!(next_due(&alice, &id).await, same("2026-04-01"), "April was never paid");
        for month in [4, 5, 6] {
            pay(&app, me, bill_id, 10_000, day(2026, month, 1)).await;
        }
        assert_eq!(next_due(&alice, &id).await, same("2026-07-01"), "paid ahead through June");

        // An inactive bill has none.
        let (status, off) = call(&alice, Method::POST, &format!("/api/bills/{other_id}/deactivate"), None).await;
        assert_eq!((status, off["next_due"].clone()), (StatusCode::OK, Value::Null));
    }

    async fn the_bills_list_and_the_bill_page_show_the_unpaid_earlier_date(app) {
        let alice = app.signed_in("alice", Role::User).await;
        let bill = new_bill(&alice, json!({"name": "Rent", "expected_amount": "100", "anchor_date": "2026-02-05", "due_day": 5})).await;
        let id = bill["id"].as_str().expect("id");
        let list = page(&alice, "/bills").await;
        assert!(list.contains("<time datetime=\"2026-02-05\">"), "{list}");
        assert!(list.contains("37 days ago"), "{list}");
        let html = page(&alice, &format!("/bills/{id}")).await;
        let next = html.split("Next due").nth(1).expect("next due");
        assert!(next.contains("datetime=\"2026-02-05\""), "{html}");
    }
}
