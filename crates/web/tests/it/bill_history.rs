//! A bill's history starts at its first due date (issue 14, item 5): a bill added with a past
//! first due date shows in the months since then, a payment made back then settles the
//! occurrence it paid (never a later one it would overpay), and the earlier unpaid due dates
//! can be marked paid in one undoable action, from the API and from the bill page. Today is
//! 2026-03-14 on the test clock.

use domain::user::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::app_tests;
use crate::bills::{call, get, new_bill};
use crate::pages_support::{page, submit, unescape_amp};
use crate::tracker::{status_of, tracker};

/// A monthly bill of 50.00 first due on 2025-06-01 (nine due dates before March 2026).
async fn old_bill(browser: &crate::support::Browser) -> String {
    let bill = new_bill(
        browser,
        json!({"name": "Phone", "expected_amount": "50", "anchor_date": "2025-06-01", "due_day": 1}),
    )
    .await;
    bill["id"].as_str().expect("id").to_owned()
}

app_tests! {
    async fn a_bill_with_a_past_first_due_date_has_its_history_from_then(app) {
        let alice = app.signed_in("alice", Role::User).await;
        let id = old_bill(&alice).await;
        let (_, ranges) = get(&alice, &format!("/api/bills/{id}/history")).await;
        assert_eq!(ranges, json!([{"start_date": "2025-06-01", "end_date": null}]));
        let august = tracker(&alice, "year=2025&month=8").await;
        assert_eq!(status_of(&august, "Phone", "2025-08-01"), "missed", "earlier months show the bill");
        let may = tracker(&alice, "year=2025&month=5").await;
        assert!(crate::tracker::occurrences(&may).is_empty(), "nothing before the first due date");

        // A payment dated last month settles an occurrence due by then, never March's.
        let (status, paid) = call(&alice, Method::POST, "/api/payments", Some(json!({"bill_id": id, "amount": "50", "paid_on": "2026-02-01"}))).await;
        assert_eq!(status, StatusCode::CREATED, "{paid}");
        assert!(paid["cycle_due"].as_str().expect("cycle") <= "2026-02-01", "{paid}");
        let march = tracker(&alice, "year=2026&month=3").await;
        assert_ne!(status_of(&march, "Phone", "2026-03-01"), "overpaid");
        assert_ne!(status_of(&march, "Phone", "2026-03-01"), "paid");
    }

    async fn earlier_unpaid_due_dates_are_marked_paid_in_one_undoable_step(app) {
        let alice = app.signed_in("alice", Role::User).await;
        let bob = app.signed_in("bob", Role::User).await;
        let id = old_bill(&alice).await;
        let (status, unpaid) = get(&alice, &format!("/api/bills/{id}/unpaid-history")).await;
        assert_eq!((status, unpaid.clone()), (StatusCode::OK, json!({"unpaid_count": 9, "unpaid_from": "2025-06-01"})));

        // Someone else's bill is not found, and nothing is paid.
        let (status, _) = call(&bob, Method::POST, &format!("/api/bills/{id}/pay-history"), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert_eq!(get(&alice, &format!("/api/bills/{id}/unpaid-history")).await.1["unpaid_count"], 9);

        let (status, paid) = call(&alice, Method::POST, &format!("/api/bills/{id}/pay-history"), None).await;
        assert_eq!((status, paid["paid_count"].clone()), (StatusCode::OK, json!(9)), "{paid}");
        assert_eq!(get(&alice, &format!("/api/bills/{id}/unpaid-history")).await.1, json!({"unpaid_count": 0, "unpaid_from": null}));
        let august = tracker(&alice, "year=2025&month=8").await;
        assert_eq!(status_of(&august, "Phone", "2025-08-01"), "paid");
        let march = tracker(&alice, "year=2026&month=3").await;
        assert_ne!(status_of(&march, "Phone", "2026-03-01"), "paid", "this month is left to the tracker");
        let (_, payments) = get(&alice, &format!("/api/payments?bill_id={id}")).await;
        let dates: Vec<&str> = payments["items"].as_array().expect("items").iter().map(|p| p["paid_on"].as_str().expect("date")).collect();
        assert!(dates.contains(&"2025-06-01") && dates.contains(&"2026-02-01"), "each on its due date: {dates:?}");

        // Again: nothing left to mark.
        let (_, again) = call(&alice, Method::POST, &format!("/api/bills/{id}/pay-history"), None).await;
        assert_eq!(again, json!({"paid_count": 0, "undo_token": null}));

        let (status, undone) = call(&alice, Method::POST, "/api/tracker/undo", Some(json!({"undo_token": paid["undo_token"]}))).await;
        assert_eq!((status, undone["undone_count"].clone()), (StatusCode::OK, json!(9)));
        assert_eq!(get(&alice, &format!("/api/bills/{id}/unpaid-history")).await.1["unpaid_count"], 9);
    }

    async fn a_first_due_date_decades_ago_counts_and_marks_only_the_last_ten_years(app) {
        let alice = app.signed_in("alice", Role::User).await;
        let bill = new_bill(&alice, json!({"name": "Old lease", "expected_amount": "10", "anchor_date": "1950-01-01", "due_day": 1})).await;
        let id = bill["id"].as_str().expect("id");
        let (_, unpaid) = get(&alice, &format!("/api/bills/{id}/unpaid-history")).await;
        assert_eq!(unpaid, json!({"unpaid_count": 120, "unpaid_from": "2016-03-01"}), "March 2016 – February 2026");
        let (_, paid) = call(&alice, Method::POST, &format!("/api/bills/{id}/pay-history"), None).await;
        assert_eq!(paid["paid_count"], 120, "{paid}");
    }

    async fn the_bill_page_offers_to_mark_the_earlier_due_dates_paid(app) {
        let alice = app.signed_in("alice", Role::User).await;
        let id = old_bill(&alice).await;
        let html = page(&alice, &format!("/bills/{id}")).await;
        assert!(html.contains("9 earlier due dates, from June 2025, are not marked paid"), "{html}");

        let (status, location, _) = submit(&alice, &format!("/bills/{id}/pay-history"), &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(location.starts_with(&format!("/bills/{id}?notice=history_paid&undo=")), "{location}");
        let html = page(&alice, &location).await;
        assert!(html.contains("Earlier due dates marked paid"), "{html}");
        assert!(!html.contains("earlier due dates, from"), "the offer is gone");
        let token = location.rsplit_once("undo=").expect("token").1.to_owned();
        assert!(unescape_amp(&html).contains(&format!("name=\"undo_token\" value=\"{token}\"")), "{html}");

        let (status, location, _) = submit(&alice, &format!("/bills/{id}/pay-history/undo"), &[("undo_token", &token)]).await;
        assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, format!("/bills/{id}?notice=history_undone").as_str()));
        let html = page(&alice, &location).await;
        assert!(html.contains("9 earlier due dates, from June 2025"), "{html}");

        // A bill that starts this month offers nothing.
        let new: Value = new_bill(&alice, json!({"name": "Gym", "expected_amount": "20", "anchor_date": "2026-03-20"})).await;
        let html = page(&alice, &format!("/bills/{}", new["id"].as_str().expect("id"))).await;
        assert!(!html.contains("earlier due date"), "{html}");
    }
}
