//! Two-step verification from the security page: set up an authenticator app (QR code, then a
//! first code), new recovery codes (shown once), turn it off. Every action needs a fresh
//! step-up: a stale session is sent to `/profile/reauth` and back. Results come back to the
//! security page as fixed banner codes (`?mfa=…`, `?mfa_error=…`), never reflected input.

use axum::Form;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use domain::factor::{RecoveryCode, TotpCode};
use serde::Deserialize;
use service::Error;
use service::auth::Principal;
use service::auth::mfa::{recovery, totp};

use super::super::kit::{Page, PageError, PageResult};
use super::super::refusal::{StepUp, sentence};
use super::super::{PageUser, chrome, see_other, with_cookies};
use super::{SECURITY, SignInMode, back_to_section};
use crate::auth::Meta;
use crate::links;
use crate::routes::Table;
use crate::views::mfa::{RecoveryCodesPage, TotpSetupPage, grouped_secret};
use crate::views::qr::QrSvg;

/// The setup page.
const SETUP: &str = links::TOTP.path();
/// Where a step-up returns to for each action: the security page at the action's form (this
/// fragment), so it is ready to be sent again.
const AGAIN_TOTP_START: &str = "totp-start-form";
const AGAIN_TOTP_DISABLE: &str = "totp-disable-form";
const AGAIN_RECOVERY_CODES: &str = "recovery-codes-form";

/// The security page's two-step verification routes.
pub(crate) fn routes(table: Table) -> Table {
    table
        .add("POST", links::TOTP_START.path(), post(start))
        .add("GET", links::TOTP.path(), get(setup))
        .add("POST", links::TOTP_CONFIRM.path(), post(confirm))
        .add("POST", links::TOTP_DISABLE.path(), post(disable))
        .add("POST", links::RECOVERY_CODES.path(), post(regenerate))
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

/// The section's banner code for a refused action. A stale step-up (back to `again` after
/// it) and the rest are the kit's: sign-in, the 403 page.
fn banner(err: Error, again: &str) -> Result<&'static str, PageError> {
    Ok(match err {
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
        err => return Err(err).step_up_to(again),
    })
}

/// Back to the section with the banner of a refused action (see [`banner`]).
fn refused(err: Error, form: &str) -> PageResult {
    let again = links::SECURITY.at_fragment(form);
    Ok(back_with("mfa_error", banner(err, &again)?))
}

/// Back to the section on the security page with the banner `code` under `?{name}=`.
fn back_with(name: &str, code: &str) -> Response {
    back_to_section("two-step", name, code)
}

/// `POST /profile/mfa/totp/start`: a new secret, then the setup page.
pub async fn start(
    page: Page,
    _: SignInMode,
    PageUser(user): PageUser,
    Meta(meta): Meta,
) -> PageResult {
    match totp::start(&page.app, &user, &meta).await {
        Ok(_) => Ok(see_other(SETUP)),
        Err(err) => refused(err, AGAIN_TOTP_START),
    }
}

/// The setup page of the enrolment under way (the security page when there is none), with a
/// refused code's message (422).
async fn setup_page(page: &Page, user: &Principal, error: Option<String>) -> PageResult {
    let app = &page.app;
    let Some(setup) = totp::pending_setup(app, user).await.step_up_to(SETUP)? else {
        return Ok(see_other(SECURITY));
    };
    let ctx = page.context().await;
    let (chrome, cookie) = chrome(app, &page.caller, &ctx, "Set up an authenticator app");
    let status = match error {
        Some(_) => StatusCode::UNPROCESSABLE_ENTITY,
        None => StatusCode::OK,
    };
    let view = TotpSetupPage {
        chrome,
        qr: QrSvg::encode(&setup.otpauth_url).unwrap_or_default(),
        secret: grouped_secret(&setup.secret),
        action: links::TOTP_CONFIRM.path(),
        forced: false,
        error,
        next: String::new(),
    };
    let mut response = with_cookies(crate::views::render(&view), [cookie]);
    *response.status_mut() = status;
    Ok(response)
}

/// `GET /profile/mfa/totp`: the QR code and secret of the enrolment under way.
pub async fn setup(page: Page, _: SignInMode, PageUser(user): PageUser) -> PageResult {
    setup_page(&page, &user, None).await
}

#[derive(Deserialize)]
pub struct ConfirmForm {
    #[serde(default)]
    pub code: String,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

/// `POST /profile/mfa/totp/confirm`: the first code turns the app on; new recovery codes are
/// shown once when the account had none. A refused code is the setup page again (422).
pub async fn confirm(
    page: Page,
    _: SignInMode,
    PageUser(user): PageUser,
    Meta(meta): Meta,
    Form(form): Form<ConfirmForm>,
) -> PageResult {
    let confirmed = match TotpCode::parse("code", &form.code) {
        Ok(code) => totp::confirm(&page.app, &user, &code, &meta).await,
        Err(invalid) => Err(Error::Invalid(invalid)),
    };
    match confirmed {
        Ok(Some(codes)) => Ok(codes_page(&page, TOTP_ON, &codes).await),
        Ok(None) => Ok(back_with("mfa", "totp_on")),
        Err(Error::Invalid(invalid)) => {
            setup_page(&page, &user, Some(sentence(&invalid.reason))).await
        }
        Err(err) => refused(err, SETUP),
    }
}

/// `POST /profile/mfa/totp/disable` (fresh step-up needed).
pub async fn disable(
    page: Page,
    _: SignInMode,
    PageUser(user): PageUser,
    Meta(meta): Meta,
) -> PageResult {
    match totp::disable(&page.app, &user, &meta).await {
        Ok(()) => Ok(back_with("mfa", "totp_off")),
        Err(err) => refused(err, AGAIN_TOTP_DISABLE),
    }
}

/// `POST /profile/mfa/recovery-codes`: a new set, shown once (fresh step-up needed).
pub async fn regenerate(
    page: Page,
    _: SignInMode,
    PageUser(user): PageUser,
    Meta(meta): Meta,
) -> PageResult {
    match recovery::regenerate(&page.app, &user, &meta).await {
        Ok(codes) => Ok(codes_page(&page, NEW_CODES, &codes).await),
        Err(err) => refused(err, AGAIN_RECOVERY_CODES),
    }
}

/// The heading and words of a recovery codes page.
pub(crate) type CodesWords = (&'static str, &'static str);

const TOTP_ON: CodesWords = (
    "Two-step verification is on",
    "From now on, signing in asks for a code from your app after the password. Your other devices were signed out.",
);
const NEW_CODES: CodesWords = (
    "New recovery codes",
    "Your old recovery codes no longer work. Your other devices were signed out.",
);

/// The new recovery codes, shown once, then on to the section.
pub(crate) async fn codes_page(page: &Page, words: CodesWords, codes: &[RecoveryCode]) -> Response {
    let ctx = page.context().await;
    let (chrome, cookie) = chrome(&page.app, &page.caller, &ctx, "Recovery codes");
    let view = RecoveryCodesPage {
        chrome,
        heading: words.0.to_owned(),
        message: words.1.to_owned(),
        codes: codes.iter().map(RecoveryCode::grouped).collect(),
        continue_href: format!("{SECURITY}#two-step"),
    };
    with_cookies(crate::views::render(&view), [cookie])
}
