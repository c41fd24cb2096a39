//! Choosing the master key at start-up, the key file, and rotation.

use std::path::Path;

use super::*;
use crate::random::OsRandom;

/// Sources with no env key and no previous keys.
fn file_only(data_dir: &Path, database_has_encrypted_data: bool) -> KeySources<'_> {
    KeySources {
        env_key: None,
        previous: &[],
        data_dir,
        database_has_encrypted_data,
    }
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).expect("chmod");
}

#[test]
fn generated_key_file_is_private_and_reused() {
    let dir = tempfile::tempdir().expect("temp");
    let first = load_keyring(&file_only(dir.path(), false), &OsRandom).expect("generated");
    let path = key_file_path(dir.path());
    assert!(first.generated());
    assert_eq!(first.source, KeySource::Generated(path.clone()));
    assert_eq!(mode(&path), 0o600);

    let text = std::fs::read_to_string(&path).expect("read");
    let (id, hex_key) = text.trim_end().split_once(':').expect("id:hex");
    assert_eq!(id, first.keyring.current_id());
    assert_eq!(hex_key.len(), 64);
    assert_eq!(text.lines().count(), 1);

    // Next start: the same key, even though the database now holds data.
    let second = load_keyring(&file_only(dir.path(), true), &OsRandom).expect("reused");
    assert!(!second.generated());
    assert_eq!(second.source, KeySource::KeyFile(path));
    assert_eq!(second.keyring.current_id(), first.keyring.current_id());
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).expect("list").collect();
    assert_eq!(leftovers.len(), 1, "no temporary files are left behind");
}

#[test]
fn hdr_07_no_key_is_generated_over_existing_data() {
    let dir = tempfile::tempdir().expect("temp");
    let err = load_keyring(&file_only(dir.path(), true), &OsRandom).expect_err("no key");
    assert!(matches!(err, CryptoError::NoKeyForExistingData { .. }));
    let message = err.to_string();
    assert!(message.contains("TOKEN_ENCRYPTION_KEY"), "{message}");
    assert!(message.contains("master.key"), "{message}");
    assert!(!key_file_path(dir.path()).exists(), "no key was written");
}

#[test]
fn hdr_07_a_world_readable_key_file_is_refused() {
    let dir = tempfile::tempdir().expect("temp");
    load_keyring(&file_only(dir.path(), false), &OsRandom).expect("generated");
    let path = key_file_path(dir.path());
    for unsafe_mode in [0o644, 0o640, 0o604, 0o620] {
        set_mode(&path, unsafe_mode);
        let err = load_keyring(&file_only(dir.path(), true), &OsRandom).expect_err("refused");
        assert!(
            matches!(err, CryptoError::UnsafeKeyFilePermissions { mode, .. } if mode == unsafe_mode)
        );
        assert!(
            err.to_string().contains(&path.display().to_string()),
            "{err}"
        );
    }
    set_mode(&path, 0o400);
    assert!(
        load_keyring(&file_only(dir.path(), true), &OsRandom).is_ok(),
        "owner-only is fine"
    );
}

#[test]
fn cry_01_the_env_key_wins_over_the_key_file() {
    let dir = tempfile::tempdir().expect("temp");
    let from_file = load_keyring(&file_only(dir.path(), false), &OsRandom).expect("generated");
    let env_key = Secret::new(KEY_A);
    let sources = KeySources {
        env_key: Some(&env_key),
        ..file_only(dir.path(), true)
    };
    let loaded = load_keyring(&sources, &OsRandom).expect("env");
    assert_eq!(loaded.source, KeySource::Environment);
    assert_eq!(loaded.keyring.current_id(), keyring(KEY_A).current_id());
    assert_ne!(loaded.keyring.current_id(), from_file.keyring.current_id());
}

#[test]
fn cry_01_the_env_key_needs_no_data_directory_file() {
    let dir = tempfile::tempdir().expect("temp");
    let env_key = Secret::new(KEY_A);
    let previous = [Secret::new(KEY_B)];
    let sources = KeySources {
        env_key: Some(&env_key),
        previous: &previous,
        ..file_only(dir.path(), true)
    };
    let loaded = load_keyring(&sources, &OsRandom).expect("env");
    assert_eq!(loaded.keyring.previous_ids(), [keyring(KEY_B).current_id()]);
    assert!(!key_file_path(dir.path()).exists());
}

#[test]
fn cry_01_the_hex_line_of_a_key_file_works_as_the_env_key() {
    let dir = tempfile::tempdir().expect("temp");
    let from_file = load_keyring(&file_only(dir.path(), false), &OsRandom).expect("generated");
    let text = std::fs::read_to_string(key_file_path(dir.path())).expect("read");
    let (_, hex_key) = text.trim_end().split_once(':').expect("id:hex");
    let data = from_file.keyring.encrypt(&OsRandom, cell("r1"), "secret");

    let from_env = keyring(hex_key);
    assert_eq!(from_env.current_id(), from_file.keyring.current_id());
    assert_eq!(
        from_env.decrypt(cell("r1"), &data).expect("same key"),
        "secret"
    );
}

