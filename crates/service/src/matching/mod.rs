//! Matching bank transactions to bills: match, unmatch, ignore, rejected suggestions and the
//! 7-day undo list here; scored suggestions in [`suggest`]; per-bill merchant rules in
//! [`rules`], applied by [`apply`].
//!
//! Rules and invariants:
//! - A match records a payment with `PaymentSource::Bank` of the transaction's absolute
//!   amount, paid on its posted date, for the occurrence it settles: the one given (a due
//!   date of the bill while it was active) or the one cycle attribution picks
//!   ([`crate::payments::settled_cycle`], the tracker's own rule, so a late payment settles
//!   the earlier cycle). The payment, the link and the transaction's new state are one write
//!   ([`store::Store::match_transaction`]), so one transaction backs at most one payment: a
//!   second match is a 409 (`state`), also when two race.
//! - Only an unmatched transaction of money out in the bill's currency matches: matched or
//!   ignored is a 409 naming `state`; money in or another currency is a 422. Another user's
//!   transaction or bill is a 404, like a missing one.
//! - Unmatch soft-deletes the match's payment (a debt bill's balance goes back up) and
//!   returns the transaction to unmatched, at any time. The undo panel ([`recent_matches`])
//!   lists the matches made in the last [`UNDO_DAYS`] days; its undo is that same unmatch.
//!   Deleting a match's payment elsewhere (the payments API, marking the occurrence unpaid,
//!   deleting the bill for good) unmatches the transaction in the same write.
//! - Rejecting a suggestion hides that bill for that transaction for [`REJECTION_DAYS`] days.
//! - Audited: `transaction.matched`, `transaction.unmatched`, `transaction.ignored`,
//!   `transaction.unignored`, `transaction.suggestion_rejected`, and the rules' `rule.*`, with
//!   ids and counts, never payee text.

pub mod apply;
pub mod rules;
pub mod suggest;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::id::{BillId, CategoryId, TransactionId, UserId};
use domain::matching::MatchedBy;
use domain::payment::PaymentSource;
use store::bills::BillRow;
use store::payments::{NewPayment, PaymentRow};
use store::transactions::TransactionRow;

use crate::audit;
use crate::auth::{Principal, RequestMeta};
use crate::payments::{self, Payment};
use crate::preferences::data_owner;
use crate::{App, Error, Result};

pub use apply::{RuleApplied, RulePreview, RuleSkip, apply_rule, apply_rules_to, preview_rule};
pub use rules::{
    MerchantRule, RuleInput, create_rule, delete_rule, get_rule, list_rules, update_rule,
};
pub use suggest::{
    Suggestion, SuggestionQuery, TransactionSuggestions, suggestions, suggestions_for,
};

/// How long a match is offered for undo on the undo panel.
pub const UNDO_DAYS: i64 = 7;
/// How long a rejected suggestion stays hidden.
pub const REJECTION_DAYS: i64 = 90;

/// A match made recently, as the undo panel shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecentMatch {
    pub transaction: crate::transactions::Transaction,
    pub bill_id: BillId,
    pub bill_name: String,
    /// The occurrence its payment settles.
    pub cycle_due: NaiveDate,
    pub matched_at: DateTime<Utc>,
    pub matched_by: MatchedBy,
    /// When it leaves the undo panel ([`UNDO_DAYS`] after the match).
    pub undo_until: DateTime<Utc>,
}

/// Matches one of the caller's unmatched transactions to one of their bills, for the
/// occurrence due on `cycle_due` (`None`: the one cycle attribution picks). `by` says whether
/// the person chose the bill or accepted a suggestion. Returns the bank payment made.
pub async fn match_transaction(
    app: &App,
    principal: &Principal,
    meta: &RequestMeta,
    id: TransactionId,
    bill_id: BillId,
    cycle_due: Option<NaiveDate>,
    by: MatchedBy,
) -> Result<Payment> {
    let owner = data_owner(principal)?;
    let transaction = app.store.transaction(owner, id).await?;
    let bill = live_bill(app, owner, bill_id).await?;
    let row = match_one(app, owner, &transaction, &bill, cycle_due, by, None).await?;
    audit::record(
        app,
        &principal.actor(),
        "transaction.matched",
        Some(id.to_string()),
        meta.ip,
        serde_json::json!({"bill_id": bill_id.to_string(), "payment_id": row.id.to_string(), "cycle_due": row.cycle_due.to_string(), "matched_by": by.as_str()}),
    )
    .await?;
    payments::get(app, principal, row.id).await
}

/// Unmatches one of the caller's matched transactions: its payment is removed and the
/// transaction is unmatched again. Not matched: 409 naming `state`.
pub async fn unmatch(
    app: &App,
    principal: &Principal,
    meta: &RequestMeta,
    id: TransactionId,
) -> Result<()> {
    let owner = data_owner(principal)?;
    let payment = app
        .store
        .unmatch_transaction(owner, id, app.now())
        .await
        .map_err(|err| state_error(err, "this transaction is not matched"))?;
    audit::record(
        app,
        &principal.actor(),
        "transaction.unmatched",
        Some(id.to_string()),
        meta.ip,
        serde_json::json!({"payment_id": payment.map(|p| p.to_string())}),
    )
    .await
}

/// Ignores one of the caller's unmatched transactions: it is never suggested or matched
/// until brought back. Ignoring twice is fine; a matched one is a 409 naming `state`.
pub async fn ignore(
    app: &App,
    principal: &Principal,
    meta: &RequestMeta,
    id: TransactionId,
) -> Result<()> {
    set_ignored(app, principal, meta, id, true).await
}

