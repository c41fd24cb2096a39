//! Hashing and verifying passwords (AUTH-01, AUTH-02, AUTH-06).
//!
//! New hashes are **Argon2id** (RFC 9106) with the OWASP Password Storage Cheat Sheet's
//! first recommended configuration: m = 19 MiB (19456 KiB), t = 2 iterations, p = 1 lane, a
//! random 16-byte salt and a 32-byte output, stored as a self-describing PHC string
//! (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`). Because the string carries its own
//! parameters, older hashes keep verifying after the parameters are raised, and
//! [`Verification::Valid`] says whether the caller should store a fresh hash while it holds
//! the plain password (upgrade on login, ASVS 11.2.2).
//!
//! Legacy **bcrypt** hashes (`$2a$`, `$2b$`, `$2y$`, e.g. from an import) verify too, and
//! always ask for a rehash. bcrypt only reads the first 72 bytes of a password; to keep
//! verification exact, a password of 72 bytes or more never matches a bcrypt hash (such a
//! user resets their password once).
//!
//! Unknown users must cost the same as wrong passwords, or response times reveal which
//! usernames exist (AUTH-06, ASVS 6.3.8). [`verify_unknown_user`] therefore verifies against
//! a fixed dummy hash with the current parameters and throws the result away.
//!
//! Invariants: nothing here panics on any input; an unparseable, unknown or absurd stored
//! hash is [`Verification::Invalid`]. Hashing is CPU- and memory-heavy (tens of
//! milliseconds), so async code uses [`super::hash_async`] / [`super::verify_async`], which
//! run on a fixed pool of two threads.
//!
//! Memory: each thread keeps one Argon2 work area and reuses it (wiped after every use).
//! Letting the crate allocate a fresh 19 MiB area per call left the freed areas unused by the
//! allocator: resident memory grew by about 19 MiB per sign-in (measured: 12 → 208 MB after 10).

use std::cell::RefCell;

use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use rand::TryRngCore;
use rand::rngs::OsRng;
use subtle::ConstantTimeEq;

use super::policy::MAX_BYTES;
use crate::Error;

/// Argon2id memory cost in KiB (OWASP: 19 MiB with t = 2).
pub const MEMORY_KIB: u32 = 19_456;
/// Argon2id iterations (OWASP: 2 with m = 19 MiB).
pub const ITERATIONS: u32 = 2;
/// Argon2id lanes (OWASP: 1).
pub const PARALLELISM: u32 = 1;
/// Salt length in bytes (RFC 9106 recommends 16).
const SALT_BYTES: usize = 16;
/// Length of the stored tag in bytes.
const OUTPUT_BYTES: usize = 32;
/// `SALT_BYTES` in unpadded base64, as the PHC string stores it.
const SALT_B64_CHARS: usize = 22;

/// Stored hashes asking for more than this are treated as corrupt rather than being allowed
/// to take a gigabyte of memory or minutes of CPU per login.
const MAX_STORED_MEMORY_KIB: u32 = 1024 * 1024;
const MAX_STORED_ITERATIONS: u32 = 32;
const MAX_STORED_PARALLELISM: u32 = 16;
const MAX_STORED_BCRYPT_COST: u32 = 16;

/// A fixed Argon2id hash with the current parameters, of a random password nobody knows.
/// Only ever used to spend the same time on unknown users as on known ones.
/// Work areas larger than this (only from odd stored hashes) are not kept between calls.
const MAX_KEPT_BLOCKS: usize = 4 * MEMORY_KIB as usize;

thread_local! {
    /// This thread's Argon2 work area, reused by every call on the thread.
    static WORK_AREA: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Runs Argon2 into `out` using this thread's work area, and wipes the area afterwards.
fn argon2_into(
    algorithm: Algorithm,
    version: Version,
    params: Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
) -> Result<(), argon2::Error> {
    let needed = params.block_count();
    let hasher = Argon2::new(algorithm, version, params);
    if needed > MAX_KEPT_BLOCKS {
        let mut area = vec![Block::default(); needed];
        return hasher.hash_password_into_with_memory(password, salt, out, &mut area);
    }
    WORK_AREA.with(|cell| {
        let mut area = cell.borrow_mut();
        if area.len() < needed {
            area.resize(needed, Block::default());
        }
        let result =
            hasher.hash_password_into_with_memory(password, salt, out, &mut area[..needed]);
        area[..needed].fill(Block::default());
        result
    })
}

pub(super) const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$CNAXw1VveAm9XrxM3crq/A$x9V2g3dFG24aKQCq0P/ACvqxA1bvkNoRUWhcSOodlqo";

/// The outcome of checking a password against a stored hash.
#[must_use]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verification {
    /// The password matches. When `needs_rehash` is true the stored hash uses an older
    /// algorithm or weaker parameters: hash the password again with [`hash`] and store it.
    Valid { needs_rehash: bool },
    /// Wrong password, unknown user, or a stored hash that cannot be read.
    Invalid,
}

