//! The administration pages: the account list with the create form (`GET /admin`), one
//! account's management page (`GET /admin/users/{id}`) and the audit log
//! (`GET /admin/audit-log`). Forms that come back with errors keep what was typed (never a
//! password) and put each message next to its field. All strings arrive formatted by the
//! handler (times in UTC); this module only draws them.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::{Chrome, Page, Section, error_for};

/// The roles an admin may give, with their labels.
pub const ROLES: [(&str, &str); 2] = [("user", "User"), ("admin", "Administrator")];

/// `GET /admin`.
#[derive(Debug, Clone, Template)]
#[template(path = "admin_users_page.html")]
pub struct AdminUsersPage {
    pub chrome: Chrome,
    /// 200; 422 or 409 when the create form was refused.
    pub status: StatusCode,
    pub users: Vec<UserRow>,
    /// The create form's values (typed after an error, else empty with role `user`).
    pub create: NewUserForm,
    /// `(field, message)` for the create form.
    pub create_errors: Vec<(String, String)>,
    pub notice: Option<String>,
    pub error: Option<String>,
    /// The "require two-step verification" policy form.
    pub mfa_policy: MfaPolicyForm,
    /// The bank-sync switch and interval.
    pub bank_sync: service::sync::settings::BankSyncSettings,
}

/// The "require two-step verification" policy as its form shows it.
#[derive(Debug, Clone, Default)]
pub struct MfaPolicyForm {
    /// `off`, `admins` or `everyone`.
    pub require: String,
    pub grace_days: u32,
}

/// The policy choices, with their labels.
pub const MFA_REQUIREMENTS: [(&str, &str); 3] = [
    ("off", "Off: offered to everyone, required of no one"),
    ("admins", "Required of administrators"),
    ("everyone", "Required of everyone"),
];

/// One account in the list.
#[derive(Debug, Clone, Default)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    /// "Administrator" or "User".
    pub role: &'static str,
    pub is_admin: bool,
    pub is_active: bool,
    /// The administrator made at first start.
    pub is_bootstrap: bool,
    pub created: String,
    /// "Never" when the account has not signed in.
    pub last_sign_in: String,
    /// The account making this request.
    pub is_you: bool,
}

/// The create form's values.
#[derive(Debug, Clone)]
pub struct NewUserForm {
    pub username: String,
    pub display_name: String,
    pub email: String,
    pub role: String,
}

impl Default for NewUserForm {
    fn default() -> Self {
        Self {
            username: String::new(),
            display_name: String::new(),
            email: String::new(),
            role: "user".to_owned(),
        }
    }
}

impl Page for AdminUsersPage {
    fn section(&self) -> Section {
        Section::Admin
    }

    fn status(&self) -> StatusCode {
        self.status
    }
}

impl AdminUsersPage {
    const CREATE_FIELDS: [&str; 5] = ["username", "display_name", "email", "password", "role"];

    /// The create form's error for `field`, if any.
    pub fn create_error(&self, field: &str) -> Option<&str> {
        error_for(&self.create_errors, field)
    }

    /// Whether the summary can link to `field`.
    pub fn has_create_field(&self, field: &str) -> bool {
        Self::CREATE_FIELDS.contains(&field)
    }

    /// The role choices.
    pub fn roles(&self) -> &'static [(&'static str, &'static str)] {
        &ROLES
    }

    /// The policy choices.
    pub fn mfa_requirements(&self) -> &'static [(&'static str, &'static str)] {
        &MFA_REQUIREMENTS
    }
}

impl IntoResponse for AdminUsersPage {
    fn into_response(self) -> Response {
        super::render(&self)
    }
}

