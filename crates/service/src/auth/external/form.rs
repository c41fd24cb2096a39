//! The administrators' form for the sign-in methods, parsed once into settings: every field
//! checked and named on refusal; provider URLs checked against the outbound policy without a
//! request; a secret left empty keeps the one in force only for the same destination.

use domain::invalid::Invalid;

use super::admin_types::MethodsUpdate;
use super::settings::{
    DEFAULT_PROVIDER_NAME, GITHUB_API, GITHUB_WEB, GithubSettings, OidcSettings, SignInMethods,
    scopes_of,
};
use crate::config::{Secret, TokenAuthMethod};
use crate::{App, Error, Result};

/// A single-line text field: trimmed, at most `max` characters, no control characters.
fn line(field: &str, value: &str, max: usize) -> Result<String> {
    let value = value.trim();
    if value.chars().count() > max {
        return Err(Error::invalid(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::invalid(field, "must not contain control characters"));
    }
    Ok(value.to_owned())
}

/// An absolute URL without credentials or fragment that the outbound policy allows (https,
/// or http for an allowed host; no loopback, private or metadata address unless allowed) —
/// checked without any request (NET-01, NET-03). Names are resolved, and their addresses
/// checked, when the provider is first contacted.
fn web_url(policy: &outbound::OutboundPolicy, field: &str, value: &str) -> Result<String> {
    let value = line(field, value, 2000)?;
    let url = url::Url::parse(&value)
        .map_err(|_| Error::Invalid(Invalid::new(field, "must be an absolute URL")))?;
    if !matches!(url.scheme(), "https" | "http") || url.host_str().is_none() {
        return Err(Error::invalid(field, "must be an https:// URL"));
    }
    if !url.username().is_empty() || url.password().is_some() || url.fragment().is_some() {
        return Err(Error::invalid(
            field,
            "must not contain credentials or a fragment",
        ));
    }
    policy
        .check_url(&url)
        .map_err(|err| Error::invalid(field, format!("cannot be used: {err}")))?;
    Ok(value)
}

/// Our own callback URL as registered at the provider: absolute http(s), no credentials or
/// fragment (it is not fetched by us, so the outbound policy does not apply).
fn callback_url(field: &str, value: &str) -> Result<String> {
    let url = url::Url::parse(value)
        .map_err(|_| Error::Invalid(Invalid::new(field, "must be an absolute URL")))?;
    if !matches!(url.scheme(), "https" | "http")
        || url.host_str().is_none()
        || !url.username().is_empty()
        || url.password().is_some()
        || url.fragment().is_some()
    {
        return Err(Error::invalid(
            field,
            "must be an http(s) URL without credentials or fragment",
        ));
    }
    Ok(value.to_owned())
}

fn optional(value: String) -> Option<String> {
    (!value.is_empty()).then_some(value)
}

/// Parses and checks the form into settings, keeping secrets in force when none is given.
pub(super) fn parse(
    app: &App,
    update: MethodsUpdate,
    current: &SignInMethods,
) -> Result<(SignInMethods, Secrets)> {
    let policy = &app.config.outbound;
    let o = update.oidc;
    let g = update.github;
    let oidc_secret = o
        .client_secret
        .map(|s| line("oidc.client_secret", &s, 1000))
        .transpose()?
        .and_then(optional);
    let github_secret = g
        .client_secret
        .map(|s| line("github.client_secret", &s, 1000))
        .transpose()?
        .and_then(optional);
    let issuer_url = line("oidc.issuer_url", &o.issuer_url, 2000)?;
    let issuer_url = if issuer_url.is_empty() {
        issuer_url
    } else {
        web_url(policy, "oidc.issuer_url", &issuer_url)?
    };
    let redirect_uri = line("oidc.redirect_uri", &o.redirect_uri, 2000)?;
    let redirect_uri = optional(redirect_uri)
        .map(|u| callback_url("oidc.redirect_uri", &u))
        .transpose()?;
    let scopes = line("oidc.scopes", &o.scopes, 500)?;
    let scopes = if scopes.is_empty() {
        "openid email profile".to_owned()
    } else {
        scopes
    };
    if scopes.split_whitespace().any(|s| {
        !s.chars()
            .all(|c| c.is_ascii_graphic() && c != '"' && c != '\\')
    }) {
        return Err(Error::invalid(
            "oidc.scopes",
            "contains a character a scope cannot have",
        ));
    }
    let method = o.token_auth_method.trim();
    let token_auth_method = if method.is_empty() {
        TokenAuthMethod::Basic
    } else {
        TokenAuthMethod::parse(method).ok_or_else(|| {
            Error::invalid(
                "oidc.token_auth_method",
                "must be client_secret_basic or client_secret_post",
            )
        })?
    };
    let provider_name = line("oidc.provider_name", &o.provider_name, 60)?;
    let github_web = optional(line("github.web_url", &g.web_url, 2000)?)
        .map(|u| web_url(policy, "github.web_url", &u))
        .transpose()?;
    let github_api = optional(line("github.api_url", &g.api_url, 2000)?)
        .map(|u| web_url(policy, "github.api_url", &u))
        .transpose()?;
    let same_issuer = issuer_url == current.oidc.issuer_url;
    let methods = SignInMethods {
        local_enabled: update.local_enabled,
        oidc: OidcSettings {
            enabled: o.enabled,
            provider_name: optional(provider_name)
                .unwrap_or_else(|| DEFAULT_PROVIDER_NAME.to_owned()),
            issuer_url,
            client_id: line("oidc.client_id", &o.client_id, 500)?,
            // A kept secret goes only where it went before: a new issuer needs it typed again.
            client_secret: oidc_secret.clone().map(Secret::new).or_else(|| {
                same_issuer
                    .then(|| current.oidc.client_secret.clone())
                    .flatten()
            }),
            token_auth_method,
            redirect_uri,
            scopes: scopes_of(&scopes),
            admin_group: optional(line("oidc.admin_group", &o.admin_group, 200)?),
            auto_provision: o.auto_provision,
            link_verified_email: o.link_verified_email,
        },
        github: GithubSettings {
            enabled: g.enabled,
            client_id: line("github.client_id", &g.client_id, 200)?,
            client_secret: github_secret.clone().map(Secret::new).or_else(|| {
                (github_web.as_deref().unwrap_or(GITHUB_WEB) == current.github.web_url)
                    .then(|| current.github.client_secret.clone())
                    .flatten()
            }),
            auto_provision: g.auto_provision,
            link_verified_email: g.link_verified_email,
            web_url: github_web.unwrap_or_else(|| GITHUB_WEB.to_owned()),
            api_url: github_api.unwrap_or_else(|| GITHUB_API.to_owned()),
        },
        saved: true,
    };
    Ok((
        methods,
        Secrets {
            oidc: oidc_secret,
            github: github_secret,
        },
    ))
}

/// Secrets newly typed into the form.
pub(super) struct Secrets {
    pub(super) oidc: Option<String>,
    pub(super) github: Option<String>,
}
