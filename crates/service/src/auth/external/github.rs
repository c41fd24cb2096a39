//! "Sign in with GitHub": OAuth 2.0 (GitHub does not speak OpenID Connect).
//!
//! The authorization request carries `state` and a PKCE S256 challenge (GitHub checks it since
//! 2025; a server that ignores it still gets the verifier). After the code exchange, the
//! access token reads `GET /user` (the numeric id is the identity: logins can be renamed and
//! reused) and `GET /user/emails` (only the primary address, and only when verified, counts).
//! The token is then dropped. The issuer of GitHub identities is `github:` plus the site's
//! URL, so a GitHub Enterprise server's users are apart from github.com's.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use super::admin_types::ProviderTest;
use super::settings::GithubSettings;
use super::{FlowSecrets, Profile, Provider, unreachable};
use crate::{App, Error, Result};

const USER_AGENT: &str = "BillTracker";

fn refused(message: impl Into<String>) -> Error {
    Error::BadRequest {
        field: "github".into(),
        message: message.into(),
    }
}

/// The issuer of identities from this GitHub site.
pub(super) fn issuer(settings: &GithubSettings) -> String {
    format!("github:{}", settings.web_url.trim_end_matches('/'))
}

/// The GitHub authorization URL for a new flow.
pub(super) fn authorization_url(
    app: &App,
    settings: &GithubSettings,
    secrets: &FlowSecrets,
) -> Result<String> {
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(secrets.verifier.as_bytes()));
    let mut url = url::Url::parse(&format!(
        "{}/login/oauth/authorize",
        settings.web_url.trim_end_matches('/')
    ))
    .map_err(|_| Error::invalid("github.web_url", "is not a valid URL"))?;
    url.query_pairs_mut()
        .append_pair("client_id", &settings.client_id)
        .append_pair("redirect_uri", &settings.redirect_uri(app))
        .append_pair("scope", "read:user user:email")
        .append_pair("state", &secrets.state)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256")
        .append_pair("allow_signup", "false");
    Ok(url.to_string())
}

/// The token endpoint's answer (GitHub answers 200 with `error` for failures).
#[derive(serde::Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    error: Option<String>,
}

async fn send(app: &App, request: http::Request<Vec<u8>>) -> Result<http::Response<Vec<u8>>> {
    let client = app
        .outbound()
        .map_err(|e| unreachable(Provider::Github, &e.to_string()))?;
    client
        .execute(request)
        .await
        .map_err(|e| unreachable(Provider::Github, &e.to_string()))
}

async fn exchange(
    app: &App,
    settings: &GithubSettings,
    code: &str,
    verifier: &str,
) -> Result<TokenAnswer> {
    let secret = settings
        .client_secret
        .as_ref()
        .map(|s| s.expose().to_owned())
        .unwrap_or_default();
    let redirect = settings.redirect_uri(app);
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("client_id", &settings.client_id)
        .append_pair("client_secret", &secret)
        .append_pair("code", code)
        .append_pair("redirect_uri", &redirect)
        .append_pair("code_verifier", verifier)
        .finish();
    let request = http::Request::post(format!(
        "{}/login/oauth/access_token",
        settings.web_url.trim_end_matches('/')
    ))
    .header(http::header::ACCEPT, "application/json")
    .header(
        http::header::CONTENT_TYPE,
        "application/x-www-form-urlencoded",
    )
    .header(http::header::USER_AGENT, USER_AGENT)
    .body(body.into_bytes())
    .map_err(|_| Error::invalid("github.web_url", "is not a valid URL"))?;
    let response = send(app, request).await?;
    if !response.status().is_success() {
        return Err(refused(format!("GitHub answered {}", response.status())));
    }
    serde_json::from_slice(response.body())
        .map_err(|_| refused("GitHub's token answer does not read"))
}

async fn api_get<T: serde::de::DeserializeOwned>(
    app: &App,
    settings: &GithubSettings,
    path: &str,
    token: &str,
) -> Result<T> {
    let request = http::Request::get(format!("{}{path}", settings.api_url.trim_end_matches('/')))
        .header(http::header::ACCEPT, "application/vnd.github+json")
        .header(http::header::AUTHORIZATION, format!("Bearer {token}"))
        .header(http::header::USER_AGENT, USER_AGENT)
        .header("X-GitHub-Api-Version", "2022-11-28")
        .body(Vec::new())
        .map_err(|_| Error::invalid("github.api_url", "is not a valid URL"))?;
    let response = send(app, request).await?;
    if !response.status().is_success() {
        return Err(refused(format!(
            "GitHub's API answered {}",
            response.status()
        )));
    }
    serde_json::from_slice(response.body())
        .map_err(|_| refused("GitHub's API answer does not read"))
}

#[derive(serde::Deserialize)]
struct GithubUser {
    id: i64,
    login: String,
    name: Option<String>,
}

#[derive(serde::Deserialize)]
struct GithubEmail {
    email: String,
    primary: bool,
    verified: bool,
}

/// Exchanges the code and reads who signed in.
pub(super) async fn redeem(
    app: &App,
    settings: &GithubSettings,
    code: &str,
    secrets: &FlowSecrets,
) -> Result<Profile> {
    let answer = exchange(app, settings, code, &secrets.verifier).await?;
    let token = match (answer.access_token, answer.error) {
        (Some(token), None) => token,
        (_, error) => {
            let code: String = error
                .unwrap_or_default()
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .take(60)
                .collect();
            return Err(refused(format!("GitHub refused the code ({code})")));
        }
    };
    let user: GithubUser = api_get(app, settings, "/user", &token).await?;
    let emails: Vec<GithubEmail> = api_get(app, settings, "/user/emails", &token).await?;
    let primary = emails.into_iter().find(|e| e.primary && e.verified);
    Ok(Profile {
        issuer: issuer(settings),
        subject: user.id.to_string(),
        email_verified: primary.is_some(),
        email: primary.map(|e| e.email),
        name: user.name,
        username: Some(user.login),
        groups: None,
        auth_time: None,
    })
}

/// What an administrator's "Test" finds: whether GitHub accepts the client id and secret
/// (a token request with a made-up code says "bad code" to a right client and "wrong
/// credentials" to a wrong one).
pub(super) async fn test(app: &App, settings: &GithubSettings) -> ProviderTest {
    let mut checks = Vec::new();
    if settings.client_id.is_empty() || settings.client_secret.is_none() {
        return ProviderTest::failed(checks, "enter the client id and secret first");
    }
    match exchange(app, settings, "billtracker-connection-test", "unused").await {
        Ok(TokenAnswer {
            error: Some(error), ..
        }) if error == "incorrect_client_credentials" => {
            ProviderTest::failed(checks, "GitHub does not accept this client id and secret")
        }
        Ok(TokenAnswer {
            error: Some(error), ..
        }) if error == "bad_verification_code" => {
            checks.push("GitHub accepts the client id and secret".into());
            checks.push(format!(
                "Set the OAuth app's callback URL to {}",
                settings.redirect_uri(app)
            ));
            ProviderTest {
                ok: true,
                checks,
                problem: None,
            }
        }
        Ok(_) => ProviderTest::failed(checks, "GitHub gave an unexpected answer"),
        Err(err) => {
            let text = match err {
                Error::BadRequest { message, .. } => message,
                _ => "GitHub could not be reached (see the server log)".into(),
            };
            ProviderTest::failed(checks, &text)
        }
    }
}
