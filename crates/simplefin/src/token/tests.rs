#![allow(clippy::unwrap_used)]

use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};

use super::*;

const CLAIM: &str = "https://bridge.example/simplefin/claim/demo?x=1";

#[test]
fn setup_token_reads_standard_base64_with_surrounding_and_inner_white_space() {
    let encoded = STANDARD.encode(CLAIM);
    let (a, b) = encoded.split_at(10);
    let token = SetupToken::parse(&format!("  {a}\n{b}\t ")).unwrap();
    assert_eq!(token.claim_url().as_str(), CLAIM);
}

#[test]
fn setup_token_tolerates_missing_padding_and_the_url_safe_alphabet() {
    // A claim URL whose Base64 has padding and `+`/`/` characters in the standard alphabet.
    let claim = "https://bridge.example/claim/?>?>~~";
    let standard = STANDARD.encode(claim);
    assert!(standard.ends_with('=') && (standard.contains('+') || standard.contains('/')));
    let url_safe = URL_SAFE_NO_PAD.encode(claim);
    for text in [
        standard.trim_end_matches('='),
        url_safe.as_str(),
        standard.as_str(),
    ] {
        let token = SetupToken::parse(text).unwrap();
        assert_eq!(token.claim_url().host_str(), Some("bridge.example"));
    }
}

#[test]
fn setup_token_errors_name_the_field_and_what_is_wrong() {
    let cases = [
        ("", "is empty"),
        ("   ", "is empty"),
        ("not base64 at all!!", "is not Base64"),
        ("https://bridge.example/claim/x", "is a web address"),
        (&STANDARD.encode([0xff, 0xfe, 0x00]), "not text"),
        (&STANDARD.encode("just words"), "not a URL"),
        (
            &STANDARD.encode("ftp://bridge.example/claim"),
            "not http(s)",
        ),
        (&STANDARD.encode("file:///etc/passwd"), "not http(s)"),
        (
            &STANDARD.encode("https://u:p@bridge.example/claim"),
            "credentials",
        ),
        (
            &STANDARD.encode(format!("https://a.example/{}", "x".repeat(2100))),
            "too long",
        ),
        (&"A".repeat(5000), "too long"),
    ];
    for (text, expected) in cases {
        let err = SetupToken::parse(text).unwrap_err();
        assert_eq!(err.field, SETUP_TOKEN_FIELD);
        assert!(err.reason.contains(expected), "{text:?}: {}", err.reason);
    }
}

#[test]
fn setup_token_debug_does_not_print_the_claim_url() {
    let token = SetupToken::parse(&STANDARD.encode(CLAIM)).unwrap();
    let shown = format!("{token:?}");
    assert_eq!(shown, "SetupToken(https://[redacted]@bridge.example)");
    assert!(!shown.contains("claim") && !shown.contains("demo"));
}

#[test]
fn access_url_percent_decodes_credentials_and_strips_them_from_the_base() {
    let url = AccessUrl::parse(" https://us%40er:p%3Ass%2Fw0rd@bridge.example:8443/simplefin \n")
        .unwrap();
    assert_eq!(url.credentials(), ("us@er", "p:ss/w0rd"));
    assert_eq!(url.base().as_str(), "https://bridge.example:8443/simplefin");
    assert_eq!(url.host(), "bridge.example");
    assert_eq!(
        url.expose_secret(),
        "https://us%40er:p%3Ass%2Fw0rd@bridge.example:8443/simplefin"
    );
    // The stored text reads back to the same value.
    assert_eq!(AccessUrl::parse(url.expose_secret()).unwrap(), url);
}

#[test]
fn access_url_debug_and_display_never_print_credentials_or_path() {
    let url =
        AccessUrl::parse("https://secretuser:secretpass@bridge.example/private-path").unwrap();
    for shown in [format!("{url:?}"), url.to_string(), format!("{url:#?}")] {
        assert!(!shown.contains("secretuser"), "{shown}");
        assert!(!shown.contains("secretpass"), "{shown}");
        assert!(!shown.contains("private-path"), "{shown}");
        assert!(shown.contains("bridge.example"), "{shown}");
    }
}

#[test]
fn access_url_refuses_missing_credentials_and_other_shapes() {
    let cases = [
        ("", "is not a URL"),
        ("bridge.example/simplefin", "is not a URL"),
        (
            "https://bridge.example/simplefin",
            "user name and a password",
        ),
        (
            "https://user@bridge.example/simplefin",
            "user name and a password",
        ),
        (
            "https://:pass@bridge.example/simplefin",
            "user name and a password",
        ),
        ("ftp://u:p@bridge.example/", "not http(s)"),
        ("https://u:p@bridge.example/s?token=1", "query or fragment"),
        ("https://u:p@bridge.example/s#frag", "query or fragment"),
        ("https://u:%FF@bridge.example/s", "not UTF-8"),
    ];
    for (text, expected) in cases {
        let err = AccessUrl::parse(text).unwrap_err();
        assert_eq!(err.field, ACCESS_URL_FIELD);
        assert!(err.reason.contains(expected), "{text:?}: {}", err.reason);
    }
}
