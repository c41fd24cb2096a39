//! The import and transaction pages without JavaScript: a CSV file uploaded through the form
//! (the CSRF token its first part), its columns asked and answered, the preview reviewed with a
//! duplicate left out, imported, listed and filtered on the transactions page, and undone.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

use crate::app_tests;
use crate::money::user;

/// Follows a 303 (the test client does not): the page it leads to, its path and its HTML.
async fn follow(
    browser: &crate::support::Browser,
    response: reqwest::Response,
) -> (StatusCode, String, String) {
    if response.status() != StatusCode::SEE_OTHER {
        let path = response.url().path().to_owned();
        return (
            response.status(),
            path,
            response.text().await.unwrap_or_default(),
        );
    }
    let to = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .expect("location")
        .to_owned();
    let page = browser.get(&to).await;
    let path = to.split('?').next().unwrap_or_default().to_owned();
    (page.status(), path, page.text().await.unwrap_or_default())
}

const CSV: &str = "Date,Amount,Payee\n03/04/2027,-12.50,Coffee Corner\n03/05/2027,-40.00,Power Co\n03/13/2027,1500.00,Employer\n";

app_tests! {
    async fn a_csv_goes_from_the_upload_form_through_its_columns_and_preview_to_the_list_and_back(app) {
        let (alice, _) = user(&app, "alice").await;
        let page = alice.get("/imports").await;
        assert_eq!(page.status(), StatusCode::OK);
        let html = page.text().await.expect("html");
        assert!(html.contains("enctype=\"multipart/form-data\""), "the upload form");

        let form = Form::new()
            .text("csrf_token", alice.csrf.clone())
            .part("file", Part::bytes(CSV.as_bytes().to_vec()).file_name("march.csv"))
            .text("account_name", "Checking")
            .text("account_currency", "USD");
        let posted = alice.client.post(alice.url("/imports")).multipart(form).send().await.expect("upload");
        let (status, asked_at, html) = follow(&alice, posted).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        assert!(asked_at.starts_with("/imports/"), "{asked_at}");
        assert!(html.contains("Which column is which?"), "a CSV file's columns are asked");
        assert!(html.contains("Coffee Corner"), "with the file's first rows shown");

        let answer = |pairs: Vec<(&str, &str)>| {
            let mut pairs = pairs;
            pairs.push(("csrf_token", &alice.csrf));
            alice.client.post(alice.url(&format!("{asked_at}/answer"))).form(&pairs).send()
        };
        let previewed = answer(vec![("date_column", "1"), ("amount_column", "2"), ("payee_column", "3"), ("delimiter", "comma"), ("header", "true"), ("preset_name", "Alice Bank")]).await.expect("answer");
        let (status, preview_at, html) = follow(&alice, previewed).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Review before importing"), "{html}");
        assert!(html.contains("3 new"), "the dates read only as month/day/year");
        assert_eq!(app.app.store.bank_accounts(app.app.store.user_by_username("alice").await.expect("user").expect("alice").id).await.expect("accounts").len(), 0, "a preview writes nothing");

        let applied = alice.client.post(alice.url(&format!("{preview_at}/apply"))).form(&[("csrf_token", alice.csrf.as_str()), ("exclude", "3")]).send().await.expect("apply");
        let (status, _, html) = follow(&alice, applied).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("2 of 3 rows imported"), "{html}");

        let list = alice.get("/transactions").await.text().await.expect("html");
        assert!(list.contains("Showing 1–2 of 2") && list.contains("Coffee Corner") && !list.contains("Power Co"), "{list}");
        let filtered = alice.get("/transactions?q=employer&state=&account_id=&page=1").await.text().await.expect("html");
        assert!(filtered.contains("Showing 1–1 of 1"), "blank fields are no filter");
        let refused = alice.get("/transactions?from=2027-02-30").await;
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
        assert!(refused.text().await.expect("html").contains("These filters could not be used"));

        let again = alice.client.post(alice.url(&format!("{preview_at}/apply"))).form(&[("csrf_token", alice.csrf.as_str())]).send().await.expect("apply");
        assert_eq!(again.status(), StatusCode::CONFLICT, "applied once");
        let undone = alice.client.post(alice.url(&format!("{preview_at}/undo"))).form(&[("csrf_token", alice.csrf.as_str())]).send().await.expect("undo");
        let (status, _, html) = follow(&alice, undone).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("The import was undone"), "{html}");
        let list = alice.get("/transactions").await.text().await.expect("html");
        assert!(list.contains("No transactions"), "{list}");

        // The preset saved with the columns reads the next file with the same header at once.
        let form = Form::new()
            .text("csrf_token", alice.csrf.clone())
            .part("file", Part::bytes("Date,Amount,Payee\n03/20/2027,-9.99,Book Shop\n".as_bytes().to_vec()).file_name("april.csv"))
            .text("account_name", "Checking")
            .text("account_currency", "USD");
        let posted = alice.client.post(alice.url("/imports")).multipart(form).send().await.expect("upload");
        let (status, _, html) = follow(&alice, posted).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("Review before importing") && html.contains("Recognised your preset “Alice Bank”"), "{html}");
        let presets = alice.get("/imports/presets").await.text().await.expect("html");
        assert!(presets.contains("Alice Bank") && presets.contains("Date, Amount, Payee"), "{presets}");

        let (mallory, _) = user(&app, "mallory").await;
        assert_eq!(mallory.get(&preview_at).await.status(), StatusCode::NOT_FOUND, "another user's import");
        let theirs = mallory.client.post(mallory.url(&format!("{asked_at}/answer"))).form(&[("csrf_token", mallory.csrf.as_str()), ("date_column", "1"), ("amount_column", "2")]).send().await.expect("answer");
        assert_eq!(theirs.status(), StatusCode::NOT_FOUND);
    }
}

