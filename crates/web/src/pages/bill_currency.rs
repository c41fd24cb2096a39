//! Bills in another currency than the default (issue 14, item 7): the offer the profile (and
//! the tracker, right after the welcome card changed the currency) shows for them, and its form
//! `POST /profile/bill-currency`, which moves one currency's bills to the default in one step
//! ([`service::bills::change_currency`]: no conversion, amounts unchanged, audited) and goes
//! back (303) to the profile or the tracker with a fixed notice. Works without JavaScript.

use axum::Form;
use domain::Invalid;
use domain::money::Currency;
use serde::Deserialize;
use service::Error;
use service::bills::OtherCurrencyBills;

use super::common::with_param;
use super::forms::back_to;
use super::kit::{DataPage, Fail, PageResult};
use super::see_other;
use crate::auth::Meta;
use crate::links;
use crate::routes::Table;
use crate::views::profile::CurrencyOffer;

/// The notice after a move, by code (shared by the profile and the tracker).
pub(super) const NOTICE: (&str, &str) = (
    "bill_currency",
    "Those bills now use your default currency. Their amounts were not converted.",
);

/// The error banner when a move was refused, by code.
pub(super) const ERROR: (&str, &str) = (
    "bill_currency",
    "Those bills were not changed: their currency and yours have a different number of decimal places.",
);

/// The route of the offer's form.
pub(crate) fn routes(table: Table) -> Table {
    table.add(
        "POST",
        links::PROFILE_BILL_CURRENCY.path(),
        axum::routing::post(change),
    )
}

/// What the page says about each currency of `others`, offering to move them to `home`.
pub(crate) fn offers(others: &[OtherCurrencyBills], home: &str) -> Vec<CurrencyOffer> {
    others
        .iter()
        .map(|o| {
            let (bills, them) = if o.bills == 1 {
                ("1 bill".to_owned(), "it")
            } else {
                (format!("{} bills", o.bills), "them")
            };
            let from = &o.currency;
            let question = if o.can_change {
                format!("You have {bills} in {from}. Change {them} to {home}?")
            } else {
                format!(
                    "You have {bills} in {from}. They stay in {from} and are totalled apart: \
                     {from} and {home} amounts have a different number of decimal places, so \
                     they cannot change currency without changing the amounts."
                )
            };
            CurrencyOffer {
                from: from.clone(),
                to: home.to_owned(),
                question,
                button: format!("Change {bills} to {home}"),
                can_change: o.can_change,
            }
        })
        .collect()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CurrencyForm {
    pub from: String,
    pub to: String,
    pub return_to: Option<String>,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

impl CurrencyForm {
    /// The currency to move from and the one to move to.
    fn currencies(&self) -> Result<(Currency, Currency), Invalid> {
        Ok((
            Currency::parse("from", &self.from)?,
            Currency::parse("to", &self.to)?,
        ))
    }
}

/// Where the form goes back to: the tracker when it came from there, else the profile.
fn back(raw: Option<&str>) -> String {
    match raw {
        Some(to) if to == links::TRACKER.path() => to.to_owned(),
        other => back_to(links::PROFILE.path(), other),
    }
}

/// `POST /profile/bill-currency`: moves the caller's bills in `from` to `to`; a move that is
/// refused (currencies with different decimals) goes back with this page's own banner.
pub async fn change(
    page: DataPage,
    Meta(meta): Meta,
    Form(form): Form<CurrencyForm>,
) -> PageResult {
    let to_page = back(form.return_to.as_deref());
    let changed = match form.currencies() {
        Ok((from, to)) => {
            service::bills::change_currency(&page.app, &page.user, from, to, &meta).await
        }
        Err(invalid) => Err(invalid.into()),
    };
    match changed {
        Ok(_) => Ok(see_other(&with_param(&to_page, "notice", NOTICE.0))),
        Err(Error::Invalid(_)) => Ok(see_other(&with_param(&to_page, "error", ERROR.0))),
        Err(err) => Err(err).back_to(&to_page),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_offer_counts_the_bills_and_says_when_they_cannot_move() {
        let others = [
            OtherCurrencyBills {
                currency: "USD".into(),
                bills: 4,
                can_change: true,
            },
            OtherCurrencyBills {
                currency: "GBP".into(),
                bills: 1,
                can_change: true,
            },
            OtherCurrencyBills {
                currency: "JPY".into(),
                bills: 2,
                can_change: false,
            },
        ];
        let said = offers(&others, "EUR");
        assert_eq!(
            said[0].question,
            "You have 4 bills in USD. Change them to EUR?"
        );
        assert_eq!(said[0].button, "Change 4 bills to EUR");
        assert_eq!(
            said[1].question,
            "You have 1 bill in GBP. Change it to EUR?"
        );
        assert!(!said[2].can_change && said[2].question.contains("They stay in JPY"));
    }

    #[test]
    fn the_form_goes_back_only_to_the_profile_or_the_tracker() {
        assert_eq!(back(Some("/")), "/");
        assert_eq!(back(Some("/profile")), "/profile");
        assert_eq!(back(Some("//evil.test")), "/profile");
        assert_eq!(back(None), "/profile");
    }
}
