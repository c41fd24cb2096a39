//! Formatting for the bill pages: the service's typed results (bills, categories, payments,
//! occurrences) become the strings the templates draw — amounts in the user's locale with
//! their currency, cycles and dates in words, field errors that name the field. No I/O here.

use chrono::{Datelike, NaiveDate};
use domain::Invalid;
use domain::bill::AutopayState;
use domain::money::{Money, TOO_LARGE};
use domain::payment::PaymentSource;
use domain::recurrence::Cycle;
use service::bills::{ActiveRange, Bill};
use service::categories::Category;
use service::payments::Payment;
use service::tracker::Occurrence;

use crate::locale::Locale;
use crate::pages::common::{badge, relative};
use crate::views::bills::{
    BillListRow, CategoryChip, DueText, Fact, OccurrenceFields, OccurrenceRow, PaymentRow,
};

/// The label of each bill form field, so a message names the field as the form shows it.
const LABELS: [(&str, &str); 24] = [
    ("name", "Name"),
    ("category_id", "Category"),
    ("notes", "Notes"),
    ("amount_kind", "Amount type"),
    ("expected_amount", "Amount"),
    ("expected_min", "Lowest expected"),
    ("expected_max", "Highest expected"),
    ("currency", "Currency"),
    ("cycle", "Repeats"),
    ("anchor_date", "First due date"),
    ("due_day", "Due day of the month"),
    ("autopay", "Autopay"),
    ("autopay_verified_on", "Autopay verified on"),
    ("reminder_days", "Reminders"),
    ("website", "Website"),
    ("account_details", "Account details"),
    ("debt_balance", "Current balance"),
    ("apr", "APR"),
    ("min_payment", "Minimum payment"),
    ("payoff_order", "Payoff order"),
    ("amount", "Amount"),
    ("paid_on", "Paid on"),
    ("cycle_due", "Pays the bill due"),
    ("method", "Method"),
];

/// More labels of the occurrence, payment and category forms.
const MORE_LABELS: [(&str, &str); 7] = [
    ("new_category", "New category"),
    ("note", "Note"),
    ("actual_amount", "Actual amount"),
    ("snoozed_until", "Snooze until"),
    ("color", "Colour"),
    ("on", "Date"),
    ("due_date", "Due date"),
];

/// A refusal as the form shows it: `(field, "Label reason")`, e.g. `("name", "Name must not be
/// empty")`.
pub fn field_error(invalid: &Invalid) -> (String, String) {
    let label = LABELS
        .iter()
        .chain(MORE_LABELS.iter())
        .find(|(field, _)| *field == invalid.field)
        .map_or("This field", |(_, label)| label);
    // The overflow message names the amount itself ("amount is too large").
    let reason = if invalid.reason == TOO_LARGE {
        "is too large"
    } else {
        invalid.reason.as_str()
    };
    (invalid.field.clone(), format!("{label} {reason}"))
}

/// A date as the user's locale writes it ("Mar 20, 2026").
pub fn day_label(l: &Locale, day: NaiveDate) -> String {
    l.date(day)
}

/// A due date with how far it is from `today`.
pub fn due_text(l: &Locale, due: NaiveDate, today: NaiveDate) -> DueText {
    DueText {
        label: day_label(l, due),
        iso: due.to_string(),
        relative: relative(due, today),
    }
}

/// 1st, 2nd, 3rd, 4th … 11th, 12th, 13th … 21st.
pub fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

/// How often a bill repeats, in words: "Monthly on the 15th", "Every 2 weeks on Fridays".
pub fn cycle_words(bill: &Bill) -> String {
    let anchor = bill.anchor_date;
    let day = bill
        .due_day
        .and_then(|d| u32::try_from(d).ok())
        .unwrap_or_else(|| anchor.day());
    let weekdays = format!("{}s", anchor.format("%A"));
    match bill.cycle {
        Cycle::Weekly => format!("Weekly on {weekdays}"),
        Cycle::Biweekly => format!("Every 2 weeks on {weekdays}"),
        Cycle::Monthly => format!("Monthly on the {}", ordinal(day)),
        Cycle::Quarterly => format!("Every 3 months on the {}", ordinal(day)),
        Cycle::Semiannual => format!("Every 6 months on the {}", ordinal(day)),
        Cycle::Annual => format!("Yearly in {}, on the {}", anchor.format("%B"), ordinal(day)),
    }
}

