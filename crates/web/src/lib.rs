//! BillTracker's HTTP layer: the axum router, the request pipeline, the presenters and the
//! handlers. Handlers extract input into domain types, make one service call and present the
//! result; no SQL and no business rules live here.
//!
//! Request pipeline, outermost first:
//! `observe` (request id, access log, metrics, problem bodies for bare errors) → security
//! headers → panic catcher → timeout → body limit → route.
//!
//! Module map:
//! - [`server`] — binding, serving and graceful shutdown.
//! - [`routes`] — the router: every route in one place.
//! - [`observe`] — request ids, access logs, metrics, problem bodies for bare error responses.
//! - [`headers`] — security headers on every response.
//! - [`problem`] — the `application/problem+json` presenter of `service::Error`.
//! - [`metrics`] — Prometheus counters and `/metrics`.
//! - [`health`] — `/healthz` and `/readyz`.
//! - [`state`] — the router's shared state.

pub mod headers;
pub mod health;
pub mod metrics;
pub mod observe;
pub mod problem;
pub mod routes;
pub mod server;
pub mod state;

pub use routes::router;
pub use server::{Server, shutdown_signal};
pub use state::AppState;
