//! The router: every route of the application in one place, and the layers every request goes
//! through.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware;
use axum::routing::get;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::timeout::TimeoutLayer;

use crate::{AppState, headers, health, metrics, observe};

/// The whole application.
pub fn router(state: AppState) -> Router {
    router_with(state, Router::new())
}

/// The application plus `extra` routes, which get the same layers (tests add failing or slow
/// routes this way; production passes none).
pub fn router_with(state: AppState, extra: Router<AppState>) -> Router {
    let config = state.app.config.clone();
    let routes = extra
        .route("/", get(home))
        .route("/healthz", get(health::healthz))
        .route("/readyz", get(health::readyz))
        .route("/metrics", get(metrics::serve));

    routes
        .fallback(|| async { StatusCode::NOT_FOUND })
        .layer(
            ServiceBuilder::new()
                .layer(middleware::from_fn_with_state(
                    state.clone(),
                    observe::observe,
                ))
                .layer(middleware::from_fn_with_state(
                    state.clone(),
                    headers::security_headers,
                ))
                .layer(CatchPanicLayer::custom(observe::panic_response))
                .layer(TimeoutLayer::with_status_code(
                    StatusCode::REQUEST_TIMEOUT,
                    config.request_timeout,
                ))
                .layer(DefaultBodyLimit::max(config.request_body_limit))
                .layer(RequestBodyLimitLayer::new(config.request_body_limit)),
        )
        .with_state(state)
}

async fn home() -> axum::response::Html<&'static str> {
    axum::response::Html(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>BillTracker</title></head>\
         <body><h1>BillTracker</h1><p>The server is running.</p></body></html>",
    )
}
