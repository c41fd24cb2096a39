//! Extractors and deserialisers the pages and the API share: [`PathId`], an id from the path
//! parsed once into its domain type (one that does not parse is a 404, like a missing one), and
//! [`present`], the "absent vs null" reader of a JSON field.

use std::str::FromStr;

use axum::extract::{FromRequestParts, Path};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::{Deserialize, Deserializer};

/// The path's one `{id}` parsed into `T` (a domain id such as `BillId`). An id that does not
/// parse answers 404 — the same as a record that does not exist or is someone else's — as a
/// bare status that the page presenter draws as the 404 page and `observe` turns into problem
/// details on the API.
pub struct PathId<T>(pub T);

impl<S: Send + Sync, T: FromStr + Send> FromRequestParts<S> for PathId<T> {
    type Rejection = StatusCode;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|_| StatusCode::NOT_FOUND)?;
        raw.parse().map(PathId).map_err(|_| StatusCode::NOT_FOUND)
    }
}

/// A JSON field that may be absent (`None`, leave unchanged), `null` (`Some(None)`, clear it)
/// or a value (`Some(Some(v))`). Use with `#[serde(default, deserialize_with = "present")]`.
pub fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}
