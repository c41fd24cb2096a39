//! CORS: closed unless `CORS_ORIGIN` names one origin. That origin, and only it, is echoed in
//! `Access-Control-Allow-Origin` with credentials allowed (never `*`); its preflights are
//! answered here. Any other origin gets no CORS headers, so browsers keep their same-origin
//! protection (OWASP HTML5 Security: CORS).

use axum::extract::{Request, State};
use axum::http::{HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;

pub async fn cors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let allowed = state.app.config.cors_origin.as_deref().and_then(|allowed| {
        let origin = req.headers().get(header::ORIGIN)?.to_str().ok()?;
        (origin == allowed)
            .then(|| HeaderValue::from_str(allowed).ok())
            .flatten()
    });
    let preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut response = if preflight && allowed.is_some() {
        let mut response = StatusCode::NO_CONTENT.into_response();
        let h = response.headers_mut();
        h.insert(
            header::ACCESS_CONTROL_ALLOW_METHODS,
            HeaderValue::from_static("GET, POST, PUT, PATCH, DELETE"),
        );
        h.insert(
            header::ACCESS_CONTROL_ALLOW_HEADERS,
            HeaderValue::from_static("content-type, x-csrf-token"),
        );
        h.insert(
            header::ACCESS_CONTROL_MAX_AGE,
            HeaderValue::from_static("600"),
        );
        response
    } else {
        next.run(req).await
    };
    let h = response.headers_mut();
    h.append(header::VARY, HeaderValue::from_static("Origin"));
    if let Some(origin) = allowed {
        h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        h.insert(
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
    }
    response
}
