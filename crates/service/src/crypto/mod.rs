//! Key management and field encryption (security spec CRY-01..04, HDR-07).
//!
//! One master key protects everything; nothing uses it directly. Each purpose gets its own
//! subkey through HKDF-SHA-256, so a key handed to one feature (say CSRF tokens) reveals nothing
//! about another (say stored secrets).
//!
//! Invariants:
//! - **Where the master key comes from** ([`load_keyring`]), in this order: `TOKEN_ENCRYPTION_KEY`
//!   (plus previous keys during a rotation); else `DATA_DIR/master.key`; else, only when the
//!   database holds no encrypted data yet, a freshly generated key written to that file (mode
//!   0600). A key is never generated over existing data, and a key file other users can read is
//!   refused.
//! - **Every spelling of a key works the same way.** The input (64 hex characters as raw bytes,
//!   otherwise the text itself) is normalised with HKDF-Extract, so the hex line of a key file
//!   pasted into `TOKEN_ENCRYPTION_KEY` is the same key.
//! - **Ciphertext names its key.** `v1.<key-id>.<base64url(nonce ‖ ciphertext ‖ tag)>`; the key id
//!   is a hash of derived material, safe to show, and lets previous keys keep decrypting while
//!   [`Keyring::needs_rotation`] finds what to re-encrypt.
//! - **A stored value is bound to its cell.** The table, column and row id are authenticated
//!   ([`Aad`]), so a ciphertext copied to another row or column does not decrypt.
//! - **Failures say nothing useful to an attacker.** Every decryption failure is the same
//!   [`CryptoError::Decrypt`]; no error message or `Debug` output contains key material.
//! - **Zeroisation is best effort.** Master keys and subkeys live in [`zeroize::Zeroizing`]
//!   buffers; copies inside the AES and HMAC implementations are not wiped.
//!
//! Crypto inventory (HKDF info labels, see [`PURPOSES`]):
//!
//! | label | used for |
//! |---|---|
//! | `billtracker/v1/master` | HKDF-Extract salt normalising the master key |
//! | `billtracker/v1/key-id` | key ids (first 8 hex of SHA-256 of this derived block) |
//! | `billtracker/v1/field-encryption` | AES-256-GCM for stored fields |
//! | `billtracker/v1/csrf` | CSRF token MACs |
//! | `billtracker/v1/backup` | backup encryption |
//! | `billtracker/v1/feed-token` | calendar feed tokens |
//! | `billtracker/v1/setup` | first-start setup links |
//!
//! Files: [`keys`] (normalisation, ids, the [`Keyring`]), [`field`] (encrypt, decrypt, canary),
//! [`keyfile`] (the key file, rotation), [`source`] (choosing the key at start-up).

pub mod field;
pub mod keyfile;
pub mod keys;
pub mod source;

#[cfg(test)]
mod tests;

use std::path::PathBuf;

pub use field::{Aad, CANARY_AAD, ciphertext_key_id};
pub use keyfile::{KEY_FILE_NAME, finish_rotation, key_file_path, rotate_key_file};
pub use keys::{KEY_ID_LABEL, Keyring, MASTER_SALT, MIN_KEY_TEXT_BYTES};
pub use source::{KeySource, KeySources, LoadedKeyring, load_keyring};

/// The environment variable holding the master key; error messages name it.
pub const ENV_KEY: &str = "TOKEN_ENCRYPTION_KEY";

/// What a subkey is for. Each purpose has its own HKDF info label, so its key is independent
/// of every other purpose's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// AES-256-GCM encryption of stored fields ([`Keyring::encrypt`]).
    FieldEncryption = 0,
    /// MACs of CSRF tokens.
    Csrf = 1,
    /// Encryption of backups.
    Backup = 2,
    /// Calendar feed tokens.
    FeedToken = 3,
    /// First-start setup links.
    Setup = 4,
    /// Keyed hashes of client addresses in rate-limit counters (no plaintext IPs at rest).
    RateLimit = 5,
    /// MACs of known-device cookies (a browser that signed in to an account before).
    KnownDevice = 6,
}

impl Purpose {
    /// How many purposes there are.
    pub const COUNT: usize = 7;

    /// Every purpose, in discriminant order.
    pub const ALL: [Purpose; Purpose::COUNT] = [
        Purpose::FieldEncryption,
        Purpose::Csrf,
        Purpose::Backup,
        Purpose::FeedToken,
        Purpose::Setup,
        Purpose::RateLimit,
        Purpose::KnownDevice,
    ];

    /// The HKDF info label, `billtracker/v1/<purpose>`. Changing one changes that key.
    pub const fn label(self) -> &'static str {
        match self {
            Purpose::FieldEncryption => "billtracker/v1/field-encryption",
            Purpose::Csrf => "billtracker/v1/csrf",
            Purpose::Backup => "billtracker/v1/backup",
            Purpose::FeedToken => "billtracker/v1/feed-token",
            Purpose::Setup => "billtracker/v1/setup",
            Purpose::RateLimit => "billtracker/v1/rate-limit",
            Purpose::KnownDevice => "billtracker/v1/known-device",
        }
    }
}

/// Every purpose label, for the crypto inventory in the documentation.
pub const PURPOSES: [&str; Purpose::COUNT] = [
    Purpose::FieldEncryption.label(),
    Purpose::Csrf.label(),
    Purpose::Backup.label(),
    Purpose::FeedToken.label(),
    Purpose::Setup.label(),
    Purpose::RateLimit.label(),
    Purpose::KnownDevice.label(),
];

/// What can go wrong with keys and encrypted fields. Messages name the environment variable or
/// the file to fix and never contain key material.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// No key is configured or on disk, but the database already holds encrypted data.
    #[error(
        "no master key: {ENV_KEY} is not set and {} does not exist, but the database already \
         holds encrypted data; restore the key (set {ENV_KEY} or put the key file back), because \
         a new key could not read that data",
        .key_file.display()
    )]
    NoKeyForExistingData { key_file: PathBuf },
    /// A key given as text is shorter than [`MIN_KEY_TEXT_BYTES`].
    #[error(
        "{name} is too short: use at least {MIN_KEY_TEXT_BYTES} bytes of text or 64 hex characters"
    )]
    KeyTooShort { name: String },
    /// The key file can be read or written by the group or other users.
    #[error(
        "{} is accessible by other users (mode {mode:o}); run `chmod 600 {}`",
        .path.display(),
        .path.display()
    )]
    UnsafeKeyFilePermissions { path: PathBuf, mode: u32 },
    /// The key file is not in the `<key-id>:<64 hex>` line format, or an id does not match.
    #[error("key file {}: {reason}", .path.display())]
    MalformedKeyFile { path: PathBuf, reason: String },
    /// A stored value could not be decrypted: malformed, unknown key, wrong cell or altered.
    /// Deliberately without detail.
    #[error("could not decrypt a stored value (wrong key, or the data was altered)")]
    Decrypt,
    /// AES-GCM refused to encrypt: only for values over 64 GiB ([`Keyring::try_encrypt`]).
    #[error("could not encrypt the value")]
    Encrypt,
    /// HKDF refused to derive a 32-byte key (cannot happen with SHA-256).
    #[error("could not derive a key")]
    Derive,
    /// Reading or writing the key file failed.
    #[error("key file {}: {source}", .path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl From<CryptoError> for crate::Error {
    /// Crypto failures are never the user's to fix, so they become `Internal` (logged once,
    /// never shown).
    fn from(err: CryptoError) -> Self {
        crate::Error::internal(err)
    }
}
