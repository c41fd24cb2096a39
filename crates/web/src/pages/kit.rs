//! The page kit: what every page handler is written with, so a handler is as short as a JSON
//! one.
//!
//! - [`Page`] / [`DataPage`] — one extractor for the app, the caller and the request's nonce
//!   and id (the user's theme and locale are read only when a page is drawn:
//!   [`Page::context`]); [`DataPage`] adds the signed-in user who may hold data.
//! - [`PageError`] and [`PageResult`] — a handler returns `Result<Response, PageError>` and
//!   uses `?` on service calls; [`Fail`] says where a failed form goes back to
//!   ([`Fail::back_to`]) and the words for a missing record ([`Fail::missing`]).
//! - [`present`] — the one HTML presenter. Every error answer of a browser route (a
//!   [`PageError`], a refused form body, an id that does not parse, a CSRF refusal, a rate
//!   limit) becomes the styled error page with the request id; a browser route never answers
//!   with problem+json.
//!
//! ```ignore
//! /// `POST /categories/{id}/delete`: soft delete; the banner offers Restore.
//! pub async fn delete(page: DataPage, PathId(id): PathId<CategoryId>, _: Form<CsrfForm>) -> PageResult {
//!     categories::delete(&page.app, &page.user, id).await.missing(NOT_FOUND)?;
//!     Ok(see_other(&links::CATEGORIES.with2(("notice", "deleted"), ("undo", &id.to_string()))))
//! }
//! ```

use std::ops::Deref;

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use service::auth::Principal;
use service::preferences::data_owner;
use service::{App, Error};

use super::href::{reauth_href, with_param};
use super::{PageContext, PageUser, chrome, see_other, with_cookies};
use crate::AppState;
use crate::auth::Caller;
use crate::links;
use crate::observe::{CspNonce, RequestId};
use crate::views::{self, ErrorPage};

/// What a page handler answers: a page or a redirect, or a failure the presenter draws.
pub type PageResult = Result<Response, PageError>;

/// The words of the bootstrap administrator's 403 page.
const FORBIDDEN: &str = "This account administers the server and holds no bills. To track bills, create your own account under Admin (role User), then sign out and sign in with it.";

/// Everything a page handler works with: the app, the caller, and this request's CSP nonce
/// and id. Extracting it reads nothing from the database.
pub struct Page {
    pub app: App,
    pub caller: Caller,
    nonce: String,
    request_id: Option<String>,
}

impl FromRequestParts<AppState> for Page {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Page {
            app: state.app.clone(),
            caller: parts
                .extensions
                .get::<Caller>()
                .cloned()
                .unwrap_or_default(),
            nonce: parts
                .extensions
                .get::<CspNonce>()
                .map(|n| n.0.clone())
                .unwrap_or_default(),
            request_id: parts.extensions.get::<RequestId>().map(|r| r.0.clone()),
        })
    }
}

impl Page {
    /// The context a page is drawn with: nonce, request id, and the signed-in user's theme,
    /// locale and time zone (read here, once per drawn page).
    pub async fn context(&self) -> PageContext {
        PageContext::load(
            &self.app,
            &self.caller,
            &self.nonce,
            self.request_id.clone(),
        )
        .await
    }
}

/// A [`Page`] for a signed-in user who may hold data. Anyone else is sent to sign in; the
/// bootstrap administrator gets the 403 page (and `GET /` sends them to the admin area),
/// before any form body is read.
pub struct DataPage {
    pub page: Page,
    pub user: Principal,
}

impl Deref for DataPage {
    type Target = Page;
    fn deref(&self) -> &Page {
        &self.page
    }
}

impl FromRequestParts<AppState> for DataPage {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let PageUser(user) = PageUser::from_request_parts(parts, state).await?;
        if data_owner(&user).is_err() {
            // The setup administrator's home is the admin area, not a 403.
            if parts.method == axum::http::Method::GET && parts.uri.path() == links::TRACKER.path()
            {
                return Err(see_other(links::ADMIN.path()));
            }
            return Err(PageError::from(Error::Forbidden).into_response());
        }
        let Ok(page) = Page::from_request_parts(parts, state).await;
        Ok(DataPage { page, user })
    }
}

/// A failed page request: the service's error, where a failed form goes back to, and the
/// words for what could not be found or shown. Drawn by [`present`].
#[derive(Debug)]
pub struct PageError {
    error: Error,
    /// The page a failed form returns to with an error banner; `None` draws an error page.
    back: Option<String>,
    /// The 404 page's words for a missing record (a form about one record answers 404, not a
    /// banner, when its record is gone).
    missing: Option<&'static str>,
    /// The heading of the error page ("The tracker could not be shown").
    heading: Option<&'static str>,
}

impl From<Error> for PageError {
    fn from(error: Error) -> Self {
        PageError {
            error,
            back: None,
            missing: None,
            heading: None,
        }
    }
}

impl PageError {
    /// This failure, told as the 404 page with these words when it is `NotFound`.
    pub fn missing_page(self, words: &'static str) -> Self {
        PageError {
            missing: Some(words),
            ..self
        }
    }
}

