//! The key file `DATA_DIR/master.key` and key rotation.
//!
//! Format: one key per line, `<key-id>:<64 hex characters>` (32 random bytes). The first line is
//! the current key; further lines are previous keys still accepted for decryption while a
//! rotation is under way. Ids are checked against the key on every read, so a damaged line is
//! an error instead of a silently different key.
//!
//! Invariants:
//! - The file is private: it is created with mode 0600, and a file the group or other users can
//!   access is refused on every read (Unix).
//! - Every write is atomic: a private temporary file in the same directory is written, synced,
//!   then renamed over the key file (rotation) or hard-linked into place (first creation, which
//!   must never replace a key another process just wrote). A crash leaves the old file or the
//!   new one, never half a key.
//! - Errors name the file and the line, never its contents.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use zeroize::Zeroizing;

use super::keys::DerivedKeys;
use super::{CryptoError, Keyring};
use crate::random::Random;

/// The key file's name inside the data directory.
pub const KEY_FILE_NAME: &str = "master.key";

/// How often a new key is drawn when its id collides with a key already in the file.
const MAX_ID_DRAWS: usize = 16;

/// `DATA_DIR/master.key`.
pub fn key_file_path(data_dir: &Path) -> PathBuf {
    data_dir.join(KEY_FILE_NAME)
}

/// One key-file line: the random bytes as written, and what they derive.
pub(super) struct FileKey {
    raw: Zeroizing<[u8; 32]>,
    derived: DerivedKeys,
}

impl FileKey {
    /// A new random key.
    pub(super) fn generate(random: &dyn Random) -> Result<Self, CryptoError> {
        let mut raw = Zeroizing::new([0u8; 32]);
        random.fill(raw.as_mut_slice());
        let derived = DerivedKeys::from_ikm(raw.as_slice())?;
        Ok(Self { raw, derived })
    }

    fn line(&self) -> Zeroizing<String> {
        Zeroizing::new(format!(
            "{}:{}\n",
            self.derived.id(),
            hex::encode(self.raw.as_slice())
        ))
    }
}

/// The keys of a key file: always a current one, then any previous ones.
pub(super) struct KeyList {
    current: FileKey,
    previous: Vec<FileKey>,
}

impl KeyList {
    /// A list holding only `current`.
    pub(super) fn single(current: FileKey) -> Self {
        Self {
            current,
            previous: Vec::new(),
        }
    }

    /// The keyring these keys make.
    pub(super) fn keyring(&self) -> Keyring {
        let previous = self.previous.iter().map(|k| k.derived.clone()).collect();
        Keyring::new(self.current.derived.clone(), previous)
    }

    fn iter(&self) -> impl Iterator<Item = &FileKey> {
        std::iter::once(&self.current).chain(&self.previous)
    }
}

/// Reads the key file; `Ok(None)` when it does not exist.
pub(super) fn read(path: &Path) -> Result<Option<KeyList>, CryptoError> {
    let io_error = |source| CryptoError::Io {
        path: path.to_owned(),
        source,
    };
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(err) => return Err(io_error(err)),
    };
    // Checked on the open file, so the file read is the file checked.
    refuse_shared(path, &file)?;
    let mut text = Zeroizing::new(String::new());
    file.read_to_string(&mut text).map_err(io_error)?;
    parse(path, &text).map(Some)
}

fn parse(path: &Path, text: &str) -> Result<KeyList, CryptoError> {
    let malformed = |reason: String| CryptoError::MalformedKeyFile {
        path: path.to_owned(),
        reason,
    };
    let mut keys = Vec::new();
    for (number, line) in (1..).zip(text.lines()) {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let mut raw = Zeroizing::new([0u8; 32]);
        let Some((id, hex_key)) = line.split_once(':') else {
            return Err(malformed(format!(
                "line {number} is not `<key-id>:<64 hex characters>`"
            )));
        };
        if hex_key.len() != 64 || hex::decode_to_slice(hex_key, raw.as_mut_slice()).is_err() {
            return Err(malformed(format!(
                "line {number} is not `<key-id>:<64 hex characters>`"
            )));
        }
        let derived = DerivedKeys::from_ikm(raw.as_slice())?;
        if !derived.id().eq_ignore_ascii_case(id) {
            return Err(malformed(format!(
                "the key id on line {number} does not match its key (the file was changed or damaged)"
            )));
        }
        keys.push(FileKey { raw, derived });
    }
    let mut keys = keys.into_iter();
    let current = keys
        .next()
        .ok_or_else(|| malformed("the file holds no key".to_owned()))?;
    Ok(KeyList {
        current,
        previous: keys.collect(),
    })
}

