//! Who is asking: sign-in, sessions, CSRF tokens and the resulting [`Principal`].
//!
//! Invariants:
//! - A session token is 256 random bits, sent only in the `bt_session` cookie and stored only
//!   as its SHA-256; the database never holds a usable credential.
//! - A session ends at its absolute lifetime (`SESSION_LIFETIME_DAYS`) or after
//!   `SESSION_IDLE_TIMEOUT_MINUTES` without use, whichever is first.
//! - CSRF tokens are signed double-submit tokens bound to the session (or to "anonymous" before
//!   sign-in); they change at sign-in.
//! - Unknown users and wrong passwords get the same answer after the same work.
//! - A right password opens a session only for accounts without a second factor; otherwise it
//!   opens a pending sign-in that only the second factor completes ([`mfa`]).
//! - Security-sensitive actions need a step-up within the last minutes ([`reauth`]).

pub mod csrf;
pub mod device;
pub mod external;
pub mod freshness;
pub mod known_device;
pub mod login;
pub mod mfa;
pub mod principal;
pub mod reauth;
pub mod session;
pub mod sign_in;

use std::net::IpAddr;

pub use principal::Principal;

/// Facts about the request that security events record.
#[derive(Debug, Clone, Default)]
pub struct RequestMeta {
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
    /// The known-device cookie as sent ([`known_device`]), if any.
    pub known_device: Option<String>,
}

/// The result of a successful sign-in: the new session's secret token (for the cookie), who
/// signed in, and the CSRF token bound to the new session.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub token: String,
    pub principal: Principal,
    /// A fresh known-device cookie value for this browser (full sign-ins only).
    pub known_device: Option<String>,
    pub csrf_token: String,
}