#[test]
fn a_malformed_key_file_is_refused_naming_the_file_but_not_the_key() {
    let dir = tempfile::tempdir().expect("temp");
    load_keyring(&file_only(dir.path(), false), &OsRandom).expect("generated");
    let path = key_file_path(dir.path());
    let good = std::fs::read_to_string(&path).expect("read");
    let (id, hex_key) = good.trim_end().split_once(':').expect("id:hex");
    let wrong_id = if id.starts_with('0') { "1" } else { "0" };
    let damaged = [
        String::new(),
        "not a key\n".to_owned(),
        format!("{id}:{}\n", &hex_key[..62]),
        format!("{wrong_id}{}:{hex_key}\n", &id[1..]),
        format!("{good}garbage\n"),
    ];
    for contents in damaged {
        std::fs::write(&path, &contents).expect("write");
        let err = load_keyring(&file_only(dir.path(), true), &OsRandom).expect_err("refused");
        assert!(
            matches!(err, CryptoError::MalformedKeyFile { .. }),
            "{err:?}"
        );
        let message = err.to_string();
        assert!(message.contains(&path.display().to_string()), "{message}");
        assert!(!message.contains(hex_key), "{message}");
    }
}

#[test]
fn cry_03_rotation_puts_a_new_key_first_and_finishing_drops_the_old_ones() {
    let dir = tempfile::tempdir().expect("temp");
    let original = load_keyring(&file_only(dir.path(), false), &OsRandom).expect("generated");
    let old_text = original.keyring.encrypt(&OsRandom, cell("r1"), "secret");

    let rotated = rotate_key_file(dir.path(), &OsRandom).expect("rotated");
    assert_ne!(rotated.current_id(), original.keyring.current_id());
    assert_eq!(rotated.previous_ids(), [original.keyring.current_id()]);
    assert!(rotated.needs_rotation(&old_text));
    assert_eq!(
        rotated.decrypt(cell("r1"), &old_text).expect("old key"),
        "secret"
    );
    let path = key_file_path(dir.path());
    assert_eq!(mode(&path), 0o600);

    let reloaded = load_keyring(&file_only(dir.path(), true), &OsRandom).expect("reload");
    assert_eq!(reloaded.keyring.current_id(), rotated.current_id());
    assert_eq!(reloaded.keyring.previous_ids(), rotated.previous_ids());

    let new_text = rotated.encrypt(&OsRandom, cell("r1"), "secret");
    let finished = finish_rotation(dir.path()).expect("finished");
    assert_eq!(finished.current_id(), rotated.current_id());
    assert!(finished.previous_ids().is_empty());
    assert!(finished.decrypt(cell("r1"), &old_text).is_err());
    assert_eq!(
        finished.decrypt(cell("r1"), &new_text).expect("new key"),
        "secret"
    );
    assert_eq!(
        std::fs::read_to_string(&path)
            .expect("read")
            .lines()
            .count(),
        1
    );
    assert_eq!(mode(&path), 0o600);
}

#[test]
fn rotating_without_a_key_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().expect("temp");
    let err = rotate_key_file(dir.path(), &OsRandom).expect_err("no file");
    assert!(err.to_string().contains("master.key"), "{err}");
    assert!(!key_file_path(dir.path()).exists());
}

#[test]
fn crypto_errors_become_internal_service_errors() {
    let err: crate::Error = CryptoError::Decrypt.into();
    assert!(matches!(err, crate::Error::Internal(_)));
}

#[test]
fn hdr_07_a_first_key_never_replaces_a_key_file_written_meanwhile() {
    use crate::crypto::keyfile::{self, FileKey, KeyList, Placement};
    let dir = tempfile::tempdir().expect("temp");
    let existing = load_keyring(&file_only(dir.path(), false), &OsRandom).expect("generated");
    let path = key_file_path(dir.path());
    let before = std::fs::read(&path).expect("read");

    let late = KeyList::single(FileKey::generate(&OsRandom).expect("key"));
    let written = keyfile::write(&path, &late, Placement::CreateNew).expect("no error");
    assert!(!written, "the existing file wins");
    assert_eq!(std::fs::read(&path).expect("read"), before);
    let reloaded = load_keyring(&file_only(dir.path(), true), &OsRandom).expect("reload");
    assert_eq!(reloaded.keyring.current_id(), existing.keyring.current_id());
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("list").count(),
        1,
        "no temp files"
    );
}
