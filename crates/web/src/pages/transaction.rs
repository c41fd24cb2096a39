//! `GET /transactions/{id}`: one transaction and matching it to a bill — the suggested bills
//! with why they scored, Match ("Not this bill" hides one for 90 days), any bill by hand,
//! Ignore, or record it as an expense; or, once matched, what it paid and Unmatch. Every POST calls one service function
//! and redirects (303) with a fixed notice; a refusal (already matched, another currency, a
//! date that is not the bill's) comes back as the error page naming the field.

use axum::Form;
use axum::extract::Query;
use axum::routing::{get, post};
use domain::Invalid;
use domain::bill::Notes;
use domain::id::{BillId, TransactionId};
use domain::matching::MatchedBy;
use service::matching;
use service::transactions::TransactionState;

use super::chrome;
use super::common::with_cookie;
use super::forms::{back_to, param};
use super::kit::{DataPage, Fail, PageResult};
use crate::auth::Meta;
use crate::extract::PathId;
use crate::links;
use crate::pages::with_notice;
use crate::routes::Table;
use crate::views;
use crate::views::bank::{SuggestionItem, TransactionPage};

/// The 404 page's words for a transaction that is missing or someone else's.
const MISSING: &str =
    "There is no such transaction. Its import may have been undone, or the link is wrong.";

/// The transaction routes.
pub(crate) fn routes(table: Table) -> Table {
    table
        .add("GET", links::TRANSACTION.template(), get(show))
        .add("POST", links::TRANSACTION_MATCH.template(), post(match_to))
        .add("POST", links::TRANSACTION_UNMATCH.template(), post(unmatch))
        .add("POST", links::TRANSACTION_IGNORE.template(), post(ignore))
        .add(
            "POST",
            links::TRANSACTION_UNIGNORE.template(),
            post(unignore),
        )
        .add("POST", links::TRANSACTION_REJECT.template(), post(reject))
        .add(
            "POST",
            links::TRANSACTION_RECORD_EXPENSE.template(),
            post(record_expense),
        )
}

/// `GET /transactions/{id}`.
pub async fn show(
    page: DataPage,
    PathId(id): PathId<TransactionId>,
    Query(query): Query<Vec<(String, String)>>,
) -> PageResult {
    let found = matching::suggestions_for(&page.app, &page.user, id)
        .await
        .missing(MISSING)?;
    let t = &found.transaction;
    let account = service::bank_accounts::find(&page.app, &page.user, t.account_id).await?;
    let bills = service::bills::list(&page.app, &page.user, false, false).await?;
    let categories = service::categories::list(&page.app, &page.user, false).await?;
    let matched_to = match t.payment_id {
        Some(payment) => Some(service::payments::get(&page.app, &page.user, payment).await?),
        None => None,
    };
    let ctx = page.context().await;
    let l = &ctx.locale;
    let (chrome, cookie) = chrome(&page.app, &page.caller, &ctx, &t.payee);
    let view = TransactionPage {
        chrome,
        id: t.id.to_string(),
        posted_on: l.date(t.posted_on),
        payee: t.payee.clone(),
        memo: t.memo.clone(),
        amount: l.money_of(t.amount),
        account: account.name,
        state: t.state.as_str(),
        matched_to: matched_to.map(|p| {
            format!(
                "Matched to {}: the payment for the bill due {}.",
                p.bill_name,
                l.date(p.cycle_due)
            )
        }),
        suggestions: found
            .suggestions
            .iter()
            .map(|s| SuggestionItem {
                bill_id: s.bill_id.to_string(),
                bill_name: s.bill_name.clone(),
                score: s.score,
                why: s
                    .reasons
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", "),
            })
            .collect(),
        bills: bills
            .iter()
            .filter(|b| b.expected.currency == t.amount.currency)
            .map(|b| (b.id.to_string(), b.name.clone(), false))
            .collect(),
        money_out: t.amount.minor < 0,
        recorded_as: t.expense_id.map(|e| links::EXPENSE.at(e)),
        categories: category_choices(&categories, t.category_id),
        notice: param(&query, "notice").and_then(notice),
    };
    Ok(with_cookie(views::render(&view), cookie))
}

/// The fixed words of a notice code (never reflected input).
fn notice(code: &str) -> Option<String> {
    Some(
        match code {
            "matched" => "Matched: the bill is paid for that cycle. Unmatch undoes it.",
            "unmatched" => "Unmatched: its payment was removed.",
            "ignored" => "Ignored.",
            "unignored" => "No longer ignored.",
            "rejected" => "That bill will not be suggested for this transaction for 90 days.",
            "recorded" => "Recorded as an expense: budgets count the expense, not the transaction.",
            _ => return None,
        }
        .to_owned(),
    )
}

