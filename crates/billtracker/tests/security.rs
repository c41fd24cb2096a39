//! The security requirements an operator sees from outside the process: HDR-07 (the master key
//! at start-up, `check`, `rotate-keys`), CRY-03 (rotation through the command line), LOG-01
//! (security events in the JSON log) and LOG-02 (no secrets and no forged lines in the log).
//! Every test runs the real executable and talks raw HTTP/1.1 to it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde_json::Value;

const KEY_A: &str = "operator-key-A-7c1e-0b9d-4f2a-alpha-alpha-alpha";
const KEY_B: &str = "operator-key-B-93d0-5e7f-1a6c-bravo-bravo-bravo";
const PASSWORD: &str = "Unique-Secret-Passphrase-4711";
const FORWARDED_IP: &str = "203.0.113.45";
const USER_AGENT: &str = "LogProbe/2.1 (security-test-agent)";

// ---------------------------------------------------------------------------------------------
// Running the binary

fn billtracker(data_dir: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_billtracker"));
    cmd.env_clear()
        .env("DATA_DIR", data_dir)
        .env("LISTEN", "127.0.0.1:0")
        .env("LOG_FORMAT", "json")
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    cmd
}

fn data_dir() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp");
    let data = dir.path().join("data");
    (dir, data)
}

fn key_file(data: &Path) -> PathBuf {
    data.join("master.key")
}

/// Reads `stream` line by line into `sink` (lossily, so a bad byte cannot stop the reader).
fn collect_lines(
    stream: impl Read + Send + 'static,
    sink: Arc<Mutex<Vec<String>>>,
) -> JoinHandle<()> {
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stream);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match reader.read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let line = String::from_utf8_lossy(&buf);
                    let line = line.strip_suffix('\n').unwrap_or(&line);
                    sink.lock().unwrap().push(line.to_owned());
                }
            }
        }
    })
}

fn wait_with_timeout(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let started = Instant::now();
    while started.elapsed() < limit {
        if let Some(status) = child.try_wait().expect("wait") {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

/// What a command that runs to completion left behind.
struct Outcome {
    /// `None` when it had not exited within the limit (it was then killed).
    status: Option<ExitStatus>,
    stdout: String,
    stderr: String,
}

impl Outcome {
    fn succeeded(&self) -> bool {
        self.status.is_some_and(|s| s.success())
    }

    fn failed(&self) -> bool {
        self.status.is_some_and(|s| !s.success())
    }

    fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

impl std::fmt::Debug for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "status {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.status, self.stdout, self.stderr
        )
    }
}

/// Runs `cmd` with `stdin` to completion, killing it after `limit`.
fn run(mut cmd: Command, stdin: Option<&str>, limit: Duration) -> Outcome {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut input = child.stdin.take().expect("stdin");
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).expect("write stdin");
    }
    drop(input);
    let out = Arc::new(Mutex::new(Vec::new()));
    let err = Arc::new(Mutex::new(Vec::new()));
    let out_reader = collect_lines(child.stdout.take().expect("stdout"), out.clone());
    let err_reader = collect_lines(child.stderr.take().expect("stderr"), err.clone());
    let status = wait_with_timeout(&mut child, limit);
    if status.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    out_reader.join().expect("stdout reader");
    err_reader.join().expect("stderr reader");
    let joined = |lines: &Arc<Mutex<Vec<String>>>| lines.lock().unwrap().join("\n");
    Outcome {
        status,
        stdout: joined(&out),
        stderr: joined(&err),
    }
}

fn create_user(data: &Path, username: &str, extra_env: &[(&str, &str)]) {
    let mut cmd = billtracker(data);
    cmd.args(["create-user", "--username", username]);
    for (k, v) in extra_env {
        cmd.env(k, v);
    }
    let outcome = run(cmd, Some(&format!("{PASSWORD}\n")), Duration::from_secs(30));
    assert!(outcome.succeeded(), "create-user: {outcome:?}");
    assert!(
        !outcome.all().contains(PASSWORD),
        "create-user echoes the password: {outcome:?}"
    );
}

/// A running `billtracker serve`, with every stderr line it has written so far.
struct Server {
    child: Option<Child>,
    addr: String,
    lines: Arc<Mutex<Vec<String>>>,
    reader: Option<JoinHandle<()>>,
}

