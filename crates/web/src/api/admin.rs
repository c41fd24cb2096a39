//! `/api/admin/*`: user management and the audit log. Every handler's service call checks the
//! admin role (403 otherwise) and the admin rate limit.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use domain::id::UserId;
use domain::user::{DisplayName, Email, Role, Username};
use serde::{Deserialize, Serialize};
use service::audit::{AuditEntry, AuditFilter};
use service::users::{self, AccountPatch, NewAccount};

use super::wire::accounts::{UserView, all};
use crate::AppState;
use crate::api::responses::{BadQuery, Denied, Missing, PROBLEM_JSON, Problem, Refused, TooMany};
use crate::auth::{AdminUser, Meta};
use crate::extract::present;
use crate::json::ApiJson;
use crate::problem::{ApiError, ApiResult};

fn user_id(raw: &str) -> Result<UserId, ApiError> {
    raw.parse().map_err(|_| ApiError(service::Error::NotFound))
}

/// `GET /api/admin/users`.
#[utoipa::path(
    get,
    path = "/api/admin/users",
    tag = "admin",
    responses(
        (status = 200, description = "OK", body = [UserView]),
        Denied
    )
)]
pub async fn list_users(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
) -> ApiResult<Json<Vec<UserView>>> {
    Ok(Json(all(&users::list(&state.app, &admin).await?)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    pub username: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    pub role: Option<String>,
    pub password: String,
}

/// `POST /api/admin/users`.
#[utoipa::path(
    post,
    path = "/api/admin/users",
    tag = "admin",
    request_body = CreateUserRequest,
    responses(
        (status = 201, description = "Created", body = UserView),
        Denied,
        Refused,
        TooMany,
        (status = 409, description = "Username or email taken", body = Problem, content_type = PROBLEM_JSON)
    )
)]
pub async fn create_user(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<CreateUserRequest>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    let username = Username::parse(&body.username)?;
    let account = NewAccount {
        display_name: DisplayName::parse(
            body.display_name.as_deref().unwrap_or(username.as_str()),
        )?,
        username,
        email: body.email.as_deref().map(Email::parse).transpose()?,
        role: body.role.as_deref().unwrap_or("user").parse::<Role>()?,
        password: body.password,
    };
    Ok((
        StatusCode::CREATED,
        Json(UserView::from(
            &users::create(&state.app, &admin, account, &meta).await?,
        )),
    ))
}

/// `GET /api/admin/users/{id}`.
#[utoipa::path(
    get,
    path = "/api/admin/users/{id}",
    tag = "admin",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "OK", body = UserView),
        Denied,
        Missing
    )
)]
pub async fn get_user(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Path(id): Path<String>,
) -> ApiResult<Json<UserView>> {
    let account = users::get(&state.app, &admin, user_id(&id)?).await?;
    Ok(Json(UserView::from(&account)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    pub username: Option<String>,
    pub display_name: Option<String>,
    /// `null` removes the email; absent leaves it.
    #[serde(default, deserialize_with = "present")]
    pub email: Option<Option<String>>,
    pub role: Option<String>,
    pub is_active: Option<bool>,
}

/// `PATCH /api/admin/users/{id}`: rename, change email, role, active.
#[utoipa::path(
    patch,
    path = "/api/admin/users/{id}",
    tag = "admin",
    params(("id" = String, Path)),
    request_body = UpdateUserRequest,
    responses(
        (status = 200, description = "OK", body = UserView),
        Denied,
        Missing,
        Refused,
        TooMany,
        (status = 409, description = "Conflict (taken name, last admin)", body = Problem, content_type = PROBLEM_JSON)
    )
)]
pub async fn update_user(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Meta(meta): Meta,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<UpdateUserRequest>,
) -> ApiResult<Json<UserView>> {
    let patch = AccountPatch {
        username: body.username.as_deref().map(Username::parse).transpose()?,
        display_name: body
            .display_name
            .as_deref()
            .map(DisplayName::parse)
            .transpose()?,
        email: body
            .email
            .map(|e| e.as_deref().map(Email::parse).transpose())
            .transpose()?,
        role: body.role.as_deref().map(str::parse::<Role>).transpose()?,
        is_active: body.is_active,
    };
    let account = users::update(&state.app, &admin, user_id(&id)?, patch, &meta).await?;
    Ok(Json(UserView::from(&account)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResetPasswordRequest {
    pub password: String,
}

/// `POST /api/admin/users/{id}/password`: sets a new password, ends the user's sessions.
#[utoipa::path(
    post,
    path = "/api/admin/users/{id}/password",
    tag = "admin",
    params(("id" = String, Path)),
    request_body = ResetPasswordRequest,
    responses(
        (status = 204, description = "Password set; sessions ended"),
        Denied,
        Missing,
        Refused,
        TooMany
    )
)]
pub async fn reset_password(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Meta(meta): Meta,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<ResetPasswordRequest>,
) -> ApiResult<StatusCode> {
    users::reset_password(&state.app, &admin, user_id(&id)?, &body.password, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `DELETE /api/admin/users/{id}`.
#[utoipa::path(
    delete,
    path = "/api/admin/users/{id}",
    tag = "admin",
    params(("id" = String, Path)),
    responses(
        (status = 204, description = "Deleted"),
        Denied,
        Missing,
        BadQuery,
        TooMany
    )
)]
pub async fn delete_user(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Meta(meta): Meta,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    users::delete(&state.app, &admin, user_id(&id)?, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Ended {
    pub ended: u64,
}

/// `DELETE /api/admin/users/{id}/sessions`.
#[utoipa::path(
    delete,
    path = "/api/admin/users/{id}/sessions",
    tag = "admin",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "OK", body = Ended),
        Denied,
        Missing,
        TooMany
    )
)]
pub async fn end_user_sessions(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Meta(meta): Meta,
    Path(id): Path<String>,
) -> ApiResult<Json<Ended>> {
    Ok(Json(Ended {
        ended: users::end_sessions(&state.app, &admin, user_id(&id)?, &meta).await?,
    }))
}

