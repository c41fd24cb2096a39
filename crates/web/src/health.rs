//! Liveness and readiness. `/healthz` answers while the process runs; `/readyz` only while the
//! database answers too (a load balancer stops sending traffic otherwise).

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::AppState;
use crate::problem::ApiResult;

pub async fn healthz() -> Json<Value> {
    Json(json!({ "status": "ok" }))
}

pub async fn readyz(State(state): State<AppState>) -> ApiResult<Json<service::health::Readiness>> {
    Ok(Json(service::health::readiness(&state.app).await?))
}
