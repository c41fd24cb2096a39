//! BillTracker's use-cases: each public operation authorises, validates, stores, audits and
//! notifies, in that order. Also home to what every use-case shares: configuration, the one
//! error vocabulary, the injectable clock and randomness, and the data directory rules.
//!
//! Module map:
//! - [`config`] — the typed configuration (defaults → TOML file → environment) and its reference.
//! - [`error`] — the error vocabulary every layer above speaks.
//! - [`clock`] — "now", injectable so tests move time instead of sleeping.
//! - [`random`] — secret randomness from the OS, injectable for tests.
//! - [`data_dir`] — creating and checking the data directory's permissions.
//! - [`app`] — the [`App`] handle: store, configuration, clock and randomness together.
//! - [`health`] — readiness and self-test (`/readyz`, `billtracker check`).

pub mod app;
pub mod clock;
pub mod config;
pub mod data_dir;
pub mod error;
pub mod health;
pub mod random;

pub use app::App;
pub use config::Config;
pub use error::{Error, Result};
