//! The administrators' bank-sync switch (`/api/admin/bank-sync`): on or off for everyone, and
//! how often the background run syncs. Changing it needs a fresh step-up; audited.

use axum::Json;
use axum::extract::State;
use axum::routing::{get, put};
use serde::{Deserialize, Serialize};
use service::sync::settings::{self, BankSyncSettings};

use crate::AppState;
use crate::api::responses::{Denied, Refused, TooMany};
use crate::auth::{AdminUser, Meta};
use crate::json::ApiJson;
use crate::problem::ApiResult;
use crate::routes::Table;

/// Adds this module's routes to the table.
pub(crate) fn routes(table: Table) -> Table {
    table
        .add("GET", "/api/admin/bank-sync", get(get_bank_sync))
        .add("PUT", "/api/admin/bank-sync", put(set_bank_sync))
}

/// Bank sync on this server.
#[derive(Debug, Clone, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BankSyncView {
    /// Whether people may connect a SimpleFIN Bridge and have their transactions synced.
    pub enabled: bool,
    /// How often the background run syncs (1–24 hours).
    #[schema(minimum = 1, maximum = 24)]
    #[serde(deserialize_with = "domain::version::whole_number")]
    pub interval_hours: i64,
}

impl From<BankSyncSettings> for BankSyncView {
    fn from(s: BankSyncSettings) -> Self {
        Self {
            enabled: s.enabled,
            interval_hours: i64::from(s.interval_hours),
        }
    }
}

/// `GET /api/admin/bank-sync`.
#[utoipa::path(
    get,
    path = "/api/admin/bank-sync",
    tag = "admin",
    responses((status = 200, description = "OK", body = BankSyncView), Denied)
)]
pub async fn get_bank_sync(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
) -> ApiResult<Json<BankSyncView>> {
    Ok(Json(settings::get(&state.app, &admin).await?.into()))
}

/// `PUT /api/admin/bank-sync`: switches bank sync on or off and sets the interval.
#[utoipa::path(
    put,
    path = "/api/admin/bank-sync",
    tag = "admin",
    request_body = BankSyncView,
    responses((status = 200, description = "OK", body = BankSyncView), Denied, Refused, TooMany)
)]
pub async fn set_bank_sync(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<BankSyncView>,
) -> ApiResult<Json<BankSyncView>> {
    let wanted = BankSyncSettings {
        enabled: body.enabled,
        // Out of u32 is out of 1–24 too: 0 is refused by the service, naming the field.
        interval_hours: u32::try_from(body.interval_hours).unwrap_or(0),
    };
    Ok(Json(
        settings::set(&state.app, &admin, &meta, wanted)
            .await?
            .into(),
    ))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(get_bank_sync, set_bank_sync))]
pub struct Doc;
