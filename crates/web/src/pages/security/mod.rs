//! The security page (`/profile/security`): the caller's sessions and sign-in history, the
//! password change form, the two-step verification section (its actions in [`two_step`]) and
//! the security keys and passkeys (their actions in [`webauthn`]); the page itself is drawn
//! by [`page`].
//!
//! An action refused for a stale step-up goes to `/profile/reauth` and comes back to its own
//! form (the page's anchor for it); a session id that does not parse, does not exist or is
//! someone else's is the 404 page; a refused password change is the page again with the
//! message under the field.

pub mod page;
pub mod two_step;
pub mod webauthn;

use axum::extract::{FromRequestParts, Query};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Form, RequestPartsExt};
use domain::id::SessionId;
use serde::Deserialize;
use service::Error;
use service::auth::{login, session};

use super::common::with_param;
use super::kit::{Fail, Page, PageResult};
use super::refusal::{Refusal, StepUp};
use super::{PageUser, see_other, signed_in_redirect};
use crate::AppState;
use crate::auth::Meta;
use crate::extract::PathId;
use crate::links;
use crate::routes::Table;

/// Where the page lives; the actions of its sections come back here.
pub(crate) const SECURITY: &str = links::SECURITY.path();

/// The 404 page's words for a session that is missing, ended or someone else's.
const NO_SESSION: &str = "That session does not exist or has already ended.";

/// Back to the security page's `section` (its anchor) with the fixed banner `code` under
/// `?{param}=`: how the actions of the two-step and security-key sections report.
pub(crate) fn back_to_section(section: &str, param: &str, code: &str) -> Response {
    see_other(&format!("{}#{section}", with_param(SECURITY, param, code)))
}

/// The security page's routes.
pub(crate) fn routes(table: Table) -> Table {
    table
        .add("GET", SECURITY, get(security))
        .add("POST", links::SESSION_END.template(), post(end_session))
        .add(
            "POST",
            links::SESSIONS_END_OTHERS.path(),
            post(end_other_sessions),
        )
        .add(
            "POST",
            links::PROFILE_PASSWORD.path(),
            post(change_password),
        )
}

/// Second factors and security keys exist only where people sign in: in single-user mode
/// their actions answer the 403 page, before any form is read.
pub struct SignInMode;

impl FromRequestParts<AppState> for SignInMode {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if !state.app.config.single_user_mode {
            return Ok(SignInMode);
        }
        let Ok(page) = parts.extract_with_state::<Page, _>(state).await;
        let words = "Two-step verification and security keys need sign-in, which single-user mode does not have.";
        Err(Refusal::new(StatusCode::FORBIDDEN, words).page(&page).await)
    }
}

#[derive(Deserialize, Default)]
pub struct ChangedQuery {
    pub changed: Option<String>,
    /// A two-step verification banner code.
    pub mfa: Option<String>,
    pub mfa_error: Option<String>,
    /// A security keys banner code.
    pub key: Option<String>,
    pub key_error: Option<String>,
}

/// `GET /profile/security`.
pub async fn security(
    page: Page,
    PageUser(user): PageUser,
    Query(q): Query<ChangedQuery>,
) -> PageResult {
    page::draw(&page, &user, &q, None).await
}

/// `POST /profile/sessions/{id}/end` (fresh step-up needed).
pub async fn end_session(
    page: Page,
    PageUser(user): PageUser,
    Meta(meta): Meta,
    PathId(id): PathId<SessionId>,
) -> PageResult {
    let ended = session::end_own(&page.app, &user, id, &meta).await;
    let again = format!("{SECURITY}#end-session-{id}");
    ended.step_up_to(&again).missing(NO_SESSION)?;
    Ok(see_other(SECURITY))
}

/// `POST /profile/sessions/end-others` (fresh step-up needed).
pub async fn end_other_sessions(
    page: Page,
    PageUser(user): PageUser,
    Meta(meta): Meta,
) -> PageResult {
    let ended = session::end_others(&page.app, &user, &meta).await;
    ended.step_up_to(&format!("{SECURITY}#end-others"))?;
    Ok(see_other(SECURITY))
}

/// The password form's labels, so a message names its field ("New password is too common…").
const PASSWORD_LABELS: [(&str, &str); 2] = [
    ("current_password", "Current password"),
    ("new_password", "New password"),
];

#[derive(Deserialize)]
pub struct PasswordForm {
    pub current_password: String,
    pub new_password: String,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

/// `POST /profile/password`: the other sessions end and this one is renewed; a refused
/// change is the page with the message under its field.
pub async fn change_password(
    page: Page,
    PageUser(user): PageUser,
    Meta(meta): Meta,
    Form(form): Form<PasswordForm>,
) -> PageResult {
    let (current, new) = (&form.current_password, &form.new_password);
    match login::change_password(&page.app, &user, current, new, &meta).await {
        Ok(signed_in) => Ok(signed_in_redirect(
            &page.app,
            &signed_in,
            &links::SECURITY.with("changed", "1"),
        )),
        Err(err) => {
            let refused = password_refused(err)?;
            page::draw(&page, &user, &ChangedQuery::default(), Some(refused)).await
        }
    }
}

/// A refused password change as `(status, field, message)`; a stale step-up returns to the
/// form after it, and other failures are the kit's.
fn password_refused(err: Error) -> Result<(StatusCode, String, String), super::kit::PageError> {
    let field = |name: &str| name.to_owned();
    Ok(match err {
        Error::Forbidden => (
            StatusCode::FORBIDDEN,
            field("current_password"),
            "Your current password is not right.".to_owned(),
        ),
        Error::Invalid(i) => {
            let (field, message) = super::profile::labelled(&PASSWORD_LABELS, &i);
            (StatusCode::UNPROCESSABLE_ENTITY, field, message)
        }
        Error::RateLimited { .. } => (
            StatusCode::TOO_MANY_REQUESTS,
            field("new_password"),
            "Too many attempts; try again later.".to_owned(),
        ),
        err => return Err(err).step_up_to(&format!("{SECURITY}#password-form")),
    })
}
