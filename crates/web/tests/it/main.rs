//! Integration tests: the real router on a loopback port with a fresh database per test, on
//! SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

mod accounts;
mod admin_step_up;
mod audit_log;
mod authz;
mod bill_history;
mod bills;
mod crypto_keys;
mod csrf;
mod demo;
mod every_route;
mod first_hour_polish;
mod first_run;
mod foundation;
mod github_sign_in;
mod headers;
mod hosts;
mod imports;
mod links;
mod lockout;
mod matching;
mod mfa;
mod money;
mod oidc;
mod oidc_fake;
mod oidc_provider;
mod oidc_step_up;
mod openapi;
mod pages_admin;
mod pages_analytics;
mod pages_auth_errors;
mod pages_bills;
mod pages_budgets;
mod pages_cash;
mod pages_categories;
mod pages_errors;
mod pages_errors_admin;
mod pages_errors_tracker;
mod pages_every;
mod pages_expenses;
mod pages_locale;
mod pages_profile;
mod pages_sign_in;
mod pages_support;
mod pages_tracker;
mod pages_tracker_in_place;
mod rate_limits;
mod sessions;
mod soft_deleted;
mod starter_categories;
mod step_up;
mod tracker;
mod webauthn;