fn bill_of(fields: &[(String, String)]) -> Result<BillId, Invalid> {
    param(fields, "bill_id")
        .and_then(|raw| raw.trim().parse().ok())
        .ok_or_else(|| Invalid::new("bill_id", "choose a bill"))
}

/// `POST /transactions/{id}/match` (`bill_id`, optional `cycle_due`, `from_suggestion`).
pub async fn match_to(
    page: DataPage,
    Meta(meta): Meta,
    PathId(id): PathId<TransactionId>,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let bill = bill_of(&fields)?;
    let cycle_due = crate::api::input::opt_date(
        "cycle_due",
        param(&fields, "cycle_due").filter(|d| !d.trim().is_empty()),
    )?;
    let by = if param(&fields, "from_suggestion") == Some("true") {
        MatchedBy::Suggestion
    } else {
        MatchedBy::Manual
    };
    matching::match_transaction(&page.app, &page.user, &meta, id, bill, cycle_due, by)
        .await
        .missing(MISSING)?;
    Ok(with_notice(&links::TRANSACTION.at(id), "matched"))
}

/// `POST /transactions/{id}/unmatch` (from this page, or the undo panel with `return_to`).
pub async fn unmatch(
    page: DataPage,
    Meta(meta): Meta,
    PathId(id): PathId<TransactionId>,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    matching::unmatch(&page.app, &page.user, &meta, id)
        .await
        .missing(MISSING)?;
    let to = match param(&fields, "return_to") {
        Some(raw) => back_to(links::TRANSACTIONS.path(), Some(raw)),
        None => links::TRANSACTION.at(id),
    };
    Ok(with_notice(&to, "unmatched"))
}

/// `POST /transactions/{id}/ignore`.
pub async fn ignore(
    page: DataPage,
    Meta(meta): Meta,
    PathId(id): PathId<TransactionId>,
    _: Form<Vec<(String, String)>>,
) -> PageResult {
    matching::ignore(&page.app, &page.user, &meta, id)
        .await
        .missing(MISSING)?;
    Ok(with_notice(&links::TRANSACTION.at(id), "ignored"))
}

/// `POST /transactions/{id}/unignore`.
pub async fn unignore(
    page: DataPage,
    Meta(meta): Meta,
    PathId(id): PathId<TransactionId>,
    _: Form<Vec<(String, String)>>,
) -> PageResult {
    matching::unignore(&page.app, &page.user, &meta, id)
        .await
        .missing(MISSING)?;
    Ok(with_notice(&links::TRANSACTION.at(id), "unignored"))
}

/// `POST /transactions/{id}/reject` (`bill_id`).
pub async fn reject(
    page: DataPage,
    Meta(meta): Meta,
    PathId(id): PathId<TransactionId>,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let bill = bill_of(&fields)?;
    matching::reject_suggestion(&page.app, &page.user, &meta, id, bill)
        .await
        .missing(MISSING)?;
    Ok(with_notice(&links::TRANSACTION.at(id), "rejected"))
}

/// `POST /transactions/{id}/record-expense` (optional `category_id`, `note`).
pub async fn record_expense(
    page: DataPage,
    Meta(meta): Meta,
    PathId(id): PathId<TransactionId>,
    Form(fields): Form<Vec<(String, String)>>,
) -> PageResult {
    let category = param(&fields, "category_id")
        .filter(|raw| !raw.trim().is_empty())
        .map(|raw| crate::api::input::body_id("category_id", raw))
        .transpose()?;
    let note = Notes::parse("note", param(&fields, "note").unwrap_or(""))?;
    service::transactions::record_as_expense(&page.app, &page.user, &meta, id, category, note)
        .await
        .missing(MISSING)?;
    Ok(with_notice(&links::TRANSACTION.at(id), "recorded"))
}

/// The person's categories as select choices, `selected` chosen.
pub fn category_choices(
    categories: &[service::categories::Category],
    selected: Option<domain::id::CategoryId>,
) -> Vec<crate::views::bank::Choice> {
    categories
        .iter()
        .map(|c| (c.id.to_string(), c.name.clone(), Some(c.id) == selected))
        .collect()
}

/// The state words of the transaction list.
pub fn state_label(t: &service::transactions::Transaction) -> &'static str {
    if t.expense_id.is_some() {
        return "Expense";
    }
    match t.state {
        TransactionState::Unmatched => "Not matched",
        TransactionState::Matched => "Matched",
        TransactionState::Ignored => "Ignored",
    }
}
