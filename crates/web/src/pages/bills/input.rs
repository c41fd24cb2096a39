//! The bill form's text as the service's bill request: blank optional fields are left out (or
//! cleared, in an edit), the few numbers the request takes as numbers (due day, payoff order,
//! reminder days) are read from their text, and fields the chosen options do not use (a range
//! on a fixed amount, a due day on a weekly bill, a verified date on autopay that is not
//! verified) are dropped, as the form's hints say. Everything else is parsed by the service,
//! which names the refused field. Amounts are read as the user's locale writes them
//! ([`in_locale`]).

use domain::Invalid;
use domain::recurrence::Cycle;
use service::bills::{BillPatch, NewBillInput};

use crate::locale::Locale;
use crate::pages::forms::{checked, version};
use crate::views::bills::BillFields;

/// The form's amounts (typed as the user's locale writes them) in the canonical form the
/// service reads; the first misreadable one is refused by name.
pub fn in_locale(l: &Locale, f: &BillFields) -> Result<BillFields, Invalid> {
    let mut out = f.clone();
    for (field, value) in [
        ("expected_amount", &mut out.expected_amount),
        ("expected_min", &mut out.expected_min),
        ("expected_max", &mut out.expected_max),
        ("debt_balance", &mut out.debt_balance),
        ("min_payment", &mut out.min_payment),
    ] {
        *value = l.amount_input(field, value)?;
    }
    Ok(out)
}

/// Blank is absent.
fn opt(raw: &str) -> Option<String> {
    (!raw.trim().is_empty()).then(|| raw.to_owned())
}

/// A whole number typed into a text field; blank is absent.
fn whole(field: &str, raw: &str, reason: &str) -> Result<Option<i64>, Invalid> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse()
        .map(Some)
        .map_err(|_| Invalid::new(field, reason))
}

/// "7, 1, 0" → `[7, 1, 0]`.
fn reminder_days(raw: &str) -> Result<Vec<i64>, Invalid> {
    raw.split(|c: char| c == ',' || c.is_whitespace())
        .filter(|part| !part.is_empty())
        .map(|part| {
            part.parse().map_err(|_| {
                Invalid::new(
                    "reminder_days",
                    "must be whole numbers of days separated by commas, like 7, 1, 0",
                )
            })
        })
        .collect()
}

/// The parts of the form the service takes as numbers, and what the chosen options drop.
struct Shape {
    due_day: Option<i64>,
    payoff_order: Option<i64>,
    reminder_days: Vec<i64>,
    range: (Option<String>, Option<String>),
    verified_on: Option<String>,
}

fn shape(f: &BillFields) -> Result<Shape, Invalid> {
    let estimated = f.amount_kind.trim() == "estimated";
    let by_weeks = f
        .cycle
        .trim()
        .parse::<Cycle>()
        .is_ok_and(|c| !c.is_monthly_type());
    let due_day = whole("due_day", &f.due_day, "must be a whole number from 1 to 31")?;
    Ok(Shape {
        due_day: if by_weeks { None } else { due_day },
        payoff_order: whole(
            "payoff_order",
            &f.payoff_order,
            "must be a whole number from 1 to 999",
        )?,
        reminder_days: reminder_days(&f.reminder_days)?,
        range: if estimated {
            (opt(&f.expected_min), opt(&f.expected_max))
        } else {
            (None, None)
        },
        verified_on: if f.autopay.trim() == "verified" {
            opt(&f.autopay_verified_on)
        } else {
            None
        },
    })
}

