//! The two requests of the protocol, sent through the guarded [`OutboundClient`] (its SSRF
//! rules, timeouts, size cap and redirect policy apply to both): [`claim`] turns a setup token
//! into an access URL, [`fetch`] reads an account set. Failures are an [`Error`] the sync's
//! health can act on; no `Error` text or `Debug` ever holds the access URL, its credentials or
//! the claim URL (only the host can appear, in policy refusals).

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::Utc;
use http::header::{ACCEPT, AUTHORIZATION, CONTENT_LENGTH, HeaderValue, RETRY_AFTER};
use http::{HeaderMap, Method, StatusCode};
use outbound::{OutboundClient, OutboundError};

use crate::model::AccountSet;
use crate::parse;
use crate::query::Query;
use crate::token::{AccessUrl, SetupToken};

/// The longest `Retry-After` honoured.
const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// Why a claim or a fetch failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Claim answered 403: the token is unknown or was already claimed.
    #[error(
        "the setup token is unknown or was already claimed; it may have been used by someone \
         else: create a new setup token at your SimpleFIN Bridge"
    )]
    TokenAlreadyClaimed,
    /// 402: the Bridge subscription needs paying.
    #[error("the SimpleFIN Bridge asks for payment: check your Bridge subscription")]
    PaymentRequired,
    /// 403 on `/accounts`: the access URL was revoked; the person must connect again.
    #[error("access was revoked at the SimpleFIN Bridge: connect again with a new setup token")]
    AccessRevoked,
    /// 429: too many requests; wait `retry_after` when the Bridge said how long.
    #[error("the SimpleFIN Bridge asks to slow down (too many requests)")]
    RateLimited { retry_after: Option<Duration> },
    /// 400 or another 4xx.
    #[error("the SimpleFIN Bridge refused the request (HTTP {status})")]
    BadRequest { status: u16 },
    /// 5xx.
    #[error("the SimpleFIN Bridge failed (HTTP {status}); try again later")]
    ServerError { status: u16 },
    /// 1xx or 3xx (a redirect is never followed across hosts; the policy decides within one).
    #[error("the SimpleFIN Bridge answered with an unexpected status (HTTP {status})")]
    UnexpectedStatus { status: u16 },
    /// The Bridge did not answer within the client's timeout.
    #[error("the SimpleFIN Bridge did not answer in time")]
    Timeout,
    /// The outbound policy refused the destination before connecting (SSRF rules), or a
    /// redirect to another host.
    #[error("{reason}")]
    Refused { reason: String },
    /// The answer is larger than the client's size cap.
    #[error("the SimpleFIN Bridge's answer is larger than allowed")]
    TooLarge,
    /// The answer could not be read (not JSON, not an account set, not an access URL).
    #[error("the SimpleFIN Bridge's answer could not be read: {reason}")]
    BadBody { reason: String },
    /// The URL cannot be sent as a request.
    #[error("the SimpleFIN URL cannot be used")]
    InvalidUrl,
    /// DNS, TLS or the connection failed.
    #[error("the SimpleFIN Bridge could not be reached: {reason}")]
    Network { reason: String },
}

impl Error {
    /// Whether the person must connect again (revoked access).
    pub fn needs_reconnect(&self) -> bool {
        matches!(self, Self::AccessRevoked)
    }

    /// A stable machine code for storing and counting (health, audit, metrics): never holds
    /// a secret or a Bridge text.
    pub fn code(&self) -> &'static str {
        match self {
            Self::TokenAlreadyClaimed => "token_already_claimed",
            Self::PaymentRequired => "payment_required",
            Self::AccessRevoked => "access_revoked",
            Self::RateLimited { .. } => "rate_limited",
            Self::BadRequest { .. } => "bad_request",
            Self::ServerError { .. } => "server_error",
            Self::UnexpectedStatus { .. } => "unexpected_status",
            Self::Timeout => "timeout",
            Self::Refused { .. } => "refused",
            Self::TooLarge => "too_large",
            Self::BadBody { .. } => "bad_body",
            Self::InvalidUrl => "invalid_url",
            Self::Network { .. } => "network",
        }
    }

    /// Whether trying again later may succeed (timeouts, 5xx, 429, network failures).
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            Self::Timeout
                | Self::ServerError { .. }
                | Self::RateLimited { .. }
                | Self::Network { .. }
        )
    }
}

/// Claims a setup token: `POST` with an empty body to its claim URL; the answer is the
/// access URL. One-time: a second claim is [`Error::TokenAlreadyClaimed`].
pub async fn claim(client: &OutboundClient, token: &SetupToken) -> Result<AccessUrl, Error> {
    let request = http::Request::builder()
        .method(Method::POST)
        .uri(token.claim_url().as_str())
        .header(CONTENT_LENGTH, HeaderValue::from_static("0"))
        .body(Vec::new())
        .map_err(|_| Error::InvalidUrl)?;
    let response = client.execute(request).await.map_err(from_outbound)?;
    let status = response.status();
    if status == StatusCode::FORBIDDEN {
        return Err(Error::TokenAlreadyClaimed);
    }
    if !status.is_success() {
        return Err(status_error(status, response.headers()));
    }
    let text = std::str::from_utf8(response.body()).map_err(|_| Error::BadBody {
        reason: "the claim answer is not text".into(),
    })?;
    AccessUrl::parse(text).map_err(|invalid| Error::BadBody {
        // The reason never quotes the input.
        reason: format!(
            "the claim answer is not an access URL: it {}",
            invalid.reason
        ),
    })
}

