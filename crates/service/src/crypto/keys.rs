//! Master keys, key ids and the [`Keyring`].
//!
//! A master key enters as bytes of any length: the text of `TOKEN_ENCRYPTION_KEY` (or its
//! 64-hex spelling decoded), or the 32 random bytes of a key-file line. HKDF-Extract with the
//! fixed salt [`MASTER_SALT`] turns every one of them into a uniform 32-byte pseudorandom key,
//! from which HKDF-Expand derives the key id and one subkey per [`Purpose`]. The keyring keeps
//! only the derived material, computed once when it is built, so handing out a subkey cannot
//! fail later.
//!
//! Invariant: the same input bytes always give the same id and subkeys; different labels give
//! independent keys. `Debug` shows key ids only.

use std::fmt;

use hkdf::Hkdf;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::{CryptoError, ENV_KEY, Purpose};
use crate::config::Secret;

/// HKDF-Extract salt that normalises every spelling of a master key.
pub const MASTER_SALT: &str = "billtracker/v1/master";

/// HKDF info label whose output, hashed with SHA-256, gives a key's id.
pub const KEY_ID_LABEL: &str = "billtracker/v1/key-id";

/// The shortest master key accepted as text, in bytes.
pub const MIN_KEY_TEXT_BYTES: usize = 32;

/// How many hex characters of the SHA-256 digest form a key id.
const KEY_ID_HEX_LEN: usize = 8;

/// Everything derived from one master key: its public id and its per-purpose subkeys.
#[derive(Clone)]
pub(super) struct DerivedKeys {
    id: String,
    subkeys: [Zeroizing<[u8; 32]>; Purpose::COUNT],
}

impl DerivedKeys {
    /// Derives the id and every subkey from master-key input bytes (`ikm`).
    pub(super) fn from_ikm(ikm: &[u8]) -> Result<Self, CryptoError> {
        let (_prk, hkdf) = Hkdf::<Sha256>::extract(Some(MASTER_SALT.as_bytes()), ikm);

        let mut id_block = Zeroizing::new([0u8; 32]);
        hkdf.expand(KEY_ID_LABEL.as_bytes(), id_block.as_mut_slice())
            .map_err(|_| CryptoError::Derive)?;
        let mut id = hex::encode(Sha256::digest(id_block.as_slice()));
        id.truncate(KEY_ID_HEX_LEN);

        let mut subkeys: [Zeroizing<[u8; 32]>; Purpose::COUNT] = Default::default();
        for (purpose, subkey) in Purpose::ALL.into_iter().zip(subkeys.iter_mut()) {
            hkdf.expand(purpose.label().as_bytes(), subkey.as_mut_slice())
                .map_err(|_| CryptoError::Derive)?;
        }
        Ok(Self { id, subkeys })
    }

    /// Derives a key from its text form (see [`key_input_from_text`]); `name` is used in errors.
    pub(super) fn from_text(text: &str, name: &str) -> Result<Self, CryptoError> {
        Self::from_ikm(&key_input_from_text(text, name)?)
    }

    /// This key's id: 8 lowercase hex characters, safe to log and to store in ciphertext.
    pub(super) fn id(&self) -> &str {
        &self.id
    }

    /// The subkey for `purpose`.
    pub(super) fn subkey(&self, purpose: Purpose) -> &Zeroizing<[u8; 32]> {
        // `Purpose::ALL` lists the discriminants 0..COUNT in order, so this index is in range.
        &self.subkeys[purpose as usize]
    }
}

/// The master-key input bytes for a key given as text: 64 hex characters are decoded to the
/// 32 bytes they spell; anything else must be at least [`MIN_KEY_TEXT_BYTES`] bytes and is used
/// as UTF-8. Surrounding whitespace (a trailing newline from a `*_FILE` secret) is ignored.
pub(super) fn key_input_from_text(
    text: &str,
    name: &str,
) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let text = text.trim();
    if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
        let mut raw = Zeroizing::new(vec![0u8; 32]);
        if hex::decode_to_slice(text, raw.as_mut_slice()).is_ok() {
            return Ok(raw);
        }
    }
    if text.len() < MIN_KEY_TEXT_BYTES {
        return Err(CryptoError::KeyTooShort {
            name: name.to_owned(),
        });
    }
    Ok(Zeroizing::new(text.as_bytes().to_vec()))
}

/// The current master key and the previous ones still accepted for decryption.
///
/// New ciphertext and every [`Keyring::subkey`] use the current key; previous keys only decrypt
/// (during a rotation). Cloning is cheap enough to do once per [`crate::App`].
#[derive(Clone)]
pub struct Keyring {
    current: DerivedKeys,
    previous: Vec<DerivedKeys>,
}

impl Keyring {
    /// Builds a keyring from `TOKEN_ENCRYPTION_KEY` and previous keys given the same way (any
    /// text of at least 32 bytes, or 64 hex characters).
    pub fn from_env_key(key: &Secret, previous: &[Secret]) -> Result<Self, CryptoError> {
        let current = DerivedKeys::from_text(key.expose(), ENV_KEY)?;
        Ok(Self::new(current, previous_from_env(previous)?))
    }

    pub(super) fn new(current: DerivedKeys, previous: Vec<DerivedKeys>) -> Self {
        Self { current, previous }
    }

    /// Adds keys that may decrypt but never encrypt.
    pub(super) fn with_previous(mut self, more: Vec<DerivedKeys>) -> Self {
        self.previous.extend(more);
        self
    }

    /// The current key's id (8 hex characters; public, it appears in every new ciphertext).
    pub fn current_id(&self) -> &str {
        self.current.id()
    }

    /// The ids of the previous keys, in the order they are tried.
    pub fn previous_ids(&self) -> Vec<&str> {
        self.previous.iter().map(DerivedKeys::id).collect()
    }

    /// The current key's subkey for `purpose`.
    pub fn subkey(&self, purpose: Purpose) -> Zeroizing<[u8; 32]> {
        self.current.subkey(purpose).clone()
    }

    pub(super) fn current(&self) -> &DerivedKeys {
        &self.current
    }

    /// The current and previous keys whose id is `id` (almost always at most one).
    pub(super) fn keys_with_id<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a DerivedKeys> {
        std::iter::once(&self.current)
            .chain(&self.previous)
            .filter(move |key| key.id() == id)
    }
}

impl fmt::Debug for Keyring {
    /// Shows key ids only, never key bytes.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyring")
            .field("current", &self.current.id())
            .field("previous", &self.previous_ids())
            .finish()
    }
}

/// Derives previous keys given as text, naming each by position in errors.
pub(super) fn previous_from_env(previous: &[Secret]) -> Result<Vec<DerivedKeys>, CryptoError> {
    previous
        .iter()
        .enumerate()
        .map(|(i, key)| {
            DerivedKeys::from_text(key.expose(), &format!("previous {ENV_KEY} #{}", i + 1))
        })
        .collect()
}
