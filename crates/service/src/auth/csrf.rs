//! Signed double-submit CSRF tokens (OWASP CSRF cheat sheet, "signed double-submit cookie").
//!
//! token = base64url(random 32 bytes) "." base64url(HMAC-SHA-256(csrf key, binding "|" random))
//!
//! The binding is the session id (or "anonymous" before sign-in), so a token from one session
//! is refused in another and every sign-in changes it. A request passes when the token it
//! presents (header `x-csrf-token`, or the `csrf_token` form field) equals the cookie, in
//! constant time, and its signature verifies for the caller's binding.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::id::SessionId;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::App;
use crate::crypto::Purpose;

type HmacSha256 = Hmac<Sha256>;

/// What a token is bound to.
pub fn binding(session: Option<SessionId>) -> String {
    session.map_or_else(|| "anonymous".to_owned(), |id| format!("session:{id}"))
}

/// A new token for `binding`.
pub fn issue(app: &App, binding: &str) -> String {
    let nonce = crate::random::bytes::<32>(&*app.random);
    let nonce = URL_SAFE_NO_PAD.encode(nonce);
    let tag = sign(app, binding, &nonce);
    format!("{nonce}.{tag}")
}

/// Whether `presented` matches `cookie` and is validly signed for `binding`.
pub fn verify(app: &App, binding: &str, cookie: &str, presented: &str) -> bool {
    if cookie.is_empty() || presented.len() > 200 {
        return false;
    }
    if !bool::from(cookie.as_bytes().ct_eq(presented.as_bytes())) {
        return false;
    }
    let Some((nonce, tag)) = presented.split_once('.') else {
        return false;
    };
    let expected = sign(app, binding, nonce);
    bool::from(expected.as_bytes().ct_eq(tag.as_bytes()))
}

fn sign(app: &App, binding: &str, nonce: &str) -> String {
    let key = app.keyring.subkey(Purpose::Csrf);
    let Ok(mut mac) = HmacSha256::new_from_slice(key.as_ref()) else {
        // HMAC accepts keys of any length; this branch cannot be taken.
        return String::new();
    };
    mac.update(binding.as_bytes());
    mac.update(b"|");
    mac.update(nonce.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}
