//! The rustls configuration of outbound connections: ring as the crypto provider (named here,
//! so no process-wide default is needed and aws-lc never enters), TLS 1.2 and 1.3, Mozilla's
//! roots from `webpki-roots` plus the CA certificates of the policy.

use std::sync::Arc;

use rustls::{ClientConfig, RootCertStore};

use crate::error::OutboundError;
use crate::policy::OutboundPolicy;

pub(crate) fn client_config(policy: &OutboundPolicy) -> Result<ClientConfig, OutboundError> {
    let mut roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    for cert in policy.extra_roots() {
        roots
            .add(cert.clone())
            .map_err(|e| OutboundError::config(format!("a CA certificate is not usable: {e}")))?;
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| OutboundError::config(format!("TLS set-up: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    // HTTP/1.1 only: reqwest is built without HTTP/2.
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}