impl From<domain::Invalid> for PageError {
    fn from(invalid: domain::Invalid) -> Self {
        Error::from(invalid).into()
    }
}

/// How a failure is told: builders on a `Result` whose error becomes a [`PageError`].
pub trait Fail<T> {
    /// A failed form: back to `to` with an error banner (a missing record still answers 404
    /// when [`Fail::missing`] gave words for it).
    fn back_to(self, to: &str) -> Result<T, PageError>;
    /// A record that does not exist, or is someone else's: the 404 page with these words.
    fn missing(self, words: &'static str) -> Result<T, PageError>;
    /// A page that could not be drawn: the error page under this heading.
    fn not_shown(self, heading: &'static str) -> Result<T, PageError>;
}

impl<T, E: Into<PageError>> Fail<T> for Result<T, E> {
    fn back_to(self, to: &str) -> Result<T, PageError> {
        self.map_err(|e| PageError {
            back: Some(to.to_owned()),
            ..e.into()
        })
    }
    fn missing(self, words: &'static str) -> Result<T, PageError> {
        self.map_err(|e| PageError {
            missing: Some(words),
            ..e.into()
        })
    }
    fn not_shown(self, heading: &'static str) -> Result<T, PageError> {
        self.map_err(|e| PageError {
            heading: Some(heading),
            ..e.into()
        })
    }
}

/// An error page still to be drawn (by [`present`], which knows the caller): its status rides
/// on the bare response, the words in this extension.
#[derive(Debug, Clone)]
struct Failure {
    heading: Option<&'static str>,
    message: std::borrow::Cow<'static, str>,
}

/// A bare response with `status` that [`present`] draws as the error page with `message`.
fn failure(
    status: StatusCode,
    heading: Option<&'static str>,
    message: impl Into<std::borrow::Cow<'static, str>>,
) -> Response {
    let mut response = status.into_response();
    response.extensions_mut().insert(Failure {
        heading,
        message: message.into(),
    });
    response
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let PageError {
            error,
            back,
            missing,
            heading,
        } = self;
        match (error, back) {
            (Error::Unauthenticated, _) => see_other(links::LOGIN.path()),
            (Error::ReauthRequired, back) => see_other(&reauth_href(
                back.as_deref().unwrap_or(links::TRACKER.path()),
            )),
            (Error::Forbidden, _) => failure(StatusCode::FORBIDDEN, None, FORBIDDEN),
            (Error::NotFound, back) if missing.is_some() || back.is_none() => failure(
                StatusCode::NOT_FOUND,
                None,
                missing.unwrap_or("That does not exist, or it was deleted."),
            ),
            (error, Some(to)) => {
                let code = banner_code(&error).unwrap_or("failed");
                see_other(&with_param(&to, "error", code))
            }
            (Error::RateLimited { retry_after }, None) => {
                let mut response = failure(
                    StatusCode::TOO_MANY_REQUESTS,
                    heading,
                    "Too many attempts; wait a few minutes and try again.",
                );
                if let Ok(value) = HeaderValue::from_str(&retry_after.as_secs().max(1).to_string())
                {
                    response.headers_mut().insert(header::RETRY_AFTER, value);
                }
                response
            }
            // The page's own words: which field, and why (for example "year: amount is too
            // large" when a year's totals do not fit).
            (Error::Invalid(invalid), None) => failure(
                StatusCode::UNPROCESSABLE_ENTITY,
                heading,
                format!("That request was not valid ({invalid}); go back, check it and try again."),
            ),
            (Error::BadRequest { field, message }, None) => failure(
                StatusCode::UNPROCESSABLE_ENTITY,
                heading,
                format!("That request was not valid ({field}: {message}); go back and try again."),
            ),
            (Error::Conflict { field, message }, None) => failure(
                StatusCode::CONFLICT,
                heading,
                format!("{field}: {message}. Reload the page and try again."),
            ),
            (error, None) => {
                tracing::error!(error = %error, "page failed");
                failure(
                    StatusCode::SERVICE_UNAVAILABLE,
                    heading,
                    "Try again in a moment.",
                )
            }
        }
    }
}

/// The banner code of a failed form's error (a failure of the server is logged here, once), or
/// `None` for the errors [`super::common::failed`] answers with a page or a redirect instead: the bootstrap
/// administrator's 403, signing in, stepping up.
pub fn banner_code(err: &Error) -> Option<&'static str> {
    Some(match err {
        Error::Forbidden | Error::Unauthenticated | Error::ReauthRequired => return None,
        Error::NotFound => "not_found",
        Error::Conflict { .. } => "conflict",
        Error::Invalid(_) | Error::BadRequest { .. } => "invalid",
        Error::RateLimited { .. } => "rate",
        Error::Unavailable { .. } | Error::Internal(_) => {
            tracing::error!(error = %err, "page form failed");
            "failed"
        }
    })
}

