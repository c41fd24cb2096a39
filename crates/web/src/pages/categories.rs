//! The categories page (`GET /categories`) and its forms: create, edit (name, colour,
//! spending, with the version for optimistic concurrency), delete (soft, with Restore in the
//! banner and in the deleted list) and restore.
//!
//! Names and colours are parsed here into domain types (each refusal names its field); a
//! refused form comes back as the page with 422 (409 for a taken name or a stale version) and
//! the message under the field, typed values kept. A category id that does not parse, does
//! not exist or belongs to someone else is the 404 page.

use axum::Form;
use axum::extract::Query;
use axum::http::StatusCode;
use domain::Invalid;
use domain::category::{CategoryName, Color, Icon};
use domain::id::CategoryId;
use serde::Deserialize;
use service::Error;
use service::categories::{self, Category, CategoryInput, CategoryPatch};

use super::bills::present::field_error;
use super::common::{message, with_cookie};
use super::forms::{CsrfForm, checked, error_message, param, version};
use super::kit::{DataPage, Fail, PageResult};
use super::{chrome, see_other};
use crate::extract::PathId;
use crate::links;
use crate::locale::Locale;
use crate::pages::with_notice;
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
        .add("GET", links::CATEGORIES.path(), get(list))
        .add("POST", links::CATEGORIES.path(), post(create))
        .add(
            "POST",
            links::CATEGORIES_STARTER_SET.path(),
            post(starter_set),
        )
        .add("POST", links::CATEGORY.template(), post(update))
        .add("POST", links::CATEGORY_DELETE.template(), post(delete))
        .add("POST", links::CATEGORY_RESTORE.template(), post(restore))
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
pub async fn starter_set(page: DataPage, Form(form): Form<StarterForm>) -> PageResult {
    let to = match form.return_to.as_deref() {
        Some(to) if to == links::BILL_NEW.path() => links::BILL_NEW.path(),
        _ => links::CATEGORIES.path(),
    };
    categories::add_starter_set(&page.app, &page.user)
        .await
        .back_to(to)?;
    Ok(with_notice(to, "starter_added"))
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

fn item(l: &Locale, c: &Category) -> CategoryItem {
    let id = c.id.to_string();
    CategoryItem {
        bills_href: format!("{}?show=active&category={id}", links::BILLS),
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
    page: &DataPage,
    banners: (Option<String>, Option<String>, Option<String>),
    refusal: Refusal,
) -> PageResult {
    let all = categories::list(&page.app, &page.user, true)
        .await
        .not_shown("The categories could not be shown")?;
    let ctx = page.context().await;
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
    let (chrome, cookie) = chrome(&page.app, &page.caller, &ctx, "Categories");
    let view = CategoriesPage {
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
    Ok(with_cookie(render(&view), cookie))
}

/// `GET /categories` (plus `notice`, `error` and `undo` — a just-deleted category — after a
/// form).
pub async fn list(page: DataPage, Query(pairs): Query<Vec<(String, String)>>) -> PageResult {
    let code = |name: &str| param(&pairs, name);
    let banners = (
        message(&NOTICES, code("notice")),
        error_message(&ERRORS, code("error")),
        code("undo")
            .and_then(|raw| raw.parse::<CategoryId>().ok())
            .map(|id| id.to_string()),
    );
    show_page(&page, banners, Refusal::default()).await
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
pub async fn create(page: DataPage, Form(form): Form<CategoryForm>) -> PageResult {
    let result = match input(&form.fields) {
        Ok(input) => categories::create(&page.app, &page.user, input).await,
        Err(invalid) => Err(invalid.into()),
    };
    match result {
        Ok(_) => Ok(with_notice(links::CATEGORIES.path(), "created")),
        Err(err) => refused(&page, err, None, form.fields).await,
    }
}

/// A refused form: the page again with the typed values and the message under the field (422,
/// 409 for a taken name or a stale version), or the failure's usual answer.
async fn refused(
    page: &DataPage,
    err: Error,
    edited: Option<CategoryId>,
    typed: CategoryFields,
) -> PageResult {
    let Some((status, errors)) = form_errors(&err) else {
        return Err(err)
            .back_to(links::CATEGORIES.path())
            .missing(NOT_FOUND);
    };
    let refusal = match edited {
        None => Refusal {
            status: Some(status),
            create: Some((typed, errors)),
            edit: None,
        },
        Some(id) => Refusal {
            status: Some(status),
            create: None,
            edit: Some((id.to_string(), typed, errors)),
        },
    };
    show_page(page, (None, None, None), refusal).await
}

/// The 404 page's words for a category that is missing or someone else's.
const NOT_FOUND: &str = "That category does not exist.";

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
    page: DataPage,
    PathId(id): PathId<CategoryId>,
    Form(form): Form<CategoryForm>,
) -> PageResult {
    let result = match patch(&form.fields) {
        Ok(patch) => categories::update(&page.app, &page.user, id, patch).await,
        Err(invalid) => Err(invalid.into()),
    };
    match result {
        Ok(_) => Ok(with_notice(links::CATEGORIES.path(), "saved")),
        Err(err) => refused(&page, err, Some(id), form.fields).await,
    }
}

/// `POST /categories/{id}/delete`: soft delete; the banner offers Restore.
pub async fn delete(
    page: DataPage,
    PathId(id): PathId<CategoryId>,
    _: Form<CsrfForm>,
) -> PageResult {
    let deleted = categories::delete(&page.app, &page.user, id).await;
    deleted
        .back_to(links::CATEGORIES.path())
        .missing(NOT_FOUND)?;
    let to = links::CATEGORIES.with("notice", "deleted");
    Ok(see_other(&links::with_param(&to, "undo", &id.to_string())))
}

/// `POST /categories/{id}/restore`; a live category that took its name meanwhile is a banner.
pub async fn restore(
    page: DataPage,
    PathId(id): PathId<CategoryId>,
    _: Form<CsrfForm>,
) -> PageResult {
    let restored = categories::restore(&page.app, &page.user, id).await;
    restored
        .back_to(links::CATEGORIES.path())
        .missing(NOT_FOUND)?;
    Ok(with_notice(links::CATEGORIES.path(), "restored"))
}
