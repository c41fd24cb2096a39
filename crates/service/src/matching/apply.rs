//! Applying merchant rules ([`super::rules`]): preview what a draft rule takes (past
//! transactions included) without writing, apply one rule, and [`apply_rules_to`], which an
//! import's apply calls on the rows it wrote.
//!
//! Applying matches each taken transaction that is unmatched, money out and in the bill's
//! currency, oldest first (so attribution settles the oldest cycle first), with a bank payment
//! exactly as a manual match makes it ([`super::match_one`]), and sets the rule's category on
//! it in the same write. A transaction the bill has no occurrence for is skipped with the
//! reason; one matched or ignored meanwhile is left alone. When several rules take one
//! transaction, the oldest rule wins. Each application is audited as `rule.applied` with
//! counts (and `trigger`: `rule` or `import`).

use domain::id::{MerchantRuleId, TransactionId, UserId};
use domain::matching::MatchedBy;
use domain::matching::rule::{AmountBounds, PayeePattern};
use store::bills::BillRow;
use store::merchant_rules::{MerchantRuleRow, RuleFields};
use store::transactions::TransactionRow;

use super::rules::{Parsed, RuleInput, parse, record};
use super::{live_bill, match_one};
use crate::auth::{Principal, RequestMeta};
use crate::preferences::data_owner;
use crate::transactions::Transaction;
use crate::{App, Error, Result};

/// What a draft rule would take: every one of the caller's transactions it matches, oldest
/// first, whatever their state, and how many of them applying would match now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulePreview {
    pub transactions: Vec<Transaction>,
    pub would_match: usize,
}

/// A transaction a rule took but could not match, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleSkip {
    pub transaction_id: TransactionId,
    pub reason: String,
}

/// What applying rules did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RuleApplied {
    /// The transactions matched (each now backs one bank payment).
    pub matched: Vec<TransactionId>,
    pub skipped: Vec<RuleSkip>,
}

/// Every one of the caller's transactions the draft rule takes, past ones included. Writes
/// nothing.
pub async fn preview_rule(
    app: &App,
    principal: &Principal,
    input: &RuleInput,
) -> Result<RulePreview> {
    let owner = data_owner(principal)?;
    let parsed = parse(app, owner, input).await?;
    let rows = taken(app, owner, &parsed, None).await?;
    let would_match = rows
        .iter()
        .filter(|row| matchable(row, &parsed.bill))
        .count();
    Ok(RulePreview {
        transactions: rows
            .into_iter()
            .map(Transaction::from_row)
            .collect::<Result<_>>()?,
        would_match,
    })
}

/// Applies one of the caller's rules to every unmatched transaction it takes, past ones
/// included.
pub async fn apply_rule(
    app: &App,
    principal: &Principal,
    meta: &RequestMeta,
    id: MerchantRuleId,
) -> Result<RuleApplied> {
    let owner = data_owner(principal)?;
    let row = app.store.merchant_rule(owner, id).await?;
    let applied = apply(app, owner, &row, None).await?;
    record_applied(app, principal, meta, &row, &applied, "rule").await?;
    Ok(applied)
}

/// Applies the caller's enabled rules, oldest first, to the transactions `ids` (an import's
/// new rows); each transaction is matched by the first rule that takes it.
pub async fn apply_rules_to(
    app: &App,
    principal: &Principal,
    meta: &RequestMeta,
    ids: &[TransactionId],
) -> Result<RuleApplied> {
    let owner = data_owner(principal)?;
    let mut all = RuleApplied::default();
    if ids.is_empty() {
        return Ok(all);
    }
    for rule in app.store.merchant_rules(owner, None).await? {
        if !rule.enabled {
            continue;
        }
        let applied = apply(app, owner, &rule, Some(ids)).await?;
        if !applied.matched.is_empty() || !applied.skipped.is_empty() {
            record_applied(app, principal, meta, &rule, &applied, "import").await?;
        }
        all.matched.extend(applied.matched);
        all.skipped.extend(applied.skipped);
    }
    // A transaction skipped by one rule and matched by a later one is matched.
    all.skipped
        .retain(|skip| !all.matched.contains(&skip.transaction_id));
    Ok(all)
}

async fn apply(
    app: &App,
    owner: UserId,
    rule: &MerchantRuleRow,
    ids: Option<&[TransactionId]>,
) -> Result<RuleApplied> {
    let bill = match live_bill(app, owner, rule.bill_id).await {
        Ok(bill) => bill,
        // A soft-deleted bill's rules rest until it is restored.
        Err(Error::NotFound) => return Ok(RuleApplied::default()),
        Err(other) => return Err(other),
    };
    let parsed = Parsed {
        payee: PayeePattern::parse(rule.payee_match.parse()?, &rule.payee_text)?,
        bounds: AmountBounds::new(rule.min_minor, rule.max_minor)?,
        fields: RuleFields {
            bill_id: rule.bill_id,
            payee_match: rule.payee_match.clone(),
            payee_text: rule.payee_text.clone(),
            min_minor: rule.min_minor,
            max_minor: rule.max_minor,
            account_id: rule.account_id,
            category_id: rule.category_id,
            enabled: rule.enabled,
        },
        bill,
    };
    let mut applied = RuleApplied::default();
    for row in taken(app, owner, &parsed, ids).await? {
        if !matchable(&row, &parsed.bill) {
            continue;
        }
        let category = parsed.fields.category_id;
        match match_one(
            app,
            owner,
            &row,
            &parsed.bill,
            None,
            MatchedBy::Rule,
            category,
        )
        .await
        {
            Ok(_) => applied.matched.push(row.id),
            Err(Error::Invalid(invalid)) => applied.skipped.push(RuleSkip {
                transaction_id: row.id,
                reason: invalid.reason,
            }),
            // Matched or ignored meanwhile: not this rule's any more.
            Err(Error::Conflict { .. }) => {}
            Err(other) => return Err(other),
        }
    }
    Ok(applied)
}

/// The owner's transactions (among `ids` when given) the rule takes, oldest first.
async fn taken(
    app: &App,
    owner: UserId,
    rule: &Parsed,
    ids: Option<&[TransactionId]>,
) -> Result<Vec<TransactionRow>> {
    let rows = app
        .store
        .rule_candidates(
            owner,
            rule.fields.account_id,
            rule.bounds.min(),
            rule.bounds.max(),
            ids,
        )
        .await?;
    Ok(rows
        .into_iter()
        .filter(|row| rule.payee.matches(&row.payee) && rule.bounds.contains(row.amount_minor))
        .collect())
}

/// Whether applying would match `row` to `bill` now: open money out in its currency.
fn matchable(row: &TransactionRow, bill: &BillRow) -> bool {
    row.is_open() && row.amount_minor < 0 && row.currency == bill.currency
}

async fn record_applied(
    app: &App,
    principal: &Principal,
    meta: &RequestMeta,
    rule: &MerchantRuleRow,
    applied: &RuleApplied,
    trigger: &str,
) -> Result<()> {
    let extra = serde_json::json!({"matched": applied.matched.len(), "skipped": applied.skipped.len(), "trigger": trigger});
    record(app, principal, meta, "rule.applied", rule, extra).await
}
