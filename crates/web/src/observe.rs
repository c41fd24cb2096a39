//! The outermost layer: gives each request an id, a client IP and a CSP nonce, logs one line
//! per request (path without query string, so tokens in URLs never reach the log), counts it
//! for `/metrics`, and turns bare error responses (405, 408, 413, panics…) into problem+json
//! carrying the request id. A 500 always shows only the generic text and the request id.

use std::net::{IpAddr, SocketAddr};
use std::time::Instant;

use axum::body::Body;
use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use service::config::IpRange;
use tracing::Instrument;

use crate::AppState;
use crate::problem::Problem;

/// This request's id, also sent back in `x-request-id`.
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// The client's address: the TCP peer, or the forwarded address when the peer is a trusted
/// proxy.
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub Option<IpAddr>);

/// The per-request nonce that scripts and styles must carry under the CSP.
#[derive(Debug, Clone)]
pub struct CspNonce(pub String);

/// Marks a response produced by the panic catcher.
#[derive(Debug, Clone, Copy)]
pub struct Panicked;

pub async fn observe(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let random = &*state.app.random;
    let request_id = RequestId(hex::encode(service::random::bytes::<12>(random)));
    let nonce = CspNonce(
        base64::engine::general_purpose::STANDARD.encode(service::random::bytes::<18>(random)),
    );
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let client_ip = ClientIp(client_ip(
        peer,
        req.headers(),
        &state.app.config.trusted_proxies,
    ));
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    req.extensions_mut().insert(request_id.clone());
    req.extensions_mut().insert(client_ip);
    req.extensions_mut().insert(nonce);

    // Every event of the request (security events included) carries these span fields.
    let user_agent: String = req
        .headers()
        .get(axum::http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .chars()
        .take(256)
        .collect();
    let span = tracing::info_span!(
        "request",
        request_id = %request_id.0,
        ip = %client_ip.0.map_or_else(|| "-".to_owned(), |ip| ip.to_string()),
        user_agent = %user_agent,
    );
    state.metrics.started();
    let mut response = next.run(req).instrument(span.clone()).await;
    state.metrics.finished();

    let status = response.status();
    // Errors that are not already a problem or an HTML page (framework rejections, 405, 413,
    // timeouts, panics) become problem+json; every 500 is replaced so no cause leaks.
    let kind = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let is_problem = kind.starts_with(crate::problem::PROBLEM_JSON);
    let presented = is_problem || kind.starts_with("text/html");
    if is_problem && status != StatusCode::INTERNAL_SERVER_ERROR {
        response = with_request_id(response, &request_id.0).await;
    } else if status == StatusCode::INTERNAL_SERVER_ERROR || (status.as_u16() >= 400 && !presented)
    {
        let mut problem = Problem::new(status);
        problem.request_id = Some(request_id.0.clone());
        let mut replaced = problem.into_response();
        for (name, value) in response.headers() {
            if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
                replaced.headers_mut().append(name, value.clone());
            }
        }
        response = replaced;
    }
    if let Ok(value) = HeaderValue::from_str(&request_id.0) {
        response.headers_mut().insert("x-request-id", value);
    }

    let elapsed = started.elapsed();
    state
        .metrics
        .record(method.as_str(), &route, status.as_u16(), elapsed);
    span.in_scope(|| {
        tracing::info!(
            target: "http",
            method = %method,
            path = %path,
            route = %route,
            status = status.as_u16(),
            duration_ms = elapsed.as_secs_f64() * 1000.0,
            ip = %client_ip.0.map_or_else(|| "-".to_owned(), |ip| ip.to_string()),
            "request"
        );
    });
    response
}

/// Adds `request_id` to a problem body that lacks it (handlers do not know the id).
async fn with_request_id(response: Response, request_id: &str) -> Response {
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return Problem::new(parts.status).into_response();
    };
    let bytes = match serde_json::from_slice::<serde_json::Value>(&bytes) {
        Ok(serde_json::Value::Object(mut map)) if !map.contains_key("request_id") => {
            map.insert("request_id".into(), request_id.into());
            serde_json::to_vec(&map)
                .map(axum::body::Bytes::from)
                .unwrap_or(bytes)
        }
        _ => bytes,
    };
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(bytes))
}

/// The panic catcher's answer: a bare 500 that `observe` dresses with the request id.
pub fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response<Body> {
    let message = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    tracing::error!(panic = %message, "handler panicked");
    let mut response = StatusCode::INTERNAL_SERVER_ERROR.into_response();
    response.extensions_mut().insert(Panicked);
    response
}

