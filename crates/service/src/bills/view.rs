//! A bill as its owner sees it: every field, money as decimal text beside its minor units, the
//! account details decrypted, and its next due date (computed by
//! [`crate::tracker::next_due`]: the earliest occurrence still owing).

use chrono::{DateTime, NaiveDate, Utc};
use domain::money::{Currency, format_minor};
use serde::Serialize;
use store::bill_activity::ActiveRange;
use store::bills::BillRow;

use super::details_aad;
use super::input::percent_text;
use crate::{App, Error, Result};

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

/// One period in which a bill was active: from `start_date` up to, not including, `end_date`
/// (the day it was deactivated); `end_date` is `null` while the period is open.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
pub struct ActiveRangeView {
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
}

impl From<ActiveRange> for ActiveRangeView {
    fn from(range: ActiveRange) -> Self {
        Self {
            start_date: range.start_date,
            end_date: range.end_date,
        }
    }
}

/// `row` as its owner sees it, with its next due date.
pub(super) fn present(app: &App, row: BillRow, next_due: Option<NaiveDate>) -> Result<BillView> {
    let corrupt = |what: &str| Error::internal(format!("bill {} has an invalid {what}", row.id));
    let currency = Currency::parse("currency", &row.currency).map_err(|_| corrupt("currency"))?;
    let id = row.id.to_string();
    let account_details = row
        .account_details_enc
        .as_deref()
        .and_then(|sealed| app.decrypt_or_log(details_aad(&id), sealed));
    let money = |minor: Option<i64>| minor.map(|m| format_minor(m, currency));
    Ok(BillView {
        id: row.id.as_uuid(),
        category_id: row.category_id.map(|c| c.as_uuid()),
        expected_amount: format_minor(row.expected_minor, currency),
        expected_amount_minor: row.expected_minor,
        expected_min: money(row.min_minor),
        expected_min_minor: row.min_minor,
        expected_max: money(row.max_minor),
        expected_max_minor: row.max_minor,
        next_due,
        account_details,
        debt_balance: money(row.debt_balance_minor),
        debt_balance_minor: row.debt_balance_minor,
        apr: row.debt_apr_bp.map(percent_text),
        min_payment: money(row.debt_min_payment_minor),
        min_payment_minor: row.debt_min_payment_minor,
        payoff_order: row.debt_payoff_order,
        name: row.name,
        notes: row.notes,
        amount_kind: row.amount_kind,
        currency: row.currency,
        cycle: row.cycle,
        anchor_date: row.anchor_date,
        due_day: row.due_day,
        autopay: row.autopay,
        autopay_verified_on: row.autopay_verified_on,
        auto_mark_paid: row.auto_mark_paid,
        is_subscription: row.is_subscription,
        reminder_days: row.reminder_days,
        website: row.website,
        is_active: row.is_active,
        deleted_at: row.deleted_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}
