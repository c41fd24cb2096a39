//! The host names this instance answers to (`PUBLIC_URL`'s host, `ALLOWED_HOSTS`, and the
//! loopback names for a local instance), and the browser origins accepted on unsafe requests.
//!
//! Why: with DNS rebinding, a web page on `attacker.example` can make its own name resolve to
//! this server's address; the browser then sends our server requests that are "same origin"
//! for the page, with `Host: attacker.example`. Refusing every `Host` we were not configured
//! for ends that attack; the list comes only from configuration, never from the request.

use std::net::{IpAddr, Ipv6Addr};

use super::ConfigError;

/// The loopback names a local instance also answers to, at any port.
const LOOPBACK_NAMES: [&str; 3] = ["localhost", "127.0.0.1", "[::1]"];

/// One allowed host: a lower-case name or IP literal (IPv6 in brackets), at one port or any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostPattern {
    host: String,
    port: Option<u16>,
}

impl HostPattern {
    /// Whether `host` at `port` (as sent; none means the scheme's default) matches. A pattern
    /// with port 80 or 443 also matches a `Host` without one.
    fn matches(&self, host: &str, port: Option<u16>) -> bool {
        self.host == host
            && match (self.port, port) {
                (None, _) => true,
                (Some(want), Some(got)) => want == got,
                (Some(want), None) => want == 80 || want == 443,
            }
    }
}

/// The hosts this instance answers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedHosts {
    patterns: Vec<HostPattern>,
}

impl AllowedHosts {
    /// `PUBLIC_URL`'s authority, every `ALLOWED_HOSTS` entry, and with `loopback` the names
    /// `localhost`, `127.0.0.1` and `[::1]` at any port.
    pub(super) fn new(
        public_url: &str,
        entries: &str,
        loopback: bool,
    ) -> Result<Self, ConfigError> {
        let key = "ALLOWED_HOSTS";
        let mut patterns = Vec::new();
        if let Some((scheme, authority)) = public_url.split_once("://") {
            let authority = authority.split('/').next().unwrap_or_default();
            let mut public = parse_pattern(authority)
                .map_err(|message| ConfigError::new("PUBLIC_URL", message))?;
            if public.port.is_none() {
                public.port = Some(if scheme == "https" { 443 } else { 80 });
            }
            patterns.push(public);
        }
        for entry in entries.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            patterns.push(parse_pattern(entry).map_err(|message| ConfigError::new(key, message))?);
        }
        if loopback {
            patterns.extend(LOOPBACK_NAMES.iter().map(|name| HostPattern {
                host: (*name).to_owned(),
                port: None,
            }));
        }
        Ok(Self { patterns })
    }

    /// Whether a request's `Host` (or HTTP/2 `:authority`) names this instance.
    pub fn allows(&self, authority: &str) -> bool {
        match split_authority(authority) {
            Some((host, port)) => self.patterns.iter().any(|p| p.matches(&host, port)),
            None => false,
        }
    }

    /// Whether a browser `Origin` (`scheme://host[:port]`) is one of the allowed hosts, with
    /// the scheme this instance is reached by (a missing port is that scheme's default).
    pub fn allows_origin(&self, origin: &str, https: bool) -> bool {
        let (scheme, default_port) = if https {
            ("https://", 443)
        } else {
            ("http://", 80)
        };
        let Some((host, port)) = origin.strip_prefix(scheme).and_then(split_authority) else {
            return false;
        };
        let port = Some(port.unwrap_or(default_port));
        self.patterns.iter().any(|p| p.matches(&host, port))
    }
}

/// Parses an `ALLOWED_HOSTS` entry: `host`, `host:port`, `1.2.3.4`, `[2001:db8::1]`,
/// `[2001:db8::1]:443` or a bare IPv6 address.
fn parse_pattern(entry: &str) -> Result<HostPattern, String> {
    let bad = || {
        format!(
            "`{entry}` is not a host name or IP address with an optional :port (no scheme, path or wildcard)"
        )
    };
    if let Ok(v6) = entry.parse::<Ipv6Addr>() {
        return Ok(HostPattern {
            host: format!("[{v6}]"),
            port: None,
        });
    }
    let (host, port) = split_authority(entry).ok_or_else(bad)?;
    Ok(HostPattern { host, port })
}

