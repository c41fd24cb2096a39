//! Who is calling, and CSRF: one layer resolves the session cookie (or single-user mode) into a
//! [`Caller`] for every request, then refuses unsafe requests without a valid CSRF token or
//! from another site. Extractors hand handlers what they need: [`CurrentUser`] (401 without a
//! session) and [`Meta`] (client IP and user agent).

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use service::auth::{Principal, RequestMeta, csrf, session};
use service::{App, Error};

use crate::observe::ClientIp;
use crate::problem::ApiError;
use crate::{AppState, cookies};

/// The caller of this request, set by [`authenticate`] (and copied onto its response, for the
/// page presenter to draw the navigation of an error page).
#[derive(Debug, Clone, Default)]
pub struct Caller {
    pub principal: Option<Principal>,
    /// The session cookie as sent (to end it at sign-in or sign-out).
    pub session_token: Option<String>,
    /// The CSRF cookie as sent.
    pub csrf_cookie: Option<String>,
}

impl Caller {
    pub fn csrf_binding(&self) -> String {
        csrf::binding(self.principal.as_ref().and_then(|p| p.session))
    }
}

pub async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let app = &state.app;
    let headers = req.headers();
    let session_token = cookies::read(headers, cookies::session_name(&app.config));
    let csrf_cookie = cookies::read(headers, &cookies::csrf_name(&app.config));
    let principal = match resolve(app, session_token.as_deref()).await {
        Ok(principal) => principal,
        Err(err) => return ApiError(err).into_response(),
    };
    let caller = Caller {
        principal,
        session_token,
        csrf_cookie,
    };
    if is_unsafe(req.method()) {
        if let Err(reason) = same_origin(app, req.headers()) {
            tracing::warn!(target: "security", reason, "cross-site request refused");
            let mut refused = crate::problem::Problem::new(axum::http::StatusCode::FORBIDDEN)
                .detail("This request came from another site.")
                .code("cross_site")
                .into_response();
            refused.extensions_mut().insert(caller);
            return refused;
        }
        let (checked, ok) = check_csrf(app, &caller, req).await;
        req = checked;
        if ok == Check::TooLarge {
            let mut refused =
                crate::problem::Problem::new(axum::http::StatusCode::PAYLOAD_TOO_LARGE)
                    .into_response();
            refused.extensions_mut().insert(caller);
            return refused;
        }
        if ok == Check::Refused {
            tracing::warn!(target: "security", "CSRF token missing or invalid");
            let mut refused = crate::problem::Problem::new(axum::http::StatusCode::FORBIDDEN)
                .detail("Missing or invalid CSRF token; reload the page and try again.")
                .field("csrf_token")
                .code("csrf")
                .into_response();
            refused.extensions_mut().insert(caller);
            return refused;
        }
    }
    req.extensions_mut().insert(caller.clone());
    let mut response = next.run(req).await;
    response.extensions_mut().insert(caller);
    response
}

async fn resolve(app: &App, token: Option<&str>) -> service::Result<Option<Principal>> {
    // In single-user mode every request is the configured user; sessions play no part, so no
    // sign-in can turn a request into an administrator's.
    if app.config.single_user_mode {
        return service::setup::single_user(app).await;
    }
    match token {
        Some(token) => session::authenticate(app, token).await,
        None => Ok(None),
    }
}

/// The methods our routes use to change state; any other method reaches the router and gets
/// 405.
fn is_unsafe(method: &Method) -> bool {
    matches!(
        *method,
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    )
}

/// Sec-Fetch-Site / Origin check for unsafe methods (OWASP CSRF: verifying origin with
/// standard headers). Clients that send neither (scripts) rely on the token alone. The accepted
/// origins come from configuration only (`PUBLIC_URL`, `CORS_ORIGIN`, the allowed hosts),
/// never from the request's own `Host`, which a DNS-rebinding page controls.
fn same_origin(app: &App, headers: &HeaderMap) -> Result<(), &'static str> {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok())
        && !matches!(site, "same-origin" | "none")
    {
        return Err("Sec-Fetch-Site is not same-origin");
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return Ok(());
    };
    let config = &app.config;
    let allowed = origin == origin_of(&config.public_url)
        || config.cors_origin.as_deref() == Some(origin)
        || config.allowed_hosts.allows_origin(origin, config.https);
    if allowed {
        Ok(())
    } else {
        Err("Origin is foreign")
    }
}

fn origin_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(i) => &url[..after_scheme + i],
        None => url,
    }
}

