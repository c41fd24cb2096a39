//! OpenID Connect with the `openidconnect` crate over the guarded outbound client.
//!
//! Discovery runs at each sign-in step (and when an administrator tests or turns on the
//! provider): the metadata's `issuer` must equal the configured one exactly (OIDC-04), and
//! the signing keys come only from the metadata's `jwks_uri` — `jku`, `x5u` and embedded
//! keys in token headers are never followed. ID tokens must be signed with an asymmetric
//! algorithm (`RS*`, `PS*`, `ES*`, `EdDSA`): `none` and HMAC (`HS*`, the key-confusion attack
//! with the provider's public key) are refused whatever the provider advertises.

use openidconnect::core::{
    CoreAuthPrompt, CoreAuthenticationFlow, CoreClient, CoreIdTokenVerifier,
    CoreJwsSigningAlgorithm, CoreProviderMetadata,
};
use openidconnect::{
    AuthType, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use outbound::OutboundError;

use super::admin_types::ProviderTest;
use super::settings::OidcSettings;
use super::{Callback, FlowSecrets, Profile, Provider, unreachable};
use crate::config::TokenAuthMethod;
use crate::{App, Error, Result};

/// The ID-token signature algorithms accepted.
const ALGORITHMS: [CoreJwsSigningAlgorithm; 10] = [
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha384,
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha512,
    CoreJwsSigningAlgorithm::RsaSsaPssSha256,
    CoreJwsSigningAlgorithm::RsaSsaPssSha384,
    CoreJwsSigningAlgorithm::RsaSsaPssSha512,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
    CoreJwsSigningAlgorithm::EcdsaP384Sha384,
    CoreJwsSigningAlgorithm::EcdsaP521Sha512,
    CoreJwsSigningAlgorithm::EdDsa,
];

/// How far in the future an `iat` may be (clock skew), and how old an ID token may be.
const IAT_SKEW: chrono::Duration = chrono::Duration::minutes(5);
const IAT_MAX_AGE: chrono::Duration = chrono::Duration::minutes(15);

/// A failure to reach or understand the provider, in words for administrators and logs
/// (never a secret or a query string).
#[derive(Debug)]
pub(crate) struct ProviderProblem(pub String);

/// What the outbound client's adapter returns to openidconnect.
type HttpFuture<'a> = std::pin::Pin<
    Box<
        dyn std::future::Future<
                Output = std::result::Result<http::Response<Vec<u8>>, OutboundError>,
            > + Send
            + 'a,
    >,
>;

/// The outbound client as openidconnect's HTTP client. It owns a clone of the client (two
/// reference counts), so its futures borrow nothing and stay `Send` for any lifetime.
fn http_client(app: &App) -> impl Fn(http::Request<Vec<u8>>) -> HttpFuture<'static> + use<> {
    let client = app.outbound().cloned();
    move |request| {
        let client = client.clone();
        Box::pin(async move { client?.execute(request).await })
    }
}

/// Fetches and checks the provider's metadata and keys.
pub(crate) async fn discover(
    app: &App,
    issuer: &str,
) -> std::result::Result<CoreProviderMetadata, ProviderProblem> {
    let issuer = IssuerUrl::new(issuer.to_owned())
        .map_err(|_| ProviderProblem("the issuer URL is not valid".into()))?;
    let http = http_client(app);
    CoreProviderMetadata::discover_async(issuer, &http)
        .await
        .map_err(|err| ProviderProblem(discovery_problem(&err)))
}

fn discovery_problem(err: &openidconnect::DiscoveryError<OutboundError>) -> String {
    use openidconnect::DiscoveryError as D;
    match err {
        D::Request(e) => e.to_string(),
        D::Response(status, _, _) => format!("the provider answered {status}"),
        D::Parse(e) => format!("the provider's metadata does not read: {}", e.path()),
        D::Validation(e) => format!("the provider's metadata is not valid: {e}"),
        D::UrlParse(_) => "the issuer URL is not valid".into(),
        D::Other(e) => e.clone(),
        _ => "discovery failed".into(),
    }
}

/// Words for a discovery problem.
pub(crate) fn problem_text(problem: &ProviderProblem) -> &str {
    &problem.0
}

fn client(
    app: &App,
    settings: &OidcSettings,
    metadata: CoreProviderMetadata,
) -> Result<
    openidconnect::core::CoreClient<
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointMaybeSet,
        openidconnect::EndpointMaybeSet,
    >,
> {
    let secret = settings
        .client_secret
        .as_ref()
        .map(|s| ClientSecret::new(s.expose().to_owned()));
    let redirect = RedirectUrl::new(settings.redirect_uri(app))
        .map_err(|_| Error::invalid("oidc.redirect_uri", "is not a valid URL"))?;
    Ok(CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(settings.client_id.clone()),
        secret,
    )
    .set_redirect_uri(redirect)
    .set_auth_type(match settings.token_auth_method {
        TokenAuthMethod::Basic => AuthType::BasicAuth,
        TokenAuthMethod::Post => AuthType::RequestBody,
    }))
}

