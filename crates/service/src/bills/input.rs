//! Parsing a bill's typed fields (see `fields`) into a stored template.
//!
//! Why the parsing is here rather than in the web layer: amounts are parsed in the bill's
//! currency, which for an edit may be the stored one, and a bill is checked as a whole (the
//! range against the kind, the due day against the cycle, the verified date against the
//! autopay state). So a new bill and an edit both become one complete [`Draft`] of raw values
//! (an edit: the stored bill written back as text with the patch laid over it), and [`parse`]
//! turns every field of it into domain types, each error naming its JSON field. Nothing is
//! stored before the whole draft has parsed.
//!
//! JSON conventions: in an edit, an absent field keeps its value and `null` clears a field
//! that may be empty; `null` for a field that may not be empty is a wrong type. Changing the
//! kind to `fixed`, the cycle to weekly or biweekly, or the autopay state away from `verified`
//! drops the range, due day or verified date unless the same edit sets them.

use chrono::NaiveDate;
use domain::Invalid;
use domain::bill::Apr;
use domain::bill::{AmountKind, AutopayState, BillName, ExpectedAmount, Notes, ReminderDays};
use domain::id::CategoryId;
use domain::money::{Currency, format_minor, parse_amount};
use domain::recurrence::{Cycle, DueDay};
use domain::website::Website;
use store::bills::{BillRow, BillTemplate};

use super::fields::{ACCOUNT_DETAILS_MAX_CHARS, BillPatch, NewBillInput};
use crate::{Error, Result};

/// The account details of a draft: the stored ciphertext kept as it is, or new text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Details {
    Keep(Option<String>),
    Set(Option<String>),
}

/// Every field of a bill as raw input, before parsing.
#[derive(Debug, Clone)]
pub(super) struct Draft {
    name: String,
    category_id: Option<String>,
    notes: String,
    amount_kind: String,
    expected_amount: String,
    expected_min: Option<String>,
    expected_max: Option<String>,
    currency: String,
    cycle: String,
    anchor_date: String,
    due_day: Option<i64>,
    autopay: String,
    autopay_verified_on: Option<String>,
    auto_mark_paid: bool,
    is_subscription: bool,
    reminder_days: Vec<i64>,
    website: Option<String>,
    account_details: Details,
    debt_balance: Option<String>,
    apr: Option<String>,
    min_payment: Option<String>,
    payoff_order: Option<i64>,
}

impl Draft {
    /// A new bill, with the defaults filled in.
    pub(super) fn new(r: NewBillInput, currency: Currency, today: NaiveDate) -> Self {
        Self {
            name: r.name,
            category_id: r.category_id,
            notes: r.notes.unwrap_or_default(),
            amount_kind: r.amount_kind.unwrap_or_else(|| "fixed".into()),
            expected_amount: r.expected_amount,
            expected_min: r.expected_min,
            expected_max: r.expected_max,
            currency: r.currency.unwrap_or_else(|| currency.code().into()),
            cycle: r.cycle.unwrap_or_else(|| "monthly".into()),
            anchor_date: r.anchor_date.unwrap_or_else(|| today.to_string()),
            due_day: r.due_day,
            autopay: r.autopay.unwrap_or_else(|| "off".into()),
            autopay_verified_on: r.autopay_verified_on,
            auto_mark_paid: r.auto_mark_paid.unwrap_or(false),
            is_subscription: r.is_subscription.unwrap_or(false),
            reminder_days: r.reminder_days.unwrap_or_default(),
            website: r.website,
            account_details: Details::Set(r.account_details),
            debt_balance: r.debt_balance,
            apr: r.apr,
            min_payment: r.min_payment,
            payoff_order: r.payoff_order,
        }
    }

    /// A stored bill written back as input, so an edit is parsed like a new bill.
    pub(super) fn from_row(row: &BillRow) -> Result<Self> {
        let currency = Currency::parse("currency", &row.currency).map_err(|_| {
            Error::internal(format!("bill {} has currency {}", row.id, row.currency))
        })?;
        let money = |minor: Option<i64>| minor.map(|m| format_minor(m, currency));
        Ok(Self {
            name: row.name.clone(),
            category_id: row.category_id.map(|id| id.to_string()),
            notes: row.notes.clone(),
            amount_kind: row.amount_kind.clone(),
            expected_amount: format_minor(row.expected_minor, currency),
            expected_min: money(row.min_minor),
            expected_max: money(row.max_minor),
            currency: row.currency.clone(),
            cycle: row.cycle.clone(),
            anchor_date: row.anchor_date.to_string(),
            due_day: row.due_day,
            autopay: row.autopay.clone(),
            autopay_verified_on: row.autopay_verified_on.map(|d| d.to_string()),
            auto_mark_paid: row.auto_mark_paid,
            is_subscription: row.is_subscription,
            reminder_days: row.reminder_days.clone(),
            website: row.website.clone(),
            account_details: Details::Keep(row.account_details_enc.clone()),
            debt_balance: money(row.debt_balance_minor),
            apr: row.debt_apr_bp.map(percent_text),
            min_payment: money(row.debt_min_payment_minor),
            payoff_order: row.debt_payoff_order,
        })
    }

