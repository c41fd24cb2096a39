//! The first sign-in's question (issue 14, item 2): until an account has saved its settings,
//! the tracker opens with a card asking for the currency, time zone and locale — pre-filled
//! with the defaults, and with the browser's time zone and language when JavaScript is on
//! (`app.js`). `POST /welcome` saves those three (the rest keep their defaults) and comes back
//! to the tracker; a refused field comes back under its name.

use axum::Form;
use domain::money::Currency;
use serde::Deserialize;
use service::tracker::settings::{self, SettingsPatch};
use service::{App, Error};

use super::common::with_param;
use super::kit::{DataPage, Fail, PageResult};
use super::see_other;
use crate::links;
use crate::pages::with_notice;
use crate::routes::Table;
use crate::views::tracker::WelcomeCard;

/// The welcome card's route.
pub(crate) fn routes(table: Table) -> Table {
    table.add("POST", links::WELCOME.path(), axum::routing::post(save))
}

/// The card for `user`, when their settings were never saved; `refused` is a field the last
/// attempt got wrong.
pub(crate) async fn card(
    app: &App,
    user: &service::auth::Principal,
    refused: Option<&str>,
) -> Result<Option<WelcomeCard>, Error> {
    let Some(current) = settings::unconfirmed(app, user).await? else {
        return Ok(None);
    };
    Ok(Some(WelcomeCard {
        currency: current.currency.code().to_owned(),
        time_zone: current.time_zone.name().to_owned(),
        locale: current.locale,
        currencies: Currency::all().map(|c| (c.code(), c.label())).collect(),
        time_zones: service::account::time_zone_names().collect(),
        error: refused.and_then(field_error),
    }))
}

/// The message under a refused field of the card.
fn field_error(field: &str) -> Option<(String, String)> {
    let message = match field {
        "currency" => "Currency must be one of the list",
        "time_zone" => "Time zone must be one of the list, such as Europe/Berlin",
        "locale" => "Language must be a language tag such as en-US",
        _ => return None,
    };
    Some((field.to_owned(), message.to_owned()))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct WelcomeForm {
    pub currency: String,
    pub time_zone: String,
    pub locale: String,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

impl WelcomeForm {
    fn parse(&self) -> Result<SettingsPatch, Error> {
        Ok(SettingsPatch {
            currency: Some(Currency::parse("currency", self.currency.trim())?),
            time_zone: Some(service::preferences::parse_time_zone(&self.time_zone)?),
            locale: Some(settings::parse_locale(&self.locale)?),
            ..SettingsPatch::default()
        })
    }
}

/// `POST /welcome`: saves the currency, time zone and locale; back to the tracker (a refused
/// field comes back under its name, other failures as the tracker's banner).
pub async fn save(page: DataPage, Form(form): Form<WelcomeForm>) -> PageResult {
    let saved = match form.parse() {
        Ok(patch) => settings::update(&page.app, &page.user, patch).await,
        Err(err) => Err(err),
    };
    match saved {
        Ok(_) => Ok(with_notice(links::TRACKER.path(), "welcome")),
        Err(Error::Invalid(invalid)) => Ok(see_other(&with_param(
            links::TRACKER.path(),
            "welcome_error",
            &invalid.field,
        ))),
        Err(err) => Err(err).back_to(links::TRACKER.path()),
    }
}
