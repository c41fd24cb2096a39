//! Security keys and passkeys in the JSON API (MFA-06): the caller's keys
//! (`/api/profile/webauthn*`), a key as the second factor of a pending sign-in
//! (`/api/auth/mfa/webauthn/*`) or of a step-up (`/api/auth/reauth/webauthn/start`, answered at
//! `POST /api/auth/reauth`), and passwordless sign-in (`/api/auth/passkey/*`).
//!
//! Each ceremony is a `start` answering `{"publicKey": …}` — the `PublicKeyCredential…OptionsJSON`
//! for `PublicKeyCredential.parseCreationOptionsFromJSON` / `parseRequestOptionsFromJSON` — and
//! a `finish` taking the browser's `credential.toJSON()` as `credential`. A refused answer
//! (another origin or relying party, an unknown, used or expired challenge, a bad signature) is
//! 400 with `field: "credential"`.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::factor::{KeyName, RecoveryCode};
use domain::id::FactorId;
use serde::{Deserialize, Serialize};
use service::Error;
use service::auth::mfa::Proof;
use service::auth::mfa::pending;
use service::auth::mfa::webauthn;

use super::auth::signed_in_response;
use super::mfa::{PendingCookie, VerifyResponse};
use super::wire::accounts::{KeyView, all};
use crate::AppState;
use crate::api::responses::{Denied, Forbidden, PROBLEM_JSON, Problem, Refused};
use crate::auth::{Caller, CurrentUser, LocalLogin, Meta};
use crate::json::ApiJson;
use crate::problem::{ApiError, ApiResult};

/// The options of a ceremony, for the browser.
#[derive(Serialize, utoipa::ToSchema)]
pub struct WebAuthnOptions {
    /// `PublicKeyCredentialCreationOptionsJSON` (registration) or
    /// `PublicKeyCredentialRequestOptionsJSON` (authentication): pass it to
    /// `PublicKeyCredential.parseCreationOptionsFromJSON` / `parseRequestOptionsFromJSON`.
    #[serde(rename = "publicKey")]
    #[schema(value_type = Object)]
    pub public_key: serde_json::Value,
}

impl WebAuthnOptions {
    fn of<T: Serialize>(options: &T) -> Result<Self, ApiError> {
        Ok(Self {
            public_key: serde_json::to_value(options).map_err(Error::internal)?,
        })
    }
}

/// A browser's answer: `credential.toJSON()` of the `PublicKeyCredential`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CredentialRequest {
    /// `RegistrationResponseJSON` or `AuthenticationResponseJSON`.
    #[schema(value_type = Object)]
    pub credential: serde_json::Value,
}

