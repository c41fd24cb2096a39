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

/// The known-device cookie (AUTH-10): says "this browser signed in to this account before",
/// so the account-wide failure delay does not apply to it. Same attributes as the session
/// cookie, for a year; it opens nothing by itself.
pub fn known_device_name(config: &Config) -> &'static str {
    if config.https && config.cookie_secure {
        KNOWN_DEVICE_HOST
    } else {
        KNOWN_DEVICE
    }
}

const KNOWN_DEVICE: &str = "bt_device";
const KNOWN_DEVICE_HOST: &str = "__Host-bt_device";

/// The known-device cookie as sent, under either name (its value is MACed and bound to one
/// account, so a planted one gains nothing).
pub fn read_known_device(headers: &HeaderMap) -> Option<String> {
    read(headers, KNOWN_DEVICE_HOST).or_else(|| read(headers, KNOWN_DEVICE))
}

/// The cookies of a new session: the session, its CSRF token, and (after a full sign-in) the
/// known-device cookie.
pub fn signed_in(config: &Config, signed_in: &service::auth::SignedIn) -> [Option<HeaderValue>; 3] {
    let device = signed_in.known_device.as_deref().and_then(|value| {
        let age = i64::try_from(service::auth::known_device::LIFETIME.as_secs()).unwrap_or(0);
        build(
            known_device_name(config),
            value,
            Some(age),
            true,
            "Strict",
            config.cookie_secure,
        )
    });
    [
        set_session(config, &signed_in.token),
        set_csrf(config, &signed_in.csrf_token),
        device,
    ]
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