    /// The draft with `patch` laid over it (see the module documentation for the rules).
    pub(super) fn apply(mut self, p: BillPatch) -> Self {
        let fixed = p
            .amount_kind
            .as_deref()
            .is_some_and(|k| k.trim() == "fixed");
        if fixed && p.expected_min.is_none() && p.expected_max.is_none() {
            (self.expected_min, self.expected_max) = (None, None);
        }
        let by_days = p
            .cycle
            .as_deref()
            .is_some_and(|c| c.parse::<Cycle>().is_ok_and(|c| !c.is_monthly_type()));
        if by_days && p.due_day.is_none() {
            self.due_day = None;
        }
        let unverified = p.autopay.as_deref().is_some_and(|a| a.trim() != "verified");
        if unverified && p.autopay_verified_on.is_none() {
            self.autopay_verified_on = None;
        }
        set(&mut self.name, p.name);
        set(&mut self.category_id, p.category_id);
        set(&mut self.notes, p.notes);
        set(&mut self.amount_kind, p.amount_kind);
        set(&mut self.expected_amount, p.expected_amount);
        set(&mut self.expected_min, p.expected_min);
        set(&mut self.expected_max, p.expected_max);
        set(&mut self.currency, p.currency);
        set(&mut self.cycle, p.cycle);
        set(&mut self.anchor_date, p.anchor_date);
        set(&mut self.due_day, p.due_day);
        set(&mut self.autopay, p.autopay);
        set(&mut self.autopay_verified_on, p.autopay_verified_on);
        set(&mut self.auto_mark_paid, p.auto_mark_paid);
        set(&mut self.is_subscription, p.is_subscription);
        set(&mut self.reminder_days, p.reminder_days);
        set(&mut self.website, p.website);
        if let Some(details) = p.account_details {
            self.account_details = Details::Set(details);
        }
        set(&mut self.debt_balance, p.debt_balance);
        set(&mut self.apr, p.apr);
        set(&mut self.min_payment, p.min_payment);
        set(&mut self.payoff_order, p.payoff_order);
        self
    }
}

fn set<T>(field: &mut T, value: Option<T>) {
    if let Some(value) = value {
        *field = value;
    }
}

/// A draft that parsed: the template (account details not yet sealed), the account details
/// to seal, and the opening or corrected debt balance.
#[derive(Debug, Clone)]
pub(super) struct Parsed {
    pub template: BillTemplate,
    pub details: Details,
    pub debt_balance: Option<i64>,
}

/// Parses every field of `d`; the first refused field is the error. `today` is the caller's.
pub(super) fn parse(d: Draft, today: NaiveDate) -> Result<Parsed, Invalid> {
    let name = BillName::parse(&d.name)?;
    let category_id = d.category_id.as_deref().map(category).transpose()?;
    let notes = Notes::parse("notes", &d.notes)?;
    let kind: AmountKind = d.amount_kind.parse()?;
    let currency = Currency::parse("currency", &d.currency)?;
    let expected = amount("expected_amount", &d.expected_amount, currency)?;
    let min = d.expected_min.as_deref();
    let max = d.expected_max.as_deref();
    let range = match (min, max) {
        (None, None) => None,
        (Some(min), Some(max)) => Some((
            amount("expected_min", min, currency)?,
            amount("expected_max", max, currency)?,
        )),
        (Some(_), None) => return Err(Invalid::new("expected_max", "is needed with a minimum")),
        (None, Some(_)) => return Err(Invalid::new("expected_min", "is needed with a maximum")),
    };
    let expected = ExpectedAmount::new(kind, expected, range)?;
    let cycle: Cycle = d.cycle.parse()?;
    let anchor_date = parse_date("anchor_date", &d.anchor_date)?;
    let due_day = d.due_day.map(DueDay::new).transpose()?;
    if due_day.is_some() && !cycle.is_monthly_type() {
        return Err(Invalid::new(
            "due_day",
            "only monthly, quarterly, semiannual and annual bills have a due day",
        ));
    }
    let autopay: AutopayState = d.autopay.parse()?;
    let verified_on = verified_on(autopay, d.autopay_verified_on.as_deref(), today)?;
    let reminders = ReminderDays::parse(&d.reminder_days)?;
    let website = d.website.as_deref().map(Website::parse).transpose()?;
    let details = match d.account_details {
        Details::Set(Some(text)) => Details::Set(account_details(&text)?),
        other => other,
    };
    let debt_balance = opt_amount("debt_balance", d.debt_balance.as_deref(), currency)?;
    let apr = d.apr.as_deref().map(Apr::parse_percent).transpose()?;
    let min_payment = opt_amount("min_payment", d.min_payment.as_deref(), currency)?;
    if let Some(order) = d.payoff_order.filter(|o| !(1..=999).contains(o)) {
        return Err(Invalid::new(
            "payoff_order",
            format!("must be from 1 to 999, not {order}"),
        ));
    }
    Ok(Parsed {
        template: BillTemplate {
            category_id,
            name: name.as_str().to_owned(),
            notes: notes.as_str().to_owned(),
            amount_kind: kind.as_str().to_owned(),
            expected_minor: expected.expected(),
            min_minor: expected.range().map(|(min, _)| min),
            max_minor: expected.range().map(|(_, max)| max),
            currency: currency.code().to_owned(),
            cycle: cycle.as_str().to_owned(),
            anchor_date,
            due_day: due_day.map(|d| i64::from(d.get())),
            autopay: autopay.as_str().to_owned(),
            autopay_verified_on: verified_on,
            auto_mark_paid: d.auto_mark_paid,
            is_subscription: d.is_subscription,
            reminder_days: reminders.days().iter().map(|d| i64::from(*d)).collect(),
            website: website.map(|w| w.as_str().to_owned()),
            account_details_enc: None,
            debt_apr_bp: apr.map(|a| i64::from(a.basis_points())),
            debt_min_payment_minor: min_payment,
            debt_payoff_order: d.payoff_order,
        },
        details,
        debt_balance,
    })
}

