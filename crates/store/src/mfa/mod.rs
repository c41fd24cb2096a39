//! Second factors, recovery codes, sign-ins waiting for their second factor, and the step-up
//! time of sessions.
//!
//! Invariants kept here:
//! - Every read and write of a factor or recovery code takes the owner; another user's id is
//!   `NotFound`, like a missing one.
//! - Single use is decided by the database, so two concurrent requests cannot both win: a
//!   factor's replay counter only moves forward (`counter < $new`), a recovery code is spent by
//!   an `UPDATE … WHERE used_at IS NULL`, a pending sign-in is taken by a `DELETE`; each
//!   reports whether this call won.
//! - Secrets arrive encrypted (`secret_enc`) and recovery codes and handles arrive hashed; the
//!   store never sees a usable one.
//!
//! Files: `factors` (second factors and their reset), `recovery` (recovery codes),
//! `pending` (sign-ins waiting for their second factor), `reauth` (sessions' step-up time).
//! The types are re-exported here, so callers name them `store::mfa::…`.

mod factors;
mod pending;
mod reauth;
mod recovery;

pub use self::factors::{FactorRow, NewFactor};
pub use self::pending::{NewPendingSignIn, PendingPurpose, PendingSignInRow};