/// How [`write`] puts the finished file in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Placement {
    /// Atomically replace any existing file (rotation).
    Replace,
    /// Only if no file exists yet; returns `false` when one appeared in the meantime.
    CreateNew,
}

/// Writes `keys` to `path` atomically with mode 0600. Returns `false` only for
/// [`Placement::CreateNew`] when a key file already existed (nothing was changed).
pub(super) fn write(
    path: &Path,
    keys: &KeyList,
    placement: Placement,
) -> Result<bool, CryptoError> {
    let io_error = |source| CryptoError::Io {
        path: path.to_owned(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let tmp = temp_path(dir);
    let mut contents = Zeroizing::new(String::new());
    for key in keys.iter() {
        contents.push_str(&key.line());
    }
    let written = write_private(&tmp, contents.as_bytes()).and_then(|()| match placement {
        Placement::Replace => fs::rename(&tmp, path).map(|()| true),
        // A hard link fails when the target exists, unlike rename. Filesystems without hard
        // links have no Unix permissions either, and the data directory checks refuse those.
        Placement::CreateNew => match fs::hard_link(&tmp, path) {
            Ok(()) => Ok(true),
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists => Ok(false),
            Err(err) => Err(err),
        },
    });
    // After a rename the temporary name is gone; otherwise it is an orphan either way.
    let _ = fs::remove_file(&tmp);
    let written = written.map_err(io_error)?;
    // Make the new directory entry durable. Some filesystems cannot sync a directory; the data
    // is already synced, so that is not worth failing over.
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(written)
}

/// A temporary name next to the key file, unique within this process.
fn temp_path(dir: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    dir.join(format!(".{KEY_FILE_NAME}.{}.{n}.tmp", std::process::id()))
}

fn write_private(path: &Path, contents: &[u8]) -> io::Result<()> {
    // A leftover from a crashed process with the same pid would make `create_new` fail.
    let _ = fs::remove_file(path);
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

#[cfg(unix)]
fn refuse_shared(path: &Path, file: &File) -> Result<(), CryptoError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = file
        .metadata()
        .map_err(|source| CryptoError::Io {
            path: path.to_owned(),
            source,
        })?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(CryptoError::UnsafeKeyFilePermissions {
            path: path.to_owned(),
            mode: mode & 0o777,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn refuse_shared(_path: &Path, _file: &File) -> Result<(), CryptoError> {
    Ok(())
}

/// Starts a rotation: writes a new random key in front of the keys in `DATA_DIR/master.key`
/// (which must exist) and returns the new keyring. Old keys still decrypt; new values use the
/// new key. Re-encrypt everything [`Keyring::needs_rotation`] reports, then call
/// [`finish_rotation`].
pub fn rotate_key_file(data_dir: &Path, random: &dyn Random) -> Result<Keyring, CryptoError> {
    let path = key_file_path(data_dir);
    let existing = read_existing(&path)?;
    let mut new_key = FileKey::generate(random)?;
    let mut draws = 1;
    // The new key must have an id of its own, or data under the old key would look current.
    while existing
        .iter()
        .any(|k| k.derived.id() == new_key.derived.id())
    {
        if draws == MAX_ID_DRAWS {
            return Err(CryptoError::MalformedKeyFile {
                path,
                reason: "could not draw a new key with an unused id".to_owned(),
            });
        }
        new_key = FileKey::generate(random)?;
        draws += 1;
    }
    let KeyList { current, previous } = existing;
    let mut keys = KeyList::single(new_key);
    keys.previous.push(current);
    keys.previous.extend(previous);
    write(&path, &keys, Placement::Replace)?;
    Ok(keys.keyring())
}

/// Ends a rotation: keeps only the current (first) key in `DATA_DIR/master.key`. Call it only
/// once nothing needs the previous keys any more; values still under them become unreadable.
pub fn finish_rotation(data_dir: &Path) -> Result<Keyring, CryptoError> {
    let path = key_file_path(data_dir);
    let existing = read_existing(&path)?;
    if existing.previous.is_empty() {
        return Ok(existing.keyring());
    }
    let keys = KeyList::single(existing.current);
    write(&path, &keys, Placement::Replace)?;
    Ok(keys.keyring())
}

fn read_existing(path: &Path) -> Result<KeyList, CryptoError> {
    read(path)?.ok_or_else(|| CryptoError::Io {
        path: path.to_owned(),
        source: io::Error::new(io::ErrorKind::NotFound, "no key file to rotate"),
    })
}
