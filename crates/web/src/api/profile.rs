//! `/api/profile/*`: the caller's sessions and sign-in history.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use service::auth::session;
use service::profile;

use super::input::{ApiQuery, PAGE_SIZE_MAX, PAGE_SIZE_MIN};
use super::wire::accounts::{LoginView, SessionInfo, all};
use crate::AppState;
use crate::api::responses::{BadQuery, Denied, Missing, Unauthenticated};
use crate::auth::{CurrentUser, Meta};
use crate::problem::{ApiError, ApiResult};

/// `GET /api/profile/sessions`.
#[utoipa::path(
    get,
    path = "/api/profile/sessions",
    tag = "profile",
    responses(
        (status = 200, description = "OK", body = [SessionInfo]),
        Unauthenticated
    )
)]
pub async fn sessions(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> ApiResult<Json<Vec<SessionInfo>>> {
    Ok(Json(all(&session::list(&state.app, &user).await?)))
}

/// `DELETE /api/profile/sessions/{id}`: another user's session id is 404.
#[utoipa::path(
    delete,
    path = "/api/profile/sessions/{id}",
    tag = "profile",
    params(("id" = String, Path, description = "Session id")),
    responses(
        (status = 204, description = "Ended"),
        Denied,
        Missing
    )
)]
pub async fn end_session(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Meta(meta): Meta,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = id.parse().map_err(|_| ApiError(service::Error::NotFound))?;
    session::end_own(&state.app, &user, id, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Ended {
    pub ended: u64,
}

/// `POST /api/profile/sessions/end-others`.
#[utoipa::path(
    post,
    path = "/api/profile/sessions/end-others",
    tag = "profile",
    responses(
        (status = 200, description = "OK", body = Ended),
        Denied
    )
)]
pub async fn end_other_sessions(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Meta(meta): Meta,
) -> ApiResult<Json<Ended>> {
    let ended = session::end_others(&state.app, &user, &meta).await?;
    Ok(Json(Ended { ended }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    pub limit: Option<i64>,
}

/// `GET /api/profile/login-history`.
#[utoipa::path(
    get,
    path = "/api/profile/login-history",
    tag = "profile",
    params(("limit" = Option<i64>, Query, description = "At most this many (1–500, default 50)")),
    responses(
        (status = 200, description = "OK", body = [LoginView]),
        Unauthenticated,
        BadQuery
    )
)]
pub async fn login_history(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    ApiQuery(query): ApiQuery<HistoryQuery>,
) -> ApiResult<Json<Vec<LoginView>>> {
    let limit = query.limit.unwrap_or(50);
    if !(PAGE_SIZE_MIN..=PAGE_SIZE_MAX).contains(&limit) {
        let reason = format!("must be a whole number {PAGE_SIZE_MIN}–{PAGE_SIZE_MAX}");
        return Err(domain::Invalid::new("limit", reason).into());
    }
    Ok(Json(all(
        &profile::login_history(&state.app, &user, limit).await?
    )))
}

/// The OpenAPI description of these routes.
#[derive(utoipa::OpenApi)]
#[openapi(paths(sessions, end_session, end_other_sessions, login_history))]
pub struct Doc;
