//! BillTracker's use-cases: each public operation authorises, validates, stores, audits and
//! notifies, in that order. Also home to what every use-case shares: configuration, the one
//! error vocabulary, the injectable clock and randomness, and the data directory rules.
//!
//! Module map:
//! - [`config`] — the typed configuration (defaults → TOML file → environment) and its reference.
//! - [`error`] — the error vocabulary every layer above speaks.
//! - [`clock`] — "now", injectable so tests move time instead of sleeping.
//! - [`random`] — secret randomness from the OS, injectable for tests.
//! - [`crypto`] — master key, per-purpose keys, field encryption.
//! - [`demo`] — the demo data set (and the benchmark reference data set).
//! - [`data_dir`] — creating and checking the data directory's permissions.
//! - [`app`] — the [`App`] handle: store, configuration, clock and randomness together.
//! - [`health`] — readiness and self-test (`/readyz`, `billtracker check`).
//! - [`imports`] — statement imports: preview (read-only, 24 h), apply once, undo, history.
//! - [`matching`] — matching bank transactions to bills: scored suggestions with reasons,
//!   match (a bank payment for the cycle it settles) / unmatch / ignore, rejections hidden for
//!   90 days, the 7-day undo list, per-bill merchant rules with preview and apply.
//! - [`password`] — password policy, blocklist, Argon2id hashing, bcrypt upgrade.
//! - [`auth`] — sign-in, sessions, CSRF tokens, the authenticated [`auth::Principal`].
//! - [`rate_limit`] — the rate-limit table, enforced with database counters.
//! - [`audit`] — writing and reading the hash-chained audit log.
//! - [`users`] — account administration (admin API and command line).
//! - [`account`] — renaming oneself, sign-in facts for admins, time zones, dated audit search.
//! - [`setup`] — first start (bootstrap admin or setup link) and single-user mode.
//! - [`preferences`] — a user's tracking preferences and "today" in their time zone.
//! - [`profile`] — the signed-in user's own account and sign-in history.
//! - [`payments`] — recording, editing, deleting and restoring payments; cycle attribution.
//! - [`expenses`] — one-off expenses: search, sort, pagination, bulk delete with undo.
//! - [`budgets`] — spending limits per category and period, with spent / remaining / state.
//! - [`analytics`] — one year of spending per month, day and category; expected vs paid.
//! - [`tracker`] — the month view (occurrences, buckets, safe-to-spend), quick pay, pay all
//!   with undo, toggle paid, month cash and the user's tracking settings.
//! - [`month_state`] — per-occurrence overrides: actual amount, note, skipped, snoozed.
//! - [`categories`] — a user's categories: bill counts, edits, soft delete and restore.
//! - [`bills`] — recurring bills: parsing, edits, active ranges, deletion, encrypted details.
//! - [`keys`] — the master key at start-up (canary check) and key rotation.
//! - [`jobs`] — background jobs (session cleanup) under database leases.

pub mod account;
pub mod analytics;
pub mod app;
pub mod audit;
pub mod auth;
pub mod bank_accounts;
pub mod bills;
pub mod budgets;
pub mod categories;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod data_dir;
pub mod demo;
pub mod error;
pub mod expenses;
pub mod health;
pub mod imports;
pub mod jobs;
pub mod keys;
pub mod matching;
pub mod month_state;
pub mod password;
pub mod payments;
pub mod preferences;
pub mod profile;
pub mod random;
pub mod rate_limit;
pub mod setup;
pub mod sync;
pub mod tracker;
pub mod transactions;
pub mod users;

pub use app::App;
pub use config::Config;
pub use error::{Error, Result};
