//! Field encryption: AES-256-GCM under the [`Purpose::FieldEncryption`] subkey.
//!
//! Text format: `v1.<key-id>.<base64url-no-pad(nonce ‖ ciphertext ‖ tag)>`, with a fresh random
//! 96-bit nonce per value (from the injected [`Random`]) and a 128-bit tag.
//!
//! Invariants:
//! - The associated data binds a value to its cell: table, column and row id, each
//!   length-prefixed after a version label, so no two different cells encode alike.
//! - Decryption never panics: any malformed text, unknown key id, wrong cell or altered byte
//!   is the same [`CryptoError::Decrypt`].
//! - The key id in the text only chooses which key to try; the tag decides.

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, Key, KeyInit, Nonce};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::keys::DerivedKeys;
use super::{CryptoError, Keyring, Purpose};
use crate::random::Random;

/// Format version, the first dot-separated part of every ciphertext.
const VERSION: &str = "v1";
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
/// Prefix of the encoded associated data; a new format gets a new label.
const AAD_LABEL: &[u8] = b"billtracker/v1/field";
/// The plaintext of the key-check canary. Not secret: it proves a key, it hides nothing.
const CANARY_MARKER: &str = "billtracker key check v1";

/// Where the canary is stored, which is also its associated data.
pub const CANARY_AAD: Aad<'static> = Aad {
    table: "settings",
    column: "value",
    row: "crypto.canary",
};

/// The cell an encrypted value belongs to. Decrypting with any other cell fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Aad<'a> {
    /// Table name, e.g. `"users"`.
    pub table: &'a str,
    /// Column name, e.g. `"totp_secret"`.
    pub column: &'a str,
    /// The row's id (or, for key/value tables, its key).
    pub row: &'a str,
}

impl Aad<'_> {
    /// `AAD_LABEL`, then each part as an 8-byte big-endian length and its bytes.
    fn encode(&self) -> Vec<u8> {
        let parts = [self.table, self.column, self.row];
        let len = AAD_LABEL.len() + parts.iter().map(|p| 8 + p.len()).sum::<usize>();
        let mut out = Vec::with_capacity(len);
        out.extend_from_slice(AAD_LABEL);
        for part in parts {
            out.extend_from_slice(&(part.len() as u64).to_be_bytes());
            out.extend_from_slice(part.as_bytes());
        }
        out
    }
}

/// The key id a ciphertext names, or `None` when `text` is not in the `v1` format.
pub fn ciphertext_key_id(text: &str) -> Option<&str> {
    let (version, rest) = text.split_once('.')?;
    let (id, _body) = rest.split_once('.')?;
    let valid_id = id.len() == 8 && id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
    (version == VERSION && valid_id).then_some(id)
}

impl Keyring {
    /// Encrypts `plaintext` for the cell `aad` with the current key and a fresh nonce.
    ///
    /// Infallible for any value a field can hold: AES-GCM refuses only plaintexts over
    /// 2^36 − 32 bytes (64 GiB). [`Keyring::try_encrypt`] reports even that as an error.
    pub fn encrypt(&self, random: &dyn Random, aad: Aad<'_>, plaintext: &str) -> String {
        // The one failure needs a 64 GiB string in memory; stopping then is better than
        // storing a value unencrypted or inventing one that can never decrypt.
        #[allow(clippy::expect_used)]
        self.try_encrypt(random, aad, plaintext)
            .expect("a field value over 64 GiB cannot be encrypted with AES-GCM")
    }

    /// [`Keyring::encrypt`], returning [`CryptoError::Encrypt`] instead of stopping for a value
    /// over 64 GiB.
    pub fn try_encrypt(
        &self,
        random: &dyn Random,
        aad: Aad<'_>,
        plaintext: &str,
    ) -> Result<String, CryptoError> {
        let key = self.current();
        let nonce: [u8; NONCE_LEN] = crate::random::bytes(random);
        let payload = Payload {
            msg: plaintext.as_bytes(),
            aad: &aad.encode(),
        };
        let sealed = cipher(key)
            .encrypt(&Nonce::from(nonce), payload)
            .map_err(|_| CryptoError::Encrypt)?;
        let mut blob = Vec::with_capacity(NONCE_LEN + sealed.len());
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&sealed);
        Ok(format!(
            "{VERSION}.{}.{}",
            key.id(),
            URL_SAFE_NO_PAD.encode(blob)
        ))
    }

    /// Decrypts a value stored in the cell `aad`, with whichever key (current or previous) the
    /// text names. Every failure is [`CryptoError::Decrypt`], without saying why.
    pub fn decrypt(&self, aad: Aad<'_>, text: &str) -> Result<String, CryptoError> {
        let id = ciphertext_key_id(text).ok_or(CryptoError::Decrypt)?;
        let body = text
            .rsplit_once('.')
            .map(|(_, body)| body)
            .ok_or(CryptoError::Decrypt)?;
        let blob = URL_SAFE_NO_PAD
            .decode(body)
            .map_err(|_| CryptoError::Decrypt)?;
        if blob.len() < NONCE_LEN + TAG_LEN {
            return Err(CryptoError::Decrypt);
        }
        let (nonce, sealed) = blob
            .split_at_checked(NONCE_LEN)
            .ok_or(CryptoError::Decrypt)?;
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| CryptoError::Decrypt)?;
        let aad = aad.encode();
        for key in self.keys_with_id(id) {
            let payload = Payload {
                msg: sealed,
                aad: &aad,
            };
            if let Ok(plain) = cipher(key).decrypt(&Nonce::from(nonce), payload) {
                return String::from_utf8(plain).map_err(|_| CryptoError::Decrypt);
            }
        }
        Err(CryptoError::Decrypt)
    }

    /// True when `text` is not ciphertext under the current key: made with a previous key, or
    /// not in the `v1` format at all (a value stored before encryption), so it should be
    /// (re-)encrypted. Only the named key id is checked, not the tag.
    pub fn needs_rotation(&self, text: &str) -> bool {
        ciphertext_key_id(text) != Some(self.current_id())
    }

    /// A fresh canary: a fixed marker encrypted for [`CANARY_AAD`]. Stored once, it lets
    /// start-up prove the configured key opens the existing data ([`Keyring::opens_canary`]).
    pub fn canary(&self, random: &dyn Random) -> String {
        self.encrypt(random, CANARY_AAD, CANARY_MARKER)
    }

    /// True when this keyring (current or a previous key) decrypts `text` to the canary marker.
    pub fn opens_canary(&self, text: &str) -> bool {
        self.decrypt(CANARY_AAD, text)
            .is_ok_and(|marker| marker == CANARY_MARKER)
    }
}

/// The AES-256-GCM instance for one key's field-encryption subkey.
fn cipher(key: &DerivedKeys) -> Aes256Gcm {
    // From a `[u8; 32]`, so the length is checked by the compiler rather than at run time.
    Aes256Gcm::new(&Key::<Aes256Gcm>::from(
        **key.subkey(Purpose::FieldEncryption),
    ))
}
