//! [`OutboundPolicy`]: where requests may go and how long and large they may be, and the
//! checks every URL and every resolved address goes through.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use url::{Host, Url};

use crate::addr::{self, IpNet};
use crate::error::{OutboundError, Refusal};

/// One allow-list entry: a host name (exact, case-insensitive) or an IP address / CIDR range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AllowEntry {
    Host(String),
    Net(IpNet),
}

impl AllowEntry {
    /// Parses `idp.internal`, `192.0.2.7`, `[fd00::1]` or `10.0.0.0/8`.
    pub fn parse(text: &str) -> Result<Self, OutboundError> {
        let text = text.trim();
        if text.contains('/') || text.parse::<IpNet>().is_ok() {
            return text
                .parse::<IpNet>()
                .map(Self::Net)
                .map_err(OutboundError::config);
        }
        let host = normalise_host(text);
        let valid = !host.is_empty()
            && host.len() <= 253
            && host
                .split('.')
                .all(|label| !label.is_empty() && label.len() <= 63)
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.' || c == '_');
        if !valid {
            return Err(OutboundError::config(format!(
                "`{text}` is not a host name, IP address or CIDR range"
            )));
        }
        Ok(Self::Host(host))
    }

    fn matches_host(&self, host: &str) -> bool {
        matches!(self, Self::Host(name) if *name == normalise_host(host))
    }

    fn matches_ip(&self, ip: IpAddr) -> bool {
        matches!(self, Self::Net(net) if net.contains(ip))
    }
}

impl fmt::Display for AllowEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Host(host) => f.write_str(host),
            Self::Net(net) => net.fmt(f),
        }
    }
}

/// Lower case, without the trailing dot of a fully qualified name.
fn normalise_host(host: &str) -> String {
    host.trim().trim_end_matches('.').to_ascii_lowercase()
}

/// Where outbound requests may go, and their limits. The defaults refuse every non-public
/// destination and plain HTTP, follow no redirects, and allow 5 s to connect, 15 s in all and
/// 1 MiB of response body.
#[derive(Clone)]
pub struct OutboundPolicy {
    /// Hosts and ranges that may be loopback, private, link-local… (an internal IdP).
    allow_private: Vec<AllowEntry>,
    /// Hosts (or IP literals / ranges) that may be reached over plain `http://`.
    allow_http: Vec<AllowEntry>,
    /// CA certificates trusted in addition to the bundled Mozilla roots.
    extra_roots: Vec<CertificateDer<'static>>,
    /// Time to establish the TCP connection.
    pub connect_timeout: Duration,
    /// Time for the whole exchange: resolution, connection, TLS, request, every redirect hop
    /// and reading the body.
    pub timeout: Duration,
    /// Largest response body read; more is [`OutboundError::TooLarge`].
    pub max_response_bytes: u64,
    /// Redirects followed (GET and HEAD only, same scheme, host and port only, every hop
    /// checked again). 0: a 3xx answer is returned to the caller as it is.
    pub max_redirects: u8,
    /// The `User-Agent` sent.
    pub user_agent: String,
}

impl Default for OutboundPolicy {
    fn default() -> Self {
        Self {
            allow_private: Vec::new(),
            allow_http: Vec::new(),
            extra_roots: Vec::new(),
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(15),
            max_response_bytes: 1 << 20,
            max_redirects: 0,
            user_agent: concat!("BillTracker/", env!("CARGO_PKG_VERSION")).to_owned(),
        }
    }
}

impl fmt::Debug for OutboundPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutboundPolicy")
            .field("allow_private", &self.allow_private)
            .field("allow_http", &self.allow_http)
            .field("extra_roots", &self.extra_roots.len())
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("max_redirects", &self.max_redirects)
            .finish()
    }
}

/// A comma-separated list, blanks ignored.
fn entries(list: &str) -> Result<Vec<AllowEntry>, OutboundError> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(AllowEntry::parse)
        .collect()
}

