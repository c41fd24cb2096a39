//! A bill as its owner sees it: every field typed, each amount as [`Money`] in the bill's
//! currency, the account details decrypted, and its next due date (computed by
//! [`crate::tracker::next_due`]: the earliest occurrence still owing).

use chrono::{DateTime, NaiveDate, Utc};
use domain::bill::{AmountKind, Apr, AutopayState};
use domain::id::{BillId, CategoryId};
use domain::money::{Currency, Money};
use domain::recurrence::Cycle;
use store::bills::BillRow;

use super::details_aad;
use crate::{App, Error, Result};

/// A bill (the recurring template). Every amount is in the bill's one currency.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bill {
    pub id: BillId,
    pub name: String,
    pub category_id: Option<CategoryId>,
    pub notes: String,
    pub amount_kind: AmountKind,
    pub expected: Money,
    /// Estimated bills only: the range, both ends or neither.
    pub expected_min: Option<Money>,
    pub expected_max: Option<Money>,
    pub cycle: Cycle,
    pub anchor_date: NaiveDate,
    /// 1–31; months shorter than it clamp it to their last day.
    pub due_day: Option<i64>,
    /// The earliest due date still owing (not paid, not skipped), also one in the past; when
    /// nothing owes, the next due date from the owner's today on that is not paid ahead.
    /// `None` for inactive or deleted bills.
    pub next_due: Option<NaiveDate>,
    pub autopay: AutopayState,
    pub autopay_verified_on: Option<NaiveDate>,
    pub auto_mark_paid: bool,
    pub is_subscription: bool,
    /// Reminder lead times in days, ascending.
    pub reminder_days: Vec<i64>,
    pub website: Option<String>,
    /// Decrypted for the owner; stored encrypted.
    pub account_details: Option<String>,
    pub debt_balance: Option<Money>,
    pub apr: Option<Apr>,
    pub min_payment: Option<Money>,
    pub payoff_order: Option<i64>,
    pub is_active: bool,
    /// When it was soft-deleted; `None` while live.
    pub deleted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The version an edit must be based on.
    pub version: i64,
}

impl Bill {
    /// The currency of every amount of the bill.
    pub fn currency(&self) -> Currency {
        self.expected.currency
    }

    /// Whether the bill is a debt: any debt field is set.
    pub fn is_debt(&self) -> bool {
        self.debt_balance.is_some() || self.apr.is_some() || self.min_payment.is_some()
    }

    /// Whether the bill's amount varies (an estimate).
    pub fn is_estimated(&self) -> bool {
        self.amount_kind == AmountKind::Estimated
    }
}

/// `row` as its owner sees it, with its next due date.
pub(super) fn present(app: &App, row: BillRow, next_due: Option<NaiveDate>) -> Result<Bill> {
    let corrupt = |what: &str| Error::internal(format!("bill {} has an invalid {what}", row.id));
    let currency = Currency::parse("currency", &row.currency).map_err(|_| corrupt("currency"))?;
    let account_details = row
        .account_details_enc
        .as_deref()
        .and_then(|sealed| app.decrypt_or_log(details_aad(&row.id.to_string()), sealed));
    let money = |minor: Option<i64>| minor.map(|m| Money::new(m, currency));
    Ok(Bill {
        id: row.id,
        category_id: row.category_id,
        amount_kind: row
            .amount_kind
            .parse()
            .map_err(|_| corrupt("amount kind"))?,
        expected: Money::new(row.expected_minor, currency),
        expected_min: money(row.min_minor),
        expected_max: money(row.max_minor),
        cycle: row.cycle.parse().map_err(|_| corrupt("cycle"))?,
        autopay: row.autopay.parse().map_err(|_| corrupt("autopay state"))?,
        next_due,
        account_details,
        debt_balance: money(row.debt_balance_minor),
        apr: row
            .debt_apr_bp
            .map(Apr::from_basis_points)
            .transpose()
            .map_err(|_| corrupt("APR"))?,
        min_payment: money(row.debt_min_payment_minor),
        payoff_order: row.debt_payoff_order,
        name: row.name,
        notes: row.notes,
        anchor_date: row.anchor_date,
        due_day: row.due_day,
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