/// The bill's amount ("$89.99", "≈ $80.00" when estimated) and its range ("$60.00 – $100.00",
/// or empty).
pub fn amount_text(l: &Locale, bill: &Bill) -> (String, String) {
    let money = |m: Money| l.money_of(m);
    let expected = money(bill.expected);
    let range = match (bill.expected_min, bill.expected_max) {
        (Some(min), Some(max)) => format!("{} – {}", money(min), money(max)),
        _ => String::new(),
    };
    if bill.is_estimated() {
        (format!("≈ {expected}"), range)
    } else {
        (expected, range)
    }
}

/// "Autopay" or "Autopay verified" when autopay is on.
pub fn autopay_label(bill: &Bill) -> Option<&'static str> {
    match bill.autopay {
        AutopayState::Assumed => Some("Autopay"),
        AutopayState::Verified => Some("Autopay verified"),
        AutopayState::Off => None,
    }
}

/// The badges beside a bill's name.
pub fn markers(bill: &Bill) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = autopay_label(bill).into_iter().collect();
    if bill.is_debt() {
        out.push("Debt");
    }
    if bill.is_subscription {
        out.push("Subscription");
    }
    out
}

/// The chip of the bill's category, if it has one the user can see.
pub fn chip(bill: &Bill, categories: &[Category]) -> Option<CategoryChip> {
    let id = bill.category_id?;
    categories
        .iter()
        .find(|c| c.id == id)
        .map(|c| CategoryChip {
            name: c.name.clone(),
            color: c.color.clone(),
        })
}

/// One row of the bills list.
pub fn list_row(l: &Locale, bill: &Bill, categories: &[Category], today: NaiveDate) -> BillListRow {
    let (amount, range) = amount_text(l, bill);
    BillListRow {
        id: bill.id.to_string(),
        name: bill.name.clone(),
        category: chip(bill, categories),
        amount,
        range,
        cycle: cycle_words(bill),
        next_due: bill.next_due.map(|due| due_text(l, due, today)),
        autopay: autopay_label(bill),
        debt: bill.is_debt(),
        subscription: bill.is_subscription,
    }
}

fn yes_no(value: bool) -> String {
    if value { "Yes" } else { "No" }.to_owned()
}

/// The bill's settings in words, for the detail page.
pub fn facts(l: &Locale, bill: &Bill) -> Vec<Fact> {
    let autopay = match (bill.autopay, bill.autopay_verified_on) {
        (AutopayState::Assumed, _) => "On (assumed paid on the due date)".to_owned(),
        (AutopayState::Verified, Some(on)) => format!("On, verified {}", day_label(l, on)),
        (AutopayState::Verified, None) => "On, verified".to_owned(),
        (AutopayState::Off, _) => "Off".to_owned(),
    };
    let reminders = match bill.reminder_days.as_slice() {
        [] => "None".to_owned(),
        days => days
            .iter()
            .map(|d| match d {
                0 => "on the due date".to_owned(),
                1 => "1 day before".to_owned(),
                n => format!("{n} days before"),
            })
            .collect::<Vec<_>>()
            .join(", "),
    };
    vec![
        Fact {
            label: "Amount type",
            value: if bill.is_estimated() {
                "Estimated (varies)".to_owned()
            } else {
                "Fixed".to_owned()
            },
        },
        Fact {
            label: "Currency",
            value: bill.currency().code().to_owned(),
        },
        Fact {
            label: "First due date",
            value: day_label(l, bill.anchor_date),
        },
        Fact {
            label: "Autopay",
            value: autopay,
        },
        Fact {
            label: "Marked paid automatically",
            value: yes_no(bill.auto_mark_paid),
        },
        Fact {
            label: "Subscription",
            value: yes_no(bill.is_subscription),
        },
        Fact {
            label: "Reminders",
            value: reminders,
        },
    ]
}

