//! Matching transactions to bills on the wire: suggestions with their reasons, and the recent
//! matches an undo panel lists.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use service::matching::{RecentMatch, Suggestion, TransactionSuggestions};

use super::bank::TransactionView;

/// A bill suggested for a transaction, and why.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SuggestionView {
    #[schema(format = Uuid)]
    pub bill_id: String,
    pub bill_name: String,
    /// 0–100.
    pub score: u8,
    /// Short phrases: "amount equal", "2 days after due", "payee like 3 earlier matches".
    pub reasons: Vec<String>,
}

impl From<&Suggestion> for SuggestionView {
    fn from(s: &Suggestion) -> Self {
        Self {
            bill_id: s.bill_id.to_string(),
            bill_name: s.bill_name.clone(),
            score: s.score,
            reasons: s.reasons.iter().map(ToString::to_string).collect(),
        }
    }
}

/// A transaction and its suggested bills, best first.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct TransactionSuggestionsView {
    pub transaction: TransactionView,
    pub suggestions: Vec<SuggestionView>,
}

impl From<&TransactionSuggestions> for TransactionSuggestionsView {
    fn from(t: &TransactionSuggestions) -> Self {
        Self {
            transaction: TransactionView::from(&t.transaction),
            suggestions: t.suggestions.iter().map(SuggestionView::from).collect(),
        }
    }
}

/// A match made in the last 7 days, which the undo panel offers to undo.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RecentMatchView {
    pub transaction: TransactionView,
    #[schema(format = Uuid)]
    pub bill_id: String,
    pub bill_name: String,
    /// The due date of the occurrence it settled.
    pub cycle_due: NaiveDate,
    pub matched_at: DateTime<Utc>,
    /// `manual`, `suggestion` or `rule`.
    pub matched_by: &'static str,
    pub undo_until: DateTime<Utc>,
}

impl From<&RecentMatch> for RecentMatchView {
    fn from(m: &RecentMatch) -> Self {
        Self {
            transaction: TransactionView::from(&m.transaction),
            bill_id: m.bill_id.to_string(),
            bill_name: m.bill_name.clone(),
            cycle_due: m.cycle_due,
            matched_at: m.matched_at,
            matched_by: m.matched_by.as_str(),
            undo_until: m.undo_until,
        }
    }
}