impl Server {
    /// Starts `cmd` and waits for the "ready" line that names the address.
    fn start(mut cmd: Command) -> Server {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let reader = collect_lines(child.stderr.take().expect("stderr"), lines.clone());
        let started = Instant::now();
        let addr = loop {
            let found = lines.lock().unwrap().iter().find_map(|line| {
                let event: Value = serde_json::from_str(line).ok()?;
                event["address"].as_str().map(str::to_owned)
            });
            if let Some(addr) = found {
                break addr;
            }
            if let Some(status) = child.try_wait().expect("wait") {
                let _ = reader.join();
                panic!(
                    "server exited ({status}) before it was ready:\n{}",
                    lines.lock().unwrap().join("\n")
                );
            }
            if started.elapsed() > Duration::from_secs(30) {
                let _ = child.kill();
                let _ = child.wait();
                panic!("server not ready within 30 s");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        Server {
            child: Some(child),
            addr,
            lines,
            reader: Some(reader),
        }
    }

    /// SIGTERM, then the exit status and the whole of stderr.
    fn stop(mut self) -> (ExitStatus, Vec<String>) {
        let mut child = self.child.take().expect("running");
        let status = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
        let exit = wait_with_timeout(&mut child, Duration::from_secs(10));
        if exit.is_none() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if let Some(reader) = self.reader.take() {
            reader.join().expect("stderr reader");
        }
        let lines = self.lines.lock().unwrap().clone();
        (
            exit.unwrap_or_else(|| {
                panic!("no exit within 10 s after SIGTERM:\n{}", lines.join("\n"))
            }),
            lines,
        )
    }

    fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, String)],
        body: Option<&str>,
    ) -> Response {
        request(&self.addr, method, path, headers, body)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP/1.1

#[derive(Debug)]
struct Response {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Response {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The value this response sets for cookie `name`.
    fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("set-cookie"))
            .find_map(|(_, v)| {
                let pair = v.split(';').next()?;
                let (k, v) = pair.split_once('=')?;
                (k.trim() == name).then(|| v.trim().to_owned())
            })
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    fn request_id(&self) -> String {
        self.header("x-request-id")
            .expect("x-request-id")
            .to_owned()
    }
}

fn request(
    addr: &str,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: Option<&str>,
) -> Response {
    let mut stream = TcpStream::connect(addr).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .expect("timeout");
    let mut text = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        text.push_str(&format!("{name}: {value}\r\n"));
    }
    let body = body.unwrap_or("");
    if !body.is_empty() || method != "GET" {
        text.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    text.push_str("\r\n");
    text.push_str(body);
    stream.write_all(text.as_bytes()).expect("write");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).expect("read");
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = raw.split_once("\r\n\r\n").expect("a complete response");
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case("transfer-encoding") && v.contains("chunked"));
    let body = if chunked {
        unchunk(body)
    } else {
        body.to_owned()
    };
    Response {
        status,
        headers,
        body,
    }
}

fn unchunk(mut rest: &str) -> String {
    let mut out = String::new();
    while let Some((size, after)) = rest.split_once("\r\n") {
        let size =
            usize::from_str_radix(size.split(';').next().unwrap_or("").trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&after[..size.min(after.len())]);
        rest = after.get(size + 2..).unwrap_or("");
    }
    out
}

/// A client that keeps the session and CSRF cookies like a browser would.
struct Client<'a> {
    server: &'a Server,
    session: Option<String>,
    csrf_cookie: Option<String>,
    csrf: String,
    extra: Vec<(&'static str, String)>,
    /// Every CSRF token and session token this client was ever given.
    seen_secrets: Vec<String>,
}

