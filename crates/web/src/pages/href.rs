//! Addresses the pages build: a value percent-encoded for a query, a parameter added to a URL,
//! and the step-up page's address that returns to where the person was. A leaf module: the kit,
//! the banners and the areas all use it.

use super::safe_next;

/// `value` percent-encoded for a query string (everything but unreserved characters).
pub fn encode_component(value: &str) -> String {
    value
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// `to` with `name=value` added to its query.
pub fn with_param(to: &str, name: &str, value: &str) -> String {
    let sep = if to.contains('?') { '&' } else { '?' };
    format!("{to}{sep}{name}={}", encode_component(value))
}

/// The page that asks for the password again, returning to `next` (a same-site path).
pub fn reauth_href(next: &str) -> String {
    with_param("/profile/reauth", "next", &safe_next(Some(next)))
}
