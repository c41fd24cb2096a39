//! Which sign-in methods are on, and the providers' settings.
//!
//! Stored in the settings table: `auth.methods` (JSON, no secrets) and each client secret
//! under its own key, AES-GCM encrypted (`auth.oidc.client_secret`,
//! `auth.github.client_secret`; re-encrypted by `rotate-keys` like every ciphertext setting).
//! Until an administrator saves them, the environment (`OIDC_*`, `GITHUB_*`) is used; once
//! saved, the saved settings win, except that a secret never saved falls back to the
//! environment's.
//!
//! Administrators change them through [`super::admin`], behind the lock-out guards.

use crate::config::{Secret, TokenAuthMethod};
use crate::crypto::Aad;
use crate::{App, Result};

pub(super) const KEY: &str = "auth.methods";
pub(super) const OIDC_SECRET: &str = "auth.oidc.client_secret";
pub(super) const GITHUB_SECRET: &str = "auth.github.client_secret";
pub(super) const DEFAULT_PROVIDER_NAME: &str = "Single sign-on";
pub(super) const GITHUB_WEB: &str = "https://github.com";
pub(super) const GITHUB_API: &str = "https://api.github.com";

/// OpenID Connect provider settings in force.
#[derive(Debug, Clone)]
pub struct OidcSettings {
    pub enabled: bool,
    pub provider_name: String,
    pub issuer_url: String,
    pub client_id: String,
    pub client_secret: Option<Secret>,
    pub token_auth_method: TokenAuthMethod,
    /// Set explicitly; `None`: `PUBLIC_URL` + `/api/auth/oidc/callback`.
    pub redirect_uri: Option<String>,
    /// Always includes `openid`.
    pub scopes: Vec<String>,
    pub admin_group: Option<String>,
    pub auto_provision: bool,
    pub link_verified_email: bool,
}

/// GitHub OAuth app settings in force.
#[derive(Debug, Clone)]
pub struct GithubSettings {
    pub enabled: bool,
    pub client_id: String,
    pub client_secret: Option<Secret>,
    pub auto_provision: bool,
    pub link_verified_email: bool,
    /// `https://github.com`, or a GitHub Enterprise server.
    pub web_url: String,
    /// `https://api.github.com`, or the Enterprise server's `/api/v3`.
    pub api_url: String,
}

/// Every sign-in method's settings in force.
#[derive(Debug, Clone)]
pub struct SignInMethods {
    pub local_enabled: bool,
    pub oidc: OidcSettings,
    pub github: GithubSettings,
    /// Saved by an administrator (else: from the environment).
    pub saved: bool,
}

impl OidcSettings {
    /// The callback URL the provider sends people back to.
    pub fn redirect_uri(&self, app: &App) -> String {
        self.redirect_uri
            .clone()
            .unwrap_or_else(|| callback_url(app, "oidc"))
    }

    /// Whether everything a sign-in needs is filled in.
    pub fn is_configured(&self) -> bool {
        !self.issuer_url.is_empty() && !self.client_id.is_empty() && self.client_secret.is_some()
    }
}

impl GithubSettings {
    pub fn redirect_uri(&self, app: &App) -> String {
        callback_url(app, "github")
    }

    pub fn is_configured(&self) -> bool {
        !self.client_id.is_empty() && self.client_secret.is_some()
    }
}

fn callback_url(app: &App, provider: &str) -> String {
    format!(
        "{}/api/auth/{provider}/callback",
        app.config.public_url.trim_end_matches('/')
    )
}

/// The stored form (secrets apart).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(super) struct Stored {
    pub(super) local_enabled: bool,
    pub(super) oidc: StoredOidc,
    pub(super) github: StoredGithub,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(super) struct StoredOidc {
    pub(super) enabled: bool,
    pub(super) provider_name: String,
    pub(super) issuer_url: String,
    pub(super) client_id: String,
    pub(super) token_auth_method: String,
    pub(super) redirect_uri: Option<String>,
    pub(super) scopes: Vec<String>,
    pub(super) admin_group: Option<String>,
    pub(super) auto_provision: bool,
    pub(super) link_verified_email: bool,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub(super) struct StoredGithub {
    pub(super) enabled: bool,
    pub(super) client_id: String,
    pub(super) auto_provision: bool,
    pub(super) link_verified_email: bool,
    pub(super) web_url: String,
    pub(super) api_url: String,
}

pub(super) fn scopes_of(text: &str) -> Vec<String> {
    let mut scopes = vec!["openid".to_owned()];
    for scope in text.split_whitespace() {
        if !scopes.iter().any(|s| s == scope) {
            scopes.push(scope.to_owned());
        }
    }
    scopes
}

fn from_env(app: &App) -> SignInMethods {
    let env = &app.config.sign_in;
    let oidc_on = env.oidc.issuer_url.is_some() && env.oidc.client_id.is_some();
    let github_on = env.github.client_id.is_some() && env.github.client_secret.is_some();
    SignInMethods {
        local_enabled: true,
        oidc: OidcSettings {
            enabled: oidc_on,
            provider_name: env
                .oidc
                .provider_name
                .clone()
                .unwrap_or_else(|| DEFAULT_PROVIDER_NAME.to_owned()),
            issuer_url: env.oidc.issuer_url.clone().unwrap_or_default(),
            client_id: env.oidc.client_id.clone().unwrap_or_default(),
            client_secret: env.oidc.client_secret.clone(),
            token_auth_method: env.oidc.token_auth_method,
            redirect_uri: env.oidc.redirect_uri.clone(),
            scopes: scopes_of(&env.oidc.scopes),
            admin_group: env.oidc.admin_group.clone(),
            auto_provision: env.oidc.auto_provision,
            link_verified_email: env.oidc.link_verified_email,
        },
        github: GithubSettings {
            enabled: github_on,
            client_id: env.github.client_id.clone().unwrap_or_default(),
            client_secret: env.github.client_secret.clone(),
            auto_provision: env.github.auto_provision,
            link_verified_email: false,
            web_url: GITHUB_WEB.to_owned(),
            api_url: GITHUB_API.to_owned(),
        },
        saved: false,
    }
}

pub(super) fn secret_aad(key: &str) -> Aad<'_> {
    Aad {
        table: "settings",
        column: "value",
        row: key,
    }
}

