//! Per-bill merchant rules: create, edit, delete, read and list them (preview and apply are in
//! [`super::apply`]).
//!
//! Rules and invariants:
//! - The test is [`domain::matching::rule`]'s: payee contains / equals a text (1–200
//!   characters, case-insensitive, no patterns), an optional amount range on the absolute
//!   amount typed in the bill's currency (`min_amount` ≤ `max_amount`), an optional account
//!   (in the bill's currency), an optional category the matched transactions get. The bill,
//!   account and category must be the caller's (404 otherwise, like a missing one).
//! - Edits check the version (409 when changed since read). Deleting a rule leaves what it
//!   matched matched.
//! - Audited: `rule.created`, `rule.updated`, `rule.deleted` (ids, never the payee text).

use chrono::{DateTime, Utc};
use domain::id::{BankAccountId, BillId, CategoryId, MerchantRuleId, UserId};
use domain::matching::rule::{AmountBounds, PayeeMatch, PayeePattern};
use domain::money::{Currency, Money, parse_amount};
use store::bills::BillRow;
use store::merchant_rules::{MerchantRuleRow, RuleFields};

use super::live_bill;
use crate::audit;
use crate::auth::{Principal, RequestMeta};
use crate::payments::bill_currency;
use crate::preferences::data_owner;
use crate::{App, Error, Result};

/// A rule as its owner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MerchantRule {
    pub id: MerchantRuleId,
    pub bill_id: BillId,
    pub payee: PayeePattern,
    /// Absolute amounts in the bill's currency.
    pub min_amount: Option<Money>,
    pub max_amount: Option<Money>,
    pub account_id: Option<BankAccountId>,
    pub category_id: Option<CategoryId>,
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The version an edit must be based on.
    pub version: i64,
}

/// A rule as typed: amounts are text in the bill's currency ("40", "59.99").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuleInput {
    pub bill_id: BillId,
    pub payee_match: PayeeMatch,
    pub payee_text: String,
    pub min_amount: Option<String>,
    pub max_amount: Option<String>,
    pub account_id: Option<BankAccountId>,
    pub category_id: Option<CategoryId>,
    pub enabled: bool,
}

/// A parsed rule and its bill.
pub(super) struct Parsed {
    pub(super) bill: BillRow,
    pub(super) payee: PayeePattern,
    pub(super) bounds: AmountBounds,
    pub(super) fields: RuleFields,
}

pub(super) async fn parse(app: &App, owner: UserId, input: &RuleInput) -> Result<Parsed> {
    let bill = live_bill(app, owner, input.bill_id).await?;
    let currency = bill_currency(&bill)?;
    let payee = PayeePattern::parse(input.payee_match, &input.payee_text)?;
    let amount = |field: &str, text: &Option<String>| -> Result<Option<i64>> {
        Ok(
            match text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
                Some(text) => Some(parse_amount(field, text, currency)?),
                None => None,
            },
        )
    };
    let bounds = AmountBounds::new(
        amount("min_amount", &input.min_amount)?,
        amount("max_amount", &input.max_amount)?,
    )?;
    if let Some(account) = input.account_id {
        let account = app.store.bank_account(owner, account).await?;
        if account.currency != bill.currency {
            return Err(Error::invalid(
                "account_id",
                format!(
                    "is in {}; the bill is in {}",
                    account.currency, bill.currency
                ),
            ));
        }
    }
    if let Some(category) = input.category_id {
        // The store refuses another user's category on write; a preview writes nothing, so
        // it is checked here for both.
        app.store.category(owner, category).await?;
    }
    let fields = RuleFields {
        bill_id: bill.id,
        payee_match: payee.kind().as_str().to_owned(),
        payee_text: payee.text().to_owned(),
        min_minor: bounds.min(),
        max_minor: bounds.max(),
        account_id: input.account_id,
        category_id: input.category_id,
        enabled: input.enabled,
    };
    Ok(Parsed {
        bill,
        payee,
        bounds,
        fields,
    })
}

