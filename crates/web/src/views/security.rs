//! The account-security page: the user's signed-in sessions (ending them), the recent sign-in
//! history, the password change form and two-step verification. All strings arrive formatted by the handler (times in
//! the user's zone, devices summarised from the user agent); this module only draws them.

use askama::Template;
use axum::response::{IntoResponse, Response};

use super::mfa::MfaSection;
use super::{Chrome, Page, Section, error_for};

/// `GET /profile/security`.
#[derive(Debug, Clone, Template)]
#[template(path = "security_page.html")]
pub struct SecurityPage {
    pub chrome: Chrome,
    /// The user's live sessions, the current one included.
    pub sessions: Vec<SessionRow>,
    /// Recent sign-in attempts on this account, newest first.
    pub logins: Vec<LoginRow>,
    /// Failed sign-ins since the previous one, when enough to warn about.
    pub failures_warning: Option<usize>,
    /// `(field, message)` for the password form (`current_password`, `new_password`).
    pub password_errors: Vec<(String, String)>,
    /// The password was just changed: say so above the form.
    pub password_changed: bool,
    /// Two-step verification: status, set up, recovery codes, turn off.
    pub mfa: MfaSection,
    /// Sign-in providers (OIDC, GitHub) linked to this account.
    pub identities: Vec<IdentityRow>,
}

/// One linked sign-in provider identity.
#[derive(Debug, Clone, Default)]
pub struct IdentityRow {
    pub provider: String,
    pub email: String,
    pub linked: String,
    pub last_used: String,
}

/// One signed-in session.
#[derive(Debug, Clone, Default)]
pub struct SessionRow {
    /// The session's public id (never its token), used in `/profile/sessions/{id}/end`.
    pub id: String,
    pub device: String,
    pub ip: String,
    pub created: String,
    pub last_seen: String,
    /// The session making this request: it cannot be ended from here (sign out instead).
    pub current: bool,
}

/// One sign-in attempt.
#[derive(Debug, Clone, Default)]
pub struct LoginRow {
    pub at: String,
    pub ip: String,
    pub device: String,
    pub success: bool,
    /// The sign-in that started the current session.
    pub this_session: bool,
}

impl Page for SecurityPage {
    fn section(&self) -> Section {
        Section::Security
    }
}

impl SecurityPage {
    /// The password form's fields, so the summary links only to fields that exist.
    const PASSWORD_FIELDS: [&str; 2] = ["current_password", "new_password"];

    /// The page as an HTML response.
    pub fn render(&self) -> Response {
        super::render(self)
    }

    /// The password form's error message for `field`, if any.
    pub fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.password_errors, field)
    }

    /// Whether the summary can link to `field` on the password form.
    pub fn has_field(&self, field: &str) -> bool {
        Self::PASSWORD_FIELDS.contains(&field)
    }

    /// Whether there are sessions besides the current one (offer "End all other sessions").
    pub fn has_other_sessions(&self) -> bool {
        self.sessions.iter().any(|session| !session.current)
    }
}

impl IntoResponse for SecurityPage {
    fn into_response(self) -> Response {
        self.render()
    }
}
