//! Security keys and passkeys in the pages: the form posts that finish what `webauthn.js`
//! began through the JSON API (adding a key from the security page, passwordless sign-in from
//! the sign-in page), and the plain forms that rename and remove keys. A key's answer arrives
//! as the JSON of `credential.toJSON()` in a hidden field; the service checks everything.
//! Results come back to the security page as fixed banner codes (`?key=…`, `?key_error=…`),
//! never reflected input.

use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use domain::factor::KeyName;
use domain::id::FactorId;
use serde::Deserialize;
use service::auth::mfa::webauthn;
use service::{App, Error};

use super::account::{SignInForm, sign_in_page};
use super::forms::CsrfForm;
use super::reauth::reauth_href;
use super::security::{SECURITY, back_to_section};
use super::{PageContext, PageUser, error_page, safe_next, see_other, signed_in_redirect};
use crate::AppState;
use crate::auth::{Caller, LocalLogin, Meta};
use crate::routes::Table;

/// The routes.
pub(crate) fn routes(table: Table) -> Table {
    table
        .add("POST", "/profile/webauthn/register", post(register))
        .add("POST", "/profile/webauthn/{id}/rename", post(rename))
        .add("POST", "/profile/webauthn/{id}/remove", post(remove))
        .add("POST", "/login/passkey", post(sign_in))
}

/// The banners of the keys section, by code (`?key=`).
pub(crate) const KEY_NOTICES: [(&str, &str); 3] = [
    (
        "added",
        "Your security key or passkey was added. Your other devices were signed out.",
    ),
    ("renamed", "The key was renamed."),
    (
        "removed",
        "The key was removed: it no longer signs you in. Your other devices were signed out.",
    ),
];

/// The error banners of the keys section, by code (`?key_error=`).
pub(crate) const KEY_ERRORS: [(&str, &str); 8] = [
    (
        "refused",
        "The key's answer was not accepted (the request expired or was already used, or it came from another address). Try again.",
    ),
    (
        "duplicate",
        "That key is already registered to your account.",
    ),
    ("name", "Give the key a name of at most 64 characters."),
    (
        "missing",
        "Use your security key or passkey when your browser asks (this needs JavaScript).",
    ),
    (
        "not_found",
        "That key does not exist (it may have been removed already).",
    ),
    (
        "required",
        "Your administrator requires two-step verification: add another key or an authenticator app before removing your last one.",
    ),
    (
        "off",
        "Security keys and passkeys are not available on this server.",
    ),
    ("failed", "That did not work; try again."),
];

/// Single-user mode has no sign-in, so no keys: the refusal, given before any input is read.
fn outside_sign_in_mode(app: &App, caller: &Caller, ctx: &PageContext) -> Option<Response> {
    app.config
        .single_user_mode
        .then(|| failed(app, caller, ctx, Error::Forbidden))
}

/// Back to the keys section on the security page with the banner `code` under `?{name}=`.
fn back_with(name: &str, code: &str) -> Response {
    back_to_section("security-keys", name, code)
}

/// The answer to a refused action: step-up first (then back to the security page), a 403 page
/// in single-user mode, else back to the section with a banner.
fn failed(app: &App, caller: &Caller, ctx: &PageContext, err: Error) -> Response {
    let code = match err {
        Error::ReauthRequired => return see_other(&reauth_href(SECURITY)),
        Error::Unauthenticated => return see_other("/login"),
        Error::Forbidden => {
            return error_page(
                app,
                caller,
                ctx,
                StatusCode::FORBIDDEN,
                "Security keys need sign-in, which single-user mode does not have.",
            );
        }
        Error::BadRequest { .. } => "refused",
        Error::Invalid(invalid) if invalid.field == "name" => "name",
        Error::Invalid(_) => "missing",
        Error::Conflict { field, .. } if field == "credential" => "duplicate",
        Error::Conflict { field, .. }
            if field == "webauthn" && !webauthn::available(&app.config) =>
        {
            "off"
        }
        Error::Conflict { .. } => "required",
        Error::NotFound => "not_found",
        err @ (Error::RateLimited { .. } | Error::Unavailable { .. } | Error::Internal(_)) => {
            tracing::error!(error = %err, "security key action failed");
            "failed"
        }
    };
    back_with("key_error", code)
}

