//! Bills, the recurring templates: create, read, edit (optimistic concurrency), deactivate and
//! reactivate with history ranges, soft delete and restore, permanent delete.
//!
//! Invariants:
//! - Every call is scoped to the caller's own data (`data_owner`: the bootstrap administrator
//!   is refused with 403); another user's bill is `NotFound`, exactly like a missing one.
//! - Input is parsed whole before anything is written (`input`); a bill's category must be
//!   one of the caller's live categories (422 naming `category_id` otherwise).
//! - Account details are encrypted at rest, bound to their cell (`bills.account_details_enc`
//!   of the bill's id, which is chosen here before the row exists), and decrypted only in
//!   [`Bill`], which only the owner ever gets.
//! - A new bill is active from its anchor date (its first due date), also when that is in the
//!   past: its occurrences start there, so earlier months show it and a payment made then
//!   settles the occurrence it paid. The unpaid past occurrences can be marked paid in one
//!   undoable action ([`crate::tracker::pay_history`]). Deactivating closes the open active
//!   range, reactivating opens a new one,
//!   so an inactive bill still shows in the months it was active; a reactivation may not
//!   start inside an earlier range.
//! - "Today" is the caller's, in their time zone.
//!
//! Files: `fields` (a bill's fields as typed: the input of create and edit), `input` (parsing
//! them whole), `view` (the typed [`Bill`] answered), `currency` (bills in other currencies
//! than the default, moved in one step). The JSON shapes live in `web/src/api`.

mod currency;
mod fields;
mod input;
mod view;

use chrono::NaiveDate;
use domain::id::{BillId, CategoryId, UserId};
use domain::money::Currency;
use store::bill_activity::BillWithRanges;
use store::bills::{BillRow, NewBill};

pub(crate) use currency::other_currencies_of;
pub use currency::{CurrencyChange, OtherCurrencyBills, change_currency, in_other_currencies};
pub use fields::{ACCOUNT_DETAILS_MAX_CHARS, BillPatch, NewBillInput};
pub use input::parse_date;
/// One period in which a bill was active: `[start_date, end_date)`, open while `end_date` is
/// `None` (the day it was deactivated ends it).
pub use store::bill_activity::ActiveRange;
pub use view::Bill;

use crate::auth::Principal;
use crate::crypto::Aad;
use crate::preferences::{self, Preferences, data_owner};
use crate::tracker::next_due::next_due_dates;
use crate::{App, Error, Result};
use input::{Details, Draft};

/// Where a bill's account details are stored: the cell the ciphertext is bound to.
pub(crate) fn details_aad(row: &str) -> Aad<'_> {
    Aad {
        table: "bills",
        column: "account_details_enc",
        row,
    }
}

/// The caller's data owner and their preferences.
async fn caller(app: &App, principal: &Principal) -> Result<(UserId, Preferences)> {
    let owner = data_owner(principal)?;
    let prefs = preferences::load(app, owner).await?;
    Ok((owner, prefs))
}

/// `row` as its owner sees it, with its next due date (the earliest occurrence still owing).
async fn present(app: &App, owner: UserId, prefs: &Preferences, row: BillRow) -> Result<Bill> {
    let mut next = None;
    if row.is_active && row.deleted_at.is_none() {
        let ranges = app.store.bill_active_ranges(owner, row.id).await?;
        let bill = [BillWithRanges {
            bill: row.clone(),
            ranges,
        }];
        let today = prefs.today(app.now());
        next = next_due_dates(app, owner, prefs, today, &bill)
            .await?
            .remove(&row.id);
    }
    view::present(app, row, next)
}

/// The caller's bills by name: active ones, plus inactive and deleted ones when asked.
pub async fn list(
    app: &App,
    principal: &Principal,
    include_inactive: bool,
    include_deleted: bool,
) -> Result<Vec<Bill>> {
    let (owner, prefs) = caller(app, principal).await?;
    let bills = app
        .store
        .bills_with_ranges(owner, include_inactive, include_deleted)
        .await?;
    let today = prefs.today(app.now());
    let next = next_due_dates(app, owner, &prefs, today, &bills).await?;
    bills
        .into_iter()
        .map(|b| {
            let due = next.get(&b.bill.id).copied();
            view::present(app, b.bill, due)
        })
        .collect()
}