impl<'a> Client<'a> {
    fn new(server: &'a Server, extra: Vec<(&'static str, String)>) -> Self {
        let mut client = Client {
            server,
            session: None,
            csrf_cookie: None,
            csrf: String::new(),
            extra,
            seen_secrets: Vec::new(),
        };
        client.refresh_csrf();
        client
    }

    fn headers(&self) -> Vec<(&str, String)> {
        let mut headers = self.extra.clone();
        let mut cookies = Vec::new();
        if let Some(session) = &self.session {
            cookies.push(format!("bt_session={session}"));
        }
        if let Some(csrf) = &self.csrf_cookie {
            cookies.push(format!("bt_csrf_token={csrf}"));
        }
        if !cookies.is_empty() {
            headers.push(("Cookie", cookies.join("; ")));
        }
        headers
    }

    fn absorb(&mut self, response: &Response) {
        if let Some(session) = response.cookie("bt_session") {
            if !session.is_empty() {
                self.seen_secrets.push(session.clone());
            }
            self.session = Some(session).filter(|s| !s.is_empty());
        }
        if let Some(csrf) = response.cookie("bt_csrf_token") {
            self.seen_secrets.push(csrf.clone());
            self.csrf_cookie = Some(csrf);
        }
    }

    fn refresh_csrf(&mut self) {
        let response = self.get("/api/auth/csrf-token");
        assert_eq!(response.status, 200, "{response:?}");
        self.csrf = response.json()["csrf_token"]
            .as_str()
            .expect("csrf_token")
            .to_owned();
        self.seen_secrets.push(self.csrf.clone());
    }

    fn get(&mut self, path: &str) -> Response {
        let response = self.server.request("GET", path, &self.headers(), None);
        self.absorb(&response);
        response
    }

    /// An unsafe request with `csrf` in `x-csrf-token` and a JSON body.
    fn send_with_token(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&Value>,
        csrf: &str,
    ) -> Response {
        let mut headers = self.headers();
        headers.push(("x-csrf-token", csrf.to_owned()));
        let body = body.map(Value::to_string);
        if body.is_some() {
            headers.push(("Content-Type", "application/json".to_owned()));
        }
        let response = self.server.request(method, path, &headers, body.as_deref());
        self.absorb(&response);
        response
    }

    fn send(&mut self, method: &str, path: &str, body: Option<&Value>) -> Response {
        let csrf = self.csrf.clone();
        self.send_with_token(method, path, body, &csrf)
    }

    fn login(&mut self, username: &str, password: &str) -> Response {
        let response = self.send(
            "POST",
            "/api/auth/login",
            Some(&serde_json::json!({"username": username, "password": password})),
        );
        if response.status == 200 {
            self.csrf = response.json()["csrf_token"]
                .as_str()
                .expect("csrf_token")
                .to_owned();
            self.seen_secrets.push(self.csrf.clone());
        }
        response
    }
}

// ---------------------------------------------------------------------------------------------
// Logs

fn parse_all(lines: &[String]) -> Vec<Value> {
    lines
        .iter()
        .map(|line| {
            let value: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not one JSON object ({e}): {line:?}"));
            assert!(value.is_object(), "not a JSON object: {line}");
            value
        })
        .collect()
}

/// `2026-03-14T09:00:00.123456Z`: RFC 3339 in UTC.
fn is_utc_rfc3339(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() >= 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[16] == b':'
        && text.ends_with('Z')
        && [0..4, 5..7, 8..10, 11..13, 14..16, 17..19]
            .into_iter()
            .all(|r| b[r].iter().all(u8::is_ascii_digit))
}

fn events_of<'a>(events: &'a [Value], request_id: &str) -> Vec<&'a Value> {
    events
        .iter()
        .filter(|e| e["span"]["request_id"] == request_id)
        .collect()
}

/// The `security` event of request `request_id` whose message contains `message`.
fn security_event<'a>(events: &'a [Value], request_id: &str, message: &str) -> &'a Value {
    events_of(events, request_id)
        .into_iter()
        .find(|e| {
            e["target"] == "security" && e["message"].as_str().is_some_and(|m| m.contains(message))
        })
        .unwrap_or_else(|| {
            panic!(
                "no security event {message:?} for request {request_id}:\n{:#?}",
                events_of(events, request_id)
            )
        })
}

/// The access-log line of request `request_id`.
fn request_line<'a>(events: &'a [Value], request_id: &str) -> &'a Value {
    events_of(events, request_id)
        .into_iter()
        .find(|e| e["target"] == "http")
        .unwrap_or_else(|| panic!("no request line for {request_id}"))
}

// ---------------------------------------------------------------------------------------------
// HDR-07: the master key at start-up

