//! `/api/imports…`: statement files in, previewed, applied once, undone as a whole, and the
//! history. The upload is `multipart/form-data` (read by [`crate::upload`]); a file that
//! needs an answer (CSV columns, the order of its dates, which of its accounts) is refused
//! with a 422 naming `mapping`, `date_order` or `statement`, and sent again with it. Uploads
//! count against the import rate limit (20 per 15 minutes per IP).

use axum::Json;
use axum::extract::{RawQuery, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use domain::Invalid;
use domain::id::ImportId;
use serde::Deserialize;
use service::imports::{self, Choices};

use super::wire::bank::{AppliedView, ImportPreviewView, ImportView, UndoneView};
use crate::AppState;
use crate::api::input::QueryParams;
use crate::api::responses::{Conflicted, Denied, Missing, Refused};
use crate::auth::{DataUser, Meta};
use crate::extract::PathId;
use crate::json::ApiJson;
use crate::problem::ApiResult;
use crate::routes::Table;
use crate::upload::UploadForm;

/// The most row numbers `include` and `exclude` take together.
pub const CHOICES_MAX: usize = 100_000;
/// The most preview rows one answer holds, and how many it holds unless `limit` says.
pub const PREVIEW_ROWS_MAX: i64 = 500;

/// Adds the import routes to the table.
pub(crate) fn routes(table: Table) -> Table {
    table
        .add("GET", "/api/imports", get(list_imports))
        .add_upload("POST", "/api/imports", post(upload_import))
        .add("GET", "/api/imports/{id}", get(show_import))
        .add("POST", "/api/imports/{id}/apply", post(apply_import))
        .add("POST", "/api/imports/{id}/undo", post(undo_import))
}

/// The form `POST /api/imports` reads (multipart/form-data).
#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
pub struct ImportUpload {
    /// The statement: CSV, OFX/QFX or QIF, at most 10 MB; its format is read from its content.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// One of the caller's accounts; or give `account_name` and `account_currency` for a new
    /// one; or neither, for the account the file names (OFX).
    #[schema(format = Uuid)]
    pub account_id: Option<String>,
    pub account_name: Option<String>,
    #[schema(example = "USD")]
    pub account_currency: Option<String>,
    /// CSV: one of the caller's presets to read the file with (else one is recognised from
    /// the header row, or the columns are given below).
    #[schema(format = Uuid)]
    pub preset_id: Option<String>,
    /// ymd, mdy or dmy: asked when the dates fit more than one order.
    pub date_order: Option<String>,
    /// Which account of a file that holds several (1-based).
    pub statement: Option<u32>,
    /// CSV: the date column (1-based). Giving it maps the columns.
    pub date_column: Option<u32>,
    /// CSV: one signed amount column, or `debit_column` and `credit_column`.
    pub amount_column: Option<u32>,
    pub debit_column: Option<u32>,
    pub credit_column: Option<u32>,
    pub payee_column: Option<u32>,
    pub memo_column: Option<u32>,
    pub category_column: Option<u32>,
    /// CSV: the bank's own transaction id.
    pub id_column: Option<u32>,
    /// CSV: comma (default), semicolon, tab or pipe.
    pub delimiter: Option<String>,
    /// CSV: the first row is a header (default true).
    pub header: Option<bool>,
    /// CSV: point (1,234.56, default) or comma (1.234,56).
    pub number_style: Option<String>,
    /// CSV: as_is (default) or flip (money out written positive).
    pub sign: Option<String>,
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyImportRequest {
    /// Rows to import although they are duplicates.
    #[serde(default, deserialize_with = "domain::version::optional_whole_numbers")]
    pub include: Option<Vec<i64>>,
    /// Rows to leave out although they are new or possible duplicates.
    #[serde(default, deserialize_with = "domain::version::optional_whole_numbers")]
    pub exclude: Option<Vec<i64>>,
}

impl ApplyImportRequest {
    fn parse(self) -> Result<Choices, Invalid> {
        let rows = |field: &str, list: Option<Vec<i64>>| -> Result<Vec<usize>, Invalid> {
            let list = list.unwrap_or_default();
            if list.len() > CHOICES_MAX {
                return Err(Invalid::new(
                    field,
                    format!("takes at most {CHOICES_MAX} row numbers"),
                ));
            }
            list.into_iter()
                .map(|n| {
                    usize::try_from(n)
                        .ok()
                        .filter(|n| *n >= 1)
                        .ok_or_else(|| Invalid::new(field, "row numbers start at 1"))
                })
                .collect()
        };
        Ok(Choices {
            include: rows("include", self.include)?,
            exclude: rows("exclude", self.exclude)?,
        })
    }
}

/// `GET /api/imports`: the caller's imports, newest first (the last 100).
#[utoipa::path(
    get,
    path = "/api/imports",
    tag = "transactions",
    responses((status = 200, description = "OK", body = Vec<ImportView>), Denied)
)]
pub async fn list_imports(
    State(state): State<AppState>,
    DataUser(user): DataUser,
) -> ApiResult<Json<Vec<ImportView>>> {
    let imports = imports::history(&state.app, &user).await?;
    Ok(Json(super::wire::all(&imports)))
}

