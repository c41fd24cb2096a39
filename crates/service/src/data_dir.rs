//! The data directory holds the database, the generated master key and backups. It is created
//! private (0700); start-up refuses a directory or database file that other users can read,
//! because the key file next to the data would then be readable too.

use std::path::Path;

use crate::config::ConfigError;

/// Creates `dir` (mode 0700) when missing, then checks `dir` and, when present, `db_file`.
pub fn prepare(dir: &Path, db_file: Option<&Path>) -> Result<(), ConfigError> {
    if !dir.exists() {
        create_private(dir).map_err(|e| {
            ConfigError::new("DATA_DIR", format!("cannot create {}: {e}", dir.display()))
        })?;
    }
    if !dir.is_dir() {
        return Err(ConfigError::new(
            "DATA_DIR",
            format!("{} is not a directory", dir.display()),
        ));
    }
    refuse_world_access("DATA_DIR", dir)?;
    if let Some(file) = db_file.filter(|f| f.exists()) {
        refuse_world_access("DATA_DIR", file)?;
    }
    Ok(())
}

#[cfg(unix)]
fn create_private(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

#[cfg(unix)]
fn refuse_world_access(key: &str, path: &Path) -> Result<(), ConfigError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(|e| ConfigError::new(key, format!("cannot read {}: {e}", path.display())))?
        .permissions()
        .mode();
    if mode & 0o007 != 0 {
        return Err(ConfigError::new(
            key,
            format!(
                "{} is accessible by every user on this machine (mode {:o}); run `chmod o-rwx {}`",
                path.display(),
                mode & 0o777,
                path.display()
            ),
        ));
    }
    Ok(())
}

#[cfg(not(unix))]
fn refuse_world_access(_key: &str, _path: &Path) -> Result<(), ConfigError> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use std::os::unix::fs::PermissionsExt;

    use super::*;

    #[test]
    fn a_missing_directory_is_created_private() {
        let parent = tempfile::tempdir().expect("temp");
        let dir = parent.path().join("data");
        prepare(&dir, None).expect("created");
        let mode = std::fs::metadata(&dir)
            .expect("exists")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700);
    }

    #[test]
    fn a_world_readable_directory_or_database_is_refused() {
        let dir = tempfile::tempdir().expect("temp");
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755))
            .expect("chmod");
        let err = prepare(dir.path(), None).expect_err("world readable");
        assert_eq!(err.key, "DATA_DIR");
        assert!(err.message.contains("chmod o-rwx"));

        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700))
            .expect("chmod");
        let db = dir.path().join("billtracker.db");
        std::fs::write(&db, b"").expect("file");
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        assert!(prepare(dir.path(), Some(&db)).is_err());
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        prepare(dir.path(), Some(&db)).expect("private is fine");
    }
}
