//! Configuration layering, validation and the generated reference.

use std::collections::BTreeMap;
use std::io::Write;

use super::*;

fn env(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[test]
fn defaults_give_a_local_sqlite_instance_on_port_3030() {
    let config = Config::from_sources(None, &env(&[])).expect("defaults are valid");
    assert_eq!(config.listen.to_string(), "127.0.0.1:3030");
    assert!(!config.uses_postgres());
    assert!(!config.https && !config.cookie_secure && !config.csrf_secure);
    assert!(config.csrf_http_only);
    assert_eq!(config.csrf_cookie_name, "bt_csrf_token");
    assert_eq!(config.session_idle_timeout, Duration::from_secs(7200));
    assert_eq!(config.session_lifetime, Duration::from_secs(7 * 86_400));
    assert_eq!(config.metrics, Metrics::Off);
    assert_eq!(config.sqlite_path(), PathBuf::from("./data/billtracker.db"));
    assert_eq!(config.public_url, "http://localhost:3030");
}

#[test]
fn public_url_is_derived_from_listen_with_localhost_for_loopback_and_any() {
    let url = |pairs: &[(&str, &str)]| {
        Config::from_sources(None, &env(pairs))
            .expect("valid")
            .public_url
    };
    assert_eq!(url(&[("LISTEN", "0.0.0.0:8080")]), "http://localhost:8080");
    assert_eq!(url(&[("LISTEN", "[::1]:8080")]), "http://localhost:8080");
    assert_eq!(url(&[("LISTEN", "192.0.2.7:80")]), "http://192.0.2.7:80");
    assert_eq!(
        url(&[("LISTEN", "127.0.0.1:443"), ("HTTPS", "true")]),
        "https://localhost:443"
    );
    assert_eq!(
        url(&[("PUBLIC_URL", "https://bills.example.org/")]),
        "https://bills.example.org"
    );
}

#[test]
fn environment_wins_over_the_file_and_the_file_over_defaults() {
    let mut file = tempfile::NamedTempFile::new().expect("temp");
    writeln!(
        file,
        "listen = \"0.0.0.0:8080\"\nhttps = true\nsession_idle_timeout_minutes = 30"
    )
    .expect("write");
    let config = Config::from_sources(Some(file.path()), &env(&[("LISTEN", "127.0.0.1:9000")]))
        .expect("valid");
    assert_eq!(config.listen.to_string(), "127.0.0.1:9000");
    assert!(config.https, "from the file");
    assert!(
        config.cookie_secure && config.csrf_secure,
        "Secure follows HTTPS"
    );
    assert_eq!(config.session_idle_timeout, Duration::from_secs(1800));
}

#[test]
fn an_unknown_file_key_stops_start_up_naming_it() {
    let mut file = tempfile::NamedTempFile::new().expect("temp");
    writeln!(file, "lisen = \"0.0.0.0:8080\"").expect("write");
    let err = Config::from_sources(Some(file.path()), &env(&[])).expect_err("unknown key");
    assert_eq!(err.key, "lisen");
}

#[test]
fn invalid_values_are_refused_naming_the_key() {
    let cases = [
        ("LISTEN", "not-an-address"),
        ("HTTPS", "maybe"),
        ("SESSION_CLEANUP_INTERVAL_MS", "-5"),
        ("SESSION_IDLE_TIMEOUT_MINUTES", "0"),
        ("DATABASE_MAX_CONNECTIONS", "100000"),
        ("CSRF_SAME_SITE", "sometimes"),
        ("CSRF_COOKIE_NAME", "bad name;"),
        ("CORS_ORIGIN", "*"),
        ("TRUSTED_PROXIES", "10.0.0.0/99"),
        ("TOKEN_ENCRYPTION_KEY", "too-short"),
        ("DATABASE_URL", "mysql://x"),
        ("METRICS", "maybe"),
        ("LOG_FORMAT", "xml"),
        ("SQLITE_SYNCHRONOUS", "off"),
        ("PUBLIC_URL", "ftp://x"),
    ];
    for (key, value) in cases {
        let err = Config::from_sources(None, &env(&[(key, value)])).expect_err(key);
        assert_eq!(err.key, key, "{key}={value} → {err}");
    }
}

#[test]
fn dependent_settings_are_checked_together() {
    let err = Config::from_sources(None, &env(&[("METRICS", "token")])).expect_err("no token");
    assert_eq!(err.key, "METRICS_TOKEN");
    let err =
        Config::from_sources(None, &env(&[("SINGLE_USER_MODE", "true")])).expect_err("no user");
    assert_eq!(err.key, "SINGLE_USER_USERNAME");
    let err =
        Config::from_sources(None, &env(&[("CSRF_SAME_SITE", "none")])).expect_err("not secure");
    assert_eq!(err.key, "CSRF_SAME_SITE");
    let err = Config::from_sources(None, &env(&[("BOOTSTRAP_ADMIN_USERNAME", "root")]))
        .expect_err("half");
    assert_eq!(err.key, "BOOTSTRAP_ADMIN_PASSWORD");
    for (key, value) in [
        ("OIDC_ISSUER_URL", "not a url"),
        ("OIDC_ISSUER_URL", "ftp://idp.example.org"),
        ("OIDC_TOKEN_AUTH_METHOD", "private_key_jwt"),
        ("OIDC_AUTO_PROVISION", "maybe"),
        ("OIDC_REDIRECT_URI", "::"),
    ] {
        let err = Config::from_sources(None, &env(&[(key, value)])).expect_err(value);
        assert_eq!(err.key, key, "{value}");
    }
}

#[test]
fn secrets_come_from_files_and_never_print() {
    let mut file = tempfile::NamedTempFile::new().expect("temp");
    writeln!(file, "0123456789abcdef0123456789abcdef-secret").expect("write");
    let path = file.path().to_string_lossy().into_owned();
    let config = Config::from_sources(
        None,
        &env(&[
            ("TOKEN_ENCRYPTION_KEY_FILE", &path),
            ("OIDC_CLIENT_SECRET", "oidc-client-credential-xyz"),
            ("GITHUB_CLIENT_SECRET", "github-client-credential-xyz"),
        ]),
    )
    .expect("valid");
    let key = config.token_encryption_key.clone().expect("set");
    assert_eq!(
        key.expose(),
        "0123456789abcdef0123456789abcdef-secret",
        "trailing newline trimmed"
    );
    let printed = format!("{config:?}");
    for value in [
        "0123456789abcdef",
        "oidc-client-credential-xyz",
        "github-client-credential-xyz",
    ] {
        assert!(
            !printed.contains(value),
            "Debug never shows secrets: {printed}"
        );
    }
    assert!(printed.contains("[redacted]"));
    let both = env(&[
        ("TOKEN_ENCRYPTION_KEY_FILE", &path),
        ("TOKEN_ENCRYPTION_KEY", "x"),
    ]);
    assert_eq!(
        Config::from_sources(None, &both).expect_err("both").key,
        "TOKEN_ENCRYPTION_KEY_FILE"
    );
}

#[test]
fn trusted_proxy_ranges_match_v4_v6_and_mapped_addresses() {
    let config =
        Config::from_sources(None, &env(&[("TRUSTED_PROXIES", "10.0.0.0/8, ::1")])).expect("valid");
    let has = |ip: &str| {
        config
            .trusted_proxies
            .iter()
            .any(|r| r.contains(ip.parse().expect("ip")))
    };
    assert!(has("10.1.2.3"));
    assert!(has("::ffff:10.9.9.9"));
    assert!(has("::1"));
    assert!(!has("11.0.0.1"));
    assert!(!has("127.0.0.1"));
}

#[test]
fn the_committed_reference_matches_the_code() {
    let committed = include_str!("../../../../docs/configuration.md");
    assert_eq!(
        committed,
        reference_markdown(),
        "docs/configuration.md is stale: run `cargo run -- config-reference > docs/configuration.md`"
    );
}

#[test]
fn outbound_knobs_build_the_outbound_policy() {
    let defaults = Config::from_sources(None, &env(&[])).expect("defaults");
    assert_eq!(defaults.outbound.connect_timeout, Duration::from_secs(5));
    assert_eq!(defaults.outbound.timeout, Duration::from_secs(15));
    assert_eq!(defaults.outbound.max_response_bytes, 1 << 20);
    assert_eq!(defaults.outbound.max_redirects, 0);
    let loopback = "127.0.0.1".parse().expect("ip");
    assert!(defaults.outbound.check_ip("idp.lan", loopback).is_err());

    let config = Config::from_sources(
        None,
        &env(&[
            ("OUTBOUND_ALLOW_HOSTS", "idp.lan, 10.0.0.0/8"),
            ("OUTBOUND_ALLOW_HTTP_HOSTS", "idp.lan"),
            ("OUTBOUND_TIMEOUT_SECONDS", "30"),
            ("OUTBOUND_MAX_RESPONSE_BYTES", "4096"),
        ]),
    )
    .expect("valid");
    let policy = &config.outbound;
    assert!(policy.check_ip("idp.lan", loopback).is_ok());
    assert!(
        policy
            .check_ip("x.example", "10.1.2.3".parse().expect("ip"))
            .is_ok()
    );
    assert!(policy.check_ip("x.example", loopback).is_err());
    let url = "http://idp.lan/.well-known/openid-configuration"
        .parse()
        .expect("url");
    assert!(policy.check_url(&url).is_ok());
    assert_eq!(policy.timeout, Duration::from_secs(30));
    assert_eq!(policy.max_response_bytes, 4096);

    let cases = [
        ("OUTBOUND_ALLOW_HOSTS", "10.0.0.0/99"),
        ("OUTBOUND_ALLOW_HTTP_HOSTS", "bad host"),
        ("OUTBOUND_CA_FILE", "/nonexistent/ca.pem"),
        ("OUTBOUND_CONNECT_TIMEOUT_SECONDS", "0"),
        ("OUTBOUND_TIMEOUT_SECONDS", "forever"),
        ("OUTBOUND_MAX_RESPONSE_BYTES", "10"),
    ];
    for (key, value) in cases {
        let err = Config::from_sources(None, &env(&[(key, value)])).expect_err(key);
        assert_eq!(err.key, key, "{key}={value} → {err}");
    }
    let mut not_pem = tempfile::NamedTempFile::new().expect("temp");
    writeln!(not_pem, "not a certificate").expect("write");
    let path = not_pem.path().to_string_lossy().into_owned();
    let err = Config::from_sources(None, &env(&[("OUTBOUND_CA_FILE", &path)])).expect_err("pem");
    assert_eq!(err.key, "OUTBOUND_CA_FILE");
}

#[test]
fn allowed_hosts_default_to_the_public_url_host_and_loopback_names_for_a_local_instance() {
    let hosts = |pairs: &[(&str, &str)]| {
        Config::from_sources(None, &env(pairs))
            .expect("valid")
            .allowed_hosts
    };
    let local = hosts(&[]);
    assert!(local.allows("localhost:3030") && local.allows("127.0.0.1:8080"));
    assert!(!local.allows("rebind.example:3030"));
    let container = hosts(&[("LISTEN", "0.0.0.0:3030")]);
    assert!(container.allows("localhost:8080") && !container.allows("192.168.1.5:3030"));
    let public = hosts(&[
        ("LISTEN", "0.0.0.0:3030"),
        ("PUBLIC_URL", "https://bills.example.org"),
        ("ALLOWED_HOSTS", "192.168.1.5:3030"),
    ]);
    assert!(public.allows("bills.example.org") && public.allows("192.168.1.5:3030"));
    assert!(!public.allows("localhost:3030") && !public.allows("rebind.example"));
    let lan = hosts(&[("LISTEN", "192.0.2.7:80")]);
    assert!(lan.allows("192.0.2.7") && !lan.allows("localhost"));
    let err = Config::from_sources(None, &env(&[("ALLOWED_HOSTS", "*")])).expect_err("wildcard");
    assert_eq!(err.key, "ALLOWED_HOSTS");
}
