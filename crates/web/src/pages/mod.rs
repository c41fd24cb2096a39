//! The HTML pages: one module per area, each adding its routes to the table with `routes`.
//! Handlers extract, make one service call, and render a `…Page` or redirect (303 after every
//! successful POST). This module holds what every page handler shares: the page context, the
//! signed-in extractor, the layout chrome, safe redirects and error pages.
//!
//! - [`account`] — sign-in, sign-out, first-run setup.
//! - [`external`] — sign-in through an OIDC provider or GitHub (the browser flow).
//! - [`security`] — sessions, sign-in history, password change; in its folder the two-step
//!   verification actions (`security::two_step`) and security keys and passkeys, with
//!   passwordless sign-in (`security::webauthn`).
//! - [`reauth`] — step-up re-authentication before security-sensitive actions.
//! - [`second_factor`] — the second step of signing in (code, recovery code, forced enrolment).
//! - [`refusal`] — a refused sign-in or security form told on its own page (status, words,
//!   `Retry-After`), and a step-up that returns to its form.
//! - [`occurrence`] — one occurrence's month state (actual amount, note, snooze) from the
//!   tracker.
//! - [`tracker`] — the home page: one month of bills, pay / undo / skip / pay all.
//! - [`cash`] — a month's starting cash and income per pay period and the recurring income;
//!   the tracker's safe-to-spend card.
//! - [`expenses`] — one-off expenses: list, filters, add / edit, delete, bulk delete + undo.
//! - [`analytics`] — one year as charts and tables: per month, expected vs paid, categories, days.
//! - [`budgets`] — budgets per category: spent, remaining, state; create, change, delete.
//! - [`bills`] — the bills list, add / edit, one bill with its payments and occurrences.
//! - [`rules`] — per-bill merchant rules: the bill page's section, add / preview / edit /
//!   delete / apply to past transactions.
//! - [`categories`] — categories with bill counts: create, edit, delete, restore.
//! - [`bank_sync`] — bank sync: connect a SimpleFIN Bridge, connections with health, accounts.
//! - [`profile`] — display name and tracking preferences.
//! - [`bill_currency`] — bills in another currency than the default: the offer to move them.
//! - [`admin`] — administration (`admin/`): accounts list, create, sign everyone out; one
//!   account (`admin::users`), the audit log (`admin::audit`), the sign-in methods
//!   (`admin::sign_in`); the [`admin::AdminPage`] extractor.
//! - [`kit`] — the page kit: the [`kit::Page`] extractor, [`kit::PageError`] and the one HTML
//!   presenter of every browser route's errors.
//! - [`href`] — addresses: query values, a parameter added, the step-up page's address.
//! - [`htmx`] — whether a request wants a partial (an htmx element's own request) or the page.
//! - [`common`] — form plumbing shared by the data pages (data-owner extractor, banners,
//!   status badges).

pub mod account;
pub mod admin;
pub mod analytics;
pub mod bank_sync;
pub mod bill_currency;
pub mod bills;
pub mod budgets;
pub mod cash;
pub mod categories;
pub mod common;
pub mod expenses;
pub mod external;
pub mod forms;
pub mod href;
pub mod htmx;
pub mod import_presets;
pub mod imports;
pub mod kit;
pub mod occurrence;
pub mod profile;
pub mod reauth;
pub mod refusal;
pub mod rules;
pub mod second_factor;
pub mod security;
pub mod tracker;
pub mod transaction;
pub mod transactions;
pub mod welcome;

use axum::http::{HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use service::App;
use service::auth::{Principal, SignedIn};

use crate::auth::Caller;
use crate::links;
use crate::views::{Chrome, NavUser};
use crate::{AppState, cookies};

pub use crate::session_cookies::csrf_for;

/// Per-request page context.
pub struct PageContext {
    pub nonce: String,
    pub request_id: Option<String>,
    /// The signed-in user's saved theme (`system`, `light`, `dark`); `system` otherwise.
    pub theme: String,
    /// The signed-in user's locale and time zone (en-US and UTC otherwise): every amount and
    /// date on the page is written through it.
    pub locale: crate::locale::Locale,
}

impl PageContext {
    /// The context for `caller`: the signed-in user's display preferences (one read), else the
    /// defaults.
    pub async fn load(app: &App, caller: &Caller, nonce: &str, request_id: Option<String>) -> Self {
        let display = match &caller.principal {
            Some(p) => service::preferences::display_of(app, p).await,
            None => service::preferences::Display::default(),
        };
        PageContext {
            nonce: nonce.to_owned(),
            request_id,
            locale: crate::locale::Locale::new(&display.locale, display.time_zone),
            theme: display.theme,
        }
    }
}

impl axum::extract::FromRequestParts<AppState> for PageContext {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Ok(page) = kit::Page::from_request_parts(parts, state).await;
        Ok(page.context().await)
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
        holds_data: p.require_data_access().is_ok(),
    });
    (
        Chrome {
            title: title.to_owned(),
            nonce: ctx.nonce.clone(),
            csrf_token,
            user,
            flash: None,
            theme: ctx.theme.clone(),
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
        _ => links::TRACKER.path().to_owned(),
    }
}

fn to_login(uri: &Uri) -> Response {
    let next = uri
        .path_and_query()
        .map_or(links::TRACKER.path(), |p| p.as_str());
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
    Redirect::to(&format!("{}?next={encoded}", links::LOGIN)).into_response()
}

/// A 303 redirect (after a form post).
pub(crate) fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}

/// A 303 redirect to `to` whose page shows the banner `code` (`?notice=code`).
pub(crate) fn with_notice(to: &str, code: &str) -> Response {
    see_other(&links::with_param(to, "notice", code))
}

pub(crate) fn signed_in_redirect(app: &App, signed_in: &SignedIn, to: &str) -> Response {
    with_cookies(see_other(to), cookies::signed_in(&app.config, signed_in))
}

/// Any address no route answers. A browser asking for a page (`Accept: text/html`, outside
/// `/api/` and `/static/`) gets the styled 404 page, signed in or not; scripts and API clients
/// get the plain 404 that becomes problem details like every other API error.
pub(crate) async fn not_found(uri: Uri, headers: axum::http::HeaderMap) -> Response {
    let path = uri.path();
    let accept = headers.get(axum::http::header::ACCEPT);
    let wants_page = accept
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    let mut answer = kit::PageError::from(service::Error::NotFound)
        .missing_page(NO_PAGE)
        .into_response();
    if !wants_page || path == "/api" || path.starts_with("/api/") || path.starts_with("/static/") {
        answer = StatusCode::NOT_FOUND.into_response();
        answer.extensions_mut().insert(kit::Unrouted);
    }
    answer
}

/// The 404 page's words for an address no route answers.
const NO_PAGE: &str =
    "There is no page at this address. Check it for a typing mistake, or use the menu.";

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
