//! Recovery codes: the way in when the phone is lost (MFA-04).
//!
//! Invariants:
//! - [`CODES`] codes per set, each 25 base32 characters from the injected random source:
//!   125 bits, beyond the ASVS 6.5.2 bar of 112 bits for codes that are not slow-hashed.
//! - Stored as SHA-256 only. A fast hash is enough because the codes are random and long: no
//!   dictionary exists to try, and 2^125 guesses are out of reach; Argon2 would only slow
//!   every sign-in down. The database never holds a usable code.
//! - Shown once, when issued. Each works once (spent in the database, so two requests with
//!   the same code cannot both win); a new set replaces the old one in one transaction.
//! - Using one is audited and logged as a security event, with how many are left.

use domain::factor::{RECOVERY_ALPHABET, RECOVERY_CODE_CHARS, RecoveryCode};
use domain::id::UserId;
use sha2::{Digest, Sha256};
use store::users::UserRow;

use super::{factors_changed, require_sign_in_mode};
use crate::audit::{self, Actor};
use crate::auth::{Principal, RequestMeta, freshness};
use crate::random::Random;
use crate::{App, Error, Result};

/// Codes in a set.
pub const CODES: usize = 10;

/// A new set of codes.
pub fn generate(random: &dyn Random) -> Vec<RecoveryCode> {
    (0..CODES)
        .map(|_| {
            let mut raw = [0u8; RECOVERY_CODE_CHARS];
            random.fill(&mut raw);
            // 5 bits of each byte: every character of the alphabet equally likely.
            let text: String = raw
                .iter()
                .map(|b| char::from(RECOVERY_ALPHABET[usize::from(b & 31)]))
                .collect();
            RecoveryCode::parse("recovery_code", &text)
        })
        .filter_map(std::result::Result::ok)
        .collect()
}

/// The stored form of a code: hex SHA-256 of its normalised text.
pub fn hash(code: &RecoveryCode) -> String {
    hex::encode(Sha256::digest(code.as_str().as_bytes()))
}

/// A new set of codes and their stored forms (nothing stored yet).
pub(crate) fn fresh(app: &App) -> Result<(Vec<RecoveryCode>, Vec<String>)> {
    let codes = generate(&*app.random);
    if codes.len() != CODES {
        return Err(Error::internal(
            "recovery code generation produced too few codes",
        ));
    }
    let hashes = codes.iter().map(hash).collect();
    Ok((codes, hashes))
}

/// Issues a new set for `user`, replacing the old one; returns the codes to show once.
pub(crate) async fn issue(app: &App, user: UserId) -> Result<Vec<RecoveryCode>> {
    let (codes, hashes) = fresh(app)?;
    app.store
        .replace_recovery_codes(user, &hashes, app.now())
        .await?;
    Ok(codes)
}

/// Spends `code` of `user` if it is one of their unused codes; audits and logs the use.
pub(crate) async fn spend(
    app: &App,
    user: &UserRow,
    code: &RecoveryCode,
    meta: &RequestMeta,
) -> Result<bool> {
    if !app
        .store
        .use_recovery_code(user.id, &hash(code), app.now())
        .await?
    {
        return Ok(false);
    }
    let left = app.store.unused_recovery_codes(user.id).await?;
    tracing::warn!(target: "security", user = %user.id, left, "a recovery code was used");
    audit::record(
        app,
        &Actor::User {
            id: user.id,
            username: user.username.clone(),
        },
        "mfa.recovery_code_used",
        Some(format!("user:{}", user.username)),
        meta.ip,
        serde_json::json!({"left": left}),
    )
    .await?;
    Ok(true)
}

/// `POST …/recovery-codes`: a new set for the caller, the old one stops working (fresh step-up
/// needed; only with a second factor set up). Ends the caller's other sessions.
pub async fn regenerate(
    app: &App,
    principal: &Principal,
    meta: &RequestMeta,
) -> Result<Vec<RecoveryCode>> {
    require_sign_in_mode(app)?;
    freshness::require_fresh(app, principal).await?;
    let has_factor = app
        .store
        .factors_of(principal.user_id)
        .await?
        .iter()
        .any(|f| f.confirmed);
    if !has_factor {
        return Err(Error::Conflict {
            field: "recovery_codes".into(),
            message: "set up an authenticator app first; recovery codes go with it".into(),
        });
    }
    let codes = issue(app, principal.user_id).await?;
    factors_changed(
        app,
        principal,
        "mfa.recovery_codes_regenerated",
        serde_json::json!({"codes": codes.len()}),
        meta,
    )
    .await?;
    Ok(codes)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;
    use crate::random::OsRandom;

    #[test]
    fn mfa_04_a_set_has_ten_distinct_codes_of_125_bits_stored_as_sha_256() {
        let codes = generate(&OsRandom);
        assert_eq!(codes.len(), CODES);
        let distinct: HashSet<_> = codes.iter().map(RecoveryCode::as_str).collect();
        assert_eq!(distinct.len(), CODES);
        for code in &codes {
            assert_eq!(code.as_str().len(), 25);
            assert_eq!(code.grouped().len(), 29, "five groups of five");
            let stored = hash(code);
            assert_eq!(stored.len(), 64);
            assert!(!stored.contains(code.as_str()));
            let typed = RecoveryCode::parse("recovery_code", &code.grouped().to_uppercase())
                .expect("typed back");
            assert_eq!(
                hash(&typed),
                stored,
                "typing it with dashes and capitals matches"
            );
        }
        // 25 characters × log2(32) bits.
        const { assert!(RECOVERY_CODE_CHARS * 5 >= 112) };
    }
}
