//! The store contract, run unchanged on SQLite and PostgreSQL (`name::sqlite`,
//! `name::postgres`): one test binary, so the store crate is linked once for all its tests.
//! Shared fixtures (instants, dates, users, categories, bills, payments, expenses) live in
//! `testkit::store_fixtures`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod analytics;
mod engines;
mod identities;
mod import_presets;
mod matching;
mod mfa;
mod tracking;
mod transactions;