/// The provider's authorization URL for a new flow.
/// With `step_up`, the provider is asked to authenticate the person again (`prompt=login`,
/// `max_age=0`), whatever session it has.
pub(super) async fn authorization_url(
    app: &App,
    settings: &OidcSettings,
    secrets: &FlowSecrets,
    step_up: bool,
) -> Result<String> {
    let metadata = discover(app, &settings.issuer_url)
        .await
        .map_err(|p| unreachable(Provider::Oidc, &p.0))?;
    let client = client(app, settings, metadata)?;
    let state = secrets.state.clone();
    let nonce = secrets.nonce.clone();
    let mut request = client.authorize_url(
        CoreAuthenticationFlow::AuthorizationCode,
        move || CsrfToken::new(state),
        move || Nonce::new(nonce),
    );
    for scope in settings.scopes.iter().filter(|s| *s != "openid") {
        request = request.add_scope(Scope::new(scope.clone()));
    }
    if step_up {
        request = request
            .add_prompt(CoreAuthPrompt::Login)
            .set_max_age(std::time::Duration::ZERO);
    }
    let challenge = PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(
        secrets.verifier.clone(),
    ));
    let (url, _, _) = request.set_pkce_challenge(challenge).url();
    Ok(url.to_string())
}

fn refused(message: impl Into<String>) -> Error {
    Error::BadRequest {
        field: "id_token".into(),
        message: message.into(),
    }
}

/// Exchanges the code and validates the ID token; the profile it vouches for.
pub(super) async fn redeem(
    app: &App,
    settings: &OidcSettings,
    callback: &Callback,
    code: &str,
    secrets: &FlowSecrets,
    step_up: bool,
) -> Result<Profile> {
    let metadata = discover(app, &settings.issuer_url)
        .await
        .map_err(|p| unreachable(Provider::Oidc, &p.0))?;
    // RFC 9207: when the provider names itself on the callback, it must be this provider.
    if let Some(iss) = &callback.iss
        && iss != metadata.issuer().as_str()
    {
        return Err(refused("the sign-in answer names another provider"));
    }
    let issuer = metadata.issuer().clone();
    let jwks = metadata.jwks().clone();
    let userinfo_url = metadata.userinfo_endpoint().map(|u| u.url().to_string());
    let client = client(app, settings, metadata)?;
    let http = http_client(app);
    let token = client
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .map_err(|_| refused("the provider has no token endpoint"))?
        .set_pkce_verifier(PkceCodeVerifier::new(secrets.verifier.clone()))
        .request_async(&http)
        .await
        .map_err(|err| token_problem(&err))?;
    let id_token = token
        .id_token()
        .ok_or_else(|| refused("the provider sent no ID token"))?;
    let now = app.now();
    let verifier = CoreIdTokenVerifier::new_public_client(
        ClientId::new(settings.client_id.clone()),
        issuer.clone(),
        jwks,
    )
    .set_allowed_algs(ALGORITHMS)
    .set_time_fn(move || now)
    .set_issue_time_verifier_fn(move |iat| {
        if iat > now + IAT_SKEW {
            Err("issued in the future".into())
        } else if iat < now - IAT_MAX_AGE {
            Err("issued too long ago".into())
        } else {
            Ok(())
        }
    });
    let nonce = Nonce::new(secrets.nonce.clone());
    let claims = id_token.claims(&verifier, &nonce).map_err(|err| {
        tracing::warn!(target: "security", reason = %err, "ID token refused");
        refused(format!("the provider's ID token was refused: {err}"))
    })?;
    let mut profile = Profile {
        issuer: issuer.as_str().to_owned(),
        subject: claims.subject().as_str().to_owned(),
        email: claims.email().map(|e| e.as_str().to_owned()),
        email_verified: claims.email_verified().unwrap_or(false),
        name: claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().to_owned()),
        username: claims.preferred_username().map(|u| u.as_str().to_owned()),
        groups: groups_of(&payload_of(&id_token.to_string())),
        auth_time: claims.auth_time(),
    };
    if step_up {
        // A step-up needs nothing more from userinfo: the identity is what counts.
        return Ok(profile);
    }
    let wants_more =
        profile.email.is_none() || (settings.admin_group.is_some() && profile.groups.is_none());
    if wants_more && let Some(url) = userinfo_url {
        fill_from_userinfo(app, &url, token.access_token().secret(), &mut profile).await?;
    }
    Ok(profile)
}

fn token_problem<E: std::error::Error>(
    err: &openidconnect::RequestTokenError<
        E,
        openidconnect::StandardErrorResponse<openidconnect::core::CoreErrorResponseType>,
    >,
) -> Error {
    use openidconnect::RequestTokenError as R;
    match err {
        R::ServerResponse(response) => refused(format!(
            "the provider refused the code ({})",
            response.error().as_ref()
        )),
        R::Request(e) => unreachable(Provider::Oidc, &e.to_string()),
        R::Parse(e, _) => refused(format!(
            "the provider's token answer does not read: {}",
            e.path()
        )),
        R::Other(e) => refused(format!("the provider's token answer is not valid: {e}")),
    }
}

