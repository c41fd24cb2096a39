//! Expenses: round trip, filters, sort, pagination with a total, literal search (VAL-03),
//! bulk delete with undo.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{assert_refused, category, created, delete, get, patch, post, spend, text, user};
use crate::app_tests;

fn payees(page: &Value) -> Vec<&str> {
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| text(e, "payee"))
        .collect()
}

app_tests! {
    async fn expenses_round_trip_through_record_read_edit_delete_and_restore(app) {
        let (alice, owner) = user(&app, "alice").await;
        let food = category(&app, owner, "Food").await;
        let made = created(&alice, "/api/expenses", json!({
            "amount": "12.5", "spent_on": "2026-03-10", "category_id": food.to_string(),
            "payee": " Corner Shop ", "note": "milk", "method": "cash"
        })).await;
        assert_eq!(made["amount"], "12.50");
        assert_eq!(made["amount_minor"], 1250);
        assert_eq!(made["currency"], "USD", "the user's currency by default");
        assert_eq!(made["payee"], "Corner Shop");
        assert_eq!(made["category_id"], json!(food.to_string()));
        let id = text(&made, "id").to_owned();

        let today = created(&alice, "/api/expenses", json!({"amount": "1000", "currency": "JPY"})).await;
        assert_eq!(today["spent_on"], "2026-03-14", "today by default");
        assert_eq!((today["amount"].as_str(), today["amount_minor"].as_i64()), (Some("1000"), Some(1000)), "JPY has no decimals");

        let (status, read) = get(&alice, &format!("/api/expenses/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(read, made);
        let (status, edited) = patch(&alice, &format!("/api/expenses/{id}"), json!({
            "amount": "-3.00", "category_id": null, "payee": null, "version": made["version"]
        })).await;
        assert_eq!(status, StatusCode::OK, "{edited}");
        assert_eq!(edited["amount"], "-3.00", "a refund");
        assert_eq!(edited["category_id"], json!(null));
        assert_eq!(edited["payee"], json!(null));
        assert_eq!(edited["note"], "milk", "fields left out stay");
        let (status, _) = patch(&alice, &format!("/api/expenses/{id}"), json!({"note": "x", "version": made["version"]})).await;
        assert_eq!(status, StatusCode::CONFLICT);

        assert_eq!(delete(&alice, &format!("/api/expenses/{id}")).await, StatusCode::NO_CONTENT);
        let (_, page) = get(&alice, "/api/expenses").await;
        assert_eq!(page["total"], 1, "the deleted one left the list");
        let (_, page) = get(&alice, "/api/expenses?include_deleted=true").await;
        assert_eq!(page["total"], 2);
        let (status, restored) = post(&alice, &format!("/api/expenses/{id}/restore"), json!({})).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(restored["deleted_at"], json!(null));
        let (_, page) = get(&alice, "/api/expenses").await;
        assert_eq!(page["total"], 2);
    }

    async fn expenses_filter_sort_and_paginate_with_a_total(app) {
        let (alice, owner) = user(&app, "alice").await;
        let food = category(&app, owner, "Food").await;
        created(&alice, "/api/expenses", json!({"amount": "30", "spent_on": "2026-03-05", "payee": "Bakery", "category_id": food.to_string()})).await;
        spend(&alice, "5", "2026-03-01", "Apple store").await;
        spend(&alice, "120", "2026-02-20", "Cinema").await;
        spend(&alice, "60", "2026-03-09", "Dentist").await;
        spend(&alice, "15", "2026-01-15", "Electric").await;

        let (status, all) = get(&alice, "/api/expenses").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(all["total"], 5);
        assert_eq!((all["limit"].as_i64(), all["offset"].as_i64()), (Some(50), Some(0)));
        assert_eq!(payees(&all), ["Dentist", "Bakery", "Apple store", "Cinema", "Electric"], "newest first by default");

        let (_, march) = get(&alice, "/api/expenses?from=2026-03-01&to=2026-03-31").await;
        assert_eq!((march["total"].as_i64(), payees(&march).len()), (Some(3), 3));
        let (_, in_food) = get(&alice, &format!("/api/expenses?category_id={food}")).await;
        assert_eq!(payees(&in_food), ["Bakery"]);
        let (_, middle) = get(&alice, "/api/expenses?min_amount=15&max_amount=60.00&sort=amount&dir=asc").await;
        assert_eq!(payees(&middle), ["Electric", "Bakery", "Dentist"], "amount range, inclusive, cheapest first");
        let (_, by_payee) = get(&alice, "/api/expenses?sort=payee&dir=asc").await;
        assert_eq!(payees(&by_payee), ["Apple store", "Bakery", "Cinema", "Dentist", "Electric"]);
        let (_, dearest) = get(&alice, "/api/expenses?sort=amount").await;
        assert_eq!(payees(&dearest)[0], "Cinema", "descending by default");

        let (_, page2) = get(&alice, "/api/expenses?sort=payee&dir=asc&limit=2&offset=2").await;
        assert_eq!(payees(&page2), ["Cinema", "Dentist"]);
        assert_eq!(page2["total"], 5, "the total counts every match, not the page");
        let (_, past_end) = get(&alice, "/api/expenses?offset=10").await;
        assert_eq!((past_end["total"].as_i64(), payees(&past_end).len()), (Some(5), 0));

        for (query, field) in [("sort=name", "sort"), ("dir=up", "dir"), ("sort=amount;drop", "sort"), ("limit=0", "limit"), ("limit=501", "limit"), ("offset=-1", "offset"), ("offset=", "offset"), ("q=&to=", "q")] {
            assert_refused(query, &get(&alice, &format!("/api/expenses?{query}")).await, field);
        }
    }

    async fn val_03_search_matches_percent_and_underscore_literally(app) {
        let (alice, _) = user(&app, "alice").await;
        spend(&alice, "1", "2026-03-01", "50% off sale").await;
        spend(&alice, "1", "2026-03-02", "500 off sale").await;
        spend(&alice, "1", "2026-03-03", "file_name shop").await;
        spend(&alice, "1", "2026-03-04", "fileXname shop").await;
        created(&alice, "/api/expenses", json!({"amount": "1", "spent_on": "2026-03-05", "payee": "Other", "note": "100% Refund"})).await;

        let (_, percent) = get(&alice, "/api/expenses?q=50%25").await;
        assert_eq!(payees(&percent), ["50% off sale"], "% is a percent sign, not a wildcard");
        let (_, underscore) = get(&alice, "/api/expenses?q=e_n").await;
        assert_eq!(payees(&underscore), ["file_name shop"], "_ is an underscore, not any character");
        let (_, in_note) = get(&alice, "/api/expenses?q=%25%20refund").await;
        assert_eq!(payees(&in_note), ["Other"], "notes are searched too, ignoring case");
        let (_, everything) = get(&alice, "/api/expenses?q=%25").await;
        assert_eq!(everything["total"], 2, "only the rows that hold a %");
    }

    async fn bulk_delete_and_undo_bring_back_exactly_those_expenses(app) {
        let (alice, _) = user(&app, "alice").await;
        let a = spend(&alice, "1", "2026-03-01", "A").await;
        let b = spend(&alice, "2", "2026-03-02", "B").await;
        let c = spend(&alice, "3", "2026-03-03", "C").await;
        // C was deleted on its own before: the bulk delete must not claim it.
        assert_eq!(delete(&alice, &format!("/api/expenses/{}", text(&c, "id"))).await, StatusCode::NO_CONTENT);
        let missing = "0190a5b2-0000-7000-8000-000000000000";

        let (status, done) = post(&alice, "/api/expenses/bulk-delete", json!({"ids": [a["id"], b["id"], c["id"], missing]})).await;
        assert_eq!(status, StatusCode::OK, "{done}");
        assert_eq!(done["deleted"], json!([a["id"], b["id"]]));
        assert_eq!(done["not_found"], json!([c["id"], missing]));
        let token = text(&done, "undo_token").to_owned();
        let (_, page) = get(&alice, "/api/expenses").await;
        assert_eq!(page["total"], 0);

        let (status, undone) = post(&alice, "/api/expenses/undo", json!({"undo_token": token})).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(undone["restored"], 2);
        let (_, page) = get(&alice, "/api/expenses?sort=payee&dir=asc").await;
        assert_eq!(payees(&page), ["A", "B"], "exactly the bulk-deleted ones came back, not C");
        let (_, again) = post(&alice, "/api/expenses/undo", json!({"undo_token": token})).await;
        assert_eq!(again["restored"], 0, "an undo works once");

        let (_, nothing) = post(&alice, "/api/expenses/bulk-delete", json!({"ids": [missing]})).await;
        assert_eq!(nothing["undo_token"], json!(null), "nothing deleted, nothing to undo");
        assert_refused("no ids", &post(&alice, "/api/expenses/bulk-delete", json!({"ids": []})).await, "ids");
        assert_refused("bad id", &post(&alice, "/api/expenses/bulk-delete", json!({"ids": ["x"]})).await, "ids");
        assert_refused("bad token", &post(&alice, "/api/expenses/undo", json!({"undo_token": "a b"})).await, "undo_token");
    }
}
