//! BillTracker's storage: every SQL statement lives here, and nothing else does.
//!
//! Two engines, one contract: embedded SQLite (the default, one file in the data directory) and
//! PostgreSQL (when several instances share one database). Statements are written once with
//! numbered placeholders (`$1`), which both engines accept; each method runs the same text on
//! whichever pool is open ([`on_pool!`]). Only the DDL differs, in two migration folders.
//!
//! Storage rules: ids are UUIDv7 text made by the app; instants are BIGINT unix milliseconds
//! (UTC); calendar dates are ISO `YYYY-MM-DD` text; money is BIGINT minor units. Methods that
//! change several rows are one transaction. Every method touching user data takes the owner.
//!
//! Module map:
//! - [`db`] — connecting, pragmas, migrations, health, the engine switch.
//! - [`encrypted`] — every encrypted column, for key rotation.
//! - [`error`] — the store's error, with unique violations turned into `Conflict { field }`.
//! - [`settings`] — instance-wide key/value settings.
//! - [`audit`] — the append-only, hash-chained audit log.
//! - [`rate_limits`] — fixed-window counters shared by every instance.
//! - [`login_history`] — sign-in attempts per user.
//! - [`leases`] — job leases, so a scheduled job runs on one instance at a time.
//! - [`users`] — accounts.
//! - [`sessions`] — signed-in sessions, stored by token hash only.
//! - [`time`] — conversions between `DateTime<Utc>` and stored milliseconds.

#[macro_use]
mod macros;
pub mod audit;
pub mod db;
pub mod encrypted;
pub mod error;
pub mod leases;
pub mod login_history;
pub mod rate_limits;
pub mod sessions;
pub mod settings;
pub mod time;
pub mod users;

pub use db::{Engine, Store, StoreOptions, Synchronous};
pub use error::{Error, Result};
