//! An error as an HTML page, for browsers navigating to something that failed (404, 403, 500…).
//! It shows only what it is given: a heading, a message for people and the request id to quote,
//! never an internal cause.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::{Chrome, Page};

/// An error page answered with `status`.
#[derive(Debug, Clone, Template)]
#[template(path = "error_page.html")]
pub struct ErrorPage {
    pub chrome: Chrome,
    /// The HTTP status of the response; an invalid code is sent as 500.
    pub status: u16,
    pub heading: String,
    pub message: String,
    /// The request id, for reporting the problem.
    pub request_id: Option<String>,
}

impl Page for ErrorPage {
    fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl ErrorPage {
    /// The page as an HTML response with its status.
    pub fn render(&self) -> Response {
        super::render(self)
    }
}

impl IntoResponse for ErrorPage {
    fn into_response(self) -> Response {
        self.render()
    }
}
