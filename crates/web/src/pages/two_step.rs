//! Two-step verification from the security page: set up an authenticator app (QR code, then a
//! first code), new recovery codes (shown once), turn it off. Every action needs a fresh
//! step-up: a stale session is sent to `/profile/reauth` and back. Results come back to the
//! security page as fixed banner codes (`?mfa=…`, `?mfa_error=…`), never reflected input.

use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use domain::factor::{RecoveryCode, TotpCode};
use serde::Deserialize;
use service::auth::mfa::{recovery, totp};
use service::{App, Error};

use super::reauth::{capitalised, reauth_href};
use super::security::{SECURITY, back_to_section};
use super::{PageContext, PageUser, chrome, error_page, see_other, with_cookies};
use crate::AppState;
use crate::auth::{Caller, Meta};
use crate::routes::Table;
use crate::views::mfa::{RecoveryCodesPage, TotpSetupPage, grouped_secret};
use crate::views::qr::QrSvg;

/// The setup page.
const SETUP: &str = "/profile/mfa/totp";
/// Where a step-up returns to for each action: the security page at the action's form, so it
/// is ready to be sent again.
const AGAIN_TOTP_START: &str = "/profile/security#totp-start-form";
const AGAIN_TOTP_DISABLE: &str = "/profile/security#totp-disable-form";
const AGAIN_RECOVERY_CODES: &str = "/profile/security#recovery-codes-form";

/// The security page's two-step verification routes.
pub(crate) fn routes(table: Table) -> Table {
    table
        .add("POST", "/profile/mfa/totp/start", post(start))
        .add("GET", "/profile/mfa/totp", get(setup))
        .add("POST", "/profile/mfa/totp/confirm", post(confirm))
        .add("POST", "/profile/mfa/totp/disable", post(disable))
        .add("POST", "/profile/mfa/recovery-codes", post(regenerate))
}

/// The banners of the section, by code (`?mfa=`).
pub(crate) const NOTICES: [(&str, &str); 4] = [
    (
        "totp_on",
        "Two-step verification is on with your new app. Your other devices were signed out.",
    ),
    (
        "totp_off",
        "Two-step verification is off. Your other devices were signed out.",
    ),
    (
        "recovery_used",
        "You signed in with a recovery code; it no longer works. If your phone is lost, move to a new phone or generate new codes.",
    ),
    (
        "codes",
        "New recovery codes were made; the old ones no longer work.",
    ),
];

/// The error banners of the section, by code (`?mfa_error=`).
pub(crate) const ERRORS: [(&str, &str); 5] = [
    (
        "required",
        "Your administrator requires two-step verification for your account, so it cannot be turned off.",
    ),
    (
        "no_factor",
        "Set up an authenticator app first; recovery codes go with it.",
    ),
    (
        "no_setup",
        "No authenticator app is being set up. Start again.",
    ),
    (
        "rate",
        "Too many attempts; wait a few minutes and try again.",
    ),
    ("failed", "That did not work; try again."),
];

/// The answer to a refused action: step-up first, a 403 page in single-user mode, else back to
/// the section with a banner.
fn failed(app: &App, caller: &Caller, ctx: &PageContext, back: &str, err: Error) -> Response {
    let code = match err {
        Error::ReauthRequired => return see_other(&reauth_href(back)),
        Error::Unauthenticated => return see_other("/login"),
        Error::Forbidden => {
            return error_page(
                app,
                caller,
                ctx,
                StatusCode::FORBIDDEN,
                "Two-step verification needs sign-in, which single-user mode does not have.",
            );
        }
        Error::Conflict { field, .. } if field == "totp" => "required",
        Error::Conflict { field, .. } if field == "recovery_codes" => "no_factor",
        Error::Conflict { .. } | Error::NotFound => "no_setup",
        Error::RateLimited { .. } => "rate",
        err @ (Error::Invalid(_)
        | Error::BadRequest { .. }
        | Error::Unavailable { .. }
        | Error::Internal(_)) => {
            tracing::error!(error = %err, "two-step verification action failed");
            "failed"
        }
    };
    back_with("mfa_error", code)
}

/// Back to the section on the security page with the banner `code` under `?{name}=`.
fn back_with(name: &str, code: &str) -> Response {
    back_to_section("two-step", name, code)
}