/// The client address. `X-Forwarded-For` is believed only when the peer is a trusted proxy;
/// then, walking from the right (the entries our proxies wrote), the first address that is not
/// itself a trusted proxy is the client. Proxies may write `ip`, `ip:port`, `[v6]` or
/// `[v6]:port`. An entry that cannot be parsed stops the walk: everything left of it may come
/// from the client, so the hop to its right (or the peer) is the client. Skipping it instead
/// would let a client pick its own address past a proxy that writes a form we did not know.
pub fn client_ip(peer: Option<IpAddr>, headers: &HeaderMap, trusted: &[IpRange]) -> Option<IpAddr> {
    let peer = peer?;
    let is_trusted = |ip: IpAddr| trusted.iter().any(|range| range.contains(ip));
    if !is_trusted(peer) {
        return Some(peer);
    }
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .flat_map(|v| {
            v.to_str()
                .map_or_else(|_| vec![""], |v| v.split(',').collect())
        })
        .collect();
    let mut client = peer;
    for entry in entries.iter().rev() {
        let Some(ip) = forwarded_address(entry) else {
            break;
        };
        client = ip;
        if !is_trusted(ip) {
            break;
        }
    }
    Some(client)
}

/// One `X-Forwarded-For` entry: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`, `[2001:db8::1]` or
/// `[2001:db8::1]:443`.
fn forwarded_address(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    if let Ok(ip) = entry.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(socket) = entry.parse::<SocketAddr>() {
        return Some(socket.ip());
    }
    entry
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .and_then(|v6| v6.parse::<std::net::Ipv6Addr>().ok())
        .map(IpAddr::V6)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn forwarded(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            "x-forwarded-for",
            HeaderValue::from_str(value).expect("header"),
        );
        headers
    }

    #[test]
    fn rl_03_forwarded_for_is_ignored_from_untrusted_peers() {
        let peer: IpAddr = "203.0.113.9".parse().expect("ip");
        let ip = client_ip(Some(peer), &forwarded("1.2.3.4"), &[]);
        assert_eq!(ip, Some(peer));
    }

    #[test]
    fn rl_03_via_a_trusted_proxy_the_rightmost_untrusted_hop_is_the_client() {
        let trusted: Vec<IpRange> = vec!["10.0.0.0/8".parse().expect("range")];
        let peer: IpAddr = "10.0.0.2".parse().expect("ip");
        let ip = client_ip(
            Some(peer),
            &forwarded("6.6.6.6, 198.51.100.4, 10.0.0.5"),
            &trusted,
        );
        assert_eq!(
            ip,
            Some("198.51.100.4".parse().expect("ip")),
            "a spoofed leftmost entry is ignored"
        );
    }

    fn via_proxy(value: &str) -> Option<IpAddr> {
        let trusted: Vec<IpRange> = vec!["10.0.0.0/8".parse().expect("range")];
        client_ip(
            Some("10.0.0.2".parse().expect("ip")),
            &forwarded(value),
            &trusted,
        )
    }

    fn ip(text: &str) -> Option<IpAddr> {
        Some(text.parse().expect("ip"))
    }

    #[test]
    fn rl_03_a_proxy_writing_ip_and_port_still_names_the_client() {
        assert_eq!(via_proxy("6.6.6.6, 198.51.100.4:5678"), ip("198.51.100.4"));
        assert_eq!(via_proxy("6.6.6.6, [2001:db8::1]:443"), ip("2001:db8::1"));
        assert_eq!(via_proxy("6.6.6.6, [2001:db8::1]"), ip("2001:db8::1"));
        assert_eq!(
            via_proxy("6.6.6.6, 198.51.100.4:5678, 10.0.0.5:80"),
            ip("198.51.100.4")
        );
        assert_eq!(via_proxy("[2001:db8::1]:443, 10.0.0.5"), ip("2001:db8::1"));
    }

    #[test]
    fn rl_03_an_unparseable_entry_stops_the_walk_at_the_hop_to_its_right() {
        // The client wrote garbage before its own spoofed address; the proxy wrote the rest.
        assert_eq!(
            via_proxy("6.6.6.6, garbage, 10.0.0.5"),
            ip("10.0.0.5"),
            "nothing left of the garbage is believed"
        );
        assert_eq!(
            via_proxy("6.6.6.6, not-an-ip"),
            ip("10.0.0.2"),
            "garbage right at the peer: the peer"
        );
        assert_eq!(
            via_proxy("6.6.6.6, , 10.0.0.5"),
            ip("10.0.0.5"),
            "an empty entry is not skipped"
        );
        assert_eq!(
            via_proxy("6.6.6.6, 1.2.3.4:99999"),
            ip("10.0.0.2"),
            "a bad port is garbage"
        );
        assert_eq!(via_proxy("6.6.6.6, [2001:db8::1"), ip("10.0.0.2"));
        assert_eq!(
            via_proxy("6.6.6.6, unknown, 198.51.100.4"),
            ip("198.51.100.4"),
            "an untrusted hop right of it is the client"
        );
    }
}
