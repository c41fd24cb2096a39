//! The bodies of `POST /api/bills` and `PATCH /api/bills/{id}` as clients send them: raw
//! values (amounts as decimal text, dates as `YYYY-MM-DD` text), refused only for their JSON
//! shape here (unknown fields, wrong types, `null` where a field may not be empty). They
//! become `service::bills::{NewBillInput, BillPatch}`, whose content the service parses as a
//! whole in the bill's currency.

use serde::{Deserialize, Deserializer};
use service::bills::{BillPatch, NewBillInput};

use crate::extract::present as nullable;

/// `POST /api/bills`: a new bill. Only `name` and `expected_amount` are required; `null` is
/// accepted only by the fields that may be empty (a defaulted field is left out instead).
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateBillRequest {
    /// 1–120 characters.
    pub name: String,
    /// One of the caller's live categories.
    pub category_id: Option<String>,
    /// Up to 2000 characters; line breaks kept.
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = String, required = false)]
    pub notes: Option<String>,
    /// `fixed` (default) or `estimated`.
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = String, required = false)]
    pub amount_kind: Option<String>,
    /// Decimal text in the bill's currency, e.g. `"12.34"`; never negative.
    pub expected_amount: String,
    /// Estimated bills only, with `expected_max`.
    pub expected_min: Option<String>,
    /// Estimated bills only, with `expected_min`.
    pub expected_max: Option<String>,
    /// ISO 4217 code; default the caller's currency.
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = String, required = false)]
    pub currency: Option<String>,
    /// `weekly`, `biweekly`, `monthly` (default), `quarterly`, `semiannual` or `annual`.
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = String, required = false)]
    pub cycle: Option<String>,
    /// `YYYY-MM-DD`, the first possible occurrence; default the caller's today.
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = String, required = false)]
    pub anchor_date: Option<String>,
    /// 1–31 (monthly-type cycles only), clamped to short months; default the anchor's day.
    #[serde(default, deserialize_with = "domain::version::optional_whole_number")]
    pub due_day: Option<i64>,
    /// `off` (default), `assumed` or `verified`.
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = String, required = false)]
    pub autopay: Option<String>,
    /// `YYYY-MM-DD`, only with `autopay` `verified`; default the caller's today.
    pub autopay_verified_on: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = bool, required = false)]
    pub auto_mark_paid: Option<bool>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = bool, required = false)]
    pub is_subscription: Option<bool>,
    /// Up to 10 distinct lead times of 0–60 days.
    #[serde(default, deserialize_with = "day_list")]
    #[schema(value_type = Option<Vec<i64>>)]
    pub reminder_days: Option<Vec<i64>>,
    /// An `http` or `https` address.
    pub website: Option<String>,
    /// Free text up to 500 characters, encrypted at rest.
    pub account_details: Option<String>,
    /// A debt's current balance, decimal text; not negative.
    pub debt_balance: Option<String>,
    /// Annual percentage rate, e.g. `"19.99"` (0–1000, two decimals).
    pub apr: Option<String>,
    /// Minimum payment, decimal text; not negative.
    pub min_payment: Option<String>,
    /// 1–999: the debt's place in a payoff plan.
    pub payoff_order: Option<i64>,
}

/// `PATCH /api/bills/{id}`: any subset of the fields of [`CreateBillRequest`] plus the
/// `version` last seen. Absent keeps a field; `null` clears one that may be empty.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateBillRequest {
    /// The version the edit is based on; a newer stored version is a conflict (409).
    #[serde(deserialize_with = "domain::version::whole_number")]
    pub version: i64,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = String, required = false)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub category_id: Option<Option<String>>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = String, required = false)]
    pub notes: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = String, required = false)]
    pub amount_kind: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = String, required = false)]
    pub expected_amount: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub expected_min: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub expected_max: Option<Option<String>>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = String, required = false)]
    pub currency: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = String, required = false)]
    pub cycle: Option<String>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = String, required = false)]
    pub anchor_date: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub due_day: Option<Option<i64>>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = String, required = false)]
    pub autopay: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub autopay_verified_on: Option<Option<String>>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = bool, required = false)]
    pub auto_mark_paid: Option<bool>,
    #[serde(default, deserialize_with = "not_null")]
    #[schema(value_type = bool, required = false)]
    pub is_subscription: Option<bool>,
    #[serde(default, deserialize_with = "day_list")]
    #[schema(value_type = Vec<i64>, required = false)]
    pub reminder_days: Option<Vec<i64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub website: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub account_details: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub debt_balance: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub apr: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub min_payment: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub payoff_order: Option<Option<i64>>,
}

impl From<CreateBillRequest> for NewBillInput {
    fn from(r: CreateBillRequest) -> Self {
        Self {
            name: r.name,
            category_id: r.category_id,
            notes: r.notes,
            amount_kind: r.amount_kind,
            expected_amount: r.expected_amount,
            expected_min: r.expected_min,
            expected_max: r.expected_max,
            currency: r.currency,
            cycle: r.cycle,
            anchor_date: r.anchor_date,
            due_day: r.due_day,
            autopay: r.autopay,
            autopay_verified_on: r.autopay_verified_on,
            auto_mark_paid: r.auto_mark_paid,
            is_subscription: r.is_subscription,
            reminder_days: r.reminder_days,
            website: r.website,
            account_details: r.account_details,
            debt_balance: r.debt_balance,
            apr: r.apr,
            min_payment: r.min_payment,
            payoff_order: r.payoff_order,
        }
    }
}

impl From<UpdateBillRequest> for BillPatch {
    fn from(r: UpdateBillRequest) -> Self {
        Self {
            version: r.version,
            name: r.name,
            category_id: r.category_id,
            notes: r.notes,
            amount_kind: r.amount_kind,
            expected_amount: r.expected_amount,
            expected_min: r.expected_min,
            expected_max: r.expected_max,
            currency: r.currency,
            cycle: r.cycle,
            anchor_date: r.anchor_date,
            due_day: r.due_day,
            autopay: r.autopay,
            autopay_verified_on: r.autopay_verified_on,
            auto_mark_paid: r.auto_mark_paid,
            is_subscription: r.is_subscription,
            reminder_days: r.reminder_days,
            website: r.website,
            account_details: r.account_details,
            debt_balance: r.debt_balance,
            apr: r.apr,
            min_payment: r.min_payment,
            payoff_order: r.payoff_order,
        }
    }
}

/// A present field that must not be `null` (absent is `None` through `#[serde(default)]`).
fn not_null<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// A list of whole numbers whose every refusal names the list (`reminder_days`), not the
/// element (`reminder_days[2]`): the client knows the field, not serde's path syntax.
fn day_list<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<i64>>, D::Error> {
    let values = Vec::<serde_json::Value>::deserialize(d)?;
    values
        .iter()
        .map(|v| {
            v.as_i64()
                .ok_or_else(|| serde::de::Error::custom("must be a list of whole numbers of days"))
        })
        .collect::<Result<Vec<i64>, D::Error>>()
        .map(Some)
}
