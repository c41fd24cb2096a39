//! What the API's handlers share to read their input: strict query strings ([`QueryParams`],
//! [`ApiQuery`]: an unknown or repeated parameter is 422 naming it), the page size bounds,
//! `true`/`false` flags, dates and ids inside a body or query. An id in the path is
//! [`crate::extract::PathId`]; "absent vs null" JSON fields are [`crate::extract::present`].

use std::str::FromStr;

use axum::extract::{FromRequestParts, Query};
use axum::http::StatusCode;
use axum::http::request::Parts;
use chrono::NaiveDate;
use domain::Invalid;
use serde::Deserialize;
use serde::de::DeserializeOwned;

use crate::problem::{ApiError, Problem};

/// The fewest items a page of a list may ask for (`limit`).
pub const PAGE_SIZE_MIN: i64 = 1;
/// The most items a page of a list may ask for (`limit`).
pub const PAGE_SIZE_MAX: i64 = 500;
/// The largest `offset` a list takes.
pub const OFFSET_MAX: i64 = 1_000_000_000;

/// A list route's query string: only `known` names, each at most once and never blank (the
/// document states each parameter's type, and an empty string is none of them).
pub struct QueryParams(Vec<(String, String)>);

impl QueryParams {
    pub fn parse(raw: Option<&str>, known: &[&str]) -> Result<Self, Invalid> {
        let pairs = crate::auth::form_urlencoded_pairs(raw.unwrap_or_default().as_bytes());
        for (i, (name, _)) in pairs.iter().enumerate() {
            let shown: String = name.chars().take(64).collect();
            if !known.contains(&name.as_str()) {
                let reason = format!("is not a parameter here; use {}", known.join(", "));
                return Err(Invalid::new(shown, reason));
            }
            if pairs[..i].iter().any(|(earlier, _)| earlier == name) {
                return Err(Invalid::new(shown, "must be given at most once"));
            }
            if pairs[i].1.trim().is_empty() {
                return Err(Invalid::new(
                    shown,
                    "is empty; leave the parameter out instead",
                ));
            }
        }
        Ok(Self(pairs))
    }

    /// The value of `name`, if given.
    pub fn text(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }

    pub fn date(&self, name: &str) -> Result<Option<NaiveDate>, Invalid> {
        self.text(name).map(|raw| parse_date(name, raw)).transpose()
    }

    pub fn id<T: FromStr>(&self, name: &str) -> Result<Option<T>, Invalid> {
        self.text(name).map(|raw| body_id(name, raw)).transpose()
    }

    /// `true` or `false`; absent is `false`.
    pub fn flag(&self, name: &str) -> Result<bool, Invalid> {
        match self.text(name).map(str::trim) {
            None | Some("false") => Ok(false),
            Some("true") => Ok(true),
            Some(_) => Err(Invalid::new(name, "must be true or false")),
        }
    }

    /// `limit` (1–500, default 50) and `offset` (0 or more, default 0).
    pub fn page(&self) -> Result<(i64, i64), Invalid> {
        let number = |name: &str, default: i64, min: i64, max: i64| match self.text(name) {
            None => Ok(default),
            Some(raw) => raw
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|n| (min..=max).contains(n))
                .ok_or_else(|| Invalid::new(name, format!("must be a whole number {min}–{max}"))),
        };
        Ok((
            number("limit", 50, PAGE_SIZE_MIN, PAGE_SIZE_MAX)?,
            number("offset", 0, 0, OFFSET_MAX)?,
        ))
    }
}

pub use domain::date::parse_date;

/// An optional date field of a body.
pub fn opt_date(field: &str, raw: Option<&str>) -> Result<Option<NaiveDate>, Invalid> {
    raw.map(|raw| parse_date(field, raw)).transpose()
}

/// An id inside a body or query: one that does not parse is an invalid input.
pub fn body_id<T: FromStr>(field: &str, raw: &str) -> Result<T, Invalid> {
    raw.trim()
        .parse()
        .map_err(|_| Invalid::new(field, "must be an id (UUID)"))
}

/// Query parameters, refused like JSON fields: 422 naming the parameter (an unknown or
/// repeated one), instead of the framework's bare 400.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(Self(value)),
            Err(rejection) => {
                let text = rejection.body_text();
                let field = text
                    .split("field `")
                    .nth(1)
                    .and_then(|r| r.split('`').next());
                let problem = Problem::new(StatusCode::UNPROCESSABLE_ENTITY).detail(text.clone());
                Err(match field {
                    Some(field) => problem.field(field),
                    None => problem,
                })
            }
        }
    }
}

/// A query flag: absent or `false` is false, `true` is true, anything else is 422 naming it.
pub(crate) fn flag(field: &str, raw: Option<&str>) -> Result<bool, ApiError> {
    match raw.map(str::trim) {
        None | Some("false") => Ok(false),
        Some("true") => Ok(true),
        Some(_) => Err(domain::Invalid::new(field, "must be true or false").into()),
    }
}

/// `?include_deleted=` of a single item's read.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeletedQuery {
    pub include_deleted: Option<String>,
}