async fn saved_secret(app: &App, key: &str) -> Result<Option<Secret>> {
    Ok(app
        .store
        .setting(key)
        .await?
        .and_then(|text| app.decrypt_or_log(secret_aad(key), &text))
        .map(Secret::new))
}

/// The settings in force: the saved ones, else the environment's. A saved value that does not
/// read (damaged) turns external sign-in off and local sign-in on, and is logged.
pub async fn load(app: &App) -> Result<SignInMethods> {
    let env = from_env(app);
    let Some(text) = app.store.setting(KEY).await? else {
        return Ok(env);
    };
    let Ok(stored) = serde_json::from_str::<Stored>(&text) else {
        tracing::error!(target: "security", "the saved sign-in methods do not read; external sign-in is off until an administrator saves them again");
        let mut methods = env;
        methods.local_enabled = true;
        methods.oidc.enabled = false;
        methods.github.enabled = false;
        return Ok(methods);
    };
    let oidc_secret = saved_secret(app, OIDC_SECRET)
        .await?
        .or(env.oidc.client_secret);
    let github_secret = saved_secret(app, GITHUB_SECRET)
        .await?
        .or(env.github.client_secret);
    let mut methods = SignInMethods {
        local_enabled: stored.local_enabled,
        oidc: OidcSettings {
            enabled: stored.oidc.enabled,
            provider_name: stored.oidc.provider_name,
            issuer_url: stored.oidc.issuer_url,
            client_id: stored.oidc.client_id,
            client_secret: oidc_secret,
            token_auth_method: TokenAuthMethod::parse(&stored.oidc.token_auth_method)
                .unwrap_or_default(),
            redirect_uri: stored.oidc.redirect_uri,
            scopes: scopes_of(&stored.oidc.scopes.join(" ")),
            admin_group: stored.oidc.admin_group,
            auto_provision: stored.oidc.auto_provision,
            link_verified_email: stored.oidc.link_verified_email,
        },
        github: GithubSettings {
            enabled: stored.github.enabled,
            client_id: stored.github.client_id,
            client_secret: github_secret,
            auto_provision: stored.github.auto_provision,
            link_verified_email: stored.github.link_verified_email,
            web_url: stored.github.web_url,
            api_url: stored.github.api_url,
        },
        saved: true,
    };
    // Never a state with no way in: when password sign-in is off but OIDC cannot work (its
    // secret no longer decrypts or was removed from the environment), passwords come back.
    let oidc_usable = methods.oidc.enabled && methods.oidc.is_configured();
    if !methods.local_enabled && !oidc_usable {
        tracing::error!(target: "security", "password sign-in is off but OIDC is not usable; password sign-in is on until an administrator fixes the OIDC settings");
        methods.local_enabled = true;
    }
    Ok(methods)
}

/// Whether sign-in on this server itself (password, passkey) is on; off only while OIDC works
/// (see [`load`]), so "OIDC only" also means removing someone at the provider locks them out.
pub async fn local_enabled(app: &App) -> Result<bool> {
    Ok(load(app).await?.local_enabled)
}

/// What the sign-in page offers.
#[derive(Debug, Clone)]
pub struct PublicMethods {
    /// Username and password.
    pub local: bool,
    /// The OIDC provider's button label, when OIDC sign-in is on.
    pub oidc: Option<String>,
    /// Whether "Sign in with GitHub" is on.
    pub github: bool,
}

/// The methods the sign-in page shows.
pub async fn public(app: &App) -> Result<PublicMethods> {
    let methods = load(app).await?;
    Ok(PublicMethods {
        local: methods.local_enabled,
        oidc: (methods.oidc.enabled && methods.oidc.is_configured())
            .then(|| methods.oidc.provider_name.clone()),
        github: methods.github.enabled && methods.github.is_configured(),
    })
}
