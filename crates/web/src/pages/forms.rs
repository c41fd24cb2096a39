//! Form plumbing the page areas share, beside [`super::common`]: the small posted forms (only
//! the CSRF token; an undo token and where to return), the banner query and reading one query
//! parameter, an id that does not parse answering like a missing record, checkboxes, the
//! version of an optimistic edit, where a form may send the browser back to and the error banners
//! whose words are the same on every page.
//!
//! Banners stay fixed messages chosen by code: nothing here puts typed input into a banner.

use std::str::FromStr;

use serde::Deserialize;
use service::Error;

use super::common::message;
use super::safe_next;

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

/// An id from a form or query; one that does not parse is not found, like a missing one.
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
