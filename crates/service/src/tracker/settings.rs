//! The user's tracking settings: currency, locale, time zone, week start, paydays, due-soon
//! and grace days, theme. Reading them gives the defaults until the user saves; a change
//! replaces only the settings it names, each parsed at the edge by the functions here (the
//! error names the JSON field). Reading or changing them also says which bills are in another
//! currency than the default (a changed default does not move them; see
//! [`crate::bills::change_currency`]).

use domain::buckets::Paydays;
use domain::money::Currency;
use domain::{Invalid, text};

use crate::auth::Principal;
use crate::bills::{OtherCurrencyBills, other_currencies_of};
use crate::preferences::{self, Preferences, data_owner};
use crate::{App, Result};

/// The themes a user may choose.
pub const THEMES: [&str; 3] = ["system", "light", "dark"];

/// The user's settings, with the bills (not deleted) in other currencies than theirs, per
/// currency: those are totalled apart, and [`crate::bills::change_currency`] moves them in one
/// step.
#[derive(Debug, Clone)]
pub struct Settings {
    pub preferences: Preferences,
    pub bills_in_other_currencies: Vec<OtherCurrencyBills>,
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

/// The most subtags a language tag (`locale`) has after its language.
pub const LOCALE_SUBTAGS_MAX: usize = 3;

/// A BCP 47-style language tag (`locale`): a language of 2–3 ASCII letters, then at most
/// [`LOCALE_SUBTAGS_MAX`] subtags of 1–8 ASCII letters or digits, joined by `-` (`en`,
/// `de-CH`, `zh-Hant-TW`, `ca-ES-valencia`); spaces around are ignored.
pub fn parse_locale(raw: &str) -> Result<String, Invalid> {
    let tag = raw.trim();
    let mut subtags = tag.split('-');
    let language_ok = subtags
        .next()
        .is_some_and(|l| (2..=3).contains(&l.len()) && l.bytes().all(|b| b.is_ascii_alphabetic()));
    let rest: Vec<&str> = subtags.collect();
    let rest_ok = rest.len() <= LOCALE_SUBTAGS_MAX
        && rest
            .iter()
            .all(|s| (1..=8).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric()));
    if language_ok && rest_ok {
        Ok(tag.to_owned())
    } else {
        Err(Invalid::new(
            "locale",
            "must be a language tag such as en-US (a language and at most three subtags)",
        ))
    }
}

/// A setting that is a small whole number: its input's name and its bounds, written once for
/// the API, the profile form and the OpenAPI document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SmallSetting {
    pub field: &'static str,
    pub min: u8,
    pub max: u8,
}

/// The first day of the week: 1 = Monday … 7 = Sunday.
pub const WEEK_START: SmallSetting = SmallSetting {
    field: "week_start",
    min: 1,
    max: 7,
};
/// How many days before its due date a bill counts as due soon.
pub const DUE_SOON_DAYS: SmallSetting = SmallSetting {
    field: "due_soon_days",
    min: 0,
    max: 30,
};
/// How many days after its due date an unpaid bill is late rather than missed.
pub const GRACE_DAYS: SmallSetting = SmallSetting {
    field: "grace_days",
    min: 0,
    max: 60,
};

impl SmallSetting {
    /// `value` if it is within the bounds; otherwise an error naming the field.
    pub fn parse(self, value: i64) -> Result<u8, Invalid> {
        let Self { field, min, max } = self;
        u8::try_from(value)
            .ok()
            .filter(|v| (min..=max).contains(v))
            .ok_or_else(|| {
                Invalid::new(field, format!("must be a whole number from {min} to {max}"))
            })
    }
}

/// The theme (`theme`): `system`, `light` or `dark`.
pub fn parse_theme(raw: &str) -> Result<String, Invalid> {
    text::choice("theme", raw, &THEMES, |t| t).map(str::to_owned)
}

/// The defaults the caller is running on, while they never saved their settings (then
/// currency, time zone and locale are silent defaults, and the tracker asks for them); `None`
/// once saved. One read of the settings row.
pub async fn unconfirmed(app: &App, principal: &Principal) -> Result<Option<Preferences>> {
    let owner = data_owner(principal)?;
    Ok(match app.store.user_settings(owner).await? {
        Some(_) => None,
        None => Some(Preferences::default()),
    })
}

/// The caller's settings (the defaults until they save), with their bills in other
/// currencies.
pub async fn get(app: &App, principal: &Principal) -> Result<Settings> {
    let owner = data_owner(principal)?;
    let preferences = preferences::load(app, owner).await?;
    let others = other_currencies_of(app, owner, preferences.currency).await?;
    Ok(Settings {
        preferences,
        bills_in_other_currencies: others,
    })
}

/// Changes the settings `patch` names and saves them all.
pub async fn update(app: &App, principal: &Principal, patch: SettingsPatch) -> Result<Settings> {
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
    let others = other_currencies_of(app, owner, saved.currency).await?;
    Ok(Settings {
        preferences: saved,
        bills_in_other_currencies: others,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locales_are_language_tags() {
        for good in [
            "en",
            "en-US",
            "de-CH",
            "zh-Hant-TW",
            "es-419",
            " ca-ES-valencia ",
        ] {
            assert_eq!(parse_locale(good).as_deref(), Ok(good.trim()));
        }
        for bad in [
            "",
            "e",
            "english-",
            "en_US",
            "1n-US",
            "en-US-toolongsubtag",
            "en-US-u-ca-gregory",
            &"en-a".repeat(10),
        ] {
            assert!(parse_locale(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn small_numbers_and_themes_are_bounded() {
        assert_eq!(WEEK_START.parse(7), Ok(7));
        assert!(WEEK_START.parse(0).is_err());
        assert!(GRACE_DAYS.parse(61).is_err());
        assert!(GRACE_DAYS.parse(i64::MAX).is_err());
        assert_eq!(parse_theme("dark").as_deref(), Ok("dark"));
        assert_eq!(
            parse_theme("neon").map_err(|e| e.field),
            Err("theme".to_owned())
        );
    }
}
