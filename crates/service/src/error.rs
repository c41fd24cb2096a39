//! The one error vocabulary. Services return [`Error`]; the web layer has two presenters
//! (HTML page or toast, and `application/problem+json`), each mapping a variant to one status:
//!
//! | variant | status |
//! |---|---|
//! | `NotFound` | 404 (another user's row looks the same) |
//! | `Unauthenticated` | 401 |
//! | `Forbidden` | 403 |
//! | `ReauthRequired` | 403 with `code: reauth_required`: confirm the password (and second factor) again |
//! | `Invalid` | 422, naming the field |
//! | `BadRequest` | 400, naming the field: a proof that does not verify (a WebAuthn answer for another origin or relying party, a used or expired challenge, a bad signature) |
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
    /// A security-sensitive action needs a recent step-up re-authentication
    /// ([`crate::auth::reauth`]): the session's last proof of the password is too old.
    #[error("re-authentication required")]
    ReauthRequired,
    #[error("{0}")]
    Invalid(#[from] Invalid),
    /// The request is well-formed but what it proves does not hold: a WebAuthn ceremony's
    /// answer that fails verification (wrong origin or relying party, a challenge that was
    /// never issued, already used or expired, a bad signature). The message is for people.
    #[error("{field}: {message}")]
    BadRequest { field: String, message: String },
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

/// The rule of the API's single-item reads: a soft-deleted item is `NotFound`, like in the
/// lists, unless the caller asks for deleted ones too (`include_deleted=true`).
pub fn unless_deleted<T>(item: T, deleted: bool, include_deleted: bool) -> Result<T> {
    if deleted && !include_deleted {
        Err(Error::NotFound)
    } else {
        Ok(item)
    }
}