impl OutboundPolicy {
    /// Lets a host name, IP address or CIDR range be a non-public destination (loopback,
    /// private, link-local, CGNAT, documentation, reserved). Unspecified, multicast and
    /// broadcast addresses stay refused.
    pub fn allow_private(mut self, entry: &str) -> Result<Self, OutboundError> {
        self.allow_private.push(AllowEntry::parse(entry)?);
        Ok(self)
    }

    /// [`Self::allow_private`] for each entry of a comma-separated list.
    pub fn allow_private_list(mut self, list: &str) -> Result<Self, OutboundError> {
        self.allow_private.extend(entries(list)?);
        Ok(self)
    }

    /// Lets a host be reached over plain `http://` (a name matches the URL's host name; an IP
    /// or range matches IP-literal URLs).
    pub fn allow_http(mut self, entry: &str) -> Result<Self, OutboundError> {
        self.allow_http.push(AllowEntry::parse(entry)?);
        Ok(self)
    }

    /// [`Self::allow_http`] for each entry of a comma-separated list.
    pub fn allow_http_list(mut self, list: &str) -> Result<Self, OutboundError> {
        self.allow_http.extend(entries(list)?);
        Ok(self)
    }

    /// Sets the time allowed to establish the TCP connection.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Sets the time allowed for the whole exchange.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the largest response body read.
    pub fn with_max_response_bytes(mut self, bytes: u64) -> Self {
        self.max_response_bytes = bytes;
        self
    }

    /// Sets how many same-origin redirects of GET/HEAD requests are followed (0: none).
    pub fn with_max_redirects(mut self, hops: u8) -> Self {
        self.max_redirects = hops;
        self
    }

    /// Trusts the CA certificates in `pem` (one or more `BEGIN CERTIFICATE` blocks) in addition
    /// to the bundled roots, for a self-hosted provider with its own CA.
    pub fn with_ca_pem(mut self, pem: &[u8]) -> Result<Self, OutboundError> {
        let mut found = Vec::new();
        for cert in CertificateDer::pem_slice_iter(pem) {
            let cert =
                cert.map_err(|e| OutboundError::config(format!("the CA file is not PEM: {e}")))?;
            found.push(cert.into_owned());
        }
        if found.is_empty() {
            return Err(OutboundError::config(
                "the CA file holds no BEGIN CERTIFICATE block",
            ));
        }
        // Refuse what rustls would refuse later, now, at start-up.
        let mut roots = rustls::RootCertStore::empty();
        for cert in &found {
            roots.add(cert.clone()).map_err(|e| {
                OutboundError::config(format!("a CA certificate is not usable: {e}"))
            })?;
        }
        self.extra_roots.extend(found);
        Ok(self)
    }

    pub(crate) fn extra_roots(&self) -> &[CertificateDer<'static>] {
        &self.extra_roots
    }

    /// Checks a URL before anything is resolved or sent: scheme, credentials, host, and an IP
    /// literal's address. Returns the host for logs.
    pub fn check_url(&self, url: &Url) -> Result<String, OutboundError> {
        let refuse = |reason| Err(OutboundError::refused(reason));
        let plain = match url.scheme() {
            "https" => false,
            "http" => true,
            other => {
                return refuse(Refusal::Scheme {
                    scheme: other.to_owned(),
                });
            }
        };
        if !url.username().is_empty() || url.password().is_some() {
            return refuse(Refusal::Credentials);
        }
        let (host_text, literal) = match url.host() {
            None => return refuse(Refusal::NoHost),
            Some(Host::Domain(d)) => (normalise_host(d), None),
            Some(Host::Ipv4(ip)) => (ip.to_string(), Some(IpAddr::V4(ip))),
            Some(Host::Ipv6(ip)) => (ip.to_string(), Some(IpAddr::V6(ip))),
        };
        if plain {
            let allowed = self.allow_http.iter().any(|entry| match literal {
                Some(ip) => entry.matches_ip(ip),
                None => entry.matches_host(&host_text),
            });
            if !allowed {
                return refuse(Refusal::PlainHttp { host: host_text });
            }
        }
        if let Some(ip) = literal {
            self.check_ip(&host_text, ip)?;
        }
        // `localhost` and `*.localhost` are loopback by definition (RFC 6761), whatever a
        // resolver says.
        let localhost = host_text == "localhost" || host_text.ends_with(".localhost");
        if localhost && !self.host_allowed(&host_text) {
            return refuse(Refusal::Address {
                host: host_text,
                ip: IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
                class: addr::AddressClass::Loopback,
            });
        }
        Ok(host_text)
    }

