//! Budgets: a spending limit per category and period (monthly or yearly), and how the
//! current period stands against it.
//!
//! Rules and invariants:
//! - One budget per (category, period): a second is `Conflict { field: "category_id" }`
//!   (409). The category must be one of the caller's live categories; anything else is
//!   `Invalid { field: "category_id" }`, so missing and foreign look the same.
//! - A budget's limit is in the user's currency at the time it is made; `spent` counts the
//!   live expenses and bill payments (under their bill's category) **in that currency**
//!   dated in the period that holds the user's today
//!   ([`domain::budget::period_range`]), so a EUR expense never eats into a USD budget.
//! - `percent` and `state` come together from [`domain::budget::budget_use`], the one rule:
//!   the integer part of spent / limit (never below 0), warning from 80 %, exceeded from 100 %.
//! - Sums are exact (`i128` in the store); a total that no longer fits an amount is
//!   `Invalid { field: "amount" }` ("amount is too large"), never a wrapped number.

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, NaiveDate, Utc};
use domain::budget::{BudgetPeriod, BudgetState, budget_use, period_range};
use domain::id::{BudgetId, CategoryId, UserId};
use domain::money::{Currency, Money, TOO_LARGE, parse_positive_amount};
use store::budget_spending::CategoryCurrencySpend;
use store::budgets::{BudgetRow, NewBudget};

use crate::auth::Principal;
use crate::preferences::{self, data_owner};
use crate::{App, Error, Result};

/// A budget and how its current period stands; every amount in the budget's currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Budget {
    pub id: BudgetId,
    pub category_id: CategoryId,
    pub category_name: Option<String>,
    pub period: BudgetPeriod,
    /// First and last day of the current period (the one holding the user's today).
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    pub limit: Money,
    /// Live expenses and bill payments of the category and currency in the current period.
    pub spent: Money,
    /// `limit − spent`; negative once exceeded.
    pub remaining: Money,
    /// The integer part of spent / limit, in percent.
    pub percent: i64,
    pub state: BudgetState,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The version an edit must be based on.
    pub version: i64,
}

impl Budget {
    /// How much more than the limit was spent, when `remaining` is below zero.
    pub fn overspent(&self) -> Option<Money> {
        (self.remaining.minor < 0).then(|| {
            Money::new(
                self.remaining.minor.saturating_neg(),
                self.remaining.currency,
            )
        })
    }
}

/// A budget to create, parsed except for the limit (which needs the user's currency).
#[derive(Debug, Clone)]
pub struct NewBudgetInput {
    pub category_id: CategoryId,
    pub period: BudgetPeriod,
    /// The limit as typed, e.g. `"500"`.
    pub limit: String,
}

/// The caller's budgets with their current spending, by category and period.
pub async fn list(app: &App, principal: &Principal) -> Result<Vec<Budget>> {
    let owner = data_owner(principal)?;
    let rows = app.store.budgets(owner).await?;
    present(app, owner, rows).await
}

/// Creates a budget for one of the caller's categories.
pub async fn create(app: &App, principal: &Principal, input: NewBudgetInput) -> Result<Budget> {
    let owner = data_owner(principal)?;
    let currency = preferences::load(app, owner).await?.currency;
    let limit_minor = parse_positive_amount("limit", &input.limit, currency)?;
    crate::expenses::require_live_category(app, owner, Some(input.category_id)).await?;
    let new = NewBudget {
        category_id: input.category_id,
        period: input.period.as_str().to_owned(),
        limit_minor,
        currency: currency.code().to_owned(),
    };
    let row = app.store.create_budget(owner, &new, app.now()).await?;
    present_one(app, owner, row).await
}

/// Changes a budget's limit if it is still at `version`.
pub async fn update_limit(
    app: &App,
    principal: &Principal,
    id: BudgetId,
    limit: &str,
    version: i64,
) -> Result<Budget> {
    let owner = data_owner(principal)?;
    let old = app.store.budget(owner, id).await?;
    let limit_minor = parse_positive_amount("limit", limit, stored_currency(&old)?)?;
    let row = app
        .store
        .update_budget_limit(owner, id, limit_minor, version, app.now())
        .await?;
    present_one(app, owner, row).await
}