#[test]
fn hdr_07_a_different_environment_key_is_refused_without_printing_either_key() {
    let (_dir, data) = data_dir();
    let mut first = billtracker(&data);
    first.env("TOKEN_ENCRYPTION_KEY", KEY_A);
    let server = Server::start(first);
    assert_eq!(server.request("GET", "/readyz", &[], None).status, 200);
    let (exit, lines) = server.stop();
    assert!(exit.success(), "{exit:?}");
    let log = lines.join("\n");
    assert!(!log.contains(KEY_A), "the key is printed: {log}");
    assert!(
        !key_file(&data).exists(),
        "no key file is written when TOKEN_ENCRYPTION_KEY is set"
    );

    let mut second = billtracker(&data);
    second.env("TOKEN_ENCRYPTION_KEY", KEY_B);
    let started = Instant::now();
    let outcome = run(second, None, Duration::from_secs(10));
    assert!(
        outcome.failed(),
        "refused with a non-zero exit: {outcome:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(10));
    let all = outcome.all();
    assert!(
        all.contains("TOKEN_ENCRYPTION_KEY"),
        "names the setting: {outcome:?}"
    );
    for key in [KEY_A, KEY_B] {
        assert!(!all.contains(key), "prints a key: {outcome:?}");
        assert!(
            !all.contains(&key[15..35]),
            "prints part of a key: {outcome:?}"
        );
    }
    assert!(!all.contains("BillTracker is ready"), "{outcome:?}");
    assert!(!key_file(&data).exists(), "no key was generated");

    // The original key still works: nothing was written under key B.
    let mut again = billtracker(&data);
    again.env("TOKEN_ENCRYPTION_KEY", KEY_A);
    let (exit, _) = Server::start(again).stop();
    assert!(exit.success());
}

#[cfg(unix)]
#[test]
fn hdr_07_a_missing_key_file_is_refused_and_no_new_key_is_generated() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, data) = data_dir();
    let server = Server::start(billtracker(&data));
    let (exit, lines) = server.stop();
    assert!(exit.success());
    let path = key_file(&data);
    let mode = std::fs::metadata(&path)
        .expect("master.key generated")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "the generated key file is private");
    let events = parse_all(&lines);
    assert!(
        events.iter().any(|e| e["level"] == "WARN"
            && e["message"]
                .as_str()
                .is_some_and(|m| m.contains("back this file up"))),
        "the operator is told to back up the new key: {lines:#?}"
    );
    let key_text = std::fs::read_to_string(&path).expect("read");
    let hex = key_text.trim().split_once(':').expect("<id>:<hex>").1;
    assert!(!lines.join("\n").contains(hex), "the key is logged");

    std::fs::remove_file(&path).expect("delete the key file");
    let outcome = run(billtracker(&data), None, Duration::from_secs(10));
    assert!(outcome.failed(), "refused: {outcome:?}");
    let all = outcome.all();
    assert!(
        all.contains("TOKEN_ENCRYPTION_KEY") && all.contains("master.key"),
        "says where the key should come from: {outcome:?}"
    );
    assert!(
        !path.exists(),
        "no new key file was created over existing data"
    );
    let names: Vec<_> = std::fs::read_dir(&data)
        .expect("list")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names.iter().all(|n| !n.contains("master.key")),
        "no key file under another name either: {names:?}"
    );

    let check = run(with_args(&data, &["check"]), None, Duration::from_secs(30));
    assert!(check.failed(), "{check:?}");
    assert!(check.stdout.contains("encryption key: FAILED"), "{check:?}");
    assert!(!path.exists(), "check does not generate a key either");
}

#[cfg(unix)]
#[test]
fn hdr_07_a_key_file_other_users_can_read_is_refused_naming_the_file() {
    use std::os::unix::fs::PermissionsExt;
    let (_dir, data) = data_dir();
    let (exit, _) = Server::start(billtracker(&data)).stop();
    assert!(exit.success());
    let path = key_file(&data);
    let before = std::fs::read(&path).expect("read");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");

    let outcome = run(billtracker(&data), None, Duration::from_secs(10));
    assert!(outcome.failed(), "refused: {outcome:?}");
    let all = outcome.all();
    assert!(
        all.contains(&path.display().to_string()) && all.contains("chmod 600"),
        "names the file and the fix: {outcome:?}"
    );
    let key_hex = String::from_utf8_lossy(&before);
    let key_hex = key_hex.trim().split_once(':').expect("<id>:<hex>").1;
    assert!(!all.contains(key_hex), "prints the key: {outcome:?}");
    assert_eq!(
        std::fs::read(&path).expect("read"),
        before,
        "the file is left as it was"
    );

    let check = run(with_args(&data, &["check"]), None, Duration::from_secs(30));
    assert!(check.failed(), "{check:?}");
    assert!(check.stdout.contains("encryption key: FAILED"), "{check:?}");

    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    let check = run(with_args(&data, &["check"]), None, Duration::from_secs(30));
    assert!(check.succeeded(), "{check:?}");
}