/// One of the caller's bills as the API reads it: a soft-deleted one only with
/// `include_deleted` ([`crate::error::unless_deleted`]).
pub async fn find(
    app: &App,
    principal: &Principal,
    id: BillId,
    include_deleted: bool,
) -> Result<Bill> {
    let bill = get(app, principal, id).await?;
    let deleted = bill.deleted_at.is_some();
    crate::error::unless_deleted(bill, deleted, include_deleted)
}

/// One of the caller's bills, deleted or not.
pub async fn get(app: &App, principal: &Principal, id: BillId) -> Result<Bill> {
    let (owner, prefs) = caller(app, principal).await?;
    present(app, owner, &prefs, app.store.bill(owner, id).await?).await
}

/// Checks `input` as [`create`] would, writing nothing (the bill form checks the bill
/// before it makes the new category the bill goes into).
pub async fn check_new(app: &App, principal: &Principal, input: &NewBillInput) -> Result<()> {
    let owner = data_owner(principal)?;
    let prefs = preferences::load(app, owner).await?;
    let today = prefs.today(app.now());
    input::parse(Draft::new(input.clone(), prefs.currency, today), today)?;
    Ok(())
}

/// Creates a bill from `input` (defaults: the caller's currency, today as the anchor).
pub async fn create(app: &App, principal: &Principal, input: NewBillInput) -> Result<Bill> {
    let owner = data_owner(principal)?;
    let prefs = preferences::load(app, owner).await?;
    let today = prefs.today(app.now());
    let parsed = input::parse(Draft::new(input, prefs.currency, today), today)?;
    require_live_category(app, owner, parsed.template.category_id).await?;
    let id = BillId::new();
    let mut template = parsed.template;
    template.account_details_enc = seal(app, id, parsed.details)?;
    let new = NewBill {
        id,
        active_from: template.anchor_date,
        template,
        debt_balance_minor: parsed.debt_balance,
    };
    let row = match app.store.create_bill(owner, &new, app.now()).await {
        // The category was deleted for good between the check and the insert.
        Err(store::Error::NotFound) => return Err(unknown_category()),
        other => other?,
    };
    present(app, owner, &prefs, row).await
}

/// Changes the fields `patch` names, if the bill is live and still at `patch.version`.
pub async fn update(
    app: &App,
    principal: &Principal,
    id: BillId,
    patch: BillPatch,
) -> Result<Bill> {
    let (owner, prefs) = caller(app, principal).await?;
    let today = prefs.today(app.now());
    let current = app.store.bill(owner, id).await?;
    if current.deleted_at.is_some() {
        return Err(Error::NotFound);
    }
    let version = patch.version;
    if current.version != version {
        return Err(store::Error::Stale.into());
    }
    let parsed = input::parse(Draft::from_row(&current)?.apply(patch), today)?;
    if parsed.template.currency != current.currency {
        refuse_other_decimals(app, owner, &current, &parsed.template.currency).await?;
    }
    if parsed.template.category_id != current.category_id {
        require_live_category(app, owner, parsed.template.category_id).await?;
    }
    let mut template = parsed.template;
    template.account_details_enc = seal(app, id, parsed.details)?;
    let now = app.now();
    let mut row = app
        .store
        .update_bill(owner, id, &template, version, now)
        .await?;
    if parsed.debt_balance != row.debt_balance_minor {
        row = app
            .store
            .set_bill_debt_balance(owner, id, parsed.debt_balance, row.version, now)
            .await?;
    }
    present(app, owner, &prefs, row).await
}

