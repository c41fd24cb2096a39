//! Every fault mode of the bridge maps to the typed error the sync's health needs, leaves the
//! other connections fetching, and never puts the access URL or its credentials in an
//! error's Display or Debug.

use std::time::Duration;

use outbound::OutboundClient;
use simplefin::{AccessUrl, Error, Query};
use testkit::simplefin_bridge::{Bridge, BridgeAccount, BridgeConnection, Fault};

use super::{claimed, leaks, local_client, local_policy};

/// Fetches with `fault` switched on, checks the error's texts keep the secrets, and that
/// another connection of the same bridge still fetches.
async fn fetch_with(fault: Fault, client: &OutboundClient) -> Error {
    let bridge = Bridge::start().await;
    let (connection, access) = claimed(&bridge).await;
    let (healthy, healthy_access) = claimed(&bridge).await;
    healthy.add_account(BridgeAccount::new("H", "Healthy", "1.00"));
    connection.add_account(BridgeAccount::new("A", "Checking", "1.00"));
    connection.set_fault(Some(fault));
    let err = simplefin::fetch(client, &access, &Query::balances())
        .await
        .unwrap_err();
    assert_secret_kept(&err, &connection, &access);
    let set = simplefin::fetch(&local_client(), &healthy_access, &Query::balances())
        .await
        .unwrap();
    assert_eq!(set.accounts.len(), 1, "the other connection still syncs");
    err
}

fn assert_secret_kept(err: &Error, connection: &BridgeConnection, access: &AccessUrl) {
    for text in [err.to_string(), format!("{err:?}"), format!("{err:#?}")] {
        assert!(!leaks(&text, connection), "{text}");
        assert!(!text.contains(access.expose_secret()), "{text}");
    }
}

#[tokio::test]
async fn payment_required_revoked_and_server_errors_are_typed() {
    let client = local_client();
    assert_eq!(
        fetch_with(Fault::Status(402), &client).await,
        Error::PaymentRequired
    );
    let revoked = fetch_with(Fault::Status(403), &client).await;
    assert_eq!(revoked, Error::AccessRevoked);
    assert!(revoked.needs_reconnect());
    let failed = fetch_with(Fault::Status(500), &client).await;
    assert_eq!(failed, Error::ServerError { status: 500 });
    assert!(failed.is_transient());
    assert_eq!(
        fetch_with(Fault::Status(400), &client).await,
        Error::BadRequest { status: 400 }
    );
}

#[tokio::test]
async fn rate_limited_carries_retry_after() {
    let client = local_client();
    let err = fetch_with(
        Fault::RateLimited {
            retry_after: Some(30),
        },
        &client,
    )
    .await;
    assert_eq!(
        err,
        Error::RateLimited {
            retry_after: Some(Duration::from_secs(30))
        }
    );
    let err = fetch_with(Fault::RateLimited { retry_after: None }, &client).await;
    assert_eq!(err, Error::RateLimited { retry_after: None });
}

#[tokio::test]
async fn a_slow_bridge_times_out() {
    let client =
        OutboundClient::new(local_policy().with_timeout(Duration::from_millis(300))).unwrap();
    let err = fetch_with(Fault::Slow(Duration::from_secs(3)), &client).await;
    assert_eq!(err, Error::Timeout);
    assert!(err.is_transient());
}

#[tokio::test]
async fn garbage_json_is_a_bad_body() {
    let err = fetch_with(Fault::GarbageJson, &local_client()).await;
    assert!(matches!(err, Error::BadBody { .. }), "{err:?}");
}

#[tokio::test]
async fn a_huge_body_is_too_large() {
    let client = OutboundClient::new(local_policy().with_max_response_bytes(64 * 1024)).unwrap();
    let err = fetch_with(Fault::HugeBody(2 * 1024 * 1024), &client).await;
    assert_eq!(err, Error::TooLarge);
}

#[tokio::test]
async fn a_redirect_to_another_loopback_address_is_never_followed() {
    // A live server on another loopback address: following would reach it.
    let target = Bridge::start_on("127.0.0.2:0").await.unwrap();
    let location = format!("{}/simplefin/accounts", target.base_url());
    // The default: redirects are not followed at all.
    let err = fetch_with(Fault::RedirectTo(location.clone()), &local_client()).await;
    assert_eq!(err, Error::UnexpectedStatus { status: 302 });
    // A client that follows same-origin redirects refuses one to another host.
    let following = OutboundClient::new(local_policy().with_max_redirects(3)).unwrap();
    let err = fetch_with(Fault::RedirectTo(location), &following).await;
    assert!(matches!(err, Error::Refused { .. }), "{err:?}");
    assert_eq!(
        target.requests_total(),
        0,
        "the redirect target was never contacted"
    );
}

#[tokio::test]
async fn errors_of_a_failed_claim_keep_the_claim_url_secret() {
    let bridge = Bridge::start().await;
    let connection = bridge.connection();
    let token = simplefin::SetupToken::parse(&connection.setup_token()).unwrap();
    simplefin::claim(&local_client(), &token).await.unwrap();
    let err = simplefin::claim(&local_client(), &token).await.unwrap_err();
    let claim_url = token.claim_url().as_str().to_owned();
    for text in [err.to_string(), format!("{err:?}"), format!("{token:?}")] {
        assert!(
            !text.contains(&claim_url) && !text.contains("/claim/"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn a_bridge_that_is_gone_is_a_transient_network_error_without_secrets() {
    let bridge = Bridge::start().await;
    let (connection, access) = claimed(&bridge).await;
    let kept = connection.clone();
    drop(bridge);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let err = simplefin::fetch(&local_client(), &access, &Query::balances())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Network { .. }), "{err:?}");
    assert!(err.is_transient());
    assert_secret_kept(&err, &kept, &access);
}