/// `POST /api/admin/sessions/end-all`: everyone but the caller is signed out.
#[utoipa::path(
    post,
    path = "/api/admin/sessions/end-all",
    tag = "admin",
    responses(
        (status = 200, description = "OK", body = Ended),
        Denied,
        TooMany
    )
)]
pub async fn end_all_sessions(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Meta(meta): Meta,
) -> ApiResult<Json<Ended>> {
    Ok(Json(Ended {
        ended: users::end_all_sessions(&state.app, &admin, &meta).await?,
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    pub action: Option<String>,
    pub actor: Option<String>,
    pub before: Option<i64>,
    pub limit: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditPage {
    pub entries: Vec<AuditEntryView>,
    /// Pass as `before` for the next page; absent on the last page.
    pub next_before: Option<i64>,
    pub chain_intact: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditEntryView {
    pub seq: i64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor: String,
    pub action: String,
    pub target: Option<String>,
    pub ip: Option<String>,
    pub detail: serde_json::Value,
}

impl From<AuditEntry> for AuditEntryView {
    fn from(e: AuditEntry) -> Self {
        Self {
            seq: e.seq,
            at: e.at,
            actor: e.actor_name,
            action: e.action,
            target: e.target,
            ip: e.ip,
            detail: serde_json::from_str(&e.detail).unwrap_or(serde_json::Value::Null),
        }
    }
}

/// `GET /api/admin/audit-log?action=&actor=&before=&limit=`.
#[utoipa::path(
    get,
    path = "/api/admin/audit-log",
    tag = "admin",
    params(
        ("action" = Option<String>, Query),
        ("actor" = Option<String>, Query),
        ("before" = Option<i64>, Query, description = "Cursor: entries with a lower sequence number"),
        ("limit" = Option<i64>, Query)
    ),
    responses(
        (status = 200, description = "OK", body = AuditPage),
        Denied
    )
)]
pub async fn audit_log(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Query(query): Query<AuditQuery>,
) -> ApiResult<Json<AuditPage>> {
    let limit = query.limit.unwrap_or(100).clamp(1, 500);
    let filter = AuditFilter {
        action: query.action,
        actor_name: query.actor,
        before_seq: query.before,
        limit,
        ..AuditFilter::default()
    };
    let entries = service::audit::list(&state.app, &admin, &filter).await?;
    let next_before = (entries.len() as i64 == limit)
        .then(|| entries.last().map(|e| e.seq))
        .flatten();
    let chain_intact = service::audit::chain_intact(&state.app, &admin).await?;
    Ok(Json(AuditPage {
        entries: entries.into_iter().map(AuditEntryView::from).collect(),
        next_before,
        chain_intact,
    }))
}

/// The OpenAPI description of these routes.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    list_users,
    create_user,
    get_user,
    update_user,
    reset_password,
    delete_user,
    end_user_sessions,
    end_all_sessions,
    audit_log
))]
pub struct Doc;
