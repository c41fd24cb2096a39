//! A user's categories: list (with bill counts), create, edit with optimistic concurrency,
//! soft delete and restore.
//!
//! Inputs arrive parsed ([`CategoryInput`], [`CategoryPatch`] hold domain types), so this module
//! only authorises, merges and stores. Every call is scoped to the caller's own data: another
//! user's category is `NotFound`, exactly like a missing one, and the bootstrap administrator
//! is refused (403). A live category's name is unique per user (409 naming `name`); a deleted
//! one keeps its bills, and its name may be reused.

use chrono::{DateTime, Utc};
use domain::category::{CategoryName, Color, Icon};
use domain::id::{CategoryId, UserId};
use store::categories::{CategoryFields, CategoryRow};

use crate::auth::Principal;
use crate::preferences::data_owner;
use crate::{App, Error, Result};

/// A new category, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryInput {
    pub name: CategoryName,
    pub color: Color,
    pub icon: Icon,
    pub is_spending: bool,
}

/// A change to a category: fields left `None` keep their value. `version` is the version the
/// client last saw; a newer stored version is a conflict (409 naming `version`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CategoryPatch {
    pub version: i64,
    pub name: Option<CategoryName>,
    pub color: Option<Color>,
    pub icon: Option<Icon>,
    pub is_spending: Option<bool>,
}

/// A category as its owner sees it, with how many of their bills (not deleted) are in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub id: CategoryId,
    pub name: String,
    /// `#rrggbb`, lower case.
    pub color: String,
    /// Icon name (`a-z`, `0-9`, `-`).
    pub icon: String,
    /// Whether spending in this category counts towards budgets and analytics.
    pub is_spending: bool,
    pub bill_count: i64,
    /// When it was soft-deleted; `None` while live.
    pub deleted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The version an edit must be based on.
    pub version: i64,
}

impl Category {
    fn new(row: CategoryRow, bill_count: i64) -> Self {
        Self {
            id: row.id,
            name: row.name,
            color: row.color,
            icon: row.icon,
            is_spending: row.is_spending,
            bill_count,
            deleted_at: row.deleted_at,
            created_at: row.created_at,
            updated_at: row.updated_at,
            version: row.version,
        }
    }
}

/// The caller's categories by name, each with its bill count; deleted ones only when asked.
pub async fn list(
    app: &App,
    principal: &Principal,
    include_deleted: bool,
) -> Result<Vec<Category>> {
    let owner = data_owner(principal)?;
    let rows = app.store.categories(owner, include_deleted).await?;
    Ok(rows
        .into_iter()
        .map(|row| Category::new(row.category, row.bill_count))
        .collect())
}

/// One of the caller's categories as the API reads it: a soft-deleted one only with
/// `include_deleted` ([`crate::error::unless_deleted`]).
pub async fn find(
    app: &App,
    principal: &Principal,
    id: CategoryId,
    include_deleted: bool,
) -> Result<Category> {
    let category = get(app, principal, id).await?;
    let deleted = category.deleted_at.is_some();
    crate::error::unless_deleted(category, deleted, include_deleted)
}

/// One of the caller's categories, deleted or not.
pub async fn get(app: &App, principal: &Principal, id: CategoryId) -> Result<Category> {
    let owner = data_owner(principal)?;
    view_of(app, owner, id).await
}

/// The starter set offered to a new account: (name, colour, icon), all counting as spending.
pub const STARTER_SET: [(&str, &str, &str); 9] = [
    ("Housing", "#7c3aed", "home"),
    ("Utilities", "#0284c7", "bolt"),
    ("Phone & internet", "#0f766e", "wifi"),
    ("Insurance", "#475569", "shield"),
    ("Subscriptions", "#db2777", "play"),
    ("Transport", "#b45309", "car"),
    ("Loans & credit", "#dc2626", "card"),
    ("Health", "#15803d", "heart"),
    ("Other", "#6b7280", "tag"),
];

