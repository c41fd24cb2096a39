//! The SimpleFIN client against the local bridge (`testkit::simplefin_bridge`): claims,
//! fetches and every fault mode, over real HTTP on 127.0.0.1. No test reaches the internet.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod claim;
mod control;
mod faults;
mod fetch;

use std::time::Duration;

use outbound::{OutboundClient, OutboundPolicy};
use simplefin::{AccessUrl, SetupToken};
use testkit::simplefin_bridge::{Bridge, BridgeConnection};

/// The policy of a client that may reach the local bridge (loopback, plain http).
fn local_policy() -> OutboundPolicy {
    OutboundPolicy::default()
        .allow_private("127.0.0.1")
        .unwrap()
        .allow_http("127.0.0.1")
        .unwrap()
        .with_timeout(Duration::from_secs(5))
}

fn local_client() -> OutboundClient {
    OutboundClient::new(local_policy()).unwrap()
}

/// A connection of `bridge`, claimed through the client: its access URL.
async fn claimed(bridge: &Bridge) -> (BridgeConnection, AccessUrl) {
    let connection = bridge.connection();
    let token = SetupToken::parse(&connection.setup_token()).unwrap();
    let access = simplefin::claim(&local_client(), &token).await.unwrap();
    (connection, access)
}

/// Whether `text` holds any part of the connection's secrets.
fn leaks(text: &str, connection: &BridgeConnection) -> bool {
    let (user, password) = connection.credentials();
    text.contains(&password) || text.contains(&format!("{user}:")) || text.contains("/simplefin")
}
