//! One-off expenses: record, find (filter, literal text search, sort, pagination), read,
//! edit, soft delete and restore, and bulk delete with one undo. Every call is scoped to the
//! caller; another user's expense or category is `NotFound`, like a missing one.
//!
//! Rules and invariants:
//! - An expense has its own currency (the user's by default); its amount is parsed with that
//!   currency's decimals. A negative amount is a refund; zero is refused.
//! - The amount-range filter is typed in the user's currency.
//! - A new or changed category must be one of the caller's live categories; anything else is
//!   `Invalid { field: "category_id" }` (as for bills), so missing and foreign look the same.
//! - A bulk delete marks exactly the rows it deleted with a fresh random undo token; undoing
//!   restores exactly those (see [`store::expenses`]). Ids that are missing, someone else's or
//!   already deleted are reported in `not_found` and left alone.

use chrono::{DateTime, NaiveDate, Utc};
use domain::bill::Notes;
use domain::id::{CategoryId, ExpenseId, UserId};
use domain::money::{Currency, Money, parse_amount};
use domain::payment::{Payee, PaymentMethod};
use store::expense_queries::ExpenseFilter;
pub use store::expense_queries::{ExpenseSort, SortDirection};
use store::expenses::{ExpenseFields, ExpenseRow};

use crate::auth::Principal;
use crate::preferences::{self, data_owner};
use crate::{App, Error, Result};

/// An expense as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expense {
    pub id: ExpenseId,
    /// In the expense's own currency; negative for a refund.
    pub amount: Money,
    pub spent_on: NaiveDate,
    pub category_id: Option<CategoryId>,
    pub payee: Option<String>,
    pub note: String,
    pub method: Option<String>,
    /// Set while the expense is soft-deleted.
    pub deleted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The version an edit must be based on.
    pub version: i64,
}

/// One page of expenses, how many match the filter in all, and the window asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expenses {
    pub items: Vec<Expense>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

/// What a bulk delete did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkDeleted {
    pub deleted: Vec<ExpenseId>,
    /// Missing, someone else's, or already deleted: left alone.
    pub not_found: Vec<ExpenseId>,
    /// Brings the deleted expenses back ([`undo`]); `None` when nothing was deleted.
    pub undo_token: Option<String>,
}

/// A new expense, parsed except for the amount (which needs the currency).
#[derive(Debug, Clone)]
pub struct NewExpenseInput {
    /// The amount as typed, e.g. `"12.34"`.
    pub amount: String,
    /// `None`: the user's currency.
    pub currency: Option<Currency>,
    /// `None`: the user's today.
    pub spent_on: Option<NaiveDate>,
    pub category_id: Option<CategoryId>,
    pub payee: Option<Payee>,
    pub note: Notes,
    pub method: Option<PaymentMethod>,
}

/// Changes to an expense; `None` leaves a field alone, `Some(None)` clears an optional one.
#[derive(Debug, Clone, Default)]
pub struct ExpensePatch {
    pub amount: Option<String>,
    pub currency: Option<Currency>,
    pub spent_on: Option<NaiveDate>,
    pub category_id: Option<Option<CategoryId>>,
    pub payee: Option<Option<Payee>>,
    pub note: Option<Notes>,
    pub method: Option<Option<PaymentMethod>>,
}

/// Which expenses to list and how; `limit`, `offset` and `text` are already checked.
#[derive(Debug, Clone, Default)]
pub struct ExpenseQuery {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub category_id: Option<CategoryId>,
    /// Typed amounts in the user's currency (`min_amount`, `max_amount`).
    pub min_amount: Option<String>,
    pub max_amount: Option<String>,
    /// Searched literally in payee and note.
    pub text: Option<String>,
    pub include_deleted: bool,
    pub sort: ExpenseSort,
    pub direction: SortDirection,
    pub limit: i64,
    pub offset: i64,
}

