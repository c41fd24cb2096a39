//! The "Sign-in methods" administration page (`GET /admin/sign-in-methods`): password sign-in,
//! an OpenID Connect provider and GitHub, in one form with a Save button and a Test button per
//! provider. A refused or tested form comes back with what was typed — except client secrets,
//! which are never written into a page: the secret fields are always empty, and their hint says
//! whether a secret is saved, comes from the environment, or is missing (and, after a refusal
//! or a test, that a typed one must be typed again to be saved).

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::{Chrome, Page, Section, error_for};

/// The ways the app can authenticate itself at the OIDC token endpoint, with their labels
/// (the protocol's names: they are what providers' settings call them).
pub const TOKEN_AUTH_METHODS: [(&str, &str); 2] = [
    ("client_secret_basic", "client_secret_basic"),
    ("client_secret_post", "client_secret_post"),
];

/// GitHub's own web address: the Enterprise section opens only for another one.
const GITHUB_WEB: &str = "https://github.com";

/// `GET /admin/sign-in-methods`.
#[derive(Debug, Clone, Template)]
#[template(path = "admin_sign_in_page.html")]
pub struct AdminSignInPage {
    pub chrome: Chrome,
    /// 200; 422 when the form was refused.
    pub status: StatusCode,
    /// The form's values: the saved settings, or what was typed (never a secret).
    pub form: SignInMethodsForm,
    /// The hint under the OIDC client secret field.
    pub oidc_secret_hint: String,
    /// The hint under the GitHub client secret field.
    pub github_secret_hint: String,
    /// The OIDC callback URL in force (to register at the provider).
    pub oidc_callback: String,
    /// The callback URL to register in the GitHub OAuth app.
    pub github_callback: String,
    /// The settings in force come from the environment (nothing saved here yet).
    pub from_environment: bool,
    /// `(field, message)`; fields are the service's names (`oidc.issuer_url`, …).
    pub errors: Vec<(String, String)>,
    pub notice: Option<String>,
    pub error: Option<String>,
    /// What the last Test button found.
    pub test: Option<TestResult>,
}

/// The form's values, as shown.
#[derive(Debug, Clone, Default)]
pub struct SignInMethodsForm {
    pub local_enabled: bool,
    pub oidc_enabled: bool,
    pub oidc_provider_name: String,
    pub oidc_issuer_url: String,
    pub oidc_client_id: String,
    pub oidc_token_auth_method: String,
    pub oidc_redirect_uri: String,
    pub oidc_scopes: String,
    pub oidc_admin_group: String,
    pub oidc_auto_provision: bool,
    pub oidc_link_verified_email: bool,
    pub github_enabled: bool,
    pub github_client_id: String,
    pub github_auto_provision: bool,
    pub github_link_verified_email: bool,
    pub github_web_url: String,
    pub github_api_url: String,
}

/// What testing a provider found.
#[derive(Debug, Clone, Default)]
pub struct TestResult {
    /// "OpenID Connect" or "GitHub".
    pub provider: String,
    pub ok: bool,
    /// One line per check that passed.
    pub checks: Vec<String>,
    /// Why the test failed.
    pub problem: Option<String>,
}

impl Page for AdminSignInPage {
    fn section(&self) -> Section {
        Section::Admin
    }

    fn status(&self) -> StatusCode {
        self.status
    }
}

impl AdminSignInPage {
    /// Every field of the form, by the service's name.
    const FIELDS: [&str; 17] = [
        "local_enabled",
        "oidc.enabled",
        "oidc.provider_name",
        "oidc.issuer_url",
        "oidc.client_id",
        "oidc.client_secret",
        "oidc.token_auth_method",
        "oidc.redirect_uri",
        "oidc.scopes",
        "oidc.admin_group",
        "oidc.auto_provision",
        "oidc.link_verified_email",
        "github.enabled",
        "github.client_id",
        "github.client_secret",
        "github.web_url",
        "github.api_url",
    ];

    /// The error for `field`, if any.
    pub fn error_for(&self, field: &str) -> Option<&str> {
        error_for(&self.errors, field)
    }

    /// Whether the summary can link to `field`.
    pub fn has_field(&self, field: &str) -> bool {
        Self::FIELDS.contains(&field)
    }