/// Adds the categories of [`STARTER_SET`] the caller does not have yet (by name, ignoring
/// case, among live ones); returns those it made. Each is an ordinary category: editable and
/// deletable like any other.
pub async fn add_starter_set(app: &App, principal: &Principal) -> Result<Vec<Category>> {
    let owner = data_owner(principal)?;
    let existing: Vec<String> = app
        .store
        .categories(owner, false)
        .await?
        .into_iter()
        .map(|row| row.category.name.to_lowercase())
        .collect();
    let mut made = Vec::new();
    for (name, color, icon) in STARTER_SET {
        if existing.contains(&name.to_lowercase()) {
            continue;
        }
        let fields = CategoryFields {
            name: name.to_owned(),
            color: color.to_owned(),
            icon: icon.to_owned(),
            is_spending: true,
        };
        match app.store.create_category(owner, &fields, app.now()).await {
            Ok(row) => made.push(Category::new(row, 0)),
            // Made by another request meanwhile: it exists, which is what was asked.
            Err(store::Error::Conflict { .. }) => {}
            Err(err) => return Err(err.into()),
        }
    }
    Ok(made)
}

/// The caller's live category named `name` (ignoring case), made (in the default colour and
/// icon) when there is none. A bad name is refused naming `field`.
pub async fn find_or_create(
    app: &App,
    principal: &Principal,
    name: &str,
    field: &str,
) -> Result<CategoryId> {
    let owner = data_owner(principal)?;
    let name = CategoryName::parse(name.trim())
        .map_err(|invalid| Error::invalid(field, invalid.reason))?;
    let wanted = name.as_str().to_lowercase();
    let live = app.store.categories(owner, false).await?;
    if let Some(found) = live
        .iter()
        .find(|row| row.category.name.to_lowercase() == wanted)
    {
        return Ok(found.category.id);
    }
    let fields = CategoryFields {
        name: name.as_str().to_owned(),
        color: "#64748b".to_owned(),
        icon: "tag".to_owned(),
        is_spending: true,
    };
    Ok(app
        .store
        .create_category(owner, &fields, app.now())
        .await?
        .id)
}

/// Creates a category; a live one of the same name is a conflict naming `name`.
pub async fn create(app: &App, principal: &Principal, input: CategoryInput) -> Result<Category> {
    let owner = data_owner(principal)?;
    let fields = CategoryFields {
        name: input.name.as_str().to_owned(),
        color: input.color.to_string(),
        icon: input.icon.as_str().to_owned(),
        is_spending: input.is_spending,
    };
    let row = app.store.create_category(owner, &fields, app.now()).await?;
    Ok(Category::new(row, 0))
}

/// Changes the fields the patch names, if the category is still at `patch.version`.
pub async fn update(
    app: &App,
    principal: &Principal,
    id: CategoryId,
    patch: CategoryPatch,
) -> Result<Category> {
    let owner = data_owner(principal)?;
    let current = app.store.category(owner, id).await?;
    if current.deleted_at.is_some() {
        return Err(Error::NotFound);
    }
    let fields = CategoryFields {
        name: patch.name.map_or(current.name, |n| n.as_str().to_owned()),
        color: patch.color.map_or(current.color, |c| c.to_string()),
        icon: patch.icon.map_or(current.icon, |i| i.as_str().to_owned()),
        is_spending: patch.is_spending.unwrap_or(current.is_spending),
    };
    app.store
        .update_category(owner, id, &fields, patch.version, app.now())
        .await?;
    view_of(app, owner, id).await
}

/// Soft-deletes a category; its bills keep it until it is restored or they are edited.
pub async fn delete(app: &App, principal: &Principal, id: CategoryId) -> Result<()> {
    let owner = data_owner(principal)?;
    app.store.soft_delete_category(owner, id, app.now()).await?;
    Ok(())
}

/// Brings a deleted category back; its name taken meanwhile is a conflict naming `name`.
pub async fn restore(app: &App, principal: &Principal, id: CategoryId) -> Result<Category> {
    let owner = data_owner(principal)?;
    app.store.restore_category(owner, id, app.now()).await?;
    view_of(app, owner, id).await
}

/// The caller's category `id` with its bill count (from the list, which counts in one query).
async fn view_of(app: &App, owner: UserId, id: CategoryId) -> Result<Category> {
    app.store
        .categories(owner, true)
        .await?
        .into_iter()
        .find(|row| row.category.id == id)
        .map(|row| Category::new(row.category, row.bill_count))
        .ok_or(Error::NotFound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_starter_set_is_made_of_valid_categories() {
        for (name, color, icon) in STARTER_SET {
            assert!(CategoryName::parse(name).is_ok(), "{name}");
            assert_eq!(
                Color::parse(color).map(|c| c.to_string()),
                Ok(color.to_owned()),
                "{name}"
            );
            assert!(Icon::parse(icon).is_ok(), "{name}");
        }
    }
}