fn with_args(data: &Path, args: &[&str]) -> Command {
    let mut cmd = billtracker(data);
    cmd.args(args);
    cmd
}

#[test]
fn hdr_07_check_reports_the_encryption_key_with_exit_codes_0_and_1() {
    let (_dir, data) = data_dir();
    let mut first = billtracker(&data);
    first.env("TOKEN_ENCRYPTION_KEY", KEY_A);
    let (exit, _) = Server::start(first).stop();
    assert!(exit.success());

    let mut good = with_args(&data, &["check"]);
    good.env("TOKEN_ENCRYPTION_KEY", KEY_A);
    let good = run(good, None, Duration::from_secs(30));
    assert_eq!(good.status.and_then(|s| s.code()), Some(0), "{good:?}");
    assert!(good.stdout.contains("encryption key: ok"), "{good:?}");

    let mut bad = with_args(&data, &["check"]);
    bad.env("TOKEN_ENCRYPTION_KEY", KEY_B);
    let bad = run(bad, None, Duration::from_secs(30));
    assert_eq!(bad.status.and_then(|s| s.code()), Some(1), "{bad:?}");
    assert!(bad.stdout.contains("encryption key: FAILED"), "{bad:?}");
    assert!(bad.all().contains("TOKEN_ENCRYPTION_KEY"), "{bad:?}");
    for key in [KEY_A, KEY_B] {
        assert!(!bad.all().contains(key), "prints a key: {bad:?}");
    }

    // No key at all for data that needs one.
    let none = run(with_args(&data, &["check"]), None, Duration::from_secs(30));
    assert_eq!(none.status.and_then(|s| s.code()), Some(1), "{none:?}");
    assert!(none.stdout.contains("encryption key: FAILED"), "{none:?}");
    assert!(
        !key_file(&data).exists(),
        "check generated a key over existing data"
    );
}

/// Signs in once through the API so sessions and login history hold encrypted values.
fn populate(server: &Server, username: &str) {
    let mut client = Client::new(server, vec![("User-Agent", USER_AGENT.to_owned())]);
    assert_eq!(
        client.login(username, "not the password at all").status,
        401
    );
    assert_eq!(client.login(username, PASSWORD).status, 200);
    assert_eq!(client.get("/api/profile/sessions").status, 200);
}

/// Signs in and returns the sessions list and login history as the API shows them.
fn sessions_and_history(server: &Server, username: &str) -> (Value, Value) {
    let mut client = Client::new(server, vec![("User-Agent", USER_AGENT.to_owned())]);
    assert_eq!(client.login(username, PASSWORD).status, 200);
    let sessions = client.get("/api/profile/sessions");
    assert_eq!(sessions.status, 200);
    let history = client.get("/api/profile/login-history");
    assert_eq!(history.status, 200);
    (sessions.json(), history.json())
}

fn key_file_ids(data: &Path) -> Vec<String> {
    std::fs::read_to_string(key_file(data))
        .expect("key file")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split_once(':').expect("<id>:<hex>").0.to_owned())
        .collect()
}

