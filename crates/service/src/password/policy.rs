//! Which new passwords are accepted (AUTH-03, AUTH-04).
//!
//! The rules follow NIST SP 800-63B §3.1.1.2 and OWASP ASVS 6.2: length is what makes a
//! password hard to guess, so the policy asks for **length only** — at least
//! [`MIN_CHARS`] characters, any characters at all (spaces, punctuation, any script), and no
//! composition rules ("one digit, one symbol"), which push people towards `Password1!` and
//! add nothing an attacker's rule set does not already try. What is refused instead is what
//! attackers try first: the most common passwords (an offline blocklist shipped in the
//! binary, `data/common-passwords.txt`) and words tied to the account or the site (the
//! username, the email address, "billtracker" with or without a year).
//!
//! Invariants:
//! - The byte length is checked before anything else, so a megabyte-long "password" is
//!   refused in constant time and never reaches the hasher (DoS guard, ASVS 6.2.9).
//! - Nothing is trimmed, truncated or normalised: the password that is checked is the one
//!   that is hashed, and verification compares it exactly (case matters). Unicode
//!   normalisation is not applied, so a passphrase must be typed with the same code points.
//! - Control characters (NUL, tab, line breaks, …) are refused: they cannot be typed
//!   reliably into a login form and NUL is truncated by some clients.
//! - Messages name the field and say what to do, never just "invalid".

use std::collections::HashSet;
use std::sync::LazyLock;

use domain::Invalid;

/// The fewest characters (Unicode scalar values) a new password may have.
pub const MIN_CHARS: usize = 8;

/// The most characters (Unicode scalar values) a new password may have.
pub const MAX_CHARS: usize = 256;

/// The most bytes (UTF-8) a password may have. Checked first, in constant time, so that an
/// oversized password is refused before it is counted, compared or hashed. Four bytes per
/// character at most means every password within [`MAX_CHARS`] also fits.
pub const MAX_BYTES: usize = 1024;

/// Words no password may contain, whatever the caller passes as context: the name of the
/// application is the first thing a targeted guess tries ("billtracker2026").
const SITE_WORDS: &[&str] = &["billtracker"];

/// Context words shorter than this are ignored: refusing every password that contains
/// "bob" or "ann" would refuse far more good passphrases than it stops guesses.
const MIN_CONTEXT_CHARS: usize = 4;

/// The offline blocklist: the most common passwords of 8+ characters, lower-case, one per
/// line (source and licence in `crates/service/data/README.md`).
pub(super) static BLOCKLIST: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../data/common-passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect()
});

/// Checks a password someone wants to set (sign-up, change, reset) against the policy.
///
/// `field` is the form field named in the error (`"password"`, `"new_password"`).
/// `context` holds words tied to the account that must not appear in the password: the
/// username, the email address and its local part (`&[&str]` or `&[String]`). Words shorter
/// than 4 characters are ignored; the application's name is always included. Matching
/// against the blocklist and the context is case-insensitive.
///
/// Call this before [`super::hash`]; the hash functions do not re-check the policy.
pub fn check_new(field: &str, password: &str, context: &[impl AsRef<str>]) -> Result<(), Invalid> {
    // Bytes first: constant time, before any per-character work on a huge input.
    if password.len() > MAX_BYTES {
        return Err(too_long(field));
    }
    let chars = password.chars().count();
    if chars > MAX_CHARS {
        return Err(too_long(field));
    }
    if chars < MIN_CHARS {
        return Err(Invalid::new(
            field,
            format!(
                "must be at least {MIN_CHARS} characters; a passphrase of a few words is long \
                 and easy to remember"
            ),
        ));
    }
    if password.chars().any(char::is_control) {
        return Err(Invalid::new(
            field,
            "must not contain control characters such as tabs or line breaks",
        ));
    }

    let lowered = password.to_lowercase();
    if BLOCKLIST.contains(lowered.as_str()) {
        return Err(Invalid::new(
            field,
            "is too common; choose a longer passphrase, for example a few unrelated words",
        ));
    }
    if contains_context_word(&lowered, context) {
        return Err(Invalid::new(
            field,
            "is too common: it contains your username, your email address or the name of this \
             site; choose a passphrase unrelated to them",
        ));
    }
    Ok(())
}

fn too_long(field: &str) -> Invalid {
    Invalid::new(field, format!("must be at most {MAX_CHARS} characters"))
}

/// Whether the lower-cased password contains any context or site word of 4+ characters.
fn contains_context_word(lowered_password: &str, context: &[impl AsRef<str>]) -> bool {
    context
        .iter()
        .map(AsRef::as_ref)
        .chain(SITE_WORDS.iter().copied())
        .map(|word| word.trim().to_lowercase())
        .filter(|word| word.chars().count() >= MIN_CONTEXT_CHARS)
        .any(|word| lowered_password.contains(&word))
}
