//! The second step of signing in (`GET`/`POST /login/mfa`): after a right password the browser
//! holds only the pending sign-in cookie; this page asks for a security key (with JavaScript),
//! the app's code or a recovery code (or, when the policy requires a factor the account lacks,
//! sets up an authenticator app) and then sets the session cookie. Nothing else but the
//! WebAuthn start call of this step accepts the pending cookie.
//!
//! A wrong code is the page again with the reason and its status (401, 400, 422, 429 with
//! `Retry-After`); a pending sign-in that died meanwhile goes back to the password step.

use axum::Form;
use axum::extract::Query;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use serde::Deserialize;
use service::auth::mfa::pending::{self, Completed, PendingView};
use service::auth::mfa::{Method, Proof, webauthn};
use service::{App, Error};

use super::kit::{Page, PageResult};
use super::refusal::{Refusal, sentence};
use super::{chrome, safe_next, see_other, with_cookies};
use crate::auth::{Caller, LocalLogin, Meta};
use crate::cookies;
use crate::links;
use crate::routes::Table;
use crate::views::mfa::{RecoveryCodesPage, SecondFactorPage, TotpSetupPage, grouped_secret};
use crate::views::qr::QrSvg;

/// The second-step routes.
pub(crate) fn routes(table: Table) -> Table {
    table.add("GET", links::LOGIN_MFA.path(), get(show)).add(
        "POST",
        links::LOGIN_MFA.path(),
        post(verify),
    )
}

/// Where the sign-in form sends a browser that holds a pending sign-in.
pub fn href(next: &str) -> String {
    super::common::with_param(links::LOGIN_MFA.path(), "next", next)
}

#[derive(Deserialize)]
pub struct NextQuery {
    pub next: Option<String>,
}

/// The pending sign-in handle the browser sent, if any.
fn pending_token(app: &App, headers: &HeaderMap) -> Option<String> {
    cookies::read(headers, cookies::mfa_pending_name(&app.config))
}

/// `GET /login/mfa?next=…`: the page of the pending sign-in (a signed-in caller goes on to
/// `next`; a browser without one goes back to the password step).
pub async fn show(page: Page, headers: HeaderMap, Query(q): Query<NextQuery>) -> PageResult {
    let next = safe_next(q.next.as_deref());
    if page.caller.principal.is_some() {
        return Ok(see_other(&next));
    }
    let Some(token) = pending_token(&page.app, &headers) else {
        return Ok(see_other(links::LOGIN.path()));
    };
    draw(&page, &token, next, None, false).await
}

/// The page of the pending sign-in `token`: the code form, or the app setup when enrolment is
/// required, with `refusal` when an attempt failed; back to the password step (its dead cookie
/// dropped) when the handle expired or was used up.
async fn draw(
    page: &Page,
    token: &str,
    next: String,
    refusal: Option<Refusal>,
    recovery_open: bool,
) -> PageResult {
    let Some(view) = pending::describe(&page.app, token).await? else {
        let clear = cookies::clear_mfa_pending(&page.app.config);
        return Ok(with_cookies(see_other(links::LOGIN.path()), [clear]));
    };
    let error = refusal.as_ref().map(|r| r.message.clone());
    let response = if view.enrolment_required {
        enrolment_page(page, &view, next, error).await
    } else {
        code_page(page, &view, next, error, recovery_open).await
    };
    Ok(Refusal::applied(refusal.as_ref(), response))
}

/// The authenticator app's setup, when the policy requires a factor the account lacks.
async fn enrolment_page(
    page: &Page,
    view: &PendingView,
    next: String,
    error: Option<String>,
) -> Response {
    let ctx = page.context().await;
    let (chrome, cookie) = chrome(
        &page.app,
        &page.caller,
        &ctx,
        "Set up two-step verification",
    );
    let setup = view.enrolment.as_ref();
    let view = TotpSetupPage {
        chrome,
        qr: setup
            .and_then(|s| QrSvg::encode(&s.otpauth_url))
            .unwrap_or_default(),
        secret: setup.map(|s| grouped_secret(&s.secret)).unwrap_or_default(),
        action: links::LOGIN_MFA.path(),
        forced: true,
        error,
        next,
    };
    with_cookies(crate::views::render(&view), [cookie])
}

