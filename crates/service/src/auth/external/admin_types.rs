//! What the administrators' sign-in settings share with the modules that serve them: the
//! change an administrator submits ([`MethodsUpdate`], parsed by `form`) and what testing a
//! provider found ([`ProviderTest`], made by `oidc` and `github`). A leaf: it imports nothing
//! of `external`, so `admin` can call `form`, `oidc` and `github` without any of them
//! importing `admin` back. `admin` re-exports these types, their public path.

/// A change an administrator submits: every field, as on the form. An empty or absent secret
/// keeps the one in force.
#[derive(Debug, Clone, Default)]
pub struct MethodsUpdate {
    pub local_enabled: bool,
    pub oidc: OidcUpdate,
    pub github: GithubUpdate,
}

#[derive(Debug, Clone, Default)]
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

#[derive(Debug, Clone, Default)]
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

/// What testing a provider found.
#[derive(Debug, Clone)]
pub struct ProviderTest {
    /// Whether a sign-in can work with these settings.
    pub ok: bool,
    /// One line per check, for people.
    pub checks: Vec<String>,
    /// The problem, when `ok` is false.
    pub problem: Option<String>,
}

impl ProviderTest {
    pub(crate) fn failed(checks: Vec<String>, problem: &str) -> Self {
        Self {
            ok: false,
            checks,
            problem: Some(problem.to_owned()),
        }
    }
}