/// The debt fields that are set.
pub fn debt_facts(l: &Locale, bill: &Bill) -> Vec<Fact> {
    let mut out = Vec::new();
    let money = |m: Money| l.money_of(m);
    if let Some(balance) = bill.debt_balance.map(money) {
        out.push(Fact {
            label: "Current balance",
            value: balance,
        });
    }
    if let Some(apr) = bill.apr {
        out.push(Fact {
            label: "APR",
            value: apr.to_string(),
        });
    }
    if let Some(min) = bill.min_payment.map(money) {
        out.push(Fact {
            label: "Minimum payment",
            value: min,
        });
    }
    if let Some(order) = bill.payoff_order {
        out.push(Fact {
            label: "Payoff order",
            value: order.to_string(),
        });
    }
    out
}

/// "Mar 1, 2026 – now", "Jan 1, 2025 – Feb 10, 2025" (the end is the day it was deactivated).
pub fn range_text(l: &Locale, range: &ActiveRange) -> String {
    let day = |d: NaiveDate| l.date(d);
    match range.end_date {
        Some(end) => format!("{} – {} (deactivated)", day(range.start_date), day(end)),
        None => format!("{} – now", day(range.start_date)),
    }
}

/// One payment.
pub fn payment_row(l: &Locale, p: &Payment) -> PaymentRow {
    PaymentRow {
        id: p.id.to_string(),
        paid_on: day_label(l, p.paid_on),
        paid_on_iso: p.paid_on.to_string(),
        amount: l.money_of(p.amount),
        cycle_due: day_label(l, p.cycle_due),
        method: p.method.clone().unwrap_or_default(),
        note: p.note.clone(),
        source: match p.source {
            PaymentSource::Import => "Import",
            PaymentSource::Bank => "Bank",
            PaymentSource::Manual => "Manual",
        },
        autopay_failed: p.autopay_failed,
    }
}

/// One occurrence with its override form filled with the saved values.
pub fn occurrence_row(l: &Locale, o: &Occurrence) -> OccurrenceRow {
    let (status_label, badge_class) = badge(o.status);
    let mut overrides = Vec::new();
    if let Some(actual) = o.actual {
        overrides.push(format!("Amount this time: {}", l.money_of(actual)));
    }
    if let Some(until) = o.snoozed_until {
        overrides.push(format!("Snoozed until {}", l.day_month(until)));
    }
    if !o.note.is_empty() {
        overrides.push(format!("Note: {}", o.note));
    }
    OccurrenceRow {
        due_label: day_label(l, o.due),
        due_iso: o.due.to_string(),
        expected: l.money_of(o.expected),
        paid: l.money_of(o.paid),
        status_label,
        badge_class,
        form: OccurrenceFields {
            due_date: o.due.to_string(),
            actual_amount: o.actual.map(|a| l.money_field(a)).unwrap_or_default(),
            note: o.note.clone(),
            skipped: if o.skipped { "true" } else { "" }.to_owned(),
            snoozed_until: o.snoozed_until.map(|d| d.to_string()).unwrap_or_default(),
        },
        errors: Vec::new(),
        open: false,
        overrides,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinals_have_their_suffix() {
        let shown: Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 31]
            .into_iter()
            .map(ordinal)
            .collect();
        assert_eq!(
            shown,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "31st"
            ]
        );
    }

    #[test]
    fn errors_name_the_field_as_the_form_labels_it() {
        let (field, message) = field_error(&Invalid::new("expected_amount", "must be a number"));
        assert_eq!(field, "expected_amount");
        assert_eq!(message, "Amount must be a number");
        assert_eq!(
            field_error(&Invalid::new("unknown", "is wrong")).1,
            "This field is wrong"
        );
        assert_eq!(
            field_error(&Invalid::new("amount", TOO_LARGE)).1,
            "Amount is too large"
        );
    }
}
