//! Bills and categories on the wire: [`BillView`], [`ActiveRangeView`], [`CategoryView`] and
//! [`CurrencyChangeView`], each from its typed `service` result.

use chrono::{DateTime, NaiveDate, Utc};
use domain::money::{Money, format_minor};
use serde::Serialize;
use service::bills::{ActiveRange, Bill, CurrencyChange};
use service::categories::Category;

/// The decimal text of an amount (`"12.34"`).
fn text(money: Money) -> String {
    format_minor(money.minor, money.currency)
}

/// A bill (the recurring template) in API responses.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BillView {
    pub id: uuid::Uuid,
    pub name: String,
    pub category_id: Option<uuid::Uuid>,
    pub notes: String,
    /// `fixed` or `estimated`.
    pub amount_kind: String,
    /// Decimal text, e.g. `"12.34"`.
    pub expected_amount: String,
    pub expected_amount_minor: i64,
    pub expected_min: Option<String>,
    pub expected_min_minor: Option<i64>,
    pub expected_max: Option<String>,
    pub expected_max_minor: Option<i64>,
    /// ISO 4217 code of every amount of the bill.
    pub currency: String,
    /// `weekly`, `biweekly`, `monthly`, `quarterly`, `semiannual` or `annual`.
    pub cycle: String,
    pub anchor_date: NaiveDate,
    /// 1–31; months shorter than it clamp it to their last day.
    pub due_day: Option<i64>,
    /// The earliest due date still owing (not paid, not skipped), also one in the past: a bill
    /// unpaid since March is next due in March. When nothing owes, the next due date from the
    /// owner's today on that is not paid ahead. `null` for inactive or deleted bills.
    pub next_due: Option<NaiveDate>,
    /// `off`, `assumed` or `verified`.
    pub autopay: String,
    pub autopay_verified_on: Option<NaiveDate>,
    pub auto_mark_paid: bool,
    pub is_subscription: bool,
    /// Reminder lead times in days, ascending.
    pub reminder_days: Vec<i64>,
    pub website: Option<String>,
    /// Decrypted for the owner; stored encrypted.
    pub account_details: Option<String>,
    pub debt_balance: Option<String>,
    pub debt_balance_minor: Option<i64>,
    /// Annual percentage rate, e.g. `"19.99"`.
    pub apr: Option<String>,
    pub min_payment: Option<String>,
    pub min_payment_minor: Option<i64>,
    pub payoff_order: Option<i64>,
    pub is_active: bool,
    /// When it was soft-deleted; `null` while live.
    pub deleted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Send it back with an edit; a newer stored version is a conflict.
    pub version: i64,
}

impl From<&Bill> for BillView {
    fn from(bill: &Bill) -> Self {
        Self {
            id: bill.id.as_uuid(),
            name: bill.name.clone(),
            category_id: bill.category_id.map(|c| c.as_uuid()),
            notes: bill.notes.clone(),
            amount_kind: bill.amount_kind.as_str().to_owned(),
            expected_amount: text(bill.expected),
            expected_amount_minor: bill.expected.minor,
            expected_min: bill.expected_min.map(text),
            expected_min_minor: bill.expected_min.map(|m| m.minor),
            expected_max: bill.expected_max.map(text),
            expected_max_minor: bill.expected_max.map(|m| m.minor),
            currency: bill.currency().code().to_owned(),
            cycle: bill.cycle.as_str().to_owned(),
            anchor_date: bill.anchor_date,
            due_day: bill.due_day,
            next_due: bill.next_due,
            autopay: bill.autopay.as_str().to_owned(),
            autopay_verified_on: bill.autopay_verified_on,
            auto_mark_paid: bill.auto_mark_paid,
            is_subscription: bill.is_subscription,
            reminder_days: bill.reminder_days.clone(),
            website: bill.website.clone(),
            account_details: bill.account_details.clone(),
            debt_balance: bill.debt_balance.map(text),
            debt_balance_minor: bill.debt_balance.map(|m| m.minor),
            apr: bill.apr.map(|apr| apr.percent_text()),
            min_payment: bill.min_payment.map(text),
            min_payment_minor: bill.min_payment.map(|m| m.minor),
            payoff_order: bill.payoff_order,
            is_active: bill.is_active,
            deleted_at: bill.deleted_at,
            created_at: bill.created_at,
            updated_at: bill.updated_at,
            version: bill.version,
        }
    }
}

/// One period in which a bill was active: from `start_date` up to, not including, `end_date`
/// (the day it was deactivated); `end_date` is `null` while the period is open.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub struct ActiveRangeView {
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
}

impl From<&ActiveRange> for ActiveRangeView {
    fn from(range: &ActiveRange) -> Self {
        Self {
            start_date: range.start_date,
            end_date: range.end_date,
        }
    }
}

/// What a currency move did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CurrencyChangeView {
    pub from: String,
    pub to: String,
    /// How many bills moved (0 when none was in `from`).
    pub changed: u64,
}

impl From<&CurrencyChange> for CurrencyChangeView {
    fn from(change: &CurrencyChange) -> Self {
        Self {
            from: change.from.code().to_owned(),
            to: change.to.code().to_owned(),
            changed: change.changed,
        }
    }
}

/// A category as its owner sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct CategoryView {
    pub id: uuid::Uuid,
    pub name: String,
    /// `#rrggbb`, lower case.
    pub color: String,
    /// Icon name (`a-z`, `0-9`, `-`).
    pub icon: String,
    /// Whether spending in this category counts towards budgets and analytics.
    pub is_spending: bool,
    /// How many of the owner's bills (not deleted) are in this category.
    pub bill_count: i64,
    /// When it was soft-deleted; `null` while live.
    pub deleted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Send it back with an edit; a newer stored version is a conflict.
    pub version: i64,
}

impl From<&Category> for CategoryView {
    fn from(c: &Category) -> Self {
        Self {
            id: c.id.as_uuid(),
            name: c.name.clone(),
            color: c.color.clone(),
            icon: c.icon.clone(),
            is_spending: c.is_spending,
            bill_count: c.bill_count,
            deleted_at: c.deleted_at,
            created_at: c.created_at,
            updated_at: c.updated_at,
            version: c.version,
        }
    }
}
