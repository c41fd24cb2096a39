//! The master key at start-up and key rotation.
//!
//! Start-up: the database keeps an encrypted canary; when it exists, the loaded key must open
//! it, otherwise start-up stops ("the key does not open existing data") instead of writing new
//! data under a wrong key. With no key anywhere and existing data, nothing is generated.
//!
//! Rotation (`billtracker rotate-keys`): a new key goes in front of the key file (the old one
//! stays as "previous"), every encrypted cell is re-encrypted in one transaction, then the old
//! key is dropped from the file. A crash at any point leaves a state that opens: before the
//! commit the data is under the old key (still in the file), after it under the new one.
//! With `TOKEN_ENCRYPTION_KEY`, the operator sets the new key there and the old one in
//! `TOKEN_ENCRYPTION_KEY_PREVIOUS`, runs `rotate-keys`, then removes the previous key.

use crate::config::{Config, Secret};
use crate::crypto::{self, CANARY_AAD, KeySource, KeySources, Keyring};
use crate::random::Random;
use crate::{Error, Result};

const CANARY_KEY: &str = "crypto.canary";

/// Loads the keyring for `config` and checks it against the database's canary (writing one
/// on first start).
pub async fn open(
    config: &Config,
    store: &store::Store,
    random: &dyn Random,
) -> Result<(Keyring, KeySource)> {
    let canary = store.setting(CANARY_KEY).await?;
    let previous: Vec<Secret> = config
        .token_encryption_key_previous
        .iter()
        .cloned()
        .collect();
    let sources = KeySources::from_config(config, &previous, canary.is_some());
    let loaded =
        crypto::load_keyring(&sources, random).map_err(|e| Error::Internal(e.to_string()))?;
    match canary {
        Some(text) if !loaded.keyring.opens_canary(&text) => {
            return Err(Error::Internal(
                "the encryption key (TOKEN_ENCRYPTION_KEY or DATA_DIR/master.key) does not open the existing data; \
                 start with the key this database was created with"
                    .into(),
            ));
        }
        Some(_) => {}
        None => {
            let text = loaded.keyring.canary(random);
            store
                .put_setting(CANARY_KEY, &text, chrono::Utc::now())
                .await?;
        }
    }
    Ok((loaded.keyring, loaded.source))
}

/// Re-encrypts every encrypted cell with `keyring`'s current key; returns how many changed.
pub async fn reencrypt_all(
    store: &store::Store,
    keyring: &Keyring,
    random: &dyn Random,
) -> Result<usize> {
    let cells = store.encrypted_cells().await?;
    let mut changed = Vec::new();
    for cell in cells {
        if !keyring.needs_rotation(&cell.value) {
            continue;
        }
        let aad = if cell.table == "settings" && cell.row == CANARY_KEY {
            CANARY_AAD
        } else {
            crypto::Aad {
                table: cell.table,
                column: cell.column,
                row: &cell.row,
            }
        };
        let plain = keyring.decrypt(aad, &cell.value).map_err(|_| {
            Error::Internal(format!(
                "{}.{} of row {} does not decrypt with any known key",
                cell.table, cell.column, cell.row
            ))
        })?;
        let value = keyring.encrypt(random, aad, &plain);
        changed.push(store::encrypted::Cell { value, ..cell });
    }
    store.rewrite_encrypted_cells(&changed).await?;
    Ok(changed.len())
}

/// Writes `bytes` back to the key file atomically (mode 0600).
fn restore_key_file(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("restore");
    std::fs::write(&tmp, bytes).map_err(Error::internal)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))
            .map_err(Error::internal)?;
    }
    std::fs::rename(&tmp, path).map_err(Error::internal)
}

/// `billtracker rotate-keys`: see the module docs. Returns the number of cells re-encrypted.
pub async fn rotate(config: &Config, store: &store::Store, random: &dyn Random) -> Result<usize> {
    let (keyring, source) = open(config, store, random).await?;
    match source {
        KeySource::Environment => {
            let count = reencrypt_all(store, &keyring, random).await?;
            Ok(count)
        }
        KeySource::KeyFile(path) | KeySource::Generated(path) => {
            let before = std::fs::read(&path).map_err(Error::internal)?;
            let rotated = crypto::rotate_key_file(&config.data_dir, random)
                .map_err(|e| Error::Internal(e.to_string()))?;
            match reencrypt_all(store, &rotated, random).await {
                Ok(count) => {
                    crypto::finish_rotation(&config.data_dir)
                        .map_err(|e| Error::Internal(e.to_string()))?;
                    Ok(count)
                }
                Err(err) => {
                    // Nothing was re-encrypted (one transaction): put the old key file back, so a
                    // failed attempt does not leave an unused key in front.
                    restore_key_file(&path, &before)?;
                    Err(err)
                }
            }
        }
    }
}