/// A page of the caller's expenses matching `query`, with the number of all matches.
pub async fn list(app: &App, principal: &Principal, query: ExpenseQuery) -> Result<Expenses> {
    let owner = data_owner(principal)?;
    let currency = preferences::load(app, owner).await?.currency;
    let bound = |field: &str, text: &Option<String>| {
        text.as_deref()
            .map(|text| parse_amount(field, text, currency))
            .transpose()
    };
    let filter = ExpenseFilter {
        from: query.from,
        to: query.to,
        category: query.category_id,
        min_minor: bound("min_amount", &query.min_amount)?,
        max_minor: bound("max_amount", &query.max_amount)?,
        text: query.text,
        include_deleted: query.include_deleted,
    };
    let page = app
        .store
        .expenses(
            owner,
            &filter,
            query.sort,
            query.direction,
            query.limit,
            query.offset,
        )
        .await?;
    Ok(Expenses {
        items: page.rows.into_iter().map(view).collect::<Result<_>>()?,
        total: page.total,
        limit: query.limit,
        offset: query.offset,
    })
}

/// One of the caller's expenses as the API reads it: a soft-deleted one only with
/// `include_deleted` ([`crate::error::unless_deleted`]).
pub async fn find(
    app: &App,
    principal: &Principal,
    id: ExpenseId,
    include_deleted: bool,
) -> Result<Expense> {
    let expense = get(app, principal, id).await?;
    let deleted = expense.deleted_at.is_some();
    crate::error::unless_deleted(expense, deleted, include_deleted)
}

/// One of the caller's expenses, deleted or not.
pub async fn get(app: &App, principal: &Principal, id: ExpenseId) -> Result<Expense> {
    let owner = data_owner(principal)?;
    view(app.store.expense(owner, id).await?)
}

/// Records an expense.
pub async fn create(app: &App, principal: &Principal, input: NewExpenseInput) -> Result<Expense> {
    let owner = data_owner(principal)?;
    let (currency, spent_on) = match (input.currency, input.spent_on) {
        (Some(currency), Some(spent_on)) => (currency, spent_on),
        (currency, spent_on) => {
            let prefs = preferences::load(app, owner).await?;
            (
                currency.unwrap_or(prefs.currency),
                spent_on.unwrap_or_else(|| prefs.today(app.now())),
            )
        }
    };
    let amount_minor = parse_expense_amount(&input.amount, currency)?;
    require_live_category(app, owner, input.category_id).await?;
    let fields = ExpenseFields {
        category_id: input.category_id,
        amount_minor,
        currency: currency.code().to_owned(),
        spent_on,
        payee: input
            .payee
            .map(|p| p.as_str().to_owned())
            .unwrap_or_default(),
        note: input.note.as_str().to_owned(),
        method: input
            .method
            .map(|m| m.as_str().to_owned())
            .unwrap_or_default(),
    };
    view(app.store.create_expense(owner, &fields, app.now()).await?)
}

/// Edits a live expense still at `version`.
pub async fn update(
    app: &App,
    principal: &Principal,
    id: ExpenseId,
    patch: ExpensePatch,
    version: i64,
) -> Result<Expense> {
    let owner = data_owner(principal)?;
    let old = app.store.expense(owner, id).await?;
    if old.deleted_at.is_some() {
        return Err(Error::NotFound);
    }
    let currency = match patch.currency {
        Some(currency) => currency,
        None => stored_currency(&old)?,
    };
    let amount_minor = match &patch.amount {
        Some(text) => parse_expense_amount(text, currency)?,
        // A new currency with other decimals would change what the stored amount means.
        None if currency.exponent() != stored_currency(&old)?.exponent() => {
            return Err(Error::invalid(
                "amount",
                format!("give the amount again in {currency}"),
            ));
        }
        None => old.amount_minor,
    };
    let category_id = patch.category_id.unwrap_or(old.category_id);
    if category_id != old.category_id {
        require_live_category(app, owner, category_id).await?;
    }
    let fields = ExpenseFields {
        category_id,
        amount_minor,
        currency: currency.code().to_owned(),
        spent_on: patch.spent_on.unwrap_or(old.spent_on),
        payee: match patch.payee {
            Some(payee) => payee.map(|p| p.as_str().to_owned()).unwrap_or_default(),
            None => old.payee,
        },
        note: patch.note.map_or(old.note, |note| note.as_str().to_owned()),
        method: match patch.method {
            Some(method) => method.map(|m| m.as_str().to_owned()).unwrap_or_default(),
            None => old.method,
        },
    };
    view(
        app.store
            .update_expense(owner, id, &fields, version, app.now())
            .await?,
    )
}

