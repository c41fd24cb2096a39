//! Payments, expenses and budgets on the wire: each amount as decimal text beside its minor
//! units and currency code, from the typed `service` results.

use chrono::{DateTime, NaiveDate, Utc};
use domain::budget::{BudgetPeriod, BudgetState};
use domain::id::{BillId, BudgetId, CategoryId, ExpenseId, PaymentId};
use domain::money::{Money, format_minor};
use serde::Serialize;
use service::budgets::Budget;
use service::expenses::{BulkDeleted, Expense, Expenses};
use service::payments::{Payment, Payments};

/// The decimal text of an amount (`"12.34"`).
fn text(money: Money) -> String {
    format_minor(money.minor, money.currency)
}

/// A payment as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PaymentView {
    #[schema(value_type = String, format = Uuid)]
    pub id: PaymentId,
    #[schema(value_type = String, format = Uuid)]
    pub bill_id: BillId,
    pub bill_name: String,
    /// In the bill's currency, as decimal text.
    #[schema(example = "12.34")]
    pub amount: String,
    #[schema(example = 1234)]
    pub amount_minor: i64,
    #[schema(example = "USD")]
    pub currency: String,
    pub paid_on: NaiveDate,
    /// The due date of the occurrence (cycle) this payment settles.
    pub cycle_due: NaiveDate,
    pub method: Option<String>,
    pub note: String,
    /// `manual`, `import` or `bank`.
    #[schema(example = "manual")]
    pub source: String,
    /// "Autopay failed, paid manually."
    pub autopay_failed: bool,
    /// Set while the payment is soft-deleted.
    pub deleted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Send back with an edit; a different current version is 409.
    pub version: i64,
    /// Debt bills only: the bill's balance now, as decimal text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub debt_balance: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub debt_balance_minor: Option<i64>,
}

impl From<&Payment> for PaymentView {
    fn from(p: &Payment) -> Self {
        Self {
            id: p.id,
            bill_id: p.bill_id,
            bill_name: p.bill_name.clone(),
            amount: text(p.amount),
            amount_minor: p.amount.minor,
            currency: p.amount.currency.code().to_owned(),
            paid_on: p.paid_on,
            cycle_due: p.cycle_due,
            method: p.method.clone(),
            note: p.note.clone(),
            source: p.source.as_str().to_owned(),
            autopay_failed: p.autopay_failed,
            deleted_at: p.deleted_at,
            created_at: p.created_at,
            updated_at: p.updated_at,
            version: p.version,
            debt_balance: p.debt_balance.map(text),
            debt_balance_minor: p.debt_balance.map(|m| m.minor),
        }
    }
}

/// One page of payments, newest first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PaymentPage {
    pub items: Vec<PaymentView>,
    pub limit: i64,
    pub offset: i64,
}

impl From<&Payments> for PaymentPage {
    fn from(page: &Payments) -> Self {
        Self {
            items: page.items.iter().map(PaymentView::from).collect(),
            limit: page.limit,
            offset: page.offset,
        }
    }
}

/// An expense as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExpenseView {
    #[schema(value_type = String, format = Uuid)]
    pub id: ExpenseId,
    /// Decimal text in the expense's currency; negative for a refund.
    #[schema(example = "12.34")]
    pub amount: String,
    #[schema(example = 1234)]
    pub amount_minor: i64,
    #[schema(example = "USD")]
    pub currency: String,
    pub spent_on: NaiveDate,
    #[schema(value_type = Option<String>, format = Uuid)]
    pub category_id: Option<CategoryId>,
    pub payee: Option<String>,
    pub note: String,
    pub method: Option<String>,
    /// Set while the expense is soft-deleted.
    pub deleted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Send back with an edit; a different current version is 409.
    pub version: i64,
}

impl From<&Expense> for ExpenseView {
    fn from(e: &Expense) -> Self {
        Self {
            id: e.id,
            amount: text(e.amount),
            amount_minor: e.amount.minor,
            currency: e.amount.currency.code().to_owned(),
            spent_on: e.spent_on,
            category_id: e.category_id,
            payee: e.payee.clone(),
            note: e.note.clone(),
            method: e.method.clone(),
            deleted_at: e.deleted_at,
            created_at: e.created_at,
            updated_at: e.updated_at,
            version: e.version,
        }
    }
}

/// One page of expenses and how many match the filter in all.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExpensePage {
    pub items: Vec<ExpenseView>,
    pub total: i64,
    pub limit: i64,
    pub offset: i64,
}

