//! The second step of signing in (`GET`/`POST /login/mfa`): after a right password the browser
//! holds only the pending sign-in cookie; this page asks for a security key (with JavaScript),
//! the app's code or a recovery code (or, when the policy requires a factor the account lacks,
//! sets up an authenticator app) and then sets the session cookie. Nothing else but the
//! WebAuthn start call of this step accepts the pending cookie.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use service::auth::mfa::pending::{self, Completed, PendingView};
use service::auth::mfa::{Method, Proof};
use service::{App, Error};

use super::reauth::capitalised;
use super::{PageContext, chrome, safe_next, see_other, with_cookies};
use crate::AppState;
use crate::auth::{Caller, LocalLogin, Meta};
use crate::cookies;
use crate::routes::Table;
use crate::views::mfa::{RecoveryCodesPage, SecondFactorPage, TotpSetupPage, grouped_secret};
use crate::views::qr::QrSvg;

/// The second-step routes.
pub(crate) fn routes(table: Table) -> Table {
    table
        .add("GET", "/login/mfa", get(show))
        .add("POST", "/login/mfa", post(verify))
}

/// Where the sign-in form sends a browser that holds a pending sign-in.
pub fn href(next: &str) -> String {
    super::common::with_param("/login/mfa", "next", next)
}

#[derive(Deserialize)]
pub struct NextQuery {
    pub next: Option<String>,
}

/// The pending sign-in handle the browser sent, if any.
fn pending_token(app: &App, headers: &HeaderMap) -> Option<String> {
    cookies::read(headers, cookies::mfa_pending_name(&app.config))
}

/// The page for `view`: the code form, or the app setup when enrolment is required.
fn page(
    app: &App,
    caller: &Caller,
    ctx: &PageContext,
    view: &PendingView,
    next: String,
    error: Option<String>,
    recovery_open: bool,
) -> Response {
    if view.enrolment_required {
        let (chrome, cookie) = chrome(app, caller, ctx, "Set up two-step verification");
        let setup = view.enrolment.as_ref();
        let page = TotpSetupPage {
            chrome,
            qr: setup
                .and_then(|s| QrSvg::encode(&s.otpauth_url))
                .unwrap_or_default(),
            secret: setup.map(|s| grouped_secret(&s.secret)).unwrap_or_default(),
            action: "/login/mfa",
            forced: true,
            error,
            next,
        };
        return with_cookies(crate::views::render(&page), [cookie]);
    }
    let (chrome, cookie) = chrome(app, caller, ctx, "Two-step verification");
    let page = SecondFactorPage {
        chrome,
        username: view.username.clone(),
        totp: view.methods.contains(&Method::Totp),
        recovery: view.methods.contains(&Method::RecoveryCode),
        webauthn: view.methods.contains(&Method::WebAuthn)
            && service::auth::mfa::webauthn::available(&app.config),
        webauthn_origin: service::auth::mfa::webauthn::origin(&app.config).unwrap_or_default(),
        error,
        recovery_open,
        next,
    };
    with_cookies(crate::views::render(&page), [cookie])
}

