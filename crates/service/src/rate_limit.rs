//! The rate-limit table of product.md §7, enforced with counters in the database so several
//! instances agree. A refused request is `Error::RateLimited` (429 with `Retry-After`).
//! Limits are checked before any expensive work (password hashing), so floods cost little.

use std::net::IpAddr;
use std::time::Duration;

use crate::{App, Error, Result};

/// Who a limit counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Ip,
    User,
}

/// Every limited operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Login,
    PasswordChange,
    BankSync,
    Import,
    Export,
    Admin,
    Oidc,
    Backup,
    DemoClear,
    /// Wrong passwords for one account name, from anywhere: the soft lockout starts after this
    /// many, and they are forgotten this long after the last one.
    AccountFailures,
}

impl Limit {
    pub const ALL: [Limit; 10] = [
        Limit::Login,
        Limit::PasswordChange,
        Limit::BankSync,
        Limit::Import,
        Limit::Export,
        Limit::Admin,
        Limit::Oidc,
        Limit::Backup,
        Limit::DemoClear,
        Limit::AccountFailures,
    ];

    /// (requests allowed, window, what is counted)
    pub fn spec(self) -> (i64, Duration, Scope) {
        const MIN: u64 = 60;
        match self {
            Limit::Login => (10, Duration::from_secs(15 * MIN), Scope::Ip),
            Limit::PasswordChange => (5, Duration::from_secs(15 * MIN), Scope::Ip),
            Limit::BankSync => (10, Duration::from_secs(15 * MIN), Scope::User),
            Limit::Import => (20, Duration::from_secs(15 * MIN), Scope::Ip),
            Limit::Export => (30, Duration::from_secs(15 * MIN), Scope::Ip),
            Limit::Admin => (30, Duration::from_secs(15 * MIN), Scope::Ip),
            Limit::Oidc => (20, Duration::from_secs(15 * MIN), Scope::Ip),
            Limit::Backup => (5, Duration::from_secs(60 * MIN), Scope::Ip),
            Limit::DemoClear => (3, Duration::from_secs(15 * MIN), Scope::Ip),
            Limit::AccountFailures => (5, Duration::from_secs(120 * MIN), Scope::User),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Limit::Login => "login",
            Limit::PasswordChange => "password",
            Limit::BankSync => "bank-sync",
            Limit::Import => "import",
            Limit::Export => "export",
            Limit::Admin => "admin",
            Limit::Oidc => "oidc",
            Limit::Backup => "backup",
            Limit::DemoClear => "demo-clear",
            Limit::AccountFailures => "account-failures",
        }
    }

    /// The counter key for `subject` (an IP address or a user id).
    pub fn key(self, subject: &str) -> String {
        format!("{}:{subject}", self.name())
    }
}

/// The subject an IP-scoped limit counts: a keyed hash of the address, so counters never hold
/// a client IP in plaintext (requests without a known address share one bucket).
pub fn ip_subject(app: &App, ip: Option<IpAddr>) -> String {
    let address = ip.map_or_else(|| "unknown".to_owned(), |ip| ip.to_string());
    format!("ip:{}", keyed(app, &address))
}

/// The subject of per-account limits: a keyed hash of the normalised account name, the same
/// for names that exist and names that do not.
pub fn name_subject(app: &App, username: &str) -> String {
    format!("name:{}", keyed(app, &username.trim().to_lowercase()))
}

fn keyed(app: &App, value: &str) -> String {
    use hmac::{Hmac, Mac};
    let key = app.keyring.subkey(crate::crypto::Purpose::RateLimit);
    match Hmac::<sha2::Sha256>::new_from_slice(key.as_ref()) {
        Ok(mut mac) => {
            mac.update(value.as_bytes());
            hex::encode(&mac.finalize().into_bytes()[..16])
        }
        Err(_) => hex::encode(value.as_bytes()),
    }
}

/// Counts one request against `limit` for `subject`; refuses it when over the limit.
pub async fn hit(app: &App, limit: Limit, subject: &str) -> Result<()> {
    let (max, window, _) = limit.spec();
    let now = app.now();
    let count = app
        .store
        .hit_rate_limit(&limit.key(subject), window, now)
        .await?;
    if count.hits > max {
        let ends = count.window_start + chrono::Duration::from_std(window).unwrap_or_default();
        let retry_after = (ends - now)
            .to_std()
            .unwrap_or_default()
            .max(Duration::from_secs(1));
        tracing::warn!(target: "security", limit = limit.name(), hits = count.hits, "rate limit reached");
        return Err(Error::RateLimited { retry_after });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rl_02_the_table_matches_product_section_7() {
        let min = |m: u64| Duration::from_secs(60 * m);
        let expected = [
            (Limit::Login, 10, min(15), Scope::Ip),
            (Limit::PasswordChange, 5, min(15), Scope::Ip),
            (Limit::BankSync, 10, min(15), Scope::User),
            (Limit::Import, 20, min(15), Scope::Ip),
            (Limit::Export, 30, min(15), Scope::Ip),
            (Limit::Admin, 30, min(15), Scope::Ip),
            (Limit::Oidc, 20, min(15), Scope::Ip),
            (Limit::Backup, 5, min(60), Scope::Ip),
            (Limit::DemoClear, 3, min(15), Scope::Ip),
        ];
        for (limit, max, window, scope) in expected {
            assert_eq!(limit.spec(), (max, window, scope), "{}", limit.name());
        }
        let names: std::collections::HashSet<_> = Limit::ALL.iter().map(|l| l.name()).collect();
        assert_eq!(
            names.len(),
            Limit::ALL.len(),
            "keys of different limits never collide"
        );
    }
}
