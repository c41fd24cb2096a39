//! Security keys and passkeys in the pages: the form posts that finish what `webauthn.js`
//! began through the JSON API (adding a key from the security page, passwordless sign-in from
//! the sign-in page), and the plain forms that rename and remove keys. A key's answer arrives
//! as the JSON of `credential.toJSON()` in a hidden field; the service checks everything.
//! Results come back to the security page as fixed banner codes (`?key=…`, `?key_error=…`),
//! never reflected input; a key id that does not parse, does not exist or is someone else's is
//! the 404 page.

use axum::Form;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use domain::factor::KeyName;
use domain::id::FactorId;
use serde::Deserialize;
use service::auth::mfa::webauthn;
use service::{App, Error};

use super::super::account::{SignInForm, sign_in_page};
use super::super::forms::CsrfForm;
use super::super::kit::{Fail, Page, PageResult};
use super::super::refusal::{Refusal, StepUp};
use super::super::{PageUser, safe_next, signed_in_redirect};
use super::two_step::{CodesWords, codes_page};
use super::{SECURITY, SignInMode, back_to_section};
use crate::auth::{LocalLogin, Meta};
use crate::extract::PathId;
use crate::links;
use crate::routes::Table;

/// The routes.
pub(crate) fn routes(table: Table) -> Table {
    table
        .add("POST", links::WEBAUTHN_REGISTER.path(), post(register))
        .add("POST", links::WEBAUTHN_RENAME.template(), post(rename))
        .add("POST", links::WEBAUTHN_REMOVE.template(), post(remove))
        .add("POST", links::LOGIN_PASSKEY.path(), post(sign_in))
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
pub(crate) const KEY_ERRORS: [(&str, &str); 7] = [
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
        "required",
        "Your administrator requires two-step verification: add another key or an authenticator app before removing your last one.",
    ),
    (
        "off",
        "Security keys and passkeys are not available on this server.",
    ),
    ("failed", "That did not work; try again."),
];

/// The 404 page's words for a key that is missing or someone else's.
const NO_KEY: &str = "That key does not exist (it may have been removed already).";

/// Back to the keys section on the security page with the banner `code` under `?{name}=`.
fn back_with(name: &str, code: &str) -> Response {
    back_to_section("security-keys", name, code)
}

/// Back to the keys section with the banner of a refused action. A stale step-up (back to
/// the security page after it), a missing key (404) and the rest are the kit's.
fn refused(app: &App, err: Error) -> PageResult {
    let code = match err {
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
        err @ (Error::RateLimited { .. } | Error::Unavailable { .. } | Error::Internal(_)) => {
            tracing::error!(error = %err, "security key action failed");
            "failed"
        }
        err => return Err(err).step_up_to(SECURITY).missing(NO_KEY),
    };
    Ok(back_with("key_error", code))
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
    page: Page,
    _: SignInMode,
    PageUser(user): PageUser,
    Meta(meta): Meta,
    Form(form): Form<RegisterForm>,
) -> PageResult {
    let registered = match webauthn::parse_registration(&form.credential) {
        Ok(key) => webauthn::finish_registration(&page.app, &user, &key, &meta).await,
        Err(err) => Err(err),
    };
    match registered.map(|r| r.recovery_codes) {
        Ok(Some(codes)) => Ok(codes_page(&page, FIRST_KEY, &codes).await),
        Ok(None) => Ok(back_with("key", "added")),
        Err(err) => refused(&page.app, err),
    }
}

/// The recovery codes page after a first key.
const FIRST_KEY: CodesWords = (
    "Two-step verification is on",
    "Your security key or passkey was added. From now on, signing in with your password also asks for it. Your other devices were signed out.",
);

#[derive(Deserialize)]
pub struct RenameForm {
    #[serde(default)]
    pub name: String,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

/// `POST /profile/webauthn/{id}/rename`.
pub async fn rename(
    page: Page,
    _: SignInMode,
    PageUser(user): PageUser,
    Meta(meta): Meta,
    PathId(id): PathId<FactorId>,
    Form(form): Form<RenameForm>,
) -> PageResult {
    let renamed = match KeyName::parse("name", &form.name) {
        Ok(name) => webauthn::rename(&page.app, &user, id, &name, &meta).await,
        Err(invalid) => Err(invalid.into()),
    };
    match renamed {
        Ok(_) => Ok(back_with("key", "renamed")),
        Err(err) => refused(&page.app, err),
    }
}

/// `POST /profile/webauthn/{id}/remove` (fresh step-up needed).
pub async fn remove(
    page: Page,
    _: SignInMode,
    PageUser(user): PageUser,
    Meta(meta): Meta,
    PathId(id): PathId<FactorId>,
    _: Form<CsrfForm>,
) -> PageResult {
    match webauthn::remove(&page.app, &user, id, &meta).await {
        Ok(()) => Ok(back_with("key", "removed")),
        Err(err) => refused(&page.app, err),
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

/// `POST /login/passkey`: passwordless sign-in with the passkey's answer; on success to `next`,
/// else the sign-in page with the reason.
pub async fn sign_in(
    page: Page,
    _local: LocalLogin,
    Meta(meta): Meta,
    Form(form): Form<PasskeyForm>,
) -> PageResult {
    let (app, next) = (&page.app, safe_next(form.next.as_deref()));
    let old = page.caller.session_token.as_deref();
    let signed_in = match webauthn::parse_assertion(&form.credential) {
        Ok(answer) => webauthn::sign_in_with_passkey(app, &form.handle, &answer, &meta, old).await,
        Err(err) => Err(err),
    };
    match signed_in {
        Ok(signed_in) => Ok(signed_in_redirect(app, &signed_in, &next)),
        Err(err) => {
            let form = SignInForm::blank(Some(next));
            sign_in_page(&page, &form, false, Some(passkey_refused(err)?)).await
        }
    }
}

/// How a refused passkey is told on the sign-in page; other failures are the kit's.
fn passkey_refused(err: Error) -> Result<Refusal, Error> {
    Ok(match err {
        Error::BadRequest { .. } => Refusal::new(
            StatusCode::BAD_REQUEST,
            "That passkey did not sign you in. It may not be registered to an account here, or the request expired; try again or use your password.",
        ),
        Error::Invalid(_) => Refusal::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Use your passkey when your browser asks (this needs JavaScript), or sign in with your password.",
        ),
        Error::RateLimited { retry_after } => Refusal::rate_limited(
            "Too many attempts. Wait a few minutes and try again.",
            retry_after,
        ),
        err => return Err(err),
    })
}
