//! BillTracker's domain: pure rules and the input types every other layer trusts.
//!
//! Nothing here does IO. Values are parsed once at the edge (`parse` constructors that return
//! [`Invalid`] naming the field) and are valid for the rest of their life: their fields are
//! private, so an invalid value cannot be built.
//!
//! Module map:
//! - [`id`] — typed UUIDv7 identifiers (`UserId`, `SessionId`, …), one type per table.
//! - [`invalid`] — the validation error, naming the field and the reason.
//! - [`text`] — shared text rules (trimming, length, control characters).
//! - [`user`] — account input types: usernames, display names, emails, roles.

pub mod id;
pub mod invalid;
pub mod text;
pub mod user;

pub use invalid::Invalid;
