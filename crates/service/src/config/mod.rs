//! The configuration: one typed struct, built from defaults → optional TOML file → environment.
//! Every value is parsed here, once; an unknown file key or an invalid value is a
//! [`ConfigError`] naming the key. Secrets are [`Secret`]s, which never print.

mod hosts;
mod knobs;
mod parse;
mod secret;
mod sign_in;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

pub use hosts::AllowedHosts;
pub use knobs::{KNOBS, Knob, reference_markdown};
pub use parse::{IpRange, SameSite};
pub use secret::Secret;
pub use sign_in::{GithubEnv, OidcEnv, SignInEnv, TokenAuthMethod};

/// A configuration problem, naming the key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("configuration {key}: {message}")]
pub struct ConfigError {
    pub key: String,
    pub message: String,
}

impl ConfigError {
    pub(crate) fn new(key: &str, message: impl Into<String>) -> Self {
        Self {
            key: key.to_owned(),
            message: message.into(),
        }
    }
}

/// How SQLite syncs commits to disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SqliteSync {
    Normal,
    Full,
}

/// Whether and how `/metrics` is served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Metrics {
    Off,
    Open,
    Token(Secret),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Auto,
    Json,
    Pretty,
}

/// Every setting of a running instance.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: Option<Secret>,
    pub database_max_connections: u32,
    pub database_busy_timeout: Duration,
    pub sqlite_synchronous: SqliteSync,
    pub public_url: String,
    /// The host names requests may be addressed to (`PUBLIC_URL`, `ALLOWED_HOSTS`, loopback).
    pub allowed_hosts: AllowedHosts,
    pub https: bool,
    pub cookie_secure: bool,
    pub csrf_http_only: bool,
    pub csrf_same_site: SameSite,
    pub csrf_secure: bool,
    pub csrf_cookie_name: String,
    pub cors_origin: Option<String>,
    pub trusted_proxies: Vec<IpRange>,
    /// Where outbound HTTP requests may go, with their limits (`OUTBOUND_*`).
    pub outbound: outbound::OutboundPolicy,
    /// External sign-in settings from the environment (`OIDC_*`, `GITHUB_*`): the fallback
    /// until an administrator saves them on the admin page.
    pub sign_in: SignInEnv,
    pub token_encryption_key: Option<Secret>,
    pub token_encryption_key_previous: Option<Secret>,
    pub session_cleanup_interval: Duration,
    /// `BANK_SYNC_ENABLED`.
    pub bank_sync_enabled: bool,
    /// `BANK_SYNC_INTERVAL_HOURS`.
    pub bank_sync_interval: Duration,
    pub session_idle_timeout: Duration,
    pub session_lifetime: Duration,
    pub request_body_limit: usize,
    pub request_timeout: Duration,
    pub shutdown_grace: Duration,
    pub metrics: Metrics,
    pub log_format: LogFormat,
    pub log_level: String,
    pub bootstrap_admin_username: Option<String>,
    pub bootstrap_admin_password: Option<Secret>,
    pub single_user_mode: bool,
    pub single_user_username: Option<String>,
}

/// Raw values by environment name, after layering.
type Raw = BTreeMap<&'static str, String>;