/// Soft-deletes one expense (deleting twice is fine).
pub async fn delete(app: &App, principal: &Principal, id: ExpenseId) -> Result<()> {
    let owner = data_owner(principal)?;
    Ok(app.store.soft_delete_expense(owner, id, app.now()).await?)
}

/// Restores one soft-deleted expense.
pub async fn restore(app: &App, principal: &Principal, id: ExpenseId) -> Result<Expense> {
    let owner = data_owner(principal)?;
    app.store.restore_expense(owner, id, app.now()).await?;
    view(app.store.expense(owner, id).await?)
}

/// Soft-deletes the caller's live expenses among `ids` under one new undo token.
pub async fn bulk_delete(
    app: &App,
    principal: &Principal,
    ids: &[ExpenseId],
) -> Result<BulkDeleted> {
    let owner = data_owner(principal)?;
    let token = hex::encode(crate::random::bytes::<16>(&*app.random));
    let outcome = app
        .store
        .soft_delete_expenses(owner, ids, &token, app.now())
        .await?;
    Ok(BulkDeleted {
        undo_token: (!outcome.deleted.is_empty()).then_some(token),
        deleted: outcome.deleted,
        not_found: outcome.not_found,
    })
}

/// Brings back exactly the expenses the bulk delete with `token` deleted; says how many came
/// back (0 when the token was used already or is unknown).
pub async fn undo(app: &App, principal: &Principal, token: &str) -> Result<u64> {
    let owner = data_owner(principal)?;
    let token = token.trim();
    if token.is_empty() || token.len() > 128 || !token.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(Error::invalid(
            "undo_token",
            "must be a token returned by a bulk delete",
        ));
    }
    let restored = app
        .store
        .undo_expense_delete(owner, token, app.now())
        .await?;
    Ok(restored)
}

/// Refuses a category that is not one of the owner's live categories, naming `category_id`
/// (missing, deleted and another user's look the same).
pub(crate) async fn require_live_category(
    app: &App,
    owner: UserId,
    category: Option<CategoryId>,
) -> Result<()> {
    let Some(id) = category else {
        return Ok(());
    };
    match app.store.category(owner, id).await {
        Ok(row) if row.deleted_at.is_none() => Ok(()),
        Ok(_) | Err(store::Error::NotFound) => Err(Error::invalid(
            "category_id",
            "must be the id of one of your categories",
        )),
        Err(other) => Err(other.into()),
    }
}

fn parse_expense_amount(text: &str, currency: Currency) -> Result<i64> {
    let minor = parse_amount("amount", text, currency)?;
    if minor == 0 {
        return Err(Error::invalid("amount", "must not be zero"));
    }
    Ok(minor)
}

fn stored_currency(row: &ExpenseRow) -> Result<Currency> {
    Currency::parse("currency", &row.currency)
        .map_err(|_| Error::internal(format!("expense {} has an invalid currency", row.id)))
}

pub(crate) fn view(row: ExpenseRow) -> Result<Expense> {
    let currency = stored_currency(&row)?;
    Ok(Expense {
        id: row.id,
        amount: Money::new(row.amount_minor, currency),
        spent_on: row.spent_on,
        category_id: row.category_id,
        payee: (!row.payee.is_empty()).then_some(row.payee),
        note: row.note,
        method: (!row.method.is_empty()).then_some(row.method),
        deleted_at: row.deleted_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}
