//! Typed links: every browser route's path, written once. The route table registers each page
//! route from these constants ([`Link::path`], [`Link1::template`]), and handlers, views and
//! templates build their links from the same constants (`links::BILL_EDIT.at(id)` in Rust,
//! `{{ crate::links::BILLS }}` in a template), so a route renamed here moves everywhere, and a
//! route removed here is a compile error wherever it was linked. The test
//! `every_link_is_a_route` checks each template against the route table, and
//! `tests::no_page_writes_a_route_by_hand` keeps literal paths out of pages and templates.
//!
//! The JSON API's paths are not here: they are the OpenAPI document's business, and only the
//! browser's script and the provider sign-in buttons link to them.

use std::fmt;

/// `value` percent-encoded for a query string or a path segment (everything but unreserved
/// characters).
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

/// A path without parameters, such as `/bills`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link(&'static str);

impl Link {
    pub const fn new(path: &'static str) -> Self {
        Self(path)
    }

    /// The path, for the route table and redirects.
    pub const fn path(self) -> &'static str {
        self.0
    }

    /// The path with one query parameter, its value percent-encoded.
    pub fn with(self, name: &str, value: &str) -> String {
        with_param(self.0, name, value)
    }

    /// The path with two query parameters.
    pub fn with2(self, (n1, v1): (&str, &str), (n2, v2): (&str, &str)) -> String {
        with_param(&with_param(self.0, n1, v1), n2, v2)
    }

    /// The path with a `#fragment`.
    pub fn at_fragment(self, fragment: &str) -> String {
        format!("{}#{fragment}", self.0)
    }
}

impl fmt::Display for Link {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

/// A path template with one parameter, such as `/bills/{id}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Link1(&'static str);

impl Link1 {
    pub const fn new(template: &'static str) -> Self {
        Self(template)
    }

    /// The template, for the route table.
    pub const fn template(self) -> &'static str {
        self.0
    }

    /// The path for `value` with one query parameter.
    pub fn at_with(self, value: impl fmt::Display, name: &str, param: &str) -> String {
        with_param(&self.at(value), name, param)
    }

    /// The path for `value` (an id or a date: text that needs no encoding; anything else is
    /// percent-encoded).
    pub fn at(self, value: impl fmt::Display) -> String {
        let value = encode_component(&value.to_string());
        match (self.0.find('{'), self.0.find('}')) {
            (Some(open), Some(close)) => {
                format!("{}{value}{}", &self.0[..open], &self.0[close + 1..])
            }
            _ => self.0.to_owned(),
        }
    }
}

