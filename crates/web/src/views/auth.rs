//! Signing in and the first-run setup of the administrator. Both pages are shown to visitors
//! without a session, so they draw no navigation; both keep what was typed (except passwords)
//! when they are shown again with errors.

use askama::Template;
use axum::response::{IntoResponse, Response};

use super::{Chrome, Page, error_for};

/// `GET /login`, and `POST /login` again after a failed attempt.
#[derive(Debug, Clone, Template)]
#[template(path = "sign_in_page.html")]
pub struct SignInPage {
    pub chrome: Chrome,
    /// The username typed last time, kept so only the password has to be typed again.
    pub username: String,
    /// Why the last attempt failed, shown in the error summary.
    pub error: Option<String>,
    /// Where to go after signing in (a same-origin path, checked by the handler), posted back.
    pub next: String,
    /// No administrator exists yet: explain where the setup link is.
    pub setup_hint: bool,
    /// Offer "Sign in with a passkey" (WebAuthn works here; shown with JavaScript only).
    pub passkey: bool,
    /// The origin WebAuthn ceremonies are accepted from (the script offers passkeys only there).
    pub webauthn_origin: String,
    /// The sign-in methods on offer (password form, OIDC and GitHub buttons).
    pub methods: service::auth::external::PublicMethods,
}

impl Page for SignInPage {}

/// The page between a provider's callback and the app: it sets the new cookies and moves on
/// with a same-site navigation (`<meta http-equiv="refresh">`), because a redirect chain that
/// began at the provider is cross-site, and browsers keep `SameSite=Strict` cookies (the
/// session's) out of it.
#[derive(Debug, Clone, Template)]
#[template(path = "continue_page.html")]
pub struct ContinuePage {
    pub chrome: Chrome,
    /// Where to go next (a same-origin path).
    pub to: String,
}

impl Page for ContinuePage {}

impl SignInPage {
    /// The page as an HTML response.
    pub fn render(&self) -> Response {
        super::render(self)
    }
}

impl IntoResponse for SignInPage {
    fn into_response(self) -> Response {
        self.render()
    }
}

/// `GET /setup?token=…`: the one-time form that creates the first administrator.
#[derive(Debug, Clone, Template)]
#[template(path = "setup_page.html")]
pub struct SetupPage {
    pub chrome: Chrome,
    /// The one-time setup token from the link in the server log, posted back.
    pub token: String,
    pub username: String,
    pub display_name: String,
    /// `(field, message)`: shown under the matching field and in the summary at the top.
    pub errors: Vec<(String, String)>,
}

impl Page for SetupPage {}

impl SetupPage {
    /// The form fields, so the summary links only to fields that exist.
    const FIELDS: [&str; 3] = ["username", "display_name", "password"];

    /// The page as an HTML response.
    pub fn render(&self) -> Response {
        super::render(self)
    }

    /// The error message for `field`, if any.
    pub fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }

    /// Whether the summary can link to `field` on this form.
    pub fn has_field(&self, field: &str) -> bool {
        Self::FIELDS.contains(&field)
    }
}

impl IntoResponse for SetupPage {
    fn into_response(self) -> Response {
        self.render()
    }
}
