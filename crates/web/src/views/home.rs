//! The signed-in landing page. The tracker will live here; until then it is an empty state that
//! points to what already works.

use askama::Template;
use axum::response::{IntoResponse, Response};

use super::{Chrome, Page, Section};

/// `GET /` for a signed-in user.
#[derive(Debug, Clone, Template)]
#[template(path = "home_page.html")]
pub struct HomePage {
    pub chrome: Chrome,
}

impl Page for HomePage {
    fn section(&self) -> Section {
        Section::Tracker
    }
}

impl HomePage {
    /// The page as an HTML response.
    pub fn render(&self) -> Response {
        super::render(self)
    }
}

impl IntoResponse for HomePage {
    fn into_response(self) -> Response {
        self.render()
    }
}
