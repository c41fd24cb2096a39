//! Matching over HTTP and on the pages: a transaction's suggestions say why, a match makes the
//! bill paid on the tracker for the cycle it settles, the recent-matches panel undoes it,
//! "Not this bill" hides a suggestion, ignore and unignore, and another user's ids (AZ-02).

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::app_tests;
use crate::money::{bill, user};
use crate::support::Browser;

/// Imports `csv` (Date, Amount, Payee; ISO dates) into a new USD account; the transactions.
async fn imported(browser: &Browser, csv: &str) -> Vec<Value> {
    let form = Form::new()
        .part(
            "file",
            Part::bytes(csv.as_bytes().to_vec()).file_name("s.csv"),
        )
        .text("account_name", "Checking")
        .text("account_currency", "USD")
        .text("date_column", "1")
        .text("amount_column", "2")
        .text("payee_column", "3");
    let preview: Value = browser
        .client
        .post(browser.url("/api/imports"))
        .header("x-csrf-token", &browser.csrf)
        .multipart(form)
        .send()
        .await
        .expect("upload")
        .json()
        .await
        .expect("json");
    let id = preview["import"]["id"]
        .as_str()
        .expect("preview id")
        .to_owned();
    assert_eq!(
        browser
            .post(&format!("/api/imports/{id}/apply"), json!({}))
            .await
            .status(),
        StatusCode::OK
    );
    let page: Value = browser
        .get("/api/transactions?sort=date&dir=asc")
        .await
        .json()
        .await
        .expect("json");
    page["items"].as_array().expect("items").clone()
}

async fn tracker_status(browser: &Browser, month: &str, name: &str) -> String {
    let view = crate::tracker::tracker(browser, month).await;
    crate::tracker::occurrences(&view)
        .into_iter()
        .find(|o| o["bill_name"] == name)
        .cloned()
        .map(|o| o["status"].as_str().unwrap_or_default().to_owned())
        .unwrap_or_default()
}