    /// Checks one destination address of `host` (a name or an IP literal).
    pub fn check_ip(&self, host: &str, ip: IpAddr) -> Result<(), OutboundError> {
        let ip = addr::canonical(ip);
        let Some(class) = addr::classify(ip) else {
            return Ok(());
        };
        if !class.always_refused()
            && (self.host_allowed(host) || self.allow_private.iter().any(|e| e.matches_ip(ip)))
        {
            return Ok(());
        }
        Err(OutboundError::refused(Refusal::Address {
            host: normalise_host(host),
            ip,
            class,
        }))
    }

    fn host_allowed(&self, host: &str) -> bool {
        self.allow_private.iter().any(|e| e.matches_host(host))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allow_entries_parse_names_addresses_and_ranges() {
        let parse = |s| AllowEntry::parse(s).expect(s);
        assert_eq!(
            parse(" IdP.Example. "),
            AllowEntry::Host("idp.example".into())
        );
        assert_eq!(parse("10.0.0.0/8").to_string(), "10.0.0.0/8");
        assert_eq!(parse("192.0.2.7").to_string(), "192.0.2.7/32");
        assert_eq!(parse("[fd00::1]").to_string(), "fd00::1/128");
        for bad in ["", "bad host", "10.0.0.0/40", "a..b", "http://x", "x/y"] {
            assert!(AllowEntry::parse(bad).is_err(), "{bad}");
        }
        let policy = OutboundPolicy::default()
            .allow_private_list("idp.example, ,10.0.0.0/8")
            .expect("list");
        assert_eq!(policy.allow_private.len(), 2);
    }

    #[test]
    fn urls_are_checked_scheme_first_then_credentials_then_destination() {
        let policy = OutboundPolicy::default();
        let check = |url: &str| policy.check_url(&Url::parse(url).expect(url));
        assert_eq!(
            check("https://Accounts.Example.com./x?y=1").expect("public"),
            "accounts.example.com"
        );
        assert!(check("https://93.184.216.34/").is_ok());
        let refusal = |url: &str| match check(url) {
            Err(OutboundError::Refused { reason }) => reason,
            other => panic!("{url}: {other:?}"),
        };
        assert!(matches!(
            refusal("file:///etc/passwd"),
            Refusal::Scheme { .. }
        ));
        assert!(matches!(
            refusal("data:text/plain,x"),
            Refusal::Scheme { .. }
        ));
        assert_eq!(refusal("https://a:b@example.com/"), Refusal::Credentials);
        assert!(matches!(
            refusal("http://example.com/"),
            Refusal::PlainHttp { .. }
        ));
        assert!(matches!(
            refusal("https://[::ffff:169.254.169.254]/"),
            Refusal::Address {
                class: addr::AddressClass::LinkLocal,
                ..
            }
        ));
        // An allow-listed range never opens the unspecified address.
        let wide = OutboundPolicy::default()
            .allow_private("0.0.0.0/0")
            .expect("range");
        assert!(
            wide.check_url(&Url::parse("https://10.1.1.1/").expect("url"))
                .is_ok()
        );
        assert!(
            wide.check_url(&Url::parse("https://0.0.0.0/").expect("url"))
                .is_err()
        );
    }
}
