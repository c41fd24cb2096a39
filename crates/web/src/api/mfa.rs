//! Two-step verification in the JSON API: completing a sign-in that answered `mfa_required`
//! (`/api/auth/mfa/*`), step-up re-authentication (`/api/auth/reauth`), the caller's own factors
//! (`/api/profile/mfa*`), and the administrator's policy and reset (`/api/admin/*`).
//!
//! The pending sign-in travels only in its HttpOnly cookie; these handlers read it, nothing
//! else does. Unsafe requests carry the CSRF token as usual (before the session exists, the
//! anonymous one the client already has).

use axum::Json;
use axum::extract::{FromRequestParts, Path, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::factor::{MfaRequirement, RecoveryCode, TotpCode};
use domain::id::UserId;
use serde::{Deserialize, Serialize};
use service::auth::mfa::pending::{self, Completed, PendingSignIn};
use service::auth::mfa::policy;
use service::auth::mfa::totp::{self, TotpSetup};
use service::auth::mfa::{self, Proof, recovery};
use service::auth::reauth;
use service::{App, Error};

use super::MeResponse;
use super::wire::accounts::{Method, MfaPolicy, MfaStatus};
use crate::api::responses::{
    Denied, Forbidden, PROBLEM_JSON, Problem, Refused, TooMany, Unauthenticated,
};
use crate::auth::{AdminUser, CurrentUser, LocalLogin, Meta};
use crate::json::ApiJson;
use crate::problem::{ApiError, ApiResult};
use crate::views::qr::QrSvg;
use crate::{AppState, cookies};

/// The answer to a right password when a second factor comes next: no session cookie, only
/// the pending sign-in cookie (HttpOnly, 5 minutes).
#[derive(Serialize, utoipa::ToSchema)]
pub struct MfaRequiredResponse {
    /// Always `true`: complete with `POST /api/auth/mfa/verify`.
    pub mfa_required: bool,
    /// The account must set up an authenticator app first (`GET /api/auth/mfa/enrolment`).
    pub enrolment_required: bool,
    /// How it can be completed: `totp` and `recovery_code` at `POST /api/auth/mfa/verify`,
    /// `webauthn` (a security key) at `POST /api/auth/mfa/webauthn/start` and `…/finish`.
    pub methods: Vec<Method>,
}

/// `200` with [`MfaRequiredResponse`] and the pending cookie.
pub fn mfa_required_response(app: &App, pending: &PendingSignIn) -> Response {
    let mut response = Json(MfaRequiredResponse {
        mfa_required: true,
        enrolment_required: pending.enrolment_required,
        methods: pending.methods.iter().map(Method::from).collect(),
    })
    .into_response();
    cookies::append(
        response.headers_mut(),
        [cookies::set_mfa_pending(&app.config, &pending.token)],
    );
    response
}

/// The pending sign-in's handle from its cookie; `Unauthenticated` without one.
fn pending_token(app: &App, headers: &HeaderMap) -> Result<String, ApiError> {
    cookies::read(headers, cookies::mfa_pending_name(&app.config))
        .ok_or(ApiError(Error::Unauthenticated))
}

/// The pending sign-in cookie as an extractor; `Unauthenticated` without one (checked before
/// the body is read, so a request without a pending sign-in is 401 whatever it sends).
pub struct PendingCookie(pub String);

impl FromRequestParts<AppState> for PendingCookie {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        pending_token(&state.app, &parts.headers).map(PendingCookie)
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VerifyRequest {
    /// The 6-digit code from the authenticator app.
    pub code: Option<String>,
    /// Or one of the recovery codes (dashes and case ignored).
    pub recovery_code: Option<String>,
}

impl VerifyRequest {
    fn proof(&self) -> Result<Proof, Error> {
        Proof::from_fields(self.code.as_deref(), self.recovery_code.as_deref())?
            .ok_or_else(|| Error::invalid("code", "give the code from your app or a recovery code"))
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct VerifyResponse {
    pub user: MeResponse,
    pub csrf_token: String,
    /// After a forced enrolment: the new recovery codes, shown this once.
    pub recovery_codes: Option<Vec<String>>,
    /// After signing in with a recovery code: how many are left.
    pub recovery_codes_left: Option<i64>,
}

/// `POST /api/auth/mfa/verify`: completes a pending sign-in with the second factor.
#[utoipa::path(
    post,
    path = "/api/auth/mfa/verify",
    tag = "auth",
    request_body = VerifyRequest,
    security(("mfa_pending" = [])),
    responses(
        (status = 200, description = "Signed in: session and CSRF cookies set, pending cookie cleared", body = VerifyResponse),
        Forbidden,
        Refused,
        (status = 401, description = "No pending sign-in (expired, used), or the code is wrong or was used before", body = Problem, content_type = PROBLEM_JSON),
        (status = 429, description = "Too many wrong codes for this account; see Retry-After", body = Problem, content_type = PROBLEM_JSON)
    )
)]
pub async fn verify(
    State(state): State<AppState>,
    _local: LocalLogin,
    headers: HeaderMap,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<VerifyRequest>,
) -> ApiResult<Response> {
    let app = &state.app;
    let token = pending_token(app, &headers)?;
    let proof = body.proof()?;
    let completed = pending::complete(app, &token, &proof, &meta).await?;
    Ok(completed_response(app, &completed))
}

/// The answer to a completed sign-in: the user, the new CSRF token, recovery codes when a
/// forced enrolment issued them; session and CSRF cookies set, the pending cookie cleared.
pub fn completed_response(app: &App, completed: &Completed) -> Response {
    let signed_in = &completed.signed_in;
    let mut response = Json(VerifyResponse {
        user: MeResponse::from(&signed_in.principal),
        csrf_token: signed_in.csrf_token.clone(),
        recovery_codes: completed
            .recovery_codes
            .as_ref()
            .map(|codes| codes.iter().map(RecoveryCode::grouped).collect()),
        recovery_codes_left: completed.recovery_codes_left,
    })
    .into_response();
    cookies::append(
        response.headers_mut(),
        cookies::signed_in(&app.config, signed_in)
            .into_iter()
            .chain([cookies::clear_mfa_pending(&app.config)]),
    );
    response
}

/// What an authenticator app needs, with the QR code drawn as SVG.
#[derive(Serialize, utoipa::ToSchema)]
pub struct TotpSetupResponse {
    /// The secret in base32, for typing.
    pub secret: String,
    /// The `otpauth://totp/…` URL the QR code holds.
    pub otpauth_url: String,
    /// The QR code as an SVG document.
    pub qr_svg: String,
}

impl From<TotpSetup> for TotpSetupResponse {
    fn from(setup: TotpSetup) -> Self {
        let qr_svg = QrSvg::encode(&setup.otpauth_url)
            .map(|qr| qr.to_svg())
            .unwrap_or_default();
        Self {
            secret: setup.secret,
            otpauth_url: setup.otpauth_url,
            qr_svg,
        }
    }
}

/// `GET /api/auth/mfa/enrolment`: for a pending sign-in that must set up an app first (the
/// login answered `enrolment_required`): the secret and QR code. Complete it with the app's
/// first code at `POST /api/auth/mfa/verify`.
#[utoipa::path(
    get,
    path = "/api/auth/mfa/enrolment",
    tag = "auth",
    security(("mfa_pending" = [])),
    responses(
        (status = 200, description = "OK", body = TotpSetupResponse),
        Forbidden,
        (status = 401, description = "No pending sign-in that must enrol", body = Problem, content_type = PROBLEM_JSON)
    )
)]
pub async fn enrolment(
    State(state): State<AppState>,
    _local: LocalLogin,
    PendingCookie(token): PendingCookie,
) -> ApiResult<Json<TotpSetupResponse>> {
    let app = &state.app;
    let setup = pending::describe(app, &token)
        .await?
        .and_then(|view| view.enrolment)
        .ok_or(ApiError(Error::Unauthenticated))?;
    Ok(Json(setup.into()))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReauthRequest {
    pub password: String,
    /// Required when the account has a second factor: the app's code…
    pub code: Option<String>,
    /// …or a recovery code…
    pub recovery_code: Option<String>,
    /// …or a security key's answer (`credential.toJSON()`) to the challenge of
    /// `POST /api/auth/reauth/webauthn/start`.
    #[schema(value_type = Option<Object>)]
    pub webauthn: Option<serde_json::Value>,
}

/// `POST /api/auth/reauth`: step-up. The password again (and the second factor when the
/// account has one); security-sensitive requests are then accepted for 5 minutes.
#[utoipa::path(
    post,
    path = "/api/auth/reauth",
    tag = "auth",
    request_body = ReauthRequest,
    responses(
        (status = 204, description = "Re-authenticated for 5 minutes"),
        Unauthenticated,
        Refused,
        TooMany,
        (status = 400, description = "The security key's answer was refused", body = Problem, content_type = PROBLEM_JSON),
        (status = 403, description = "Wrong password or second factor, or missing CSRF token", body = Problem, content_type = PROBLEM_JSON),
        (status = 422, description = "A field is invalid or missing (`code` when a second factor is needed)", body = Problem, content_type = PROBLEM_JSON)
    )
)]
pub async fn reauthenticate(
    State(state): State<AppState>,
    _local: LocalLogin,
    CurrentUser(user): CurrentUser,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<ReauthRequest>,
) -> ApiResult<StatusCode> {
    if body.password.is_empty() {
        return Err(Error::invalid("password", "must not be empty").into());
    }
    let proof = match body.webauthn {
        Some(_) if body.code.is_some() || body.recovery_code.is_some() => {
            return Err(Error::invalid(
                "webauthn",
                "give one second factor: a code, a recovery code or a security key",
            )
            .into());
        }
        Some(answer) => Some(Proof::WebAuthn(Box::new(
            serde_json::from_value(answer)
                .map_err(|_| Error::invalid("webauthn", "is not a WebAuthn credential"))?,
        ))),
        None => Proof::from_fields(body.code.as_deref(), body.recovery_code.as_deref())?,
    };
    reauth::reauthenticate(&state.app, &user, &body.password, proof.as_ref(), &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/profile/mfa`: the caller's two-step verification.
#[utoipa::path(
    get,
    path = "/api/profile/mfa",
    tag = "profile",
    responses(
        (status = 200, description = "OK", body = MfaStatus),
        Unauthenticated
    )
)]
pub async fn status(
    State(state): State<AppState>,
    CurrentUser(user): CurrentUser,
) -> ApiResult<Json<MfaStatus>> {
    Ok(Json(MfaStatus::from(
        &mfa::status(&state.app, &user).await?,
    )))
}

/// `POST /api/profile/mfa/totp`: starts setting up an authenticator app (fresh step-up needed).
/// The secret is shown here once; confirm with the app's first code.
#[utoipa::path(
    post,
    path = "/api/profile/mfa/totp",
    tag = "profile",
    responses(
        (status = 200, description = "OK: add it to the app, then confirm", body = TotpSetupResponse),
        Denied
    )
)]
pub async fn start_totp(
    State(state): State<AppState>,
    _local: LocalLogin,
    CurrentUser(user): CurrentUser,
    Meta(meta): Meta,
) -> ApiResult<Json<TotpSetupResponse>> {
    Ok(Json(totp::start(&state.app, &user, &meta).await?.into()))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmTotpRequest {
    /// The app's current 6-digit code.
    pub code: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RecoveryCodesResponse {
    /// New recovery codes, shown this once; `null` when the account kept its unused ones.
    pub recovery_codes: Option<Vec<String>>,
}

/// `POST /api/profile/mfa/totp/confirm`: turns the app on with its first code (fresh step-up
/// needed); ends the caller's other sessions.
#[utoipa::path(
    post,
    path = "/api/profile/mfa/totp/confirm",
    tag = "profile",
    request_body = ConfirmTotpRequest,
    responses(
        (status = 200, description = "On", body = RecoveryCodesResponse),
        Denied,
        Refused,
        (status = 409, description = "No app is being set up", body = Problem, content_type = PROBLEM_JSON),
        (status = 422, description = "The code is not the app's current one", body = Problem, content_type = PROBLEM_JSON)
    )
)]
pub async fn confirm_totp(
    State(state): State<AppState>,
    _local: LocalLogin,
    CurrentUser(user): CurrentUser,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<ConfirmTotpRequest>,
) -> ApiResult<Json<RecoveryCodesResponse>> {
    let code = TotpCode::parse("code", &body.code)?;
    let codes = totp::confirm(&state.app, &user, &code, &meta).await?;
    Ok(Json(RecoveryCodesResponse {
        recovery_codes: codes.map(|codes| codes.iter().map(RecoveryCode::grouped).collect()),
    }))
}

/// `DELETE /api/profile/mfa/totp`: turns the app off (fresh step-up needed); ends the caller's
/// other sessions.
#[utoipa::path(
    delete,
    path = "/api/profile/mfa/totp",
    tag = "profile",
    responses(
        (status = 204, description = "Off"),
        Denied,
        (status = 404, description = "No app is set up", body = Problem, content_type = PROBLEM_JSON),
        (status = 409, description = "The administrator's policy requires a second factor", body = Problem, content_type = PROBLEM_JSON)
    )
)]
pub async fn disable_totp(
    State(state): State<AppState>,
    _local: LocalLogin,
    CurrentUser(user): CurrentUser,
    Meta(meta): Meta,
) -> ApiResult<StatusCode> {
    totp::disable(&state.app, &user, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/profile/mfa/recovery-codes`: a new set of recovery codes, shown once; the old set
/// stops working (fresh step-up needed); ends the caller's other sessions.
#[utoipa::path(
    post,
    path = "/api/profile/mfa/recovery-codes",
    tag = "profile",
    responses(
        (status = 200, description = "New codes", body = RecoveryCodesResponse),
        Denied,
        (status = 409, description = "No second factor is set up", body = Problem, content_type = PROBLEM_JSON)
    )
)]
pub async fn regenerate_codes(
    State(state): State<AppState>,
    _local: LocalLogin,
    CurrentUser(user): CurrentUser,
    Meta(meta): Meta,
) -> ApiResult<Json<RecoveryCodesResponse>> {
    let codes = recovery::regenerate(&state.app, &user, &meta).await?;
    Ok(Json(RecoveryCodesResponse {
        recovery_codes: Some(codes.iter().map(RecoveryCode::grouped).collect()),
    }))
}

