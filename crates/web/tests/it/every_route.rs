//! Every GET route of the route table with real ids: an account holding one row of each kind
//! (named with hostile values), and the table's paths filled with those ids, so detail and edit
//! pages reach their handlers instead of 404ing on a made-up id. A route with a placeholder
//! this module does not know fails the tests that use it, so a new route cannot slip past.

use serde_json::{Value, json};

use crate::support::{Browser, PASSWORD, TestApp};

pub const SCRIPT: &str = "<script>alert(1)</script>";
pub const BREAKOUT: &str = "\"><img src=x onerror=alert(1)>";
pub const QUOTE: &str = "' autofocus onfocus='alert(1)";
/// How `SCRIPT` looks once escaped (askama escapes `<` and `>` numerically).
pub const SCRIPT_ESCAPED: &str = "&#60;script&#62;alert(1)&#60;/script&#62;";

/// The ids of the seeded rows.
pub struct Seeded {
    pub other_user: String,
    pub bill: String,
    pub category: String,
    pub expense: String,
    pub payment: String,
    pub budget: String,
    pub rule: String,
    pub preset: String,
    pub transaction: String,
    pub import: String,
    /// A bank-sync connection and one of its accounts (seeded through the store: the server
    /// may have bank sync off, and no GET opens the access URL).
    pub sync_connection: String,
    pub sync_account: String,
}

async fn created(browser: &Browser, path: &str, body: Value) -> String {
    let response = browser.post(path, body).await;
    let status = response.status();
    let value: Value = response.json().await.unwrap_or(Value::Null);
    assert_eq!(status, reqwest::StatusCode::CREATED, "{path}: {value}");
    value["id"].as_str().expect("id").to_owned()
}

/// Fills `admin`'s account (an administrator, who also holds data) with one row of each kind,
/// every text field hostile, and makes another account with a hostile display name.
pub async fn seed(app: &TestApp, admin: &Browser) -> Seeded {
    let hostile = format!("{SCRIPT}{BREAKOUT}");
    let category = created(
        admin,
        "/api/categories",
        json!({"name": hostile, "color": "#1A2B3C", "icon": "home", "is_spending": true}),
    )
    .await;
    let bill = created(
        admin,
        "/api/bills",
        json!({
            "name": hostile, "expected_amount": "100", "due_day": 20, "anchor_date": "2026-01-01",
            "category_id": category, "notes": format!("{hostile}{QUOTE}"),
        }),
    )
    .await;
    let payment = created(admin, "/api/payments", json!({"bill_id": bill, "amount": "10", "paid_on": "2026-03-01", "note": format!("{hostile}{QUOTE}")})).await;
    let expense = created(admin, "/api/expenses", json!({"amount": "5", "category_id": category, "payee": hostile, "note": format!("{hostile}{QUOTE}")})).await;
    let budget = created(
        admin,
        "/api/budgets",
        json!({"category_id": category, "period": "monthly", "limit": "10"}),
    )
    .await;
    let rule = created(
        admin,
        "/api/merchant-rules",
        json!({"bill_id": bill, "payee_text": format!("{hostile}{QUOTE}"), "min_amount": "1", "category_id": category}),
    )
    .await;
    let mapping = crate::imports_api::export_mapping(app, domain::id::UserId::new()).await;
    let preset = created(
        admin,
        "/api/import-presets",
        json!({"format": "billtracker-csv-preset", "version": 1, "name": hostile, "header": ["Date", "Amount", "Payee"],
               "mapping": serde_json::from_str::<Value>(&mapping).expect("mapping")}),
    )
    .await;
    // A statement with a hostile payee and memo: one import applied (its transaction), the
    // same file again left as a preview (its import page shows the rows).
    let csv = format!(
        "Date,Amount,Payee,Memo\n2026-03-02,-10.00,\"{}\",\"{}\"\n",
        hostile.replace('"', "\"\""),
        format!("{hostile}{QUOTE}").replace('"', "\"\"")
    );
    let statement = || {
        reqwest::multipart::Form::new()
            .part(
                "file",
                reqwest::multipart::Part::bytes(csv.clone().into_bytes())
                    .file_name(format!("{hostile}.csv")),
            )
            .text("account_name", "Checking")
            .text("account_currency", "USD")
            .text("date_column", "1")
            .text("amount_column", "2")
            .text("payee_column", "3")
            .text("memo_column", "4")
    };
    let (status, applied) = crate::imports_api::upload(admin, statement()).await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{applied}");
    let applied_id = applied["import"]["id"].as_str().expect("import").to_owned();
    let done = admin
        .post(&format!("/api/imports/{applied_id}/apply"), json!({}))
        .await;
    assert!(done.status().is_success(), "apply: {}", done.status());
    let listed: Value = admin
        .get("/api/transactions")
        .await
        .json()
        .await
        .expect("transactions");
    let transaction = listed["items"][0]["id"]
        .as_str()
        .expect("a transaction")
        .to_owned();
    let (status, preview) = crate::imports_api::upload(admin, statement()).await;
    assert_eq!(status, reqwest::StatusCode::CREATED, "{preview}");
    let import = preview["import"]["id"].as_str().expect("import").to_owned();
    let other = app
        .account("victim", PASSWORD, domain::user::Role::User)
        .await;
    let me: Value = admin.get("/api/auth/me").await.json().await.expect("me");
    let user = me["id"].as_str().expect("my id").to_owned();
    // Both names are shown on pages (the navigation, the admin's user list and user page).
    for id in [&user, &other.id.to_string()] {
        let renamed = admin
            .send(
                reqwest::Method::PATCH,
                &format!("/api/admin/users/{id}"),
                Some(json!({"display_name": hostile})),
            )
            .await;
        assert!(
            renamed.status().is_success(),
            "rename {id}: {}",
            renamed.status()
        );
    }
    let (sync_connection, sync_account) =
        sync_seed(app, user.parse().expect("user id"), &hostile).await;
    Seeded {
        sync_connection,
        sync_account,
        other_user: other.id.to_string(),
        bill,
        category,
        expense,
        payment,
        budget,
        rule,
        preset,
        transaction,
        import,
    }
}