/// Splits `host[:port]` (IPv6 in brackets) into a lower-case host and the port, refusing
/// anything that is not a plain name or IP literal. IPv6 literals are normalised.
fn split_authority(authority: &str) -> Option<(String, Option<u16>)> {
    let (host, port) = if let Some(rest) = authority.strip_prefix('[') {
        let (v6, after) = rest.split_once(']')?;
        let v6: Ipv6Addr = v6.parse().ok()?;
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':')?),
        };
        (format!("[{v6}]"), port)
    } else {
        match authority.rsplit_once(':') {
            Some((host, port)) => (host.to_owned(), Some(port)),
            None => (authority.to_owned(), None),
        }
    };
    let port = match port {
        Some(port) => Some(port.parse::<u16>().ok()?),
        None => None,
    };
    let plain = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '.';
    if host.is_empty() || !(host.starts_with('[') || host.chars().all(plain)) {
        return None;
    }
    let host = match host.parse::<IpAddr>() {
        Ok(ip) => ip.to_string(),
        Err(_) => host.to_ascii_lowercase(),
    };
    Some((host, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hosts(public_url: &str, entries: &str, loopback: bool) -> AllowedHosts {
        AllowedHosts::new(public_url, entries, loopback).expect("valid")
    }

    #[test]
    fn the_public_url_host_is_allowed_with_its_port_or_the_default() {
        let allowed = hosts("https://Bills.example.org", "", false);
        assert!(allowed.allows("bills.example.org"));
        assert!(allowed.allows("BILLS.example.org:443"));
        assert!(!allowed.allows("bills.example.org:8443"));
        assert!(!allowed.allows("rebind.example"));
        assert!(!allowed.allows("localhost:3030"));
        assert!(!allowed.allows("127.0.0.1"));
        let with_port = hosts("http://bills.lan:3030", "", false);
        assert!(with_port.allows("bills.lan:3030"));
        assert!(!with_port.allows("bills.lan:3031"));
        assert!(!with_port.allows("bills.lan"));
    }

    #[test]
    fn allowed_hosts_entries_take_a_port_or_any() {
        let allowed = hosts(
            "http://localhost:3030",
            "bills.lan, 192.168.1.5:3030, [2001:db8::1]:443, 2001:db8::2",
            false,
        );
        assert!(allowed.allows("bills.lan:8080"));
        assert!(allowed.allows("bills.lan"));
        assert!(allowed.allows("192.168.1.5:3030"));
        assert!(!allowed.allows("192.168.1.5:3031"));
        assert!(allowed.allows("[2001:db8:0::1]:443"));
        assert!(allowed.allows("[2001:db8::1]"));
        assert!(allowed.allows("[2001:db8::2]:9"));
        assert!(!allowed.allows("127.0.0.1:3030"));
    }

    #[test]
    fn a_loopback_instance_also_answers_to_the_loopback_names_at_any_port() {
        let allowed = hosts("http://localhost:0", "", true);
        for host in [
            "localhost:41234",
            "127.0.0.1:41234",
            "[::1]:41234",
            "LOCALHOST",
        ] {
            assert!(allowed.allows(host), "{host}");
        }
        for host in [
            "rebind.example",
            "rebind.example:41234",
            "127.0.0.2:41234",
            "localhost.rebind.example",
            "",
            "localhost:99999",
            "localhost:x",
            "local host",
            "[::1",
            "user@localhost",
        ] {
            assert!(!allowed.allows(host), "{host}");
        }
    }

    #[test]
    fn origins_must_be_an_allowed_host_with_this_instances_scheme() {
        let allowed = hosts("http://localhost:0", "", true);
        assert!(allowed.allows_origin("http://127.0.0.1:41234", false));
        assert!(!allowed.allows_origin("https://127.0.0.1:41234", false));
        assert!(!allowed.allows_origin("http://rebind.example:41234", false));
        assert!(!allowed.allows_origin("null", false));
        let public = hosts("https://bills.example.org", "bills.lan:80", false);
        assert!(public.allows_origin("https://bills.example.org", true));
        assert!(
            !public.allows_origin("http://bills.example.org", false),
            "port 80 is not 443"
        );
        assert!(public.allows_origin("http://bills.lan", false));
    }

    #[test]
    fn wildcards_urls_and_paths_are_refused() {
        for entry in [
            "*",
            "*.example.org",
            "http://bills.lan",
            "bills.lan/x",
            "bills.lan:",
        ] {
            assert!(
                AllowedHosts::new("http://localhost:3030", entry, false).is_err(),
                "{entry}"
            );
        }
    }
}
