//! Form plumbing the page areas share, beside [`super::common`]: the small posted forms (only
//! the CSRF token; an undo token and where to return), the banner query and reading one query
//! parameter, an id that does not parse answering like a missing record, checkboxes, the
//! version of an optimistic edit, where a form may send the browser back to, the error banners
//! whose words are the same on every page, the redirect after a form, and the page shown when
//! a page could not be loaded.
//!
//! Banners stay fixed messages chosen by code: nothing here puts typed input into a banner.

use std::str::FromStr;

use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use service::{App, Error};

use super::common::{failed, forbidden, message, with_cookie, with_param};
use super::{PageContext, chrome, safe_next, see_other};
use crate::auth::Caller;
use crate::views::{self, ErrorPage};

/// A form with only the CSRF token (a one-button action).
#[derive(Deserialize)]
pub struct CsrfForm {
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

/// A form that undoes a bulk action by its token, then returns to `return_to`.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct UndoForm {
    pub undo_token: String,
    pub return_to: Option<String>,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

/// The banner codes a redirect after a form adds to a page's URL.
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct BannerQuery {
    pub notice: Option<String>,
    pub error: Option<String>,
}

/// The value of query parameter `name` (the first one), as sent.
pub fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// An id from the path or a form; one that does not parse is not found, like a missing one.
pub fn parse_id<T: FromStr>(raw: &str) -> Result<T, Error> {
    raw.parse().map_err(|_| Error::NotFound)
}

/// Whether a checkbox was ticked: `true`, the value the templates give their checkboxes, or
/// `on`, a browser's default.
pub fn checked(raw: &str) -> bool {
    matches!(raw.trim(), "true" | "on")
}

/// The version an edit is based on. One that is not a number can never match, so the edit
/// answers as changed elsewhere, like a stale one.
pub fn version(raw: &str) -> i64 {
    raw.trim().parse().unwrap_or(-1)
}

/// Where a form of the list at `list` returns to: a URL of that list from the form (through
/// [`safe_next`]), else the list itself.
pub fn back_to(list: &str, raw: Option<&str>) -> String {
    let to = safe_next(raw);
    let of_list = to
        .strip_prefix(list)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('?'));
    if of_list { to } else { list.to_owned() }
}

/// The error banners of [`failed`]'s codes whose words are the same on every page.
const ERRORS: [(&str, &str); 3] = [
    (
        "invalid",
        "That request was not valid; reload the page and try again.",
    ),
    (
        "rate",
        "Too many attempts; wait a few minutes and try again.",
    ),
    ("failed", "Something went wrong; try again."),
];

/// The error banner for `code`: the page's own words from `page`, else the shared ones.
pub fn error_message(page: &[(&str, &'static str)], code: Option<&str>) -> Option<String> {
    message(page, code).or_else(|| message(&ERRORS, code))
}

/// The redirect after a form: back to `to` with the banner `notice` when `result` succeeded,
/// else [`failed`]'s answer.
pub fn done<T>(
    app: &App,
    caller: &Caller,
    ctx: &PageContext,
    result: Result<T, Error>,
    to: &str,
    notice: &str,
) -> Response {
    match result {
        Ok(_) => see_other(&with_param(to, "notice", notice)),
        Err(err) => failed(app, caller, ctx, to, err),
    }
}

/// The 404 page of an area, for a record that is missing or someone else's.
pub type NotFoundPage = fn(&App, &Caller, &PageContext) -> Response;

/// [`failed`] for a form about one record: a missing one is the area's 404 page instead of a
/// banner.
pub fn failed_or_404(
    app: &App,
    caller: &Caller,
    ctx: &PageContext,
    to: &str,
    err: Error,
    not_found: NotFoundPage,
) -> Response {
    match err {
        Error::NotFound => not_found(app, caller, ctx),
        err => failed(app, caller, ctx, to, err),
    }
}

/// What a page that could not be loaded says.
pub struct NotShown<'a> {
    /// The page's title (`Tracker`); lowercased, it names the page in the log.
    pub title: &'a str,
    /// "The tracker could not be shown".
    pub heading: &'a str,
    /// The words for a request the service refused as invalid (422, nothing logged); `None`
    /// treats it like any other failure.
    pub invalid: Option<&'a str>,
}

/// The page for a page that could not be loaded: the 403 page for the bootstrap
/// administrator, 422 for an invalid request when the page has words for it, else 503 with
/// the cause logged once (never shown).
pub fn not_shown(
    app: &App,
    caller: &Caller,
    ctx: &PageContext,
    err: Error,
    page: &NotShown<'_>,
) -> Response {
    let (status, message) = match (err, page.invalid) {
        (Error::Forbidden, _) => return forbidden(app, caller, ctx),
        (Error::Invalid(_), Some(words)) => (StatusCode::UNPROCESSABLE_ENTITY, words),
        (err, _) => {
            tracing::error!(error = %err, "{} page failed", page.title.to_lowercase());
            (StatusCode::SERVICE_UNAVAILABLE, "Try again in a moment.")
        }
    };
    let (chrome, cookie) = chrome(app, caller, ctx, page.title);
    let error_page = ErrorPage {
        chrome,
        status: status.as_u16(),
        heading: page.heading.to_owned(),
        message: message.to_owned(),
        request_id: ctx.request_id.clone(),
    };
    with_cookie(views::render(&error_page), cookie)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_return_only_to_their_list() {
        assert_eq!(back_to("/bills", Some("/bills?q=x")), "/bills?q=x");
        assert_eq!(back_to("/bills", Some("/bills")), "/bills");
        assert_eq!(back_to("/bills", Some("/billsx")), "/bills");
        assert_eq!(back_to("/bills", Some("//evil.test/bills")), "/bills");
        assert_eq!(back_to("/bills", None), "/bills");
    }

    #[test]
    fn a_version_that_is_not_a_number_never_matches() {
        assert_eq!(version(" 3 "), 3);
        assert_eq!(version("three"), -1);
    }

    #[test]
    fn shared_error_banners_come_after_the_pages_own() {
        let page = [("rate", "Slow down.")];
        assert_eq!(
            error_message(&page, Some("rate")).as_deref(),
            Some("Slow down.")
        );
        assert_eq!(
            error_message(&page, Some("failed")).as_deref(),
            Some("Something went wrong; try again.")
        );
        assert_eq!(error_message(&page, Some("<b>")), None);
    }
}
