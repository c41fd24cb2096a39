//! `POST /_control/...`: for a process outside the test (the browser test, the benchmark)
//! to change the bridge. Test bridge only; answers JSON.
//!
//! - `POST /_control/connections` → `{"connection": n, "setup_token": "…"}`: a new connection.
//! - `POST /_control/connections/{n}/accounts` `{"id", "name", "balance", "currency"?}`.
//! - `POST /_control/connections/{n}/transactions` `{"account_id", "id", "amount",
//!   "description", "posted"? (default now), "pending"?}`; a pending one has `posted: 0`.

use std::net::SocketAddr;

use axum::extract::{Path, State as Extract};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::{BridgeAccount, BridgeTransaction, Shared, lock, new_connection, setup_token};

pub(crate) fn router(state: Shared, addr: SocketAddr) -> Router {
    Router::new()
        .route(
            "/_control/connections",
            post(move |Extract(state): Extract<Shared>| add_connection(state, addr)),
        )
        .route("/_control/connections/{n}/accounts", post(add_account))
        .route(
            "/_control/connections/{n}/transactions",
            post(add_transaction),
        )
        .with_state(state)
}

async fn add_connection(state: Shared, addr: SocketAddr) -> Response {
    let n = new_connection(&state);
    let token = setup_token(&state, addr, n);
    Json(json!({"connection": n, "setup_token": token})).into_response()
}

#[derive(Deserialize)]
struct NewAccount {
    id: String,
    name: String,
    balance: String,
    currency: Option<String>,
}

async fn add_account(
    Extract(state): Extract<Shared>,
    Path(n): Path<usize>,
    Json(body): Json<NewAccount>,
) -> Response {
    let mut state = lock(&state);
    let Some(connection) = state.connections.get_mut(n) else {
        return (StatusCode::NOT_FOUND, "no such connection").into_response();
    };
    let mut account = BridgeAccount::new(&body.id, &body.name, &body.balance);
    if let Some(currency) = body.currency {
        account.currency = currency;
    }
    connection.accounts.push(account);
    StatusCode::NO_CONTENT.into_response()
}

#[derive(Deserialize)]
struct NewTransaction {
    account_id: String,
    id: String,
    amount: String,
    description: String,
    posted: Option<i64>,
    #[serde(default)]
    pending: bool,
}

async fn add_transaction(
    Extract(state): Extract<Shared>,
    Path(n): Path<usize>,
    Json(body): Json<NewTransaction>,
) -> Response {
    let mut state = lock(&state);
    let Some(account) = state
        .connections
        .get_mut(n)
        .and_then(|c| c.accounts.iter_mut().find(|a| a.id == body.account_id))
    else {
        return (StatusCode::NOT_FOUND, "no such connection or account").into_response();
    };
    let at = body
        .posted
        .unwrap_or_else(|| chrono::Utc::now().timestamp());
    let transaction = if body.pending {
        BridgeTransaction::pending(&body.id, at, &body.amount, &body.description)
    } else {
        BridgeTransaction::posted(&body.id, at, &body.amount, &body.description)
    };
    account.transactions.push(transaction);
    StatusCode::NO_CONTENT.into_response()
}
