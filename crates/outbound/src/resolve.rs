//! Name resolution with the destination check in it: reqwest connects only to the addresses
//! this resolver hands back, and it hands back only addresses the policy allows. There is no
//! second lookup between the check and the connection, so DNS rebinding has no gap to use.

use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::Arc;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use crate::error::OutboundError;
use crate::policy::OutboundPolicy;

/// The future a [`Lookup`] returns.
pub type LookupFuture = Pin<Box<dyn Future<Output = io::Result<Vec<IpAddr>>> + Send>>;

/// Turns a host name into addresses. The system resolver in production; tests put in a fixed
/// table (e.g. a public-looking name that resolves to `127.0.0.1`).
pub trait Lookup: Send + Sync + 'static {
    fn lookup(&self, host: &str) -> LookupFuture;
}

/// The operating system's resolver (`getaddrinfo` on a blocking thread, via tokio).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemLookup;

impl Lookup for SystemLookup {
    fn lookup(&self, host: &str) -> LookupFuture {
        let host = host.to_owned();
        Box::pin(async move {
            let addrs = tokio::net::lookup_host((host.as_str(), 0)).await?;
            Ok(addrs.map(|a| a.ip()).collect())
        })
    }
}

/// reqwest's resolver hook: look up, then keep only the addresses the policy allows.
pub(crate) struct GuardedResolver {
    pub(crate) policy: Arc<OutboundPolicy>,
    pub(crate) lookup: Arc<dyn Lookup>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = Arc::clone(&self.policy);
        let lookup = Arc::clone(&self.lookup);
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let found = lookup.lookup(&host).await.map_err(|_| {
                Box::new(OutboundError::Dns { host: host.clone() })
                    as Box<dyn std::error::Error + Send + Sync>
            })?;
            let mut allowed = Vec::with_capacity(found.len());
            let mut first_refusal = None;
            for ip in found {
                match policy.check_ip(&host, ip) {
                    Ok(()) => allowed.push(SocketAddr::new(ip, 0)),
                    Err(refusal) => {
                        tracing::debug!(%host, %ip, "resolved address refused by the outbound policy");
                        first_refusal.get_or_insert(refusal);
                    }
                }
            }
            if allowed.is_empty() {
                let err = first_refusal.unwrap_or(OutboundError::Dns { host });
                return Err(Box::new(err) as Box<dyn std::error::Error + Send + Sync>);
            }
            let addrs: Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}
