//! Per-occurrence overrides ("month state"): the actual amount, a note, skipped and
//! snoozed-until of one occurrence of a bill. They never touch the bill's template.
//!
//! Rules:
//! - The date must be an occurrence of the bill inside one of its active ranges (else 422
//!   naming `due_date`); another user's, a deleted or a missing bill is 404 and nothing is
//!   written.
//! - A change names only what it changes: an absent field keeps its saved value, `null`
//!   clears the actual amount or the snooze.
//! - The actual amount is parsed in the bill's currency and must not be negative; a snooze
//!   must end after the due date (a snooze only matters once the occurrence is overdue).

use chrono::NaiveDate;
use domain::bill::Notes;
use domain::id::BillId;
use domain::money::parse_amount;
use store::month_states::MonthStateFields;

use crate::auth::Principal;
use crate::preferences::{self, data_owner};
use crate::tracker::month::{self, Occurrence};
use crate::{App, Error, Result};

/// What to change on one occurrence; `None` keeps the saved value.
#[derive(Debug, Clone, Default)]
pub struct MonthStateChanges {
    /// The actual amount as typed (parsed in the bill's currency), or `Some(None)` to clear it.
    pub actual_amount: Option<Option<String>>,
    pub note: Option<Notes>,
    pub skipped: Option<bool>,
    pub snoozed_until: Option<Option<NaiveDate>>,
}

/// The occurrence of `bill` due on `due`, with its overrides and status.
pub async fn get(
    app: &App,
    principal: &Principal,
    bill: BillId,
    due: NaiveDate,
) -> Result<Occurrence> {
    let owner = data_owner(principal)?;
    let prefs = preferences::load(app, owner).await?;
    let today = prefs.today(app.now());
    let bill = month::live_bill(app, owner, bill).await?;
    month::occurrence_on(app, owner, &prefs, today, &bill, due).await
}

/// Saves the overrides of the occurrence of `bill` due on `due` and returns the occurrence
/// with its new status.
pub async fn set(
    app: &App,
    principal: &Principal,
    bill: BillId,
    due: NaiveDate,
    changes: MonthStateChanges,
) -> Result<Occurrence> {
    let owner = data_owner(principal)?;
    let prefs = preferences::load(app, owner).await?;
    let today = prefs.today(app.now());
    let bill = month::live_bill(app, owner, bill).await?;
    let current = month::occurrence_on(app, owner, &prefs, today, &bill, due).await?;
    let actual_minor = match changes.actual_amount {
        None => current.actual.map(|a| a.minor),
        Some(None) => None,
        Some(Some(text)) => {
            let minor = parse_amount("actual_amount", &text, current.currency())?;
            if minor < 0 {
                return Err(Error::invalid("actual_amount", "must not be negative"));
            }
            Some(minor)
        }
    };
    let snoozed_until = changes.snoozed_until.unwrap_or(current.snoozed_until);
    if snoozed_until.is_some_and(|until| until <= due) {
        return Err(Error::invalid(
            "snoozed_until",
            "must be after the due date",
        ));
    }
    let fields = MonthStateFields {
        actual_minor,
        note: changes.note.map_or(current.note, |n| n.as_str().to_owned()),
        skipped: changes.skipped.unwrap_or(current.skipped),
        snoozed_until,
    };
    app.store
        .upsert_month_state(owner, bill.bill.id, due, &fields, app.now())
        .await?;
    month::occurrence_on(app, owner, &prefs, today, &bill, due).await
}
