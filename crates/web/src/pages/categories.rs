//! The categories page (`GET /categories`) and its forms: create, edit (name, colour,
//! spending, with the version for optimistic concurrency), delete (soft, with Restore in the
//! banner and in the deleted list) and restore.
//!
//! Names and colours are parsed here into domain types (each refusal names its field); a
//! refused form comes back as the page with 422 (409 for a taken name or a stale version) and
//! the message under the field, typed values kept. A category id that does not parse, does
//! not exist or belongs to someone else is the 404 page.

use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use domain::Invalid;
use domain::category::{CategoryName, Color, Icon};
use domain::id::CategoryId;
use serde::Deserialize;
use service::auth::Principal;
use service::categories::{self, CategoryInput, CategoryPatch, CategoryView};
use service::{App, Error};

use super::bills::present::field_error;
use super::common::{DataPageUser, failed, forbidden, message, with_cookie};
use super::forms::{CsrfForm, checked, error_message, failed_or_404, param, parse_id, version};
use super::{PageContext, chrome, error_page, see_other};
use crate::AppState;
use crate::auth::Caller;
use crate::locale::Locale;
use crate::routes::Table;
use crate::views::categories::{CategoriesPage, CategoryFields, CategoryItem};
use crate::views::render;

/// The colour of a category created without one (slate grey, as in the JSON API).
const DEFAULT_COLOR: &str = "#64748b";
/// The icon of a category created here (the form does not offer icons).
const DEFAULT_ICON: &str = "tag";

/// The page's banners, by code.
const NOTICES: [(&str, &str); 5] = [
    ("created", "Category added."),
    (
        "starter_added",
        "Starter categories added. Edit or delete them as you like.",
    ),
    ("saved", "Category saved."),
    (
        "deleted",
        "Category deleted. Its bills keep it until you restore it or edit them.",
    ),
    ("restored", "Category restored."),
];

/// The page's error banners, by code (those of [`super::common::failed`] whose words are
/// this page's; the rest are [`error_message`]'s).
const ERRORS: [(&str, &str); 2] = [
    ("not_found", "That category no longer exists."),
    (
        "conflict",
        "A category with that name already exists; rename one of them first.",
    ),
];