app_tests! {
    async fn a_suggested_match_pays_the_bill_on_the_tracker_and_the_undo_panel_takes_it_back(app) {
        let (alice, owner) = user(&app, "alice").await;
        bill(&app, owner, "Power Co", 4000, None).await;
        let rows = imported(&alice, "Date,Amount,Payee\n2026-03-02,-40.00,POWER CO 1234\n2026-03-03,-3.50,Coffee Corner\n2026-03-04,900.00,Employer\n").await;
        let power = rows[0]["id"].as_str().expect("id").to_owned();
        let coffee = rows[1]["id"].as_str().expect("id").to_owned();

        let (status, found) = { let r = alice.get(&format!("/api/transactions/{power}/suggestions")).await; (r.status(), r.json::<Value>().await.expect("json")) };
        assert_eq!(status, StatusCode::OK);
        let best = &found["suggestions"][0];
        assert_eq!(best["bill_name"], "Power Co", "{found}");
        let why = best["reasons"].as_array().expect("reasons").iter().map(|r| r.as_str().unwrap_or_default()).collect::<Vec<_>>().join(", ");
        assert!(why.contains("amount equal") && why.contains("after due"), "{why}");
        let bill_id = best["bill_id"].as_str().expect("bill").to_owned();
        assert_eq!(tracker_status(&alice, "year=2026&month=3", "Power Co").await, "missed", "unpaid before the match");

        // The page shows the suggestion and why; its Match button pays the bill.
        let html = alice.get(&format!("/transactions/{power}")).await.text().await.expect("html");
        assert!(html.contains("Which bill did this pay?") && html.contains("amount equal"), "{html}");
        let matched = alice.client.post(alice.url(&format!("/transactions/{power}/match"))).form(&[("csrf_token", alice.csrf.as_str()), ("bill_id", bill_id.as_str()), ("from_suggestion", "true")]).send().await.expect("match");
        assert_eq!(matched.status(), StatusCode::SEE_OTHER);
        let tx: Value = alice.get(&format!("/api/transactions/{power}")).await.json().await.expect("json");
        let payment: Value = alice.get(&format!("/api/payments/{}", tx["payment_id"].as_str().expect("payment"))).await.json().await.expect("json");
        assert_eq!((payment["source"].as_str(), payment["amount"].as_str()), (Some("bank"), Some("40.00")), "{payment}");
        assert_eq!(payment["cycle_due"], "2026-01-01", "January and February were unpaid too: arrears are settled oldest first");
        assert_eq!(tracker_status(&alice, "year=2026&month=1", "Power Co").await, "paid", "the bank's payment pays January");
        let again = alice.post(&format!("/api/transactions/{power}/match"), json!({"bill_id": bill_id})).await;
        assert_eq!(again.status(), StatusCode::CONFLICT, "one transaction backs one payment");
        let html = alice.get(&format!("/transactions/{power}")).await.text().await.expect("html");
        assert!(html.contains("Matched to Power Co"), "{html}");

        let list = alice.get("/transactions").await.text().await.expect("html");
        assert!(list.contains("Matched in the last 7 days") && list.contains("POWER CO 1234"), "{list}");
        let recent: Value = alice.get("/api/transactions/recent-matches").await.json().await.expect("json");
        assert_eq!(recent[0]["matched_by"], "suggestion");
        let undone = alice.client.post(alice.url(&format!("/transactions/{power}/unmatch"))).form(&[("csrf_token", alice.csrf.as_str()), ("return_to", "/transactions")]).send().await.expect("undo");
        assert_eq!(undone.status(), StatusCode::SEE_OTHER);
        assert_eq!(undone.headers().get("location").and_then(|v| v.to_str().ok()), Some("/transactions?notice=unmatched"));
        assert_eq!(tracker_status(&alice, "year=2026&month=1", "Power Co").await, "missed", "the undo took the payment away");

        // Not this bill: hidden; ignore and unignore.
        let rejected = alice.post(&format!("/api/transactions/{power}/reject"), json!({"bill_id": bill_id})).await;
        assert_eq!(rejected.status(), StatusCode::NO_CONTENT);
        let found: Value = alice.get(&format!("/api/transactions/{power}/suggestions")).await.json().await.expect("json");
        assert!(found["suggestions"].as_array().expect("list").iter().all(|s| s["bill_id"] != bill_id.as_str()), "{found}");
        let ignored: Value = alice.post(&format!("/api/transactions/{coffee}/ignore"), json!({})).await.json().await.expect("json");
        assert_eq!(ignored["state"], "ignored");
        let back: Value = alice.post(&format!("/api/transactions/{coffee}/unignore"), json!({})).await.json().await.expect("json");
        assert_eq!(back["state"], "unmatched");
        let refused = alice.post(&format!("/api/transactions/{power}/match"), json!({"bill_id": bill_id, "cycle_due": "2026-02-30"})).await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let problem: Value = refused.json().await.expect("json");
        assert_eq!(problem["field"], "cycle_due");
    }

    async fn az_02_another_users_transaction_or_bill_cannot_be_matched_seen_or_undone(app) {
        let (alice, owner) = user(&app, "alice").await;
        let (mallory, mallory_id) = user(&app, "mallory").await;
        let alices_bill = bill(&app, owner, "Rent", 100_000, None).await;
        let mallorys_bill = bill(&app, mallory_id, "Mallory's", 100_000, None).await;
        let rows = imported(&alice, "Date,Amount,Payee\n2026-03-01,-1000.00,Landlord\n").await;
        let tx = rows[0]["id"].as_str().expect("id").to_owned();
        for path in [format!("/api/transactions/{tx}/suggestions"), format!("/transactions/{tx}")] {
            assert_eq!(mallory.get(&path).await.status(), StatusCode::NOT_FOUND, "{path}");
        }
        let theirs = mallory.post(&format!("/api/transactions/{tx}/match"), json!({"bill_id": mallorys_bill.to_string()})).await;
        assert_eq!(theirs.status(), StatusCode::NOT_FOUND, "another user's transaction");
        let other_bill = alice.post(&format!("/api/transactions/{tx}/match"), json!({"bill_id": mallorys_bill.to_string()})).await;
        assert_eq!(other_bill.status(), StatusCode::NOT_FOUND, "another user's bill");
        let made = alice.post(&format!("/api/transactions/{tx}/match"), json!({"bill_id": alices_bill.to_string()})).await;
        assert_eq!(made.status(), StatusCode::CREATED);
        for path in ["unmatch", "ignore", "unignore"] {
            assert_eq!(mallory.post(&format!("/api/transactions/{tx}/{path}"), json!({})).await.status(), StatusCode::NOT_FOUND, "{path}");
        }
        let page = mallory.client.post(mallory.url(&format!("/transactions/{tx}/unmatch"))).form(&[("csrf_token", mallory.csrf.as_str())]).send().await.expect("post");
        assert_eq!(page.status(), StatusCode::NOT_FOUND);
        let recent: Value = mallory.get("/api/transactions/recent-matches").await.json().await.expect("json");
        assert_eq!(recent, json!([]));
        let mine: Value = alice.get(&format!("/api/transactions/{tx}")).await.json().await.expect("json");
        assert_eq!(mine["state"], "matched", "still matched after mallory's tries");
    }
}
