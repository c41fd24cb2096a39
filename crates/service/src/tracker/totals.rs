//! Adding occurrences up, one total per currency: amounts of two currencies are never added,
//! and an occurrence in another currency than the user's is never silently left out — it is
//! added to its own currency's total (issue 14, item 7).
//!
//! - Expected adds the occurrences that are not skipped; paid adds every payment; remaining
//!   adds what is still owed ([`Occurrence::remaining`]).
//! - Every sum is checked: an overflow is an [`Invalid`] naming the total.
//! - The results ([`CurrencyTotals`]) list the user's currency first, then the others by
//!   code, and only currencies that have an occurrence: a month of dollar bills shows dollars,
//!   never "€0.00".

use domain::Invalid;
use domain::money::{Currency, Money, TOO_LARGE, add_minor};

use super::month::Occurrence;

/// One currency's totals of a month or a bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CurrencyTotals {
    /// The currency of every amount here.
    pub currency: Currency,
    pub expected: Money,
    pub paid: Money,
    pub remaining: Money,
    /// Expected − paid − remaining in this currency ([`Totals::settled_difference`]).
    pub settled_difference: Money,
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
            self.expected = add_minor("expected", self.expected, o.expected.minor)?;
        }
        self.paid = add_minor("paid", self.paid, o.paid.minor)?;
        self.remaining = add_minor("remaining", self.remaining, o.remaining().minor)?;
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

    /// These totals as amounts of `currency`.
    pub fn of(&self, currency: Currency) -> Result<CurrencyTotals, Invalid> {
        let money = |minor| Money::new(minor, currency);
        Ok(CurrencyTotals {
            currency,
            expected: money(self.expected),
            paid: money(self.paid),
            remaining: money(self.remaining),
            settled_difference: money(self.settled_difference()?),
        })
    }
}

/// Running totals, one per currency met, the user's currency first.
#[derive(Debug, Clone)]
pub(super) struct Running {
    home: Currency,
    per: Vec<(Currency, Totals)>,
}

impl Running {
    /// No totals yet; `home` is the user's currency.
    pub fn new(home: Currency) -> Self {
        Self {
            home,
            per: Vec::new(),
        }
    }

    /// Adds `o` to its own currency's totals.
    pub fn add(&mut self, o: &Occurrence) -> Result<(), Invalid> {
        let index = match self.per.iter().position(|(c, _)| *c == o.currency()) {
            Some(index) => index,
            None => {
                self.per.push((o.currency(), Totals::default()));
                self.per.len() - 1
            }
        };
        match self.per.get_mut(index) {
            Some((_, totals)) => totals.add(o),
            None => Ok(()),
        }
    }

    /// The totals in the user's currency (zero when nothing is in it).
    pub fn home(&self) -> Result<CurrencyTotals, Invalid> {
        self.per
            .iter()
            .find(|(c, _)| *c == self.home)
            .map(|(_, t)| *t)
            .unwrap_or_default()
            .of(self.home)
    }

    /// Every currency met, the user's first, then by code.
    pub fn by_currency(&self) -> Result<Vec<CurrencyTotals>, Invalid> {
        let mut per = self.per.clone();
        per.sort_by_key(|(c, _)| (*c != self.home, c.code()));
        per.into_iter()
            .map(|(currency, t)| t.of(currency))
            .collect()
    }
}
