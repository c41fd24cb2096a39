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
//! - [`demo`] — generated demo and benchmark data, written and cleared in one transaction each.
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
//! - [`mfa`] — second factors, recovery codes (hashed), sign-ins waiting for their second
//!   factor, and when a session last re-authenticated.
//! - [`webauthn`] — WebAuthn ceremonies under way (challenge state), each answered once.
//! - [`user_settings`] — per-user preferences (currency, locale, time zone, paydays, …).
//! - [`categories`] — a user's categories, with bill counts; names unique among live ones.
//! - [`bills`] — recurring bill templates: create, read, edit, soft and permanent delete.
//! - [`bill_activity`] — when bills were active (history ranges) and their debt balances.
//! - [`bill_currency`] — bills counted per currency; moving one currency's bills to another.
//! - [`month_states`] — per-occurrence overrides: actual amount, note, skipped, snoozed.
//! - [`payments`] — payments per occurrence, keeping debt balances in step; pay-all and undo.
//! - [`payment_queries`] — the payment list (filtered, newest first) and per-occurrence sums.
//! - [`month_cash`] — starting cash and income per pay-period bucket of a month.
//! - [`tracker`] — the tracker's month reads through the owner's live bills; mark unpaid.
//! - [`expenses`] — one-off expenses: edit, soft delete, bulk delete with undo.
//! - [`expense_queries`] — expense filter, literal search, sort, pagination, category sums.
//! - [`budgets`] — spending limits per category and period.
//! - [`budget_spending`] — spending per category and currency for budgets, summed in `i128`.
//! - [`bank_accounts`] — bank and card accounts, found again by their source's id.
//! - [`transactions`] — bank transactions: filtered, searched, sorted pages; de-duplication keys.
//! - [`imports`] — statement imports: a 24-hour preview, applied once in one transaction, undone
//!   as a whole, and the import history.
//! - [`import_presets`] — CSV mapping presets, per owner and optionally per account; names
//!   unique per owner whatever their case.
//! - [`matching`] — matching transactions to bills (the bank payment and its link in one
//!   transaction; one payment per transaction), unmatch, ignore, rejected suggestions.
//! - [`merchant_rules`] — per-bill merchant rules and the transactions a rule could match.
//! - [`analytics`] — a year's spending summed per day and per category, source and currency.
//! - `columns` (private) — shared conversions for dates, ids, integer lists and `LIKE` patterns.
//! - [`time`] — conversions between `DateTime<Utc>` and stored milliseconds.

#[macro_use]
mod macros;
pub mod analytics;
pub mod audit;
pub mod bank_accounts;
pub mod bill_activity;
pub mod bill_currency;
pub mod bills;
pub mod budget_spending;
pub mod budgets;
mod bulk_rows;
pub mod categories;
mod columns;
pub mod db;
pub mod demo;
pub mod encrypted;
pub mod error;
pub mod expense_queries;
pub mod expenses;
pub mod identities;
pub mod import_presets;
pub mod imports;
pub mod leases;
pub mod login_history;
pub mod matching;
pub mod merchant_rules;
pub mod mfa;
pub mod month_cash;
pub mod month_states;
pub mod payment_queries;
pub mod payments;
pub mod rate_limits;
pub mod sessions;
pub mod settings;
pub mod sync_accounts;
pub mod sync_connections;
pub mod sync_rows;
pub mod time;
pub mod tracker;
pub mod transaction_edits;
pub mod transactions;
pub mod user_settings;
pub mod users;
pub mod webauthn;

pub use db::{Engine, Store, StoreOptions, Synchronous};
pub use error::{Error, Result};
