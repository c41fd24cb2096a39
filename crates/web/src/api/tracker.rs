//! The tracker, month state and settings: `/api/tracker`, month state, pay-all, `/api/profile/settings`.

use crate::routes::Table;

/// Adds this module's routes to the table.
pub(crate) fn routes(table: Table) -> Table {
    table
}

/// The OpenAPI description of these routes.
#[derive(utoipa::OpenApi)]
#[openapi()]
pub struct Doc;
