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
    /// Wrong second factors (TOTP or recovery codes) for one account, from anywhere, after a
    /// right password: the same growing delay starts after this many (MFA-02).
    MfaFailures,
    /// Step-up re-authentication attempts (password checks of signed-in users).
    Reauth,
}

impl Limit {
    pub const ALL: [Limit; 12] = [
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
        Limit::MfaFailures,
        Limit::Reauth,
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
            Limit::MfaFailures => (5, Duration::from_secs(120 * MIN), Scope::User),
            Limit::Reauth => (10, Duration::from_secs(15 * MIN), Scope::Ip),
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
            Limit::MfaFailures => "mfa-failures",
            Limit::Reauth => "reauth",
        }
    }

    /// The counter key for `subject` (an IP address or a user id).
    pub fn key(self, subject: &str) -> String {
        format!("{}:{subject}", self.name())
    }
}

/// The subject an IP-scoped limit counts: a keyed hash of the client's bucket (see
/// [`ip_bucket`]), so counters never hold a client IP in plaintext.
pub fn ip_subject(app: &App, ip: Option<IpAddr>) -> String {
    format!("ip:{}", keyed(app, &ip_bucket(ip)))
}

/// What one client is, for IP limits: an IPv4 address; an IPv6 client's /64 (one subscriber
/// or LAN gets a whole /64 and can use any address in it, so counting single IPv6 addresses
/// would give one attacker 2^64 budgets); an IPv4-mapped IPv6 address (`::ffff:a.b.c.d`) is
/// its IPv4 address. Requests without a known address share one bucket.
fn ip_bucket(ip: Option<IpAddr>) -> String {
    match ip {
        None => "unknown".to_owned(),
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let prefix = u128::from(v6) & (u128::MAX << 64);
                format!("{}/64", std::net::Ipv6Addr::from(prefix))
            }
        },
    }
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

/// The longest delay a failure counter can impose.
pub const MAX_FAILURE_DELAY: Duration = Duration::from_secs(15 * 60);

/// The delay after the `failures`-th failure counted under `limit` (`AccountFailures`,
/// `MfaFailures`): zero while the free failures of the table last, then 30 s doubling up to
/// [`MAX_FAILURE_DELAY`]. A delay slows an attacker down and always ends: never a lock.
pub fn failure_delay(limit: Limit, failures: i64) -> Duration {
    let (free, _, _) = limit.spec();
    if failures < free {
        return Duration::ZERO;
    }
    let doublings = u32::try_from(failures - free).unwrap_or(u32::MAX).min(10);
    Duration::from_secs(30)
        .saturating_mul(2u32.saturating_pow(doublings))
        .min(MAX_FAILURE_DELAY)
}

/// How long after its last failure a failure counter under `limit` is forgotten.
fn forget_after(limit: Limit) -> chrono::Duration {
    let (_, window, _) = limit.spec();
    chrono::Duration::from_std(window).unwrap_or(chrono::Duration::hours(2))
}

/// Refuses (`RateLimited` with the time left) while `subject`'s failures under `limit` still
/// impose a delay.
pub async fn check_failures(app: &App, limit: Limit, subject: &str) -> Result<()> {
    let now = app.now();
    let Some((failures, last)) = app
        .store
        .failures(&limit.key(subject), now - forget_after(limit))
        .await?
    else {
        return Ok(());
    };
    let until =
        last + chrono::Duration::from_std(failure_delay(limit, failures)).unwrap_or_default();
    if until > now {
        tracing::warn!(target: "security", limit = limit.name(), failures, "refused: failure delay");
        let retry_after = (until - now)
            .to_std()
            .unwrap_or_default()
            .max(Duration::from_secs(1));
        return Err(Error::RateLimited { retry_after });
    }
    Ok(())
}

/// Counts one failure for `subject` under `limit`; returns the failures so far.
pub async fn record_failure(app: &App, limit: Limit, subject: &str) -> Result<i64> {
    let now = app.now();
    Ok(app
        .store
        .record_failure(&limit.key(subject), now, now - forget_after(limit))
        .await?)
}

/// Forgets `subject`'s failures under `limit` (after a success).
pub async fn clear_failures(app: &App, limit: Limit, subject: &str) -> Result<()> {
    Ok(app.store.clear_rate_limit(&limit.key(subject)).await?)
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

    /// The table itself (counts, windows, scopes) is tested through requests, route by route:
    /// `rl_02_*` in `web/tests/it/rate_limits.rs`.
    #[test]
    fn keys_of_different_limits_never_collide() {
        let names: std::collections::HashSet<_> = Limit::ALL.iter().map(|l| l.name()).collect();
        assert_eq!(names.len(), Limit::ALL.len());
    }

    #[test]
    fn rl_03_ipv6_clients_are_counted_by_their_64_and_mapped_ipv4_by_the_ipv4() {
        let bucket = |ip: &str| ip_bucket(Some(ip.parse().expect("ip")));
        assert_eq!(
            bucket("2001:db8:1:2::1"),
            bucket("2001:db8:1:2:ffff:ffff:ffff:ffff"),
            "one /64, one bucket"
        );
        assert_eq!(bucket("2001:db8:1:2::1"), bucket("2001:db8:1:2:abcd::9"));
        assert_ne!(
            bucket("2001:db8:1:2::1"),
            bucket("2001:db8:1:3::1"),
            "the next /64 is another client"
        );
        assert_eq!(
            bucket("::ffff:192.0.2.7"),
            bucket("192.0.2.7"),
            "a mapped address is its IPv4"
        );
        assert_ne!(
            bucket("192.0.2.7"),
            bucket("192.0.2.8"),
            "IPv4 addresses are counted one by one"
        );
        assert_ne!(bucket("::ffff:192.0.2.7"), bucket("::ffff:192.0.2.8"));
        assert_ne!(ip_bucket(None), bucket("192.0.2.7"));
    }

    #[test]
    fn mfa_02_failure_delays_start_after_the_free_failures_and_stay_bounded() {
        assert_eq!(failure_delay(Limit::MfaFailures, 4), Duration::ZERO);
        assert_eq!(
            failure_delay(Limit::MfaFailures, 5),
            Duration::from_secs(30)
        );
        assert_eq!(
            failure_delay(Limit::MfaFailures, 6),
            Duration::from_secs(60)
        );
        assert_eq!(failure_delay(Limit::MfaFailures, 1_000), MAX_FAILURE_DELAY);
        assert_eq!(
            failure_delay(Limit::AccountFailures, 7),
            Duration::from_secs(120)
        );
    }
}
