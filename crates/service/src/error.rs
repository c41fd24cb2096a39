//! The one error vocabulary. Services return [`Error`]; the web layer has two presenters
//! (HTML page or toast, and `application/problem+json`), each mapping a variant to one status:
//!
//! | variant | status |
//! |---|---|
//! | `NotFound` | 404 (another user's row looks the same) |
//! | `Unauthenticated` | 401 |
//! | `Forbidden` | 403 |
//! | `Invalid` | 422, naming the field |
//! | `Conflict` | 409, naming the field |
//! | `RateLimited` | 429 with `Retry-After` |
//! | `Unavailable` | 503 with `Retry-After` (database busy) |
//! | `Internal` | 500 showing only the request id; the cause is logged once |

use std::time::Duration;

use domain::Invalid;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("not found")]
    NotFound,
    #[error("sign in required")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    #[error("{0}")]
    Invalid(#[from] Invalid),
    #[error("{field}: {message}")]
    Conflict { field: String, message: String },
    #[error("too many requests")]
    RateLimited { retry_after: Duration },
    #[error("temporarily unavailable")]
    Unavailable { retry_after: Duration },
    /// Something broke that the user cannot fix. The message is for the log only.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    pub fn invalid(field: &str, reason: impl Into<String>) -> Self {
        Error::Invalid(Invalid::new(field, reason))
    }

    pub fn internal(cause: impl std::fmt::Display) -> Self {
        Error::Internal(cause.to_string())
    }
}

impl From<store::Error> for Error {
    fn from(err: store::Error) -> Self {
        match err {
            store::Error::NotFound => Error::NotFound,
            store::Error::Conflict { field } => Error::Conflict {
                message: format!("this {field} is already taken"),
                field,
            },
            store::Error::Stale => Error::Conflict {
                field: "version".into(),
                message: "changed elsewhere since you opened it; reload and try again".into(),
            },
            store::Error::Busy(_) => Error::Unavailable {
                retry_after: Duration::from_secs(1),
            },
            other => Error::Internal(other.to_string()),
        }
    }
}