/// `GET /api/admin/mfa-policy`.
#[utoipa::path(
    get,
    path = "/api/admin/mfa-policy",
    tag = "admin",
    responses(
        (status = 200, description = "OK", body = MfaPolicy),
        Denied
    )
)]
pub async fn get_policy(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
) -> ApiResult<Json<MfaPolicy>> {
    Ok(Json(MfaPolicy::from(
        &policy::get(&state.app, &admin).await?,
    )))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyRequest {
    /// `off`, `admins` or `everyone`.
    pub require: String,
    /// Days to enrol after the requirement starts (0–90).
    pub grace_days: u32,
}

/// `PUT /api/admin/mfa-policy`: who must use two-step verification, and the grace period.
#[utoipa::path(
    put,
    path = "/api/admin/mfa-policy",
    tag = "admin",
    request_body = PolicyRequest,
    responses(
        (status = 200, description = "OK", body = MfaPolicy),
        Denied,
        Refused,
        TooMany
    )
)]
pub async fn set_policy(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<PolicyRequest>,
) -> ApiResult<Json<MfaPolicy>> {
    let require: MfaRequirement = body.require.parse()?;
    let policy = policy::set(&state.app, &admin, require, body.grace_days, &meta).await?;
    Ok(Json(MfaPolicy::from(&policy)))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ResetResponse {
    /// Second factors removed.
    pub factors_removed: u64,
}

/// `DELETE /api/admin/users/{id}/mfa`: removes every second factor and recovery code of the
/// account and signs it out everywhere (the administrator's fresh step-up needed; audited).
#[utoipa::path(
    delete,
    path = "/api/admin/users/{id}/mfa",
    tag = "admin",
    params(("id" = String, Path)),
    responses(
        (status = 200, description = "Reset", body = ResetResponse),
        Denied,
        TooMany,
        (status = 404, description = "No such account", body = Problem, content_type = PROBLEM_JSON)
    )
)]
pub async fn reset_user(
    State(state): State<AppState>,
    AdminUser(admin): AdminUser,
    Meta(meta): Meta,
    Path(id): Path<String>,
) -> ApiResult<Json<ResetResponse>> {
    let id: UserId = id.parse().map_err(|_| ApiError(Error::NotFound))?;
    let factors_removed = mfa::admin_reset(&state.app, &admin, id, &meta).await?;
    Ok(Json(ResetResponse { factors_removed }))
}

/// The OpenAPI description of these routes.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    verify,
    enrolment,
    reauthenticate,
    status,
    start_totp,
    confirm_totp,
    disable_totp,
    regenerate_codes,
    get_policy,
    set_policy,
    reset_user
))]
pub struct Doc;
