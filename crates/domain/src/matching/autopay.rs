//! What the bank says about an autopay bill's occurrence: **verified** when a bank
//! transaction's payment settles it; **flagged** when it is past its due date plus the user's
//! grace days with no bank payment, while the user's bank transactions reach that day (so the
//! bank's record would show the payment if there had been one). Otherwise nothing is known
//! (the bill stays "assumed" paid as before). Bills without autopay get no check.

use chrono::{Days, NaiveDate};

use crate::bill::AutopayState;

/// The bank's verdict on an autopay occurrence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AutopayCheck {
    /// A bank payment settles it.
    Verified,
    /// Past due + grace with no bank payment, although the bank's transactions cover that day.
    Flagged,
}

impl AutopayCheck {
    /// `verified` or `flagged`.
    pub fn as_str(self) -> &'static str {
        match self {
            AutopayCheck::Verified => "verified",
            AutopayCheck::Flagged => "flagged",
        }
    }
}

/// The check of one occurrence of a bill with `autopay`, due on `due`. `bank_paid`: a live
/// bank-sourced payment is attributed to it; `covered_until`: the latest day the user's bank
/// transactions reach (none imported: `None`).
pub fn autopay_check(
    autopay: AutopayState,
    due: NaiveDate,
    bank_paid: bool,
    grace_days: u8,
    today: NaiveDate,
    covered_until: Option<NaiveDate>,
) -> Option<AutopayCheck> {
    if autopay == AutopayState::Off {
        return None;
    }
    if bank_paid {
        return Some(AutopayCheck::Verified);
    }
    let deadline = due.checked_add_days(Days::new(u64::from(grace_days)))?;
    let covered = covered_until.is_some_and(|until| until >= deadline);
    (today > deadline && covered).then_some(AutopayCheck::Flagged)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2027, 3, d).unwrap_or_default()
    }

    #[test]
    fn a_bank_payment_verifies_and_a_covered_missing_one_is_flagged_after_grace() {
        let check =
            |autopay, paid, today, covered| autopay_check(autopay, day(1), paid, 5, today, covered);
        assert_eq!(
            check(AutopayState::Assumed, true, day(2), None),
            Some(AutopayCheck::Verified)
        );
        assert_eq!(
            check(AutopayState::Verified, false, day(7), Some(day(9))),
            Some(AutopayCheck::Flagged)
        );
        assert_eq!(
            check(AutopayState::Assumed, false, day(6), Some(day(9))),
            None,
            "still within grace"
        );
        assert_eq!(
            check(AutopayState::Assumed, false, day(9), Some(day(5))),
            None,
            "the bank's record stops before the deadline"
        );
        assert_eq!(
            check(AutopayState::Assumed, false, day(9), None),
            None,
            "no transactions at all"
        );
        assert_eq!(
            check(AutopayState::Off, true, day(9), Some(day(9))),
            None,
            "not an autopay bill"
        );
    }
}
