//! `/api/auth/*`: CSRF token, mode, sign-in, sign-out, who am I, password change.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use service::auth::mfa::pending::LoginOutcome;
use service::auth::{SignedIn, login};

use super::MeResponse;
use crate::api::responses::{
    Denied, Forbidden, PROBLEM_JSON, Problem, Refused, TooMany, Unauthenticated,
};
use crate::auth::{Caller, CurrentUser, LocalLogin, Meta};
use crate::json::ApiJson;
use crate::problem::ApiResult;
use crate::{AppState, cookies};

#[derive(Serialize, utoipa::ToSchema)]
pub struct CsrfResponse {
    pub csrf_token: String,
}

/// `GET /api/auth/csrf-token`: the caller's CSRF token (reused while valid), also set as cookie.
#[utoipa::path(
    get,
    path = "/api/auth/csrf-token",
    tag = "auth",
    security(()),
    responses(
        (status = 200, description = "OK", body = CsrfResponse)
    )
)]
pub async fn csrf_token(State(state): State<AppState>, caller: Caller) -> Response {
    let (token, cookie) = crate::session_cookies::csrf_for(&state.app, &caller);
    let mut response = Json(CsrfResponse { csrf_token: token }).into_response();
    cookies::append(response.headers_mut(), [cookie]);
    response
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ModeResponse {
    pub mode: &'static str,
    /// Whether username and password sign-in is on.
    pub local_login: bool,
    pub setup_required: bool,
    /// The OIDC provider's name, when "Sign in with …" is on (`GET /api/auth/oidc/login`).
    pub oidc: Option<String>,
    /// Whether "Sign in with GitHub" is on (`GET /api/auth/github/login`).
    pub github: bool,
}

/// `GET /api/auth/mode`: how people sign in here.
#[utoipa::path(
    get,
    path = "/api/auth/mode",
    tag = "auth",
    security(()),
    responses(
        (status = 200, description = "OK", body = ModeResponse)
    )
)]
pub async fn mode(State(state): State<AppState>) -> ApiResult<Json<ModeResponse>> {
    let app = &state.app;
    let single = app.config.single_user_mode;
    let methods = service::auth::external::settings::public(app).await?;
    Ok(Json(ModeResponse {
        mode: if single { "single-user" } else { "local" },
        local_login: !single && methods.local,
        setup_required: service::setup::setup_required(app).await?,
        oidc: methods.oidc.filter(|_| !single),
        github: !single && methods.github,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct LoginResponse {
    pub user: MeResponse,
    pub csrf_token: String,
}

/// The two answers to a right password.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum LoginAnswer {
    /// Signed in: session and CSRF cookies set.
    SignedIn(LoginResponse),
    /// A second factor comes next: no session cookie, only the pending sign-in cookie.
    MfaRequired(super::mfa::MfaRequiredResponse),
}

/// `POST /api/auth/login`. For an account with a second factor the answer is
/// `{"mfa_required": true, "methods": [...]}` with no session: complete it with
/// `POST /api/auth/mfa/verify`.
#[utoipa::path(
    post,
    path = "/api/auth/login",
    tag = "auth",
    request_body = LoginRequest,
    security(()),
    responses(
        (status = 200, description = "Signed in, or `mfa_required`", body = LoginAnswer),
        Forbidden,
        Refused,
        TooMany,
        (status = 401, description = "Wrong username or password", body = Problem, content_type = PROBLEM_JSON)
    )
)]
pub async fn login(
    State(state): State<AppState>,
    _local: LocalLogin,
    caller: Caller,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<LoginRequest>,
) -> ApiResult<Response> {
    let outcome = login::login(
        &state.app,
        &body.username,
        &body.password,
        &meta,
        caller.session_token.as_deref(),
    )
    .await?;
    Ok(match outcome {
        LoginOutcome::SignedIn(signed_in) => signed_in_response(&state, signed_in, StatusCode::OK),
        LoginOutcome::SecondFactor(pending) => {
            super::mfa::mfa_required_response(&state.app, &pending)
        }
    })
}

/// The answer to any sign-in: the user, the new CSRF token, and both cookies.
pub fn signed_in_response(state: &AppState, signed_in: SignedIn, status: StatusCode) -> Response {
    let config = &state.app.config;
    let mut response = (
        status,
        Json(LoginResponse {
            user: MeResponse::from(&signed_in.principal),
            csrf_token: signed_in.csrf_token.clone(),
        }),
    )
        .into_response();
    cookies::append(
        response.headers_mut(),
        cookies::signed_in(config, &signed_in),
    );
    response
}

/// `POST /api/auth/logout`: ends the session, expires the cookie, clears site data.
#[utoipa::path(
    post,
    path = "/api/auth/logout",
    tag = "auth",
    responses(
        (status = 204, description = "Signed out"),
        Denied
    )
)]
pub async fn logout(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Meta(meta): Meta,
) -> ApiResult<Response> {
    login::logout(&state.app, &user, &meta).await?;
    Ok(crate::session_cookies::signed_out(&state.app))
}

/// `GET /api/auth/me`.
#[utoipa::path(
    get,
    path = "/api/auth/me",
    tag = "auth",
    responses(
        (status = 200, description = "OK", body = super::MeResponse),
        Unauthenticated
    )
)]
pub async fn me(CurrentUser(user): CurrentUser) -> Json<MeResponse> {
    Json(MeResponse::from(&user))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordRequest {
    pub current_password: String,
    pub new_password: String,
}

/// `POST /api/auth/password`: needs the current password; other sessions end, this one rotates.
#[utoipa::path(
    post,
    path = "/api/auth/password",
    tag = "auth",
    request_body = PasswordRequest,
    responses(
        (status = 200, description = "OK", body = LoginResponse),
        Denied,
        Refused,
        TooMany
    )
)]
pub async fn change_password(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<PasswordRequest>,
) -> ApiResult<Response> {
    let signed_in = login::change_password(
        &state.app,
        &user,
        &body.current_password,
        &body.new_password,
        &meta,
    )
    .await?;
    Ok(signed_in_response(&state, signed_in, StatusCode::OK))
}

/// The OpenAPI description of these routes.
#[derive(utoipa::OpenApi)]
#[openapi(paths(csrf_token, mode, login, logout, me, change_password))]
pub struct Doc;
