//! The user's tracking settings: currency, locale, time zone, week start, paydays, due-soon
//! and grace days, theme. Reading them gives the defaults until the user saves; a change
//! replaces only the settings it names, each parsed at the edge by the functions here (the
//! error names the JSON field). Reading or changing them also says which bills are in another
//! currency than the default (a changed default does not move them; see
//! [`crate::bills::change_currency`]).

use domain::buckets::Paydays;
use domain::money::Currency;
use domain::{Invalid, text};
use serde::Serialize;

use crate::auth::Principal;
use crate::bills::{OtherCurrencyBills, other_currencies_of};
use crate::preferences::{self, Preferences, data_owner};
use crate::{App, Result};

/// The themes a user may choose.
pub const THEMES: [&str; 3] = ["system", "light", "dark"];

/// The settings as the API shows them.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SettingsView {
    /// ISO 4217 code.
    pub currency: String,
    /// BCP 47 language tag, e.g. `en-US`.
    pub locale: String,
    /// IANA time zone, e.g. `Europe/Berlin`.
    pub time_zone: String,
    /// 1 = Monday … 7 = Sunday.
    pub week_start: u8,
    /// Days of the month that start a pay-period bucket.
    pub paydays: Vec<u32>,
    pub due_soon_days: u8,
    pub grace_days: u8,
    /// `system`, `light` or `dark`.
    pub theme: String,
    /// The bills (not deleted) in other currencies than `currency`, per currency: they are
    /// totalled apart, and `POST /api/bills/change-currency` moves them in one step.
    pub bills_in_other_currencies: Vec<OtherCurrencyBills>,
}

impl From<&Preferences> for SettingsView {
    fn from(p: &Preferences) -> Self {
        Self {
            currency: p.currency.code().to_owned(),
            locale: p.locale.clone(),
            time_zone: p.time_zone.name().to_owned(),
            week_start: p.week_start,
            paydays: p.paydays.days().to_vec(),
            due_soon_days: p.rules.due_soon_days,
            grace_days: p.rules.grace_days,
            theme: p.theme.clone(),
            bills_in_other_currencies: Vec::new(),
        }
    }
}

/// The settings to change; `None` leaves one as it is.
#[derive(Debug, Clone, Default)]
pub struct SettingsPatch {
    pub currency: Option<Currency>,
    pub locale: Option<String>,
    pub time_zone: Option<chrono_tz::Tz>,
    pub week_start: Option<u8>,
    pub paydays: Option<Paydays>,
    pub due_soon_days: Option<u8>,
    pub grace_days: Option<u8>,
    pub theme: Option<String>,
}

/// A BCP 47-style language tag (`locale`): 2–35 characters, subtags of 1–8 ASCII letters or
/// digits joined by `-`, the first 2–3 letters (`en`, `de-CH`, `zh-Hant-TW`).
pub fn parse_locale(raw: &str) -> Result<String, Invalid> {
    let tag = raw.trim();
    let refuse = || {
        Invalid::new(
            "locale",
            "must be a language tag such as en-US (at most 35 characters)",
        )
    };
    if tag.len() < 2 || tag.len() > 35 {
        return Err(refuse());
    }
    let mut subtags = tag.split('-');
    let language_ok = subtags
        .next()
        .is_some_and(|l| (2..=3).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_alphabetic()));
    let rest_ok =
        subtags.all(|s| (1..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()));
    if language_ok && rest_ok {
        Ok(tag.to_owned())
    } else {
        Err(refuse())
    }
}

/// A small whole number from `min` to `max` for the input named `field`.
pub fn parse_small(field: &str, value: i64, min: u8, max: u8) -> Result<u8, Invalid> {
    u8::try_from(value)
        .ok()
        .filter(|v| (min..=max).contains(v))
        .ok_or_else(|| Invalid::new(field, format!("must be a whole number from {min} to {max}")))
}

/// The theme (`theme`): `system`, `light` or `dark`.
pub fn parse_theme(raw: &str) -> Result<String, Invalid> {
    text::choice("theme", raw, &THEMES, |t| t).map(str::to_owned)
}

/// The defaults the caller is running on, while they never saved their settings (then
/// currency, time zone and locale are silent defaults, and the tracker asks for them); `None`
/// once saved. One read of the settings row.
pub async fn unconfirmed(app: &App, principal: &Principal) -> Result<Option<SettingsView>> {
    let owner = data_owner(principal)?;
    Ok(match app.store.user_settings(owner).await? {
        Some(_) => None,
        None => Some(SettingsView::from(&Preferences::default())),
    })
}

/// The caller's settings (the defaults until they save), with their bills in other
/// currencies.
pub async fn get(app: &App, principal: &Principal) -> Result<SettingsView> {
    let owner = data_owner(principal)?;
    let prefs = preferences::load(app, owner).await?;
    let mut view = SettingsView::from(&prefs);
    view.bills_in_other_currencies = other_currencies_of(app, owner, prefs.currency).await?;
    Ok(view)
}

/// Changes the settings `patch` names and saves them all.
pub async fn update(
    app: &App,
    principal: &Principal,
    patch: SettingsPatch,
) -> Result<SettingsView> {
    let owner = data_owner(principal)?;
    let mut prefs = preferences::load(app, owner).await?;
    let SettingsPatch {
        currency,
        locale,
        time_zone,
        week_start,
        paydays,
        due_soon_days,
        grace_days,
        theme,
    } = patch;
    prefs.currency = currency.unwrap_or(prefs.currency);
    prefs.locale = locale.unwrap_or(prefs.locale);
    prefs.time_zone = time_zone.unwrap_or(prefs.time_zone);
    prefs.week_start = week_start.unwrap_or(prefs.week_start);
    prefs.paydays = paydays.unwrap_or(prefs.paydays);
    prefs.rules.due_soon_days = due_soon_days.unwrap_or(prefs.rules.due_soon_days);
    prefs.rules.grace_days = grace_days.unwrap_or(prefs.rules.grace_days);
    prefs.theme = theme.unwrap_or(prefs.theme);
    let saved = preferences::save(app, principal, &prefs).await?;
    let mut view = SettingsView::from(&saved);
    view.bills_in_other_currencies = other_currencies_of(app, owner, saved.currency).await?;
    Ok(view)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales_are_language_tags() {
        for good in ["en", "en-US", "de-CH", "zh-Hant-TW", "es-419"] {
            assert_eq!(parse_locale(good).as_deref(), Ok(good));
        }
        for bad in [
            "",
            "e",
            "english-",
            "en_US",
            "1n-US",
            "en-US-toolongsubtag",
            &"en-a".repeat(10),
        ] {
            assert!(parse_locale(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn small_numbers_and_themes_are_bounded() {
        assert_eq!(parse_small("week_start", 7, 1, 7), Ok(7));
        assert!(parse_small("week_start", 0, 1, 7).is_err());
        assert!(parse_small("grace_days", 61, 0, 60).is_err());
        assert!(parse_small("grace_days", i64::MAX, 0, 60).is_err());
        assert_eq!(parse_theme("dark").as_deref(), Ok("dark"));
        assert_eq!(
            parse_theme("neon").map_err(|e| e.field),
            Err("theme".to_owned())
        );
    }
}
