//! `/api/categories…`: a user's categories, parsed into domain types here (name, `#rrggbb`
//! colour, icon) and handed to `service::categories`.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use domain::category::{CategoryName, Color, Icon};
use domain::id::CategoryId;
use serde::{Deserialize, Deserializer};
use service::categories::{self, CategoryInput, CategoryPatch};

use crate::api::wire::all;
use crate::api::wire::bills::CategoryView;

use super::DataUser;
use crate::AppState;
use crate::api::input::{ApiQuery, flag};
use crate::api::responses::{BadQuery, Denied, Missing, PROBLEM_JSON, Problem, Refused};
use crate::extract::PathId;
use crate::json::ApiJson;
use crate::problem::ApiResult;

/// The colour of a category created without one (slate grey).
const DEFAULT_COLOR: &str = "#64748b";
/// The icon of a category created without one.
const DEFAULT_ICON: &str = "tag";

/// `?include_deleted=`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryListQuery {
    pub include_deleted: Option<String>,
}

/// `GET /api/categories`: the caller's categories by name, with bill counts.
#[utoipa::path(
    get,
    path = "/api/categories",
    operation_id = "list_categories",
    tag = "bills",
    params(("include_deleted" = Option<bool>, Query, description = "Also soft-deleted categories")),
    responses(
        (status = 200, description = "The categories", body = [CategoryView]),
        Denied,
        Refused
    )
)]
pub async fn list(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    ApiQuery(query): ApiQuery<CategoryListQuery>,
) -> ApiResult<Json<Vec<CategoryView>>> {
    let deleted = flag("include_deleted", query.include_deleted.as_deref())?;
    Ok(Json(all(
        &categories::list(&state.app, &user, deleted).await?
    )))
}

/// `POST /api/categories/starter-set`: adds the starter categories (Housing, Utilities, …)
/// the caller does not have yet, by name; answers those it made (none when all exist).
#[utoipa::path(
    post,
    path = "/api/categories/starter-set",
    operation_id = "add_starter_categories",
    tag = "bills",
    responses(
        (status = 200, description = "The categories made", body = [CategoryView]),
        Denied
    )
)]
pub async fn starter_set(
    State(state): State<AppState>,
    DataUser(user): DataUser,
) -> ApiResult<Json<Vec<CategoryView>>> {
    Ok(Json(all(
        &categories::add_starter_set(&state.app, &user).await?
    )))
}

/// `POST /api/categories`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateCategoryRequest {
    /// 1–60 characters, unique among the caller's live categories.
    pub name: String,
    /// `#rrggbb`; default `#64748b`.
    pub color: Option<String>,
    /// 1–32 characters of `a-z`, `0-9`, `-`; default `tag`.
    pub icon: Option<String>,
    /// Whether spending in it counts towards budgets; default true.
    pub is_spending: Option<bool>,
}

/// `POST /api/categories`.
#[utoipa::path(
    post,
    path = "/api/categories",
    operation_id = "create_category",
    tag = "bills",
    request_body = CreateCategoryRequest,
    responses(
        (status = 201, description = "Created", body = CategoryView),
        Denied,
        Refused,
        (status = 409, description = "A live category has this name (`field` is `name`)", body = Problem, content_type = PROBLEM_JSON)
    )
)]
pub async fn create(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    ApiJson(body): ApiJson<CreateCategoryRequest>,
) -> ApiResult<(StatusCode, Json<CategoryView>)> {
    let input = CategoryInput {
        name: CategoryName::parse(&body.name)?,
        color: Color::parse(body.color.as_deref().unwrap_or(DEFAULT_COLOR))?,
        icon: Icon::parse(body.icon.as_deref().unwrap_or(DEFAULT_ICON))?,
        is_spending: body.is_spending.unwrap_or(true),
    };
    let category = categories::create(&state.app, &user, input).await?;
    Ok((StatusCode::CREATED, Json(CategoryView::from(&category))))
}