impl Config {
    /// Loads from the optional TOML `file` and the process environment.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let env: BTreeMap<String, String> = std::env::vars().collect();
        Self::from_sources(file, &env)
    }

    /// Loads from the optional TOML `file` and the given environment (tests pass their own).
    pub fn from_sources(
        file: Option<&Path>,
        env: &BTreeMap<String, String>,
    ) -> Result<Self, ConfigError> {
        let mut raw: Raw = KNOBS
            .iter()
            .filter(|k| !k.default.is_empty())
            .map(|k| (k.env, k.default.to_owned()))
            .collect();
        if let Some(path) = file {
            layer_file(&mut raw, path)?;
        }
        layer_env(&mut raw, env)?;
        Self::from_raw(&raw)
    }

    fn from_raw(raw: &Raw) -> Result<Self, ConfigError> {
        use parse::*;
        let get = |key: &str| raw.get(key).map(String::as_str).filter(|v| !v.is_empty());
        let listen: SocketAddr = parsed(raw, "LISTEN")?;
        let https = boolean(raw, "HTTPS")?;
        let cookie_secure = match get("COOKIE_SECURE") {
            Some(_) => boolean(raw, "COOKIE_SECURE")?,
            None => https,
        };
        let csrf_secure = match get("CSRF_SECURE") {
            Some(_) => boolean(raw, "CSRF_SECURE")?,
            None => cookie_secure,
        };
        let csrf_same_site: SameSite = parsed(raw, "CSRF_SAME_SITE")?;
        if csrf_same_site == SameSite::None && !csrf_secure {
            return Err(ConfigError::new(
                "CSRF_SAME_SITE",
                "`none` requires a Secure cookie (HTTPS=true or CSRF_SECURE=true)",
            ));
        }
        let metrics = match required(raw, "METRICS")? {
            "off" => Metrics::Off,
            "on" => Metrics::Open,
            "token" => {
                let token = get("METRICS_TOKEN").ok_or_else(|| {
                    ConfigError::new("METRICS_TOKEN", "is required when METRICS=token")
                })?;
                if token.chars().count() < 16 {
                    return Err(ConfigError::new(
                        "METRICS_TOKEN",
                        "must be at least 16 characters",
                    ));
                }
                Metrics::Token(Secret::new(token))
            }
            _ => return Err(ConfigError::new("METRICS", "must be off, on or token")),
        };
        let single_user_mode = boolean(raw, "SINGLE_USER_MODE")?;
        let single_user_username = get("SINGLE_USER_USERNAME").map(str::to_owned);
        if single_user_mode && single_user_username.is_none() {
            return Err(ConfigError::new(
                "SINGLE_USER_USERNAME",
                "is required when SINGLE_USER_MODE=true",
            ));
        }
        let bootstrap_admin_username = get("BOOTSTRAP_ADMIN_USERNAME").map(str::to_owned);
        let bootstrap_admin_password = get("BOOTSTRAP_ADMIN_PASSWORD").map(Secret::new);
        if bootstrap_admin_username.is_some() != bootstrap_admin_password.is_some() {
            return Err(ConfigError::new(
                "BOOTSTRAP_ADMIN_PASSWORD",
                "BOOTSTRAP_ADMIN_USERNAME and BOOTSTRAP_ADMIN_PASSWORD must be set together",
            ));
        }
        let database_url = get("DATABASE_URL").map(Secret::new);
        if let Some(url) = &database_url {
            let url = url.expose();
            if !(url.starts_with("postgres://")
                || url.starts_with("postgresql://")
                || url.starts_with("sqlite:"))
            {
                return Err(ConfigError::new(
                    "DATABASE_URL",
                    "must start with postgres://, postgresql:// or sqlite:",
                ));
            }
        }
        let token_encryption_key = get("TOKEN_ENCRYPTION_KEY").map(Secret::new);
        if token_encryption_key
            .as_ref()
            .is_some_and(|key| key.expose().len() < 32)
        {
            return Err(ConfigError::new(
                "TOKEN_ENCRYPTION_KEY",
                "must be at least 32 bytes",
            ));
        }
        let public_url = match get("PUBLIC_URL") {
            Some(url) => public_url_of(url)?,
            None => derived_public_url(listen, https),
        };
        // A local instance (loopback LISTEN, or any address with the derived `localhost`
        // PUBLIC_URL) also answers to the loopback names at any port: a port-mapping container
        // or local proxy changes the port, and a rebinding page can never send these names.
        let local = listen.ip().is_loopback()
            || (listen.ip().is_unspecified() && get("PUBLIC_URL").is_none());
        let allowed_hosts =
            AllowedHosts::new(&public_url, get("ALLOWED_HOSTS").unwrap_or(""), local)?;
        Ok(Config {
            listen,
            data_dir: PathBuf::from(required(raw, "DATA_DIR")?),
            database_url,
            database_max_connections: ranged(raw, "DATABASE_MAX_CONNECTIONS", 1, 500)?,
            database_busy_timeout: Duration::from_millis(ranged(
                raw,
                "DATABASE_BUSY_TIMEOUT_MS",
                10,
                600_000,
            )?),
            sqlite_synchronous: match required(raw, "SQLITE_SYNCHRONOUS")? {
                "full" => SqliteSync::Full,
                "normal" => SqliteSync::Normal,
                _ => {
                    return Err(ConfigError::new(
                        "SQLITE_SYNCHRONOUS",
                        "must be full or normal",
                    ));
                }
            },
            public_url,
            allowed_hosts,
            https,
            cookie_secure,
            csrf_http_only: boolean(raw, "CSRF_HTTP_ONLY")?,
            csrf_same_site,
            csrf_secure,
            csrf_cookie_name: cookie_name(raw, "CSRF_COOKIE_NAME")?,
            cors_origin: get("CORS_ORIGIN").map(origin_of).transpose()?,
            trusted_proxies: ip_ranges(raw, "TRUSTED_PROXIES")?,
            outbound: outbound_policy(raw)?,
            sign_in: sign_in::from_raw(raw)?,
            token_encryption_key,
            token_encryption_key_previous: get("TOKEN_ENCRYPTION_KEY_PREVIOUS").map(Secret::new),
            bank_sync_enabled: boolean(raw, "BANK_SYNC_ENABLED")?,
            bank_sync_interval: Duration::from_secs(
                3600 * ranged(raw, "BANK_SYNC_INTERVAL_HOURS", 1, 24)?,
            ),
            session_cleanup_interval: Duration::from_millis(ranged(
                raw,
                "SESSION_CLEANUP_INTERVAL_MS",
                1000,
                u64::MAX,
            )?),
            session_idle_timeout: Duration::from_secs(
                60 * ranged(raw, "SESSION_IDLE_TIMEOUT_MINUTES", 1, 10_080)?,
            ),
            session_lifetime: Duration::from_secs(
                86_400 * ranged(raw, "SESSION_LIFETIME_DAYS", 1, 90)?,
            ),
            request_body_limit: ranged(raw, "REQUEST_BODY_LIMIT_BYTES", 1024, 1 << 30)?,
            request_timeout: Duration::from_secs(ranged(raw, "REQUEST_TIMEOUT_SECONDS", 1, 3600)?),
            shutdown_grace: Duration::from_secs(ranged(raw, "SHUTDOWN_GRACE_SECONDS", 0, 300)?),
            metrics,
            log_format: match required(raw, "LOG_FORMAT")? {
                "auto" => LogFormat::Auto,
                "json" => LogFormat::Json,
                "pretty" => LogFormat::Pretty,
                _ => {
                    return Err(ConfigError::new(
                        "LOG_FORMAT",
                        "must be auto, json or pretty",
                    ));
                }
            },
            log_level: required(raw, "LOG_LEVEL")?.to_owned(),
            bootstrap_admin_username,
            bootstrap_admin_password,
            single_user_mode,
            single_user_username,
        })
    }

    /// The SQLite file used when `DATABASE_URL` does not name another database.
    pub fn sqlite_path(&self) -> PathBuf {
        self.data_dir.join("billtracker.db")
    }

    /// Whether PostgreSQL is configured.
    pub fn uses_postgres(&self) -> bool {
        self.database_url
            .as_ref()
            .is_some_and(|u| u.expose().starts_with("postgres"))
    }
}

