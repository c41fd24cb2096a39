//! A bill's fields as a client typed them, before parsing: the input of [`super::create`]
//! ([`NewBillInput`]) and [`super::update`] ([`BillPatch`]). They stay raw text because a
//! bill is parsed as a whole in its currency (see `input`), which for an edit may be the
//! stored one. The JSON bodies that carry them (`CreateBillRequest`, `UpdateBillRequest`)
//! live in `web/src/api`; the bill form fills them too.

/// The most characters of account details a bill keeps.
pub const ACCOUNT_DETAILS_MAX_CHARS: usize = 500;

/// A new bill. Only `name` and `expected_amount` are required; `None` takes the default
/// (fixed, the caller's currency, monthly, anchored today, autopay off).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewBillInput {
    pub name: String,
    pub category_id: Option<String>,
    pub notes: Option<String>,
    pub amount_kind: Option<String>,
    pub expected_amount: String,
    pub expected_min: Option<String>,
    pub expected_max: Option<String>,
    pub currency: Option<String>,
    pub cycle: Option<String>,
    pub anchor_date: Option<String>,
    pub due_day: Option<i64>,
    pub autopay: Option<String>,
    pub autopay_verified_on: Option<String>,
    pub auto_mark_paid: Option<bool>,
    pub is_subscription: Option<bool>,
    pub reminder_days: Option<Vec<i64>>,
    pub website: Option<String>,
    pub account_details: Option<String>,
    pub debt_balance: Option<String>,
    pub apr: Option<String>,
    pub min_payment: Option<String>,
    pub payoff_order: Option<i64>,
}

/// A change to a bill based on `version`: `None` keeps a field, `Some(None)` clears one that
/// may be empty.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BillPatch {
    /// The version the edit is based on; a newer stored version is a conflict (409).
    pub version: i64,
    pub name: Option<String>,
    pub category_id: Option<Option<String>>,
    pub notes: Option<String>,
    pub amount_kind: Option<String>,
    pub expected_amount: Option<String>,
    pub expected_min: Option<Option<String>>,
    pub expected_max: Option<Option<String>>,
    pub currency: Option<String>,
    pub cycle: Option<String>,
    pub anchor_date: Option<String>,
    pub due_day: Option<Option<i64>>,
    pub autopay: Option<String>,
    pub autopay_verified_on: Option<Option<String>>,
    pub auto_mark_paid: Option<bool>,
    pub is_subscription: Option<bool>,
    pub reminder_days: Option<Vec<i64>>,
    pub website: Option<Option<String>>,
    pub account_details: Option<Option<String>>,
    pub debt_balance: Option<Option<String>>,
    pub apr: Option<Option<String>>,
    pub min_payment: Option<Option<String>>,
    pub payoff_order: Option<Option<i64>>,
}
