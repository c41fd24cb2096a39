//! `/api/demo/*`: load the demo data set into the caller's own account, and clear it again.
//! Both are rate-limited (product.md §7, demo-data clear: 3 per 15 minutes per IP).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use serde::Serialize;

use crate::AppState;
use crate::api::responses::{Denied, PROBLEM_JSON, Problem, TooMany};
use crate::auth::{CurrentUser, Meta};
use crate::problem::ApiResult;
use crate::routes::Table;

/// Adds this module's routes to the table.
pub(crate) fn routes(table: Table) -> Table {
    table
        .add("POST", "/api/demo/load", post(load))
        .add("POST", "/api/demo/clear", post(clear))
}

/// `POST /api/demo/load`.
#[utoipa::path(
    post,
    path = "/api/demo/load",
    tag = "demo",
    responses(
        (status = 201, description = "Loaded", body = DemoCounts),
        Denied,
        TooMany,
        (status = 409, description = "Demo data is already loaded", body = Problem, content_type = PROBLEM_JSON)
    )
)]
pub async fn load(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Meta(meta): Meta,
) -> ApiResult<(StatusCode, Json<DemoCounts>)> {
    let counts = service::demo::load(&state.app, &user, &meta).await?;
    Ok((StatusCode::CREATED, Json(DemoCounts::from(&counts))))
}

/// What was generated.
#[derive(Serialize, utoipa::ToSchema)]
pub struct DemoCounts {
    pub categories: usize,
    pub bills: usize,
    pub payments: usize,
    pub expenses: usize,
}

impl From<&service::demo::DemoCounts> for DemoCounts {
    fn from(c: &service::demo::DemoCounts) -> Self {
        Self {
            categories: c.categories,
            bills: c.bills,
            payments: c.payments,
            expenses: c.expenses,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Cleared {
    pub bills: u64,
    pub expenses: u64,
}

/// `POST /api/demo/clear`.
#[utoipa::path(
    post,
    path = "/api/demo/clear",
    tag = "demo",
    responses(
        (status = 200, description = "Cleared", body = Cleared),
        Denied,
        TooMany
    )
)]
pub async fn clear(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Meta(meta): Meta,
) -> ApiResult<Json<Cleared>> {
    let (bills, expenses) = service::demo::clear(&state.app, &user, &meta).await?;
    Ok(Json(Cleared { bills, expenses }))
}

/// The OpenAPI description of these routes.
#[derive(utoipa::OpenApi)]
#[openapi(paths(load, clear))]
pub struct Doc;
