//! The tracker's totals as the page shows them (issue 14, item 7): one value per currency the
//! month holds, never added together and never a silent zero — a month of dollar bills shows
//! dollars even when the default currency is the euro. The numbers come from the service
//! (`MonthSummary::by_currency`, `MonthBucket::by_currency`); this only words them.

use domain::money::{Currency, Money};
use service::tracker::CurrencyTotals;

use crate::locale::Locale;
use crate::views::tracker::SummaryCard;

/// The totals of a month or a bucket, per currency, the user's first.
pub(super) struct Totals<'a> {
    l: &'a Locale,
    by: &'a [CurrencyTotals],
    home: Currency,
}

impl<'a> Totals<'a> {
    pub fn of(l: &'a Locale, by: &'a [CurrencyTotals], home: Currency) -> Self {
        Self { l, by, home }
    }

    /// Some total is in another currency than the user's.
    fn has_other(&self) -> bool {
        self.by.iter().any(|t| t.currency != self.home)
    }

    /// The currencies other than the user's, as "USD" or "USD and GBP".
    fn others(&self) -> String {
        let codes: Vec<&str> = self
            .by
            .iter()
            .filter(|t| t.currency != self.home)
            .map(|t| t.currency.code())
            .collect();
        codes.join(" and ")
    }

    /// Each currency's amount of `pick`, formatted; `fallback` (the user's currency's zero)
    /// when there is none.
    fn values(&self, pick: impl Fn(&CurrencyTotals) -> Money, fallback: String) -> Vec<String> {
        if self.by.is_empty() {
            return vec![fallback];
        }
        self.by.iter().map(|t| self.l.money_of(pick(t))).collect()
    }

    /// A summary card: the first currency's value, then one line per further currency.
    pub fn card(
        &self,
        label: &'static str,
        pick: impl Fn(&CurrencyTotals) -> Money,
        fallback: String,
    ) -> SummaryCard {
        let mut values = self.values(pick, fallback).into_iter();
        SummaryCard {
            label,
            value: values.next().unwrap_or_default(),
            more: values.collect(),
            note: String::new(),
        }
    }

    /// A bucket header's figure: "$120.00", or "$120.00 and €40.00" for two currencies.
    pub fn line(&self, pick: impl Fn(&CurrencyTotals) -> Money, fallback: String) -> String {
        self.values(pick, fallback).join(" and ")
    }

    /// Why expected − paid is not what remains, per currency (empty when it is).
    pub fn difference_notes(&self, home_difference: Money) -> String {
        if self.by.is_empty() {
            return difference_note(self.l, home_difference);
        }
        self.by
            .iter()
            .map(|t| difference_note(self.l, t.settled_difference))
            .filter(|note| !note.is_empty())
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// Safe to spend counts only the user's currency: say so when other bills are left out.
    pub fn safe_to_spend_note(&self) -> String {
        if self.has_other() {
            format!(
                "Counts only bills in {}; those in {} are left out",
                self.home,
                self.others()
            )
        } else {
            String::new()
        }
    }

    /// The line under the cards when some total is in another currency (empty otherwise).
    pub fn mixed_note(&self) -> String {
        if self.has_other() {
            format!(
                "Bills in {} are totalled on their own: amounts in different currencies are never added, and no exchange rate is applied.",
                self.others()
            )
        } else {
            String::new()
        }
    }
}

/// Why expected − paid is not what remains, in words (empty when it is).
fn difference_note(l: &Locale, difference: Money) -> String {
    let amount = l.money(difference.minor.saturating_abs(), difference.currency);
    match difference.minor.signum() {
        1 => format!("{amount} of the expected was settled for less"),
        -1 => format!("{amount} paid beyond what was expected"),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn currency(code: &str) -> Currency {
        Currency::parse("currency", code).unwrap_or(Currency::USD)
    }

    fn totals(code: &str, expected: i64) -> CurrencyTotals {
        let money = |minor| Money::new(minor, currency(code));
        CurrencyTotals {
            currency: currency(code),
            expected: money(expected),
            paid: money(0),
            remaining: money(expected),
            settled_difference: money(0),
        }
    }

    #[test]
    fn each_currency_is_shown_on_its_own_and_never_as_a_silent_zero() {
        let en = Locale::default();
        let by = [totals("EUR", 4_000), totals("USD", 12_000)];
        let t = Totals::of(&en, &by, currency("EUR"));
        let card = t.card("Expected", |t| t.expected, "€0.00".into());
        assert_eq!(
            (card.value.as_str(), card.more.len()),
            ("EUR\u{a0}40.00", 1)
        );
        assert!(card.more[0].contains("120.00"), "{:?}", card.more);
        assert!(t.line(|t| t.expected, String::new()).contains(" and "));
        assert!(t.safe_to_spend_note().contains("those in USD are left out"));
        assert!(
            t.mixed_note()
                .contains("Bills in USD are totalled on their own")
        );

        let only_dollars = [totals("USD", 12_000)];
        let t = Totals::of(&en, &only_dollars, currency("EUR"));
        let card = t.card("Expected", |t| t.expected, "€0.00".into());
        assert!(
            card.value.contains("120.00") && !card.value.contains('€'),
            "{}",
            card.value
        );

        let t = Totals::of(&en, &[], currency("EUR"));
        assert_eq!(
            t.card("Expected", |t| t.expected, "€0.00".into()).value,
            "€0.00"
        );
        assert!(t.mixed_note().is_empty() && t.safe_to_spend_note().is_empty());
    }
}
