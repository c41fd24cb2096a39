//! Payments: record, list, read, edit, soft delete and restore, each scoped to the caller's
//! own bills (another user's payment or bill is `NotFound`, like a missing one).
//!
//! Rules and invariants:
//! - A payment's amount is in its bill's currency, so the typed amount is parsed here, once
//!   the bill is known: more decimals than the currency has, zero, negatives and amounts
//!   beyond `i64` are `Invalid { field: "amount" }`.
//! - `cycle_due` names the occurrence the payment settles. Given, it must be a due date of the
//!   bill inside one of its active ranges (an occurrence the tracker shows). Absent,
//!   [`domain::attribution::attribute_payment`] picks it from those occurrences and what has
//!   been paid towards them, so a late payment settles the earlier cycle (see
//!   [`settled_cycle`], in `payments/cycles.rs`).
//! - Sums stay within `i64` (security VAL-02): a payment that would push its occurrence's
//!   total or its debt bill's balance past the range is refused as "amount is too large"
//!   before anything is written, so the totals the tracker reads can never overflow.
//! - Debt bills: the store moves the balance in the same transaction as the payment; the
//!   answers carry the bill's balance after the change.

mod cycles;

use chrono::{DateTime, NaiveDate, Utc};
use domain::bill::Notes;
use domain::id::{BillId, PaymentId, UserId};
use domain::money::{Currency, Money, parse_positive_amount};
use domain::payment::{PaymentMethod, PaymentSource};
use store::bills::BillRow;
use store::payment_queries::PaymentFilter;
use store::payments::{NewPayment, PaymentChanges, PaymentRow};

use crate::auth::Principal;
use crate::preferences::{self, data_owner};
use crate::{App, Error, Result};
pub(crate) use cycles::{check_cycle_room, check_debt_shift, require_occurrence};
pub use cycles::{schedule_of, settled_cycle};

/// A payment as its owner sees it, with its bill's name and (debt bills) balance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub id: PaymentId,
    pub bill_id: BillId,
    pub bill_name: String,
    /// In the bill's currency.
    pub amount: Money,
    pub paid_on: NaiveDate,
    /// The due date of the occurrence (cycle) this payment settles.
    pub cycle_due: NaiveDate,
    pub method: Option<String>,
    pub note: String,
    pub source: PaymentSource,
    /// "Autopay failed, paid manually."
    pub autopay_failed: bool,
    /// Set while the payment is soft-deleted.
    pub deleted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The version an edit must be based on.
    pub version: i64,
    /// Debt bills only: the bill's balance now.
    pub debt_balance: Option<Money>,
}

/// One page of payments, newest first, with the window that was asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payments {
    pub items: Vec<Payment>,
    pub limit: i64,
    pub offset: i64,
}

/// A payment to record, parsed except for the amount (which needs the bill's currency).
#[derive(Debug, Clone)]
pub struct NewPaymentInput {
    pub bill_id: BillId,
    /// The amount as typed, e.g. `"12.34"`.
    pub amount: String,
    /// `None`: the user's today.
    pub paid_on: Option<NaiveDate>,
    /// `None`: chosen by cycle attribution.
    pub cycle_due: Option<NaiveDate>,
    pub method: Option<PaymentMethod>,
    pub note: Notes,
    pub source: PaymentSource,
    pub autopay_failed: bool,
}

/// Changes to a payment; `None` leaves a field alone. The bill and the source never change.
#[derive(Debug, Clone, Default)]
pub struct PaymentPatch {
    pub amount: Option<String>,
    pub paid_on: Option<NaiveDate>,
    pub cycle_due: Option<NaiveDate>,
    /// `Some(None)` removes the method.
    pub method: Option<Option<PaymentMethod>>,
    pub note: Option<Notes>,
    pub autopay_failed: Option<bool>,
}

/// Which payments to list; `limit` and `offset` are already checked by the caller.
#[derive(Debug, Clone)]
pub struct PaymentQuery {
    pub bill_id: Option<BillId>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub include_deleted: bool,
    pub limit: i64,
    pub offset: i64,
}

/// The caller's payments matching `query`, newest first.
pub async fn list(app: &App, principal: &Principal, query: PaymentQuery) -> Result<Payments> {
    let owner = data_owner(principal)?;
    let filter = PaymentFilter {
        bill: query.bill_id,
        from: query.from,
        to: query.to,
        include_deleted: query.include_deleted,
        limit: query.limit,
        offset: query.offset,
    };
    let rows = app.store.payments(owner, &filter).await?;
    // Every payment's bill, deleted ones included, in one read: the currency and name come
    // from there.
    let bills = app.store.bills(owner, true, true).await?;
    let items = rows
        .into_iter()
        .map(|row| {
            let bill = bills
                .iter()
                .find(|bill| bill.id == row.bill_id)
                .ok_or_else(|| Error::internal(format!("payment {} has no bill", row.id)))?;
            view(row, bill)
        })
        .collect::<Result<_>>()?;
    Ok(Payments {
        items,
        limit: query.limit,
        offset: query.offset,
    })
}

/// One of the caller's payments as the API reads it: a soft-deleted one only with
/// `include_deleted` ([`crate::error::unless_deleted`]).
pub async fn find(
    app: &App,
    principal: &Principal,
    id: PaymentId,
    include_deleted: bool,
) -> Result<Payment> {
    let payment = get(app, principal, id).await?;
    let deleted = payment.deleted_at.is_some();
    crate::error::unless_deleted(payment, deleted, include_deleted)
}

/// One of the caller's payments, deleted or not.
pub async fn get(app: &App, principal: &Principal, id: PaymentId) -> Result<Payment> {
    let owner = data_owner(principal)?;
    let row = app.store.payment(owner, id).await?;
    let bill = app.store.bill(owner, row.bill_id).await?;
    view(row, &bill)
}