/// `GET /admin/users/{id}`.
#[derive(Debug, Clone, Template)]
#[template(path = "admin_user_page.html")]
pub struct AdminUserPage {
    pub chrome: Chrome,
    /// 200; 422 (409 for a taken name) when a form was refused.
    pub status: StatusCode,
    pub user: UserRow,
    /// Blank when the account has none.
    pub email: String,
    pub live_sessions: usize,
    /// The name form's values (typed after an error, else stored).
    pub edit: EditUserForm,
    /// `(field, message)` for the forms on this page; field names are unique across them
    /// (`username`, `display_name`, `email`, `password`, `confirm_username`).
    pub errors: Vec<(String, String)>,
    pub notice: Option<String>,
    pub error: Option<String>,
    /// The account has a second factor (sign-in asks for it).
    pub mfa_enabled: bool,
    /// Its unused recovery codes.
    pub mfa_recovery_codes_left: i64,
}

/// The name-and-email form's values.
#[derive(Debug, Clone, Default)]
pub struct EditUserForm {
    pub username: String,
    pub display_name: String,
    pub email: String,
}

impl Page for AdminUserPage {
    fn section(&self) -> Section {
        Section::Admin
    }

    fn status(&self) -> StatusCode {
        self.status
    }
}

impl AdminUserPage {
    const FIELDS: [&str; 5] = [
        "username",
        "display_name",
        "email",
        "password",
        "confirm_username",
    ];

    /// The error for `field`, if any.
    pub fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }

    /// Whether the summary can link to `field`.
    pub fn has_field(&self, field: &str) -> bool {
        Self::FIELDS.contains(&field)
    }

    /// The role choices.
    pub fn roles(&self) -> &'static [(&'static str, &'static str)] {
        &ROLES
    }

    /// The account's role as the form sends it.
    pub fn role_value(&self) -> &'static str {
        if self.user.is_admin { "admin" } else { "user" }
    }
}

impl IntoResponse for AdminUserPage {
    fn into_response(self) -> Response {
        super::render(&self)
    }
}

/// `GET /admin/audit-log`.
#[derive(Debug, Clone, Template)]
#[template(path = "admin_audit_page.html")]
pub struct AuditLogPage {
    pub chrome: Chrome,
    /// 200; 422 when a date filter was refused.
    pub status: StatusCode,
    /// Every entry's hash still links to the one before it.
    /// The chain verdict; `None` on later or filtered pages (verifying reads the whole log).
    pub chain_intact: Option<bool>,
    pub entries: Vec<AuditRow>,
    /// The filters as typed.
    pub filters: AuditFilters,
    /// `(field, message)` for the filter form (`from`, `to`).
    pub errors: Vec<(String, String)>,
    /// The next (older) page, keeping the filters.
    pub older_href: Option<String>,
    /// The first page with the same filters, when this is not it.
    pub newest_href: Option<String>,
    /// Action names to suggest in the filter.
    pub actions: Vec<&'static str>,
}

/// The audit filters as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilters {
    pub action: String,
    pub actor: String,
    /// `YYYY-MM-DD`, UTC.
    pub from: String,
    pub to: String,
}

/// One audit entry.
#[derive(Debug, Clone, Default)]
pub struct AuditRow {
    pub seq: i64,
    /// `2026-03-14 09:00:00 UTC`.
    pub at: String,
    /// RFC 3339, for `<time datetime>`.
    pub at_iso: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub ip: String,
    /// `key: value` pairs of the entry's details.
    pub detail: String,
}

impl Page for AuditLogPage {
    fn section(&self) -> Section {
        Section::Admin
    }

    fn status(&self) -> StatusCode {
        self.status
    }
}

impl AuditLogPage {
    /// The filter form's error for `field`, if any.
    pub fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }
}

