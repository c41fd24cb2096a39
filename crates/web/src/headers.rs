//! Security headers, set in one place on every response: pages, JSON, static files and errors.
//! Each header names the rule it follows.

use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::AppState;
use crate::observe::CspNonce;

pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let nonce = req
        .extensions()
        .get::<CspNonce>()
        .map(|n| n.0.clone())
        .unwrap_or_default();
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    // OWASP Secure Headers / CSP Level 3: scripts and styles only with this request's nonce or
    // from our own origin; no inline code, no eval, no plugins, no <base> rewriting, and
    // framing only by ourselves.
    let csp = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'nonce-{nonce}'; \
         img-src 'self' data:; connect-src 'self'; font-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'self'"
    );
    if let Ok(value) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, value);
    }
    // MIME sniffing off (OWASP Secure Headers: X-Content-Type-Options).
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Clickjacking, for browsers without frame-ancestors (OWASP Clickjacking Defense).
    headers.insert(
        header::X_FRAME_OPTIONS,
        HeaderValue::from_static("SAMEORIGIN"),
    );
    // Full URLs (with ids) never leave the origin (OWASP Secure Headers: Referrer-Policy).
    if !headers.contains_key(header::REFERRER_POLICY) {
        headers.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        );
    }
    // No Flash/PDF cross-domain policy files (OWASP Secure Headers).
    headers.insert(
        HeaderName::from_static("x-permitted-cross-domain-policies"),
        HeaderValue::from_static("none"),
    );
    // HSTS only when the deployment says it is served over HTTPS (security.md decision 9).
    if state.app.config.https {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    // Every body names its charset (ASVS 4.1.1).
    if let Some(kind) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    {
        let textual = kind.starts_with("text/") || kind.ends_with("json") || kind.ends_with("xml");
        if textual
            && !kind.contains("charset")
            && let Ok(value) = HeaderValue::from_str(&format!("{kind}; charset=utf-8"))
        {
            headers.insert(header::CONTENT_TYPE, value);
        }
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}
