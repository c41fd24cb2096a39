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
mod money;
mod openapi;
mod pages_tracker;
mod sessions;
mod tracker;
