//! `/api/sync/…`: bank sync with the caller's SimpleFIN Bridge — connect with a setup token,
//! list and show connections with their accounts and health, rename, disconnect, sync now,
//! backfill, and choose per reported account whether it is monitored and which bank account
//! it feeds. Every answer is built from [`super::wire::sync`], which never holds the access
//! URL. With bank sync switched off on the instance, connecting and syncing answer 409
//! (`field` `bank_sync`).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use domain::Invalid;
use domain::id::{SyncAccountId, SyncConnectionId};
use serde::Deserialize;
use service::sync::{self, Target};

use super::input::body_id;
use super::wire::sync::{SyncAccountView, SyncConnectionView, SyncReportView};
use crate::AppState;
use crate::api::responses::{Conflicted, Denied, Missing, Refused, TooMany};
use crate::auth::{DataUser, Meta};
use crate::extract::PathId;
use crate::json::ApiJson;
use crate::problem::ApiResult;
use crate::routes::Table;

/// The value of `bank_account_id` that makes a new bank account.
pub const NEW_ACCOUNT: &str = "new";

/// Adds the bank-sync routes to the table.
pub(crate) fn routes(table: Table) -> Table {
    table
        .add("GET", "/api/sync/connections", get(list))
        .add("POST", "/api/sync/connections", post(connect))
        .add("GET", "/api/sync/connections/{id}", get(show))
        .add("PATCH", "/api/sync/connections/{id}", patch(rename))
        .add(
            "DELETE",
            "/api/sync/connections/{id}",
            axum::routing::delete(disconnect),
        )
        .add("POST", "/api/sync/connections/{id}/sync", post(sync_now))
        .add(
            "POST",
            "/api/sync/connections/{id}/backfill",
            post(backfill),
        )
        .add("PATCH", "/api/sync/accounts/{id}", patch(choose_account))
}

/// Which bank account a reported account feeds, as a form or body gives it: blank or `null`
/// for none, `new`, or a bank account's id (shared with the bank-sync page).
pub fn target(raw: Option<&str>) -> Result<Target, Invalid> {
    match raw.map(str::trim) {
        None | Some("") => Ok(Target::None),
        Some(NEW_ACCOUNT) => Ok(Target::New),
        Some(id) => Ok(Target::Existing(body_id("bank_account_id", id)?)),
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectRequest {
    /// The setup token your SimpleFIN Bridge shows (claimed once: it cannot be used again).
    pub setup_token: String,
    /// Your name for the connection (default: the Bridge's host).
    pub label: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenameConnectionRequest {
    pub label: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BackfillRequest {
    /// How many days back to fetch (read in ≤ 90-day windows).
    #[serde(deserialize_with = "domain::version::whole_number")]
    pub days: i64,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChooseSyncAccountRequest {
    /// Sync its transactions (then `bank_account_id` must name where they go).
    pub monitored: bool,
    /// The bank account it feeds: an id of yours in the same currency, `new` (a new bank
    /// account named after it), or `null`.
    #[serde(default)]
    pub bank_account_id: Option<String>,
    /// The version this edit is based on.
    #[serde(deserialize_with = "domain::version::whole_number")]
    pub version: i64,
}

/// `GET /api/sync/connections`: the caller's connections with their accounts and health.
#[utoipa::path(
    get,
    path = "/api/sync/connections",
    operation_id = "list_sync_connections",
    tag = "bank-sync",
    responses((status = 200, description = "OK", body = Vec<SyncConnectionView>), Denied)
)]
pub async fn list(
    State(state): State<AppState>,
    DataUser(user): DataUser,
) -> ApiResult<Json<Vec<SyncConnectionView>>> {
    let views = sync::connections(&state.app, &user).await?;
    Ok(Json(super::wire::all(&views)))
}

/// `POST /api/sync/connections`: claims a setup token and saves the connection with the
/// accounts the Bridge reports (none monitored yet).
#[utoipa::path(
    post,
    path = "/api/sync/connections",
    operation_id = "create_sync_connection",
    tag = "bank-sync",
    request_body = ConnectRequest,
    responses(
        (status = 201, description = "Connected", body = SyncConnectionView),
        Denied, Refused, Conflicted, TooMany
    )
)]
pub async fn connect(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<ConnectRequest>,
) -> ApiResult<(StatusCode, Json<SyncConnectionView>)> {
    let view = sync::connect(
        &state.app,
        &user,
        &meta,
        &body.setup_token,
        body.label.as_deref(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(SyncConnectionView::from(&view))))
}

/// `GET /api/sync/connections/{id}`: one connection.
#[utoipa::path(
    get,
    path = "/api/sync/connections/{id}",
    operation_id = "get_sync_connection",
    tag = "bank-sync",
    params(("id" = String, Path, description = "Connection id")),
    responses((status = 200, description = "OK", body = SyncConnectionView), Denied, Missing)
)]
pub async fn show(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    PathId(id): PathId<SyncConnectionId>,
) -> ApiResult<Json<SyncConnectionView>> {
    let view = sync::connection(&state.app, &user, id).await?;
    Ok(Json(SyncConnectionView::from(&view)))
}

