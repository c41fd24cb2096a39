//! NET-01…NET-03 (security.md) against listeners started by each test: a "canary" that counts
//! connections (it must see none for a refused request), HTTPS servers with certificates from a
//! test CA made with rcgen, and a plain-HTTP server. Names resolve through a fixed table, so
//! "a public-looking name that resolves to 127.0.0.1" needs no DNS.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::HashMap;
use std::io;
use std::net::IpAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use outbound::{
    AddressClass, Lookup, LookupFuture, OutboundClient, OutboundError, OutboundPolicy, Refusal,
};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls;

// ---------------------------------------------------------------------------------------------
// Fixtures

/// A fixed name table instead of DNS.
struct Table(HashMap<&'static str, Vec<IpAddr>>);

impl Lookup for Table {
    fn lookup(&self, host: &str) -> LookupFuture {
        let found = self.0.get(host).cloned();
        Box::pin(async move { found.ok_or_else(|| io::Error::from(io::ErrorKind::NotFound)) })
    }
}

fn ips(list: &[&str]) -> Vec<IpAddr> {
    list.iter().map(|ip| ip.parse().unwrap()).collect()
}

fn table() -> Arc<Table> {
    Arc::new(Table(HashMap::from([
        ("idp.test", ips(&["127.0.0.1"])),
        ("other.test", ips(&["127.0.0.1"])),
        // Public-looking names an attacker controls, pointing inside.
        ("rebind.test", ips(&["127.0.0.1"])),
        ("mapped.test", ips(&["::ffff:127.0.0.1"])),
        ("metadata.test", ips(&["169.254.169.254"])),
        ("private.test", ips(&["10.0.0.1", "192.168.1.1"])),
        // One refused and one allowed address: only the allowed one may be dialled.
        ("mixed.test", ips(&["10.0.0.1", "127.0.0.1"])),
    ])))
}

/// Short limits so the timeout tests are quick.
fn policy() -> OutboundPolicy {
    OutboundPolicy::default()
        .with_connect_timeout(Duration::from_secs(2))
        .with_timeout(Duration::from_secs(3))
}

fn client(policy: OutboundPolicy) -> OutboundClient {
    OutboundClient::with_lookup(policy, table()).expect("client")
}

/// A listener that only counts connections.
struct Canary {
    port: u16,
    hits: Arc<AtomicUsize>,
}

impl Canary {
    async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&hits);
        tokio::spawn(async move {
            while let Ok((_stream, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
            }
        });
        Self { port, hits }
    }

    async fn assert_untouched(&self) {
        // Give a connection that slipped through time to be accepted.
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(
            self.hits.load(Ordering::SeqCst),
            0,
            "the canary saw a connection"
        );
    }
}

/// A test CA and a server certificate it signed for `idp.test`, `localhost` and 127.0.0.1.
struct Pki {
    ca_pem: String,
    server: Arc<rustls::ServerConfig>,
}

fn server_config(
    chain: Vec<rustls::pki_types::CertificateDer<'static>>,
    key: &rcgen::KeyPair,
) -> Arc<rustls::ServerConfig> {
    let key = rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into());
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(chain, key)
    .unwrap();
    Arc::new(config)
}

fn pki() -> Pki {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "BillTracker test CA");
    ca_params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
    ];
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = rcgen::Issuer::new(ca_params, ca_key);

    let leaf_key = rcgen::KeyPair::generate().unwrap();
    let leaf_params = rcgen::CertificateParams::new(vec![
        "idp.test".to_owned(),
        "localhost".to_owned(),
        "127.0.0.1".to_owned(),
    ])
    .unwrap();
    let leaf = leaf_params.signed_by(&leaf_key, &issuer).unwrap();
    Pki {
        ca_pem: ca_cert.pem(),
        server: server_config(vec![leaf.der().clone()], &leaf_key),
    }
}

/// A request as the test server saw it.
#[derive(Debug, Clone)]
struct Seen {
    head: String,
    body: Vec<u8>,
}

impl Seen {
    fn path(&self) -> &str {
        self.head.split(' ').nth(1).unwrap_or("")
    }

    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().skip(1).find_map(|line| {
            let (k, v) = line.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_owned())
        })
    }
}

/// What the test server answers.
enum Reply {
    Full {
        status: u16,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    },
    /// `total` bytes, chunked, no Content-Length.
    Stream { total: usize },
    /// Reads the request and never answers.
    Silent,
}

