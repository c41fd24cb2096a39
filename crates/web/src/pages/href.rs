//! Addresses the pages build: the step-up page's address that returns to where the person was,
//! and (from [`crate::links`]) a value percent-encoded for a query and a parameter added to a
//! URL. The kit, the banners and the areas all use it.

use super::safe_next;

pub use crate::links::{encode_component, with_param};

/// The page that asks for the password again, returning to `next` (a same-site path).
pub fn reauth_href(next: &str) -> String {
    crate::links::REAUTH.with("next", &safe_next(Some(next)))
}
