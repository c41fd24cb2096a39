//! The one cookie builder. Session cookie: HttpOnly, SameSite=Strict, Path=/, no Domain,
//! Secure per `COOKIE_SECURE`/`HTTPS`, `__Host-` prefix when HTTPS (OWASP Session Management,
//! RFC 6265bis cookie prefixes). Pending sign-in cookie (between password and second factor):
//! the same attributes, 5 minutes. External sign-in flow cookie: the same, but `SameSite=Lax`
//! (see [`sign_in_flow_name`]), 10 minutes. CSRF cookie: attributes from the `CSRF_*` settings.

use axum::http::{HeaderMap, HeaderValue, header};
use service::Config;

pub const SESSION: &str = "bt_session";

pub fn session_name(config: &Config) -> &'static str {
    if config.https && config.cookie_secure {
        "__Host-bt_session"
    } else {
        SESSION
    }
}

/// The pending sign-in cookie: the handle between a right password and the second factor.
/// Same attributes as the session cookie, but it lives only as long as the handle (5 minutes)
/// and nothing but the second-factor step reads it.
pub fn mfa_pending_name(config: &Config) -> &'static str {
    if config.https && config.cookie_secure {
        "__Host-bt_mfa_pending"
    } else {
        "bt_mfa_pending"
    }
}

pub fn set_mfa_pending(config: &Config, token: &str) -> Option<HeaderValue> {
    let age = i64::try_from(service::auth::mfa::pending::LIFETIME.as_secs()).unwrap_or(300);
    build(
        mfa_pending_name(config),
        token,
        Some(age),
        true,
        "Strict",
        config.cookie_secure,
    )
}

pub fn clear_mfa_pending(config: &Config) -> Option<HeaderValue> {
    build(
        mfa_pending_name(config),
        "",
        Some(0),
        true,
        "Strict",
        config.cookie_secure,
    )
}

/// The external sign-in flow cookie: binds a provider's callback to the browser that started
/// the sign-in. `SameSite=Lax`, because the callback is a cross-site navigation from the
/// provider (a `Strict` cookie would not come with it); 10 minutes, like the flow.
pub fn sign_in_flow_name(config: &Config) -> &'static str {
    if config.https && config.cookie_secure {
        "__Host-bt_sign_in_flow"
    } else {
        "bt_sign_in_flow"
    }
}

pub fn set_sign_in_flow(config: &Config, value: &str) -> Option<HeaderValue> {
    let age = i64::try_from(service::auth::external::FLOW_LIFETIME.as_secs()).unwrap_or(600);
    build(
        sign_in_flow_name(config),
        value,
        Some(age),
        true,
        "Lax",
        config.cookie_secure,
    )
}

pub fn csrf_name(config: &Config) -> String {
    if config.https && config.csrf_secure {
        format!("__Host-{}", config.csrf_cookie_name)
    } else {
        config.csrf_cookie_name.clone()
    }
}

/// The value of cookie `name` in the request, if sent once.
pub fn read(headers: &HeaderMap, name: &str) -> Option<String> {
    let mut found = None;
    for value in headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
    {
        for pair in value.split(';') {
            if let Some((k, v)) = pair.trim().split_once('=')
                && k == name
            {
                if found.is_some() {
                    // Two cookies of one name: someone planted one; trust neither.
                    return None;
                }
                found = Some(v.trim_matches('"').to_owned());
            }
        }
    }
    found
}

fn build(
    name: &str,
    value: &str,
    max_age: Option<i64>,
    http_only: bool,
    same_site: &str,
    secure: bool,
) -> Option<HeaderValue> {
    let mut cookie = format!("{name}={value}; Path=/; SameSite={same_site}");
    if let Some(age) = max_age {
        cookie.push_str(&format!("; Max-Age={age}"));
    }
    if http_only {
        cookie.push_str("; HttpOnly");
    }
    if secure {
        cookie.push_str("; Secure");
    }
    HeaderValue::from_str(&cookie).ok()
}

pub fn set_session(config: &Config, token: &str) -> Option<HeaderValue> {
    let age = i64::try_from(config.session_lifetime.as_secs()).unwrap_or(i64::MAX);
    build(
        session_name(config),
        token,
        Some(age),
        true,
        "Strict",
        config.cookie_secure,
    )
}

pub fn clear_session(config: &Config) -> Option<HeaderValue> {
    build(
        session_name(config),
        "",
        Some(0),
        true,
        "Strict",
        config.cookie_secure,
    )
}

pub fn set_csrf(config: &Config, token: &str) -> Option<HeaderValue> {
    build(
        &csrf_name(config),
        token,
        None,
        config.csrf_http_only,
        config.csrf_same_site.as_str(),
        config.csrf_secure,
    )
}

/// Appends `Set-Cookie` values to a response's headers.
pub fn append(headers: &mut HeaderMap, cookies: impl IntoIterator<Item = Option<HeaderValue>>) {
    for cookie in cookies.into_iter().flatten() {
        headers.append(header::SET_COOKIE, cookie);
    }
}