fn layer_file(raw: &mut Raw, path: &Path) -> Result<(), ConfigError> {
    let key = "CONFIG_FILE";
    let text = std::fs::read_to_string(path)
        .map_err(|e| ConfigError::new(key, format!("cannot read {}: {e}", path.display())))?;
    let table: toml::Table = text
        .parse()
        .map_err(|e| ConfigError::new(key, format!("{} is not valid TOML: {e}", path.display())))?;
    for (name, value) in table {
        let upper = name.to_ascii_uppercase();
        let (knob, from_file) = match knobs::find(&upper) {
            Some(knob) => (knob, false),
            None => match upper.strip_suffix("_FILE").and_then(knobs::find) {
                Some(knob) if knob.secret => (knob, true),
                _ => {
                    return Err(ConfigError::new(
                        &name,
                        "unknown key in the configuration file",
                    ));
                }
            },
        };
        let text = match value {
            toml::Value::String(s) => s,
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::Boolean(b) => b.to_string(),
            toml::Value::Array(items) => items
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_owned)
                        .ok_or_else(|| ConfigError::new(&name, "list items must be strings"))
                })
                .collect::<Result<Vec<_>, _>>()?
                .join(","),
            _ => {
                return Err(ConfigError::new(
                    &name,
                    "must be a string, number, boolean or list of strings",
                ));
            }
        };
        let text = if from_file {
            read_secret_file(&name, &text)?
        } else {
            text
        };
        raw.insert(knob.env, text);
    }
    Ok(())
}

fn layer_env(raw: &mut Raw, env: &BTreeMap<String, String>) -> Result<(), ConfigError> {
    for knob in KNOBS {
        if let Some(value) = env.get(knob.env) {
            raw.insert(knob.env, value.clone());
        }
        if knob.secret {
            let file_key = format!("{}_FILE", knob.env);
            if let Some(path) = env.get(&file_key) {
                if env.contains_key(knob.env) {
                    return Err(ConfigError::new(
                        &file_key,
                        format!("set either {} or {file_key}, not both", knob.env),
                    ));
                }
                raw.insert(knob.env, read_secret_file(&file_key, path)?);
            }
        }
    }
    Ok(())
}

fn read_secret_file(key: &str, path: &str) -> Result<String, ConfigError> {
    std::fs::read_to_string(path)
        .map(|s| s.trim_end_matches(['\n', '\r']).to_owned())
        .map_err(|e| ConfigError::new(key, format!("cannot read {path}: {e}")))
}

#[cfg(test)]
mod tests;