/// Reads the presented token from `x-csrf-token`, or from the `csrf_token` field of a
/// url-encoded form (the body is buffered, within the body limit, and put back). A multipart
/// upload's token is its first part, which [`crate::upload::UploadForm`] verifies.
async fn check_csrf(app: &App, caller: &Caller, req: Request) -> (Request, Check) {
    let Some(cookie) = caller.csrf_cookie.as_deref() else {
        return (req, Check::Refused);
    };
    let binding = caller.csrf_binding();
    if let Some(header) = req
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        let ok = csrf::verify(app, &binding, cookie, header);
        return (req, Check::from(ok));
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if content_type.starts_with("multipart/form-data") && is_upload_path(req.uri().path()) {
        // Checked by the upload reader from the form's first part (see `crate::upload`).
        let mut req = req;
        req.extensions_mut().insert(CsrfInBody);
        return (req, Check::Ok);
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return (req, Check::Refused);
    }
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, app.config.request_body_limit).await else {
        return (Request::from_parts(parts, Body::empty()), Check::TooLarge);
    };
    let presented = form_field(&bytes, "csrf_token");
    let ok = presented.is_some_and(|token| csrf::verify(app, &binding, cookie, &token));
    (
        Request::from_parts(parts, Body::from(bytes)),
        Check::from(ok),
    )
}

/// The paths that take a multipart upload ([`crate::upload`]).
pub const UPLOAD_PATHS: [&str; 2] = ["/api/imports", "/imports"];

/// Whether `path` takes uploads.
pub fn is_upload_path(path: &str) -> bool {
    UPLOAD_PATHS.contains(&path)
}

/// Set on a multipart request to an upload path without `x-csrf-token`: the token is the
/// form's first part, verified by [`crate::upload::UploadForm`].
#[derive(Debug, Clone, Copy)]
pub struct CsrfInBody;

/// What the CSRF check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    Ok,
    Refused,
    /// A form body over the limit (its token could not be read): 413.
    TooLarge,
}

impl From<bool> for Check {
    fn from(ok: bool) -> Self {
        if ok { Check::Ok } else { Check::Refused }
    }
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    let mut found = None;
    for (key, value) in form_urlencoded_pairs(body) {
        if key == name {
            if found.is_some() {
                return None;
            }
            found = Some(value);
        }
    }
    found
}

/// Minimal `application/x-www-form-urlencoded` decoding.
pub fn form_urlencoded_pairs(body: &[u8]) -> Vec<(String, String)> {
    body.split(|b| *b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let mut it = pair.splitn(2, |b| *b == b'=');
            let key = percent_decode(it.next().unwrap_or_default());
            let value = percent_decode(it.next().unwrap_or_default());
            (key, value)
        })
        .collect()
}

fn percent_decode(input: &[u8]) -> String {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < input.len() => {
                let hex = std::str::from_utf8(&input[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The signed-in user; 401 problem+json without one.
pub struct CurrentUser(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Caller>()
            .and_then(|c| c.principal.clone())
            .map(CurrentUser)
            .ok_or(ApiError(Error::Unauthenticated))
    }
}

/// An administrator: 401 without a session, 403 for anyone else, before the body is read.
pub struct AdminUser(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for AdminUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let CurrentUser(principal) = CurrentUser::from_request_parts(parts, state).await?;
        principal.require_admin()?;
        Ok(AdminUser(principal))
    }
}

/// A signed-in user who may hold tracking data: the bootstrap administrator is refused (403)
/// before any body is read, like an anonymous caller is (401).
pub struct DataUser(pub Principal);

impl<S: Send + Sync> FromRequestParts<S> for DataUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let CurrentUser(principal) = CurrentUser::from_request_parts(parts, state).await?;
        principal.require_data_access()?;
        Ok(DataUser(principal))
    }
}

/// Password sign-in is possible: refused (403) in single-user mode, before the body is read.
pub struct LocalLogin;

impl FromRequestParts<AppState> for LocalLogin {
    type Rejection = ApiError;

    async fn from_request_parts(_: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if state.app.config.single_user_mode {
            Err(ApiError(Error::Forbidden))
        } else {
            Ok(LocalLogin)
        }
    }
}

/// The caller as resolved by the layer (signed in or not).
impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Caller>()
            .cloned()
            .ok_or_else(|| ApiError(Error::internal("authenticate layer missing")))
    }
}

/// Client IP and user agent, for security events.
pub struct Meta(pub RequestMeta);

impl<S: Send + Sync> FromRequestParts<S> for Meta {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let ip = parts.extensions.get::<ClientIp>().and_then(|c| c.0);
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().take(512).collect());
        Ok(Meta(RequestMeta {
            ip,
            user_agent,
            known_device: crate::cookies::read_known_device(&parts.headers),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_fields_decode_and_duplicates_are_refused() {
        assert_eq!(
            form_field(b"a=1&csrf_token=x%2By+z", "csrf_token").as_deref(),
            Some("x+y z")
        );
        assert_eq!(form_field(b"csrf_token=a&csrf_token=b", "csrf_token"), None);
        assert_eq!(form_field(b"%zz=%", "csrf_token"), None);
        assert_eq!(
            origin_of("https://bills.example.org/app"),
            "https://bills.example.org"
        );
    }
}