impl From<&Expenses> for ExpensePage {
    fn from(page: &Expenses) -> Self {
        Self {
            items: page.items.iter().map(ExpenseView::from).collect(),
            total: page.total,
            limit: page.limit,
            offset: page.offset,
        }
    }
}

/// What a bulk delete did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExpenseBulkDeleteView {
    #[schema(value_type = Vec<String>)]
    pub deleted: Vec<ExpenseId>,
    /// Missing, someone else's, or already deleted: left alone.
    #[schema(value_type = Vec<String>)]
    pub not_found: Vec<ExpenseId>,
    /// Pass to `POST /api/expenses/undo` to bring the deleted expenses back; absent when
    /// nothing was deleted.
    pub undo_token: Option<String>,
}

impl From<&BulkDeleted> for ExpenseBulkDeleteView {
    fn from(done: &BulkDeleted) -> Self {
        Self {
            deleted: done.deleted.clone(),
            not_found: done.not_found.clone(),
            undo_token: done.undo_token.clone(),
        }
    }
}

/// What an undo did.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ExpenseUndoView {
    /// How many expenses came back (0 when the token was used already or is unknown).
    pub restored: u64,
}

/// A budget and how its current period stands.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BudgetView {
    #[schema(value_type = String, format = Uuid)]
    pub id: BudgetId,
    #[schema(value_type = String, format = Uuid)]
    pub category_id: CategoryId,
    pub category_name: Option<String>,
    /// `monthly` or `yearly`.
    #[schema(value_type = String, example = "monthly")]
    pub period: BudgetPeriod,
    /// First and last day of the current period (the one holding the user's today).
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    #[schema(example = "500.00")]
    pub limit: String,
    pub limit_minor: i64,
    #[schema(example = "USD")]
    pub currency: String,
    /// Live expenses of the category and currency in the current period.
    #[schema(example = "400.00")]
    pub spent: String,
    pub spent_minor: i64,
    /// `limit − spent`; negative once exceeded.
    #[schema(example = "100.00")]
    pub remaining: String,
    pub remaining_minor: i64,
    /// The integer part of spent / limit, in percent.
    #[schema(example = 80)]
    pub percent: i64,
    /// `under`, `warning` (from 80 %) or `exceeded` (from 100 %).
    #[schema(value_type = String, example = "warning")]
    pub state: BudgetState,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Send back with an edit; a different current version is 409.
    pub version: i64,
}

impl From<&Budget> for BudgetView {
    fn from(b: &Budget) -> Self {
        Self {
            id: b.id,
            category_id: b.category_id,
            category_name: b.category_name.clone(),
            period: b.period,
            period_start: b.period_start,
            period_end: b.period_end,
            limit: text(b.limit),
            limit_minor: b.limit.minor,
            currency: b.limit.currency.code().to_owned(),
            spent: text(b.spent),
            spent_minor: b.spent.minor,
            remaining: text(b.remaining),
            remaining_minor: b.remaining.minor,
            percent: b.percent,
            state: b.state,
            created_at: b.created_at,
            updated_at: b.updated_at,
            version: b.version,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use domain::money::Currency;
    use domain::payment::PaymentSource;

    use super::*;

    #[test]
    fn a_payment_reads_on_the_wire_as_text_minor_units_and_code_without_absent_debt_fields() {
        let at = Utc
            .timestamp_opt(1_767_225_600, 0)
            .single()
            .unwrap_or_default();
        let day = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap_or_default();
        let id: PaymentId = "01920000-0000-7000-8000-000000000001"
            .parse()
            .unwrap_or_else(|_| PaymentId::new());
        let bill_id: BillId = "01920000-0000-7000-8000-000000000002"
            .parse()
            .unwrap_or_else(|_| BillId::new());
        let payment = Payment {
            id,
            bill_id,
            bill_name: "Rent".into(),
            amount: Money::new(
                -5,
                Currency::parse("currency", "KWD").unwrap_or(Currency::USD),
            ),
            paid_on: day,
            cycle_due: day,
            method: None,
            note: String::new(),
            source: PaymentSource::Bank,
            autopay_failed: false,
            deleted_at: None,
            created_at: at,
            updated_at: at,
            version: 3,
            debt_balance: None,
        };
        let json = serde_json::to_string(&PaymentView::from(&payment)).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"id":"01920000-0000-7000-8000-000000000001","bill_id":"01920000-0000-7000-8000-000000000002","bill_name":"Rent","amount":"-0.005","amount_minor":-5,"currency":"KWD","paid_on":"2026-01-05","cycle_due":"2026-01-05","method":null,"note":"","source":"bank","autopay_failed":false,"deleted_at":null,"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","version":3}"#
        );
    }
}