/// `PATCH /api/sync/connections/{id}`: renames a connection.
#[utoipa::path(
    patch,
    path = "/api/sync/connections/{id}",
    operation_id = "rename_sync_connection",
    tag = "bank-sync",
    params(("id" = String, Path, description = "Connection id")),
    request_body = RenameConnectionRequest,
    responses((status = 200, description = "Renamed", body = SyncConnectionView), Denied, Missing, Refused)
)]
pub async fn rename(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    Meta(meta): Meta,
    PathId(id): PathId<SyncConnectionId>,
    ApiJson(body): ApiJson<RenameConnectionRequest>,
) -> ApiResult<Json<SyncConnectionView>> {
    let view = sync::rename(&state.app, &user, &meta, id, &body.label).await?;
    Ok(Json(SyncConnectionView::from(&view)))
}

/// `DELETE /api/sync/connections/{id}`: disconnects: the access URL and the reported
/// accounts are deleted; the synced bank accounts and transactions stay.
#[utoipa::path(
    delete,
    path = "/api/sync/connections/{id}",
    operation_id = "delete_sync_connection",
    tag = "bank-sync",
    params(("id" = String, Path, description = "Connection id")),
    responses((status = 204, description = "Disconnected"), Denied, Missing)
)]
pub async fn disconnect(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    Meta(meta): Meta,
    PathId(id): PathId<SyncConnectionId>,
) -> ApiResult<StatusCode> {
    sync::disconnect(&state.app, &user, &meta, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/sync/connections/{id}/sync`: syncs now (10 per 15 minutes per user). A Bridge
/// that fails is a 200 whose report says why (and the connection's health).
#[utoipa::path(
    post,
    path = "/api/sync/connections/{id}/sync",
    operation_id = "sync_connection_now",
    tag = "bank-sync",
    params(("id" = String, Path, description = "Connection id")),
    responses((status = 200, description = "Synced, or the report says why not", body = SyncReportView), Denied, Missing, Conflicted, TooMany)
)]
pub async fn sync_now(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    Meta(meta): Meta,
    PathId(id): PathId<SyncConnectionId>,
) -> ApiResult<Json<SyncReportView>> {
    let report = sync::sync_now(&state.app, &user, &meta, id).await?;
    Ok(Json(SyncReportView::from(&report)))
}

/// `POST /api/sync/connections/{id}/backfill`: fetches further back, in ≤ 90-day windows.
#[utoipa::path(
    post,
    path = "/api/sync/connections/{id}/backfill",
    operation_id = "backfill_sync_connection",
    tag = "bank-sync",
    params(("id" = String, Path, description = "Connection id")),
    request_body = BackfillRequest,
    responses((status = 200, description = "Fetched, or the report says why not", body = SyncReportView), Denied, Missing, Refused, Conflicted, TooMany)
)]
pub async fn backfill(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    Meta(meta): Meta,
    PathId(id): PathId<SyncConnectionId>,
    ApiJson(body): ApiJson<BackfillRequest>,
) -> ApiResult<Json<SyncReportView>> {
    let report = sync::backfill(&state.app, &user, &meta, id, body.days).await?;
    Ok(Json(SyncReportView::from(&report)))
}

/// `PATCH /api/sync/accounts/{id}`: monitors a reported account or not, and says which bank
/// account it feeds (also how a relinked account is pointed at its old bank account).
#[utoipa::path(
    patch,
    path = "/api/sync/accounts/{id}",
    operation_id = "choose_sync_account",
    tag = "bank-sync",
    params(("id" = String, Path, description = "Reported account id")),
    request_body = ChooseSyncAccountRequest,
    responses((status = 200, description = "Saved", body = SyncAccountView), Denied, Missing, Refused, Conflicted)
)]
pub async fn choose_account(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    Meta(meta): Meta,
    PathId(id): PathId<SyncAccountId>,
    ApiJson(body): ApiJson<ChooseSyncAccountRequest>,
) -> ApiResult<Json<SyncAccountView>> {
    let target = target(body.bank_account_id.as_deref())?;
    let account = sync::choose_account(
        &state.app,
        &user,
        &meta,
        id,
        body.monitored,
        target,
        body.version,
    )
    .await?;
    Ok(Json(SyncAccountView::from(&account)))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list,
    connect,
    show,
    rename,
    disconnect,
    sync_now,
    backfill,
    choose_account
))]
pub struct Doc;
