//! Sign-in through an OpenID Connect provider or GitHub.
//!
//! A sign-in is two requests. [`start`] makes a random `state`, `nonce` and PKCE verifier
//! (256 bits each, from the app's CSPRNG), stores the flow (state hashed, verifier encrypted,
//! 10 minutes) bound to the browser by a random value in an HttpOnly cookie, and returns the
//! provider's authorization URL (`code_challenge_method=S256`, never `plain`). [`finish`]
//! takes the flow by the callback's `state` (single use: `DELETE … RETURNING`), checks the
//! browser binding, exchanges the code with the verifier, validates what the provider says
//! (OIDC: the ID token's signature with the provider's published keys and an
//! asymmetric-only algorithm list, `iss`, `aud`, `exp`, `iat`, `nonce`; GitHub: the user and
//! its verified primary email from the API), finds the account by (issuer, subject)
//! ([`identity`]) and then continues like a password sign-in: the second factor when the
//! account has one or the policy asks for one, else a session.
//!
//! Tokens from the provider never leave the server and are not stored: the access token is
//! used at most for the userinfo/GitHub API calls of this request, then dropped.
//!
//! Both routes count against the OIDC rate limit (20 per 15 minutes per IP).

pub mod admin;
mod github;
mod identity;
mod oidc;
pub mod settings;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};
use store::identities::NewFlow;
use subtle::ConstantTimeEq;

use super::RequestMeta;
use super::login::open_signed_in;
use super::mfa::pending::{self, LoginOutcome};
use super::session;
use crate::audit::{self, Actor};
use crate::crypto::Aad;
use crate::rate_limit::{self, Limit};
use crate::{App, Error, Result};

pub use settings::{PublicMethods, SignInMethods};

/// How long a sign-in may take between the redirect to the provider and its callback.
pub const FLOW_LIFETIME: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// An external sign-in provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Provider {
    Oidc,
    Github,
}

impl Provider {
    /// `oidc` or `github`.
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "oidc" => Some(Provider::Oidc),
            "github" => Some(Provider::Github),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Oidc => "oidc",
            Provider::Github => "github",
        }
    }
}

/// What a provider vouched for, after its answer was verified.
#[derive(Debug, Clone, Default)]
pub(crate) struct Profile {
    pub issuer: String,
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub name: Option<String>,
    pub username: Option<String>,
    /// The `groups` claim, when the provider sent one.
    pub groups: Option<Vec<String>>,
}

/// A sign-in begun: send the browser to `location`, with `browser` in the flow cookie.
#[derive(Debug, Clone)]
pub struct Started {
    pub location: String,
    pub browser: String,
}

/// The provider's callback query.
#[derive(Debug, Clone, Default)]
pub struct Callback {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub iss: Option<String>,
    /// A parameter came twice (refused: which one would be the provider's?).
    pub malformed: bool,
}

impl Callback {
    /// Reads the callback's query string; other parameters (`session_state`, …) are ignored.
    pub fn from_query(query: &str) -> Self {
        let mut callback = Callback::default();
        for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let slot = match key.as_ref() {
                "code" => &mut callback.code,
                "state" => &mut callback.state,
                "error" => &mut callback.error,
                "iss" => &mut callback.iss,
                _ => continue,
            };
            if slot.is_some() {
                callback.malformed = true;
            }
            *slot = Some(value.into_owned());
        }
        callback
    }
}

/// The secrets of one flow, fresh for each sign-in.
pub(crate) struct FlowSecrets {
    pub state: String,
    pub nonce: String,
    pub verifier: String,
}

fn random_token(app: &App) -> String {
    URL_SAFE_NO_PAD.encode(crate::random::bytes::<32>(&*app.random))
}

fn hash(text: &str) -> String {
    hex::encode(Sha256::digest(text.as_bytes()))
}

fn verifier_aad(state_hash: &str) -> Aad<'_> {
    Aad {
        table: "external_sign_in_flows",
        column: "verifier_enc",
        row: state_hash,
    }
}

fn not_enabled(provider: Provider) -> Error {
    Error::BadRequest {
        field: "provider".into(),
        message: format!("{} sign-in is not turned on", provider.label()),
    }
}

impl Provider {
    fn label(self) -> &'static str {
        match self {
            Provider::Oidc => "OIDC",
            Provider::Github => "GitHub",
        }
    }
}

