//! The binary as an operator runs it: start, serve, stop on SIGTERM; refuse bad configuration;
//! `check` and `migrate` exit codes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn billtracker(data_dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_billtracker"));
    cmd.env_clear()
        .env("DATA_DIR", data_dir)
        .env("LISTEN", "127.0.0.1:0")
        .env("LOG_FORMAT", "json")
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    cmd
}

/// Starts `serve` and returns the child and the address from its "ready" log line.
fn start(data_dir: &std::path::Path) -> (Child, String) {
    let mut child = billtracker(data_dir)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn");
    let stderr = child.stderr.take().expect("stderr");
    let mut lines = BufReader::new(stderr).lines();
    let addr = loop {
        let line = lines
            .next()
            .expect("server exited before it was ready")
            .expect("read");
        let event: serde_json::Value = serde_json::from_str(&line).expect("JSON log line");
        if let Some(addr) = event["address"].as_str() {
            break addr.to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    (child, addr)
}

fn http_get(addr: &str, path: &str) -> String {
    let mut stream = TcpStream::connect(addr).expect("connect");
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("write");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("read");
    response
}

fn wait_with_timeout(child: &mut Child, limit: Duration) -> Option<std::process::ExitStatus> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if let Some(status) = child.try_wait().expect("wait") {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

#[test]
fn serves_health_and_readiness_then_exits_0_on_sigterm() {
    let dir = tempfile::tempdir().expect("temp");
    let data = dir.path().join("data");
    let (mut child, addr) = start(&data);
    assert!(http_get(&addr, "/healthz").starts_with("HTTP/1.1 200"));
    assert!(http_get(&addr, "/readyz").starts_with("HTTP/1.1 200"));
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let exit = wait_with_timeout(&mut child, Duration::from_secs(5)).expect("exited within 5 s");
    assert!(exit.success(), "exit status {exit:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&data)
            .expect("data dir")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o700, "data directory created private");
    }
}

#[test]
fn a_bad_configuration_value_is_refused_naming_the_key() {
    let dir = tempfile::tempdir().expect("temp");
    let output = billtracker(dir.path())
        .env("SESSION_CLEANUP_INTERVAL_MS", "soon")
        .output()
        .expect("run");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("SESSION_CLEANUP_INTERVAL_MS"), "{stderr}");
}

#[test]
fn secrets_in_a_bad_configuration_are_not_echoed() {
    let dir = tempfile::tempdir().expect("temp");
    let output = billtracker(dir.path())
        .env("TOKEN_ENCRYPTION_KEY", "hunter2-short")
        .output()
        .expect("run");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("TOKEN_ENCRYPTION_KEY") && !stderr.contains("hunter2"),
        "{stderr}"
    );
}

#[cfg(unix)]
#[test]
fn a_world_readable_data_directory_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).expect("chmod");
    let output = billtracker(dir.path()).arg("check").output().expect("run");
    assert!(!output.status.success());
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(all.contains("chmod o-rwx"), "{all}");
}

#[test]
fn migrate_then_check_pass_on_a_fresh_directory() {
    let dir = tempfile::tempdir().expect("temp");
    let data = dir.path().join("data");
    let migrate = billtracker(&data).arg("migrate").output().expect("migrate");
    assert!(
        migrate.status.success(),
        "{}",
        String::from_utf8_lossy(&migrate.stderr)
    );
    let check = billtracker(&data).arg("check").output().expect("check");
    let stdout = String::from_utf8_lossy(&check.stdout);
    assert!(check.status.success(), "{stdout}");
    assert!(
        stdout.contains("integrity: ok") && stdout.contains("audit log chain: ok"),
        "{stdout}"
    );
}

#[test]
fn enable_local_login_runs_on_a_fresh_directory() {
    let dir = tempfile::tempdir().expect("temp");
    let data = dir.path().join("data");
    let output = billtracker(&data)
        .arg("enable-local-login")
        .output()
        .expect("run");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.contains("already on"), "{stdout}");
}

#[test]
fn check_fails_when_the_database_file_is_not_a_database() {
    let dir = tempfile::tempdir().expect("temp");
    let data = dir.path().join("data");
    std::fs::create_dir(&data).expect("mkdir");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o700)).expect("chmod");
    }
    let db = data.join("billtracker.db");
    std::fs::write(
        &db,
        b"this is not a database at all, just text that fills the header",
    )
    .expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    }
    let before = std::fs::read(&db).expect("read");
    let check = billtracker(&data).arg("check").output().expect("check");
    assert!(!check.status.success());
    assert_eq!(
        std::fs::read(&db).expect("read"),
        before,
        "the file is left untouched"
    );
}

#[test]
fn help_lists_the_commands() {
    let output = Command::new(env!("CARGO_BIN_EXE_billtracker"))
        .arg("--help")
        .output()
        .expect("help");
    let text = String::from_utf8_lossy(&output.stdout);
    for command in ["serve", "migrate", "check"] {
        assert!(text.contains(command), "{text}");
    }
}
