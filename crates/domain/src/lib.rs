//! BillTracker's domain: pure rules and the input types every other layer trusts.
//!
//! Nothing here does IO. Values are parsed once at the edge (`parse` constructors that return
//! [`Invalid`] naming the field) and are valid for the rest of their life: their fields are
//! private, so an invalid value cannot be built. Types with public fields (`Money`, `Bucket`,
//! `StatusRules`, `OccurrenceFacts`, `OccurrenceBalance`) are the ones for which every value
//! of the fields is valid; their rules live in the functions that use them.
//!
//! Module map:
//! - [`attribution`] — which occurrence (cycle) a payment settles: oldest arrears first, never
//!   more than one cycle ahead.
//! - [`bill`] — bill input types: name, notes, expected amount (fixed or estimated range),
//!   autopay state, reminder lead times, APR.
//! - [`buckets`] — pay-period buckets from the user's paydays; safe-to-spend.
//! - [`budget`] — budget periods and the under / warning (80 %) / exceeded (100 %) state.
//! - [`cash`] — a pay period's starting cash and income (recurring income per payday,
//!   overridden per month) and whether safe-to-spend is known.
//! - [`category`] — category input types: name, `#rrggbb` colour, icon name.
//! - [`date`] — calendar dates typed as `YYYY-MM-DD`.
//! - [`factor`] — second factors: kinds, one-time and recovery codes, the "require 2FA" policy.
//! - [`id`] — typed UUIDv7 identifiers (`UserId`, `BillId`, …), one type per table.
//! - [`invalid`] — the validation error, naming the field and the reason.
//! - [`matching`] — scoring a bank transaction against a bill (amount, days from due, payee
//!   likeness, earlier matches) with reasons in words; merchant rules' payee and amount test.
//! - [`money`] — ISO 4217 currencies, integer minor units, checked sums, amount parsing and
//!   formatting.
//! - [`payment`] — payment and expense input types: method, payee, source.
//! - [`recurrence`] — cycles, due days clamped to short months, a schedule's occurrences.
//! - [`status`] — an occurrence's status (paid, partial, late, …) and the "pin due" order.
//! - [`text`] — shared text rules (trimming, length, control characters, optional inputs,
//!   choices from a fixed set of names).
//! - [`user`] — account input types: usernames, display names, emails, roles.
//! - [`version`] — an optimistic edit's version as JSON sends it (`198` or `198.0`).
//! - [`website`] — `http`/`https` addresses safe to link to.

pub mod attribution;
pub mod bill;
pub mod buckets;
pub mod budget;
pub mod cash;
pub mod category;
pub mod date;
pub mod factor;
pub mod id;
pub mod invalid;
pub mod matching;
pub mod money;
pub mod payment;
pub mod recurrence;
pub mod status;
pub mod text;
pub mod user;
pub mod version;
pub mod website;

pub use invalid::Invalid;
