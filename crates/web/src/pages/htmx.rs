//! Which answer a page request wants: htmx marks its requests with `HX-Request: true`, and a
//! request of a boosted link or form (`hx-boost` on `<body>`) also with `HX-Boosted: true`. A
//! boosted request swaps the whole body, so it gets the same page or redirect as a request
//! without JavaScript; only a request an element makes itself (`hx-post` on a form) gets a
//! partial. Nothing is trusted from these headers beyond that choice of shape: the partial is
//! built by the same handler, with the same checks, as the page.

use std::convert::Infallible;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

/// `HX-Request` without `HX-Boosted`: the caller wants a partial answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Htmx {
    pub partial: bool,
}

impl<S: Send + Sync> FromRequestParts<S> for Htmx {
    type Rejection = Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let set = |name: &str| {
            parts
                .headers
                .get(name)
                .is_some_and(|value| value.as_bytes() == b"true")
        };
        Ok(Self {
            partial: set("hx-request") && !set("hx-boosted"),
        })
    }
}
