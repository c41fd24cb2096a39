//! Merchant rules on the bill page without JavaScript: the "Bank matching rules" section, a
//! draft previewed on its own page (count first, nothing written), a refused field drawn under
//! it with 422, saved, edited (a stale version is 409), applied to past transactions with the
//! count in the banner (the tracker then shows the bill paid), and deleted; another user's rule
//! is a 404 page.

use reqwest::StatusCode;

use crate::app_tests;
use crate::imports::user_data;
use crate::money::{bill, user};
use crate::rules_api::import;
use crate::support::Browser;

const CSV: &str = "Date,Amount,Payee\n2026-01-02,-60.00,Acme Fiber 122\n2026-02-02,-60.00,ACME FIBER 123\n2026-03-02,-60.00,Acme Fiber 124\n2026-03-05,-60.00,Other\n";

/// Posts the form `pairs` (plus the CSRF token) to `path`: the status, the redirect target
/// and the HTML.
async fn submit(
    browser: &Browser,
    path: &str,
    pairs: &[(&str, &str)],
) -> (StatusCode, String, String) {
    let mut pairs = pairs.to_vec();
    pairs.push(("csrf_token", &browser.csrf));
    let response = browser
        .client
        .post(browser.url(path))
        .form(&pairs)
        .send()
        .await
        .expect("post");
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    (status, location, response.text().await.unwrap_or_default())
}

async fn html(browser: &Browser, path: &str) -> (StatusCode, String) {
    let response = browser.get(path).await;
    (response.status(), response.text().await.unwrap_or_default())
}

app_tests! {
    async fn a_rule_is_added_previewed_saved_applied_and_deleted_from_the_bill_page(app) {
        let (alice, alice_id) = user(&app, "alice").await;
        let id = bill(&app, alice_id, "Internet", 6_000, None).await;
        import(&alice, CSV).await;
        let bill_path = format!("/bills/{id}");
        let (status, page) = html(&alice, &bill_path).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("Bank matching rules") && page.contains("No rules yet."), "{page}");
        assert!(page.contains(&format!("formaction=\"/bills/{id}/rules/preview\"")), "a Preview button on the add form");

        let draft = [("payee_match", "contains"), ("payee_text", "acme fiber"), ("min_amount", "55"), ("max_amount", "65"), ("account_id", ""), ("category_id", ""), ("enabled", "true")];
        let before = user_data(&app).await;
        let (status, _, preview) = submit(&alice, &format!("/bills/{id}/rules/preview"), &draft).await;
        assert_eq!(status, StatusCode::OK, "{preview}");
        assert_eq!(user_data(&app).await, before, "a preview writes nothing");
        let count = preview.find("Matches 3 transactions").expect("the count");
        let first = preview.find("Acme Fiber 122").expect("the January one");
        assert!(count < first && preview.contains("ACME FIBER 123") && preview.contains("Acme Fiber 124") && !preview.contains(">Other<"), "count first, then what it takes: {preview}");
        assert!(preview.contains("value=\"acme fiber\"") && preview.contains("value=\"55\""), "the form keeps what was typed");

        let refused = [("payee_text", "acme"), ("min_amount", "70"), ("max_amount", "abc")];
        let (status, _, page) = submit(&alice, &format!("/bills/{id}/rules/preview"), &refused).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(page.contains("id=\"rule-max_amount-error\"") && page.contains("value=\"abc\""), "{page}");
        let (status, _, page) = submit(&alice, &format!("/bills/{id}/rules"), &[("payee_text", "")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{page}");
        assert!(page.contains("id=\"rule-payee_text-error\""));
        assert_eq!(user_data(&app).await, before, "nothing refused was written");

        let (status, location, _) = submit(&alice, &format!("/bills/{id}/rules"), &draft).await;
        assert_eq!((status, location.as_str()), (StatusCode::SEE_OTHER, format!("{bill_path}?notice=rule_saved").as_str()));
        let (_, page) = html(&alice, &location).await;
        assert!(page.contains("Rule saved.") && page.contains("Payee contains \u{201c}acme fiber\u{201d}") && page.contains("Between $55.00 and $65.00"), "{page}");
        let rules: serde_json::Value = alice.get("/api/merchant-rules").await.json().await.expect("rules");
        let rule = rules[0]["id"].as_str().expect("rule id").to_owned();

        let (status, page) = html(&alice, &format!("/rules/{rule}/edit")).await;
        assert_eq!(status, StatusCode::OK);
        assert!(page.contains("Edit bank matching rule") && page.contains("value=\"acme fiber\"") && page.contains("name=\"version\" value=\"1\""), "{page}");
        let (mallory, _) = user(&app, "mallory").await;
        assert_eq!(html(&mallory, &format!("/rules/{rule}/edit")).await.0, StatusCode::NOT_FOUND);
        assert_eq!(submit(&mallory, &format!("/rules/{rule}/apply"), &[]).await.0, StatusCode::NOT_FOUND);
        assert_eq!(submit(&mallory, &format!("/rules/{rule}/delete"), &[]).await.0, StatusCode::NOT_FOUND);
        assert_eq!(submit(&mallory, &format!("/bills/{id}/rules/preview"), &draft).await.0, StatusCode::NOT_FOUND);
        assert_eq!(submit(&mallory, &format!("/bills/{id}/rules"), &draft).await.0, StatusCode::NOT_FOUND);

        let (status, location, _) = submit(&alice, &format!("/rules/{rule}/apply"), &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, page) = html(&alice, &location).await;
        assert!(page.contains("3 transactions matched to this bill") && page.contains("for 7 days"), "{page}");
        let tracker: serde_json::Value = alice.get("/api/tracker?year=2026&month=3").await.json().await.expect("tracker");
        assert!(tracker.to_string().contains("\"status\":\"paid\"") && !tracker.to_string().contains("missed"), "the bill is paid for March: {tracker}");
        let (_, location, _) = submit(&alice, &format!("/rules/{rule}/apply"), &[]).await;
        assert!(html(&alice, &location).await.1.contains("No transactions were matched"), "twice matches nothing new");

        let mut edit = draft.to_vec();
        edit.retain(|(k, _)| *k != "enabled");
        edit.push(("version", "1"));
        let (status, location, _) = submit(&alice, &format!("/rules/{rule}"), &edit).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(html(&alice, &location).await.1.contains("<td data-label=\"Enabled\">No</td>"), "the box unticked disables it");
        assert_eq!(submit(&alice, &format!("/rules/{rule}"), &edit).await.0, StatusCode::CONFLICT, "a stale version");

        let (status, location, _) = submit(&alice, &format!("/rules/{rule}/delete"), &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let (_, page) = html(&alice, &location).await;
        assert!(page.contains("Rule deleted.") && page.contains("No rules yet."), "{page}");
    }
}
