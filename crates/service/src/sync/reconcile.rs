//! What one answer changes in an account: which of the Bridge's transactions are new, which
//! pending rows posted, which vanished, and which new ones may repeat a stored row. Pure: the
//! stored rows and the answer in, [`SyncChanges`] out.
//!
//! - A bank id already stored is known: nothing changes, unless the stored row was pending and
//!   the Bridge now says posted (updated in place, keeping its match and category).
//! - A pending transaction often posts under a *new* id: a new posted transaction takes the
//!   place of a stored pending row of the same amount, dated within [`POSTING_DAYS`] after it,
//!   whose id the answer no longer has (the closest in date). Never both counted.
//! - A stored pending row the answer no longer has, and that nothing took the place of, has
//!   vanished (an authorisation released): removed, unless it is matched or recorded.
//! - A new id whose content key (day, amount, payee, occurrence) is a stored row of another
//!   id is kept and flagged `duplicate_of` (banks re-issue ids for whole ranges): never dropped.
//! - A pending transaction has no posted date; it is dated by `transacted_at`, else the day of
//!   the sync — never 1970-01-01.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use chrono::{DateTime, NaiveDate, Utc};
use store::sync_rows::{Posted, SyncChanges};
use store::transactions::{NewTransaction, TransactionRow};

use crate::imports::dedupe::keys;

/// How many days after its pending date a transaction may post and still replace it.
pub const POSTING_DAYS: i64 = 10;

/// One of the Bridge's transactions, in the account's minor units.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incoming {
    pub id: String,
    pub posted: Option<DateTime<Utc>>,
    pub transacted_at: Option<DateTime<Utc>>,
    pub amount_minor: i64,
    pub payee: String,
    pub memo: String,
    pub pending: bool,
}

impl Incoming {
    /// The day it counts on: posted, else transacted, else `today`.
    pub fn day(&self, today: NaiveDate) -> NaiveDate {
        self.posted
            .or(self.transacted_at)
            .map_or(today, |at| at.date_naive())
    }
}

/// The changes `incoming` (the Bridge's answer for the days `window`) makes to an account
/// holding `stored` (its rows in the window and every pending one). Only pending rows dated
/// inside the window can have vanished: an answer says nothing about days it did not cover.
pub fn reconcile(
    stored: &[TransactionRow],
    incoming: &[Incoming],
    today: NaiveDate,
    window: Range<NaiveDate>,
) -> SyncChanges {
    let by_source: HashMap<&str, &TransactionRow> = stored
        .iter()
        .filter_map(|row| row.source_id.as_deref().map(|id| (id, row)))
        .collect();
    let answered: HashSet<&str> = incoming.iter().map(|t| t.id.as_str()).collect();
    let by_key: HashMap<&str, &TransactionRow> = stored
        .iter()
        .filter(|row| !row.pending)
        .map(|row| (row.dedupe_key.as_str(), row))
        .collect();
    let incoming_keys = keys(
        incoming
            .iter()
            .map(|t| (t.day(today), t.amount_minor, t.payee.as_str())),
    );
    // Stored pending rows the answer no longer has: candidates to be replaced or removed.
    let mut orphans: Vec<&TransactionRow> = stored
        .iter()
        .filter(|row| row.pending && window.contains(&row.posted_on))
        .filter(|row| {
            row.source_id
                .as_deref()
                .is_none_or(|id| !answered.contains(id))
        })
        .collect();
    let mut changes = SyncChanges::default();
    for (t, key) in incoming.iter().zip(incoming_keys) {
        let day = t.day(today);
        if let Some(known) = by_source.get(t.id.as_str()) {
            if known.pending && !t.pending {
                changes.posted.push(posted(known, t, day, key));
            }
            continue;
        }
        if !t.pending {
            let replaced = orphans
                .iter()
                .enumerate()
                .filter(|(_, row)| {
                    let after = (day - row.posted_on).num_days();
                    row.amount_minor == t.amount_minor && (0..=POSTING_DAYS).contains(&after)
                })
                .min_by_key(|(_, row)| (day - row.posted_on).num_days())
                .map(|(i, _)| i);
            if let Some(i) = replaced {
                let row = orphans.swap_remove(i);
                changes.posted.push(posted(row, t, day, key));
                continue;
            }
        }
        let duplicate_of = by_key
            .get(key.as_str())
            .filter(|row| row.source_id.as_deref() != Some(t.id.as_str()))
            .map(|row| row.id);
        changes.new.push(NewTransaction {
            posted_on: day,
            amount_minor: t.amount_minor,
            payee: t.payee.clone(),
            memo: t.memo.clone(),
            category_id: None,
            pending: t.pending,
            source_id: Some(t.id.clone()),
            dedupe_key: key,
            duplicate_of,
        });
    }
    changes.vanished = orphans.iter().map(|row| row.id).collect();
    changes
}

fn posted(row: &TransactionRow, t: &Incoming, day: NaiveDate, key: String) -> Posted {
    Posted {
        id: row.id,
        source_id: t.id.clone(),
        posted_on: day,
        amount_minor: t.amount_minor,
        payee: t.payee.clone(),
        memo: t.memo.clone(),
        dedupe_key: key,
    }
}

#[cfg(test)]
mod tests;
