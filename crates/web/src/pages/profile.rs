//! The profile page (`GET /profile`) and its two forms: the display name (any signed-in
//! account) and the tracking preferences (accounts that hold data; the bootstrap administrator
//! gets a sentence on the page and a 403 page if it posts). A form with bad input comes back
//! with status 422, every error next to its field and named in the summary, and what was typed
//! kept; nothing is saved then. A saved form redirects (303) to `/profile` with a notice.

use axum::Form;
use axum::extract::Query;
use axum::http::StatusCode;
use axum::routing::{get, post};
use domain::Invalid;
use domain::buckets::Paydays;
use domain::money::Currency;
use domain::user::DisplayName;
use serde::Deserialize;
use service::Error;
use service::auth::Principal;
use service::preferences::{data_owner, parse_time_zone};
use service::tracker::settings::{self, Settings, SettingsPatch};

use super::common::{message, with_cookie};
use super::forms::error_message;
use super::kit::{DataPage, Fail, Page, PageResult};
use super::{PageUser, chrome};
use crate::auth::Meta;
use crate::links;
use crate::pages::with_notice;
use crate::routes::Table;
use crate::views;
use crate::views::profile::{PreferencesForm, ProfilePage};

/// The profile's routes.
pub(crate) fn routes(table: Table) -> Table {
    table
        .add("GET", links::PROFILE.path(), get(show))
        .add("POST", links::PROFILE_NAME.path(), post(rename))
        .add(
            "POST",
            links::PROFILE_PREFERENCES.path(),
            post(save_preferences),
        )
        .add("POST", links::PROFILE_THEME.path(), post(save_theme))
}

/// The banner messages a redirect can ask for, by code.
const NOTICES: [(&str, &str); 3] = [
    ("name", "Your display name was changed."),
    ("preferences", "Your preferences were saved."),
    super::bill_currency::NOTICE,
];

/// The error banners a redirect can ask for, by code (besides the shared ones of
/// [`error_message`]).
const ERRORS: [(&str, &str); 3] = [
    (
        "not_found",
        "Your account could not be found; sign in again.",
    ),
    (
        "conflict",
        "Your account was changed elsewhere; reload the page and try again.",
    ),
    super::bill_currency::ERROR,
];

/// The label a user sees for each form field, to name it in messages.
const LABELS: [(&str, &str); 9] = [
    ("display_name", "Display name"),
    ("currency", "Default currency"),
    ("locale", "Locale"),
    ("time_zone", "Time zone"),
    ("week_start", "Week start"),
    ("paydays", "Paydays"),
    ("due_soon_days", "Due soon days"),
    ("grace_days", "Grace period"),
    ("theme", "Theme"),
];

/// A message that names the field: "Time zone must be …", "Default currency: XYZ is not …".
pub(crate) fn labelled(labels: &[(&str, &str)], invalid: &Invalid) -> (String, String) {
    let label = labels
        .iter()
        .find(|(field, _)| *field == invalid.field)
        .map_or(invalid.field.as_str(), |(_, label)| label);
    let reads_on = ["must ", "is ", "may "]
        .iter()
        .any(|verb| invalid.reason.starts_with(verb));
    let message = if reads_on {
        format!("{label} {}.", invalid.reason)
    } else {
        format!("{label}: {}.", invalid.reason)
    };
    (invalid.field.clone(), message)
}

/// The errors of a form parsed field by field, so all of them are shown at once (shared with
/// the admin pages).
#[derive(Debug, Default)]
pub(crate) struct FieldErrors(pub Vec<Invalid>);

impl FieldErrors {
    /// The parsed value, or `None` with its error kept.
    pub fn keep<T>(&mut self, result: Result<T, Invalid>) -> Option<T> {
        result.map_err(|e| self.0.push(e)).ok()
    }

    /// `value` when no field failed, else every error.
    pub fn or<T>(self, value: Option<T>) -> Result<T, Vec<Invalid>> {
        match value {
            Some(value) if self.0.is_empty() => Ok(value),
            _ => Err(self.0),
        }
    }
}

/// The banner codes of a page's URL (the admin pages import it from here).
pub use super::forms::BannerQuery;

