//! Administrators' view and change of the sign-in methods, with the lock-out guards: at least
//! one method stays on; OIDC is turned on only when configured and its discovery works now;
//! local sign-in is turned off only while OIDC is on, works, and has an admin group (so
//! administrators can still get in). Secrets go in, never out: the view says only whether one
//! is saved or comes from the environment. Saving needs the administrator's fresh step-up
//! (MFA-05): a provider that makes accounts and administrators would outlive a stolen session.

pub use super::admin_types::{GithubUpdate, MethodsUpdate, OidcUpdate, ProviderTest};
use super::settings::{
    GITHUB_SECRET, KEY, OIDC_SECRET, SignInMethods, Stored, StoredGithub, StoredOidc, load,
    secret_aad,
};
use super::{form, github, oidc};
use crate::auth::{Principal, RequestMeta};
use crate::config::{Secret, TokenAuthMethod};
use crate::{App, Error, Result, audit};

/// Where a secret in force comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecretSource {
    Saved,
    Environment,
    None,
}

/// Where the settings in force come from: saved by an administrator, or the environment's
/// `OIDC_*` / `GITHUB_*` until one saves them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SettingsSource {
    Saved,
    Environment,
}

impl SettingsSource {
    /// `saved` or `environment`.
    pub fn as_str(self) -> &'static str {
        match self {
            SettingsSource::Saved => "saved",
            SettingsSource::Environment => "environment",
        }
    }
}

/// The OIDC settings in force as administrators see them (the secret never leaves the
/// server).
#[derive(Debug, Clone)]
pub struct OidcInForce {
    pub enabled: bool,
    pub provider_name: String,
    pub issuer_url: String,
    pub client_id: String,
    pub client_secret: SecretSource,
    pub token_auth_method: TokenAuthMethod,
    /// The explicit callback URL, if one was set.
    pub redirect_uri: Option<String>,
    /// The callback URL in force (register this one at the provider).
    pub effective_redirect_uri: String,
    /// `openid` first, then the others asked for.
    pub scopes: Vec<String>,
    pub admin_group: Option<String>,
    pub auto_provision: bool,
    pub link_verified_email: bool,
}

impl OidcInForce {
    /// The scopes as one space-separated line, as the form takes them back.
    pub fn scopes_text(&self) -> String {
        self.scopes.join(" ")
    }
}