/// `POST /profile/mfa/totp/start`: a new secret, then the setup page.
pub async fn start(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    caller: Caller,
    ctx: PageContext,
    Meta(meta): Meta,
) -> Response {
    let app = &state.app;
    match totp::start(app, &user, &meta).await {
        Ok(_) => see_other(SETUP),
        Err(err) => failed(app, &caller, &ctx, AGAIN_TOTP_START, err),
    }
}

/// The setup page of the enrolment under way, with `error` (and its status).
async fn setup_page(
    state: &AppState,
    caller: &Caller,
    ctx: &PageContext,
    user: &service::auth::Principal,
    error: Option<String>,
    status: StatusCode,
) -> Response {
    let app = &state.app;
    let setup = match totp::pending_setup(app, user).await {
        Ok(Some(setup)) => setup,
        Ok(None) => return see_other(SECURITY),
        Err(err) => return failed(app, caller, ctx, SETUP, err),
    };
    let (chrome, cookie) = chrome(app, caller, ctx, "Set up an authenticator app");
    let page = TotpSetupPage {
        chrome,
        qr: QrSvg::encode(&setup.otpauth_url).unwrap_or_default(),
        secret: grouped_secret(&setup.secret),
        action: "/profile/mfa/totp/confirm",
        forced: false,
        error,
        next: String::new(),
    };
    let mut response = with_cookies(crate::views::render(&page), [cookie]);
    *response.status_mut() = status;
    response
}

/// `GET /profile/mfa/totp`: the QR code and secret of the enrolment under way.
pub async fn setup(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    caller: Caller,
    ctx: PageContext,
) -> Response {
    setup_page(&state, &caller, &ctx, &user, None, StatusCode::OK).await
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    pub code: String,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

/// `POST /profile/mfa/totp/confirm`: the first code turns the app on; new recovery codes are
/// shown once when the account had none.
pub async fn confirm(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    caller: Caller,
    ctx: PageContext,
    Meta(meta): Meta,
    Form(form): Form<ConfirmForm>,
) -> Response {
    let app = &state.app;
    let result = match TotpCode::parse("code", &form.code) {
        Ok(code) => totp::confirm(app, &user, &code, &meta).await,
        Err(invalid) => Err(Error::Invalid(invalid)),
    };
    match result {
        Ok(Some(codes)) => codes_page(
            app,
            &caller,
            &ctx,
            "Two-step verification is on",
            "From now on, signing in asks for a code from your app after the password. Your other devices were signed out.",
            &codes,
        ),
        Ok(None) => back_with("mfa", "totp_on"),
        Err(Error::Invalid(invalid)) => {
            let message = format!("{}.", capitalised(&invalid.reason));
            setup_page(
                &state,
                &caller,
                &ctx,
                &user,
                Some(message),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(err) => failed(app, &caller, &ctx, SETUP, err),
    }
}

/// `POST /profile/mfa/totp/disable`.
pub async fn disable(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    caller: Caller,
    ctx: PageContext,
    Meta(meta): Meta,
) -> Response {
    let app = &state.app;
    match totp::disable(app, &user, &meta).await {
        Ok(()) => back_with("mfa", "totp_off"),
        Err(err) => failed(app, &caller, &ctx, AGAIN_TOTP_DISABLE, err),
    }
}

/// `POST /profile/mfa/recovery-codes`: a new set, shown once.
pub async fn regenerate(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    caller: Caller,
    ctx: PageContext,
    Meta(meta): Meta,
) -> Response {
    let app = &state.app;
    match recovery::regenerate(app, &user, &meta).await {
        Ok(codes) => codes_page(
            app,
            &caller,
            &ctx,
            "New recovery codes",
            "Your old recovery codes no longer work. Your other devices were signed out.",
            &codes,
        ),
        Err(err) => failed(app, &caller, &ctx, AGAIN_RECOVERY_CODES, err),
    }
}

pub(crate) fn codes_page(
    app: &App,
    caller: &Caller,
    ctx: &PageContext,
    heading: &str,
    message: &str,
    codes: &[RecoveryCode],
) -> Response {
    let (chrome, cookie) = chrome(app, caller, ctx, "Recovery codes");
    let page = RecoveryCodesPage {
        chrome,
        heading: heading.to_owned(),
        message: message.to_owned(),
        codes: codes.iter().map(RecoveryCode::grouped).collect(),
        continue_href: format!("{SECURITY}#two-step"),
    };
    with_cookies(crate::views::render(&page), [cookie]).into_response()
}