/// A connection of `owner` named `hostile`, with one reported account also named so.
async fn sync_seed(app: &TestApp, owner: domain::id::UserId, hostile: &str) -> (String, String) {
    let now = app.app.now();
    let id = domain::id::SyncConnectionId::new();
    let store = &app.app.store;
    store
        .create_sync_connection(
            owner,
            id,
            hostile,
            "bridge.example",
            "not-opened-by-a-get",
            now,
        )
        .await
        .expect("connection");
    let reported = store::sync_accounts::ReportedAccount {
        remote_id: "acct-1".into(),
        name: hostile.into(),
        org_name: hostile.into(),
        currency: "USD".into(),
        balance_minor: Some(12_345),
        available_minor: Some(12_000),
        balance_date: Some(now),
        health: "ok".into(),
        message: Some(hostile.into()),
    };
    let account = store
        .report_sync_account(owner, id, &reported, now)
        .await
        .expect("account");
    (id.to_string(), account.id.to_string())
}

/// The path of every GET route of the table, placeholders filled from `seeded`, with the
/// query a page needs to show something.
pub fn get_paths(seeded: &Seeded) -> Vec<String> {
    web::router::route_specs()
        .into_iter()
        .filter(|r| r.method == "GET")
        .map(|r| fill(r.path, seeded))
        .collect()
}

fn fill(path: &str, seeded: &Seeded) -> String {
    let id = if path.contains("/admin/users/") {
        &seeded.other_user
    } else if path.contains("/bills/") {
        &seeded.bill
    } else if path.contains("/categories/") {
        &seeded.category
    } else if path.contains("/expenses/") {
        &seeded.expense
    } else if path.contains("/payments/") {
        &seeded.payment
    } else if path.contains("/budgets/") {
        &seeded.budget
    } else if path.contains("presets/") {
        &seeded.preset
    } else if path.starts_with("/rules/") {
        &seeded.rule
    } else if path.contains("/transactions/") {
        &seeded.transaction
    } else if path.contains("/imports/") {
        &seeded.import
    } else if path.contains("/sync/accounts/") || path.starts_with("/bank-sync/accounts/") {
        &seeded.sync_account
    } else if path.contains("/sync/connections/") || path.starts_with("/bank-sync/") {
        &seeded.sync_connection
    } else {
        ""
    };
    let filled = path
        .replace("{id}", id)
        .replace("{*path}", "app.css")
        .replace("{provider}", "oidc");
    assert!(
        !filled.contains('{') && !filled.contains("//"),
        "GET {path}: no id for this placeholder; add it to every_route::fill"
    );
    match filled.as_str() {
        "/tracker/occurrence" => format!("{filled}?bill_id={}&due_date=2026-03-20", seeded.bill),
        _ => filled,
    }
}
