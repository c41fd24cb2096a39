//! The HTML side of accounts: sign-in, first-run setup, sign-out, the home page and the
//! security page (sessions, sign-in history, password). Handlers extract, make one service
//! call, and render a `…Page` or redirect (303 after every successful POST).

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use service::auth::{Principal, SignedIn, csrf, login, session};
use service::{App, Error};

use crate::auth::{Caller, LocalLogin, Meta};
use crate::observe::{CspNonce, RequestId};
use crate::views::{
    self, Chrome, ErrorPage, LoginRow, NavUser, SecurityPage, SessionRow, SetupPage, SignInPage,
};
use crate::{AppState, cookies};

/// The caller's CSRF token: the cookie's when it is valid for this caller, else a new one with
/// the `Set-Cookie` that delivers it.
pub fn csrf_for(app: &App, caller: &Caller) -> (String, Option<HeaderValue>) {
    let binding = caller.csrf_binding();
    if let Some(cookie) = &caller.csrf_cookie
        && csrf::verify(app, &binding, cookie, cookie)
    {
        return (cookie.clone(), None);
    }
    let token = csrf::issue(app, &binding);
    let cookie = cookies::set_csrf(&app.config, &token);
    (token, cookie)
}

/// Per-request page context.
pub struct PageContext {
    pub nonce: String,
    pub request_id: Option<String>,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for PageContext {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(PageContext {
            nonce: parts
                .extensions
                .get::<CspNonce>()
                .map(|n| n.0.clone())
                .unwrap_or_default(),
            request_id: parts.extensions.get::<RequestId>().map(|r| r.0.clone()),
        })
    }
}

/// A signed-in caller for a page; anyone else is sent to the sign-in page (before any form
/// body is read).
pub struct PageUser(pub Principal);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for PageUser {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        match parts
            .extensions
            .get::<Caller>()
            .and_then(|c| c.principal.clone())
        {
            Some(principal) => Ok(PageUser(principal)),
            None => Err(to_login(&parts.uri)),
        }
    }
}

/// The layout context of a page for this caller (and the CSRF cookie to set, if new).
pub(crate) fn chrome(
    app: &App,
    caller: &Caller,
    ctx: &PageContext,
    title: &str,
) -> (Chrome, Option<HeaderValue>) {
    let (csrf_token, cookie) = csrf_for(app, caller);
    let user = caller.principal.as_ref().map(|p| NavUser {
        display_name: p.display_name.clone(),
        is_admin: p.is_admin(),
    });
    (
        Chrome {
            title: title.to_owned(),
            nonce: ctx.nonce.clone(),
            csrf_token,
            user,
            flash: None,
        },
        cookie,
    )
}

/// Appends `Set-Cookie` headers to a response.
pub(crate) fn with_cookies(
    mut response: Response,
    cookies_: impl IntoIterator<Item = Option<HeaderValue>>,
) -> Response {
    cookies::append(response.headers_mut(), cookies_);
    response
}

/// Only same-site paths: `//evil`, `/\evil`, `https://…` and encoded variants all become `/`
/// (CSRF-06, open redirects).
pub fn safe_next(raw: Option<&str>) -> String {
    match raw {
        Some(next)
            if next.starts_with('/')
                && !next.starts_with("//")
                && !next.contains('\\')
                && !next.contains("://")
                && !next.to_ascii_lowercase().contains("%2f")
                && !next.to_ascii_lowercase().contains("%5c")
                && !next.chars().any(char::is_control)
                && next.len() <= 512 =>
        {
            next.to_owned()
        }
        _ => "/".to_owned(),
    }
}

fn to_login(uri: &Uri) -> Response {
    let next = uri.path_and_query().map_or("/", |p| p.as_str());
    let encoded: String = next
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    Redirect::to(&format!("/login?next={encoded}")).into_response()
}

/// A 303 redirect (after a form post).
pub(crate) fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

fn signed_in_redirect(app: &App, signed_in: &SignedIn, to: &str) -> Response {
    with_cookies(
        see_other(to),
        [
            cookies::set_session(&app.config, &signed_in.token),
            cookies::set_csrf(&app.config, &signed_in.csrf_token),
        ],
    )
}