/// The stored settings as the form shows them.
fn form_of(settings: &Settings) -> PreferencesForm {
    let p = &settings.preferences;
    PreferencesForm {
        currency: p.currency.code().to_owned(),
        locale: p.locale.clone(),
        time_zone: p.time_zone.name().to_owned(),
        week_start: p.week_start.to_string(),
        paydays: p
            .paydays
            .days()
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(", "),
        due_soon_days: p.rules.due_soon_days.to_string(),
        grace_days: p.rules.grace_days.to_string(),
        theme: p.theme.clone(),
    }
}

/// `(field, message)` of a refused form.
type Errors = Vec<(String, String)>;

/// What a drawn profile shows besides the stored values, and its status (200 unless said).
#[derive(Default)]
struct Shown {
    status: StatusCode,
    /// The display name typed, and its error.
    name: Option<(String, Errors)>,
    /// The preferences typed, and their errors.
    preferences: Option<(PreferencesForm, Errors)>,
    notice: Option<String>,
    error: Option<String>,
}

impl Shown {
    /// The name form refused (422): what was typed and why.
    fn name(typed: String, invalid: &Invalid) -> Self {
        let errors = vec![labelled(&LABELS, invalid)];
        Shown {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            name: Some((typed, errors)),
            ..Shown::default()
        }
    }

    /// The preferences form refused (422): what was typed and every field's error.
    fn preferences(typed: PreferencesForm, errors: &[Invalid]) -> Self {
        let errors = errors.iter().map(|e| labelled(&LABELS, e)).collect();
        Shown {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            preferences: Some((typed, errors)),
            ..Shown::default()
        }
    }
}

/// The profile of `user` with what `shown` adds (the preferences only for an account that
/// holds data).
async fn draw(page: &Page, user: &Principal, shown: Shown) -> PageResult {
    let stored = match data_owner(user) {
        Ok(_) => Some(
            settings::get(&page.app, user)
                .await
                .not_shown("Your profile could not be shown")?,
        ),
        Err(_) => None,
    };
    let currency_offers = stored.as_ref().map_or_else(Vec::new, |s| {
        super::bill_currency::offers(&s.bills_in_other_currencies, s.preferences.currency.code())
    });
    let (preferences, preference_errors) = match shown.preferences {
        Some((form, errors)) => (Some(form), errors),
        None => (stored.as_ref().map(form_of), Vec::new()),
    };
    let (display_name, name_errors) = shown
        .name
        .unwrap_or_else(|| (user.display_name.clone(), Vec::new()));
    let ctx = page.context().await;
    let (chrome, cookie) = chrome(&page.app, &page.caller, &ctx, "Profile");
    let view = ProfilePage {
        chrome,
        status: shown.status,
        username: user.username.clone(),
        email: user.email.clone(),
        display_name,
        name_errors,
        preferences,
        preference_errors,
        notice: shown.notice,
        error: shown.error,
        currencies: Currency::all().map(|c| (c.code(), c.label())).collect(),
        time_zones: service::account::time_zone_names().collect(),
        currency_offers,
    };
    Ok(with_cookie(views::render(&view), cookie))
}

