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
    specs: Vec<RouteSpec>,
}

impl Table {
    /// An empty table.
    pub(crate) fn new() -> Self {
        Table {
            router: Router::new(),
            specs: Vec::new(),
        }
    }

    /// The routes and their (method, path) pairs.
    pub(crate) fn into_parts(self) -> (Router<AppState>, Vec<RouteSpec>) {
        (self.router, self.specs)
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
}
