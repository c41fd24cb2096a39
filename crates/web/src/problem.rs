//! The JSON presenter: `service::Error` → `application/problem+json` (RFC 9457), with the
//! failing field named and the request id attached. Internal causes are logged here, once,
//! and never sent.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use service::Error;

pub const PROBLEM_JSON: &str = "application/problem+json";
const PROBLEM_JSON_UTF8: &str = "application/problem+json; charset=utf-8";

/// The body of every error answer of the API.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// Always `about:blank`: the status says what kind of problem it is.
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub title: String,
    pub status: u16,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The input that was refused (JSON property or form field).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Filled in by the `observe` layer, so support can find the log line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// A machine-readable reason where the status alone is ambiguous (403): `reauth_required`
    /// (confirm the password again with `POST /api/auth/reauth`), `csrf` (missing or invalid
    /// CSRF token: fetch a new one), `cross_site` (sent from another site).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<&'static str>,
}

impl Problem {
    pub fn new(status: StatusCode) -> Self {
        Self {
            kind: "about:blank",
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail: None,
            field: None,
            request_id: None,
            code: None,
        }
    }

    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }

    pub fn field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn code(mut self, code: &'static str) -> Self {
        self.code = Some(code);
        self
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(self)).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(PROBLEM_JSON_UTF8),
        );
        response
    }
}

/// A service error on its way to a JSON client.
#[derive(Debug)]
pub struct ApiError(pub Error);

impl From<Error> for ApiError {
    fn from(err: Error) -> Self {
        Self(err)
    }
}

impl From<domain::Invalid> for ApiError {
    fn from(err: domain::Invalid) -> Self {
        Self(Error::Invalid(err))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (problem, retry_after) = match self.0 {
            Error::NotFound => (Problem::new(StatusCode::NOT_FOUND), None),
            Error::Unauthenticated => (
                Problem::new(StatusCode::UNAUTHORIZED).detail("Sign in to continue."),
                None,
            ),
            Error::Forbidden => (Problem::new(StatusCode::FORBIDDEN), None),
            Error::ReauthRequired => (
                Problem::new(StatusCode::FORBIDDEN)
                    .detail(
                        "Confirm your password (and second factor) again to do this: \
                         POST /api/auth/reauth, then retry within 5 minutes.",
                    )
                    .code("reauth_required"),
                None,
            ),
            Error::Invalid(invalid) => (
                Problem::new(StatusCode::UNPROCESSABLE_ENTITY)
                    .detail(format!("{}: {}", invalid.field, invalid.reason))
                    .field(invalid.field),
                None,
            ),
            Error::BadRequest { field, message } => (
                Problem::new(StatusCode::BAD_REQUEST)
                    .detail(message)
                    .field(field),
                None,
            ),
            Error::Conflict { field, message } => (
                Problem::new(StatusCode::CONFLICT)
                    .detail(message)
                    .field(field),
                None,
            ),
            Error::RateLimited { retry_after } => (
                Problem::new(StatusCode::TOO_MANY_REQUESTS)
                    .detail("Too many attempts; wait and try again."),
                Some(retry_after),
            ),
            Error::Unavailable { retry_after } => (
                Problem::new(StatusCode::SERVICE_UNAVAILABLE).detail("Busy; try again shortly."),
                Some(retry_after),
            ),
            Error::Internal(cause) => {
                tracing::error!(cause = %cause, "internal error");
                (Problem::new(StatusCode::INTERNAL_SERVER_ERROR), None)
            }
        };
        let mut response = problem.into_response();
        if let Some(after) = retry_after {
            let secs = after.as_secs().max(1);
            if let Ok(value) = HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}

/// Result type of JSON handlers.
pub type ApiResult<T> = Result<T, ApiError>;
