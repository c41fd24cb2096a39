//! BillTracker's HTTP layer: the axum router, the request pipeline, the presenters and the
//! handlers. Handlers extract input into domain types, make one service call and present the
//! result; no SQL and no business rules live here.
//!
//! Request pipeline, outermost first:
//! `observe` (request id, access log, metrics, problem bodies for bare errors) → security
//! headers → Host check → CORS → panic catcher → timeout → page presenter (HTML error pages on browser
//! routes) → authenticate + CSRF → body limit (larger on upload routes) → route.
//!
//! Module map:
//! - [`server`] — binding, serving and graceful shutdown.
//! - [`router`] — the router: every route in one place, and the layers.
//! - [`routes`] — the route table's types, which each area adds its routes to.
//! - [`observe`] — request ids, access logs, metrics, problem bodies for bare error responses.
//! - [`headers`] — security headers on every response.
//! - [`hosts`] — refuses requests for a host this instance does not serve (DNS rebinding).
//! - [`problem`] — the `application/problem+json` presenter of `service::Error`.
//! - [`metrics`] — Prometheus counters and `/metrics`.
//! - [`health`] — `/healthz` and `/readyz`.
//! - [`state`] — the router's shared state.
//! - [`views`] — typed page structs (askama templates).
//! - [`locale`] — the user's locale on pages: money, dates, months and instants written, typed
//!   amounts read.
//! - [`assets`] — static files embedded in the binary.
//! - [`auth`] — resolving the caller (session cookie or single-user mode), CSRF and origin checks, extractors.
//! - [`cookies`] — the one cookie builder (session and CSRF cookies).
//! - [`session_cookies`] — the CSRF token of a caller and the answer to signing out, shared
//!   by the pages and the API.
//! - [`cors`] — CORS, closed unless `CORS_ORIGIN` names an origin.
//! - [`extract`] — extractors the pages and the API share: a path id parsed once, "absent vs
//!   null" JSON fields.
//! - [`json`] — the API's JSON body extractor (problem+json naming the field).
//! - [`upload`] — the one multipart reader (statement files), bounded, with its CSRF rule.
//! - [`api`] — the JSON API handlers under `/api`.
//! - [`pages`] — the HTML pages, one module per area (sign-in and setup, the tracker home
//!   page, security, …), each adding its own routes.

pub mod api;
pub mod assets;
pub mod auth;
pub mod cookies;
pub mod cors;
pub mod extract;
pub mod headers;
pub mod health;
pub mod hosts;
pub mod json;
pub mod links;
pub mod locale;
pub mod metrics;
pub mod observe;
pub mod pages;
pub mod problem;
pub mod router;
pub mod routes;
pub mod server;
pub mod session_cookies;
pub mod state;
pub mod upload;
pub mod views;

pub use router::router;
pub use server::{Server, shutdown_signal};
pub use state::AppState;
