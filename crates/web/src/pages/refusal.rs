//! A refused attempt told on the sign-in and security pages' own forms, where the kit's
//! banners and error pages do not fit: a wrong password or code redraws the form with the
//! reason, its status (401, 403, 422, 429) and `Retry-After`. Also the error page for a
//! refusal with its own words ([`Refusal::page`]), such as a 403 in single-user mode, which
//! the kit reserves for the bootstrap administrator. And [`StepUp::step_up_to`]: an action
//! refused for a stale step-up returns to its own form (`/profile/security#end-others`) after
//! the step-up, while its other failures are the kit's pages, not banners.
//!
//! Candidates for the page kit: nothing here is specific to signing in.

use std::time::Duration;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;

use service::Error;

use super::kit::{Fail, Page, PageError};
use super::{chrome, with_cookies};
use crate::views::{self, ErrorPage};

/// A refused attempt: its status, the words shown, and the seconds of a `Retry-After`.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub status: StatusCode,
    pub message: String,
    pub retry_after: Option<u64>,
}

impl Refusal {
    /// A refusal with `status` and `message`.
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Refusal {
            status,
            message: message.into(),
            retry_after: None,
        }
    }

    /// Too many attempts (429): `message`, and `Retry-After` (at least a second).
    pub fn rate_limited(message: impl Into<String>, retry_after: Duration) -> Self {
        Refusal {
            retry_after: Some(retry_after.as_secs().max(1)),
            ..Refusal::new(StatusCode::TOO_MANY_REQUESTS, message)
        }
    }

    /// `response` (the form drawn with this refusal's words) with its status and `Retry-After`.
    pub fn apply(&self, mut response: Response) -> Response {
        *response.status_mut() = self.status;
        if let Some(secs) = self.retry_after
            && let Ok(value) = HeaderValue::from_str(&secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        response
    }

    /// `response` with the status and `Retry-After` of `refusal`, if any.
    pub fn applied(refusal: Option<&Refusal>, response: Response) -> Response {
        match refusal {
            Some(refusal) => refusal.apply(response),
            None => response,
        }
    }

    /// The error page with this refusal's status and words (the kit's page, with words the
    /// kit does not have).
    pub async fn page(&self, page: &Page) -> Response {
        let ctx = page.context().await;
        let reason = self.status.canonical_reason().unwrap_or("Error");
        let (chrome, cookie) = chrome(&page.app, &page.caller, &ctx, reason);
        let error = ErrorPage {
            chrome,
            status: self.status.as_u16(),
            heading: reason.to_owned(),
            message: self.message.clone(),
            request_id: ctx.request_id.clone(),
        };
        self.apply(with_cookies(views::render(&error), [cookie]))
    }
}

/// `reason` with its first letter in upper case and a full stop, for a sentence.
pub fn sentence(reason: &str) -> String {
    let mut chars = reason.chars();
    match chars.next() {
        Some(first) => format!("{}.", first.to_uppercase().chain(chars).collect::<String>()),
        None => String::new(),
    }
}

/// Where an action refused for a stale step-up returns to after it.
pub trait StepUp<T> {
    /// A stale step-up: to the step-up page, then back to `back` (a page with the form's
    /// anchor). Every other failure is the kit's page (no banner: `back` may hold an anchor).
    fn step_up_to(self, back: &str) -> Result<T, PageError>;
}

impl<T> StepUp<T> for Result<T, Error> {
    fn step_up_to(self, back: &str) -> Result<T, PageError> {
        match self {
            Err(Error::ReauthRequired) => Err(Error::ReauthRequired).back_to(back),
            other => other.map_err(PageError::from),
        }
    }
}