/// Whether `value` has the shape of a browser value we issued (43 base64url characters).
fn browser_value(value: &str) -> bool {
    value.len() == 43
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Begins a sign-in with `provider`: see the module docs. `browser` is the flow cookie the
/// browser already has, reused so that sign-ins begun in two tabs both stay valid.
pub async fn start(
    app: &App,
    provider: Provider,
    browser: Option<&str>,
    meta: &RequestMeta,
) -> Result<Started> {
    rate_limit::hit(app, Limit::Oidc, &rate_limit::ip_subject(app, meta.ip)).await?;
    if app.config.single_user_mode {
        return Err(Error::Forbidden);
    }
    let methods = settings::load(app).await?;
    let secrets = FlowSecrets {
        state: random_token(app),
        nonce: random_token(app),
        verifier: random_token(app),
    };
    let location = match provider {
        Provider::Oidc if methods.oidc.enabled && methods.oidc.is_configured() => {
            oidc::authorization_url(app, &methods.oidc, &secrets).await?
        }
        Provider::Github if methods.github.enabled && methods.github.is_configured() => {
            github::authorization_url(app, &methods.github, &secrets)?
        }
        _ => return Err(not_enabled(provider)),
    };
    let browser = browser
        .filter(|b| browser_value(b))
        .map_or_else(|| random_token(app), str::to_owned);
    let now = app.now();
    let state_hash = hash(&secrets.state);
    let lifetime = chrono::Duration::from_std(FLOW_LIFETIME).map_err(Error::internal)?;
    app.store
        .put_sign_in_flow(&NewFlow {
            verifier_enc: app.encrypt(verifier_aad(&state_hash), &secrets.verifier)?,
            state_hash,
            browser_hash: hash(&browser),
            provider: provider.as_str(),
            nonce: secrets.nonce,
            created_at: now,
            expires_at: now + lifetime,
        })
        .await?;
    Ok(Started { location, browser })
}

fn refused(message: &str) -> Error {
    Error::BadRequest {
        field: "state".into(),
        message: message.into(),
    }
}

/// Completes a sign-in from the provider's callback; `browser` is the flow cookie and
/// `previous_token` a session cookie the browser already had (ended, as at every sign-in).
/// Every refusal is audited and logged with its reason.
pub async fn finish(
    app: &App,
    provider: Provider,
    callback: &Callback,
    browser: Option<&str>,
    meta: &RequestMeta,
    previous_token: Option<&str>,
) -> Result<LoginOutcome> {
    rate_limit::hit(app, Limit::Oidc, &rate_limit::ip_subject(app, meta.ip)).await?;
    match verify_callback(app, provider, callback, browser).await {
        Ok((user, profile)) => {
            if let Some(token) = previous_token {
                session::end_by_token(app, token).await?;
            }
            if let Some(pending) = pending::after_password(app, &user).await? {
                return Ok(LoginOutcome::SecondFactor(pending));
            }
            let detail = serde_json::json!({"method": provider.as_str(), "issuer": profile.issuer});
            let signed_in = open_signed_in(app, &user, provider.as_str(), detail, meta).await?;
            tracing::info!(target: "security", user = %user.id, provider = provider.as_str(), "sign-in succeeded");
            Ok(LoginOutcome::SignedIn(signed_in))
        }
        Err(err) => {
            let reason = match &err {
                Error::BadRequest { message, .. } => message.clone(),
                // Never internal error text in the audit log.
                Error::Internal(_) => "internal error".to_owned(),
                other => other.to_string(),
            };
            tracing::warn!(target: "security", provider = provider.as_str(), %reason, "external sign-in refused");
            audit::record(
                app,
                &Actor::Anonymous,
                "login.failure",
                None,
                meta.ip,
                serde_json::json!({"method": provider.as_str(), "reason": reason}),
            )
            .await?;
            Err(err)
        }
    }
}

async fn verify_callback(
    app: &App,
    provider: Provider,
    callback: &Callback,
    browser: Option<&str>,
) -> Result<(store::users::UserRow, Profile)> {
    if app.config.single_user_mode {
        return Err(Error::Forbidden);
    }
    if callback.malformed {
        return Err(refused("the sign-in answer repeats a parameter"));
    }
    let state = callback
        .state
        .as_deref()
        .filter(|s| !s.is_empty() && s.len() <= 200)
        .ok_or_else(|| refused("the sign-in answer has no state"))?;
    let flow = app
        .store
        .take_sign_in_flow(&hash(state), app.now())
        .await?
        .ok_or_else(|| refused("this sign-in is unknown, expired or already used; start again"))?;
    let browser_ok = browser
        .map(|b| bool::from(hash(b).as_bytes().ct_eq(flow.browser_hash.as_bytes())))
        .unwrap_or(false);
    if !browser_ok {
        return Err(refused(
            "this sign-in was started in another browser; start again",
        ));
    }
    if flow.provider != provider.as_str() {
        return Err(refused("this sign-in was started with another provider"));
    }
    if let Some(error) = &callback.error {
        let code: String = error
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(60)
            .collect();
        return Err(Error::BadRequest {
            field: "provider".into(),
            message: format!("the provider did not sign you in ({code})"),
        });
    }
    let code = callback
        .code
        .as_deref()
        .filter(|c| !c.is_empty() && c.len() <= 2000)
        .ok_or_else(|| refused("the sign-in answer has no code"))?;
    let verifier = app
        .keyring
        .decrypt(verifier_aad(&flow.state_hash), &flow.verifier_enc)
        .map_err(|_| refused("this sign-in can no longer be completed; start again"))?;
    let secrets = FlowSecrets {
        state: state.to_owned(),
        nonce: flow.nonce,
        verifier,
    };
    let methods = settings::load(app).await?;
    let (profile, rules) = match provider {
        Provider::Oidc if methods.oidc.enabled && methods.oidc.is_configured() => (
            oidc::redeem(app, &methods.oidc, callback, code, &secrets).await?,
            identity::Rules::of_oidc(&methods.oidc),
        ),
        Provider::Github if methods.github.enabled && methods.github.is_configured() => (
            github::redeem(app, &methods.github, code, &secrets).await?,
            identity::Rules::of_github(&methods.github),
        ),
        _ => return Err(not_enabled(provider)),
    };
    let user = identity::resolve(app, &rules, &profile).await?;
    Ok((user, profile))
}

/// Maps a failure to reach the provider to an error for people: 503 (try again later), with
/// the cause in the log.
pub(crate) fn unreachable(provider: Provider, cause: &str) -> Error {
    tracing::warn!(target: "security", provider = provider.as_str(), %cause, "identity provider unreachable");
    Error::Unavailable {
        retry_after: std::time::Duration::from_secs(30),
    }
}
