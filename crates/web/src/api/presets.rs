//! `/api/import-presets…`: the caller's CSV mapping presets — listed, imported from a preset
//! file (the body is the file: strict, versioned JSON of at most 64 KB), exported as that file,
//! renamed and deleted. A preset is saved from the import page's column form, or imported
//! here; an upload names one with `preset_id`, or the preview recognises one from the header.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, patch, post};
use domain::id::ImportPresetId;
use serde::Deserialize;
use service::imports::presets;

use super::input::QueryParams;
use super::wire::bank::ImportPresetView;
use crate::AppState;
use crate::api::responses::{Conflicted, Denied, Missing, Refused};
use crate::auth::{DataUser, Meta};
use crate::extract::PathId;
use crate::json::ApiJson;
use crate::problem::{ApiResult, Problem};
use crate::routes::Table;

/// Adds the preset routes to the table.
pub(crate) fn routes(table: Table) -> Table {
    table
        .add("GET", "/api/import-presets", get(list_presets))
        .add("POST", "/api/import-presets", post(import_preset))
        .add("PATCH", "/api/import-presets/{id}", patch(rename_preset))
        .add("DELETE", "/api/import-presets/{id}", delete(delete_preset))
        .add("GET", "/api/import-presets/{id}/export", get(export_preset))
}

/// A preset file (what export answers and import reads; `bankfile::preset` checks it).
#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
pub struct PresetFile {
    /// `billtracker-csv-preset`.
    pub format: String,
    /// 1.
    pub version: i64,
    /// 1–80 characters.
    pub name: String,
    /// The header row the preset recognises.
    pub header: Vec<String>,
    /// The columns by index and header name, the delimiter, the number style, the date order
    /// and the sign rule.
    #[schema(value_type = Object)]
    pub mapping: serde_json::Value,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenamePresetRequest {
    /// 1–80 characters, unique among the caller's presets whatever the case.
    pub name: String,
    /// The version this edit is based on.
    #[serde(deserialize_with = "domain::version::whole_number")]
    pub version: i64,
}

/// `GET /api/import-presets`: the caller's presets.
#[utoipa::path(
    get,
    path = "/api/import-presets",
    tag = "transactions",
    responses((status = 200, description = "OK", body = Vec<ImportPresetView>), Denied)
)]
pub async fn list_presets(
    State(state): State<AppState>,
    DataUser(user): DataUser,
) -> ApiResult<Json<Vec<ImportPresetView>>> {
    let found = presets::list(&state.app, &user).await?;
    Ok(Json(super::wire::all(&found)))
}

/// `POST /api/import-presets`: imports a preset file (the body); a name the caller already
/// uses gets a suffix.
#[utoipa::path(
    post,
    path = "/api/import-presets",
    tag = "transactions",
    params(("account_id" = Option<String>, Query, description = "Tie the preset to this account")),
    request_body(content = PresetFile, content_type = "application/json", description = "A preset file, as export answers it"),
    responses(
        (status = 201, description = "Imported", body = ImportPresetView),
        Denied,
        Missing,
        Refused,
        (status = 415, description = "Not JSON", body = crate::api::responses::Problem, content_type = "application/problem+json"),
        Conflicted
    )
)]
pub async fn import_preset(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    Meta(meta): Meta,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Response> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json {
        return Ok(Problem::new(StatusCode::UNSUPPORTED_MEDIA_TYPE)
            .detail("send the preset file as application/json")
            .into_response());
    }
    let params = QueryParams::parse(raw.as_deref(), &["account_id"])?;
    let account = params.id("account_id")?;
    let preset = presets::import(&state.app, &user, &meta, &body, account).await?;
    Ok((StatusCode::CREATED, Json(ImportPresetView::from(&preset))).into_response())
}

/// `PATCH /api/import-presets/{id}`: renames a preset.
#[utoipa::path(
    patch,
    path = "/api/import-presets/{id}",
    tag = "transactions",
    params(("id" = String, Path, description = "Preset id")),
    request_body = RenamePresetRequest,
    responses((status = 200, description = "Renamed", body = ImportPresetView), Denied, Missing, Refused, Conflicted)
)]
pub async fn rename_preset(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    Meta(meta): Meta,
    PathId(id): PathId<ImportPresetId>,
    ApiJson(body): ApiJson<RenamePresetRequest>,
) -> ApiResult<Json<ImportPresetView>> {
    let preset = presets::rename(&state.app, &user, &meta, id, body.version, &body.name).await?;
    Ok(Json(ImportPresetView::from(&preset)))
}

/// `DELETE /api/import-presets/{id}`: deletes a preset.
#[utoipa::path(
    delete,
    path = "/api/import-presets/{id}",
    tag = "transactions",
    params(("id" = String, Path, description = "Preset id")),
    responses((status = 204, description = "Deleted"), Denied, Missing)
)]
pub async fn delete_preset(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    Meta(meta): Meta,
    PathId(id): PathId<ImportPresetId>,
) -> ApiResult<StatusCode> {
    presets::delete(&state.app, &user, &meta, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/import-presets/{id}/export`: the preset file, as a download.
#[utoipa::path(
    get,
    path = "/api/import-presets/{id}/export",
    tag = "transactions",
    params(("id" = String, Path, description = "Preset id")),
    responses((status = 200, description = "The preset file", content_type = "application/json", body = PresetFile), Denied, Missing)
)]
pub async fn export_preset(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    PathId(id): PathId<ImportPresetId>,
) -> ApiResult<Response> {
    let (name, bytes) = presets::export(&state.app, &user, id).await?;
    Ok(download(&name, bytes))
}

/// A JSON file download named `name` (a server-made slug of ASCII letters, digits, `-` and
/// `.`; anything else is dropped).
pub fn download(name: &str, bytes: Vec<u8>) -> Response {
    let safe: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
        .collect();
    let disposition = HeaderValue::from_str(&format!(
        "attachment; filename=\"{safe}\"; filename*=UTF-8''{safe}"
    ))
    .unwrap_or(HeaderValue::from_static("attachment"));
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_presets,
    import_preset,
    rename_preset,
    delete_preset,
    export_preset
))]
pub struct Doc;
