//! BillTracker's one HTTP client for every request that leaves the machine: OIDC discovery and
//! token calls now; bank sync, webhooks and Web Push later. Nothing else in the workspace
//! depends on reqwest, so there is no unguarded way out.
//!
//! What every request goes through (security.md NET-01…NET-03):
//! - **Scheme and URL** ([`OutboundPolicy::check_url`]): `https` only; `http` only for hosts
//!   the admin named; no `user:password@` in URLs; `localhost` names refused.
//! - **Destination** ([`OutboundPolicy::check_ip`]): IP literals are checked before
//!   connecting; names are resolved by this crate ([`Lookup`]) and only the addresses that pass
//!   the check are handed to the connector, so the connection goes to exactly the vetted
//!   addresses. Loopback, private, link-local (cloud metadata), CGNAT, documentation, reserved
//!   ranges and IPv4 carried in IPv6 of those are refused unless the host or range is on the
//!   allow-list; unspecified, multicast and broadcast always.
//! - **Redirects**: not followed by default (the 3xx is returned). With
//!   [`OutboundPolicy::max_redirects`] > 0, only GET/HEAD to the same scheme, host and port,
//!   each hop checked again.
//! - **TLS**: rustls on ring; Mozilla's roots plus optional CA certificates
//!   ([`OutboundPolicy::with_ca_pem`]); a self-signed server without its CA is a TLS error.
//! - **Limits**: connect timeout, total timeout (resolution to last body byte, redirects
//!   included), response size cap enforced while streaming. No proxy, no retries, no
//!   decompression, HTTP/1.1.
//! - **Logs and errors**: a `tracing` span `outbound` with method and host only (a path can be a capability); errors
//!   ([`OutboundError`]) name the host at most, never a query string, header or body.
//!
//! Module map:
//! - [`addr`] — which addresses are public; CIDR ranges.
//! - `policy` — [`OutboundPolicy`]: allow-lists, limits, CA certificates, the checks.
//! - `resolve` — [`Lookup`] and the resolver that filters addresses.
//! - `tls` — the rustls configuration.
//! - `client` — [`OutboundClient`] and [`Response`].
//! - `error` — [`OutboundError`] and [`Refusal`].

pub mod addr;
mod client;
mod error;
mod policy;
mod resolve;
mod tls;

pub use addr::{AddressClass, IpNet};
pub use client::{OutboundClient, Response};
pub use error::{OutboundError, Refusal};
pub use policy::{AllowEntry, OutboundPolicy};
pub use resolve::{Lookup, LookupFuture, SystemLookup};
pub use url::Url;

/// Makes ring rustls' process-wide crypto provider. [`OutboundClient`] names ring itself and
/// does not need this, but other rustls users in the process (SMTP later) may; call it first
/// thing in `main`. Installing twice is harmless.
pub fn install_crypto_provider() {
    // Err: a provider is already installed, which is what we want.
    let _ = rustls::crypto::ring::default_provider().install_default();
}