/// `GET /profile` (plus `notice` / `error` after a form).
pub async fn show(
    page: Page,
    PageUser(user): PageUser,
    Query(banner): Query<BannerQuery>,
) -> PageResult {
    let shown = Shown {
        notice: message(&NOTICES, banner.notice.as_deref()),
        error: error_message(&ERRORS, banner.error.as_deref()),
        ..Shown::default()
    };
    draw(&page, &user, shown).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NameForm {
    pub display_name: String,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

/// `POST /profile/name`: changes the caller's display name.
pub async fn rename(
    page: Page,
    PageUser(user): PageUser,
    Meta(meta): Meta,
    Form(form): Form<NameForm>,
) -> PageResult {
    let renamed = match DisplayName::parse(&form.display_name) {
        Ok(name) => service::account::rename_self(&page.app, &user, name, &meta).await,
        Err(invalid) => Err(invalid.into()),
    };
    match renamed {
        Ok(()) => Ok(with_notice(links::PROFILE.path(), "name")),
        Err(Error::Invalid(invalid)) => {
            draw(&page, &user, Shown::name(form.display_name, &invalid)).await
        }
        Err(err) => Err(err).back_to(links::PROFILE.path()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PreferencesFields {
    pub currency: String,
    pub locale: String,
    pub time_zone: String,
    pub week_start: String,
    pub paydays: String,
    pub due_soon_days: String,
    pub grace_days: String,
    pub theme: String,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

/// A small whole-number setting typed into its field.
fn small_number(setting: settings::SmallSetting, raw: &str) -> Result<u8, Invalid> {
    // Text that is no number is refused with the same words as a number out of bounds.
    setting.parse(raw.trim().parse::<i64>().unwrap_or(i64::MIN))
}

/// Paydays typed as `1, 15` (commas or spaces between the days).
fn paydays(raw: &str) -> Result<Paydays, Invalid> {
    let days = raw
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|day| !day.is_empty())
        .map(|day| {
            day.parse::<i64>().map_err(|_| {
                Invalid::new(
                    "paydays",
                    "must be days of the month from 1 to 31, separated by commas",
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Paydays::parse(&days)
}

impl PreferencesFields {
    /// Every setting parsed, or every field's error at once.
    fn parse(&self) -> Result<SettingsPatch, Vec<Invalid>> {
        let mut errors = FieldErrors::default();
        let patch = SettingsPatch {
            currency: errors.keep(Currency::parse("currency", &self.currency)),
            locale: errors.keep(settings::parse_locale(&self.locale)),
            time_zone: errors.keep(parse_time_zone(&self.time_zone).map_err(|_| {
                Invalid::new(
                    "time_zone",
                    "must be an IANA time zone such as Europe/Berlin",
                )
            })),
            week_start: errors.keep(small_number(settings::WEEK_START, &self.week_start)),
            paydays: errors.keep(paydays(&self.paydays)),
            due_soon_days: errors.keep(small_number(settings::DUE_SOON_DAYS, &self.due_soon_days)),
            grace_days: errors.keep(small_number(settings::GRACE_DAYS, &self.grace_days)),
            theme: errors.keep(settings::parse_theme(&self.theme)),
        };
        errors.or(Some(patch))
    }

    /// What was typed, to show again.
    fn typed(self) -> PreferencesForm {
        PreferencesForm {
            currency: self.currency,
            locale: self.locale,
            time_zone: self.time_zone,
            week_start: self.week_start,
            paydays: self.paydays,
            due_soon_days: self.due_soon_days,
            grace_days: self.grace_days,
            theme: self.theme,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ThemeForm {
    pub theme: String,
    #[serde(rename = "csrf_token")]
    pub _csrf_token: Option<String>,
}

/// `POST /profile/theme`: the navigation's theme switch saves the one theme setting (the same
/// as the preferences form's), then back to the profile; `app.js` sends it in the background.
pub async fn save_theme(page: DataPage, Form(form): Form<ThemeForm>) -> PageResult {
    let patch = SettingsPatch {
        theme: Some(settings::parse_theme(&form.theme).back_to(links::PROFILE.path())?),
        ..SettingsPatch::default()
    };
    let saved = settings::update(&page.app, &page.user, patch).await;
    saved.back_to(links::PROFILE.path())?;
    Ok(with_notice(links::PROFILE.path(), "preferences"))
}

/// `POST /profile/preferences`: saves every preference, or none.
pub async fn save_preferences(page: DataPage, Form(form): Form<PreferencesFields>) -> PageResult {
    let errors = match form.parse() {
        Ok(patch) => match settings::update(&page.app, &page.user, patch).await {
            Ok(_) => {
                return Ok(with_notice(links::PROFILE.path(), "preferences"));
            }
            Err(Error::Invalid(invalid)) => vec![invalid],
            Err(err) => return Err(err).back_to(links::PROFILE.path()),
        },
        Err(errors) => errors,
    };
    let shown = Shown::preferences(form.typed(), &errors);
    draw(&page, &page.user, shown).await
}