/// Deletes a budget for good.
pub async fn delete(app: &App, principal: &Principal, id: BudgetId) -> Result<()> {
    let owner = data_owner(principal)?;
    Ok(app.store.delete_budget(owner, id).await?)
}

async fn present_one(app: &App, owner: UserId, row: BudgetRow) -> Result<Budget> {
    present(app, owner, vec![row])
        .await?
        .pop()
        .ok_or_else(|| Error::internal("a budget went missing while presenting it"))
}

/// Views of `rows`, reading each period's spending once.
async fn present(app: &App, owner: UserId, rows: Vec<BudgetRow>) -> Result<Vec<Budget>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let today = preferences::load(app, owner).await?.today(app.now());
    let names: BTreeMap<CategoryId, String> = app
        .store
        .categories(owner, true)
        .await?
        .into_iter()
        .map(|c| (c.category.id, c.category.name))
        .collect();
    let mut spending: HashMap<BudgetPeriod, Vec<CategoryCurrencySpend>> = HashMap::new();
    let mut views = Vec::with_capacity(rows.len());
    for row in rows {
        let period: BudgetPeriod = row
            .period
            .parse()
            .map_err(|_| Error::internal(format!("budget {} has an invalid period", row.id)))?;
        let (start, end) = period_range(period, today);
        if let Entry::Vacant(slot) = spending.entry(period) {
            slot.insert(
                app.store
                    .spending_by_category_and_currency(owner, start, end)
                    .await?,
            );
        }
        let spent = spending.get(&period).map_or(0, |spends| {
            spends
                .iter()
                .find(|s| s.category_id == Some(row.category_id) && s.currency == row.currency)
                .map_or(0, |s| s.total_minor)
        });
        let name = names.get(&row.category_id).cloned();
        views.push(view(row, period, (start, end), spent, name)?);
    }
    Ok(views)
}

fn view(
    row: BudgetRow,
    period: BudgetPeriod,
    (period_start, period_end): (NaiveDate, NaiveDate),
    spent: i128,
    category_name: Option<String>,
) -> Result<Budget> {
    let currency = stored_currency(&row)?;
    let too_large = || Error::invalid("amount", TOO_LARGE);
    let spent_minor = i64::try_from(spent).map_err(|_| too_large())?;
    let remaining_minor =
        i64::try_from(i128::from(row.limit_minor) - spent).map_err(|_| too_large())?;
    let used = budget_use(row.limit_minor, spent_minor);
    Ok(Budget {
        id: row.id,
        category_id: row.category_id,
        category_name,
        period,
        period_start,
        period_end,
        limit: Money::new(row.limit_minor, currency),
        spent: Money::new(spent_minor, currency),
        remaining: Money::new(remaining_minor, currency),
        percent: used.percent,
        state: used.state,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}

fn stored_currency(row: &BudgetRow) -> Result<Currency> {
    Currency::parse("currency", &row.currency)
        .map_err(|_| Error::internal(format!("budget {} has an invalid currency", row.id)))
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn budget(limit: i64, spent: i64) -> Budget {
        let at = Utc.timestamp_opt(0, 0).single().unwrap_or_default();
        let day = NaiveDate::MIN;
        Budget {
            id: BudgetId::new(),
            category_id: CategoryId::new(),
            category_name: None,
            period: BudgetPeriod::Monthly,
            period_start: day,
            period_end: day,
            limit: Money::new(limit, Currency::USD),
            spent: Money::new(spent, Currency::USD),
            remaining: Money::new(limit - spent, Currency::USD),
            percent: 0,
            state: BudgetState::Under,
            created_at: at,
            updated_at: at,
            version: 1,
        }
    }

    #[test]
    fn a_budget_spent_past_its_limit_is_overspent_by_the_difference() {
        assert_eq!(
            budget(50_000, 52_500).overspent(),
            Some(Money::new(2_500, Currency::USD))
        );
        assert_eq!(budget(50_000, 50_000).overspent(), None);
        assert_eq!(budget(50_000, 100).overspent(), None);
    }
}