    /// The element id of `field` (`oidc.issuer_url` → `oidc-issuer_url`): ids without dots, so
    /// they are plain CSS selectors too.
    pub fn anchor(&self, field: &str) -> String {
        field.replace('.', "-")
    }

    /// The token authentication choices.
    pub fn token_auth_methods(&self) -> &'static [(&'static str, &'static str)] {
        &TOKEN_AUTH_METHODS
    }

    /// The GitHub Enterprise section starts open when it holds something other than
    /// github.com's addresses, or an error.
    pub fn enterprise_open(&self) -> bool {
        let web = self.form.github_web_url.trim();
        (!web.is_empty() && web != GITHUB_WEB)
            || self.error_for("github.web_url").is_some()
            || self.error_for("github.api_url").is_some()
    }
}

impl IntoResponse for AdminSignInPage {
    fn into_response(self) -> Response {
        super::render(&self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::NavUser;

    const HOSTILE: &str = "<script>alert(1)</script>\"><img src=x onerror=alert(1)>' onfocus='x";

    fn page() -> AdminSignInPage {
        let hostile = || HOSTILE.to_owned();
        AdminSignInPage {
            status: StatusCode::OK,
            chrome: Chrome {
                title: hostile(),
                nonce: "n0nce".to_owned(),
                csrf_token: "csrf-t0ken".to_owned(),
                user: Some(NavUser {
                    display_name: hostile(),
                    is_admin: true,
                    holds_data: true,
                }),
                flash: None,
                theme: "system".to_owned(),
            },
            form: SignInMethodsForm {
                local_enabled: true,
                oidc_enabled: true,
                oidc_provider_name: hostile(),
                oidc_issuer_url: hostile(),
                oidc_client_id: hostile(),
                oidc_token_auth_method: hostile(),
                oidc_redirect_uri: hostile(),
                oidc_scopes: hostile(),
                oidc_admin_group: hostile(),
                oidc_auto_provision: true,
                oidc_link_verified_email: false,
                github_enabled: false,
                github_client_id: hostile(),
                github_auto_provision: false,
                github_link_verified_email: true,
                github_web_url: hostile(),
                github_api_url: hostile(),
            },
            oidc_secret_hint: hostile(),
            github_secret_hint: hostile(),
            oidc_callback: hostile(),
            github_callback: hostile(),
            from_environment: true,
            errors: vec![
                ("oidc.issuer_url".to_owned(), hostile()),
                ("unknown".to_owned(), hostile()),
            ],
            notice: Some(hostile()),
            error: Some(hostile()),
            test: Some(TestResult {
                provider: "GitHub".to_owned(),
                ok: false,
                checks: vec![hostile()],
                problem: Some(hostile()),
            }),
        }
    }

    #[test]
    fn the_page_escapes_everything_and_protects_its_form() {
        let html = Template::render(&page()).unwrap_or_default();
        assert!(!html.contains("<script>alert"), "raw script");
        assert!(!html.contains("<img"), "raw img");
        assert!(!html.contains("' onfocus='"), "quote breakout");
        assert!(!html.contains(" style="), "inline style");
        assert!(!html.contains(" onclick="), "inline handler");
        assert!(html.contains("<form method=\"post\" action=\"/admin/sign-in-methods\""));
        let forms = html.matches("<form method=\"post\"").count();
        let tokens = html
            .matches("<input type=\"hidden\" name=\"csrf_token\" value=\"csrf-t0ken\">")
            .count();
        assert!(tokens >= forms, "{forms} forms, {tokens} tokens");
        assert!(html.contains("id=\"oidc-issuer_url\""));
        assert!(
            html.contains("href=\"#oidc-issuer_url\""),
            "summary links the field"
        );
        assert!(html.contains("aria-invalid=\"true\""));
        assert!(html.contains("<details open>"));
    }

    #[test]
    fn secret_fields_are_always_empty_password_inputs() {
        let html = Template::render(&page()).unwrap_or_default();
        for id in ["oidc-client_secret", "github-client_secret"] {
            let start = html.find(&format!("<input id=\"{id}\"")).unwrap_or(0);
            let input = &html[start..start + html[start..].find('>').unwrap_or(0)];
            assert!(input.contains("type=\"password\""), "{input}");
            assert!(input.contains("autocomplete=\"off\""), "{input}");
            assert!(!input.contains("value="), "{input}");
        }
    }
}