#[test]
fn hdr_07_cry_03_rotate_keys_on_a_populated_data_directory_then_check_passes() {
    let (_dir, data) = data_dir();
    create_user(&data, "xavier", &[]);
    let server = Server::start(billtracker(&data));
    populate(&server, "xavier");
    let (exit, _) = server.stop();
    assert!(exit.success());
    let old = key_file_ids(&data);
    assert_eq!(old.len(), 1);

    let rotate = run(
        with_args(&data, &["rotate-keys"]),
        None,
        Duration::from_secs(60),
    );
    assert_eq!(rotate.status.and_then(|s| s.code()), Some(0), "{rotate:?}");
    let count: usize = rotate
        .stdout
        .split_whitespace()
        .find_map(|w| w.parse().ok())
        .unwrap_or_else(|| panic!("says how many values: {rotate:?}"));
    assert!(
        count >= 5,
        "canary, one session and two sign-ins: {rotate:?}"
    );
    let new = key_file_ids(&data);
    assert_eq!(new.len(), 1, "only the new key is left: {new:?}");
    assert_ne!(new, old);

    let check = run(with_args(&data, &["check"]), None, Duration::from_secs(30));
    assert!(check.succeeded(), "{check:?}");
    assert!(check.stdout.contains("encryption key: ok"), "{check:?}");

    // The data written before the rotation still reads back.
    let server = Server::start(billtracker(&data));
    let (sessions, history) = sessions_and_history(&server, "xavier");
    let (exit, _) = server.stop();
    assert!(exit.success());
    let sessions = sessions.as_array().expect("array");
    assert_eq!(sessions.len(), 2, "{sessions:?}");
    assert!(
        sessions.iter().all(|s| s["ip"] == "127.0.0.1"),
        "{sessions:?}"
    );
    let history = history.as_array().expect("array");
    assert_eq!(history.len(), 3, "{history:?}");
    assert!(
        history.iter().all(|h| h["ip"] == "127.0.0.1"),
        "{history:?}"
    );
}

#[test]
fn cry_03_rotate_keys_with_token_encryption_key_previous() {
    let (_dir, data) = data_dir();
    create_user(&data, "xavier", &[("TOKEN_ENCRYPTION_KEY", KEY_A)]);
    let mut first = billtracker(&data);
    first.env("TOKEN_ENCRYPTION_KEY", KEY_A);
    let server = Server::start(first);
    populate(&server, "xavier");
    let (exit, _) = server.stop();
    assert!(exit.success());

    let mut rotate = with_args(&data, &["rotate-keys"]);
    rotate
        .env("TOKEN_ENCRYPTION_KEY", KEY_B)
        .env("TOKEN_ENCRYPTION_KEY_PREVIOUS", KEY_A);
    let rotate = run(rotate, None, Duration::from_secs(60));
    assert!(rotate.succeeded(), "{rotate:?}");
    assert!(
        rotate.stdout.contains("TOKEN_ENCRYPTION_KEY_PREVIOUS"),
        "tells the operator to remove the old key: {rotate:?}"
    );

    let mut check = with_args(&data, &["check"]);
    check.env("TOKEN_ENCRYPTION_KEY", KEY_B);
    let check = run(check, None, Duration::from_secs(30));
    assert!(check.succeeded(), "key B alone opens everything: {check:?}");

    let mut after = billtracker(&data);
    after.env("TOKEN_ENCRYPTION_KEY", KEY_B);
    let server = Server::start(after);
    let (sessions, _) = sessions_and_history(&server, "xavier");
    let (exit, _) = server.stop();
    assert!(exit.success());
    assert!(
        sessions
            .as_array()
            .expect("array")
            .iter()
            .all(|s| s["ip"] == "127.0.0.1"),
        "{sessions}"
    );
}

// ---------------------------------------------------------------------------------------------
// LOG-01: security events

/// Runs the LOG-01 scenario and returns (request ids, every parsed log event).
struct SecurityScenario {
    wrong_password: String,
    throttled: String,
    bad_csrf: String,
    rate_limited: String,
    events: Vec<Value>,
}

