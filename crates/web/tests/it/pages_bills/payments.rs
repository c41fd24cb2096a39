//! The payment and occurrence forms of the bill page: record a payment (listed; bad input under
//! its field, nothing written), edit it (a stale version is a conflict), delete it with a
//! Restore banner, restore it; another user's payment is 404; an occurrence's actual amount,
//! note, skip and snooze are saved from the page.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{add_bill, alice};
use crate::app_tests;
use crate::pages_support::{escaped, fetch, page, submit};

/// The bill's payments through the JSON API (deleted ones too).
async fn api_payments(browser: &crate::support::Browser, bill: &str) -> Vec<Value> {
    let body: Value = browser
        .get(&format!(
            "/api/payments?bill_id={bill}&include_deleted=true"
        ))
        .await
        .json()
        .await
        .expect("json");
    body["items"].as_array().cloned().unwrap_or_default()
}

app_tests! {
    async fn a_payment_recorded_on_the_bill_page_is_listed(app) {
        let browser = alice(&app).await;
        let id = add_bill(&browser, &[("expected_amount", "100.00")]).await;
        let html = page(&browser, &format!("/bills/{id}")).await;
        assert!(html.contains(&format!("action=\"/bills/{id}/payments\"")), "{html}");
        assert!(html.contains("No payments recorded yet"));

        let path = format!("/bills/{id}/payments");
        let (status, location, _) = submit(&browser, &path, &[("amount", "50.00"), ("paid_on", "2026-03-10"), ("cycle_due", ""), ("method", "Card"), ("note", "First half")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let html = page(&browser, &location).await;
        assert!(html.contains("Payment recorded"), "{html}");
        assert!(html.contains("$50.00") && html.contains("First half") && html.contains("Mar 10, 2026"), "{html}");
        assert!(html.contains(">Partial</span>"), "the occurrence shows the partial payment");

        for (field, value, message) in [("amount", "12.345", "Amount must have at most 2 decimal places"), ("amount", "0", "Amount must be greater than zero"), ("paid_on", "2025-02-30", "Paid on"), ("note", "a\u{1b}b", "Note must not contain control characters")] {
            let mut fields = vec![("amount", "10.00"), ("paid_on", "2026-03-11"), ("note", "")];
            fields.retain(|(n, _)| *n != field);
            fields.push((field, value));
            let (status, _, html) = submit(&browser, &path, &fields).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}: {html}");
            assert!(html.contains(message), "{field}: {html}");
            assert!(html.contains(&format!("href=\"#payment-{field}\"")), "{field}: the summary links to the field");
            assert!(html.contains(&format!("value=\"{}\"", escaped(value))), "{field}: the typed value is kept");
        }
        assert_eq!(api_payments(&browser, &id).await.len(), 1, "nothing else was written");
    }

    async fn a_payment_is_edited_deleted_and_restored(app) {
        let browser = alice(&app).await;
        let id = add_bill(&browser, &[("expected_amount", "100.00")]).await;
        submit(&browser, &format!("/bills/{id}/payments"), &[("amount", "40.00"), ("paid_on", "2026-03-10")]).await;
        let payment = api_payments(&browser, &id).await[0].clone();
        let pid = payment["id"].as_str().expect("id").to_owned();
        let version = payment["version"].as_i64().expect("version").to_string();

        let form = page(&browser, &format!("/payments/{pid}/edit")).await;
        assert!(form.contains("value=\"40.00\"") && form.contains("value=\"2026-03-20\""), "{form}");
        let edit = |amount: &'static str, version: String| {
            let browser = &browser;
            let pid = pid.clone();
            async move {
                submit(browser, &format!("/payments/{pid}"), &[("amount", amount), ("paid_on", "2026-03-10"), ("cycle_due", "2026-03-20"), ("method", ""), ("note", "corrected"), ("version", &version)]).await
            }
        };
        let (status, _, html) = edit("abc", version.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("Amount must be a number") && html.contains("value=\"abc\""), "{html}");
        let (status, location, _) = edit("60.00", version.clone()).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let html = page(&browser, &location).await;
        assert!(html.contains("Payment saved") && html.contains("$60.00") && html.contains("corrected"), "{html}");
        let (status, _, html) = edit("70.00", version).await;
        assert_eq!(status, StatusCode::CONFLICT, "the old version is stale");
        assert!(html.contains("changed elsewhere"), "{html}");
        assert_eq!(api_payments(&browser, &id).await[0]["amount"], "60.00");

        let (status, location, _) = submit(&browser, &format!("/payments/{pid}/delete"), &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let html = page(&browser, &location).await;
        assert!(html.contains("Payment deleted"), "{html}");
        assert!(html.contains(&format!("action=\"/payments/{pid}/restore\"")), "the banner offers Restore");
        assert!(html.contains("Deleted payments (1)"));
        assert!(!html.contains(&format!("href=\"/payments/{pid}/edit\"")), "no longer listed as a payment");
        assert_eq!(fetch(&browser, &format!("/payments/{pid}/edit")).await.0, StatusCode::NOT_FOUND);

        let (status, location, _) = submit(&browser, &format!("/payments/{pid}/restore"), &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let html = page(&browser, &location).await;
        assert!(html.contains("Payment restored") && html.contains(&format!("href=\"/payments/{pid}/edit\"")), "{html}");
    }

    async fn another_users_payment_is_not_found(app) {
        let bob = app.signed_in("bob", domain::user::Role::User).await;
        let id = add_bill(&bob, &[]).await;
        submit(&bob, &format!("/bills/{id}/payments"), &[("amount", "40.00"), ("paid_on", "2026-03-10")]).await;
        let before = api_payments(&bob, &id).await;
        let pid = before[0]["id"].as_str().expect("id").to_owned();
        let alice = alice(&app).await;
        assert_eq!(fetch(&alice, &format!("/payments/{pid}/edit")).await.0, StatusCode::NOT_FOUND);
        for (path, fields) in [
            (format!("/payments/{pid}"), vec![("amount", "1.00"), ("paid_on", "2026-03-10"), ("cycle_due", "2026-03-20"), ("version", "1")]),
            (format!("/payments/{pid}/delete"), vec![]),
            (format!("/payments/{pid}/restore"), vec![]),
            ("/payments/nope/delete".to_owned(), vec![]),
        ] {
            let (status, _, _) = submit(&alice, &path, &fields).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        }
        assert_eq!(api_payments(&bob, &id).await, before, "bob's payment is unchanged");
    }

    async fn an_occurrence_is_adjusted_from_the_bill_page(app) {
        let browser = alice(&app).await;
        let id = add_bill(&browser, &[("expected_amount", "100.00")]).await;
        let html = page(&browser, &format!("/bills/{id}")).await;
        assert!(html.contains("id=\"occ-2026-03-20-actual_amount\""), "March's occurrence is listed: {html}");
        let path = format!("/bills/{id}/occurrence");

        let (status, _, html) = submit(&browser, &path, &[("due_date", "2026-03-20"), ("actual_amount", "abc"), ("note", "Higher")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("Actual amount must be a number"), "{html}");
        assert!(html.contains("value=\"abc\"") && html.contains("value=\"Higher\""), "typed values kept");
        assert!(html.contains("<details class=\"adjust\" open>"), "the refused form is open");

        let (status, location, _) = submit(&browser, &path, &[("due_date", "2026-03-20"), ("actual_amount", "120.00"), ("note", "Higher"), ("snoozed_until", "")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let html = page(&browser, &location).await;
        assert!(html.contains("Amount this time: $120.00") && html.contains("Note: Higher"), "{html}");
        let tracker: Value = browser.get("/api/tracker?year=2026&month=3").await.json().await.expect("json");
        let text = tracker.to_string();
        assert!(text.contains("\"actual_amount\":{\"amount\":\"120.00\""), "{text}");

        let (status, _, _) = submit(&browser, &path, &[("due_date", "2026-03-20"), ("actual_amount", ""), ("note", ""), ("skipped", "true")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(page(&browser, &format!("/bills/{id}")).await.contains(">Skipped</span>"));

        let (status, location, _) = submit(&browser, &path, &[("due_date", "2026-03-21"), ("skipped", "true")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "a date that is not a due date is a banner");
        assert!(location.contains("error=invalid"), "{location}");
        assert_eq!(json!(page(&browser, &location).await.contains("That was not possible")), json!(true));
    }
}
