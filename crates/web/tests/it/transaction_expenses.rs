//! Recording a bank transaction as an expense over HTTP: the expense takes the transaction's
//! day, amount, currency and payee; budgets count the money once (the expense, not the
//! transaction); a transaction is recorded once, never when matched or money in, never by
//! another user; deleting the expense undoes it, and a deleted one is purged when the
//! transaction is recorded or matched again, so a restore cannot count the money twice.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::app_tests;
use crate::imports_api::{csv_form, get, post, upload};
use crate::money::user;
use crate::support::Browser;

/// The caller's transaction with `payee`.
async fn by_payee(browser: &Browser, payee: &str) -> Value {
    let (_, page) = get(browser, "/api/transactions").await;
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|t| t["payee"] == payee)
        .cloned()
        .unwrap_or_else(|| panic!("no {payee} in {page}"))
}

async fn spent(browser: &Browser) -> Value {
    let (_, budgets) = get(browser, "/api/budgets").await;
    budgets[0]["spent"].clone()
}

async fn record(browser: &Browser, id: &str, body: Value) -> (StatusCode, Value) {
    post(
        browser,
        &format!("/api/transactions/{id}/record-expense"),
        body,
    )
    .await
}

app_tests! {
    async fn a_recorded_transaction_counts_once_is_recorded_once_and_deleting_the_expense_undoes_it(app) {
        let (alice, owner) = user(&app, "alice").await;
        let (mallory, _) = user(&app, "mallory").await;
        let food = crate::money::category(&app, owner, "Food").await;
        let budget = post(&alice, "/api/budgets", json!({"category_id": food.to_string(), "period": "monthly", "limit": "100"})).await;
        assert_eq!(budget.0, StatusCode::CREATED, "{}", budget.1);
        let csv = "Date,Amount,Payee\n2026-03-02,-30.00,Grocer\n2026-03-05,5.00,Refund\n2026-03-06,-20.00,Power Co\n";
        let (_, preview) = upload(&alice, csv_form(csv).text("delimiter", "comma")).await;
        let import = preview["import"]["id"].as_str().expect("id").to_owned();
        assert_eq!(post(&alice, &format!("/api/imports/{import}/apply"), json!({})).await.0, StatusCode::OK);
        let grocer = by_payee(&alice, "Grocer").await;
        let id = grocer["id"].as_str().expect("id").to_owned();
        let set = alice.send(Method::PATCH, &format!("/api/transactions/{id}"), Some(json!({"category_id": food.to_string(), "version": grocer["version"]}))).await;
        assert_eq!(set.status(), StatusCode::OK);
        assert_eq!(spent(&alice).await, "30.00", "the categorised transaction counts");

        // Another user's real transaction id is not found, and writes nothing for anyone.
        assert_eq!(record(&mallory, &id, json!({})).await.0, StatusCode::NOT_FOUND);
        assert_eq!(get(&mallory, "/api/expenses").await.1["total"], 0);
        assert_eq!(get(&alice, "/api/expenses").await.1["total"], 0);
        // Money in is no expense.
        let refund = by_payee(&alice, "Refund").await;
        let (status, problem) = record(&alice, refund["id"].as_str().expect("id"), json!({})).await;
        assert_eq!((status, problem["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("transaction")), "{problem}");

        let (status, expense) = record(&alice, &id, json!({"note": "weekly shop"})).await;
        assert_eq!(status, StatusCode::CREATED, "{expense}");
        assert_eq!(
            (&expense["amount"], &expense["spent_on"], &expense["payee"], &expense["note"], &expense["category_id"]),
            (&json!("30.00"), &json!("2026-03-02"), &json!("Grocer"), &json!("weekly shop"), &json!(food.to_string())),
            "{expense}"
        );
        let expense_id = expense["id"].as_str().expect("id").to_owned();
        assert_eq!(spent(&alice).await, "30.00", "the same money, counted once");
        assert_eq!(by_payee(&alice, "Grocer").await["expense_id"], json!(expense_id));
        assert_eq!(record(&alice, &id, json!({})).await.0, StatusCode::CONFLICT, "recorded once");
        let (_, suggestions) = get(&alice, &format!("/api/transactions/{id}/suggestions")).await;
        assert_eq!(suggestions["suggestions"], json!([]), "{suggestions}");
        let bill = post(&alice, "/api/bills", json!({"name": "Groceries", "expected_amount": "30.00", "currency": "USD", "anchor_date": "2026-01-02", "due_day": 2})).await;
        assert_eq!(bill.0, StatusCode::CREATED, "{}", bill.1);
        let bill_id = bill.1["id"].as_str().expect("id").to_owned();
        assert_eq!(post(&alice, &format!("/api/transactions/{id}/match"), json!({"bill_id": bill_id})).await.0, StatusCode::CONFLICT, "a recorded transaction pays no bill");

        // Deleting the expense undoes it: the transaction is open and counts again.
        assert_eq!(alice.send(Method::DELETE, &format!("/api/expenses/{expense_id}"), None).await.status(), StatusCode::NO_CONTENT);
        assert_eq!(by_payee(&alice, "Grocer").await["expense_id"], Value::Null);
        assert_eq!(spent(&alice).await, "30.00");
        let restored = post(&alice, &format!("/api/expenses/{expense_id}/restore"), json!({})).await;
        assert_eq!(restored.0, StatusCode::OK, "{}", restored.1);
        assert_eq!(by_payee(&alice, "Grocer").await["expense_id"], json!(expense_id), "restoring brings the link back");
        assert_eq!(spent(&alice).await, "30.00");

        // Deleted, then matched: the deleted expense is purged, so no restore counts it again.
        assert_eq!(alice.send(Method::DELETE, &format!("/api/expenses/{expense_id}"), None).await.status(), StatusCode::NO_CONTENT);
        let matched = post(&alice, &format!("/api/transactions/{id}/match"), json!({"bill_id": bill_id})).await;
        assert_eq!(matched.0, StatusCode::CREATED, "{}", matched.1);
        assert_eq!(post(&alice, &format!("/api/expenses/{expense_id}/restore"), json!({})).await.0, StatusCode::NOT_FOUND);
        assert_eq!(record(&alice, &id, json!({})).await.0, StatusCode::CONFLICT, "a matched transaction is no expense");
        assert_eq!(get(&alice, "/api/expenses").await.1["total"], 0);
    }
}

app_tests! {
    async fn the_transaction_page_records_an_expense_without_javascript(app) {
        let (alice, _) = user(&app, "alice").await;
        let csv = "Date,Amount,Payee\n2026-03-02,-30.00,Grocer\n";
        let (_, preview) = upload(&alice, csv_form(csv).text("delimiter", "comma")).await;
        let import = preview["import"]["id"].as_str().expect("id").to_owned();
        assert_eq!(post(&alice, &format!("/api/imports/{import}/apply"), json!({})).await.0, StatusCode::OK);
        let id = by_payee(&alice, "Grocer").await["id"].as_str().expect("id").to_owned();
        let page = alice.get(&format!("/transactions/{id}")).await.text().await.expect("html");
        assert!(page.contains("Record as expense"), "{page}");
        let done = alice.client.post(alice.url(&format!("/transactions/{id}/record-expense"))).form(&[("csrf_token", alice.csrf.as_str()), ("note", "shop")]).send().await.expect("post");
        assert_eq!(done.status(), StatusCode::SEE_OTHER);
        let page = alice.get(&format!("/transactions/{id}?notice=recorded")).await.text().await.expect("html");
        assert!(page.contains("Recorded as an expense"), "{page}");
        assert!(!page.contains("Record as expense"), "offered once");
        assert_eq!(get(&alice, "/api/expenses").await.1["total"], 1);
    }
}