impl Reply {
    fn ok(body: &str) -> Self {
        Self::Full {
            status: 200,
            headers: vec![("Content-Type", "application/json".to_owned())],
            body: body.as_bytes().to_vec(),
        }
    }

    fn redirect(location: String) -> Self {
        Self::Full {
            status: 302,
            headers: vec![("Location", location)],
            body: Vec::new(),
        }
    }
}

type Handler = Arc<dyn Fn(&Seen) -> Reply + Send + Sync>;

/// An HTTP/1.1 server on 127.0.0.1, over TLS when `tls` is given. Records what it receives.
struct Server {
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    async fn start(tls: Option<Arc<rustls::ServerConfig>>, handler: Handler) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let handler = Arc::clone(&handler);
                let log = Arc::clone(&log);
                let tls = tls.clone();
                tokio::spawn(async move {
                    match tls {
                        Some(config) => {
                            if let Ok(stream) = TlsAcceptor::from(config).accept(stream).await {
                                serve(stream, handler, log).await;
                            }
                        }
                        None => serve(stream, handler, log).await,
                    }
                });
            }
        });
        Self { port, seen }
    }

    async fn https(pki: &Pki, handler: impl Fn(&Seen) -> Reply + Send + Sync + 'static) -> Self {
        Self::start(Some(Arc::clone(&pki.server)), Arc::new(handler)).await
    }

    fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(
    mut stream: S,
    handler: Handler,
    log: Arc<Mutex<Vec<Seen>>>,
) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut seen = Seen {
        head,
        body: buf[head_end..].to_vec(),
    };
    let length: usize = seen
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while seen.body.len() < length {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => seen.body.extend_from_slice(&chunk[..n]),
        }
    }
    let reply = handler(&seen);
    log.lock().unwrap().push(seen);
    match reply {
        Reply::Full {
            status,
            headers,
            body,
        } => {
            let mut out = format!(
                "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nConnection: close\r\n",
                body.len()
            );
            for (k, v) in headers {
                out.push_str(&format!("{k}: {v}\r\n"));
            }
            out.push_str("\r\n");
            let _ = stream.write_all(out.as_bytes()).await;
            let _ = stream.write_all(&body).await;
        }
        Reply::Stream { total } => {
            let head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let piece = vec![b'x'; 64 * 1024];
            let mut sent = 0;
            while sent < total {
                let frame = format!("{:x}\r\n", piece.len());
                if stream.write_all(frame.as_bytes()).await.is_err()
                    || stream.write_all(&piece).await.is_err()
                    || stream.write_all(b"\r\n").await.is_err()
                {
                    return;
                }
                sent += piece.len();
            }
            let _ = stream.write_all(b"0\r\n\r\n").await;
        }
        Reply::Silent => {
            tokio::time::sleep(Duration::from_secs(60)).await;
            return;
        }
    }
    let _ = stream.flush().await;
    let _ = stream.shutdown().await;
}