/// The request for a new bill.
pub fn create_request(f: &BillFields) -> Result<NewBillInput, Invalid> {
    let s = shape(f)?;
    // Browsers send a mistyped date field as empty: on the form the first due date is
    // required, never silently today (the API keeps its documented default).
    if f.anchor_date.trim().is_empty() {
        return Err(Invalid::new(
            "anchor_date",
            "must not be empty: give the date the bill is first due (YYYY-MM-DD)",
        ));
    }
    Ok(NewBillInput {
        name: f.name.clone(),
        category_id: opt(&f.category_id),
        notes: Some(f.notes.clone()),
        amount_kind: opt(&f.amount_kind),
        expected_amount: f.expected_amount.clone(),
        expected_min: s.range.0,
        expected_max: s.range.1,
        currency: opt(&f.currency),
        cycle: opt(&f.cycle),
        anchor_date: opt(&f.anchor_date),
        due_day: s.due_day,
        autopay: opt(&f.autopay),
        autopay_verified_on: s.verified_on,
        auto_mark_paid: Some(checked(&f.auto_mark_paid)),
        is_subscription: Some(checked(&f.is_subscription)),
        reminder_days: Some(s.reminder_days),
        website: opt(&f.website),
        account_details: opt(&f.account_details),
        debt_balance: opt(&f.debt_balance),
        apr: opt(&f.apr),
        min_payment: opt(&f.min_payment),
        payoff_order: s.payoff_order,
    })
}

/// The request for an edit: every field of the form, blank clearing what may be empty. A
/// version that is not a number can never match, so it answers as changed elsewhere.
pub fn update_request(f: &BillFields) -> Result<BillPatch, Invalid> {
    let s = shape(f)?;
    Ok(BillPatch {
        version: version(&f.version),
        name: Some(f.name.clone()),
        category_id: Some(opt(&f.category_id)),
        notes: Some(f.notes.clone()),
        amount_kind: opt(&f.amount_kind),
        expected_amount: Some(f.expected_amount.clone()),
        expected_min: Some(s.range.0),
        expected_max: Some(s.range.1),
        currency: opt(&f.currency),
        cycle: opt(&f.cycle),
        anchor_date: Some(f.anchor_date.clone()),
        due_day: Some(s.due_day),
        autopay: opt(&f.autopay),
        autopay_verified_on: Some(s.verified_on),
        auto_mark_paid: Some(checked(&f.auto_mark_paid)),
        is_subscription: Some(checked(&f.is_subscription)),
        reminder_days: Some(s.reminder_days),
        website: Some(opt(&f.website)),
        account_details: Some(opt(&f.account_details)),
        debt_balance: Some(opt(&f.debt_balance)),
        apr: Some(opt(&f.apr)),
        min_payment: Some(opt(&f.min_payment)),
        payoff_order: Some(s.payoff_order),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reminders_are_read_from_a_list() {
        assert_eq!(reminder_days("7, 1,0").ok(), Some(vec![7, 1, 0]));
        assert_eq!(reminder_days("  ").ok(), Some(vec![]));
        assert_eq!(
            reminder_days("7, soon").map_err(|e| e.field),
            Err("reminder_days".to_owned())
        );
    }

    #[test]
    fn options_the_form_does_not_use_are_dropped() {
        let fields = BillFields {
            name: "Gym".into(),
            expected_amount: "30".into(),
            amount_kind: "fixed".into(),
            expected_min: "10".into(),
            expected_max: "50".into(),
            cycle: "weekly".into(),
            due_day: "15".into(),
            autopay: "off".into(),
            autopay_verified_on: "2026-03-01".into(),
            ..BillFields::default()
        };
        let request = create_request(&fields).map_err(|e| e.field);
        let request = request.as_ref().ok();
        assert_eq!(request.and_then(|r| r.expected_min.clone()), None);
        assert_eq!(request.and_then(|r| r.due_day), None);
        assert_eq!(request.and_then(|r| r.autopay_verified_on.clone()), None);
        let bad = BillFields {
            due_day: "the 5th".into(),
            cycle: "monthly".into(),
            ..fields
        };
        assert_eq!(
            create_request(&bad).map(|_| ()).map_err(|e| e.field),
            Err("due_day".to_owned())
        );
    }
}