/// The categories page's routes.
pub(crate) fn routes(table: Table) -> Table {
    use axum::routing::{get, post};
    table
        .add("GET", "/categories", get(list))
        .add("POST", "/categories", post(create))
        .add("POST", "/categories/starter-set", post(starter_set))
        .add("POST", "/categories/{id}", post(update))
        .add("POST", "/categories/{id}/delete", post(delete))
        .add("POST", "/categories/{id}/restore", post(restore))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StarterForm {
    /// `/bills/new` to go back to the bill form; anything else is the categories page.
    pub return_to: Option<String>,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

/// `POST /categories/starter-set`: adds the starter categories the caller lacks, then back to
/// the categories page (or the new-bill form that offered them).
pub async fn starter_set(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    Form(form): Form<StarterForm>,
) -> Response {
    let to = match form.return_to.as_deref() {
        Some("/bills/new") => "/bills/new",
        _ => "/categories",
    };
    let result = categories::add_starter_set(&state.app, &user).await;
    super::forms::done(&state.app, &caller, &ctx, result, to, "starter_added")
}

/// `(field, message)` of a refused form.
type Errors = Vec<(String, String)>;

/// What a refused form brings back to the page.
#[derive(Debug, Default)]
struct Refusal {
    status: Option<StatusCode>,
    create: Option<(CategoryFields, Errors)>,
    /// The edited category, what was typed, and the errors.
    edit: Option<(String, CategoryFields, Errors)>,
}

fn item(l: &Locale, c: &CategoryView) -> CategoryItem {
    let id = c.id.to_string();
    CategoryItem {
        bills_href: format!("/bills?show=active&category={id}"),
        name: c.name.clone(),
        color: c.color.clone(),
        is_spending: c.is_spending,
        bill_count: c.bill_count,
        deleted_on: c
            .deleted_at
            .map(|at| format!("Deleted {}", l.date_of(at)))
            .unwrap_or_default(),
        form: CategoryFields {
            name: c.name.clone(),
            color: c.color.clone(),
            is_spending: if c.is_spending { "true" } else { "" }.to_owned(),
            version: c.version.to_string(),
        },
        errors: Vec::new(),
        open: false,
        id,
    }
}

/// Renders the page with the banners and a refused form, if any.
async fn show_page(
    app: &App,
    caller: &Caller,
    ctx: &PageContext,
    user: &Principal,
    banners: (Option<String>, Option<String>, Option<String>),
    refusal: Refusal,
) -> Response {
    let all = match categories::list(app, user, true).await {
        Ok(all) => all,
        Err(Error::Forbidden) => return forbidden(app, caller, ctx),
        Err(err) => {
            tracing::error!(error = %err, "categories page failed");
            return error_page(
                app,
                caller,
                ctx,
                StatusCode::SERVICE_UNAVAILABLE,
                "The page could not be shown; try again in a moment.",
            );
        }
    };
    let mut summary = Vec::new();
    let (mut rows, mut deleted) = (Vec::new(), Vec::new());
    for c in &all {
        let mut row = item(&ctx.locale, c);
        if let Some((id, typed, errors)) = &refusal.edit
            && *id == row.id
        {
            for (field, message) in errors {
                summary.push((row.field_id(field), message.clone()));
            }
            row.form = typed.clone();
            row.errors = errors.clone();
            row.open = true;
        }
        if c.deleted_at.is_some() {
            deleted.push(row);
        } else {
            rows.push(row);
        }
    }
    let (create, create_errors) = refusal.create.unwrap_or_else(|| {
        let defaults = CategoryFields {
            color: DEFAULT_COLOR.to_owned(),
            is_spending: "true".to_owned(),
            ..CategoryFields::default()
        };
        (defaults, Vec::new())
    });
    for (field, message) in &create_errors {
        summary.push((format!("new-{field}"), message.clone()));
    }
    let (notice, error, undo) = banners;
    let (chrome, cookie) = chrome(app, caller, ctx, "Categories");
    let page = CategoriesPage {
        chrome,
        status: refusal.status.unwrap_or(StatusCode::OK),
        rows,
        deleted,
        create,
        create_errors,
        summary,
        notice,
        error,
        undo,
    };
    with_cookie(render(&page), cookie)
}

/// `GET /categories` (plus `notice`, `error` and `undo` — a just-deleted category — after a
/// form).
pub async fn list(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let code = |name: &str| param(&pairs, name);
    let banners = (
        message(&NOTICES, code("notice")),
        error_message(&ERRORS, code("error")),
        code("undo")
            .and_then(|raw| raw.parse::<CategoryId>().ok())
            .map(|id| id.to_string()),
    );
    show_page(
        &state.app,
        &caller,
        &ctx,
        &user,
        banners,
        Refusal::default(),
    )
    .await
}

#[derive(Deserialize)]
pub struct CategoryForm {
    #[serde(flatten)]
    pub fields: CategoryFields,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

/// A refusal as `(status, errors)`; `None` for failures that are not about the form.
fn form_errors(err: &Error) -> Option<(StatusCode, Errors)> {
    match err {
        Error::Invalid(invalid) => Some((
            StatusCode::UNPROCESSABLE_ENTITY,
            vec![field_error(invalid)],
        )),
        Error::Conflict { field, .. } if field == "name" => Some((
            StatusCode::CONFLICT,
            vec![(
                "name".to_owned(),
                "Name is already used by another of your categories".to_owned(),
            )],
        )),
        Error::Conflict { .. } => Some((
            StatusCode::CONFLICT,
            vec![(
                "version".to_owned(),
                "This category was changed elsewhere since you opened the page, so nothing was saved. Reload the page and try again.".to_owned(),
            )],
        )),
        _ => None,
    }
}

fn input(f: &CategoryFields) -> Result<CategoryInput, Invalid> {
    Ok(CategoryInput {
        name: CategoryName::parse(&f.name)?,
        color: Color::parse(&f.color)?,
        icon: Icon::parse(DEFAULT_ICON)?,
        is_spending: checked(&f.is_spending),
    })
}

/// `POST /categories`.
pub async fn create(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    Form(form): Form<CategoryForm>,
) -> Response {
    let app = &state.app;
    let result = match input(&form.fields) {
        Ok(input) => categories::create(app, &user, input).await.map(|_| ()),
        Err(invalid) => Err(invalid.into()),
    };
    match result {
        Ok(()) => see_other("/categories?notice=created"),
        Err(err) => match form_errors(&err) {
            Some((status, errors)) => {
                let refusal = Refusal {
                    status: Some(status),
                    create: Some((form.fields, errors)),
                    edit: None,
                };
                show_page(app, &caller, &ctx, &user, (None, None, None), refusal).await
            }
            None => failed(app, &caller, &ctx, "/categories", err),
        },
    }
}

fn not_found(app: &App, caller: &Caller, ctx: &PageContext) -> Response {
    error_page(
        app,
        caller,
        ctx,
        StatusCode::NOT_FOUND,
        "That category does not exist.",
    )
}

fn patch(f: &CategoryFields) -> Result<CategoryPatch, Invalid> {
    Ok(CategoryPatch {
        version: version(&f.version),
        name: Some(CategoryName::parse(&f.name)?),
        color: Some(Color::parse(&f.color)?),
        icon: None,
        is_spending: Some(checked(&f.is_spending)),
    })
}

/// `POST /categories/{id}`: saves the edit if the category is still at the form's version.
pub async fn update(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    Path(id): Path<String>,
    Form(form): Form<CategoryForm>,
) -> Response {
    let app = &state.app;
    let Ok(id) = parse_id::<CategoryId>(&id) else {
        return not_found(app, &caller, &ctx);
    };
    let result = match patch(&form.fields) {
        Ok(patch) => categories::update(app, &user, id, patch).await.map(|_| ()),
        Err(invalid) => Err(invalid.into()),
    };
    match result {
        Ok(()) => see_other("/categories?notice=saved"),
        Err(err) => match form_errors(&err) {
            Some((status, errors)) => {
                let refusal = Refusal {
                    status: Some(status),
                    create: None,
                    edit: Some((id.to_string(), form.fields, errors)),
                };
                show_page(app, &caller, &ctx, &user, (None, None, None), refusal).await
            }
            None => failed_or_404(app, &caller, &ctx, "/categories", err, not_found),
        },
    }
}

/// `POST /categories/{id}/delete`: soft delete; the banner offers Restore.
pub async fn delete(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    Path(id): Path<String>,
    Form(_form): Form<CsrfForm>,
) -> Response {
    let app = &state.app;
    let Ok(id) = parse_id::<CategoryId>(&id) else {
        return not_found(app, &caller, &ctx);
    };
    match categories::delete(app, &user, id).await {
        Ok(()) => see_other(&format!("/categories?notice=deleted&undo={id}")),
        Err(err) => failed_or_404(app, &caller, &ctx, "/categories", err, not_found),
    }
}

/// `POST /categories/{id}/restore`; a live category that took its name meanwhile is a banner.
pub async fn restore(
    State(state): State<AppState>,
    DataPageUser(user): DataPageUser,
    caller: Caller,
    ctx: PageContext,
    Path(id): Path<String>,
    Form(_form): Form<CsrfForm>,
) -> Response {
    let app = &state.app;
    let Ok(id) = parse_id::<CategoryId>(&id) else {
        return not_found(app, &caller, &ctx);
    };
    match categories::restore(app, &user, id).await {
        Ok(_) => see_other("/categories?notice=restored"),
        Err(err) => failed_or_404(app, &caller, &ctx, "/categories", err, not_found),
    }
}
