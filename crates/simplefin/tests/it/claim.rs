//! Claiming a setup token: once, through the outbound policy.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use outbound::{OutboundClient, OutboundPolicy};
use simplefin::{Error, SetupToken};
use testkit::simplefin_bridge::Bridge;

use super::{leaks, local_client};

#[tokio::test]
async fn a_setup_token_claims_the_access_url_once_and_a_second_claim_says_already_claimed() {
    let bridge = Bridge::start().await;
    let connection = bridge.connection();
    let token = SetupToken::parse(&connection.setup_token()).unwrap();
    let access = simplefin::claim(&local_client(), &token).await.unwrap();
    assert_eq!(access.expose_secret(), connection.access_url());
    assert!(connection.claimed());
    // Someone else (or the same person twice) claims it again.
    let again = simplefin::claim(&local_client(), &token).await.unwrap_err();
    assert_eq!(again, Error::TokenAlreadyClaimed);
    assert!(
        again
            .to_string()
            .contains("may have been used by someone else")
    );
}

#[tokio::test]
async fn an_unknown_token_is_refused_like_a_claimed_one() {
    let bridge = Bridge::start().await;
    let forged = STANDARD.encode(format!("{}/simplefin/claim/forged", bridge.base_url()));
    let err = simplefin::claim(&local_client(), &SetupToken::parse(&forged).unwrap())
        .await
        .unwrap_err();
    assert_eq!(err, Error::TokenAlreadyClaimed);
}

#[tokio::test]
async fn a_claim_url_at_a_private_address_is_refused_before_any_connection() {
    let bridge = Bridge::start().await;
    let connection = bridge.connection();
    // 10.0.0.1 is private; the allow-list names only 127.0.0.1.
    let private = SetupToken::parse(&STANDARD.encode("http://10.0.0.1/simplefin/claim/x")).unwrap();
    let err = simplefin::claim(&local_client(), &private)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Refused { .. }), "{err:?}");
    // The bridge's own loopback address, by a client with the default policy (no allow-list).
    let strict =
        OutboundClient::new(OutboundPolicy::default().allow_http("127.0.0.1").unwrap()).unwrap();
    let token = SetupToken::parse(&connection.setup_token()).unwrap();
    let err = simplefin::claim(&strict, &token).await.unwrap_err();
    assert!(matches!(err, Error::Refused { .. }), "{err:?}");
    assert!(err.to_string().contains("loopback"), "{err}");
    assert!(!leaks(&err.to_string(), &connection) && !err.to_string().contains("claim"));
    assert_eq!(bridge.requests_total(), 0, "nothing reached the bridge");
    assert!(!connection.claimed(), "the token is still unused");
    // And plain https-only: http to the bridge is refused too, before connecting.
    let https_only = OutboundClient::new(
        OutboundPolicy::default()
            .allow_private("127.0.0.1")
            .unwrap(),
    )
    .unwrap();
    let err = simplefin::claim(&https_only, &token).await.unwrap_err();
    assert!(matches!(err, Error::Refused { .. }), "{err:?}");
    assert_eq!(bridge.requests_total(), 0);
}

#[tokio::test]
async fn a_claim_answer_that_is_not_an_access_url_is_a_bad_body() {
    let bridge = Bridge::start().await;
    // The control endpoint answers a POST with JSON, not an access URL.
    let token = STANDARD.encode(format!("{}/_control/connections", bridge.base_url()));
    let err = simplefin::claim(&local_client(), &SetupToken::parse(&token).unwrap())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::BadBody { .. }), "{err:?}");
    assert!(!err.to_string().contains("setup_token"), "{err}");
}

#[tokio::test]
async fn an_access_url_a_bridge_hands_out_is_still_held_to_the_policy() {
    // A hostile claim answer could point the access URL at an internal service.
    let internal = simplefin::AccessUrl::parse("http://user:secret-pw@10.0.0.1/simplefin").unwrap();
    let err = simplefin::fetch(&local_client(), &internal, &simplefin::Query::balances())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Refused { .. }), "{err:?}");
    assert!(!format!("{err} {err:?}").contains("secret-pw"));
}