fn security_scenario() -> SecurityScenario {
    let (_dir, data) = data_dir();
    create_user(&data, "carol", &[]);
    let mut cmd = billtracker(&data);
    cmd.env("LOG_LEVEL", "info")
        .env("TRUSTED_PROXIES", "127.0.0.1");
    let server = Server::start(cmd);
    let mut client = Client::new(
        &server,
        vec![
            ("User-Agent", USER_AGENT.to_owned()),
            ("X-Forwarded-For", FORWARDED_IP.to_owned()),
        ],
    );
    assert!(client.csrf_cookie.is_some(), "the CSRF cookie was set");

    // 1: a wrong password for a real account.
    let wrong = client.login("carol", "definitely-not-carols-password");
    assert_eq!(wrong.status, 401, "{wrong:?}");
    // 2: a request with a bad CSRF token (does not reach the login, so does not count).
    let bad_csrf = client.send_with_token(
        "POST",
        "/api/auth/login",
        Some(&serde_json::json!({"username": "carol", "password": "x"})),
        "forged.token",
    );
    assert_eq!(bad_csrf.status, 403, "{bad_csrf:?}");
    // 3-6: more wrong passwords; the fifth failure throttles the account, the sixth attempt
    // is refused for it.
    for _ in 0..4 {
        assert_eq!(
            client.login("carol", "still-not-carols-password").status,
            401
        );
    }
    let throttled = client.login("carol", "still-not-carols-password");
    assert_eq!(throttled.status, 429, "account throttled: {throttled:?}");
    // 7-11: unknown accounts until the per-IP limit (10 per 15 min) answers.
    let mut limited = None;
    for attempt in 0..6 {
        let response = client.login(&format!("nobody{attempt}"), "whatever-password");
        if response.status == 429 {
            limited = Some(response);
            break;
        }
        assert_eq!(response.status, 401, "{response:?}");
    }
    let limited = limited.expect("the 11th sign-in attempt is rate limited");
    assert!(limited.header("retry-after").is_some());

    let (exit, lines) = server.stop();
    assert!(exit.success(), "{exit:?}");
    SecurityScenario {
        wrong_password: wrong.request_id(),
        throttled: throttled.request_id(),
        bad_csrf: bad_csrf.request_id(),
        rate_limited: limited.request_id(),
        events: parse_all(&lines),
    }
}

#[test]
fn log_01_security_events_are_json_lines_with_utc_time_request_id_and_client_ip() {
    let scenario = security_scenario();
    let events = &scenario.events;
    for event in events {
        let time = event["timestamp"]
            .as_str()
            .unwrap_or_else(|| panic!("no timestamp: {event}"));
        assert!(is_utc_rfc3339(time), "timestamp not RFC 3339 UTC: {event}");
        assert!(
            event["level"].is_string() && event["target"].is_string(),
            "{event}"
        );
    }

    let wrong = security_event(events, &scenario.wrong_password, "sign-in failed");
    assert_eq!(wrong["level"], "WARN");
    assert!(
        wrong["user"].as_str().is_some_and(|u| !u.is_empty()),
        "names the account: {wrong}"
    );
    assert!(wrong.get("password").is_none());

    let throttled = security_event(events, &scenario.throttled, "throttled");
    assert!(throttled["user"].is_string(), "{throttled}");

    let csrf = security_event(events, &scenario.bad_csrf, "CSRF");
    assert_eq!(csrf["level"], "WARN");

    let limited = security_event(events, &scenario.rate_limited, "rate limit");
    assert_eq!(limited["limit"], "login", "{limited}");

    for (request_id, status) in [
        (&scenario.wrong_password, 401),
        (&scenario.throttled, 429),
        (&scenario.bad_csrf, 403),
        (&scenario.rate_limited, 429),
    ] {
        let line = request_line(events, request_id);
        assert_eq!(line["ip"], FORWARDED_IP, "the client IP: {line}");
        assert_eq!(line["status"], status, "{line}");
        assert_eq!(line["path"], "/api/auth/login", "{line}");
    }
}