#[derive(Deserialize)]
pub struct RegisterForm {
    /// `credential.toJSON()` of the new credential, filled in by webauthn.js.
    #[serde(default)]
    pub credential: String,
    /// The key's name as typed (the name given to the start call is the one kept).
    pub name: Option<String>,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

/// `POST /profile/webauthn/register`: adds the key whose registration webauthn.js began; the
/// recovery codes are shown once when it is the account's first second factor.
pub async fn register(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    caller: Caller,
    ctx: PageContext,
    Meta(meta): Meta,
    Form(form): Form<RegisterForm>,
) -> Response {
    let app = &state.app;
    if let Some(refused) = outside_sign_in_mode(app, &caller, &ctx) {
        return refused;
    }
    let result = match webauthn::parse_registration(&form.credential) {
        Ok(credential) => webauthn::finish_registration(app, &user, &credential, &meta).await,
        Err(err) => Err(err),
    };
    match result {
        Ok(registered) => match registered.recovery_codes {
            Some(codes) => super::two_step::codes_page(
                app,
                &caller,
                &ctx,
                "Two-step verification is on",
                "Your security key or passkey was added. From now on, signing in with your password also asks for it. Your other devices were signed out.",
                &codes,
            ),
            None => back_with("key", "added"),
        },
        Err(err) => failed(app, &caller, &ctx, err),
    }
}

#[derive(Deserialize)]
pub struct RenameForm {
    #[serde(default)]
    pub name: String,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

/// `POST /profile/webauthn/{id}/rename`.
pub async fn rename(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    caller: Caller,
    ctx: PageContext,
    Meta(meta): Meta,
    Path(id): Path<String>,
    Form(form): Form<RenameForm>,
) -> Response {
    let app = &state.app;
    if let Some(refused) = outside_sign_in_mode(app, &caller, &ctx) {
        return refused;
    }
    let result = async {
        let id: FactorId = id.parse().map_err(|_| Error::NotFound)?;
        let name = KeyName::parse("name", &form.name)?;
        webauthn::rename(app, &user, id, &name, &meta).await
    }
    .await;
    match result {
        Ok(_) => back_with("key", "renamed"),
        Err(err) => failed(app, &caller, &ctx, err),
    }
}

/// `POST /profile/webauthn/{id}/remove` (fresh step-up needed).
pub async fn remove(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    caller: Caller,
    ctx: PageContext,
    Meta(meta): Meta,
    Path(id): Path<String>,
    Form(_form): Form<CsrfForm>,
) -> Response {
    let app = &state.app;
    if let Some(refused) = outside_sign_in_mode(app, &caller, &ctx) {
        return refused;
    }
    let result = match id.parse() {
        Ok(id) => webauthn::remove(app, &user, id, &meta).await,
        Err(_) => Err(Error::NotFound),
    };
    match result {
        Ok(()) => back_with("key", "removed"),
        Err(err) => failed(app, &caller, &ctx, err),
    }
}

#[derive(Deserialize)]
pub struct PasskeyForm {
    /// The handle of `POST /api/auth/passkey/start`, filled in by webauthn.js.
    #[serde(default)]
    pub handle: String,
    /// `credential.toJSON()` of the passkey's answer.
    #[serde(default)]
    pub credential: String,
    pub next: Option<String>,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

/// `POST /login/passkey`: passwordless sign-in with the passkey's answer; on success to `next`.
pub async fn sign_in(
    State(state): State<AppState>,
    _local: LocalLogin,
    caller: Caller,
    ctx: PageContext,
    Meta(meta): Meta,
    Form(form): Form<PasskeyForm>,
) -> Response {
    let app = &state.app;
    let next = safe_next(form.next.as_deref());
    let result = match webauthn::parse_assertion(&form.credential) {
        Ok(answer) => {
            webauthn::sign_in_with_passkey(
                app,
                &form.handle,
                &answer,
                &meta,
                caller.session_token.as_deref(),
            )
            .await
        }
        Err(err) => Err(err),
    };
    let refusal = match result {
        Ok(signed_in) => return signed_in_redirect(app, &signed_in, &next),
        Err(Error::BadRequest { .. }) => (
            StatusCode::BAD_REQUEST,
            "That passkey did not sign you in. It may not be registered to an account here, or the request expired; try again or use your password.".to_owned(),
            None,
        ),
        Err(Error::Invalid(_)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "Use your passkey when your browser asks (this needs JavaScript), or sign in with your password.".to_owned(),
            None,
        ),
        Err(Error::RateLimited { retry_after }) => (
            StatusCode::TOO_MANY_REQUESTS,
            "Too many attempts. Wait a few minutes and try again.".to_owned(),
            Some(retry_after.as_secs().max(1)),
        ),
        Err(err) => return crate::problem::ApiError(err).into_response(),
    };
    let form = SignInForm {
        username: String::new(),
        password: String::new(),
        next: Some(next),
        _csrf_token: None,
    };
    sign_in_page(app, &caller, &ctx, &form, false, Some(refusal)).await
}