/// The code form, offering the account's methods.
async fn code_page(
    page: &Page,
    view: &PendingView,
    next: String,
    error: Option<String>,
    recovery_open: bool,
) -> Response {
    let app = &page.app;
    let ctx = page.context().await;
    let (chrome, cookie) = chrome(app, &page.caller, &ctx, "Two-step verification");
    let view = SecondFactorPage {
        chrome,
        username: view.username.clone(),
        totp: view.methods.contains(&Method::Totp),
        recovery: view.methods.contains(&Method::RecoveryCode),
        webauthn: view.methods.contains(&Method::WebAuthn) && webauthn::available(&app.config),
        webauthn_origin: webauthn::origin(&app.config).unwrap_or_default(),
        error,
        recovery_open,
        next,
    };
    with_cookies(crate::views::render(&view), [cookie])
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

impl SecondFactorForm {
    /// Whether a recovery code was sent (its part of the page stays open after a refusal).
    fn recovery_open(&self) -> bool {
        let code = self.recovery_code.as_deref();
        code.is_some_and(|c| !c.trim().is_empty())
    }

    /// The proof sent: a security key's answer, else a code or a recovery code.
    fn proof(&self) -> Result<Proof, Error> {
        if let Some(answer) = self.webauthn.as_deref().filter(|w| !w.trim().is_empty()) {
            return Proof::webauthn(answer);
        }
        Proof::from_fields(self.code.as_deref(), self.recovery_code.as_deref())?.ok_or_else(|| {
            Error::invalid("code", "enter the code from your app or a recovery code")
        })
    }
}

/// `POST /login/mfa`: completes the sign-in with the code (or recovery code, or key).
pub async fn verify(
    page: Page,
    _local: LocalLogin,
    headers: HeaderMap,
    Meta(meta): Meta,
    Form(form): Form<SecondFactorForm>,
) -> PageResult {
    let next = safe_next(form.next.as_deref());
    let Some(token) = pending_token(&page.app, &headers) else {
        return Ok(see_other(links::LOGIN.path()));
    };
    let completed = match form.proof() {
        Ok(proof) => pending::complete(&page.app, &token, &proof, &meta).await,
        Err(err) => Err(err),
    };
    match completed {
        Ok(completed) => Ok(signed_in(&page, completed, &next).await),
        Err(err) => {
            let refusal = refused(err, form.recovery_open())?;
            draw(&page, &token, next, Some(refusal), form.recovery_open()).await
        }
    }
}

/// How a refused code is told on the page; other failures are the kit's.
fn refused(err: Error, recovery: bool) -> Result<Refusal, Error> {
    Ok(match err {
        Error::Unauthenticated if recovery => Refusal::new(
            StatusCode::UNAUTHORIZED,
            "That recovery code is not right, or was already used.",
        ),
        Error::Unauthenticated => Refusal::new(
            StatusCode::UNAUTHORIZED,
            "That code is not right. Codes change every 30 seconds and each works once: wait for the next one and try again.",
        ),
        Error::BadRequest { .. } => Refusal::new(
            StatusCode::BAD_REQUEST,
            "Your security key's answer was not accepted. Try again, or use another way below.",
        ),
        Error::Invalid(invalid) => {
            Refusal::new(StatusCode::UNPROCESSABLE_ENTITY, sentence(&invalid.reason))
        }
        Error::RateLimited { retry_after } => Refusal::rate_limited(
            "Too many wrong codes. Wait a few minutes and try again.",
            retry_after,
        ),
        err => return Err(err),
    })
}

/// The answer to a completed sign-in: the session and CSRF cookies, the pending cookie cleared,
/// and either the next page or (after a forced enrolment) the recovery codes shown once.
async fn signed_in(page: &Page, completed: Completed, next: &str) -> Response {
    let app = &page.app;
    let cookies_: Vec<_> = cookies::signed_in(&app.config, &completed.signed_in)
        .into_iter()
        .chain([cookies::clear_mfa_pending(&app.config)])
        .collect();
    let Some(codes) = completed.recovery_codes else {
        let to = if completed.method == Method::RecoveryCode {
            links::SECURITY.with("mfa", "recovery_used")
        } else {
            next.to_owned()
        };
        return with_cookies(see_other(&to), cookies_);
    };
    // The page is drawn for the new session: its CSRF token and navigation.
    let caller = Caller {
        principal: Some(completed.signed_in.principal.clone()),
        session_token: Some(completed.signed_in.token.clone()),
        csrf_cookie: Some(completed.signed_in.csrf_token.clone()),
    };
    let ctx = page.context().await;
    let (chrome, _) = chrome(app, &caller, &ctx, "Recovery codes");
    let view = RecoveryCodesPage {
        chrome,
        heading: "Two-step verification is on".to_owned(),
        message: "You are signed in, and your account now asks for a code from your app after the password.".to_owned(),
        codes: codes.iter().map(|c| c.grouped()).collect(),
        continue_href: next.to_owned(),
    };
    with_cookies(crate::views::render(&view), cookies_)
}
