//! `/api/profile/*`: the caller's sessions and sign-in history.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use service::auth::session::{self, SessionInfo};
use service::profile::{self, LoginView};

use crate::AppState;
use crate::auth::{CurrentUser, Meta};
use crate::problem::{ApiError, ApiResult};

/// `GET /api/profile/sessions`.
pub async fn sessions(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> ApiResult<Json<Vec<SessionInfo>>> {
    Ok(Json(session::list(&state.app, &user).await?))
}

/// `DELETE /api/profile/sessions/{id}`: another user's session id is 404.
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

#[derive(Serialize)]
pub struct Ended {
    pub ended: u64,
}

/// `POST /api/profile/sessions/end-others`.
pub async fn end_other_sessions(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> ApiResult<Json<Ended>> {
    let ended = session::end_all_of(&state.app, user.user_id, user.session).await?;
    Ok(Json(Ended { ended }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryQuery {
    pub limit: Option<i64>,
}

/// `GET /api/profile/login-history`.
pub async fn login_history(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Query(query): Query<HistoryQuery>,
) -> ApiResult<Json<Vec<LoginView>>> {
    Ok(Json(
        profile::login_history(&state.app, &user, query.limit.unwrap_or(50)).await?,
    ))
}