fn refusal(err: OutboundError) -> Refusal {
    match err {
        OutboundError::Refused { reason } => reason,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// NET-01: SSRF guard

#[tokio::test]
async fn net_01_non_public_destinations_are_refused_and_the_canary_sees_nothing() {
    let canary = Canary::start().await;
    let port = canary.port;
    let client = client(policy());
    let urls = [
        format!("https://127.0.0.1:{port}/"),
        format!("https://[::1]:{port}/"),
        format!("https://[::ffff:127.0.0.1]:{port}/"),
        // Other spellings of 127.0.0.1 that URL parsers normalise.
        format!("https://0x7f.0.0.1:{port}/"),
        format!("https://2130706433:{port}/"),
        format!("https://0.0.0.0:{port}/"),
        "https://169.254.169.254/latest/meta-data/".to_owned(),
        "https://10.0.0.1/".to_owned(),
        "https://[fd00::1]/".to_owned(),
        "https://100.64.0.1/".to_owned(),
        format!("https://localhost:{port}/"),
        format!("https://LOCALHOST.:{port}/"),
        format!("https://app.localhost:{port}/"),
        // Names that resolve to refused addresses.
        format!("https://rebind.test:{port}/"),
        format!("https://mapped.test:{port}/"),
        "https://metadata.test/latest/meta-data/".to_owned(),
        "https://private.test/".to_owned(),
    ];
    for url in &urls {
        let err = client.get(url).await.expect_err(url);
        match refusal(err) {
            Refusal::Address { .. } => {}
            other => panic!("{url}: expected an address refusal, got {other:?}"),
        }
    }
    // Every entry point goes through the same checks.
    let url = format!("https://rebind.test:{port}/token");
    assert!(
        client
            .get_json::<serde_json::Value>(&url)
            .await
            .unwrap_err()
            .is_refused()
    );
    assert!(
        client
            .post_form(
                &url,
                &[("grant_type", "authorization_code")],
                Some(("id", "s"))
            )
            .await
            .unwrap_err()
            .is_refused()
    );
    let request = http::Request::get(format!("https://127.0.0.1:{port}/"))
        .body(Vec::new())
        .unwrap();
    assert!(client.execute(request).await.unwrap_err().is_refused());
    canary.assert_untouched().await;
}

#[tokio::test]
async fn net_01_refusals_name_the_address_class() {
    let client = client(policy());
    let err = client
        .get("https://metadata.test/latest/meta-data/")
        .await
        .unwrap_err();
    assert_eq!(
        refusal(err),
        Refusal::Address {
            host: "metadata.test".to_owned(),
            ip: "169.254.169.254".parse().unwrap(),
            class: AddressClass::LinkLocal,
        }
    );
    let err = client.get("https://[::ffff:10.0.0.1]/").await.unwrap_err();
    assert!(matches!(
        refusal(err),
        Refusal::Address {
            class: AddressClass::Private,
            ..
        }
    ));
}

#[tokio::test]
async fn net_01_other_schemes_and_credentials_in_urls_are_refused() {
    let canary = Canary::start().await;
    let port = canary.port;
    let client = client(policy().allow_private("127.0.0.1").unwrap());
    for url in [
        "file:///etc/passwd".to_owned(),
        format!("gopher://127.0.0.1:{port}/_INFO"),
        format!("ftp://127.0.0.1:{port}/"),
        format!("ws://127.0.0.1:{port}/"),
    ] {
        let err = client.get(&url).await.expect_err(&url);
        assert!(matches!(refusal(err), Refusal::Scheme { .. }), "{url}");
    }
    for url in [
        format!("https://user:secret@127.0.0.1:{port}/"),
        format!("https://user@127.0.0.1:{port}/"),
        format!("https://:secret@127.0.0.1:{port}/"),
    ] {
        let err = client.get(&url).await.expect_err(&url);
        assert_eq!(refusal(err.clone()), Refusal::Credentials, "{url}");
        assert!(!err.to_string().contains("secret"));
    }
    assert_eq!(
        client.get("not a url").await.unwrap_err(),
        OutboundError::InvalidUrl
    );
    canary.assert_untouched().await;
}

#[tokio::test]
async fn net_01_an_allow_listed_internal_host_is_reached() {
    let pki = pki();
    let server = Server::https(&pki, |_| Reply::ok(r#"{"issuer":"https://idp.test"}"#)).await;
    let port = server.port;
    let allowed = policy()
        .with_ca_pem(pki.ca_pem.as_bytes())
        .unwrap()
        .allow_private("idp.test")
        .unwrap();
    let client = client(allowed);

    let response = client
        .get(&format!("https://idp.test:{port}/x"))
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    assert_eq!(&response.body[..], br#"{"issuer":"https://idp.test"}"#);

    #[derive(serde::Deserialize)]
    struct Discovery {
        issuer: String,
    }
    let doc: Discovery = client
        .get_json(&format!(
            "https://idp.test:{port}/.well-known/openid-configuration"
        ))
        .await
        .unwrap();
    assert_eq!(doc.issuer, "https://idp.test");

    // The allow-list names one host: another name for the same address stays refused.
    let err = client
        .get(&format!("https://other.test:{port}/"))
        .await
        .unwrap_err();
    assert!(err.is_refused(), "{err:?}");
    // And an IP literal of it too (only the name is allowed).
    assert!(
        client
            .get(&format!("https://127.0.0.1:{port}/"))
            .await
            .unwrap_err()
            .is_refused()
    );
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn net_01_an_allow_listed_range_admits_ip_literals_and_only_vetted_addresses_are_dialled() {
    let pki = pki();
    let server = Server::https(&pki, |_| Reply::ok("{}")).await;
    let port = server.port;
    let client = client(
        policy()
            .with_ca_pem(pki.ca_pem.as_bytes())
            .unwrap()
            .allow_private_list("127.0.0.0/8, fd00::/8")
            .unwrap(),
    );
    let response = client
        .get(&format!("https://127.0.0.1:{port}/"))
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    // mixed.test resolves to 10.0.0.1 (refused) and 127.0.0.1 (allowed): the request succeeds
    // on the allowed address without trying the other (that would take the connect timeout).
    // The certificate does not name mixed.test, so the success shows as a TLS name error.
    let started = Instant::now();
    let err = client
        .get(&format!("https://mixed.test:{port}/"))
        .await
        .unwrap_err();
    assert!(matches!(err, OutboundError::Tls { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn net_01_the_system_resolver_path_is_guarded_too() {
    let pki = pki();
    let server = Server::https(&pki, |_| Reply::ok("{}")).await;
    let url = format!("https://localhost:{}/", server.port);
    let with_ca = policy().with_ca_pem(pki.ca_pem.as_bytes()).unwrap();

    let err = OutboundClient::new(with_ca.clone())
        .unwrap()
        .get(&url)
        .await
        .unwrap_err();
    assert!(err.is_refused(), "{err:?}");
    assert!(server.requests().is_empty());

    let allowed = OutboundClient::new(with_ca.allow_private("localhost").unwrap()).unwrap();
    assert_eq!(allowed.get(&url).await.unwrap().status, 200);
}

#[tokio::test]
async fn net_01_post_form_sends_the_form_and_basic_credentials() {
    let pki = pki();
    let server = Server::https(&pki, |_| Reply::ok(r#"{"access_token":"t"}"#)).await;
    let client = client(
        policy()
            .with_ca_pem(pki.ca_pem.as_bytes())
            .unwrap()
            .allow_private("idp.test")
            .unwrap(),
    );
    let response = client
        .post_form(
            &format!("https://idp.test:{}/token", server.port),
            &[("grant_type", "authorization_code"), ("code", "a b&c")],
            Some(("client", "s3cret")),
        )
        .await
        .unwrap();
    assert!(response.is_success());
    assert!(!format!("{response:?}").contains("access_token"));
    let seen = &server.requests()[0];
    assert!(seen.head.starts_with("POST /token HTTP/1.1"));
    assert_eq!(
        seen.header("content-type").as_deref(),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        seen.header("authorization").as_deref(),
        Some("Basic Y2xpZW50OnMzY3JldA==")
    );
    assert_eq!(seen.body, b"grant_type=authorization_code&code=a+b%26c");
    assert!(seen.header("referer").is_none());
    assert!(
        seen.header("user-agent")
            .unwrap()
            .starts_with("BillTracker/")
    );
}

// ---------------------------------------------------------------------------------------------
// NET-02: no blind redirects

#[tokio::test]
async fn net_02_a_redirect_to_loopback_is_not_followed() {
    let canary = Canary::start().await;
    let pki = pki();
    let target = format!("http://127.0.0.1:{}/", canary.port);
    let server = Server::https(&pki, move |_| Reply::redirect(target.clone())).await;
    let url = format!("https://idp.test:{}/start", server.port);
    let base = policy()
        .with_ca_pem(pki.ca_pem.as_bytes())
        .unwrap()
        .allow_private("idp.test")
        .unwrap();

    // Default: redirects are not followed; the 302 is the answer.
    let response = client(base.clone()).get(&url).await.unwrap();
    assert_eq!(response.status, 302);
    let request = http::Request::get(&url).body(Vec::new()).unwrap();
    let response = client(base.clone()).execute(request).await.unwrap();
    assert_eq!(response.status(), 302);

    // Following enabled: a hop to another host (or port) is refused.
    let following = base.with_max_redirects(3);
    let err = client(following).get(&url).await.unwrap_err();
    assert!(
        matches!(refusal(err), Refusal::RedirectToOtherHost { .. }),
        "redirect refused"
    );
    canary.assert_untouched().await;
}

#[tokio::test]
async fn net_02_same_origin_redirects_are_followed_only_when_enabled_and_only_for_get() {
    let pki = pki();
    let server = Server::https(&pki, |seen| match seen.path() {
        "/old" => Reply::redirect("/new".to_owned()),
        "/loop" => Reply::redirect("/loop".to_owned()),
        _ => Reply::ok("{}"),
    })
    .await;
    let port = server.port;
    let following = policy()
        .with_ca_pem(pki.ca_pem.as_bytes())
        .unwrap()
        .allow_private("idp.test")
        .unwrap()
        .with_max_redirects(2);
    let client = client(following);
    let response = client
        .get(&format!("https://idp.test:{port}/old"))
        .await
        .unwrap();
    assert_eq!(response.status, 200);
    // Hops are counted: after two the third 302 is returned.
    let response = client
        .get(&format!("https://idp.test:{port}/loop"))
        .await
        .unwrap();
    assert_eq!(response.status, 302);
    // POST is never redirected.
    let response = client
        .post_form(&format!("https://idp.test:{port}/old"), &[], None)
        .await
        .unwrap();
    assert_eq!(response.status, 302);
    let paths: Vec<String> = server
        .requests()
        .iter()
        .map(|s| s.path().to_owned())
        .collect();
    assert_eq!(paths, ["/old", "/new", "/loop", "/loop", "/loop", "/old"]);
}

// ---------------------------------------------------------------------------------------------
// NET-03: TLS enforced

#[tokio::test]
async fn net_03_plain_http_is_refused_unless_the_host_is_allowed() {
    let server = Server::start(None, Arc::new(|_: &Seen| Reply::ok("{}"))).await;
    let url = format!("http://idp.test:{}/", server.port);
    let private = policy().allow_private("idp.test").unwrap();

    let err = client(private.clone()).get(&url).await.unwrap_err();
    assert_eq!(
        refusal(err),
        Refusal::PlainHttp {
            host: "idp.test".to_owned()
        }
    );
    assert!(server.requests().is_empty());

    let client = client(private.allow_http("idp.test").unwrap());
    assert_eq!(client.get(&url).await.unwrap().status, 200);
    // Allowing plain HTTP for one host allows it for no other.
    let err = client
        .get(&format!("http://127.0.0.1:{}/", server.port))
        .await
        .unwrap_err();
    assert!(matches!(refusal(err), Refusal::PlainHttp { .. }));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn net_03_a_certificate_from_an_unconfigured_ca_is_a_tls_error() {
    let pki = pki();
    let server = Server::https(&pki, |_| Reply::ok("{}")).await;
    let url = format!("https://idp.test:{}/", server.port);
    let private = policy().allow_private("idp.test").unwrap();

    let err = client(private.clone()).get(&url).await.unwrap_err();
    match &err {
        OutboundError::Tls { host, reason } => {
            assert_eq!(host, "idp.test");
            assert!(reason.contains("UnknownIssuer"), "{reason}");
        }
        other => panic!("expected a TLS error, got {other:?}"),
    }
    assert!(server.requests().is_empty(), "no request went out");

    let trusting = private.with_ca_pem(pki.ca_pem.as_bytes()).unwrap();
    assert_eq!(client(trusting).get(&url).await.unwrap().status, 200);
}

#[tokio::test]
async fn net_03_a_self_signed_certificate_is_a_tls_error() {
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["idp.test".to_owned()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let server = Server::start(
        Some(server_config(vec![cert.der().clone()], &key)),
        Arc::new(|_: &Seen| Reply::ok("{}")),
    )
    .await;
    let client = client(policy().allow_private("idp.test").unwrap());
    let err = client
        .get(&format!("https://idp.test:{}/", server.port))
        .await
        .unwrap_err();
    assert!(matches!(err, OutboundError::Tls { .. }), "{err:?}");
    assert!(server.requests().is_empty());
}

#[tokio::test]
async fn net_03_a_certificate_for_another_name_is_a_tls_error() {
    let pki = pki();
    let server = Server::https(&pki, |_| Reply::ok("{}")).await;
    let client = client(
        policy()
            .with_ca_pem(pki.ca_pem.as_bytes())
            .unwrap()
            .allow_private_list("idp.test,other.test")
            .unwrap(),
    );
    let err = client
        .get(&format!("https://other.test:{}/", server.port))
        .await
        .unwrap_err();
    assert!(matches!(err, OutboundError::Tls { .. }), "{err:?}");
}

#[test]
fn net_03_a_ca_file_without_certificates_is_a_configuration_error() {
    for pem in [
        &b""[..],
        b"not pem",
        b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    ] {
        let err = OutboundPolicy::default().with_ca_pem(pem).unwrap_err();
        assert!(matches!(err, OutboundError::Config { .. }), "{err:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// Limits, and what errors and logs show

#[tokio::test]
async fn net_limits_a_body_over_the_cap_is_too_large() {
    let pki = pki();
    let server = Server::https(&pki, |seen| match seen.path() {
        "/declared" => Reply::Full {
            status: 200,
            headers: Vec::new(),
            body: vec![b'x'; 2 << 20],
        },
        _ => Reply::Stream { total: 2 << 20 },
    })
    .await;
    let client = client(
        policy()
            .with_ca_pem(pki.ca_pem.as_bytes())
            .unwrap()
            .allow_private("idp.test")
            .unwrap(),
    );
    for path in ["/streamed", "/declared"] {
        let err = client
            .get(&format!("https://idp.test:{}{path}", server.port))
            .await
            .unwrap_err();
        assert_eq!(
            err,
            OutboundError::TooLarge {
                host: "idp.test".to_owned(),
                limit: 1 << 20
            },
            "{path}"
        );
    }
}

#[tokio::test]
async fn net_limits_a_server_that_never_answers_times_out() {
    let pki = pki();
    let tls = Server::https(&pki, |_| Reply::Silent).await;
    let plain = Server::start(None, Arc::new(|_: &Seen| Reply::Silent)).await;
    // Accepts TCP, never speaks TLS.
    let mute = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mute_port = mute.local_addr().unwrap().port();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = mute.accept().await {
            held.push(stream);
        }
    });
    let quick = policy()
        .with_ca_pem(pki.ca_pem.as_bytes())
        .unwrap()
        .allow_private("idp.test")
        .unwrap()
        .allow_http("idp.test")
        .unwrap()
        .with_timeout(Duration::from_millis(700));
    let client = client(quick);
    for url in [
        format!("https://idp.test:{}/", tls.port),
        format!("http://idp.test:{}/", plain.port),
        format!("https://idp.test:{mute_port}/"),
    ] {
        let started = Instant::now();
        let err = client.get(&url).await.unwrap_err();
        assert!(err.is_timeout(), "{url}: {err:?}");
        assert!(started.elapsed() < Duration::from_secs(2), "{url}");
    }
}

/// A `tracing` writer into a shared buffer.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn net_logs_and_errors_never_show_query_strings_or_credentials() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let pki = pki();
    let server = Server::https(&pki, |seen| match seen.path() {
        p if p.starts_with("/slow") => Reply::Silent,
        _ => Reply::ok("{}"),
    })
    .await;
    let port = server.port;
    let quick = policy()
        .allow_private("idp.test")
        .unwrap()
        .with_timeout(Duration::from_millis(500));
    let untrusting = client(quick.clone());
    let trusting = client(quick.with_ca_pem(pki.ca_pem.as_bytes()).unwrap());
    let secret = "SECRET-TOKEN-42";

    let errors = [
        untrusting
            .get(&format!("https://idp.test:{port}/cb?code={secret}"))
            .await
            .unwrap_err(),
        trusting
            .get(&format!("https://idp.test:{port}/slow?code={secret}"))
            .await
            .unwrap_err(),
        trusting
            .get(&format!("https://127.0.0.1:{port}/?token={secret}"))
            .await
            .unwrap_err(),
        trusting
            .get(&format!("https://u:{secret}@idp.test:{port}/"))
            .await
            .unwrap_err(),
        trusting
            .get_json::<Vec<u8>>(&format!("https://idp.test:{port}/doc?x={secret}"))
            .await
            .unwrap_err(),
    ];
    // A successful call logs too: method and host only, never the path (it can be a capability).
    trusting
        .post_form(
            &format!("https://idp.test:{port}/token?x={secret}"),
            &[("client_secret", secret)],
            Some(("id", secret)),
        )
        .await
        .unwrap();
    for err in &errors {
        let text = err.to_string();
        assert!(!text.contains(secret), "{text}");
        assert!(!format!("{err:?}").contains(secret), "{err:?}");
    }
    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(!logs.contains("/token"), "no path in the logs: {logs}");
    assert!(logs.contains("method=POST"), "{logs}");
    assert!(logs.contains("host=idp.test"), "{logs}");
    assert!(!logs.contains(secret), "{logs}");
}