/// The JSON payload of a compact JWS whose signature was already verified.
fn payload_of(jwt: &str) -> serde_json::Value {
    use base64::Engine;
    jwt.split('.')
        .nth(1)
        .and_then(|p| {
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(p)
                .ok()
        })
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or(serde_json::Value::Null)
}

/// The `groups` claim: an array of strings (other shapes are ignored).
fn groups_of(claims: &serde_json::Value) -> Option<Vec<String>> {
    let groups = claims.get("groups")?.as_array()?;
    Some(
        groups
            .iter()
            .filter_map(|g| g.as_str().map(str::to_owned))
            .collect(),
    )
}

/// Fills what the ID token lacked from the userinfo endpoint; its `sub` must be the token's.
async fn fill_from_userinfo(
    app: &App,
    url: &str,
    access_token: &str,
    profile: &mut Profile,
) -> Result<()> {
    let request = http::Request::get(url)
        .header(http::header::ACCEPT, "application/json")
        .header(
            http::header::AUTHORIZATION,
            format!("Bearer {access_token}"),
        )
        .body(Vec::new())
        .map_err(Error::internal)?;
    let client = app
        .outbound()
        .map_err(|e| unreachable(Provider::Oidc, &e.to_string()))?;
    let response = client
        .execute(request)
        .await
        .map_err(|e| unreachable(Provider::Oidc, &e.to_string()))?;
    if !response.status().is_success() {
        return Err(refused(format!(
            "the provider's userinfo answered {}",
            response.status()
        )));
    }
    let info: serde_json::Value = serde_json::from_slice(response.body())
        .map_err(|_| refused("the provider's userinfo is not JSON"))?;
    if info.get("sub").and_then(|s| s.as_str()) != Some(profile.subject.as_str()) {
        return Err(refused("the provider's userinfo is about someone else"));
    }
    let text = |key: &str| info.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    if profile.email.is_none() {
        profile.email = text("email");
        profile.email_verified = info
            .get("email_verified")
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false);
    }
    profile.name = profile.name.take().or_else(|| text("name"));
    profile.username = profile
        .username
        .take()
        .or_else(|| text("preferred_username"));
    if profile.groups.is_none() {
        profile.groups = groups_of(&info);
    }
    Ok(())
}

/// What an administrator's "Test" finds: discovery, keys, PKCE support, endpoints.
pub(super) async fn test(app: &App, settings: &OidcSettings) -> ProviderTest {
    let mut checks = Vec::new();
    if settings.issuer_url.is_empty() {
        return ProviderTest::failed(checks, "enter the issuer URL first");
    }
    let metadata = match discover(app, &settings.issuer_url).await {
        Ok(m) => m,
        Err(p) => return ProviderTest::failed(checks, &p.0),
    };
    checks.push(format!(
        "Discovery answered; issuer {} matches",
        metadata.issuer().as_str()
    ));
    checks.push(format!(
        "{} signing key(s) published at {}",
        metadata.jwks().keys().len(),
        metadata.jwks_uri().url()
    ));
    if metadata.jwks().keys().is_empty() {
        return ProviderTest::failed(checks, "the provider publishes no signing keys");
    }
    // PKCE support is not in openidconnect's typed metadata: read it from the document.
    let document = format!(
        "{}/.well-known/openid-configuration",
        settings.issuer_url.trim_end_matches('/')
    );
    let raw = match app.outbound() {
        Ok(client) => client.get_json::<serde_json::Value>(&document).await.ok(),
        Err(_) => None,
    };
    let s256 = raw
        .as_ref()
        .and_then(|doc| doc.get("code_challenge_methods_supported"))
        .and_then(serde_json::Value::as_array)
        .is_none_or(|methods| methods.iter().any(|m| m.as_str() == Some("S256")));
    if !s256 {
        return ProviderTest::failed(checks, "the provider does not support PKCE with S256");
    }
    checks.push("PKCE (S256) supported".into());
    let signs_asymmetric = metadata
        .id_token_signing_alg_values_supported()
        .iter()
        .any(|alg| ALGORITHMS.contains(alg));
    if !signs_asymmetric {
        return ProviderTest::failed(
            checks,
            "the provider signs ID tokens only with algorithms BillTracker does not accept (it needs RS*, PS*, ES* or EdDSA, not HS* or none)",
        );
    }
    checks.push("ID tokens signed with an accepted algorithm".into());
    let wanted = settings.token_auth_method.as_str();
    let methods_ok = metadata
        .token_endpoint_auth_methods_supported()
        .is_none_or(|m| m.iter().any(|m| m.as_ref() == wanted));
    if !methods_ok {
        return ProviderTest::failed(
            checks,
            &format!("the provider does not accept {wanted} at its token endpoint"),
        );
    }
    checks.push(format!("Token endpoint accepts {wanted}"));
    if settings.client_id.is_empty() || settings.client_secret.is_none() {
        return ProviderTest::failed(checks, "enter the client id and secret");
    }
    checks.push(format!(
        "Register this callback URL at the provider: {}",
        settings.redirect_uri(app)
    ));
    ProviderTest {
        ok: true,
        checks,
        problem: None,
    }
}
