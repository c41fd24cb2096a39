//! The security page: the caller's sessions and sign-in history, the password change form, the
//! two-step verification section (its actions live in [`super::two_step`]) and the security
//! keys and passkeys (their actions in [`super::webauthn`]).

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use service::Error;
use service::auth::{Principal, login, session};

use super::common::with_param;
use super::{
    PageContext, PageUser, chrome, error_page, see_other, signed_in_redirect, with_cookies,
};
use crate::AppState;
use crate::auth::{Caller, Meta};
use crate::routes::Table;
use crate::views::mfa::{KeyRow, MfaSection};
use crate::views::{self, LoginRow, SecurityPage, SessionRow};

/// Where the page lives; the actions of its sections come back here.
pub(crate) const SECURITY: &str = "/profile/security";

/// Back to the security page's `section` (its anchor) with the fixed banner `code` under
/// `?{param}=`: how the actions of the two-step and security-key sections report.
pub(crate) fn back_to_section(section: &str, param: &str, code: &str) -> Response {
    see_other(&format!("{}#{section}", with_param(SECURITY, param, code)))
}

/// The security page's routes.
pub(crate) fn routes(table: Table) -> Table {
    table
        .add("GET", SECURITY, get(security))
        .add("POST", "/profile/sessions/{id}/end", post(end_session))
        .add(
            "POST",
            "/profile/sessions/end-others",
            post(end_other_sessions),
        )
        .add("POST", "/profile/password", post(change_password))
}

/// The two-step verification section for `user`, with the banners of `query`.
async fn mfa_section(
    l: &crate::locale::Locale,
    app: &service::App,
    user: &Principal,
    query: &ChangedQuery,
) -> service::Result<MfaSection> {
    use super::common::message;
    use super::two_step::{ERRORS, NOTICES};
    if app.config.single_user_mode {
        return Ok(MfaSection::default());
    }
    use super::webauthn::{KEY_ERRORS, KEY_NOTICES};
    let status = service::auth::mfa::status(app, user).await?;
    // In the user's time zone, with its abbreviation.
    let when = |t: chrono::DateTime<chrono::Utc>| l.instant(t);
    let keys = service::auth::mfa::webauthn::list(app, user)
        .await?
        .into_iter()
        .map(|key| KeyRow {
            id: key.id,
            name: key.name,
            added: when(key.created_at),
            last_used: key.last_used_at.map_or_else(|| "Never".to_owned(), when),
        })
        .collect();
    Ok(MfaSection {
        available: true,
        enabled: status.enabled,
        totp: status.totp,
        totp_pending: status.totp_pending,
        recovery_codes_left: status.recovery_codes_left,
        required: status.required,
        enrol_by: status.enrol_by.map(|t| l.date_of(t)),
        notice: message(&NOTICES, query.mfa.as_deref()),
        error: message(&ERRORS, query.mfa_error.as_deref()),
        webauthn: service::auth::mfa::webauthn::available(&app.config),
        webauthn_origin: service::auth::mfa::webauthn::origin(&app.config).unwrap_or_default(),
        key_notice: message(&KEY_NOTICES, query.key.as_deref()),
        key_error: message(&KEY_ERRORS, query.key_error.as_deref()),
        keys,
        reauth_href: super::reauth::reauth_href(SECURITY),
    })
}