/// `POST /api/imports`: reads a statement file into a preview (nothing of the caller's data is
/// written; the preview can be applied for 24 hours). The answer counts every row and holds
/// the first 500; `GET /api/imports/{id}` pages through the rest.
#[utoipa::path(
    post,
    path = "/api/imports",
    tag = "transactions",
    request_body(content = ImportUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Previewed", body = ImportPreviewView),
        Denied,
        Missing,
        Refused,
        (status = 413, description = "The file is larger than 10 MB", body = crate::api::responses::Problem, content_type = "application/problem+json"),
        (status = 429, description = "Too many imports; see Retry-After", body = crate::api::responses::Problem, content_type = "application/problem+json")
    )
)]
pub async fn upload_import(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    Meta(meta): Meta,
    form: UploadForm,
) -> ApiResult<(StatusCode, Json<ImportPreviewView>)> {
    let (upload, account) = form.statement()?;
    let preview = imports::preview(&state.app, &user, &meta, upload, account).await?;
    let first = usize::try_from(PREVIEW_ROWS_MAX).unwrap_or(usize::MAX);
    Ok((
        StatusCode::CREATED,
        Json(ImportPreviewView::page(&preview, 0, first)),
    ))
}

/// `GET /api/imports/{id}`: a preview, while it can be applied, with one page of its rows.
#[utoipa::path(
    get,
    path = "/api/imports/{id}",
    tag = "transactions",
    params(
        ("id" = String, Path, description = "Import id"),
        ("limit" = Option<i64>, Query, description = "Rows in the answer: 1–500, default 500"),
        ("offset" = Option<i64>, Query, description = "The first row's index (0-based), default 0")
    ),
    responses(
        (status = 200, description = "OK", body = ImportPreviewView),
        Denied,
        Missing,
        Refused,
        Conflicted
    )
)]
pub async fn show_import(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    PathId(id): PathId<ImportId>,
    RawQuery(raw): RawQuery,
) -> ApiResult<Json<ImportPreviewView>> {
    let params = QueryParams::parse(raw.as_deref(), &["limit", "offset"])?;
    let (limit, offset) = match (params.text("limit"), params.page()?) {
        (None, (_, offset)) => (PREVIEW_ROWS_MAX, offset),
        (Some(_), page) => page,
    };
    let preview = imports::show(&state.app, &user, id).await?;
    let size = |n: i64| usize::try_from(n).unwrap_or(usize::MAX);
    Ok(Json(ImportPreviewView::page(
        &preview,
        size(offset),
        size(limit),
    )))
}

/// `POST /api/imports/{id}/apply`: writes the preview's rows (new and possible duplicates, and
/// the duplicates named in `include`, less those in `exclude`), all or nothing, once.
#[utoipa::path(
    post,
    path = "/api/imports/{id}/apply",
    tag = "transactions",
    params(("id" = String, Path, description = "Import id")),
    request_body = ApplyImportRequest,
    responses(
        (status = 200, description = "Applied", body = AppliedView),
        Denied,
        Missing,
        Refused,
        Conflicted
    )
)]
pub async fn apply_import(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    Meta(meta): Meta,
    PathId(id): PathId<ImportId>,
    ApiJson(body): ApiJson<ApplyImportRequest>,
) -> ApiResult<Json<AppliedView>> {
    let applied = imports::apply(&state.app, &user, &meta, id, &body.parse()?).await?;
    Ok(Json(AppliedView::from(&applied)))
}

/// `POST /api/imports/{id}/undo`: removes every transaction the import wrote.
#[utoipa::path(
    post,
    path = "/api/imports/{id}/undo",
    tag = "transactions",
    params(("id" = String, Path, description = "Import id")),
    responses(
        (status = 200, description = "Undone", body = UndoneView),
        Denied,
        Missing,
        Refused,
        Conflicted
    )
)]
pub async fn undo_import(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    Meta(meta): Meta,
    PathId(id): PathId<ImportId>,
) -> ApiResult<Json<UndoneView>> {
    let removed = imports::undo(&state.app, &user, &meta, id).await?;
    Ok(Json(UndoneView { removed }))
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(list_imports, upload_import, show_import, apply_import, undo_import))]
pub struct Doc;
