//! Known devices (AUTH-10, OWASP "device cookies"): a browser that signed in to an account gets
//! a long-lived cookie naming the account and a random device id, MACed with the
//! [`Purpose::KnownDevice`] subkey. At the next sign-in to that account, the cookie lets the
//! browser past the account-wide failure delay, which then slows only strangers: an attacker
//! who fails again each time `Retry-After` ends keeps unknown browsers waiting, never the
//! owner's. A known device has a failure counter of its own, so a stolen cookie is worth five
//! guesses and then the same growing delay.
//!
//! The cookie proves only "this browser signed in to this account before"; it opens nothing by
//! itself (the password, and the second factor, are still asked), is bound to one account (a
//! cookie of another account is ignored), and cannot be forged without the master key.

use domain::id::UserId;
use hmac::{Hmac, Mac};

use crate::App;
use crate::crypto::Purpose;

/// How long a known-device cookie lasts.
pub const LIFETIME: std::time::Duration = std::time::Duration::from_secs(365 * 24 * 60 * 60);

fn mac(app: &App, user: UserId, device: &str) -> String {
    let key = app.keyring.subkey(Purpose::KnownDevice);
    match Hmac::<sha2::Sha256>::new_from_slice(key.as_ref()) {
        Ok(mut mac) => {
            mac.update(user.to_string().as_bytes());
            mac.update(b".");
            mac.update(device.as_bytes());
            hex::encode(&mac.finalize().into_bytes()[..16])
        }
        // HMAC takes keys of any length; this arm never runs. An empty MAC matches nothing.
        Err(_) => String::new(),
    }
}

/// A new cookie value for `user` on this browser: `<user id>.<device id>.<mac>`.
pub fn issue(app: &App, user: UserId) -> String {
    let device = hex::encode(crate::random::bytes::<16>(&*app.random));
    let mac = mac(app, user, &device);
    format!("{user}.{device}.{mac}")
}

/// The device id in `cookie` when it is a genuine known-device cookie of `user`.
pub fn recognise(app: &App, cookie: &str, user: UserId) -> Option<String> {
    if cookie.len() > 200 {
        return None;
    }
    let mut parts = cookie.split('.');
    let (Some(owner), Some(device), Some(presented), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    if owner != user.to_string() || device.len() != 32 || presented.is_empty() {
        return None;
    }
    let expected = mac(app, user, device);
    let same: bool =
        subtle::ConstantTimeEq::ct_eq(expected.as_bytes(), presented.as_bytes()).into();
    (same && !expected.is_empty()).then(|| device.to_owned())
}

/// The subject of a known device's own failure counter.
pub fn failure_subject(user: UserId, device: &str) -> String {
    format!("device:{user}:{device}")
}