/// The answer's credential as webauthn-rs reads it; `Invalid` (422) when it is not one.
fn answer<T: serde::de::DeserializeOwned>(value: serde_json::Value) -> Result<T, ApiError> {
    serde_json::from_value(value)
        .map_err(|_| ApiError(Error::invalid("credential", "is not a WebAuthn credential")))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterStartRequest {
    /// What to call the key (1–64 characters), e.g. "YubiKey on my keyring".
    pub name: String,
}

/// `POST /api/profile/webauthn/register/start`: options to add a security key or passkey
/// (fresh step-up needed). Finish with `POST /api/profile/webauthn/register/finish` within 5
/// minutes.
#[utoipa::path(
    post,
    path = "/api/profile/webauthn/register/start",
    tag = "profile",
    request_body = RegisterStartRequest,
    responses(
        (status = 200, description = "Options for navigator.credentials.create()", body = WebAuthnOptions),
        Denied,
        Refused,
        (status = 409, description = "WebAuthn is not available here (PUBLIC_URL has no domain name)", body = Problem, content_type = PROBLEM_JSON),
        (status = 422, description = "The name is invalid", body = Problem, content_type = PROBLEM_JSON)
    )
)]
pub async fn register_start(
    State(state): State<AppState>,
    _local: LocalLogin,
    CurrentUser(user): CurrentUser,
    ApiJson(body): ApiJson<RegisterStartRequest>,
) -> ApiResult<Json<WebAuthnOptions>> {
    let name = KeyName::parse("name", &body.name)?;
    let options = webauthn::start_registration(&state.app, &user, &name).await?;
    Ok(Json(WebAuthnOptions::of(&options.public_key)?))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct RegisteredResponse {
    pub key: KeyView,
    /// The account's first second factor: new recovery codes, shown this once; else `null`.
    pub recovery_codes: Option<Vec<String>>,
}

/// `POST /api/profile/webauthn/register/finish`: adds the key from the authenticator's answer
/// (fresh step-up needed); ends the caller's other sessions.
#[utoipa::path(
    post,
    path = "/api/profile/webauthn/register/finish",
    tag = "profile",
    request_body = CredentialRequest,
    responses(
        (status = 200, description = "Added", body = RegisteredResponse),
        Denied,
        Refused,
        (
            status = 400,
            description = "The answer was refused: wrong origin or relying party, no such registration under way (used or expired), or a bad attestation",
            body = Problem,
            content_type = PROBLEM_JSON
        ),
        (status = 409, description = "The key is already registered, or WebAuthn is not available here", body = Problem, content_type = PROBLEM_JSON),
        (status = 422, description = "`credential` is not a WebAuthn credential", body = Problem, content_type = PROBLEM_JSON)
    )
)]
pub async fn register_finish(
    State(state): State<AppState>,
    _local: LocalLogin,
    CurrentUser(user): CurrentUser,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<CredentialRequest>,
) -> ApiResult<Json<RegisteredResponse>> {
    let credential = answer(body.credential)?;
    let registered = webauthn::finish_registration(&state.app, &user, &credential, &meta).await?;
    Ok(Json(RegisteredResponse {
        key: KeyView::from(&registered.key),
        recovery_codes: registered
            .recovery_codes
            .map(|codes| codes.iter().map(RecoveryCode::grouped).collect()),
    }))
}

/// `GET /api/profile/webauthn`: the caller's security keys and passkeys.
#[utoipa::path(
    get,
    path = "/api/profile/webauthn",
    tag = "profile",
    responses(
        (status = 200, description = "OK", body = [KeyView]),
        Denied
    )
)]
pub async fn list(
    State(state): State<AppState>,
    _local: LocalLogin,
    CurrentUser(user): CurrentUser,
) -> ApiResult<Json<Vec<KeyView>>> {
    Ok(Json(all(&webauthn::list(&state.app, &user).await?)))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RenameRequest {
    /// The new name (1–64 characters).
    pub name: String,
}

fn key_id(id: &str) -> Result<FactorId, ApiError> {
    id.parse().map_err(|_| ApiError(Error::NotFound))
}

/// `PATCH /api/profile/webauthn/{id}`: renames one of the caller's keys.
#[utoipa::path(
    patch,
    path = "/api/profile/webauthn/{id}",
    tag = "profile",
    params(("id" = String, Path)),
    request_body = RenameRequest,
    responses(
        (status = 200, description = "Renamed", body = KeyView),
        Denied,
        Refused,
        (status = 404, description = "No such key of the caller", body = Problem, content_type = PROBLEM_JSON),
        (status = 422, description = "The name is invalid", body = Problem, content_type = PROBLEM_JSON)
    )
)]
pub async fn rename(
    State(state): State<AppState>,
    _local: LocalLogin,
    CurrentUser(user): CurrentUser,
    Meta(meta): Meta,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RenameRequest>,
) -> ApiResult<Json<KeyView>> {
    let id = key_id(&id)?;
    let name = KeyName::parse("name", &body.name)?;
    let key = webauthn::rename(&state.app, &user, id, &name, &meta).await?;
    Ok(Json(KeyView::from(&key)))
}

