//! `/api/budgets…`: spending limits per category and period, each listed with what was spent
//! in the current period, what remains, the percentage and the under / warning / exceeded
//! state. Registered and documented through [`super::money`].

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get, patch, post};
use domain::Invalid;
use domain::budget::BudgetPeriod;
use domain::id::BudgetId;
use serde::Deserialize;
use service::budgets::{self, NewBudgetInput};

use super::input::body_id;
use super::wire::all;
use super::wire::money::BudgetView;
use crate::AppState;
use crate::api::responses::{Denied, Missing, PROBLEM_JSON, Problem, Refused};
use crate::auth::DataUser;
use crate::extract::PathId;
use crate::json::ApiJson;
use crate::problem::ApiResult;
use crate::routes::Table;

/// Adds the budget routes to the table.
pub(crate) fn routes(table: Table) -> Table {
    table
        .add("GET", "/api/budgets", get(list_budgets))
        .add("POST", "/api/budgets", post(create_budget))
        .add("PATCH", "/api/budgets/{id}", patch(update_budget))
        .add("DELETE", "/api/budgets/{id}", delete(delete_budget))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateBudgetRequest {
    #[schema(format = Uuid)]
    pub category_id: String,
    /// `monthly` or `yearly`.
    #[schema(example = "monthly")]
    pub period: String,
    /// Greater than zero, in the user's currency.
    #[schema(example = "500.00")]
    pub limit: String,
}

impl CreateBudgetRequest {
    fn parse(self) -> Result<NewBudgetInput, Invalid> {
        Ok(NewBudgetInput {
            category_id: body_id("category_id", &self.category_id)?,
            period: self.period.parse::<BudgetPeriod>()?,
            limit: self.limit,
        })
    }
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateBudgetRequest {
    /// Greater than zero, in the budget's currency.
    #[schema(example = "600.00")]
    pub limit: String,
    /// The version this edit is based on.
    #[serde(deserialize_with = "domain::version::whole_number")]
    pub version: i64,
}

/// `GET /api/budgets`: the caller's budgets with the current period's spending.
#[utoipa::path(
    get,
    path = "/api/budgets",
    tag = "money",
    responses(
        (status = 200, description = "OK", body = [BudgetView]),
        Denied,
        (status = 422, description = "A total is beyond the amount range (`field` is `amount`)", body = Problem, content_type = PROBLEM_JSON)
    )
)]
pub async fn list_budgets(
    State(state): State<AppState>,
    DataUser(user): DataUser,
) -> ApiResult<Json<Vec<BudgetView>>> {
    Ok(Json(all(&budgets::list(&state.app, &user).await?)))
}

/// `POST /api/budgets`: one budget per category and period.
#[utoipa::path(
    post,
    path = "/api/budgets",
    tag = "money",
    request_body = CreateBudgetRequest,
    responses(
        (status = 201, description = "Created", body = BudgetView),
        Denied,
        Refused,
        (status = 409, description = "This category already has a budget for this period", body = Problem, content_type = PROBLEM_JSON)
    )
)]
pub async fn create_budget(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    ApiJson(body): ApiJson<CreateBudgetRequest>,
) -> ApiResult<(StatusCode, Json<BudgetView>)> {
    let input = body.parse()?;
    let budget = budgets::create(&state.app, &user, input).await?;
    Ok((StatusCode::CREATED, Json(BudgetView::from(&budget))))
}

/// `PATCH /api/budgets/{id}`: changes the limit.
#[utoipa::path(
    patch,
    path = "/api/budgets/{id}",
    tag = "money",
    params(("id" = String, Path, description = "Budget id")),
    request_body = UpdateBudgetRequest,
    responses(
        (status = 200, description = "OK", body = BudgetView),
        Denied,
        Missing,
        Refused,
        (status = 409, description = "Changed since `version`", body = Problem, content_type = PROBLEM_JSON)
    )
)]
pub async fn update_budget(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    PathId(id): PathId<BudgetId>,
    ApiJson(body): ApiJson<UpdateBudgetRequest>,
) -> ApiResult<Json<BudgetView>> {
    let budget = budgets::update_limit(&state.app, &user, id, &body.limit, body.version).await?;
    Ok(Json(BudgetView::from(&budget)))
}

/// `DELETE /api/budgets/{id}`: deletes a budget for good.
#[utoipa::path(
    delete,
    path = "/api/budgets/{id}",
    tag = "money",
    params(("id" = String, Path, description = "Budget id")),
    responses(
        (status = 204, description = "Deleted"),
        Denied,
        Missing
    )
)]
pub async fn delete_budget(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    PathId(id): PathId<BudgetId>,
) -> ApiResult<StatusCode> {
    budgets::delete(&state.app, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The OpenAPI description of these routes (merged into [`super::money::Doc`]).
#[derive(utoipa::OpenApi)]
#[openapi(paths(list_budgets, create_budget, update_budget, delete_budget))]
pub struct Doc;
