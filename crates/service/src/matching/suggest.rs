//! Suggestions: the best bills for each unmatched transaction, scored by
//! [`domain::matching::score`] with its reasons.
//!
//! Everything is read once — the transactions asked for, the bills active around them with
//! their due dates, the payees of earlier matches per bill, the rejections younger than
//! [`super::REJECTION_DAYS`] — and every pair is scored in memory, so 10 000 transactions
//! against 150 bills is five queries and 1.5 million cheap comparisons. Only due dates within
//! [`DUE_WINDOW_DAYS`] of a transaction can score, so the bills and dates are read for that
//! window only. Ignored and matched transactions get no suggestions; rejected pairs are left
//! out; below [`domain::matching::SUGGEST_AT`] nothing is suggested.

use std::collections::{HashMap, HashSet};

use chrono::{Duration, NaiveDate};
use domain::id::{BillId, TransactionId, UserId};
use domain::matching::payee::Words;
use domain::matching::{BillFacts, Reason, TransactionFacts, score};
use store::bill_activity::BillWithRanges;
use store::transactions::TransactionRow;

use crate::auth::Principal;
use crate::payments::schedule_of;
use crate::preferences::data_owner;
use crate::transactions::Transaction;
use crate::{App, Result};

/// The most suggestions kept per transaction.
pub const MAX_SUGGESTIONS: usize = 3;
/// The farthest a due date can be from a transaction and still count.
pub const DUE_WINDOW_DAYS: i64 = 15;
/// The most transactions one call scores.
pub const MAX_TRANSACTIONS: i64 = 10_000;

/// Which unmatched transactions to suggest bills for: posted in `[from, to]` (either open),
/// newest first, `limit` (1..=[`MAX_TRANSACTIONS`]) from `offset`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SuggestionQuery {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub limit: i64,
    pub offset: i64,
}

/// One suggested bill for a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub bill_id: BillId,
    pub bill_name: String,
    /// 0–100.
    pub score: u8,
    /// Why, each a short phrase through `Display` ("amount equal", "2 days after due").
    pub reasons: Vec<Reason>,
}

/// A transaction with its suggestions, best first (none when nothing scores enough).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransactionSuggestions {
    pub transaction: Transaction,
    pub suggestions: Vec<Suggestion>,
}

/// Suggestions for a page of the caller's unmatched transactions.
pub async fn suggestions(
    app: &App,
    principal: &Principal,
    query: &SuggestionQuery,
) -> Result<Vec<TransactionSuggestions>> {
    let owner = data_owner(principal)?;
    let rows = app
        .store
        .unmatched_transactions(
            owner,
            query.from,
            query.to,
            query.limit.clamp(1, MAX_TRANSACTIONS),
            query.offset,
        )
        .await?;
    suggest(app, owner, rows).await
}

/// Suggestions for one of the caller's transactions (none unless it is unmatched).
pub async fn suggestions_for(
    app: &App,
    principal: &Principal,
    id: TransactionId,
) -> Result<TransactionSuggestions> {
    let owner = data_owner(principal)?;
    let row = app.store.transaction(owner, id).await?;
    let mut all = suggest(app, owner, vec![row]).await?;
    all.pop()
        .ok_or_else(|| crate::Error::internal("one transaction in, none out"))
}

/// A bill prepared for scoring many transactions.
struct Prepared {
    id: BillId,
    name: String,
    currency: String,
    expected_minor: i64,
    range: Option<(i64, i64)>,
    due_dates: Vec<NaiveDate>,
    words: Words,
    earlier: Vec<(Words, usize)>,
}

async fn suggest(
    app: &App,
    owner: UserId,
    rows: Vec<TransactionRow>,
) -> Result<Vec<TransactionSuggestions>> {
    let dates = rows.iter().map(|row| row.posted_on);
    let (Some(first), Some(last)) = (dates.clone().min(), dates.max()) else {
        return Ok(Vec::new());
    };
    let window = Duration::days(DUE_WINDOW_DAYS);
    let (start, end) = (first - window, last + window);
    let bills = app.store.bills_active_between(owner, start, end).await?;
    let mut earlier = earlier_payees(app, owner).await?;
    let prepared: Vec<Prepared> = bills
        .into_iter()
        .map(|bill| {
            let payees = earlier.remove(&bill.bill.id);
            prepare(bill, start, end, payees)
        })
        .collect::<Result<_>>()?;
    let since = app.now() - Duration::days(super::REJECTION_DAYS);
    let rejected: HashSet<(TransactionId, BillId)> = app
        .store
        .rejections_since(owner, since)
        .await?
        .into_iter()
        .collect();
    rows.into_iter()
        .map(|row| {
            let suggestions = if row.is_open() {
                rank(&row, &prepared, &rejected)
            } else {
                Vec::new()
            };
            Ok(TransactionSuggestions {
                transaction: Transaction::from_row(row)?,
                suggestions,
            })
        })
        .collect()
}

/// The payees of earlier matches per bill, alike ones counted together.
async fn earlier_payees(app: &App, owner: UserId) -> Result<HashMap<BillId, Vec<(Words, usize)>>> {
    let mut counts: HashMap<BillId, HashMap<Words, usize>> = HashMap::new();
    for (bill, payee) in app.store.matched_payees(owner).await? {
        let words = Words::of(&payee);
        if !words.is_empty() {
            *counts.entry(bill).or_default().entry(words).or_default() += 1;
        }
    }
    Ok(counts
        .into_iter()
        .map(|(bill, payees)| (bill, payees.into_iter().collect()))
        .collect())
}

fn prepare(
    bill: BillWithRanges,
    start: NaiveDate,
    end: NaiveDate,
    earlier: Option<Vec<(Words, usize)>>,
) -> Result<Prepared> {
    let schedule = schedule_of(&bill.bill)?;
    let due_dates = schedule
        .occurrences_between(start, end)
        .into_iter()
        .filter(|due| bill.ranges.iter().any(|range| range.contains(*due)))
        .collect();
    let row = bill.bill;
    Ok(Prepared {
        id: row.id,
        words: Words::of(&row.name),
        range: row.min_minor.zip(row.max_minor),
        name: row.name,
        currency: row.currency,
        expected_minor: row.expected_minor,
        due_dates,
        earlier: earlier.unwrap_or_default(),
    })
}

fn rank(
    transaction: &TransactionRow,
    bills: &[Prepared],
    rejected: &HashSet<(TransactionId, BillId)>,
) -> Vec<Suggestion> {
    let payee = Words::of(&transaction.payee);
    let facts = TransactionFacts {
        amount_minor: transaction.amount_minor,
        currency: &transaction.currency,
        posted_on: transaction.posted_on,
        payee: &payee,
    };
    let mut found: Vec<Suggestion> = bills
        .iter()
        .filter(|bill| !rejected.contains(&(transaction.id, bill.id)))
        .filter_map(|bill| {
            let scored = score(
                &facts,
                &BillFacts {
                    currency: &bill.currency,
                    expected_minor: bill.expected_minor,
                    range: bill.range,
                    due_dates: &bill.due_dates,
                    name: &bill.words,
                    earlier: &bill.earlier,
                },
            )?;
            scored.suggested().then(|| Suggestion {
                bill_id: bill.id,
                bill_name: bill.name.clone(),
                score: scored.points,
                reasons: scored.reasons,
            })
        })
        .collect();
    found.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| a.bill_name.cmp(&b.bill_name))
    });
    found.truncate(MAX_SUGGESTIONS);
    found
}
