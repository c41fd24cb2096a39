//! Choosing the master key at start-up (CRY-01, HDR-07).
//!
//! Order: `TOKEN_ENCRYPTION_KEY` (the key file is then not read); else `DATA_DIR/master.key`;
//! else a new random key written to that file, but only when the caller has checked that the
//! database holds no encrypted data. Previous keys given alongside (during a rotation) are added
//! to whichever source wins, for decryption only.
//!
//! Invariant: a key is never generated over existing data: with no key and existing data,
//! start-up stops with [`CryptoError::NoKeyForExistingData`]. Proving that a key actually opens
//! the data is the canary's job ([`Keyring::opens_canary`]), done by the caller.

use std::path::{Path, PathBuf};

use super::keyfile::{self, FileKey, KeyList, Placement};
use super::keys::{DerivedKeys, previous_from_env};
use super::{CryptoError, Keyring};
use crate::config::{Config, Secret};
use crate::random::Random;

/// Everything [`load_keyring`] looks at.
#[derive(Debug, Clone, Copy)]
pub struct KeySources<'a> {
    /// `TOKEN_ENCRYPTION_KEY`, when set.
    pub env_key: Option<&'a Secret>,
    /// Previous keys (same spellings as the env key), accepted for decryption only.
    pub previous: &'a [Secret],
    /// `DATA_DIR`, where `master.key` lives.
    pub data_dir: &'a Path,
    /// Whether the database already holds encrypted data (for example a stored canary). When
    /// true, a missing key is an error instead of a reason to generate one.
    pub database_has_encrypted_data: bool,
}

impl<'a> KeySources<'a> {
    /// The sources named by `config` (`TOKEN_ENCRYPTION_KEY`, `DATA_DIR`).
    pub fn from_config(
        config: &'a Config,
        previous: &'a [Secret],
        database_has_encrypted_data: bool,
    ) -> Self {
        Self {
            env_key: config.token_encryption_key.as_ref(),
            previous,
            data_dir: &config.data_dir,
            database_has_encrypted_data,
        }
    }
}

/// Where the current key came from, for the start-up log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeySource {
    /// `TOKEN_ENCRYPTION_KEY`.
    Environment,
    /// An existing key file.
    KeyFile(PathBuf),
    /// A key generated just now into this file: log a warning telling the operator to back it
    /// up, since losing it loses the encrypted data.
    Generated(PathBuf),
}

/// The keyring chosen at start-up and where its current key came from.
#[derive(Debug, Clone)]
pub struct LoadedKeyring {
    pub keyring: Keyring,
    pub source: KeySource,
}

impl LoadedKeyring {
    /// True when the key was generated just now (the caller logs a warning).
    pub fn generated(&self) -> bool {
        matches!(self.source, KeySource::Generated(_))
    }
}

/// Finds the master key in the order described in the module docs. `random` is used only to
/// generate a first key.
pub fn load_keyring(
    sources: &KeySources<'_>,
    random: &dyn Random,
) -> Result<LoadedKeyring, CryptoError> {
    let previous = previous_from_env(sources.previous)?;
    if let Some(key) = sources.env_key {
        return Ok(LoadedKeyring {
            keyring: Keyring::from_env_key(key, &[])?.with_previous(previous),
            source: KeySource::Environment,
        });
    }
    let path = keyfile::key_file_path(sources.data_dir);
    if let Some(keyring) = read_keyring(&path)? {
        return Ok(LoadedKeyring {
            keyring: keyring.with_previous(previous),
            source: KeySource::KeyFile(path),
        });
    }
    if sources.database_has_encrypted_data {
        return Err(CryptoError::NoKeyForExistingData { key_file: path });
    }
    generate(path, previous, random)
}

fn read_keyring(path: &Path) -> Result<Option<Keyring>, CryptoError> {
    Ok(keyfile::read(path)?.map(|keys| keys.keyring()))
}

fn generate(
    path: PathBuf,
    previous: Vec<DerivedKeys>,
    random: &dyn Random,
) -> Result<LoadedKeyring, CryptoError> {
    let keys = KeyList::single(FileKey::generate(random)?);
    if keyfile::write(&path, &keys, Placement::CreateNew)? {
        return Ok(LoadedKeyring {
            keyring: keys.keyring().with_previous(previous),
            source: KeySource::Generated(path),
        });
    }
    // Another process created the file between our read and our write: use its key.
    let keyring = read_keyring(&path)?.ok_or_else(|| CryptoError::MalformedKeyFile {
        path: path.clone(),
        reason: "the file disappeared while it was being created".to_owned(),
    })?;
    Ok(LoadedKeyring {
        keyring: keyring.with_previous(previous),
        source: KeySource::KeyFile(path),
    })
}
