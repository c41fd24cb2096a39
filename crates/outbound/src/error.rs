//! The one error type of outbound requests. Its `Display` names the host at most: never a
//! query string, a path, a header or a body, so it is safe to log and to show an admin.

use std::net::IpAddr;

use http::StatusCode;

use crate::addr::AddressClass;

/// Why a destination was refused before any connection was made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Refusal {
    /// Only `https` (and `http` for hosts the admin named) may be used.
    #[error("the scheme `{scheme}` is not allowed (https only)")]
    Scheme { scheme: String },
    /// `http://` to a host that is not on the plain-HTTP allow-list.
    #[error("plain http to {host} is not allowed (https only unless the admin allows the host)")]
    PlainHttp { host: String },
    /// `user:password@` in the URL: credentials travel as headers, never in URLs.
    #[error("credentials in the URL are not allowed")]
    Credentials,
    /// A URL without a host (`https:///x`, `data:`…).
    #[error("the URL has no host")]
    NoHost,
    /// The destination (an IP literal, or every address a name resolved to) is not a public
    /// unicast address and is not allow-listed.
    #[error("{} is {class} and not on the allow-list", destination(host, ip))]
    Address {
        host: String,
        ip: IpAddr,
        class: AddressClass,
    },
    /// A redirect to another scheme, host or port: never followed.
    #[error("a redirect from {from} to another host is not followed")]
    RedirectToOtherHost { from: String },
}

/// `127.0.0.1`, or `idp.example (10.0.0.5)` for a name.
fn destination(host: &str, ip: &IpAddr) -> String {
    if host.parse::<IpAddr>().is_ok() {
        ip.to_string()
    } else {
        format!("{host} ({ip})")
    }
}

/// Everything that can go wrong with an outbound request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum OutboundError {
    /// The policy refused the destination; nothing was sent.
    #[error("outbound request refused: {reason}")]
    Refused { reason: Refusal },
    /// The URL does not parse.
    #[error("the URL is not valid")]
    InvalidUrl,
    /// The host name did not resolve.
    #[error("{host} did not resolve")]
    Dns { host: String },
    /// Connecting, or the whole exchange, took longer than the policy allows.
    #[error("{host} did not answer in time")]
    Timeout { host: String },
    /// The response body is larger than the policy allows.
    #[error("the response from {host} is larger than {limit} bytes")]
    TooLarge { host: String, limit: u64 },
    /// The TLS handshake failed: unknown issuer (a self-signed certificate without its CA
    /// configured), wrong name, expired, protocol error.
    #[error("TLS with {host} failed: {reason}")]
    Tls { host: String, reason: String },
    /// The server answered with a status the caller does not accept (`get_json`: not 2xx).
    #[error("{host} answered {status}")]
    Status { host: String, status: StatusCode },
    /// Connecting or transferring failed (refused, reset, closed early, HTTP protocol error).
    #[error("the connection to {host} failed: {reason}")]
    Io { host: String, reason: String },
    /// The body is not what the caller expected (`get_json`: not that JSON).
    #[error("the response from {host} is not valid: {reason}")]
    Decode { host: String, reason: String },
    /// The policy or the client could not be built (bad CA file, bad allow-list entry).
    #[error("outbound configuration: {reason}")]
    Config { reason: String },
}

impl OutboundError {
    pub(crate) fn refused(reason: Refusal) -> Self {
        Self::Refused { reason }
    }

    pub(crate) fn config(reason: impl Into<String>) -> Self {
        Self::Config {
            reason: reason.into(),
        }
    }

    /// Whether the policy refused the destination (the web layer answers 422).
    pub fn is_refused(&self) -> bool {
        matches!(self, Self::Refused { .. })
    }

    /// Whether a timeout ended the request.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Self::Timeout { .. })
    }
}

/// Maps a reqwest error to ours without ever printing reqwest's own message (it contains the
/// full URL, query string included).
pub(crate) fn from_reqwest(host: &str, err: &reqwest::Error) -> OutboundError {
    use std::error::Error as _;

    let host = host.to_owned();
    let mut found = Found::default();
    if let Some(source) = err.source() {
        found.walk(source, 0);
    }
    if let Some(ours) = found.ours {
        return ours;
    }
    if let Some(reason) = found.tls {
        return OutboundError::Tls { host, reason };
    }
    if found.timed_out || err.is_timeout() {
        return OutboundError::Timeout { host };
    }
    let reason = found.io.unwrap_or_else(|| {
        if err.is_connect() {
            "could not connect".to_owned()
        } else if err.is_body() || err.is_decode() {
            "the response body broke off".to_owned()
        } else {
            "the HTTP exchange failed".to_owned()
        }
    });
    OutboundError::Io { host, reason }
}

/// What the cause chain of a reqwest error holds: our resolver's refusal, a rustls error, an
/// io error. io errors wrap others (`io::Error::source` skips the wrapped error itself), so
/// the walk looks inside them too.
#[derive(Default)]
struct Found {
    ours: Option<OutboundError>,
    tls: Option<String>,
    io: Option<String>,
    timed_out: bool,
}

impl Found {
    fn walk(&mut self, cause: &(dyn std::error::Error + 'static), depth: usize) {
        if depth > 16 || self.ours.is_some() {
            return;
        }
        if let Some(ours) = cause.downcast_ref::<OutboundError>() {
            self.ours = Some(ours.clone());
            return;
        }
        if let Some(tls) = cause.downcast_ref::<rustls::Error>() {
            self.tls.get_or_insert_with(|| tls.to_string());
        }
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::TimedOut {
                self.timed_out = true;
            }
            match io.get_ref() {
                Some(inner) => self.walk(inner, depth + 1),
                None => {
                    // The kind only ("connection refused"): OS messages are not ours to show.
                    self.io.get_or_insert_with(|| io.kind().to_string());
                }
            }
        }
        if let Some(next) = cause.source() {
            self.walk(next, depth + 1);
        }
    }
}