/// Hashes a new password with Argon2id and the current parameters, returning a PHC string.
///
/// Takes tens of milliseconds: call it from blocking code or through
/// [`super::hash_async`]. Check the password with [`super::check_new`] first.
pub fn hash(password: &str) -> Result<String, Error> {
    let mut salt = [0u8; SALT_BYTES];
    OsRng.try_fill_bytes(&mut salt).map_err(Error::internal)?;
    let params = current_params().map_err(Error::internal)?;
    let mut out = [0u8; OUTPUT_BYTES];
    argon2_into(
        Algorithm::Argon2id,
        Version::V0x13,
        params.clone(),
        password.as_bytes(),
        &salt,
        &mut out,
    )
    .map_err(Error::internal)?;
    let salt = SaltString::encode_b64(&salt).map_err(Error::internal)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(Error::internal)?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(Error::internal)?),
    };
    Ok(phc.to_string())
}

/// Checks `password` against a stored Argon2 PHC string or bcrypt hash, exactly (no
/// trimming, case matters). Never panics: anything unreadable is [`Verification::Invalid`].
///
/// Takes tens of milliseconds: call it from blocking code or through
/// [`super::verify_async`].
pub fn verify(password: &str, stored: &str) -> Verification {
    // No valid password is this long; refusing it here keeps the login path as cheap as the
    // policy check for oversized input, for known and unknown users alike.
    if password.len() > MAX_BYTES {
        return Verification::Invalid;
    }
    if stored.starts_with("$argon2") {
        verify_argon2(password, stored)
    } else if ["$2a$", "$2b$", "$2y$"]
        .iter()
        .any(|p| stored.starts_with(p))
    {
        verify_bcrypt(password, stored)
    } else {
        Verification::Invalid
    }
}

/// Spends the time of one [`verify`] with the current parameters and forgets the result, so
/// a login for a username that does not exist takes as long as one with a wrong password.
pub fn verify_unknown_user(password: &str) {
    // `black_box` keeps the optimiser from discarding work whose result is unused.
    let _ = std::hint::black_box(verify(
        std::hint::black_box(password),
        std::hint::black_box(DUMMY_HASH),
    ));
}

fn current_params() -> Result<Params, argon2::Error> {
    Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, Some(OUTPUT_BYTES))
}

fn verify_argon2(password: &str, stored: &str) -> Verification {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return Verification::Invalid;
    };
    let Ok(algorithm) = Algorithm::try_from(parsed.algorithm) else {
        return Verification::Invalid;
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return Verification::Invalid;
    };
    let Ok(version) = parsed.version.map(Version::try_from).transpose() else {
        return Verification::Invalid;
    };
    if params.m_cost() > MAX_STORED_MEMORY_KIB
        || params.t_cost() > MAX_STORED_ITERATIONS
        || params.p_cost() > MAX_STORED_PARALLELISM
    {
        return Verification::Invalid;
    }
    // The stored string's own algorithm, version, parameters and salt are used for verifying.
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return Verification::Invalid;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_bytes) else {
        return Verification::Invalid;
    };
    let Ok(params) = Params::new(
        params.m_cost(),
        params.t_cost(),
        params.p_cost(),
        Some(expected.len()),
    ) else {
        return Verification::Invalid;
    };
    let mut out = vec![0u8; expected.len()];
    let version_used = version.unwrap_or(Version::V0x10);
    if argon2_into(
        algorithm,
        version_used,
        params.clone(),
        password.as_bytes(),
        salt_bytes,
        &mut out,
    )
    .is_err()
    {
        return Verification::Invalid;
    }
    if !bool::from(out.as_slice().ct_eq(expected.as_bytes())) {
        return Verification::Invalid;
    }
    let weaker = algorithm != Algorithm::Argon2id
        || version != Some(Version::V0x13)
        || params.m_cost() < MEMORY_KIB
        || params.t_cost() < ITERATIONS
        || params.p_cost() < PARALLELISM
        || parsed.hash.is_none_or(|h| h.len() < OUTPUT_BYTES)
        || parsed.salt.is_none_or(|s| s.len() < SALT_B64_CHARS);
    Verification::Valid {
        needs_rehash: weaker,
    }
}

fn verify_bcrypt(password: &str, stored: &str) -> Verification {
    let cost = stored.get(4..6).and_then(|c| c.parse::<u32>().ok());
    if cost.is_none_or(|c| c > MAX_STORED_BCRYPT_COST) {
        return Verification::Invalid;
    }
    // Non-truncating: a password of 72+ bytes is an error, not a match on its prefix.
    match bcrypt::non_truncating_verify(password, stored) {
        Ok(true) => Verification::Valid { needs_rehash: true },
        Ok(false) | Err(_) => Verification::Invalid,
    }
}