/// `GET {access URL}/accounts` with the query, the credentials sent as HTTP Basic.
pub async fn fetch(
    client: &OutboundClient,
    access: &AccessUrl,
    query: &Query,
) -> Result<AccountSet, Error> {
    let mut url = access.base().clone();
    url.path_segments_mut()
        .map_err(|_| Error::InvalidUrl)?
        .pop_if_empty()
        .push("accounts");
    {
        let pairs = query.pairs();
        if !pairs.is_empty() {
            url.query_pairs_mut().extend_pairs(pairs);
        }
    }
    let (user, password) = access.credentials();
    let mut authorization = HeaderValue::try_from(format!(
        "Basic {}",
        STANDARD.encode(format!("{user}:{password}"))
    ))
    .map_err(|_| Error::InvalidUrl)?;
    authorization.set_sensitive(true);
    let request = http::Request::builder()
        .method(Method::GET)
        .uri(url.as_str())
        .header(AUTHORIZATION, authorization)
        .header(ACCEPT, HeaderValue::from_static("application/json"))
        .body(Vec::new())
        .map_err(|_| Error::InvalidUrl)?;
    let response = client.execute(request).await.map_err(from_outbound)?;
    let status = response.status();
    if !status.is_success() {
        return Err(status_error(status, response.headers()));
    }
    parse::account_set(response.body()).map_err(|reason| Error::BadBody { reason })
}

/// The error of a status that is not 2xx.
fn status_error(status: StatusCode, headers: &HeaderMap) -> Error {
    let code = status.as_u16();
    match code {
        402 => Error::PaymentRequired,
        403 => Error::AccessRevoked,
        429 => Error::RateLimited {
            retry_after: retry_after(headers),
        },
        400..=499 => Error::BadRequest { status: code },
        500..=599 => Error::ServerError { status: code },
        _ => Error::UnexpectedStatus { status: code },
    }
}

/// `Retry-After` as seconds or an HTTP date, capped at a day; `None` when absent or unreadable.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    let wait = match text.parse::<u64>() {
        Ok(seconds) => Duration::from_secs(seconds),
        Err(_) => {
            let at = chrono::DateTime::parse_from_rfc2822(text).ok()?;
            (at.with_timezone(&Utc) - Utc::now())
                .to_std()
                .unwrap_or(Duration::ZERO)
        }
    };
    Some(wait.min(MAX_RETRY_AFTER))
}

/// Our error for the outbound client's (whose texts name the host at most).
fn from_outbound(err: OutboundError) -> Error {
    if err.is_refused() {
        return Error::Refused {
            reason: err.to_string(),
        };
    }
    if err.is_timeout() {
        return Error::Timeout;
    }
    match err {
        OutboundError::TooLarge { .. } => Error::TooLarge,
        OutboundError::InvalidUrl => Error::InvalidUrl,
        other => Error::Network {
            reason: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn headers(retry: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_str(retry).unwrap());
        headers
    }

    #[test]
    fn statuses_map_to_what_the_sync_health_needs() {
        let none = HeaderMap::new();
        let of = |code: u16| status_error(StatusCode::from_u16(code).unwrap(), &none);
        assert_eq!(of(402), Error::PaymentRequired);
        assert_eq!(of(403), Error::AccessRevoked);
        assert!(of(403).needs_reconnect());
        assert_eq!(of(429), Error::RateLimited { retry_after: None });
        assert_eq!(of(400), Error::BadRequest { status: 400 });
        assert_eq!(of(404), Error::BadRequest { status: 404 });
        assert_eq!(of(500), Error::ServerError { status: 500 });
        assert_eq!(of(503), Error::ServerError { status: 503 });
        assert!(of(503).is_transient() && !of(402).is_transient());
        assert_eq!(of(302), Error::UnexpectedStatus { status: 302 });
        assert_eq!(
            (of(402).code(), of(403).code()),
            ("payment_required", "access_revoked")
        );
    }

    #[test]
    fn retry_after_reads_seconds_and_dates_and_caps_them() {
        let of = |text: &str| status_error(StatusCode::TOO_MANY_REQUESTS, &headers(text));
        assert_eq!(
            of("120"),
            Error::RateLimited {
                retry_after: Some(Duration::from_secs(120))
            }
        );
        assert_eq!(
            of("99999999"),
            Error::RateLimited {
                retry_after: Some(MAX_RETRY_AFTER)
            }
        );
        assert_eq!(of("soon"), Error::RateLimited { retry_after: None });
        assert_eq!(
            of("Wed, 21 Oct 2015 07:28:00 GMT"),
            Error::RateLimited {
                retry_after: Some(Duration::ZERO)
            }
        );
    }
}
