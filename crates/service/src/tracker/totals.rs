//! Adding occurrences up, one total per currency: amounts of two currencies are never added,
//! and an occurrence in another currency than the user's is never silently left out — it is
//! added to its own currency's total (issue 14, item 7).
//!
//! - Expected adds the occurrences that are not skipped; paid adds every payment; remaining
//!   adds what is still owed ([`Occurrence::remaining`]).
//! - Every sum is checked: an overflow is an [`Invalid`] naming the total.
//! - The views list the user's currency first, then the others by code, and only currencies
//!   that have an occurrence: a month of dollar bills shows dollars, never "€0.00".

use domain::Invalid;
use domain::money::{Currency, TOO_LARGE, add_minor};
use serde::Serialize;

use super::AmountView;
use super::month::Occurrence;

/// One currency's totals of a month or a bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct CurrencyTotalsView {
    /// ISO 4217 code of every amount here.
    pub currency: String,
    pub expected: AmountView,
    pub paid: AmountView,
    pub remaining: AmountView,
    /// Expected − paid − remaining in this currency (see `SummaryView::settled_difference`).
    pub settled_difference: AmountView,
}

/// Expected, paid and remaining of some occurrences of one currency, in minor units.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Totals {
    pub expected: i64,
    pub paid: i64,
    pub remaining: i64,
}

impl Totals {
    fn add(&mut self, o: &Occurrence) -> Result<(), Invalid> {
        if !o.skipped {
            self.expected = add_minor("expected", self.expected, o.expected)?;
        }
        self.paid = add_minor("paid", self.paid, o.paid)?;
        self.remaining = add_minor("remaining", self.remaining, o.remaining())?;
        Ok(())
    }

    /// Expected − paid − remaining: what payments settled for less than expected (positive:
    /// estimates paid within their range, skipped months paid) or for more (negative:
    /// overpayments). With it the three totals add up.
    pub fn settled_difference(&self) -> Result<i64, Invalid> {
        self.expected
            .checked_sub(self.paid)
            .and_then(|rest| rest.checked_sub(self.remaining))
            .ok_or_else(|| Invalid::new("expected", TOO_LARGE))
    }
}

/// Running totals, one per currency met, the user's currency first.
#[derive(Debug, Clone)]
pub(super) struct CurrencyTotals {
    home: Currency,
    per: Vec<(Currency, Totals)>,
}

impl CurrencyTotals {
    /// No totals yet; `home` is the user's currency.
    pub fn new(home: Currency) -> Self {
        Self {
            home,
            per: Vec::new(),
        }
    }

    /// Adds `o` to its own currency's totals.
    pub fn add(&mut self, o: &Occurrence) -> Result<(), Invalid> {
        let index = match self.per.iter().position(|(c, _)| *c == o.currency) {
            Some(index) => index,
            None => {
                self.per.push((o.currency, Totals::default()));
                self.per.len() - 1
            }
        };
        match self.per.get_mut(index) {
            Some((_, totals)) => totals.add(o),
            None => Ok(()),
        }
    }

    /// The totals in the user's currency (zero when nothing is in it).
    pub fn home(&self) -> Totals {
        self.per
            .iter()
            .find(|(c, _)| *c == self.home)
            .map(|(_, t)| *t)
            .unwrap_or_default()
    }

    /// Every currency met, the user's first, then by code.
    pub fn views(&self) -> Result<Vec<CurrencyTotalsView>, Invalid> {
        let mut per = self.per.clone();
        per.sort_by_key(|(c, _)| (*c != self.home, c.code()));
        per.into_iter()
            .map(|(currency, t)| {
                let money = |minor| AmountView::new(minor, currency);
                Ok(CurrencyTotalsView {
                    currency: currency.code().to_owned(),
                    expected: money(t.expected),
                    paid: money(t.paid),
                    remaining: money(t.remaining),
                    settled_difference: money(t.settled_difference()?),
                })
            })
            .collect()
    }
}