fn error_page(
    app: &App,
    caller: &Caller,
    ctx: &PageContext,
    status: StatusCode,
    message: &str,
) -> Response {
    let (chrome, cookie) = chrome(
        app,
        caller,
        ctx,
        status.canonical_reason().unwrap_or("Error"),
    );
    let page = ErrorPage {
        chrome,
        status: status.as_u16(),
        heading: status.canonical_reason().unwrap_or("Error").to_owned(),
        message: message.to_owned(),
        request_id: ctx.request_id.clone(),
    };
    with_cookies(views::render(&page), [cookie])
}

#[derive(Deserialize)]
pub struct NextQuery {
    pub next: Option<String>,
}

/// `GET /login`.
pub async fn sign_in_form(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Query(q): Query<NextQuery>,
) -> Response {
    let app = &state.app;
    if caller.principal.is_some() {
        return see_other(&safe_next(q.next.as_deref()));
    }
    let setup_hint = service::setup::setup_required(app).await.unwrap_or(false);
    let (chrome, cookie) = chrome(app, &caller, &ctx, "Sign in");
    let page = SignInPage {
        chrome,
        username: String::new(),
        error: None,
        next: safe_next(q.next.as_deref()),
        setup_hint,
    };
    with_cookies(views::render(&page), [cookie])
}

