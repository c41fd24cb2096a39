//! Merchant rules on the wire: a rule, what a draft rule would match, and what applying one
//! did.

use chrono::{DateTime, Utc};
use serde::Serialize;
use service::matching::{MerchantRule, RuleApplied, RulePreview, RuleSkip};

use super::bank::TransactionView;
use super::{AmountView, maybe};

/// A per-bill merchant rule.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct MerchantRuleView {
    #[schema(format = Uuid)]
    pub id: String,
    #[schema(format = Uuid)]
    pub bill_id: String,
    /// `contains` or `equals` (case-insensitive, runs of spaces as one).
    pub payee_match: &'static str,
    pub payee_text: String,
    /// Least absolute amount, in the bill's currency.
    pub min_amount: Option<AmountView>,
    /// Greatest absolute amount, in the bill's currency.
    pub max_amount: Option<AmountView>,
    /// Only this account's transactions.
    #[schema(format = Uuid)]
    pub account_id: Option<String>,
    /// The category matched transactions get.
    #[schema(format = Uuid)]
    pub category_id: Option<String>,
    /// A disabled rule is not run on imports (it can still be applied by hand).
    pub enabled: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: i64,
}

impl From<&MerchantRule> for MerchantRuleView {
    fn from(r: &MerchantRule) -> Self {
        Self {
            id: r.id.to_string(),
            bill_id: r.bill_id.to_string(),
            payee_match: r.payee.kind().as_str(),
            payee_text: r.payee.text().to_owned(),
            min_amount: maybe(r.min_amount),
            max_amount: maybe(r.max_amount),
            account_id: r.account_id.map(|a| a.to_string()),
            category_id: r.category_id.map(|c| c.to_string()),
            enabled: r.enabled,
            created_at: r.created_at,
            updated_at: r.updated_at,
            version: r.version,
        }
    }
}

/// What a draft rule would take: every transaction it matches, oldest first, whatever its
/// state, and how many applying would match now (unmatched money out in the bill's currency).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RulePreviewView {
    /// How many transactions the rule takes (the length of `transactions`).
    pub count: usize,
    pub would_match: usize,
    pub transactions: Vec<TransactionView>,
}

impl From<&RulePreview> for RulePreviewView {
    fn from(p: &RulePreview) -> Self {
        Self {
            count: p.transactions.len(),
            would_match: p.would_match,
            transactions: super::all(&p.transactions),
        }
    }
}

/// A transaction the rule took but could not match.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RuleSkipView {
    #[schema(format = Uuid)]
    pub transaction_id: String,
    /// Why, in words ("no occurrence of the bill…").
    pub reason: String,
}

impl From<&RuleSkip> for RuleSkipView {
    fn from(s: &RuleSkip) -> Self {
        Self {
            transaction_id: s.transaction_id.to_string(),
            reason: s.reason.clone(),
        }
    }
}

/// What applying a rule did: the transactions matched (each now backs one bank payment, to be
/// undone by unmatching it) and those skipped, with why.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RuleAppliedView {
    #[schema(value_type = Vec<String>)]
    pub matched: Vec<String>,
    pub skipped: Vec<RuleSkipView>,
}

impl From<&RuleApplied> for RuleAppliedView {
    fn from(a: &RuleApplied) -> Self {
        Self {
            matched: a.matched.iter().map(ToString::to_string).collect(),
            skipped: super::all(&a.skipped),
        }
    }
}
