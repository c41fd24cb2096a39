//! The administrators' sign-in methods on the wire (`/api/admin/sign-in-methods`): the
//! settings in force as the service reads them (secrets never, only where the one in force
//! comes from), the change an administrator submits, and what testing a provider found. The
//! change is read here with `deny_unknown_fields` and handed to the service as its own
//! [`admin::MethodsUpdate`].

use serde::{Deserialize, Serialize};
use service::auth::external::admin;

/// Where a secret in force comes from.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SecretSource {
    Saved,
    Environment,
    None,
}

impl From<admin::SecretSource> for SecretSource {
    fn from(source: admin::SecretSource) -> Self {
        match source {
            admin::SecretSource::Saved => SecretSource::Saved,
            admin::SecretSource::Environment => SecretSource::Environment,
            admin::SecretSource::None => SecretSource::None,
        }
    }
}

/// The OIDC settings as administrators see them (the secret never leaves the server).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct OidcView {
    pub enabled: bool,
    pub provider_name: String,
    pub issuer_url: String,
    pub client_id: String,
    pub client_secret: SecretSource,
    /// `client_secret_basic` or `client_secret_post`.
    pub token_auth_method: String,
    /// The explicit callback URL, if one was set.
    pub redirect_uri: Option<String>,
    /// The callback URL in force (register this one at the provider).
    pub effective_redirect_uri: String,
    pub scopes: String,
    pub admin_group: Option<String>,
    pub auto_provision: bool,
    pub link_verified_email: bool,
}

impl From<&admin::OidcInForce> for OidcView {
    fn from(oidc: &admin::OidcInForce) -> Self {
        Self {
            enabled: oidc.enabled,
            provider_name: oidc.provider_name.clone(),
            issuer_url: oidc.issuer_url.clone(),
            client_id: oidc.client_id.clone(),
            client_secret: oidc.client_secret.into(),
            token_auth_method: oidc.token_auth_method.as_str().to_owned(),
            redirect_uri: oidc.redirect_uri.clone(),
            effective_redirect_uri: oidc.effective_redirect_uri.clone(),
            scopes: oidc.scopes_text(),
            admin_group: oidc.admin_group.clone(),
            auto_provision: oidc.auto_provision,
            link_verified_email: oidc.link_verified_email,
        }
    }
}

/// The GitHub settings as administrators see them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct GithubView {
    pub enabled: bool,
    pub client_id: String,
    pub client_secret: SecretSource,
    pub auto_provision: bool,
    pub link_verified_email: bool,
    /// The callback URL to register in the GitHub OAuth app.
    pub callback_url: String,
    pub web_url: String,
    pub api_url: String,
}

impl From<&admin::GithubInForce> for GithubView {
    fn from(github: &admin::GithubInForce) -> Self {
        Self {
            enabled: github.enabled,
            client_id: github.client_id.clone(),
            client_secret: github.client_secret.into(),
            auto_provision: github.auto_provision,
            link_verified_email: github.link_verified_email,
            callback_url: github.callback_url.clone(),
            web_url: github.web_url.clone(),
            api_url: github.api_url.clone(),
        }
    }
}

/// Every sign-in method as administrators see it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MethodsView {
    pub local_enabled: bool,
    pub oidc: OidcView,
    pub github: GithubView,
    /// `saved` (admin page) or `environment`.
    pub source: String,
}

impl From<&admin::MethodsInForce> for MethodsView {
    fn from(methods: &admin::MethodsInForce) -> Self {
        Self {
            local_enabled: methods.local_enabled,
            oidc: OidcView::from(&methods.oidc),
            github: GithubView::from(&methods.github),
            source: methods.source.as_str().to_owned(),
        }
    }
}

/// What testing a provider found.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ProviderTest {
    /// Whether a sign-in can work with these settings.
    pub ok: bool,
    /// One line per check, for people.
    pub checks: Vec<String>,
    /// The problem, when `ok` is false.
    pub problem: Option<String>,
}

impl From<&admin::ProviderTest> for ProviderTest {
    fn from(test: &admin::ProviderTest) -> Self {
        Self {
            ok: test.ok,
            checks: test.checks.clone(),
            problem: test.problem.clone(),
        }
    }
}

/// A change an administrator submits: every field, as on the form. An empty or absent secret
/// keeps the one in force.
#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MethodsUpdate {
    pub local_enabled: bool,
    pub oidc: OidcUpdate,
    pub github: GithubUpdate,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct OidcUpdate {
    pub enabled: bool,
    pub provider_name: String,
    pub issuer_url: String,
    pub client_id: String,
    pub client_secret: Option<String>,
    /// `client_secret_basic` (default) or `client_secret_post`.
    pub token_auth_method: String,
    /// Empty: `PUBLIC_URL` + `/api/auth/oidc/callback`.
    pub redirect_uri: String,
    /// Space-separated; `openid` is added when missing. Empty: `openid email profile`.
    pub scopes: String,
    pub admin_group: String,
    pub auto_provision: bool,
    pub link_verified_email: bool,
}

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields, default)]
pub struct GithubUpdate {
    pub enabled: bool,
    pub client_id: String,
    pub client_secret: Option<String>,
    pub auto_provision: bool,
    pub link_verified_email: bool,
    /// Empty: `https://github.com`.
    pub web_url: String,
    /// Empty: `https://api.github.com`.
    pub api_url: String,
}

impl From<MethodsUpdate> for admin::MethodsUpdate {
    fn from(body: MethodsUpdate) -> Self {
        let MethodsUpdate {
            local_enabled,
            oidc,
            github,
        } = body;
        Self {
            local_enabled,
            oidc: admin::OidcUpdate {
                enabled: oidc.enabled,
                provider_name: oidc.provider_name,
                issuer_url: oidc.issuer_url,
                client_id: oidc.client_id,
                client_secret: oidc.client_secret,
                token_auth_method: oidc.token_auth_method,
                redirect_uri: oidc.redirect_uri,
                scopes: oidc.scopes,
                admin_group: oidc.admin_group,
                auto_provision: oidc.auto_provision,
                link_verified_email: oidc.link_verified_email,
            },
            github: admin::GithubUpdate {
                enabled: github.enabled,
                client_id: github.client_id,
                client_secret: github.client_secret,
                auto_provision: github.auto_provision,
                link_verified_email: github.link_verified_email,
                web_url: github.web_url,
                api_url: github.api_url,
            },
        }
    }
}