#[test]
fn log_01_security_events_record_the_user_agent() {
    let scenario = security_scenario();
    for request_id in [
        &scenario.wrong_password,
        &scenario.throttled,
        &scenario.bad_csrf,
        &scenario.rate_limited,
    ] {
        let lines = events_of(&scenario.events, request_id);
        assert!(lines.iter().any(|e| e["target"] == "security"));
        assert!(
            lines.iter().any(|e| e.to_string().contains(USER_AGENT)),
            "no line of request {request_id} names the user agent: {lines:#?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// LOG-02: no secrets, no forged lines

#[test]
fn log_02_no_password_session_token_or_csrf_token_reaches_the_log() {
    let (_dir, data) = data_dir();
    create_user(&data, "dora", &[]);
    let mut cmd = billtracker(&data);
    cmd.env("LOG_LEVEL", "trace");
    let server = Server::start(cmd);

    let mut client = Client::new(&server, vec![("User-Agent", USER_AGENT.to_owned())]);
    let signed_in = client.login("dora", PASSWORD);
    assert_eq!(signed_in.status, 200, "{signed_in:?}");
    let token = client.session.clone().expect("session cookie");
    assert_eq!(client.get("/api/auth/me").status, 200);
    assert_eq!(client.get("/api/profile/sessions").status, 200);
    assert_eq!(client.get("/api/profile/login-history").status, 200);
    assert_eq!(client.refresh_csrf_status(), 200);
    // A token in a query string must not reach the log either.
    assert_eq!(
        client.get(&format!("/api/auth/me?token={token}")).status,
        200
    );
    let out = client.send("POST", "/api/auth/logout", None);
    assert_eq!(out.status, 204, "{out:?}");
    assert_eq!(client.get("/api/auth/me").status, 401);
    // A wrong password that differs from the real one by one character.
    let mut again = Client::new(&server, vec![]);
    assert_eq!(
        again
            .login("dora", &PASSWORD.replace("4711", "4712"))
            .status,
        401
    );
    let seen: Vec<String> = client
        .seen_secrets
        .iter()
        .chain(&again.seen_secrets)
        .cloned()
        .collect();
    drop((client, again));

    let (exit, lines) = server.stop();
    assert!(exit.success());
    assert!(lines.len() > 10, "TRACE logs something: {}", lines.len());
    let log = lines.join("\n");
    let mut secrets = vec![
        ("password", PASSWORD.to_owned()),
        ("wrong password", PASSWORD.replace("4711", "4712")),
        ("session token", token.clone()),
    ];
    for secret in &seen {
        secrets.push(("session or CSRF token", secret.clone()));
        if let Some((nonce, mac)) = secret.split_once('.') {
            secrets.push(("CSRF token nonce", nonce.to_owned()));
            secrets.push(("CSRF token MAC", mac.to_owned()));
        }
    }
    assert!(secrets.len() >= 6, "{secrets:?}");
    for (what, secret) in &secrets {
        assert!(
            !log.contains(secret.as_str()),
            "the {what} is in the log: {:#?}",
            lines
                .iter()
                .filter(|l| l.contains(secret.as_str()))
                .collect::<Vec<_>>()
        );
    }
    parse_all(&lines);
}

impl Client<'_> {
    fn refresh_csrf_status(&mut self) -> u16 {
        let response = self.get("/api/auth/csrf-token");
        if let Some(token) = response.json()["csrf_token"].as_str() {
            self.csrf = token.to_owned();
            self.seen_secrets.push(self.csrf.clone());
        }
        response.status
    }
}

#[test]
fn log_02_a_username_with_a_newline_cannot_forge_a_log_line() {
    let (_dir, data) = data_dir();
    let mut cmd = billtracker(&data);
    cmd.env("LOG_LEVEL", "trace");
    let server = Server::start(cmd);
    let forged = "x\nINFO forged line";

    let mut client = Client::new(&server, vec![]);
    let api = client.login(forged, "some password");
    assert!(matches!(api.status, 401 | 422), "{api:?}");
    let also = client.login(
        "x\r\n{\"level\":\"INFO\",\"message\":\"forged json\"}",
        "pw",
    );
    assert!(matches!(also.status, 401 | 422), "{also:?}");

    // The form route, url-encoded.
    let csrf = client.csrf.clone();
    let mut headers = client.headers();
    headers.push((
        "Content-Type",
        "application/x-www-form-urlencoded".to_owned(),
    ));
    let form = format!("username=x%0AINFO+forged+line&password=pw&csrf_token={csrf}");
    let page = server.request("POST", "/login", &headers, Some(&form));
    assert!(page.status < 500, "{page:?}");
    // And the path itself.
    let path = server.request("GET", "/api/%0AINFO%20forged%20line", &[], None);
    assert_eq!(path.status, 404);

    let (exit, lines) = server.stop();
    assert!(exit.success());
    let events = parse_all(&lines);
    assert_eq!(events.len(), lines.len());
    for line in &lines {
        let trimmed = line.trim_start();
        assert!(
            !trimmed.starts_with("INFO forged")
                && !trimmed.starts_with("{\"level\":\"INFO\",\"message\":\"forged"),
            "a forged line: {line}"
        );
    }
    assert!(
        !events.iter().any(|e| e["message"] == "forged json"),
        "a forged JSON event"
    );
}