/// Whether `path` is a browser route (a page or a form), whose errors are HTML pages; the API,
/// static files and the operations endpoints answer problem details or bare statuses.
fn is_browser_path(path: &str) -> bool {
    // Signing in through a provider is a browser navigation that lives under `/api/auth/`.
    let provider_flow = path.strip_prefix("/api/auth/").is_some_and(|rest| {
        matches!(
            rest.split('/').collect::<Vec<_>>()[..],
            [_, "login" | "callback"]
        )
    });
    provider_flow
        || !(path == "/api"
            || path.starts_with("/api/")
            || path.starts_with("/static/")
            || matches!(path, "/healthz" | "/readyz" | "/metrics" | "/sw.js"))
}

/// The words of an error answer that carried none (a refused form body, an id that does not
/// parse, a CSRF refusal, a method the route lacks…), by status.
fn words_for(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "That does not exist, or it was deleted.",
        StatusCode::FORBIDDEN => {
            "This form has expired or was sent from another site. Go back, reload the page and try again."
        }
        StatusCode::TOO_MANY_REQUESTS => "Too many attempts; wait a few minutes and try again.",
        StatusCode::PAYLOAD_TOO_LARGE => "That was too large to send.",
        s if s.is_server_error() => "Something went wrong on our side; try again in a moment.",
        _ => "That request was not valid; go back, check it and try again.",
    }
}

/// A marker on the fallback's bare 404 for a client that asked for no page: left bare.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Unrouted;

/// The one HTML presenter, a layer around every route: on a browser route, a [`PageError`]'s
/// failure and every other error answer that is not already a page become the error page
/// (with the caller's navigation, the request id, and the headers of the answer, such as
/// `Retry-After`). API answers pass untouched.
pub async fn present(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !is_browser_path(req.uri().path()) {
        return next.run(req).await;
    }
    // An element's own htmx request (a tracker row's form) is answered in place: its error
    // page is not swapped into the row (`HX-Reswap: none`); `app.js` says so in a toast.
    let in_place =
        req.headers().contains_key("hx-request") && !req.headers().contains_key("hx-boosted");
    let nonce = req.extensions().get::<CspNonce>().map(|n| n.0.clone());
    let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
    let response = next.run(req).await;
    let status = response.status();
    let kind = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let is_page = kind.starts_with("text/html");
    let is_problem = kind.starts_with(crate::problem::PROBLEM_JSON);
    let failure = response.extensions().get::<Failure>().cloned();
    if status.as_u16() < 400
        || (is_page && failure.is_none())
        || response.extensions().get::<Unrouted>().is_some()
    {
        return response;
    }
    let caller = response
        .extensions()
        .get::<Caller>()
        .cloned()
        .unwrap_or_default();
    let (parts, body) = response.into_parts();
    let (heading, message) = match failure {
        Some(f) => (f.heading, Some(f.message.into_owned())),
        // A problem's `detail` is written for people (a CSRF or cross-site refusal says which).
        None if is_problem => (None, problem_detail(body).await),
        None => (None, None),
    };
    let message = message.unwrap_or_else(|| words_for(status).to_owned());
    let ctx = PageContext::load(
        &state.app,
        &caller,
        nonce.as_deref().unwrap_or_default(),
        request_id,
    )
    .await;
    let reason = status.canonical_reason().unwrap_or("Error");
    let (chrome, cookie) = chrome(&state.app, &caller, &ctx, reason);
    let page = ErrorPage {
        chrome,
        status: status.as_u16(),
        heading: heading.unwrap_or(reason).to_owned(),
        message,
        request_id: ctx.request_id.clone(),
    };
    let mut drawn = with_cookies(views::render(&page), [cookie]);
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            drawn.headers_mut().append(name, value.clone());
        }
    }
    if in_place {
        drawn
            .headers_mut()
            .insert("hx-reswap", HeaderValue::from_static("none"));
    }
    drawn
}

/// The `detail` of a problem+json body (read up to 16 KiB).
async fn problem_detail(body: axum::body::Body) -> Option<String> {
    let bytes = axum::body::to_bytes(body, 16 * 1024).await.ok()?;
    let problem: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    problem["detail"].as_str().map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_pages_and_forms_are_browser_routes() {
        for page in [
            "/",
            "/bills/x",
            "/login",
            "/api/auth/oidc/callback",
            "/api/auth/github/login",
            "/apiary",
        ] {
            assert!(is_browser_path(page), "{page}");
        }
        for other in [
            "/api",
            "/api/bills",
            "/static/app.js",
            "/healthz",
            "/metrics",
            "/sw.js",
        ] {
            assert!(!is_browser_path(other), "{other}");
        }
    }

    #[test]
    fn a_failed_form_goes_back_with_a_banner_and_a_missing_record_is_404() {
        let back: Result<(), PageError> =
            Err(Error::Invalid(domain::Invalid::new("name", "empty"))).back_to("/categories");
        let response = back.unwrap_err().into_response();
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert_eq!(
            response.headers()[header::LOCATION],
            "/categories?error=invalid"
        );
        let gone: Result<(), PageError> = Err::<(), _>(Error::NotFound)
            .back_to("/categories")
            .missing("That category does not exist.");
        let response = gone.unwrap_err().into_response();
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        assert!(response.extensions().get::<Failure>().is_some());
    }
}
