//! The bridge's control endpoints (what the browser test calls from outside the process),
//! and the runnable's generated data set, read through the client.

use chrono::Utc;
use http::{Method, Request, header};
use simplefin::{Query, SetupToken};
use testkit::simplefin_bridge::{Bridge, generate};

use super::local_client;

async fn post(url: String, body: serde_json::Value) -> serde_json::Value {
    let request = Request::builder()
        .method(Method::POST)
        .uri(url)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.to_string().into_bytes())
        .unwrap();
    let response = local_client().execute(request).await.unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    serde_json::from_slice(response.body()).unwrap_or(serde_json::Value::Null)
}

#[tokio::test]
async fn control_endpoints_add_a_connection_account_and_transaction_the_client_then_reads() {
    let bridge = Bridge::start().await;
    let base = bridge.base_url();
    let made = post(
        format!("{base}/_control/connections"),
        serde_json::json!({}),
    )
    .await;
    let n = made["connection"].as_u64().unwrap();
    post(
        format!("{base}/_control/connections/{n}/accounts"),
        serde_json::json!({"id": "ACT-9", "name": "Joint", "balance": "250.00"}),
    )
    .await;
    post(
        format!("{base}/_control/connections/{n}/transactions"),
        serde_json::json!({"account_id": "ACT-9", "id": "T-9", "amount": "-42.00",
            "description": "Water Utility", "posted": Utc::now().timestamp() - 3600}),
    )
    .await;
    let token = SetupToken::parse(made["setup_token"].as_str().unwrap()).unwrap();
    let access = simplefin::claim(&local_client(), &token).await.unwrap();
    let set = simplefin::fetch(&local_client(), &access, &Query::look_back(Utc::now(), 30))
        .await
        .unwrap();
    assert_eq!(set.accounts[0].id, "ACT-9");
    assert_eq!(set.accounts[0].transactions[0].description, "Water Utility");
}

#[tokio::test]
async fn the_generated_data_set_reads_without_problems_in_44_days() {
    let bridge = Bridge::start().await;
    let connection = bridge.connection();
    for account in generate(3, 500, 42, Utc::now().timestamp()) {
        connection.add_account(account);
    }
    let token = SetupToken::parse(&connection.setup_token()).unwrap();
    let access = simplefin::claim(&local_client(), &token).await.unwrap();
    let query = Query::look_back(Utc::now(), simplefin::FIRST_SYNC_LOOKBACK_DAYS);
    let set = simplefin::fetch(&local_client(), &access, &query)
        .await
        .unwrap();
    assert!(set.problems.is_empty(), "{:?}", set.problems);
    let count: usize = set.accounts.iter().map(|a| a.transactions.len()).sum();
    assert_eq!(count, 500);
    assert!(
        set.accounts
            .iter()
            .flat_map(|a| &a.transactions)
            .any(|t| t.pending)
    );
}
