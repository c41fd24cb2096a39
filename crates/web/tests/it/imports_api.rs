//! The statement import API end to end over HTTP: multipart upload → preview → apply once →
//! undo, the transaction list, the upload's limits (FILE-04), the multipart CSRF rule, the
//! import rate limit (RL-02, 20 per 15 minutes per address) and another user's ids (AZ-02).

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use crate::app_tests;
use crate::money::user;
use crate::support::Browser;

const OFX: &[u8] = include_bytes!("../../../bankfile/tests/fixtures/bank-1x-sgml-1252.ofx");
const CSV: &str = "Date,Amount,Payee,Memo\n2027-03-01,-12.50,Coffee Corner,latte\n\
                   2027-03-01,-12.50,Coffee Corner,latte\n2027-03-02,1500.00,Employer,salary\n";

fn file(bytes: &[u8], name: &str) -> Part {
    Part::bytes(bytes.to_vec()).file_name(name.to_owned())
}

/// Sends a multipart form to `path` with the CSRF header.
pub(crate) async fn upload(browser: &Browser, form: Form) -> (StatusCode, Value) {
    let response = browser
        .client
        .post(browser.url("/api/imports"))
        .header("x-csrf-token", &browser.csrf)
        .multipart(form)
        .send()
        .await
        .expect("upload");
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

pub(crate) fn csv_form(csv: &str) -> Form {
    Form::new()
        .part("file", file(csv.as_bytes(), "march.csv"))
        .text("account_name", "Checking")
        .text("account_currency", "USD")
        .text("date_column", "1")
        .text("amount_column", "2")
        .text("payee_column", "3")
        .text("memo_column", "4")
}

pub(crate) async fn get(browser: &Browser, path: &str) -> (StatusCode, Value) {
    let response = browser.get(path).await;
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

pub(crate) async fn post(browser: &Browser, path: &str, body: Value) -> (StatusCode, Value) {
    let response = browser.post(path, body).await;
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

app_tests! {
    async fn file_01_a_csv_upload_previews_applies_once_lists_and_undoes_over_http(app) {
        let (alice, _) = user(&app, "alice").await;
        let (status, preview) = upload(&alice, csv_form(CSV)).await;
        assert_eq!(status, StatusCode::CREATED, "{preview}");
        assert_eq!((preview["new"].as_u64(), preview["errors"].as_u64()), (Some(3), Some(0)));
        assert_eq!(preview["account"]["id"], Value::Null, "the apply makes the account");
        assert_eq!(preview["rows"][0]["amount"]["amount_minor"], -1250);
        assert_eq!(preview["rows"][0]["row"], 2, "rows are numbered as the file counts them");
        let id = preview["import"]["id"].as_str().expect("id").to_owned();
        let (_, accounts) = get(&alice, "/api/bank-accounts").await;
        assert_eq!(accounts, json!([]), "a preview writes no account");
        let (status, shown) = get(&alice, &format!("/api/imports/{id}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(shown, preview);
        assert_eq!((preview["rows_total"].as_u64(), preview["rows_offset"].as_u64()), (Some(3), Some(0)));
        // The rows page: the counts stay those of the whole file.
        let (status, page) = get(&alice, &format!("/api/imports/{id}?offset=1&limit=1")).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!((page["rows_total"].as_u64(), page["rows_offset"].as_u64(), page["new"].as_u64()), (Some(3), Some(1), Some(3)));
        assert_eq!(page["rows"].as_array().map(Vec::len), Some(1));
        assert_eq!(page["rows"][0]["row"], 3);
        for bad in ["limit=0", "limit=501", "offset=-1", "page=2"] {
            let (status, refused) = get(&alice, &format!("/api/imports/{id}?{bad}")).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {refused}");
        }

        let (status, applied) = post(&alice, &format!("/api/imports/{id}/apply"), json!({"exclude": [4]})).await;
        assert_eq!(status, StatusCode::OK, "{applied}");
        assert_eq!((applied["written"].as_u64(), applied["skipped"].as_u64()), (Some(2), Some(1)));
        let (status, again) = post(&alice, &format!("/api/imports/{id}/apply"), json!({})).await;
        assert_eq!(status, StatusCode::CONFLICT, "applied at most once: {again}");
        assert_eq!(again["field"], "import");

        let (_, page) = get(&alice, "/api/transactions").await;
        assert_eq!(page["total"], 2, "two identical coffees on one day are two transactions");
        assert_eq!(page["items"][0]["state"], "unmatched");
        let (_, found) = get(&alice, "/api/transactions?q=corner&max_amount=-10&state=unmatched&sort=amount&dir=asc").await;
        assert_eq!(found["total"], 2, "{found}");
        let (_, none) = get(&alice, "/api/transactions?q=%25").await;
        assert_eq!(none["total"], 0, "search is literal");
        for bad in ["state=paid", "sort=posted", "min_amount=abc", "from=2027-02-30", "limit=0", "account_id=x", "colour=red"] {
            let (status, problem) = get(&alice, &format!("/api/transactions?{bad}")).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {problem}");
            assert!(problem["field"].is_string(), "{bad} names its field");
        }
        let (_, history) = get(&alice, "/api/imports").await;
        assert_eq!(history[0]["state"], "applied");
        assert_eq!(history[0]["file_name"], "march.csv");

        let (status, undone) = post(&alice, &format!("/api/imports/{id}/undo"), json!({})).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(undone["removed"], 2);
        let (_, page) = get(&alice, "/api/transactions").await;
        assert_eq!(page["total"], 0);
        let (status, _) = post(&alice, &format!("/api/imports/{id}/undo"), json!({})).await;
        assert_eq!(status, StatusCode::CONFLICT, "undone once");
    }

    async fn az_02_another_users_import_transactions_and_accounts_are_not_found(app) {
        let (alice, _) = user(&app, "alice").await;
        let (mallory, _) = user(&app, "mallory").await;
        let (_, preview) = upload(&alice, Form::new().part("file", file(OFX, "a.ofx"))).await;
        let id = preview["import"]["id"].as_str().expect("id").to_owned();
        assert_eq!(get(&mallory, &format!("/api/imports/{id}")).await.0, StatusCode::NOT_FOUND);
        assert_eq!(post(&mallory, &format!("/api/imports/{id}/apply"), json!({})).await.0, StatusCode::NOT_FOUND);
        let (status, applied) = post(&alice, &format!("/api/imports/{id}/apply"), json!({})).await;
        assert_eq!(status, StatusCode::OK, "{applied}");
        assert_eq!(post(&mallory, &format!("/api/imports/{id}/undo"), json!({})).await.0, StatusCode::NOT_FOUND);
        let (_, page) = get(&alice, "/api/transactions").await;
        let tx = page["items"][0]["id"].as_str().expect("a transaction").to_owned();
        let account = page["items"][0]["account_id"].as_str().expect("account").to_owned();
        assert_eq!(get(&mallory, &format!("/api/transactions/{tx}")).await.0, StatusCode::NOT_FOUND);
        assert_eq!(get(&alice, &format!("/api/transactions/{tx}")).await.0, StatusCode::OK);
        let (status, theirs) = get(&mallory, &format!("/api/transactions?account_id={account}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "another user's account is not a filter to list by: {theirs}");
        assert!(theirs.get("items").is_none(), "nothing of alice's listed: {theirs}");
        let rename = mallory.send(reqwest::Method::PATCH, &format!("/api/bank-accounts/{account}"), Some(json!({"name": "Mine", "version": 1}))).await;
        assert_eq!(rename.status(), StatusCode::NOT_FOUND);
        let (status, _) = upload(&mallory, Form::new().part("file", file(OFX, "a.ofx")).text("account_id", account.clone())).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "an upload into another user's account");
        let (_, mine) = get(&mallory, "/api/transactions").await;
        assert_eq!(mine["total"], 0);
    }

    async fn file_04_uploads_are_bounded_and_need_their_csrf_token(app) {
        let (alice, _) = user(&app, "alice").await;
        let big = vec![b'x'; 10 * 1024 * 1024 + 1];
        let (status, problem) = upload(&alice, Form::new().part("file", file(&big, "big.csv"))).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{problem}");
        assert_eq!(problem["field"], "file");
        let (status, problem) = upload(&alice, Form::new().part("file", file(b"", "empty.csv"))).await;
        assert_eq!((status, problem["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("file")));
        let (status, problem) = upload(&alice, Form::new().part("file", file(b"%PDF-1.7\n...", "statement.csv"))).await;
        assert_eq!((status, problem["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("file")), "content decides, not the name: {problem}");
        let (status, problem) = upload(&alice, Form::new().part("file", file(CSV.as_bytes(), "a.csv"))).await;
        assert_eq!((status, problem["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("mapping")), "{problem}");
        let (status, problem) = upload(&alice, csv_form(CSV).text("date_column", "1")).await;
        assert_eq!((status, problem["field"].as_str()), (StatusCode::BAD_REQUEST, Some("date_column")), "a field twice: {problem}");
        let (status, problem) = upload(&alice, Form::new().part("file", file(OFX, "a.ofx")).part("file", file(OFX, "b.ofx"))).await;
        assert_eq!((status, problem["field"].as_str()), (StatusCode::BAD_REQUEST, Some("file")), "{problem}");
        let (status, problem) = upload(&alice, Form::new().part("file", file(OFX, "a.ofx")).text("date_column", "1000000000")).await;
        assert_eq!((status, problem["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("date_column")), "{problem}");
        let json = alice.post("/api/imports", json!({"file": "x"})).await;
        assert_eq!(json.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);

        // A browser form (no header): the token must be the first part.
        let without = alice.client.post(alice.url("/api/imports")).multipart(Form::new().part("file", file(OFX, "a.ofx"))).send().await.expect("post");
        assert_eq!(without.status(), StatusCode::FORBIDDEN, "no token");
        let late = alice.client.post(alice.url("/api/imports")).multipart(Form::new().part("file", file(OFX, "a.ofx")).text("csrf_token", alice.csrf.clone())).send().await.expect("post");
        assert_eq!(late.status(), StatusCode::FORBIDDEN, "the token after the file");
        let forged = alice.client.post(alice.url("/api/imports")).multipart(Form::new().text("csrf_token", "forged").part("file", file(OFX, "a.ofx"))).send().await.expect("post");
        assert_eq!(forged.status(), StatusCode::FORBIDDEN, "a wrong token");
        let first = alice.client.post(alice.url("/api/imports")).multipart(Form::new().text("csrf_token", alice.csrf.clone()).part("file", file(OFX, "a.ofx"))).send().await.expect("post");
        assert_eq!(first.status(), StatusCode::CREATED, "the token first");
        // Elsewhere a multipart body without the header is refused, token or not.
        let elsewhere = alice.client.post(alice.url("/api/expenses")).multipart(Form::new().text("csrf_token", alice.csrf.clone()).text("amount", "1")).send().await.expect("post");
        assert_eq!(elsewhere.status(), StatusCode::FORBIDDEN);
        let (_, page) = get(&alice, "/api/expenses").await;
        assert_eq!(page["total"], 0, "nothing written");
    }

    async fn rl_02_the_twenty_first_upload_in_fifteen_minutes_waits(app) {
        let (alice, _) = user(&app, "alice").await;
        for n in 0..20 {
            let (status, body) = upload(&alice, Form::new().part("file", file(OFX, "a.ofx"))).await;
            assert_eq!(status, StatusCode::CREATED, "upload {}: {body}", n + 1);
        }
        let over = alice.client.post(alice.url("/api/imports")).header("x-csrf-token", &alice.csrf).multipart(Form::new().part("file", file(OFX, "a.ofx"))).send().await.expect("post");
        assert_eq!(over.status(), StatusCode::TOO_MANY_REQUESTS);
        let wait: i64 = over.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok()).expect("Retry-After");
        assert!((1..=15 * 60).contains(&wait), "{wait}");
        app.clock.advance(chrono::Duration::seconds(wait));
        let (status, _) = upload(&alice, Form::new().part("file", file(OFX, "a.ofx"))).await;
        assert_eq!(status, StatusCode::CREATED, "after Retry-After");
    }
}

app_tests! {
    async fn categorised_transactions_count_in_budgets_once_and_only_the_owners_categories(app) {
        let (alice, owner) = user(&app, "alice").await;
        let (_, mallory_id) = user(&app, "mallory").await;
        let food = crate::money::category(&app, owner, "Food").await;
        let theirs = crate::money::category(&app, mallory_id, "Theirs").await;
        let budget = post(&alice, "/api/budgets", json!({"category_id": food.to_string(), "period": "monthly", "limit": "100"})).await;
        assert_eq!(budget.0, StatusCode::CREATED, "{}", budget.1);
        let csv = "Date,Amount,Payee\n2026-03-02,-30.00,Grocer\n2026-03-05,5.00,Grocer refund\n2026-02-27,-99.00,Grocer\n";
        let (_, preview) = upload(&alice, csv_form(csv).text("delimiter", "comma")).await;
        let id = preview["import"]["id"].as_str().expect("id").to_owned();
        assert_eq!(post(&alice, &format!("/api/imports/{id}/apply"), json!({})).await.0, StatusCode::OK);
        let (_, page) = get(&alice, "/api/transactions").await;
        for item in page["items"].as_array().expect("items") {
            let tx = item["id"].as_str().expect("id");
            let stolen = alice.send(reqwest::Method::PATCH, &format!("/api/transactions/{tx}"), Some(json!({"category_id": theirs.to_string(), "version": item["version"]}))).await;
            assert_eq!(stolen.status(), StatusCode::NOT_FOUND, "another user's category");
            let set = alice.send(reqwest::Method::PATCH, &format!("/api/transactions/{tx}"), Some(json!({"category_id": food.to_string(), "version": item["version"]}))).await;
            assert_eq!(set.status(), StatusCode::OK);
            let stale = alice.send(reqwest::Method::PATCH, &format!("/api/transactions/{tx}"), Some(json!({"category_id": null, "version": item["version"]}))).await;
            assert_eq!(stale.status(), StatusCode::CONFLICT, "a stale version");
        }
        let (_, budgets) = get(&alice, "/api/budgets").await;
        assert_eq!(budgets[0]["spent"], "25.00", "30 out, 5 back, February's not in March: {budgets}");
    }
}

app_tests! {
    async fn presets_are_exported_as_a_file_imported_by_someone_else_and_refused_when_hostile(app) {
        let (alice, owner) = user(&app, "alice").await;
        let (mallory, _) = user(&app, "mallory").await;
        let preset = json!({"format": "billtracker-csv-preset", "version": 1, "name": "Giro", "header": ["Date", "Amount", "Payee"],
            "mapping": serde_json::from_str::<Value>(&export_mapping(&app, owner).await).expect("mapping")});
        let made = alice.client.post(alice.url("/api/import-presets")).header("x-csrf-token", &alice.csrf).json(&preset).send().await.expect("post");
        assert_eq!(made.status(), StatusCode::CREATED);
        let made: Value = made.json().await.expect("json");
        let id = made["id"].as_str().expect("id").to_owned();
        let exported = alice.get(&format!("/api/import-presets/{id}/export")).await;
        assert_eq!(exported.status(), StatusCode::OK);
        let disposition = exported.headers().get("content-disposition").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
        assert!(disposition.starts_with("attachment; filename=\"giro"), "{disposition}");
        let bytes = exported.bytes().await.expect("bytes");
        let theirs = mallory.client.post(mallory.url("/api/import-presets")).header("x-csrf-token", &mallory.csrf).header("content-type", "application/json").body(bytes.clone()).send().await.expect("post");
        assert_eq!(theirs.status(), StatusCode::CREATED, "shared with another person");
        let again = alice.client.post(alice.url("/api/import-presets")).header("x-csrf-token", &alice.csrf).header("content-type", "application/json").body(bytes).send().await.expect("post");
        let again: Value = again.json().await.expect("json");
        assert_eq!(again["name"], "Giro (2)", "a taken name gets a suffix");

        assert_eq!(mallory.get(&format!("/api/import-presets/{id}/export")).await.status(), StatusCode::NOT_FOUND, "another user's preset");
        assert_eq!(mallory.send(reqwest::Method::DELETE, &format!("/api/import-presets/{id}"), None).await.status(), StatusCode::NOT_FOUND);
        for (body, field) in [
            (json!({"format": "billtracker-csv-preset", "version": 2, "name": "x", "header": [], "mapping": {}}), "version"),
            (json!({"format": "billtracker-csv-preset", "version": 1, "name": "x", "header": ["a"], "mapping": {}, "colour": "red"}), "colour"),
        ] {
            let refused = alice.client.post(alice.url("/api/import-presets")).header("x-csrf-token", &alice.csrf).json(&body).send().await.expect("post");
            assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
            let problem: Value = refused.json().await.expect("json");
            assert!(problem["field"].as_str().is_some_and(|f| f.contains(field)), "{field}: {problem}");
        }
        let plain = alice.client.post(alice.url("/api/import-presets")).header("x-csrf-token", &alice.csrf).header("content-type", "text/plain").body("{}").send().await.expect("post");
        assert_eq!(plain.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
        let renamed = alice.send(reqwest::Method::PATCH, &format!("/api/import-presets/{id}"), Some(json!({"name": "Giro (2)", "version": made["version"]}))).await;
        assert_eq!(renamed.status(), StatusCode::CONFLICT, "a name in use");
        assert_eq!(alice.send(reqwest::Method::DELETE, &format!("/api/import-presets/{id}"), None).await.status(), StatusCode::NO_CONTENT);
        let (_, list) = get(&alice, "/api/import-presets").await;
        assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");

        // An upload names a preset; the preview says which.
        let (status, preview) = upload(&alice, Form::new().part("file", file(CSV.as_bytes(), "m.csv")).text("account_name", "Checking").text("account_currency", "USD").text("preset_id", again["id"].as_str().expect("id").to_owned())).await;
        assert_eq!(status, StatusCode::CREATED, "{preview}");
        assert_eq!(preview["preset"]["name"], "Giro (2)");
        assert_eq!(preview["preset"]["named"], true);
    }
}

/// A valid preset mapping, as the service writes it (so this test does not restate its form).
pub(crate) async fn export_mapping(
    app: &crate::support::TestApp,
    _owner: domain::id::UserId,
) -> String {
    let mapping = service::imports::Mapping {
        delimiter: b',',
        header: true,
        date: 0,
        amount: service::imports::AmountColumns::Signed(1),
        payee: Some(2),
        memo: None,
        category: None,
        id: None,
        order: service::imports::DateOrder::Ymd,
        style: service::imports::Style::POINT,
        flip_sign: false,
        encoding: None,
    };
    let _ = app;
    bankfile::preset::Preset::new(
        "Giro",
        vec!["Date".into(), "Amount".into(), "Payee".into()],
        &mapping,
    )
    .expect("preset")
    .mapping_json()
}

app_tests! {
    async fn a_csv_category_column_names_the_owners_categories_and_budgets_count_them(app) {
        let (alice, owner) = user(&app, "alice").await;
        let food = crate::money::category(&app, owner, "Food Shop").await;
        let csv = "Date,Amount,Payee,Category\n2026-03-02,-12.00,Grocer,  food   SHOP \n2026-03-03,-5.00,Cinema,Fun\n";
        let form = csv_form(csv).text("category_column", "4");
        let (status, preview) = upload(&alice, form).await;
        assert_eq!(status, StatusCode::CREATED, "{preview}");
        let id = preview["import"]["id"].as_str().expect("id").to_owned();
        assert_eq!(post(&alice, &format!("/api/imports/{id}/apply"), json!({})).await.0, StatusCode::OK);
        let (_, page) = get(&alice, "/api/transactions?sort=payee&dir=asc").await;
        assert_eq!(page["items"][0]["payee"], "Cinema");
        assert_eq!(page["items"][0]["category_id"], Value::Null, "a name that is none of hers is left");
        assert_eq!(page["items"][1]["category_id"], json!(food.to_string()), "case and spaces aside");
    }
}
