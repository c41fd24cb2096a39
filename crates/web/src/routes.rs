//! The route table's types: [`Table`], to which each area adds its routes, and [`RouteSpec`],
//! one (method, path) pair of it. A leaf module: the areas import it, and [`crate::router`]
//! assembles the table from them.

use axum::Router;
use axum::routing::MethodRouter;

use crate::AppState;

/// One route: its method and path template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteSpec {
    pub method: &'static str,
    pub path: &'static str,
}

/// The route table under construction; API modules add their own routes to it.
pub(crate) struct Table {
    router: Router<AppState>,
    /// Routes that take a file upload: they get the larger body limit.
    uploads: Router<AppState>,
    specs: Vec<RouteSpec>,
}

impl Table {
    /// An empty table.
    pub(crate) fn new() -> Self {
        Table {
            router: Router::new(),
            uploads: Router::new(),
            specs: Vec::new(),
        }
    }

    /// The routes, the upload routes, and every (method, path) pair.
    pub(crate) fn into_parts(self) -> (Router<AppState>, Router<AppState>, Vec<RouteSpec>) {
        (self.router, self.uploads, self.specs)
    }

    /// Hands the table to `add_routes` (one area's routes).
    pub(crate) fn then(self, add_routes: fn(Table) -> Table) -> Self {
        add_routes(self)
    }

    pub(crate) fn add(
        mut self,
        method: &'static str,
        path: &'static str,
        handler: MethodRouter<AppState>,
    ) -> Self {
        self.specs.push(RouteSpec { method, path });
        self.router = self.router.route(path, handler);
        self
    }

    /// Adds a route that takes a multipart upload (its path must be one of
    /// [`crate::upload::UPLOAD_PATHS`]).
    pub(crate) fn add_upload(
        mut self,
        method: &'static str,
        path: &'static str,
        handler: MethodRouter<AppState>,
    ) -> Self {
        debug_assert!(crate::auth::is_upload_path(path));
        self.specs.push(RouteSpec { method, path });
        self.uploads = self.uploads.route(path, handler);
        self
    }
}