impl IntoResponse for AuditLogPage {
    fn into_response(self) -> Response {
        super::render(&self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::NavUser;

    const HOSTILE: &str = "<script>alert(1)</script>\"><img src=x onerror=alert(1)>' onfocus='x";

    fn chrome() -> Chrome {
        Chrome {
            title: HOSTILE.to_owned(),
            nonce: "n0nce".to_owned(),
            csrf_token: "csrf-t0ken".to_owned(),
            user: Some(NavUser {
                display_name: HOSTILE.to_owned(),
                is_admin: true,
                holds_data: true,
            }),
            flash: None,
            theme: "dark".to_owned(),
        }
    }

    fn user() -> UserRow {
        UserRow {
            id: HOSTILE.to_owned(),
            username: HOSTILE.to_owned(),
            display_name: HOSTILE.to_owned(),
            role: "Administrator",
            is_admin: true,
            is_active: true,
            is_bootstrap: true,
            created: HOSTILE.to_owned(),
            last_sign_in: HOSTILE.to_owned(),
            is_you: true,
        }
    }

    fn errors(fields: &[&str]) -> Vec<(String, String)> {
        fields
            .iter()
            .map(|f| ((*f).to_owned(), HOSTILE.to_owned()))
            .collect()
    }

    /// Escaped data, the page stylesheet with the nonce, and a CSRF token in every POST form.
    fn assert_safe(name: &str, html: &str) {
        assert!(!html.contains("<script>alert"), "{name}: raw script");
        assert!(!html.contains("<img"), "{name}: raw img");
        assert!(!html.contains("' onfocus='"), "{name}: quote breakout");
        assert!(!html.contains(" style="), "{name}: inline style");
        assert!(
            html.contains("<link rel=\"stylesheet\" href=\"/static/app.css\" nonce=\"n0nce\">"),
            "{name}"
        );
        let forms = html.matches("<form method=\"post\"").count();
        let tokens = html
            .matches("<input type=\"hidden\" name=\"csrf_token\" value=\"csrf-t0ken\">")
            .count();
        assert!(
            forms > 0 && tokens >= forms,
            "{name}: {forms} forms, {tokens} tokens"
        );
    }

    #[test]
    fn admin_pages_escape_everything_and_protect_every_form() {
        let hostile = || HOSTILE.to_owned();
        let list = AdminUsersPage {
            chrome: chrome(),
            status: StatusCode::UNPROCESSABLE_ENTITY,
            users: vec![user()],
            create: NewUserForm {
                username: hostile(),
                display_name: hostile(),
                email: hostile(),
                role: hostile(),
            },
            create_errors: errors(&["username", "password", "unknown"]),
            notice: Some(hostile()),
            error: Some(hostile()),
            mfa_policy: MfaPolicyForm {
                require: hostile(),
                grace_days: 7,
            },
            bank_sync: service::sync::settings::BankSyncSettings {
                enabled: true,
                interval_hours: 4,
            },
        };
        let one = AdminUserPage {
            chrome: chrome(),
            status: StatusCode::UNPROCESSABLE_ENTITY,
            user: user(),
            email: hostile(),
            live_sessions: 2,
            edit: EditUserForm {
                username: hostile(),
                display_name: hostile(),
                email: hostile(),
            },
            errors: errors(&["email", "password", "confirm_username"]),
            notice: Some(hostile()),
            error: Some(hostile()),
            mfa_enabled: true,
            mfa_recovery_codes_left: 3,
        };
        let audit = AuditLogPage {
            chrome: chrome(),
            status: StatusCode::OK,
            chain_intact: Some(false),
            entries: vec![AuditRow {
                seq: 1,
                at: hostile(),
                at_iso: hostile(),
                actor: hostile(),
                action: hostile(),
                target: hostile(),
                ip: hostile(),
                detail: hostile(),
            }],
            filters: AuditFilters {
                action: hostile(),
                actor: hostile(),
                from: hostile(),
                to: hostile(),
            },
            errors: errors(&["from"]),
            older_href: Some(hostile()),
            newest_href: None,
            actions: vec!["user.create"],
        };
        for (name, html) in [
            ("list", Template::render(&list)),
            ("user", Template::render(&one)),
        ] {
            assert_safe(name, &html.unwrap_or_default());
        }
        let html = Template::render(&audit).unwrap_or_default();
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("Chain BROKEN"));
        assert!(html.contains("aria-invalid=\"true\""));
    }
}