#[derive(Deserialize)]
pub struct SignInForm {
    pub username: String,
    pub password: String,
    pub next: Option<String>,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

/// `POST /login`.
pub async fn sign_in(
    State(state): State<AppState>,
    _local: LocalLogin,
    caller: Caller,
    ctx: PageContext,
    Meta(meta): Meta,
    Form(form): Form<SignInForm>,
) -> Response {
    let app = &state.app;
    let next = safe_next(form.next.as_deref());
    match login::login(
        app,
        &form.username,
        &form.password,
        &meta,
        caller.session_token.as_deref(),
    )
    .await
    {
        Ok(signed_in) => signed_in_redirect(app, &signed_in, &next),
        Err(err) => {
            let (status, message, retry) = match &err {
                Error::RateLimited { retry_after } => (
                    StatusCode::TOO_MANY_REQUESTS,
                    "Too many attempts. Wait a few minutes and try again.".to_owned(),
                    Some(retry_after.as_secs().max(1)),
                ),
                Error::Unauthenticated => (
                    StatusCode::UNAUTHORIZED,
                    "Wrong username or password.".to_owned(),
                    None,
                ),
                Error::Invalid(i) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    format!("{}: {}", i.field, i.reason),
                    None,
                ),
                _ => return crate::problem::ApiError(err).into_response(),
            };
            let (chrome, cookie) = chrome(app, &caller, &ctx, "Sign in");
            let page = SignInPage {
                chrome,
                username: form.username.chars().take(64).collect(),
                error: Some(message),
                next,
                setup_hint: false,
            };
            let mut response = with_cookies(views::render(&page), [cookie]);
            *response.status_mut() = status;
            if let Some(secs) = retry
                && let Ok(value) = HeaderValue::from_str(&secs.to_string())
            {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
            response
        }
    }
}

/// `POST /logout`.
pub async fn sign_out(State(state): State<AppState>, caller: Caller, Meta(meta): Meta) -> Response {
    if let Some(user) = &caller.principal
        && let Err(err) = login::logout(&state.app, user, &meta).await
    {
        return crate::problem::ApiError(err).into_response();
    }
    let mut response = crate::api::auth::logged_out_response(&state);
    *response.status_mut() = StatusCode::SEE_OTHER;
    response
        .headers_mut()
        .insert(header::LOCATION, HeaderValue::from_static("/login"));
    response
}

#[derive(Deserialize)]
pub struct SetupQuery {
    pub token: Option<String>,
}

/// `GET /setup?token=…`: the one-time first-run page.
pub async fn setup_form(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Query(q): Query<SetupQuery>,
) -> Response {
    let app = &state.app;
    let token = q.token.unwrap_or_default();
    if !service::setup::setup_token_valid(app, &token)
        .await
        .unwrap_or(false)
    {
        return error_page(
            app,
            &caller,
            &ctx,
            StatusCode::NOT_FOUND,
            "This setup link is not valid. It works once, for 24 hours, while no account exists.",
        );
    }
    let (chrome, cookie) = chrome(app, &caller, &ctx, "Set up BillTracker");
    let page = SetupPage {
        chrome,
        token,
        username: String::new(),
        display_name: String::new(),
        errors: Vec::new(),
    };
    let mut response = with_cookies(views::render(&page), [cookie]);
    response.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

#[derive(Deserialize)]
pub struct SetupForm {
    pub token: String,
    pub username: String,
    pub display_name: String,
    pub password: String,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

/// `POST /setup`: creates the bootstrap administrator and signs them in.
pub async fn setup(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    Meta(meta): Meta,
    Form(form): Form<SetupForm>,
) -> Response {
    use domain::user::{DisplayName, Role, Username};
    let app = &state.app;
    let mut errors = Vec::new();
    let username = Username::parse(&form.username)
        .map_err(|e| errors.push((e.field, e.reason)))
        .ok();
    let display = if form.display_name.trim().is_empty() {
        form.username.clone()
    } else {
        form.display_name.clone()
    };
    let display_name = DisplayName::parse(&display)
        .map_err(|e| errors.push((e.field, e.reason)))
        .ok();
    if let (Some(username), Some(display_name)) = (username, display_name) {
        let account = service::users::NewAccount {
            username,
            display_name,
            email: None,
            role: Role::Admin,
            password: form.password.clone(),
        };
        match service::setup::complete(app, &form.token, account, &meta).await {
            Ok(signed_in) => return signed_in_redirect(app, &signed_in, "/profile/security"),
            Err(Error::Invalid(i)) => errors.push((i.field, i.reason)),
            Err(Error::Forbidden) => {
                return error_page(
                    app,
                    &caller,
                    &ctx,
                    StatusCode::NOT_FOUND,
                    "This setup link is not valid any more.",
                );
            }
            Err(err) => return crate::problem::ApiError(err).into_response(),
        }
    }
    let (chrome, cookie) = chrome(app, &caller, &ctx, "Set up BillTracker");
    let page = SetupPage {
        chrome,
        token: form.token,
        username: form.username,
        display_name: form.display_name,
        errors,
    };
    let mut response = with_cookies(views::render(&page), [cookie]);
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    response
}

async fn security_page(
    state: &AppState,
    caller: &Caller,
    ctx: &PageContext,
    user: &Principal,
    password_errors: Vec<(String, String)>,
    password_changed: bool,
) -> Response {
    let app = &state.app;
    let sessions = match session::list(app, user).await {
        Ok(s) => s,
        Err(err) => return crate::problem::ApiError(err).into_response(),
    };
    let logins = match service::profile::login_history(app, user, 20).await {
        Ok(l) => l,
        Err(err) => return crate::problem::ApiError(err).into_response(),
    };
    let when = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
    let (chrome, cookie) = chrome(app, caller, ctx, "Security");
    let page = SecurityPage {
        chrome,
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
    };
    with_cookies(views::render(&page), [cookie])
}

#[derive(Deserialize)]
pub struct ChangedQuery {
    pub changed: Option<String>,
}

/// `GET /profile/security`.
pub async fn security(
    State(state): State<AppState>,
    PageUser(user): PageUser,
    caller: Caller,
    ctx: PageContext,
    Query(q): Query<ChangedQuery>,
) -> Response {
    security_page(
        &state,
        &caller,
        &ctx,
        &user,
        Vec::new(),
        q.changed.is_some(),
    )
    .await
}

#[derive(Deserialize)]
pub struct CsrfOnlyForm {
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
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
        Ok(()) => see_other("/profile/security"),
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
) -> Response {
    match session::end_all_of(&state.app, user.user_id, user.session).await {
        Ok(_) => see_other("/profile/security"),
        Err(err) => crate::problem::ApiError(err).into_response(),
    }
}

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
                Error::Invalid(i) => (StatusCode::UNPROCESSABLE_ENTITY, i.field, i.reason),
                Error::RateLimited { .. } => (
                    StatusCode::TOO_MANY_REQUESTS,
                    "new_password".to_owned(),
                    "Too many attempts; try again later.".to_owned(),
                ),
                other => return crate::problem::ApiError(other).into_response(),
            };
            let mut response =
                security_page(&state, &caller, &ctx, &user, vec![(field, message)], false).await;
            *response.status_mut() = status;
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn csrf_06_only_local_paths_are_followed_after_sign_in() {
        for evil in [
            "https://evil.test",
            "//evil.test",
            "/\\evil.test",
            "%2F%2Fevil.test",
            "/%2F%2Fevil.test",
            "javascript:alert(1)",
            "/ok\r\nx",
        ] {
            assert_eq!(safe_next(Some(evil)), "/", "{evil}");
        }
        assert_eq!(
            safe_next(Some("/profile/security?tab=1")),
            "/profile/security?tab=1"
        );
        assert_eq!(safe_next(None), "/");
    }
}
