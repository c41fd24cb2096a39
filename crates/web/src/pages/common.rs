//! What the data pages share: the [`DataPageUser`] extractor, the banner-code plumbing of
//! form redirects (`?notice=` / `?error=` codes mapped to fixed messages, never reflected
//! input), the failure mapping of a form POST, and the words of statuses and relative dates
//! (amounts and dates are written by [`crate::locale`]).

use axum::extract::FromRequestParts;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use service::auth::Principal;
use service::preferences::data_owner;
use service::{App, Error};

use super::{PageContext, PageUser, chrome, see_other, with_cookies};
use crate::AppState;
use crate::auth::Caller;
use crate::views::{self, ErrorPage};

/// The message for `code` in a table of `(code, message)` pairs.
pub fn message(table: &[(&str, &'static str)], code: Option<&str>) -> Option<String> {
    let code = code?;
    table
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, m)| (*m).to_owned())
}

/// Appends one `Set-Cookie` header (if any) to a response.
pub fn with_cookie(response: Response, cookie: Option<HeaderValue>) -> Response {
    with_cookies(response, [cookie])
}

/// The 403 page for the bootstrap administrator, who holds no data.
pub fn forbidden(app: &App, caller: &Caller, ctx: &PageContext) -> Response {
    let (chrome, cookie) = chrome(app, caller, ctx, "Forbidden");
    let page = ErrorPage {
        chrome,
        status: StatusCode::FORBIDDEN.as_u16(),
        heading: "Forbidden".to_owned(),
        message: "This account administers the server and holds no bills. To track bills, create your own account under Admin (role User), then sign out and sign in with it.".to_owned(),
        request_id: ctx.request_id.clone(),
    };
    with_cookie(views::render(&page), cookie)
}

/// A signed-in caller who may hold data. Anyone else is sent to sign in; the bootstrap
/// administrator gets the 403 page before any form body is read.
pub struct DataPageUser(pub Principal);

impl FromRequestParts<AppState> for DataPageUser {
    type Rejection = Response;
    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let PageUser(user) = PageUser::from_request_parts(parts, state).await?;
        if data_owner(&user).is_ok() {
            return Ok(DataPageUser(user));
        }
        // The setup administrator's home is the admin area, not a 403.
        if parts.method == axum::http::Method::GET && parts.uri.path() == "/" {
            return Err(super::see_other("/admin"));
        }
        let caller = Caller::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let Ok(ctx) = PageContext::from_request_parts(parts, state).await;
        Err(forbidden(&state.app, &caller, &ctx))
    }
}

pub use super::href::{encode_component, with_param};

/// The answer to a failed form: 403 page for the bootstrap administrator, else back with a
/// banner.
pub fn failed(app: &App, caller: &Caller, ctx: &PageContext, to: &str, err: Error) -> Response {
    match err {
        Error::Forbidden => forbidden(app, caller, ctx),
        Error::Unauthenticated => see_other("/login"),
        Error::ReauthRequired => see_other(&super::href::reauth_href(to)),
        err => see_other(&with_param(
            to,
            "error",
            banner_code(&err).unwrap_or("failed"),
        )),
    }
}

pub use super::kit::banner_code;

/// The badge text and class of a status.
pub fn badge(status: &str) -> (&'static str, &'static str) {
    match status {
        "paid" => ("Paid", "badge-paid"),
        "overpaid" => ("Overpaid", "badge-paid"),
        "partial" => ("Partial", "badge-accent"),
        "due_soon" => ("Due soon", "badge-due"),
        "late" => ("Late", "badge-late"),
        "missed" => ("Missed", "badge-failed"),
        "skipped" => ("Skipped", "badge-skipped"),
        _ => ("Upcoming", "badge-neutral"),
    }
}

/// How far `due` is from `today`, in words.
pub fn relative(due: NaiveDate, today: NaiveDate) -> String {
    match (due - today).num_days() {
        0 => "today".to_owned(),
        1 => "tomorrow".to_owned(),
        -1 => "yesterday".to_owned(),
        days if days > 1 => format!("in {days} days"),
        days => format!("{} days ago", -days),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn due_dates_are_told_relative_to_today() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).unwrap_or_default();
        assert_eq!(relative(day(17), day(14)), "in 3 days");
        assert_eq!(relative(day(15), day(14)), "tomorrow");
        assert_eq!(relative(day(14), day(14)), "today");
        assert_eq!(relative(day(13), day(14)), "yesterday");
        assert_eq!(relative(day(10), day(14)), "4 days ago");
    }

    #[test]
    fn params_are_encoded() {
        assert_eq!(with_param("/", "undo", "a b&"), "/?undo=a%20b%26");
        assert_eq!(with_param("/?x=1", "notice", "paid"), "/?x=1&notice=paid");
    }
}
