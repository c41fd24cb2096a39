//! Payments, expenses and budgets: `/api/payments…`, `/api/expenses…`, `/api/budgets…`.

use crate::routes::Table;

/// Adds this module's routes to the table.
pub(crate) fn routes(table: Table) -> Table {
    table
}

/// The OpenAPI description of these routes.
#[derive(utoipa::OpenApi)]
#[openapi()]
pub struct Doc;