/// Creates a rule for one of the caller's bills.
pub async fn create_rule(
    app: &App,
    principal: &Principal,
    meta: &RequestMeta,
    input: &RuleInput,
) -> Result<MerchantRule> {
    let owner = data_owner(principal)?;
    let parsed = parse(app, owner, input).await?;
    let row = app
        .store
        .create_merchant_rule(owner, &parsed.fields, app.now())
        .await?;
    record(
        app,
        principal,
        meta,
        "rule.created",
        &row,
        serde_json::json!({}),
    )
    .await?;
    view(row, &parsed.bill)
}

/// Replaces one of the caller's rules if it is still at `version` (409 when changed since).
pub async fn update_rule(
    app: &App,
    principal: &Principal,
    meta: &RequestMeta,
    id: MerchantRuleId,
    input: &RuleInput,
    version: i64,
) -> Result<MerchantRule> {
    let owner = data_owner(principal)?;
    let parsed = parse(app, owner, input).await?;
    let row = app
        .store
        .update_merchant_rule(owner, id, &parsed.fields, version, app.now())
        .await?;
    record(
        app,
        principal,
        meta,
        "rule.updated",
        &row,
        serde_json::json!({}),
    )
    .await?;
    view(row, &parsed.bill)
}

/// Deletes one of the caller's rules; what it matched stays matched.
pub async fn delete_rule(
    app: &App,
    principal: &Principal,
    meta: &RequestMeta,
    id: MerchantRuleId,
) -> Result<()> {
    let owner = data_owner(principal)?;
    let row = app.store.merchant_rule(owner, id).await?;
    app.store.delete_merchant_rule(owner, id).await?;
    record(
        app,
        principal,
        meta,
        "rule.deleted",
        &row,
        serde_json::json!({}),
    )
    .await
}

/// The caller's rules (of one bill when given), oldest first. A bill that is not the
/// caller's is `NotFound`, like a missing one.
pub async fn list_rules(
    app: &App,
    principal: &Principal,
    bill: Option<BillId>,
) -> Result<Vec<MerchantRule>> {
    let owner = data_owner(principal)?;
    let rows = app.store.merchant_rules(owner, bill).await?;
    let bills = app.store.bills(owner, true, true).await?;
    if let Some(bill) = bill
        && !bills.iter().any(|b| b.id == bill)
    {
        return Err(Error::NotFound);
    }
    rows.into_iter()
        .map(|row| {
            let bill = bills
                .iter()
                .find(|bill| bill.id == row.bill_id)
                .ok_or_else(|| Error::internal("a rule without its bill"))?;
            view(row, bill)
        })
        .collect()
}

/// One of the caller's rules (another user's is `NotFound`).
pub async fn get_rule(
    app: &App,
    principal: &Principal,
    id: MerchantRuleId,
) -> Result<MerchantRule> {
    let owner = data_owner(principal)?;
    let row = app.store.merchant_rule(owner, id).await?;
    let bill = app.store.bill(owner, row.bill_id).await?;
    view(row, &bill)
}

pub(super) async fn record(
    app: &App,
    principal: &Principal,
    meta: &RequestMeta,
    action: &str,
    rule: &MerchantRuleRow,
    extra: serde_json::Value,
) -> Result<()> {
    let mut detail = serde_json::json!({"bill_id": rule.bill_id.to_string()});
    if let (Some(detail), Some(extra)) = (detail.as_object_mut(), extra.as_object()) {
        detail.extend(extra.clone());
    }
    audit::record(
        app,
        &principal.actor(),
        action,
        Some(rule.id.to_string()),
        meta.ip,
        detail,
    )
    .await
}

fn view(row: MerchantRuleRow, bill: &BillRow) -> Result<MerchantRule> {
    let currency: Currency = bill_currency(bill)?;
    Ok(MerchantRule {
        payee: PayeePattern::parse(row.payee_match.parse()?, &row.payee_text)
            .map_err(Error::internal)?,
        min_amount: row.min_minor.map(|m| Money::new(m, currency)),
        max_amount: row.max_minor.map(|m| Money::new(m, currency)),
        id: row.id,
        bill_id: row.bill_id,
        account_id: row.account_id,
        category_id: row.category_id,
        enabled: row.enabled,
        created_at: row.created_at,
        updated_at: row.updated_at,
        version: row.version,
    })
}
