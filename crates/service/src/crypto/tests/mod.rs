//! Tests of the crypto module, named after the security spec's requirement ids (CRY-01..04,
//! HDR-07). Helpers build keyrings from fixed text keys so each test reads as one sentence.

mod field;
mod keys;
#[cfg(unix)]
mod sources;

use super::*;
use crate::config::Secret;

/// A keyring whose current key is the text `key` (at least 32 bytes).
fn keyring(key: &str) -> Keyring {
    Keyring::from_env_key(&Secret::new(key), &[]).expect("a valid key")
}

const KEY_A: &str = "correct horse battery staple, thirty-two bytes at least";
const KEY_B: &str = "another entirely different master key of enough length";

/// An [`Aad`] for the `users.totp_secret` cell of `row`.
fn cell(row: &str) -> Aad<'_> {
    Aad {
        table: "users",
        column: "totp_secret",
        row,
    }
}
