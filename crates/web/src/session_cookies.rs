//! The cookies a browser's session begins and ends with, as both the pages and the JSON API
//! answer them: the caller's CSRF token (the cookie's while it is valid, else a new one) and
//! signing out (session cookie expired, a fresh anonymous CSRF token, site data cleared).
//!
//! It imports neither `pages` nor `api`, so both can use it without importing each other.

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use service::App;
use service::auth::csrf;

use crate::auth::Caller;
use crate::cookies;

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

/// The answer to signing out (204): the session cookie expired, a new anonymous CSRF token,
/// and `Clear-Site-Data` for the cache and storage.
pub fn signed_out(app: &App) -> Response {
    let config = &app.config;
    let anonymous = csrf::issue(app, &csrf::binding(None));
    let mut response = StatusCode::NO_CONTENT.into_response();
    cookies::append(
        response.headers_mut(),
        [
            cookies::clear_session(config),
            cookies::set_csrf(config, &anonymous),
        ],
    );
    response.headers_mut().insert(
        "clear-site-data",
        HeaderValue::from_static("\"cache\", \"storage\""),
    );
    response
}