/// `GET /login/mfa?next=…`.
pub async fn show(
    State(state): State<AppState>,
    caller: Caller,
    ctx: PageContext,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Response {
    let app = &state.app;
    let next = safe_next(q.next.as_deref());
    if caller.principal.is_some() {
        return see_other(&next);
    }
    let Some(token) = pending_token(app, &headers) else {
        return see_other("/login");
    };
    match pending::describe(app, &token).await {
        Ok(Some(view)) => page(app, &caller, &ctx, &view, next, None, false),
        Ok(None) => expired(app),
        Err(err) => crate::problem::ApiError(err).into_response(),
    }
}

/// Back to the password step, dropping the dead pending cookie.
fn expired(app: &App) -> Response {
    with_cookies(
        see_other("/login"),
        [cookies::clear_mfa_pending(&app.config)],
    )
}

#[derive(Deserialize)]
pub struct SecondFactorForm {
    pub code: Option<String>,
    pub recovery_code: Option<String>,
    /// A security key's answer (`credential.toJSON()`), filled in by webauthn.js.
    pub webauthn: Option<String>,
    pub next: Option<String>,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

/// `POST /login/mfa`: completes the sign-in with the code (or recovery code).
pub async fn verify(
    State(state): State<AppState>,
    _local: LocalLogin,
    caller: Caller,
    ctx: PageContext,
    headers: HeaderMap,
    Meta(meta): Meta,
    Form(form): Form<SecondFactorForm>,
) -> Response {
    let app = &state.app;
    let next = safe_next(form.next.as_deref());
    let Some(token) = pending_token(app, &headers) else {
        return see_other("/login");
    };
    let recovery_open = form
        .recovery_code
        .as_deref()
        .is_some_and(|c| !c.trim().is_empty());
    let key = form.webauthn.as_deref().filter(|w| !w.trim().is_empty());
    let proof = match key {
        Some(answer) => Proof::webauthn(answer).map(Some),
        None => Proof::from_fields(form.code.as_deref(), form.recovery_code.as_deref()),
    };
    let result = match proof {
        Ok(Some(proof)) => pending::complete(app, &token, &proof, &meta).await,
        Ok(None) => Err(Error::invalid(
            "code",
            "enter the code from your app or a recovery code",
        )),
        Err(err) => Err(err),
    };
    let (status, message, retry) = match result {
        Ok(completed) => return signed_in(app, &ctx, completed, &next),
        Err(Error::Unauthenticated) => (
            StatusCode::UNAUTHORIZED,
            if recovery_open {
                "That recovery code is not right, or was already used.".to_owned()
            } else {
                "That code is not right. Codes change every 30 seconds and each works once: wait for the next one and try again.".to_owned()
            },
            None,
        ),
        Err(Error::BadRequest { .. }) => (
            StatusCode::BAD_REQUEST,
            "Your security key's answer was not accepted. Try again, or use another way below."
                .to_owned(),
            None,
        ),
        Err(Error::Invalid(invalid)) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            format!("{}.", capitalised(&invalid.reason)),
            None,
        ),
        Err(Error::RateLimited { retry_after }) => (
            StatusCode::TOO_MANY_REQUESTS,
            "Too many wrong codes. Wait a few minutes and try again.".to_owned(),
            Some(retry_after.as_secs().max(1)),
        ),
        Err(err) => return crate::problem::ApiError(err).into_response(),
    };
    // The handle may have died with this attempt (expired, used up): then start again.
    let view = match pending::describe(app, &token).await {
        Ok(Some(view)) => view,
        Ok(None) => return expired(app),
        Err(err) => return crate::problem::ApiError(err).into_response(),
    };
    let mut response = page(
        app,
        &caller,
        &ctx,
        &view,
        next,
        Some(message),
        recovery_open,
    );
    *response.status_mut() = status;
    if let Some(secs) = retry
        && let Ok(value) = HeaderValue::from_str(&secs.to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}

/// The answer to a completed sign-in: the session and CSRF cookies, the pending cookie cleared,
/// and either the next page or (after a forced enrolment) the recovery codes shown once.
fn signed_in(app: &App, ctx: &PageContext, completed: Completed, next: &str) -> Response {
    let cookies_: Vec<_> = cookies::signed_in(&app.config, &completed.signed_in)
        .into_iter()
        .chain([cookies::clear_mfa_pending(&app.config)])
        .collect();
    let Some(codes) = completed.recovery_codes else {
        let to = if completed.method == Method::RecoveryCode {
            "/profile/security?mfa=recovery_used"
        } else {
            next
        };
        return with_cookies(see_other(to), cookies_);
    };
    // The page is drawn for the new session: its CSRF token and navigation.
    let caller = Caller {
        principal: Some(completed.signed_in.principal.clone()),
        session_token: Some(completed.signed_in.token.clone()),
        csrf_cookie: Some(completed.signed_in.csrf_token.clone()),
    };
    let (chrome, _) = chrome(app, &caller, ctx, "Recovery codes");
    let page = RecoveryCodesPage {
        chrome,
        heading: "Two-step verification is on".to_owned(),
        message: "You are signed in, and your account now asks for a code from your app after the password.".to_owned(),
        codes: codes.iter().map(|c| c.grouped()).collect(),
        continue_href: next.to_owned(),
    };
    with_cookies(crate::views::render(&page), cookies_)
}
