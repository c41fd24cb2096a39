//! The environment's external sign-in settings (`OIDC_*`, `GITHUB_*`): the fallback until an
//! administrator saves the sign-in methods on the admin page (see
//! [`crate::auth::external::settings`]). Checked at start-up like every knob; whether the
//! provider answers is checked when someone signs in or an administrator tests it.

use super::parse::{boolean, required};
use super::{ConfigError, Raw, Secret};

/// How the client secret travels to the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TokenAuthMethod {
    /// HTTP Basic authentication (`client_secret_basic`, the OIDC default).
    #[default]
    Basic,
    /// `client_id` and `client_secret` form fields (`client_secret_post`).
    Post,
}

impl TokenAuthMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenAuthMethod::Basic => "client_secret_basic",
            TokenAuthMethod::Post => "client_secret_post",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "client_secret_basic" => Some(TokenAuthMethod::Basic),
            "client_secret_post" => Some(TokenAuthMethod::Post),
            _ => None,
        }
    }
}

/// `OIDC_*` as configured.
#[derive(Debug, Clone, Default)]
pub struct OidcEnv {
    pub provider_name: Option<String>,
    pub issuer_url: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
    pub token_auth_method: TokenAuthMethod,
    pub redirect_uri: Option<String>,
    pub scopes: String,
    pub admin_group: Option<String>,
    pub auto_provision: bool,
    pub link_verified_email: bool,
}

/// `GITHUB_*` as configured.
#[derive(Debug, Clone, Default)]
pub struct GithubEnv {
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
    pub auto_provision: bool,
}

/// Both providers' environment settings.
#[derive(Debug, Clone, Default)]
pub struct SignInEnv {
    pub oidc: OidcEnv,
    pub github: GithubEnv,
}

pub(super) fn from_raw(raw: &Raw) -> Result<SignInEnv, ConfigError> {
    let get = |key: &str| {
        raw.get(key)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
    };
    let issuer_url = get("OIDC_ISSUER_URL");
    if let Some(url) = &issuer_url {
        let parsed = url::Url::parse(url)
            .map_err(|e| ConfigError::new("OIDC_ISSUER_URL", format!("`{url}` is invalid: {e}")))?;
        if !matches!(parsed.scheme(), "https" | "http") || parsed.host_str().is_none() {
            return Err(ConfigError::new(
                "OIDC_ISSUER_URL",
                "must be an https:// URL with a host",
            ));
        }
    }
    let redirect_uri = get("OIDC_REDIRECT_URI");
    if let Some(url) = &redirect_uri {
        url::Url::parse(url).map_err(|e| {
            ConfigError::new("OIDC_REDIRECT_URI", format!("`{url}` is invalid: {e}"))
        })?;
    }
    let method = required(raw, "OIDC_TOKEN_AUTH_METHOD")?;
    let token_auth_method = TokenAuthMethod::parse(method).ok_or_else(|| {
        ConfigError::new(
            "OIDC_TOKEN_AUTH_METHOD",
            "must be client_secret_basic or client_secret_post",
        )
    })?;
    Ok(SignInEnv {
        oidc: OidcEnv {
            provider_name: get("OIDC_PROVIDER_NAME"),
            issuer_url,
            client_id: get("OIDC_CLIENT_ID"),
            client_secret: get("OIDC_CLIENT_SECRET").map(Secret::new),
            token_auth_method,
            redirect_uri,
            scopes: required(raw, "OIDC_SCOPES")?.trim().to_owned(),
            admin_group: get("OIDC_ADMIN_GROUP"),
            auto_provision: boolean(raw, "OIDC_AUTO_PROVISION")?,
            link_verified_email: boolean(raw, "OIDC_LINK_VERIFIED_EMAIL")?,
        },
        github: GithubEnv {
            client_id: get("GITHUB_CLIENT_ID"),
            client_secret: get("GITHUB_CLIENT_SECRET").map(Secret::new),
            auto_provision: boolean(raw, "GITHUB_AUTO_PROVISION")?,
        },
    })
}