async fn security_page(
    state: &AppState,
    caller: &Caller,
    ctx: &PageContext,
    user: &Principal,
    password_errors: Vec<(String, String)>,
    query: &ChangedQuery,
) -> Response {
    let app = &state.app;
    let password_changed = query.changed.is_some();
    let mfa = match mfa_section(&ctx.locale, app, user, query).await {
        Ok(section) => section,
        Err(err) => return crate::problem::ApiError(err).into_response(),
    };
    let sessions = match session::list(app, user).await {
        Ok(s) => s,
        Err(err) => return crate::problem::ApiError(err).into_response(),
    };
    let logins = match service::profile::login_history(app, user, 20).await {
        Ok(l) => l,
        Err(err) => return crate::problem::ApiError(err).into_response(),
    };
    let identities = match service::auth::external::linked_identities(app, user).await {
        Ok(i) => i,
        Err(err) => return crate::problem::ApiError(err).into_response(),
    };
    let when = |t: chrono::DateTime<chrono::Utc>| ctx.locale.instant(t);
    let (chrome, cookie) = chrome(app, caller, ctx, "Security");
    let failures = service::profile::failures_since_previous_sign_in(&logins);
    let page = SecurityPage {
        chrome,
        failures_warning: (failures >= service::profile::FAILURES_WORTH_A_WARNING)
            .then_some(failures),
        sessions: sessions
            .into_iter()
            .map(|s| SessionRow {
                id: s.id.to_string(),
                device: s.device,
                ip: s.ip.unwrap_or_else(|| "—".into()),
                created: when(s.created_at),
                last_seen: when(s.last_seen_at),
                current: s.current,
            })
            .collect(),
        logins: logins
            .into_iter()
            .map(|l| LoginRow {
                at: when(l.at),
                ip: l.ip.unwrap_or_else(|| "—".into()),
                device: l.device,
                success: l.success,
                this_session: l.this_session,
            })
            .collect(),
        password_errors,
        password_changed,
        mfa,
        identities: identities
            .into_iter()
            .map(|i| crate::views::IdentityRow {
                provider: i.provider,
                email: i.email.unwrap_or_else(|| "—".into()),
                linked: when(i.linked_at),
                last_used: i.last_used_at.map_or_else(|| "—".into(), when),
            })
            .collect(),
    };
    with_cookies(views::render(&page), [cookie])
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
    State(state): State<AppState>,
    PageUser(user): PageUser,
    caller: Caller,
    ctx: PageContext,
    Query(q): Query<ChangedQuery>,
) -> Response {
    security_page(&state, &caller, &ctx, &user, Vec::new(), &q).await
}

/// `POST /profile/sessions/{id}/end`.
pub async fn end_session(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    caller: Caller,
    ctx: PageContext,
    Meta(meta): Meta,
    Path(id): Path<String>,
) -> Response {
    let result = match id.parse() {
        Ok(id) => session::end_own(&state.app, &user, id, &meta).await,
        Err(_) => Err(Error::NotFound),
    };
    match result {
        Ok(()) => see_other(SECURITY),
        Err(Error::ReauthRequired) => see_other(&super::reauth::reauth_href(&format!(
            "{SECURITY}#end-session-{id}"
        ))),
        Err(Error::NotFound) => error_page(
            &state.app,
            &caller,
            &ctx,
            StatusCode::NOT_FOUND,
            "That session does not exist or has already ended.",
        ),
        Err(err) => crate::problem::ApiError(err).into_response(),
    }
}

/// `POST /profile/sessions/end-others`.
pub async fn end_other_sessions(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    Meta(meta): Meta,
) -> Response {
    match session::end_others(&state.app, &user, &meta).await {
        Ok(_) => see_other(SECURITY),
        Err(Error::ReauthRequired) => see_other(&super::reauth::reauth_href(&format!(
            "{SECURITY}#end-others"
        ))),
        Err(err) => crate::problem::ApiError(err).into_response(),
    }
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

/// `POST /profile/password`.
pub async fn change_password(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    caller: Caller,
    ctx: PageContext,
    Meta(meta): Meta,
    Form(form): Form<PasswordForm>,
) -> Response {
    let app = &state.app;
    match login::change_password(
        app,
        &user,
        &form.current_password,
        &form.new_password,
        &meta,
    )
    .await
    {
        Ok(signed_in) => signed_in_redirect(app, &signed_in, "/profile/security?changed=1"),
        Err(err) => {
            let (status, field, message) = match err {
                Error::Forbidden => (
                    StatusCode::FORBIDDEN,
                    "current_password".to_owned(),
                    "Your current password is not right.".to_owned(),
                ),
                Error::Invalid(i) => {
                    let (field, message) = super::profile::labelled(&PASSWORD_LABELS, &i);
                    (StatusCode::UNPROCESSABLE_ENTITY, field, message)
                }
                Error::RateLimited { .. } => (
                    StatusCode::TOO_MANY_REQUESTS,
                    "new_password".to_owned(),
                    "Too many attempts; try again later.".to_owned(),
                ),
                Error::ReauthRequired => {
                    return see_other(&super::reauth::reauth_href(&format!(
                        "{SECURITY}#password-form"
                    )));
                }
                other => return crate::problem::ApiError(other).into_response(),
            };
            let mut response = security_page(
                &state,
                &caller,
                &ctx,
                &user,
                vec![(field, message)],
                &ChangedQuery::default(),
            )
            .await;
            *response.status_mut() = status;
            response
        }
    }
}
