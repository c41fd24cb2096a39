//! The flow between the redirect to a provider and its callback: made ([`begin`]), taken
//! once and checked ([`take`]), and the provider's answer verified ([`redeem`]).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use domain::id::SessionId;
use sha2::{Digest, Sha256};
use store::identities::{FlowRow, NewFlow};
use subtle::ConstantTimeEq;

use super::settings::SignInMethods;
use super::{
    Callback, FlowSecrets, Profile, Provider, Started, github, not_enabled, oidc, settings,
};
use crate::crypto::Aad;
use crate::{App, Error, Result};

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

fn refused(message: &str) -> Error {
    Error::BadRequest {
        field: "state".into(),
        message: message.into(),
    }
}

/// Whether `value` has the shape of a browser value we issued (43 base64url characters).
fn browser_value(value: &str) -> bool {
    value.len() == 43
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Makes and stores a flow with `provider`: a sign-in, or with `session` a step-up of it.
pub(super) async fn begin(
    app: &App,
    provider: Provider,
    session: Option<SessionId>,
    next: Option<&str>,
    browser: Option<&str>,
) -> Result<Started> {
    let methods = settings::load(app).await?;
    let secrets = FlowSecrets {
        state: random_token(app),
        nonce: random_token(app),
        verifier: random_token(app),
    };
    let step_up = session.is_some();
    let location = match provider {
        Provider::Oidc if methods.oidc.enabled && methods.oidc.is_configured() => {
            oidc::authorization_url(app, &methods.oidc, &secrets, step_up).await?
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
    let lifetime = chrono::Duration::from_std(super::FLOW_LIFETIME).map_err(Error::internal)?;
    app.store
        .put_sign_in_flow(&NewFlow {
            verifier_enc: app.encrypt(verifier_aad(&state_hash), &secrets.verifier)?,
            state_hash,
            browser_hash: hash(&browser),
            provider: provider.as_str(),
            nonce: secrets.nonce,
            purpose: if step_up { "reauth" } else { "sign_in" },
            session_id: session,
            next_path: next.map(str::to_owned),
            created_at: now,
            expires_at: now + lifetime,
        })
        .await?;
    Ok(Started { location, browser })
}

/// A flow taken for its callback, with its secrets and the authorization code.
pub(super) struct Taken {
    pub row: FlowRow,
    pub secrets: FlowSecrets,
    pub code: String,
}

/// Takes the callback's flow (once) and checks the browser, the provider and the answer's
/// shape.
pub(super) async fn take(
    app: &App,
    provider: Provider,
    callback: &Callback,
    browser: Option<&str>,
) -> Result<Taken> {
    if callback.malformed {
        return Err(refused("the sign-in answer repeats a parameter"));
    }
    let state = callback
        .state
        .as_deref()
        .filter(|s| !s.is_empty() && s.len() <= 200)
        .ok_or_else(|| refused("the sign-in answer has no state"))?;
    let row = app
        .store
        .take_sign_in_flow(&hash(state), app.now())
        .await?
        .ok_or_else(|| refused("this sign-in is unknown, expired or already used; start again"))?;
    let browser_ok = browser
        .map(|b| bool::from(hash(b).as_bytes().ct_eq(row.browser_hash.as_bytes())))
        .unwrap_or(false);
    if !browser_ok {
        return Err(refused(
            "this sign-in was started in another browser; start again",
        ));
    }
    if row.provider != provider.as_str() {
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
        .ok_or_else(|| refused("the sign-in answer has no code"))?
        .to_owned();
    let verifier = app
        .keyring
        .decrypt(verifier_aad(&row.state_hash), &row.verifier_enc)
        .map_err(|_| refused("this sign-in can no longer be completed; start again"))?;
    let secrets = FlowSecrets {
        state: state.to_owned(),
        nonce: row.nonce.clone(),
        verifier,
    };
    Ok(Taken { row, secrets, code })
}

/// Exchanges the code and verifies the provider's answer.
pub(super) async fn redeem(
    app: &App,
    provider: Provider,
    methods: &SignInMethods,
    callback: &Callback,
    taken: &Taken,
    step_up: bool,
) -> Result<Profile> {
    match provider {
        Provider::Oidc if methods.oidc.enabled && methods.oidc.is_configured() => {
            oidc::redeem(
                app,
                &methods.oidc,
                callback,
                &taken.code,
                &taken.secrets,
                step_up,
            )
            .await
        }
        Provider::Github if methods.github.enabled && methods.github.is_configured() => {
            github::redeem(app, &methods.github, &taken.code, &taken.secrets).await
        }
        _ => Err(not_enabled(provider)),
    }
}