/// `DELETE /api/profile/webauthn/{id}`: removes one of the caller's keys (fresh step-up
/// needed); ends the caller's other sessions. The key no longer signs in.
#[utoipa::path(
    delete,
    path = "/api/profile/webauthn/{id}",
    tag = "profile",
    params(("id" = String, Path)),
    responses(
        (status = 204, description = "Removed"),
        Denied,
        (status = 404, description = "No such key of the caller", body = Problem, content_type = PROBLEM_JSON),
        (status = 409, description = "The administrator's policy requires a second factor and this is the last one", body = Problem, content_type = PROBLEM_JSON)
    )
)]
pub async fn remove(
    State(state): State<AppState>,
    _local: LocalLogin,
    CurrentUser(user): CurrentUser,
    Meta(meta): Meta,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = key_id(&id)?;
    webauthn::remove(&state.app, &user, id, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/auth/mfa/webauthn/start`: the challenge for a security key as the second factor
/// of the pending sign-in (its cookie); a new one replaces the previous.
#[utoipa::path(
    post,
    path = "/api/auth/mfa/webauthn/start",
    tag = "auth",
    security(("mfa_pending" = [])),
    responses(
        (status = 200, description = "Options for navigator.credentials.get()", body = WebAuthnOptions),
        Forbidden,
        (status = 401, description = "No pending sign-in (expired, used)", body = Problem, content_type = PROBLEM_JSON),
        (status = 409, description = "The account has no security key, or WebAuthn is not available here", body = Problem, content_type = PROBLEM_JSON)
    )
)]
pub async fn second_factor_start(
    State(state): State<AppState>,
    _local: LocalLogin,
    PendingCookie(token): PendingCookie,
) -> ApiResult<Json<WebAuthnOptions>> {
    let options = webauthn::start_second_factor(&state.app, &token).await?;
    Ok(Json(WebAuthnOptions::of(&options.public_key)?))
}

/// `POST /api/auth/mfa/webauthn/finish`: completes the pending sign-in with the key's answer.
#[utoipa::path(
    post,
    path = "/api/auth/mfa/webauthn/finish",
    tag = "auth",
    request_body = CredentialRequest,
    security(("mfa_pending" = [])),
    responses(
        (status = 200, description = "Signed in: session and CSRF cookies set, pending cookie cleared", body = VerifyResponse),
        Forbidden,
        Refused,
        (
            status = 400,
            description = "The answer was refused (wrong origin or relying party, challenge unknown, used or expired, bad signature); counted as a wrong second factor",
            body = Problem,
            content_type = PROBLEM_JSON
        ),
        (status = 401, description = "No pending sign-in (expired, used)", body = Problem, content_type = PROBLEM_JSON),
        (status = 422, description = "`credential` is not a WebAuthn credential", body = Problem, content_type = PROBLEM_JSON),
        (status = 429, description = "Too many wrong second factors for this account; see Retry-After", body = Problem, content_type = PROBLEM_JSON)
    )
)]
pub async fn second_factor_finish(
    State(state): State<AppState>,
    _local: LocalLogin,
    PendingCookie(token): PendingCookie,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<CredentialRequest>,
) -> ApiResult<Response> {
    let app = &state.app;
    let proof = Proof::WebAuthn(Box::new(answer(body.credential)?));
    let completed = pending::complete(app, &token, &proof, &meta).await?;
    Ok(super::mfa::completed_response(app, &completed))
}

/// `POST /api/auth/reauth/webauthn/start`: the challenge for a step-up with a security key;
/// send the answer as `webauthn` with the password to `POST /api/auth/reauth`.
#[utoipa::path(
    post,
    path = "/api/auth/reauth/webauthn/start",
    tag = "auth",
    responses(
        (status = 200, description = "Options for navigator.credentials.get()", body = WebAuthnOptions),
        Denied,
        (status = 409, description = "The account has no security key, or WebAuthn is not available here", body = Problem, content_type = PROBLEM_JSON)
    )
)]
pub async fn reauth_start(
    State(state): State<AppState>,
    _local: LocalLogin,
    CurrentUser(user): CurrentUser,
) -> ApiResult<Json<WebAuthnOptions>> {
    let options = webauthn::start_reauth(&state.app, &user).await?;
    Ok(Json(WebAuthnOptions::of(&options.public_key)?))
}

/// A passwordless sign-in begun.
#[derive(Serialize, utoipa::ToSchema)]
pub struct PasskeyStartResponse {
    /// Send back with the answer (valid 5 minutes, once).
    pub handle: String,
    /// `PublicKeyCredentialRequestOptionsJSON` naming no credential: the authenticator offers
    /// its passkeys for this site.
    #[serde(rename = "publicKey")]
    #[schema(value_type = Object)]
    pub public_key: serde_json::Value,
}

/// `POST /api/auth/passkey/start`: begins a passwordless sign-in with a passkey (counted
/// against the per-address sign-in limit).
#[utoipa::path(
    post,
    path = "/api/auth/passkey/start",
    tag = "auth",
    security(()),
    responses(
        (status = 200, description = "Options for navigator.credentials.get()", body = PasskeyStartResponse),
        Forbidden,
        (status = 409, description = "WebAuthn is not available here", body = Problem, content_type = PROBLEM_JSON),
        (status = 429, description = "Too many sign-in attempts from this address; see Retry-After", body = Problem, content_type = PROBLEM_JSON)
    )
)]
pub async fn passkey_start(
    State(state): State<AppState>,
    _local: LocalLogin,
    Meta(meta): Meta,
) -> ApiResult<Json<PasskeyStartResponse>> {
    let started = webauthn::start_passkey(&state.app, &meta).await?;
    Ok(Json(PasskeyStartResponse {
        handle: started.handle,
        public_key: WebAuthnOptions::of(&started.options.public_key)?.public_key,
    }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasskeyFinishRequest {
    /// The `handle` of `POST /api/auth/passkey/start`.
    pub handle: String,
    /// `credential.toJSON()`.
    #[schema(value_type = Object)]
    pub credential: serde_json::Value,
}

/// `POST /api/auth/passkey/finish`: signs in with the passkey's answer. A passkey verifies the
/// user itself (PIN or biometric), so no second factor is asked.
#[utoipa::path(
    post,
    path = "/api/auth/passkey/finish",
    tag = "auth",
    request_body = PasskeyFinishRequest,
    security(()),
    responses(
        (status = 200, description = "Signed in: session and CSRF cookies set", body = super::auth::LoginResponse),
        Forbidden,
        Refused,
        (
            status = 400,
            description = "The answer was refused (unknown passkey, wrong origin or relying party, handle unknown, used or expired, bad signature, no user verification)",
            body = Problem,
            content_type = PROBLEM_JSON
        ),
        (status = 422, description = "`credential` is not a WebAuthn credential", body = Problem, content_type = PROBLEM_JSON),
        (status = 429, description = "Too many wrong second factors for this account; see Retry-After", body = Problem, content_type = PROBLEM_JSON)
    )
)]
pub async fn passkey_finish(
    State(state): State<AppState>,
    _local: LocalLogin,
    caller: Caller,
    Meta(meta): Meta,
    ApiJson(body): ApiJson<PasskeyFinishRequest>,
) -> ApiResult<Response> {
    let credential = answer(body.credential)?;
    let signed_in = webauthn::sign_in_with_passkey(
        &state.app,
        &body.handle,
        &credential,
        &meta,
        caller.session_token.as_deref(),
    )
    .await?;
    Ok(signed_in_response(&state, signed_in, StatusCode::OK).into_response())
}

/// The OpenAPI description of these routes.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    register_start,
    register_finish,
    list,
    rename,
    remove,
    second_factor_start,
    second_factor_finish,
    reauth_start,
    passkey_start,
    passkey_finish
))]
pub struct Doc;
