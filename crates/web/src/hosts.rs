//! The Host check: a request addressed to a host name this instance was not configured for
//! (`PUBLIC_URL`, `ALLOWED_HOSTS`, the loopback names of a local instance) is refused with 421
//! before anything else looks at it: no session is resolved, no page or data is served.
//!
//! This is the defence against DNS rebinding (OWASP: "DNS rebinding", RFC 9110 §7.2 and
//! §15.5.20): a page on `rebind.example` that makes its name resolve to this server gets
//! same-origin access in the browser, but every request it sends says `Host: rebind.example`.
//! `/healthz` and `/readyz` answer to any host: load balancers and container health checks call
//! them by IP address, and they reveal nothing.

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::problem::Problem;

/// Paths answered whatever the `Host`.
const ANY_HOST: [&str; 2] = ["/healthz", "/readyz"];

pub async fn check_host(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if ANY_HOST.contains(&req.uri().path()) || addressed_to_us(&state, &req) {
        return next.run(req).await;
    }
    let host: String = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .chars()
        .take(100)
        .collect();
    tracing::warn!(target: "security", host = %host, "request for a foreign host refused");
    Problem::new(StatusCode::MISDIRECTED_REQUEST)
        .detail(
            "This server does not answer to this host name. Use the address in PUBLIC_URL, \
             or add the name to ALLOWED_HOSTS.",
        )
        .into_response()
}

/// The `Host` header (HTTP/1.1) and the URI's authority (HTTP/2 `:authority`, or an
/// absolute-form request target): each one present must be allowed, and one must be present.
fn addressed_to_us(state: &AppState, req: &Request) -> bool {
    let allowed = &state.app.config.allowed_hosts;
    let header = req.headers().get(header::HOST).map(|v| v.to_str().ok());
    let authority = req.uri().authority().map(|a| a.as_str());
    match (header, authority) {
        (None, None) | (Some(None), _) => false,
        (Some(Some(host)), authority) => {
            allowed.allows(host) && authority.is_none_or(|a| allowed.allows(a))
        }
        (None, Some(authority)) => allowed.allows(authority),
    }
}
