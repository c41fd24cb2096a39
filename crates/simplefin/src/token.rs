//! The two secrets of the protocol: the [`SetupToken`] a person pastes (the Base64 of a
//! one-time claim URL) and the [`AccessUrl`] the claim returns (`https://user:pass@host/path`,
//! the standing credential).
//!
//! Both are capabilities, so neither prints itself: `Debug` and `Display` show the scheme and
//! host only. The access URL's text is reachable through [`AccessUrl::expose_secret`] alone,
//! for encrypting it at rest; [`AccessUrl::parse`] reads it back. Parse errors are
//! [`domain::Invalid`] naming the field (`setup_token`, `access_url`) and never quote the
//! input.

use std::fmt;

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use domain::Invalid;
use url::Url;

/// The field name of setup-token errors.
pub const SETUP_TOKEN_FIELD: &str = "setup_token";
/// The field name of access-URL errors.
pub const ACCESS_URL_FIELD: &str = "access_url";

/// The longest setup token accepted (Base64 characters, white space excluded).
pub const MAX_TOKEN_CHARS: usize = 4096;
/// The longest claim or access URL accepted.
const MAX_URL_CHARS: usize = 2048;

/// A pasted setup token, decoded to its claim URL. Send it only through
/// [`crate::claim`], which uses the guarded outbound client: the URL is user input.
#[derive(Clone, PartialEq, Eq)]
pub struct SetupToken {
    claim_url: Url,
}

impl SetupToken {
    /// Reads a pasted token: white space anywhere is ignored (pastes wrap), standard or
    /// URL-safe Base64, padding optional; it must decode to an `http(s)` URL with a host and
    /// without credentials.
    pub fn parse(text: &str) -> Result<Self, Invalid> {
        let invalid = |reason: &str| Invalid::new(SETUP_TOKEN_FIELD, reason);
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        if compact.is_empty() {
            return Err(invalid(
                "is empty: paste the setup token from your SimpleFIN Bridge",
            ));
        }
        if compact.chars().count() > MAX_TOKEN_CHARS {
            return Err(invalid("is too long to be a setup token"));
        }
        if compact.starts_with("http://") || compact.starts_with("https://") {
            return Err(invalid(
                "is a web address, not a setup token: paste the setup token your SimpleFIN \
                 Bridge shows (a long run of letters and digits)",
            ));
        }
        let normalised: String = compact
            .trim_end_matches('=')
            .chars()
            .map(|c| match c {
                '-' => '+',
                '_' => '/',
                other => other,
            })
            .collect();
        let engine = GeneralPurpose::new(
            &alphabet::STANDARD,
            GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::RequireNone),
        );
        let bytes = engine
            .decode(normalised.as_bytes())
            .map_err(|_| invalid("is not Base64: paste the setup token exactly as shown"))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| invalid("does not decode to a claim URL (not text)"))?;
        let text = text.trim();
        let url =
            Url::parse(text).map_err(|_| invalid("does not decode to a claim URL (not a URL)"))?;
        check_http_url(&url, text, SETUP_TOKEN_FIELD, "claim URL")?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(invalid(
                "holds a claim URL with credentials, which is not allowed",
            ));
        }
        Ok(Self { claim_url: url })
    }

    /// The claim URL (a one-time secret: do not log it).
    pub fn claim_url(&self) -> &Url {
        &self.claim_url
    }
}

impl fmt::Debug for SetupToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SetupToken({})", Redacted(&self.claim_url))
    }
}

/// An access URL: where the account sets are and the Basic credentials to get them.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessUrl {
    /// The URL as parsed (credentials included): what is stored, encrypted.
    full: String,
    /// The URL without credentials.
    base: Url,
    username: String,
    password: String,
}

impl AccessUrl {
    /// Reads an access URL (a claim answer, or the stored text): `http(s)`, a host, a user
    /// name and a password (percent-decoded for Basic auth), no query or fragment. Whether
    /// plain `http` may be used is the outbound policy's decision.
    pub fn parse(text: &str) -> Result<Self, Invalid> {
        let invalid = |reason: &str| Invalid::new(ACCESS_URL_FIELD, reason);
        let text = text.trim();
        let url = Url::parse(text).map_err(|_| invalid("is not a URL"))?;
        check_http_url(&url, text, ACCESS_URL_FIELD, "access URL")?;
        if url.query().is_some() || url.fragment().is_some() {
            return Err(invalid("must not have a query or fragment"));
        }
        let username = percent_decode(url.username())
            .ok_or_else(|| invalid("has a user name that is not UTF-8"))?;
        let password = url
            .password()
            .map_or(Some(String::new()), percent_decode)
            .ok_or_else(|| invalid("has a password that is not UTF-8"))?;
        if username.is_empty() || password.is_empty() {
            return Err(invalid(
                "must carry a user name and a password (user:password@host)",
            ));
        }
        let mut base = url.clone();
        // Cannot fail for an http(s) URL with a host (checked above).
        let _ = base.set_username("");
        let _ = base.set_password(None);
        Ok(Self {
            full: url.to_string(),
            base,
            username,
            password,
        })
    }

    /// The full URL, credentials included: only for encrypting it at rest. Never log it, show
    /// it, or put it in an error or an audit entry.
    pub fn expose_secret(&self) -> &str {
        &self.full
    }

    /// The URL without credentials (where requests go).
    pub(crate) fn base(&self) -> &Url {
        &self.base
    }

    /// The Basic credentials, percent-decoded.
    pub(crate) fn credentials(&self) -> (&str, &str) {
        (&self.username, &self.password)
    }

    /// The Bridge's host, safe to show ("bridge.simplefin.org").
    pub fn host(&self) -> &str {
        self.base.host_str().unwrap_or_default()
    }
}

impl fmt::Debug for AccessUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AccessUrl({})", Redacted(&self.base))
    }
}

impl fmt::Display for AccessUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Redacted(&self.base).fmt(f)
    }
}

/// `https://[redacted]@host:port`: the origin only (a path can be a capability too).
struct Redacted<'a>(&'a Url);

impl fmt::Display for Redacted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = self.0;
        write!(
            f,
            "{}://[redacted]@{}",
            url.scheme(),
            url.host_str().unwrap_or_default()
        )?;
        match url.port() {
            Some(port) => write!(f, ":{port}"),
            None => Ok(()),
        }
    }
}

/// `http`/`https`, a host, a sane length.
fn check_http_url(url: &Url, text: &str, field: &str, what: &str) -> Result<(), Invalid> {
    if !matches!(url.scheme(), "http" | "https") {
        return Err(Invalid::new(
            field,
            format!("holds a {what} that is not http(s)"),
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(Invalid::new(
            field,
            format!("holds a {what} without a host"),
        ));
    }
    if text.chars().count() > MAX_URL_CHARS {
        return Err(Invalid::new(
            field,
            format!("holds a {what} that is too long"),
        ));
    }
    Ok(())
}

/// `%41` → `A`; `None` when the bytes are not UTF-8.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied().and_then(hex),
            bytes.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(hi), Some(lo)) => {
                out.push(u8::try_from(hi * 16 + lo).unwrap_or_default());
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests;