/// The GitHub settings in force as administrators see them.
#[derive(Debug, Clone)]
pub struct GithubInForce {
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

/// Every sign-in method in force as administrators see it.
#[derive(Debug, Clone)]
pub struct MethodsInForce {
    pub local_enabled: bool,
    pub oidc: OidcInForce,
    pub github: GithubInForce,
    pub source: SettingsSource,
}

async fn source_of(app: &App, key: &str, env: Option<&Secret>) -> Result<SecretSource> {
    Ok(if app.store.setting(key).await?.is_some() {
        SecretSource::Saved
    } else if env.is_some() {
        SecretSource::Environment
    } else {
        SecretSource::None
    })
}

/// The settings in force, for administrators.
pub async fn view(app: &App, admin: &Principal) -> Result<MethodsInForce> {
    admin.require_admin()?;
    let m = load(app).await?;
    let env = &app.config.sign_in;
    Ok(MethodsInForce {
        local_enabled: m.local_enabled,
        oidc: OidcInForce {
            enabled: m.oidc.enabled,
            effective_redirect_uri: m.oidc.redirect_uri(app),
            provider_name: m.oidc.provider_name,
            issuer_url: m.oidc.issuer_url,
            client_id: m.oidc.client_id,
            client_secret: source_of(app, OIDC_SECRET, env.oidc.client_secret.as_ref()).await?,
            token_auth_method: m.oidc.token_auth_method,
            redirect_uri: m.oidc.redirect_uri,
            scopes: m.oidc.scopes,
            admin_group: m.oidc.admin_group,
            auto_provision: m.oidc.auto_provision,
            link_verified_email: m.oidc.link_verified_email,
        },
        github: GithubInForce {
            enabled: m.github.enabled,
            callback_url: m.github.redirect_uri(app),
            client_id: m.github.client_id,
            client_secret: source_of(app, GITHUB_SECRET, env.github.client_secret.as_ref()).await?,
            auto_provision: m.github.auto_provision,
            link_verified_email: m.github.link_verified_email,
            web_url: m.github.web_url,
            api_url: m.github.api_url,
        },
        source: if m.saved {
            SettingsSource::Saved
        } else {
            SettingsSource::Environment
        },
    })
}

/// The lock-out guards; OIDC's discovery is tried when OIDC is to be on.
async fn guard(app: &App, m: &SignInMethods) -> Result<()> {
    if !m.local_enabled && !m.oidc.enabled && !m.github.enabled {
        return Err(Error::invalid(
            "local_enabled",
            "at least one sign-in method must stay on",
        ));
    }
    if m.oidc.enabled {
        for (field, missing) in [
            ("oidc.issuer_url", m.oidc.issuer_url.is_empty()),
            ("oidc.client_id", m.oidc.client_id.is_empty()),
            ("oidc.client_secret", m.oidc.client_secret.is_none()),
        ] {
            if missing {
                return Err(Error::invalid(field, "is needed to turn OIDC sign-in on"));
            }
        }
        oidc::discover(app, &m.oidc.issuer_url)
            .await
            .map_err(|err| {
                Error::invalid(
                    "oidc.issuer_url",
                    format!("OIDC cannot be turned on: {}", oidc::problem_text(&err)),
                )
            })?;
    }
    if m.github.enabled {
        for (field, missing) in [
            ("github.client_id", m.github.client_id.is_empty()),
            ("github.client_secret", m.github.client_secret.is_none()),
        ] {
            if missing {
                return Err(Error::invalid(field, "is needed to turn GitHub sign-in on"));
            }
        }
    }
    if !m.local_enabled {
        let admins_can_get_in = m.oidc.enabled
            && m.oidc.admin_group.is_some()
            && app.store.count_admins_linked_to(&m.oidc.issuer_url).await? > 0;
        if !admins_can_get_in {
            return Err(Error::invalid(
                "local_enabled",
                "password sign-in can be turned off only while OIDC sign-in is on, works, has an admin group, and at least one administrator has signed in with it (else no administrator could get in)",
            ));
        }
    }
    Ok(())
}

/// Saves the sign-in methods after the administrator's fresh step-up and the lock-out guards;
/// audited. Returns the new view.
pub async fn update(
    app: &App,
    admin: &Principal,
    update: MethodsUpdate,
    meta: &RequestMeta,
) -> Result<MethodsInForce> {
    crate::users::admin_gate(app, admin, meta).await?;
    crate::auth::freshness::require_fresh(app, admin).await?;
    let current = load(app).await?;
    let (methods, secrets) = form::parse(app, update, &current)?;
    guard(app, &methods).await?;
    let now = app.now();
    for (key, secret) in [
        (OIDC_SECRET, &secrets.oidc),
        (GITHUB_SECRET, &secrets.github),
    ] {
        if let Some(secret) = secret {
            let text = app.encrypt(secret_aad(key), secret)?;
            app.store.put_setting(key, &text, now).await?;
        }
    }
    let stored = Stored {
        local_enabled: methods.local_enabled,
        oidc: StoredOidc {
            enabled: methods.oidc.enabled,
            provider_name: methods.oidc.provider_name.clone(),
            issuer_url: methods.oidc.issuer_url.clone(),
            client_id: methods.oidc.client_id.clone(),
            token_auth_method: methods.oidc.token_auth_method.as_str().to_owned(),
            redirect_uri: methods.oidc.redirect_uri.clone(),
            scopes: methods.oidc.scopes.clone(),
            admin_group: methods.oidc.admin_group.clone(),
            auto_provision: methods.oidc.auto_provision,
            link_verified_email: methods.oidc.link_verified_email,
        },
        github: StoredGithub {
            enabled: methods.github.enabled,
            client_id: methods.github.client_id.clone(),
            auto_provision: methods.github.auto_provision,
            link_verified_email: methods.github.link_verified_email,
            web_url: methods.github.web_url.clone(),
            api_url: methods.github.api_url.clone(),
        },
    };
    let text = serde_json::to_string(&stored).map_err(Error::internal)?;
    app.store.put_setting(KEY, &text, now).await?;
    let detail = serde_json::json!({
        "local_enabled": methods.local_enabled,
        "oidc_enabled": methods.oidc.enabled,
        "oidc_issuer": methods.oidc.issuer_url,
        "github_enabled": methods.github.enabled,
        "secrets_changed": [secrets.oidc.is_some().then_some("oidc"), secrets.github.is_some().then_some("github")],
    });
    audit::record(
        app,
        &admin.actor(),
        "auth_methods.update",
        None,
        meta.ip,
        detail,
    )
    .await?;
    tracing::info!(target: "security", local = methods.local_enabled, oidc = methods.oidc.enabled, github = methods.github.enabled, "sign-in methods changed");
    view(app, admin).await
}

/// Tests the provider settings on the form without saving them: OIDC discovery (issuer,
/// endpoints, keys, PKCE) or the GitHub app's client credentials.
pub async fn test_provider(
    app: &App,
    admin: &Principal,
    provider: super::Provider,
    update: MethodsUpdate,
    meta: &RequestMeta,
) -> Result<ProviderTest> {
    crate::users::admin_gate(app, admin, meta).await?;
    let current = load(app).await?;
    let (methods, _) = form::parse(app, update, &current)?;
    let result = match provider {
        super::Provider::Oidc => oidc::test(app, &methods.oidc).await,
        super::Provider::Github => github::test(app, &methods.github).await,
    };
    audit::record(
        app,
        &admin.actor(),
        "auth_methods.test",
        None,
        meta.ip,
        serde_json::json!({"provider": provider.as_str(), "ok": result.ok}),
    )
    .await?;
    Ok(result)
}

/// `billtracker enable-local-login`: the operator's way back in when the provider is gone.
/// Turns password sign-in on, leaves everything else as saved, audited as the command line.
/// Returns whether it was off.
pub async fn enable_local_login(app: &App) -> Result<bool> {
    let Some(text) = app.store.setting(KEY).await? else {
        return Ok(false);
    };
    let Ok(mut stored) = serde_json::from_str::<Stored>(&text) else {
        // Unreadable settings already mean "local on, external off" (see `settings::load`).
        return Ok(false);
    };
    if stored.local_enabled {
        return Ok(false);
    }
    stored.local_enabled = true;
    let text = serde_json::to_string(&stored).map_err(Error::internal)?;
    app.store.put_setting(KEY, &text, app.now()).await?;
    audit::record(
        app,
        &crate::audit::Actor::System,
        "auth_methods.local_enabled",
        None,
        None,
        serde_json::json!({"via": "cli"}),
    )
    .await?;
    tracing::warn!(target: "security", "password sign-in turned back on from the command line");
    Ok(true)
}