app_tests! {
    async fn accounts_are_added_and_renamed_on_the_transactions_page_and_only_the_owners(app) {
        let (alice, _) = user(&app, "alice").await;
        let (mallory, _) = user(&app, "mallory").await;
        let added = alice.client.post(alice.url("/transactions/accounts")).form(&[("csrf_token", alice.csrf.as_str()), ("name", "Savings"), ("currency", "EUR"), ("institution", "First Bank"), ("last_digits", "1234")]).send().await.expect("add");
        assert_eq!(added.status(), StatusCode::SEE_OTHER);
        let html = alice.get("/transactions").await.text().await.expect("html");
        assert!(html.contains("Savings") && html.contains("EUR · First Bank · …1234"), "{html}");
        let refused = alice.client.post(alice.url("/transactions/accounts")).form(&[("csrf_token", alice.csrf.as_str()), ("name", "X"), ("currency", "EUR"), ("last_digits", "12345")]).send().await.expect("add");
        assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY, "five digits");
        let accounts: serde_json::Value = alice.get("/api/bank-accounts").await.json().await.expect("json");
        let id = accounts[0]["id"].as_str().expect("id").to_owned();
        let theirs = mallory.client.post(mallory.url(&format!("/transactions/accounts/{id}/rename"))).form(&[("csrf_token", mallory.csrf.as_str()), ("name", "Mine"), ("version", "1")]).send().await.expect("rename");
        assert_eq!(theirs.status(), StatusCode::NOT_FOUND, "another user's account");
        let renamed = alice.client.post(alice.url(&format!("/transactions/accounts/{id}/rename"))).form(&[("csrf_token", alice.csrf.as_str()), ("name", "Rainy day"), ("version", "1")]).send().await.expect("rename");
        assert_eq!(renamed.status(), StatusCode::SEE_OTHER);
        let accounts: serde_json::Value = alice.get("/api/bank-accounts").await.json().await.expect("json");
        assert_eq!(accounts[0]["name"], "Rainy day");
        assert_eq!(accounts.as_array().map(Vec::len), Some(1));
    }
}
