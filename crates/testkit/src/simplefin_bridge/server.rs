//! The protocol routes: `POST /simplefin/claim/{token}` (once) and
//! `GET /simplefin/accounts` (Basic auth, query parameters, faults).

use std::sync::Arc;

use axum::Router;
use axum::extract::{Path, RawQuery, Request, State as Extract};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::wire::{self, Params};
use super::{Fault, Shared, lock};

pub(crate) fn router(state: Shared) -> Router {
    Router::new()
        .route("/simplefin/claim/{token}", post(claim))
        .route("/simplefin/accounts", get(accounts))
        .layer(from_fn_with_state(Arc::clone(&state), count))
        .with_state(state)
}

/// Counts every request, whatever its route.
async fn count(Extract(state): Extract<Shared>, request: Request, next: Next) -> Response {
    lock(&state).requests_total += 1;
    next.run(request).await
}

async fn claim(
    Extract(state): Extract<Shared>,
    headers: HeaderMap,
    Path(token): Path<String>,
) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_owned();
    let mut state = lock(&state);
    let Some(connection) = state.connections.iter_mut().find(|c| c.token == token) else {
        return (StatusCode::FORBIDDEN, "unknown token").into_response();
    };
    if connection.claimed {
        return (StatusCode::FORBIDDEN, "token already claimed").into_response();
    }
    connection.claimed = true;
    let access = format!(
        "http://{}:{}@{host}/simplefin",
        connection.username, connection.password
    );
    (StatusCode::OK, access).into_response()
}

async fn accounts(
    Extract(state): Extract<Shared>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let Some((user, password)) = basic(&headers) else {
        return (StatusCode::FORBIDDEN, "authentication required").into_response();
    };
    let params = Params::parse(query.as_deref().unwrap_or(""));
    let (fault, body) = {
        let mut state = lock(&state);
        let Some(connection) = state
            .connections
            .iter_mut()
            .find(|c| c.claimed && c.username == user && c.password == password)
        else {
            return (StatusCode::FORBIDDEN, "access denied").into_response();
        };
        connection.requests += 1;
        connection.last_query = query.clone();
        (connection.fault.clone(), wire::body(connection, &params))
    };
    match fault {
        None => json(body),
        Some(Fault::Slow(delay)) => {
            tokio::time::sleep(delay).await;
            json(body)
        }
        Some(Fault::Status(code)) => {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, "fault").into_response()
        }
        Some(Fault::RateLimited { retry_after }) => {
            let mut response = (StatusCode::TOO_MANY_REQUESTS, "slow down").into_response();
            if let Some(seconds) = retry_after {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
            }
            response
        }
        Some(Fault::GarbageJson) => json("{\"accounts\": [ this is not json".to_owned()),
        Some(Fault::HugeBody(bytes)) => {
            let mut body = String::with_capacity(bytes);
            body.push_str("{\"errors\":[],\"accounts\":[]");
            body.extend(std::iter::repeat_n(
                ' ',
                bytes.saturating_sub(body.len() + 1),
            ));
            body.push('}');
            json(body)
        }
        Some(Fault::RedirectTo(location)) => {
            let mut response = StatusCode::FOUND.into_response();
            if let Ok(value) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(header::LOCATION, value);
            }
            response
        }
    }
}

fn json(body: String) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

/// The Basic credentials of the request.
fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (user, password) = decoded.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}
