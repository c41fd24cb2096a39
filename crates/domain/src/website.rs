//! A bill's website: a plain `http`/`https` address, safe to put in a link (security VAL-05).
//!
//! Rules and invariants of [`Website`]:
//! - The scheme is `http://` or `https://` (any case; stored lower-case). Every other scheme,
//!   `javascript:`, `data:`, `vbscript:`, `file:` and relative or scheme-less addresses
//!   included, is refused, so rendering the value as an `href` can never run script.
//! - At most 2048 characters; no whitespace, control characters, quotes, angle brackets,
//!   backslashes or backticks anywhere (they have no place in a URL and are what markup
//!   injection needs).
//! - The host is present and made of letters, digits, `-` and `.` (or a bracketed IPv6
//!   address), with an optional numeric port 1–65535; user names and passwords
//!   (`https://bank.example@evil.example`) are refused because they disguise the real host.

use std::fmt;

use crate::Invalid;

const FIELD: &str = "website";

/// An `http`/`https` address of at most 2048 characters with a plain host.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Website(String);

impl Website {
    /// The longest address accepted, in characters.
    pub const MAX_CHARS: usize = 2048;

    /// Parses the field `website`.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let value = raw.trim();
        if value.is_empty() {
            return Err(Invalid::new(FIELD, "must not be empty"));
        }
        if value.chars().count() > Self::MAX_CHARS {
            return Err(Invalid::new(
                FIELD,
                format!("must be at most {} characters", Self::MAX_CHARS),
            ));
        }
        let (scheme, rest) = split_scheme(value).ok_or_else(|| {
            Invalid::new(
                FIELD,
                "must be a web address starting with http:// or https://",
            )
        })?;
        if value.chars().any(|c| {
            c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>' | '\\' | '`')
        }) {
            return Err(Invalid::new(
                FIELD,
                "must not contain spaces, quotes, angle brackets or backslashes",
            ));
        }
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        if authority.contains('@') {
            return Err(Invalid::new(
                FIELD,
                "must not contain a user name or password",
            ));
        }
        check_authority(authority)?;
        Ok(Self(format!("{scheme}://{rest}")))
    }

    /// The address as stored (scheme in lower case).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Website {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `("https", rest)` for `HTTPS://rest`; `None` for any other scheme.
fn split_scheme(value: &str) -> Option<(&'static str, &str)> {
    ["https", "http"].into_iter().find_map(|scheme| {
        let length = scheme.len() + "://".len();
        let prefix = value.get(..length)?;
        if !prefix.eq_ignore_ascii_case(&format!("{scheme}://")) {
            return None;
        }
        Some((scheme, value.get(length..)?))
    })
}

/// Checks `host[:port]`, where host is a DNS name, an IPv4 address or a bracketed IPv6 one.
fn check_authority(authority: &str) -> Result<(), Invalid> {
    let bad_host = || Invalid::new(FIELD, "must name a valid host, like https://example.org");
    let (host_ok, port) = match authority.strip_prefix('[') {
        Some(bracketed) => {
            let (inside, after) = bracketed.split_once(']').ok_or_else(bad_host)?;
            let ipv6 = !inside.is_empty()
                && inside.contains(':')
                && inside
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.');
            let port = match after {
                "" => None,
                other => Some(other.strip_prefix(':').ok_or_else(bad_host)?),
            };
            (ipv6, port)
        }
        None => {
            let (host, port) = match authority.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            };
            let name = host.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
            (name, port)
        }
    };
    if !host_ok {
        return Err(bad_host());
    }
    if let Some(port) = port {
        let valid = port.len() <= 5
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u32>().is_ok_and(|p| (1..=65_535).contains(&p));
        if !valid {
            return Err(Invalid::new(FIELD, "must have a port from 1 to 65535"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(raw: &str) -> String {
        match Website::parse(raw) {
            Ok(site) => panic!("{raw:?} should be refused, got {site}"),
            Err(e) => {
                assert_eq!(e.field, "website");
                e.reason
            }
        }
    }

    #[test]
    fn plain_web_addresses_are_kept() {
        let cases = [
            ("https://example.org", "https://example.org"),
            (
                " https://pay.example.org/account?id=7#top ",
                "https://pay.example.org/account?id=7#top",
            ),
            ("HTTP://Example.org:8080/", "http://Example.org:8080/"),
            ("https://192.168.1.10/login", "https://192.168.1.10/login"),
            ("https://[2001:db8::1]:8443/", "https://[2001:db8::1]:8443/"),
            ("https://münchen.de/strom", "https://münchen.de/strom"),
            ("https://example.org/a%20b", "https://example.org/a%20b"),
        ];
        for (raw, stored) in cases {
            assert_eq!(
                Website::parse(raw).map(|w| w.0),
                Ok(stored.to_owned()),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn script_and_data_addresses_are_refused() {
        for raw in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " javascript://example.org/%0aalert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox(1)",
            "file:///etc/passwd",
            "ftp://example.org",
            "//example.org",
            "example.org",
            "https:example.org",
            "/relative/path",
        ] {
            assert_eq!(
                reason(raw),
                "must be a web address starting with http:// or https://",
                "{raw:?}"
            );
        }
    }

    #[test]
    fn addresses_that_could_break_out_of_markup_or_hide_the_host_are_refused() {
        assert_eq!(
            reason("https://example.org/\"onmouseover=alert(1)"),
            "must not contain spaces, quotes, angle brackets or backslashes"
        );
        assert!(Website::parse("https://example.org/<script>").is_err());
        assert!(Website::parse("https://example.org/a b").is_err());
        assert!(Website::parse("https://example.org/\u{0}").is_err());
        assert!(Website::parse("https://example.org\\@evil.example").is_err());
        assert_eq!(
            reason("https://bank.example@evil.example/"),
            "must not contain a user name or password"
        );
        assert_eq!(
            reason("https://"),
            "must name a valid host, like https://example.org"
        );
        assert!(Website::parse("https://exa..mple.org").is_err());
        assert!(Website::parse("https://-example.org").is_err());
        assert!(Website::parse("https://[zz]/").is_err());
        assert_eq!(
            reason("https://example.org:0/"),
            "must have a port from 1 to 65535"
        );
        assert!(Website::parse("https://example.org:65536").is_err());
        assert!(Website::parse("https://example.org:").is_err());
        assert_eq!(reason("  "), "must not be empty");
    }

    #[test]
    fn addresses_are_at_most_2048_characters() {
        let path = "a".repeat(Website::MAX_CHARS - "https://example.org/".len());
        assert!(Website::parse(&format!("https://example.org/{path}")).is_ok());
        assert_eq!(
            reason(&format!("https://example.org/{path}a")),
            "must be at most 2048 characters"
        );
    }
}
