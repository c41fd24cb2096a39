//! Passwords: which ones may be set, and how they are stored and checked.
//!
//! - [`check_new`] — the policy for a new password: 8–256 characters, any characters but
//!   control characters, no composition rules, not a common password, not the username,
//!   email or site name (NIST SP 800-63B, OWASP ASVS 6.2). See `policy.rs` for why.
//! - [`hash`] / [`verify`] — Argon2id with OWASP's parameters (m = 19456 KiB, t = 2, p = 1),
//!   legacy bcrypt accepted and flagged for upgrade, and [`verify_unknown_user`] so a login
//!   for a missing user costs the same as a wrong password. See `hash.rs` for why.
//! - [`hash_async`] / [`verify_async`] — the same on a fixed pool of two threads
//!   (`pool.rs`), for async callers: Argon2 takes tens of milliseconds of CPU and 19 MiB of
//!   memory per call, must not stall the runtime's worker threads, and must not leave 19 MiB
//!   behind on every thread it ever ran on.
//!
//! A login therefore reads:
//! ```ignore
//! let stored = store.password_hash_for(&username).await?; // None for unknown users
//! match password::verify_async(form.password, stored).await {
//!     Verification::Valid { needs_rehash } => { /* sign in; if needs_rehash, store hash_async(..) */ }
//!     Verification::Invalid => return Err(Error::Unauthenticated),
//! }
//! ```
//!
//! The plain-text passwords handed to the async functions are wiped from memory
//! (`zeroize`) once the blocking task is done with them.

mod hash;
mod policy;
mod pool;
#[cfg(test)]
mod tests;

use zeroize::Zeroizing;

pub use hash::{
    ITERATIONS, MEMORY_KIB, PARALLELISM, Verification, hash, verify, verify_unknown_user,
};
pub use policy::{MAX_BYTES, MAX_CHARS, MIN_CHARS, check_new};

use crate::Error;

/// [`hash`] on the hashing pool. The password is zeroized afterwards.
pub async fn hash_async(password: String) -> Result<String, Error> {
    let password = Zeroizing::new(password);
    pool::run(move || hash(&password))
        .await
        .unwrap_or_else(|| Err(Error::internal("the password hashing pool is not running")))
}

/// [`verify`] on the hashing pool; `stored` is `None` when the user does not exist, in which
/// case a dummy hash is verified (same cost) and the answer is [`Verification::Invalid`].
/// A failed blocking task is also `Invalid`. The password is zeroized afterwards.
pub async fn verify_async(password: String, stored: Option<String>) -> Verification {
    let password = Zeroizing::new(password);
    pool::run(move || match stored {
        Some(stored) => verify(&password, &stored),
        None => {
            verify_unknown_user(&password);
            Verification::Invalid
        }
    })
    .await
    .unwrap_or(Verification::Invalid)
}