pub use domain::date::parse_date;

/// An APR in basis points as the percentage text clients send (`1999` → `"19.99"`).
fn percent_text(basis_points: i64) -> String {
    format!("{}.{:02}", basis_points / 100, basis_points % 100)
}

fn category(raw: &str) -> Result<CategoryId, Invalid> {
    raw.trim()
        .parse()
        .map_err(|_| Invalid::new("category_id", "must be the id of one of your categories"))
}

/// An amount of `currency` that must not be negative.
fn amount(field: &str, raw: &str, currency: Currency) -> Result<i64, Invalid> {
    let minor = parse_amount(field, raw, currency)?;
    if minor < 0 {
        return Err(Invalid::new(field, "must not be negative"));
    }
    Ok(minor)
}

fn opt_amount(field: &str, raw: Option<&str>, currency: Currency) -> Result<Option<i64>, Invalid> {
    raw.map(|raw| amount(field, raw, currency)).transpose()
}

/// The verified date: only for a verified autopay (default today), never in the future.
fn verified_on(
    autopay: AutopayState,
    raw: Option<&str>,
    today: NaiveDate,
) -> Result<Option<NaiveDate>, Invalid> {
    const FIELD: &str = "autopay_verified_on";
    let date = raw.map(|raw| parse_date(FIELD, raw)).transpose()?;
    match (autopay, date) {
        (AutopayState::Verified, None) => Ok(Some(today)),
        (AutopayState::Verified, Some(date)) if date > today => {
            Err(Invalid::new(FIELD, "must not be in the future"))
        }
        (AutopayState::Verified, date) => Ok(date),
        (_, Some(_)) => Err(Invalid::new(FIELD, "is only for autopay that is verified")),
        (_, None) => Ok(None),
    }
}

/// Account details: up to 500 characters, line breaks kept, other control characters refused;
/// blank means none.
fn account_details(raw: &str) -> Result<Option<String>, Invalid> {
    const FIELD: &str = "account_details";
    if raw.trim().chars().count() > ACCOUNT_DETAILS_MAX_CHARS {
        return Err(Invalid::new(
            FIELD,
            format!("must be at most {ACCOUNT_DETAILS_MAX_CHARS} characters"),
        ));
    }
    let text = Notes::parse(FIELD, raw)?;
    Ok((!text.is_empty()).then(|| text.as_str().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_must_exist_and_be_written_in_full() {
        assert_eq!(
            parse_date("on", "2024-02-29").ok(),
            NaiveDate::from_ymd_opt(2024, 2, 29)
        );
        for bad in [
            "2025-02-30",
            "2025-2-3",
            "+2025-01-01",
            "2025/01/01",
            "",
            "2025-01-01T00",
        ] {
            assert_eq!(
                parse_date("on", bad).map_err(|e| e.field),
                Err("on".to_owned()),
                "{bad}"
            );
        }
    }

    #[test]
    fn percentages_are_written_with_two_decimals() {
        assert_eq!(percent_text(1999), "19.99");
        assert_eq!(percent_text(5), "0.05");
        assert_eq!(percent_text(100_000), "1000.00");
    }
}