/// `GET /api/categories/{id}`: a deleted one only with `include_deleted=true` (with `deleted_at`).
#[utoipa::path(
    get,
    path = "/api/categories/{id}",
    operation_id = "get_category",
    tag = "bills",
    params(("id" = String, Path, description = "Category id"), ("include_deleted" = Option<bool>, Query, description = "Also a soft-deleted one (404 otherwise)")),
    responses(
        (status = 200, description = "The category", body = CategoryView),
        Denied,
        Missing,
        BadQuery
    )
)]
pub async fn show(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    PathId(id): PathId<CategoryId>,
    ApiQuery(query): ApiQuery<super::DeletedQuery>,
) -> ApiResult<Json<CategoryView>> {
    let deleted = flag("include_deleted", query.include_deleted.as_deref())?;
    Ok(Json(CategoryView::from(
        &categories::find(&state.app, &user, id, deleted).await?,
    )))
}

/// `PATCH /api/categories/{id}`: any of the fields, with the `version` last seen.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCategoryRequest {
    /// The version the edit is based on; a newer stored version is a conflict (409).
    #[serde(deserialize_with = "domain::version::whole_number")]
    pub version: i64,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = String, required = false)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = String, required = false)]
    pub color: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = String, required = false)]
    pub icon: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = bool, required = false)]
    pub is_spending: Option<bool>,
}

/// A present field that must not be `null`.
fn not_null<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// `PATCH /api/categories/{id}`.
#[utoipa::path(
    patch,
    path = "/api/categories/{id}",
    operation_id = "update_category",
    tag = "bills",
    params(("id" = String, Path, description = "Category id")),
    request_body = UpdateCategoryRequest,
    responses(
        (status = 200, description = "The category as saved", body = CategoryView),
        Denied,
        Missing,
        Refused,
        (status = 409, description = "Changed elsewhere since `version`, or the name is taken (`field` says which)", body = Problem, content_type = PROBLEM_JSON)
    )
)]
pub async fn update(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    PathId(id): PathId<CategoryId>,
    ApiJson(body): ApiJson<UpdateCategoryRequest>,
) -> ApiResult<Json<CategoryView>> {
    let patch = CategoryPatch {
        version: body.version,
        name: body.name.as_deref().map(CategoryName::parse).transpose()?,
        color: body.color.as_deref().map(Color::parse).transpose()?,
        icon: body.icon.as_deref().map(Icon::parse).transpose()?,
        is_spending: body.is_spending,
    };
    Ok(Json(CategoryView::from(
        &categories::update(&state.app, &user, id, patch).await?,
    )))
}

/// `DELETE /api/categories/{id}`: soft delete; its bills keep it.
#[utoipa::path(
    delete,
    path = "/api/categories/{id}",
    operation_id = "delete_category",
    tag = "bills",
    params(("id" = String, Path, description = "Category id")),
    responses(
        (status = 204, description = "Deleted (restorable)"),
        Denied,
        Missing
    )
)]
pub async fn remove(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    PathId(id): PathId<CategoryId>,
) -> ApiResult<StatusCode> {
    categories::delete(&state.app, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `POST /api/categories/{id}/restore`.
#[utoipa::path(
    post,
    path = "/api/categories/{id}/restore",
    operation_id = "restore_category",
    tag = "bills",
    params(("id" = String, Path, description = "Category id")),
    responses(
        (status = 200, description = "The restored category", body = CategoryView),
        Denied,
        Missing,
        (status = 409, description = "A live category took its name meanwhile (`field` is `name`)", body = Problem, content_type = PROBLEM_JSON)
    )
)]
pub async fn restore(
    State(state): State<AppState>,
    DataUser(user): DataUser,
    PathId(id): PathId<CategoryId>,
) -> ApiResult<Json<CategoryView>> {
    Ok(Json(CategoryView::from(
        &categories::restore(&state.app, &user, id).await?,
    )))
}
