//! The tracker month's autopay checks ([`domain::matching::autopay`]): each occurrence of an
//! autopay bill gets [`Occurrence::autopay_check`] — verified when a bank payment settles it,
//! flagged when it is past due + grace days with no bank payment while the user's bank
//! transactions reach that day. Two queries, made only when the month has an autopay bill.

use chrono::NaiveDate;
use domain::bill::AutopayState;
use domain::id::{BillId, UserId};
use domain::matching::autopay::autopay_check;
use store::bill_activity::BillWithRanges;

use super::month::Occurrence;
use crate::preferences::Preferences;
use crate::{App, Result};

/// Sets `autopay_check` on `occurrences` (of `bills`, due in `[first, last]`).
pub async fn mark(
    app: &App,
    owner: UserId,
    prefs: &Preferences,
    today: NaiveDate,
    bills: &[BillWithRanges],
    (first, last): (NaiveDate, NaiveDate),
    occurrences: &mut [Occurrence],
) -> Result<()> {
    let autopay: Vec<(BillId, AutopayState)> = bills
        .iter()
        .filter_map(|b| {
            let state = b.bill.autopay.parse().ok()?;
            (state != AutopayState::Off).then_some((b.bill.id, state))
        })
        .collect();
    if autopay.is_empty() {
        return Ok(());
    }
    let (paid, covered) = tokio::try_join!(
        app.store.bank_paid_cycles(owner, first, last),
        app.store.transactions_cover_until(owner),
    )?;
    for occurrence in occurrences {
        let Some((_, state)) = autopay.iter().find(|(id, _)| *id == occurrence.bill_id) else {
            continue;
        };
        let bank_paid = paid.contains(&(occurrence.bill_id, occurrence.due));
        occurrence.autopay_check = autopay_check(
            *state,
            occurrence.due,
            bank_paid,
            prefs.rules.grace_days,
            today,
            covered,
        );
    }
    Ok(())
}