macro_rules! links {
    ($( $(#[$doc:meta])* $name:ident: $ty:ident = $path:literal; )*) => {
        $( $(#[$doc])* pub const $name: $ty = $ty::new($path); )*

        /// Every link's path or template, in declaration order.
        pub const ALL: &[&str] = &[$($path),*];
    };
}

links! {
    /// The tracker, the home page.
    TRACKER: Link = "/";
    TRACKER_PAY: Link = "/tracker/pay";
    TRACKER_UNPAY: Link = "/tracker/unpay";
    TRACKER_SKIP: Link = "/tracker/skip";
    TRACKER_PAY_ALL: Link = "/tracker/pay-all";
    TRACKER_UNDO: Link = "/tracker/undo";
    TRACKER_DEMO: Link = "/tracker/demo";
    TRACKER_DEMO_CLEAR: Link = "/tracker/demo/clear";
    /// One occurrence's month state (`?bill_id=&due_date=`).
    TRACKER_OCCURRENCE: Link = "/tracker/occurrence";
    TRACKER_CASH: Link = "/tracker/cash";
    WELCOME: Link = "/welcome";
    ANALYTICS: Link = "/analytics";

    BILLS: Link = "/bills";
    BILL_NEW: Link = "/bills/new";
    BILL: Link1 = "/bills/{id}";
    BILL_EDIT: Link1 = "/bills/{id}/edit";
    BILL_DELETE: Link1 = "/bills/{id}/delete";
    BILL_RESTORE: Link1 = "/bills/{id}/restore";
    BILL_DELETE_PERMANENTLY: Link1 = "/bills/{id}/delete-permanently";
    BILL_DEACTIVATE: Link1 = "/bills/{id}/deactivate";
    BILL_REACTIVATE: Link1 = "/bills/{id}/reactivate";
    BILL_OCCURRENCE: Link1 = "/bills/{id}/occurrence";
    BILL_PAYMENTS: Link1 = "/bills/{id}/payments";
    BILL_PAY_HISTORY: Link1 = "/bills/{id}/pay-history";
    BILL_PAY_HISTORY_UNDO: Link1 = "/bills/{id}/pay-history/undo";
    /// Adds a merchant rule to the bill (`POST`); its preview is [`BILL_RULES_PREVIEW`].
    BILL_RULES: Link1 = "/bills/{id}/rules";
    BILL_RULES_PREVIEW: Link1 = "/bills/{id}/rules/preview";
    RULE: Link1 = "/rules/{id}";
    RULE_EDIT: Link1 = "/rules/{id}/edit";
    RULE_DELETE: Link1 = "/rules/{id}/delete";
    RULE_APPLY: Link1 = "/rules/{id}/apply";
    PAYMENT: Link1 = "/payments/{id}";
    PAYMENT_EDIT: Link1 = "/payments/{id}/edit";
    PAYMENT_DELETE: Link1 = "/payments/{id}/delete";
    PAYMENT_RESTORE: Link1 = "/payments/{id}/restore";

    CATEGORIES: Link = "/categories";
    CATEGORIES_STARTER_SET: Link = "/categories/starter-set";
    CATEGORY: Link1 = "/categories/{id}";
    CATEGORY_DELETE: Link1 = "/categories/{id}/delete";
    CATEGORY_RESTORE: Link1 = "/categories/{id}/restore";
    BUDGETS: Link = "/budgets";
    BUDGET: Link1 = "/budgets/{id}";
    BUDGET_DELETE: Link1 = "/budgets/{id}/delete";

    EXPENSES: Link = "/expenses";
    EXPENSE_NEW: Link = "/expenses/new";
    EXPENSES_BULK_DELETE: Link = "/expenses/bulk-delete";
    EXPENSES_UNDO: Link = "/expenses/undo";
    EXPENSE: Link1 = "/expenses/{id}";
    EXPENSE_EDIT: Link1 = "/expenses/{id}/edit";
    EXPENSE_DELETE: Link1 = "/expenses/{id}/delete";
    EXPENSE_RESTORE: Link1 = "/expenses/{id}/restore";

    TRANSACTIONS: Link = "/transactions";
    TRANSACTION: Link1 = "/transactions/{id}";
    BANK_ACCOUNTS: Link = "/transactions/accounts";
    BANK_ACCOUNT_RENAME: Link1 = "/transactions/accounts/{id}/rename";
    TRANSACTION_CATEGORY: Link1 = "/transactions/{id}/category";
    TRANSACTION_MATCH: Link1 = "/transactions/{id}/match";
    TRANSACTION_UNMATCH: Link1 = "/transactions/{id}/unmatch";
    TRANSACTION_IGNORE: Link1 = "/transactions/{id}/ignore";
    TRANSACTION_UNIGNORE: Link1 = "/transactions/{id}/unignore";
    TRANSACTION_REJECT: Link1 = "/transactions/{id}/reject";
    TRANSACTION_RECORD_EXPENSE: Link1 = "/transactions/{id}/record-expense";
    IMPORTS: Link = "/imports";
    IMPORT: Link1 = "/imports/{id}";
    IMPORT_PRESETS: Link = "/imports/presets";
    IMPORT_PRESET_EXPORT: Link1 = "/imports/presets/{id}/export";
    IMPORT_PRESET_RENAME: Link1 = "/imports/presets/{id}/rename";
    IMPORT_PRESET_DELETE: Link1 = "/imports/presets/{id}/delete";
    IMPORT_ANSWER: Link1 = "/imports/{id}/answer";
    IMPORT_APPLY: Link1 = "/imports/{id}/apply";
    IMPORT_UNDO: Link1 = "/imports/{id}/undo";
    /// Bank sync: the page (`GET`) and connecting (`POST`).
    BANK_SYNC: Link = "/bank-sync";
    BANK_SYNC_SYNC: Link1 = "/bank-sync/{id}/sync";
    BANK_SYNC_BACKFILL: Link1 = "/bank-sync/{id}/backfill";
    BANK_SYNC_DISCONNECT: Link1 = "/bank-sync/{id}/disconnect";
    BANK_SYNC_ACCOUNT: Link1 = "/bank-sync/accounts/{id}";

    SETUP: Link = "/setup";
    LOGIN: Link = "/login";
    LOGIN_MFA: Link = "/login/mfa";
    LOGIN_PASSKEY: Link = "/login/passkey";
    LOGOUT: Link = "/logout";
    /// An external provider's sign-in start (`oidc` or `github`): a browser redirect flow.
    PROVIDER_LOGIN: Link1 = "/api/auth/{provider}/login";
    PROVIDER_CALLBACK: Link1 = "/api/auth/{provider}/callback";

    PROFILE: Link = "/profile";
    PROFILE_NAME: Link = "/profile/name";
    PROFILE_PREFERENCES: Link = "/profile/preferences";
    PROFILE_THEME: Link = "/profile/theme";
    PROFILE_BILL_CURRENCY: Link = "/profile/bill-currency";
    PROFILE_PASSWORD: Link = "/profile/password";
    REAUTH: Link = "/profile/reauth";
    REAUTH_PROVIDER: Link = "/profile/reauth/provider";
    SECURITY: Link = "/profile/security";
    SESSION_END: Link1 = "/profile/sessions/{id}/end";
    SESSIONS_END_OTHERS: Link = "/profile/sessions/end-others";
    TOTP: Link = "/profile/mfa/totp";
    TOTP_START: Link = "/profile/mfa/totp/start";
    TOTP_CONFIRM: Link = "/profile/mfa/totp/confirm";
    TOTP_DISABLE: Link = "/profile/mfa/totp/disable";
    RECOVERY_CODES: Link = "/profile/mfa/recovery-codes";
    WEBAUTHN_REGISTER: Link = "/profile/webauthn/register";
    WEBAUTHN_RENAME: Link1 = "/profile/webauthn/{id}/rename";
    WEBAUTHN_REMOVE: Link1 = "/profile/webauthn/{id}/remove";

    ADMIN: Link = "/admin";
    ADMIN_USERS: Link = "/admin/users";
    ADMIN_SESSIONS_END_ALL: Link = "/admin/sessions/end-all";
    ADMIN_MFA_POLICY: Link = "/admin/mfa-policy";
    ADMIN_BANK_SYNC: Link = "/admin/bank-sync";
    ADMIN_AUDIT_LOG: Link = "/admin/audit-log";
    ADMIN_SIGN_IN_METHODS: Link = "/admin/sign-in-methods";
    ADMIN_SIGN_IN_METHODS_TEST: Link = "/admin/sign-in-methods/test";
    ADMIN_USER: Link1 = "/admin/users/{id}";
    ADMIN_USER_PROFILE: Link1 = "/admin/users/{id}/profile";
    ADMIN_USER_ROLE: Link1 = "/admin/users/{id}/role";
    ADMIN_USER_ACTIVE: Link1 = "/admin/users/{id}/active";
    ADMIN_USER_PASSWORD: Link1 = "/admin/users/{id}/password";
    ADMIN_USER_SESSIONS_END: Link1 = "/admin/users/{id}/sessions/end";
    ADMIN_USER_DELETE: Link1 = "/admin/users/{id}/delete";
    ADMIN_USER_MFA_RESET: Link1 = "/admin/users/{id}/mfa/reset";
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_fills_its_one_parameter() {
        assert_eq!(BILL_EDIT.at("0190-ab"), "/bills/0190-ab/edit");
        assert_eq!(PROVIDER_LOGIN.at("oidc"), "/api/auth/oidc/login");
        assert_eq!(
            BILL.at("a/b?c"),
            "/bills/a%2Fb%3Fc",
            "a value never escapes its segment"
        );
        assert_eq!(BILLS.to_string(), "/bills");
        assert_eq!(
            TRACKER_OCCURRENCE.with("bill_id", "x y"),
            "/tracker/occurrence?bill_id=x%20y"
        );
    }

    #[test]
    fn every_link_is_written_once() {
        for (i, path) in ALL.iter().enumerate() {
            assert!(!ALL[..i].contains(path), "{path} twice");
        }
    }
}