/// Brings an ignored transaction back to unmatched.
pub async fn unignore(
    app: &App,
    principal: &Principal,
    meta: &RequestMeta,
    id: TransactionId,
) -> Result<()> {
    set_ignored(app, principal, meta, id, false).await
}

async fn set_ignored(
    app: &App,
    principal: &Principal,
    meta: &RequestMeta,
    id: TransactionId,
    ignored: bool,
) -> Result<()> {
    let owner = data_owner(principal)?;
    app.store
        .set_transaction_ignored(owner, id, ignored, app.now())
        .await
        .map_err(|err| state_error(err, "a matched transaction is unmatched first"))?;
    let action = if ignored {
        "transaction.ignored"
    } else {
        "transaction.unignored"
    };
    audit::record(
        app,
        &principal.actor(),
        action,
        Some(id.to_string()),
        meta.ip,
        serde_json::json!({}),
    )
    .await
}

/// Hides the suggestion of `bill_id` for transaction `id` for [`REJECTION_DAYS`] days.
pub async fn reject_suggestion(
    app: &App,
    principal: &Principal,
    meta: &RequestMeta,
    id: TransactionId,
    bill_id: BillId,
) -> Result<()> {
    let owner = data_owner(principal)?;
    app.store
        .reject_match(owner, id, bill_id, app.now())
        .await?;
    audit::record(
        app,
        &principal.actor(),
        "transaction.suggestion_rejected",
        Some(id.to_string()),
        meta.ip,
        serde_json::json!({"bill_id": bill_id.to_string()}),
    )
    .await
}

/// The caller's matches made in the last [`UNDO_DAYS`] days, newest first: the undo panel.
/// Undoing one is [`unmatch`].
pub async fn recent_matches(app: &App, principal: &Principal) -> Result<Vec<RecentMatch>> {
    let owner = data_owner(principal)?;
    let since = app.now() - Duration::days(UNDO_DAYS);
    let rows = app.store.matches_since(owner, since).await?;
    let bills = app.store.bills(owner, true, true).await?;
    rows.into_iter()
        .map(|row| {
            let bill_name = bills
                .iter()
                .find(|bill| bill.id == row.bill_id)
                .map(|bill| bill.name.clone())
                .ok_or_else(|| Error::internal("a match's payment has no bill"))?;
            Ok(RecentMatch {
                matched_by: row.matched_by.parse().map_err(Error::internal)?,
                undo_until: row.matched_at + Duration::days(UNDO_DAYS),
                transaction: crate::transactions::Transaction::from_row(row.transaction)?,
                bill_id: row.bill_id,
                bill_name,
                cycle_due: row.cycle_due,
                matched_at: row.matched_at,
            })
        })
        .collect()
}

/// One of the owner's live bills.
async fn live_bill(app: &App, owner: UserId, id: BillId) -> Result<BillRow> {
    let bill = app.store.bill(owner, id).await?;
    if bill.deleted_at.is_some() {
        return Err(Error::NotFound);
    }
    Ok(bill)
}

/// Checks and writes one match (no audit): the bank payment for the occurrence it settles,
/// linked to the transaction, with `category` set on the transaction when given.
async fn match_one(
    app: &App,
    owner: UserId,
    transaction: &TransactionRow,
    bill: &BillRow,
    cycle_due: Option<NaiveDate>,
    by: MatchedBy,
    category: Option<CategoryId>,
) -> Result<PaymentRow> {
    match transaction.state.as_str() {
        "unmatched" => {}
        "matched" => return Err(conflict("this transaction is matched already")),
        _ => return Err(conflict("this transaction is ignored; bring it back first")),
    }
    if transaction.amount_minor >= 0 {
        return Err(Error::invalid(
            "transaction",
            "is money coming in; only money going out pays a bill",
        ));
    }
    if transaction.currency != bill.currency {
        return Err(Error::invalid(
            "bill_id",
            format!(
                "the transaction is in {}; the bill is in {}",
                transaction.currency, bill.currency
            ),
        ));
    }
    let amount = i64::try_from(transaction.amount_minor.unsigned_abs())
        .map_err(|_| Error::invalid("transaction", "amount is too large"))?;
    let cycle_due = match cycle_due {
        Some(due) => payments::require_occurrence(app, owner, bill, due).await?,
        None => payments::settled_cycle(app, owner, bill, transaction.posted_on).await?,
    };
    payments::check_cycle_room(app, owner, bill.id, cycle_due, amount, 0).await?;
    payments::check_debt_shift(bill, -amount)?;
    let new = NewPayment {
        bill_id: bill.id,
        amount_minor: amount,
        paid_on: transaction.posted_on,
        cycle_due,
        method: String::new(),
        note: String::new(),
        source: PaymentSource::Bank.as_str().to_owned(),
        autopay_failed: false,
    };
    app.store
        .match_transaction(
            owner,
            transaction.id,
            &new,
            by.as_str(),
            category,
            app.now(),
        )
        .await
        .map_err(|err| state_error(err, "this transaction was matched or ignored meanwhile"))
}

fn conflict(message: &str) -> Error {
    Error::Conflict {
        field: store::matching::STATE.into(),
        message: message.into(),
    }
}

/// The store's refusal of a transaction's state, in the person's words.
fn state_error(err: store::Error, message: &str) -> Error {
    match err {
        store::Error::Conflict { field } if field == store::matching::STATE => conflict(message),
        other => other.into(),
    }
}