/// Records a payment towards one of the caller's live bills.
pub async fn record(app: &App, principal: &Principal, input: NewPaymentInput) -> Result<Payment> {
    let owner = data_owner(principal)?;
    let bill = app.store.bill(owner, input.bill_id).await?;
    if bill.deleted_at.is_some() {
        return Err(Error::NotFound);
    }
    let amount = parse_positive_amount("amount", &input.amount, bill_currency(&bill)?)?;
    let paid_on = match input.paid_on {
        Some(date) => date,
        None => preferences::load(app, owner).await?.today(app.now()),
    };
    let cycle_due = match input.cycle_due {
        Some(due) => require_occurrence(app, owner, &bill, due).await?,
        None => settled_cycle(app, owner, &bill, paid_on).await?,
    };
    check_cycle_room(app, owner, bill.id, cycle_due, amount, 0).await?;
    check_debt_shift(&bill, -amount)?;
    let new = NewPayment {
        bill_id: bill.id,
        amount_minor: amount,
        paid_on,
        cycle_due,
        method: method_text(input.method.as_ref()),
        note: input.note.as_str().to_owned(),
        source: input.source.as_str().to_owned(),
        autopay_failed: input.autopay_failed,
    };
    let row = app.store.create_payment(owner, &new, app.now()).await?;
    present_with_bill(app, owner, row).await
}

/// Edits a live payment still at `version`; the debt balance moves by the change in amount.
pub async fn update(
    app: &App,
    principal: &Principal,
    id: PaymentId,
    patch: PaymentPatch,
    version: i64,
) -> Result<Payment> {
    let owner = data_owner(principal)?;
    let old = app.store.payment(owner, id).await?;
    if old.deleted_at.is_some() {
        return Err(Error::NotFound);
    }
    let bill = app.store.bill(owner, old.bill_id).await?;
    let amount = match &patch.amount {
        Some(text) => parse_positive_amount("amount", text, bill_currency(&bill)?)?,
        None => old.amount_minor,
    };
    let cycle_due = match patch.cycle_due {
        Some(due) => require_occurrence(app, owner, &bill, due).await?,
        None => old.cycle_due,
    };
    let replaced = if cycle_due == old.cycle_due {
        old.amount_minor
    } else {
        0
    };
    check_cycle_room(app, owner, bill.id, cycle_due, amount, replaced).await?;
    // Both amounts are positive, so the difference cannot overflow.
    check_debt_shift(&bill, old.amount_minor - amount)?;
    let changes = PaymentChanges {
        amount_minor: amount,
        paid_on: patch.paid_on.unwrap_or(old.paid_on),
        cycle_due,
        method: match &patch.method {
            Some(method) => method_text(method.as_ref()),
            None => old.method,
        },
        note: patch.note.map_or(old.note, |note| note.as_str().to_owned()),
        autopay_failed: patch.autopay_failed.unwrap_or(old.autopay_failed),
    };
    let row = app
        .store
        .update_payment(owner, id, &changes, version, app.now())
        .await?;
    present_with_bill(app, owner, row).await
}

/// Soft-deletes a payment; its debt bill's balance goes back up. Deleting twice is fine.
pub async fn delete(app: &App, principal: &Principal, id: PaymentId) -> Result<()> {
    let owner = data_owner(principal)?;
    let row = app.store.payment(owner, id).await?;
    if row.deleted_at.is_none() {
        let bill = app.store.bill(owner, row.bill_id).await?;
        check_debt_shift(&bill, row.amount_minor)?;
    }
    Ok(app.store.soft_delete_payment(owner, id, app.now()).await?)
}

/// Restores a soft-deleted payment; its debt bill's balance goes down again.
pub async fn restore(app: &App, principal: &Principal, id: PaymentId) -> Result<Payment> {
    let owner = data_owner(principal)?;
    let row = app.store.payment(owner, id).await?;
    if row.deleted_at.is_some() {
        let bill = app.store.bill(owner, row.bill_id).await?;
        check_cycle_room(app, owner, bill.id, row.cycle_due, row.amount_minor, 0).await?;
        check_debt_shift(&bill, -row.amount_minor)?;
        app.store.restore_payment(owner, id, app.now()).await?;
    }
    present_with_bill(app, owner, app.store.payment(owner, id).await?).await
}

/// The bill's currency; a stored code that no longer parses is an internal error.
pub fn bill_currency(bill: &BillRow) -> Result<Currency> {
    Currency::parse("currency", &bill.currency)
        .map_err(|_| Error::internal(format!("bill {} has an invalid currency", bill.id)))
}

fn method_text(method: Option<&PaymentMethod>) -> String {
    method.map_or_else(String::new, |m| m.as_str().to_owned())
}

async fn present_with_bill(app: &App, owner: UserId, row: PaymentRow) -> Result<Payment> {
    let bill = app.store.bill(owner, row.bill_id).await?;
    view(row, &bill)
}

fn view(row: PaymentRow, bill: &BillRow) -> Result<Payment> {
    let currency = bill_currency(bill)?;
    let corrupt = || Error::internal(format!("payment {} has an invalid source", row.id));
    Ok(Payment {
        id: row.id,
        bill_id: row.bill_id,
        bill_name: bill.name.clone(),
        amount: Money::new(row.amount_minor, currency),
        paid_on: row.paid_on,
        cycle_due: row.cycle_due,
        method: (!row.method.is_empty()).then_some(row.method),
        note: row.note,
        source: row.source.parse().map_err(|_| corrupt())?,
        autopay_failed: row.autopay_failed,
        deleted_at: row.deleted_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
        debt_balance: bill
            .debt_balance_minor
            .map(|balance| Money::new(balance, currency)),
    })
}
