//! Parsers for configuration values; each error names the key.

use std::net::IpAddr;
use std::str::FromStr;

use super::{ConfigError, Raw};

/// SameSite cookie attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SameSite {
    Strict,
    Lax,
    None,
}

impl SameSite {
    pub fn as_str(self) -> &'static str {
        match self {
            SameSite::Strict => "Strict",
            SameSite::Lax => "Lax",
            SameSite::None => "None",
        }
    }
}

impl FromStr for SameSite {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "strict" => Ok(SameSite::Strict),
            "lax" => Ok(SameSite::Lax),
            "none" => Ok(SameSite::None),
            _ => Err("must be strict, lax or none".into()),
        }
    }
}

/// An IP address or CIDR range (`10.0.0.0/8`, `::1`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpRange {
    network: IpAddr,
    prefix: u8,
}

impl IpRange {
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.network, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for IpRange {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("`{s}` is not an IP address or CIDR range");
        let (addr, prefix) = match s.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (s, None),
        };
        let network: IpAddr = addr.trim().parse().map_err(|_| bad())?;
        let max = if network.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(bad)?,
            None => max,
        };
        Ok(Self { network, prefix })
    }
}

pub(super) fn required<'a>(raw: &'a Raw, key: &str) -> Result<&'a str, ConfigError> {
    raw.get(key)
        .map(String::as_str)
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| ConfigError::new(key, "must not be empty"))
}

pub(super) fn parsed<T: FromStr>(raw: &Raw, key: &str) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    let value = required(raw, key)?;
    value
        .trim()
        .parse()
        .map_err(|e| ConfigError::new(key, format!("`{value}` is invalid: {e}")))
}

pub(super) fn boolean(raw: &Raw, key: &str) -> Result<bool, ConfigError> {
    match required(raw, key)?.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        other => Err(ConfigError::new(
            key,
            format!("`{other}` is not true or false"),
        )),
    }
}

pub(super) fn ranged<T>(raw: &Raw, key: &str, min: T, max: T) -> Result<T, ConfigError>
where
    T: FromStr + PartialOrd + std::fmt::Display + Copy,
{
    let value = required(raw, key)?;
    let n: T = value
        .trim()
        .parse()
        .map_err(|_| ConfigError::new(key, format!("`{value}` is not a whole number")))?;
    if n < min || n > max {
        return Err(ConfigError::new(
            key,
            format!("must be between {min} and {max}"),
        ));
    }
    Ok(n)
}

pub(super) fn cookie_name(raw: &Raw, key: &str) -> Result<String, ConfigError> {
    let name = required(raw, key)?;
    if name.len() > 64
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(ConfigError::new(
            key,
            "must be 1–64 letters, digits, _ or -",
        ));
    }
    Ok(name.to_owned())
}

pub(super) fn ip_ranges(raw: &Raw, key: &str) -> Result<Vec<IpRange>, ConfigError> {
    raw.get(key)
        .map(String::as_str)
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().map_err(|e: String| ConfigError::new(key, e)))
        .collect()
}

/// `scheme://host[:port]` with no path: what a browser sends as `Origin`.
pub(super) fn origin_of(value: &str) -> Result<String, ConfigError> {
    let key = "CORS_ORIGIN";
    let value = value.trim().trim_end_matches('/');
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
        .ok_or_else(|| ConfigError::new(key, "must start with https:// or http://"))?;
    if rest.is_empty() || rest.contains(['/', '?', '#', '*', ' ']) {
        return Err(ConfigError::new(
            key,
            "must be one origin like https://app.example.org (no path, no wildcard)",
        ));
    }
    Ok(value.to_owned())
}

/// An absolute http(s) URL without a trailing slash.
/// `PUBLIC_URL` when unset: the `LISTEN` address, with `localhost` for a loopback or
/// unspecified address (a browser on this machine reaches it so, and WebAuthn needs a domain
/// name: browsers refuse IP addresses as relying-party ids).
pub(super) fn derived_public_url(listen: std::net::SocketAddr, https: bool) -> String {
    let scheme = if https { "https" } else { "http" };
    let ip = listen.ip();
    if ip.is_loopback() || ip.is_unspecified() {
        format!("{scheme}://localhost:{}", listen.port())
    } else {
        format!("{scheme}://{listen}")
    }
}

pub(super) fn public_url_of(value: &str) -> Result<String, ConfigError> {
    let key = "PUBLIC_URL";
    let value = value.trim().trim_end_matches('/');
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
        .ok_or_else(|| ConfigError::new(key, "must start with https:// or http://"))?;
    if rest.is_empty() || rest.contains(['?', '#', ' ']) {
        return Err(ConfigError::new(
            key,
            "must be a URL like https://bills.example.org",
        ));
    }
    Ok(value.to_owned())
}

/// The outbound request policy from the `OUTBOUND_*` knobs; the CA file is read and checked now.
pub(super) fn outbound_policy(raw: &Raw) -> Result<outbound::OutboundPolicy, ConfigError> {
    use std::time::Duration;
    let reason = |err: outbound::OutboundError| match err {
        outbound::OutboundError::Config { reason } => reason,
        other => other.to_string(),
    };
    let list = |key: &str| raw.get(key).map(String::as_str).unwrap_or("");
    let mut policy = outbound::OutboundPolicy::default()
        .allow_private_list(list("OUTBOUND_ALLOW_HOSTS"))
        .map_err(|e| ConfigError::new("OUTBOUND_ALLOW_HOSTS", reason(e)))?
        .allow_http_list(list("OUTBOUND_ALLOW_HTTP_HOSTS"))
        .map_err(|e| ConfigError::new("OUTBOUND_ALLOW_HTTP_HOSTS", reason(e)))?
        .with_connect_timeout(Duration::from_secs(ranged(
            raw,
            "OUTBOUND_CONNECT_TIMEOUT_SECONDS",
            1,
            300,
        )?))
        .with_timeout(Duration::from_secs(ranged(
            raw,
            "OUTBOUND_TIMEOUT_SECONDS",
            1,
            600,
        )?))
        .with_max_response_bytes(ranged(raw, "OUTBOUND_MAX_RESPONSE_BYTES", 1024, 1 << 30)?);
    let key = "OUTBOUND_CA_FILE";
    if let Some(path) = raw.get(key).map(|p| p.trim()).filter(|p| !p.is_empty()) {
        let pem = std::fs::read(path)
            .map_err(|e| ConfigError::new(key, format!("cannot read {path}: {e}")))?;
        policy = policy
            .with_ca_pem(&pem)
            .map_err(|e| ConfigError::new(key, format!("{path}: {}", reason(e))))?;
    }
    Ok(policy)
}