/// A bill's payments are kept in minor units of its currency: a move to a currency with another
/// number of decimals would misread them (1 234 cents as ¥1 234), so it is refused while the
/// bill has payments, deleted ones included (they can be restored). The bill's own amounts are
/// read again as text in the new currency, so they need no such rule.
async fn refuse_other_decimals(
    app: &App,
    owner: UserId,
    current: &BillRow,
    to: &str,
) -> Result<()> {
    let decimals = |code: &str| Currency::parse("currency", code).map(Currency::exponent);
    if decimals(&current.currency)? == decimals(to)? {
        return Ok(());
    }
    let filter = store::payment_queries::PaymentFilter {
        bill: Some(current.id),
        from: None,
        to: None,
        include_deleted: true,
        limit: 1,
        offset: 0,
    };
    if app.store.payments(owner, &filter).await?.is_empty() {
        return Ok(());
    }
    Err(Error::invalid(
        "currency",
        "cannot change to a currency with a different number of decimals while the bill has payments: they would be misread",
    ))
}

/// Soft-deletes a bill: it leaves lists and the tracker; its payments stay.
pub async fn delete(app: &App, principal: &Principal, id: BillId) -> Result<()> {
    let owner = data_owner(principal)?;
    app.store.soft_delete_bill(owner, id, app.now()).await?;
    Ok(())
}

/// Brings a soft-deleted bill back.
pub async fn restore(app: &App, principal: &Principal, id: BillId) -> Result<Bill> {
    let (owner, prefs) = caller(app, principal).await?;
    app.store.restore_bill(owner, id, app.now()).await?;
    present(app, owner, &prefs, app.store.bill(owner, id).await?).await
}

/// Deletes a bill for good with its history, month states and payments; only when the caller
/// confirmed it (422 naming `confirm` otherwise).
pub async fn delete_permanently(
    app: &App,
    principal: &Principal,
    id: BillId,
    confirmed: bool,
) -> Result<()> {
    let owner = data_owner(principal)?;
    if !confirmed {
        return Err(Error::invalid(
            "confirm",
            "must be true to delete the bill and its payments for good",
        ));
    }
    app.store.delete_bill_permanently(owner, id).await?;
    Ok(())
}

/// Deactivates (`active` false) or reactivates a live bill on `on` (default: today). Asking
/// for the state the bill is in changes nothing.
pub async fn set_active(
    app: &App,
    principal: &Principal,
    id: BillId,
    active: bool,
    on: Option<NaiveDate>,
) -> Result<Bill> {
    let (owner, prefs) = caller(app, principal).await?;
    let on = on.unwrap_or(prefs.today(app.now()));
    if active {
        let ranges = app.store.bill_active_ranges(owner, id).await?;
        let last_end = ranges
            .last()
            .and_then(|r| r.end_date.filter(|end| *end > r.start_date));
        if let Some(end) = last_end.filter(|end| on < *end) {
            return Err(Error::invalid(
                "on",
                format!("must not be before {end}, when the bill was last deactivated"),
            ));
        }
    }
    let row = app
        .store
        .set_bill_active(owner, id, active, on, app.now())
        .await?;
    present(app, owner, &prefs, row).await
}

/// When one of the caller's bills was active, oldest first.
pub async fn history(app: &App, principal: &Principal, id: BillId) -> Result<Vec<ActiveRange>> {
    let owner = data_owner(principal)?;
    Ok(app.store.bill_active_ranges(owner, id).await?)
}

/// Encrypts new account details for bill `id`, or keeps the stored ciphertext.
fn seal(app: &App, id: BillId, details: Details) -> Result<Option<String>> {
    match details {
        Details::Keep(sealed) => Ok(sealed),
        Details::Set(None) => Ok(None),
        Details::Set(Some(text)) => app.encrypt(details_aad(&id.to_string()), &text).map(Some),
    }
}

/// Refuses a category that is not one of the owner's live categories.
async fn require_live_category(
    app: &App,
    owner: UserId,
    category: Option<CategoryId>,
) -> Result<()> {
    let Some(id) = category else {
        return Ok(());
    };
    match app.store.category(owner, id).await {
        Ok(row) if row.deleted_at.is_none() => Ok(()),
        Ok(_) | Err(store::Error::NotFound) => Err(unknown_category()),
        Err(other) => Err(other.into()),
    }
}

fn unknown_category() -> Error {
    Error::invalid("category_id", "must be the id of one of your categories")
}
