//! Integration tests: the real router on a loopback port with a fresh database per test, on
//! SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

mod accounts;
mod authz;
mod bills;
mod crypto_keys;
mod csrf;
mod demo;
mod foundation;
mod headers;
mod mfa;
mod money;
mod openapi;
mod pages_admin;
mod pages_analytics;
mod pages_bills;
mod pages_budgets;
mod pages_categories;
mod pages_expenses;
mod pages_profile;
mod pages_support;
mod pages_tracker;
mod sessions;
mod tracker;
mod webauthn;
