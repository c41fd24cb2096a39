//! The profile page (`GET /profile`): the account's names (the display name editable), and the
//! tracking preferences form. Both forms keep what was typed when they come back with errors
//! (422), and every error names its field. The bootstrap administrator holds no data, so it
//! gets a sentence instead of the preferences form. All strings arrive from the handler; this
//! module only draws them.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::{Chrome, Page, Section, error_for};

/// The days a week may start on, as the form sends them (1 = Monday … 7 = Sunday).
pub const WEEK_DAYS: [(&str, &str); 7] = [
    ("1", "Monday"),
    ("2", "Tuesday"),
    ("3", "Wednesday"),
    ("4", "Thursday"),
    ("5", "Friday"),
    ("6", "Saturday"),
    ("7", "Sunday"),
];

/// The themes, with their labels.
pub const THEMES: [(&str, &str); 3] = [
    ("system", "Same as this device"),
    ("light", "Light"),
    ("dark", "Dark"),
];

/// A few common locales offered as suggestions (any language tag is accepted).
pub const LOCALES: [&str; 12] = [
    "en-US", "en-GB", "en-CA", "en-AU", "de-DE", "de-CH", "fr-FR", "es-ES", "es-419", "it-IT",
    "nl-NL", "ja-JP",
];

/// `GET /profile`.
#[derive(Debug, Clone, Template)]
#[template(path = "profile_page.html")]
pub struct ProfilePage {
    pub chrome: Chrome,
    /// 200; 422 when a form was refused.
    pub status: StatusCode,
    /// The sign-in name (read-only here).
    pub username: String,
    pub email: Option<String>,
    /// The display name in the form: the stored one, or what was typed after an error.
    pub display_name: String,
    /// `(field, message)` for the name form (`display_name`).
    pub name_errors: Vec<(String, String)>,
    /// The preferences form's values; `None` for an account that holds no data.
    pub preferences: Option<PreferencesForm>,
    /// `(field, message)` for the preferences form.
    pub preference_errors: Vec<(String, String)>,
    /// A success message for the banner.
    pub notice: Option<String>,
    /// An error message for the banner.
    pub error: Option<String>,
    /// Every supported currency as (code, "EUR — Euro"), for the select.
    pub currencies: Vec<(&'static str, String)>,
    /// Every IANA time zone, for the suggestions list.
    pub time_zones: Vec<&'static str>,
    /// The bills in other currencies than the default, with the offer to move them.
    pub currency_offers: Vec<CurrencyOffer>,
}

/// Bills in one other currency than the default, and what the page says about them.
#[derive(Debug, Clone, Default)]
pub struct CurrencyOffer {
    /// Their currency (the form's `from`).
    pub from: String,
    /// The default currency (the form's `to`).
    pub to: String,
    /// "You have 4 bills in USD. Change them to EUR?" — or, when the decimals differ, why
    /// they stay.
    pub question: String,
    /// "Change 4 bills to EUR".
    pub button: String,
    /// The move is possible in one step (same number of decimals).
    pub can_change: bool,
}

/// The preferences form's values, as text (stored values, or what was typed).
#[derive(Debug, Clone, Default)]
pub struct PreferencesForm {
    pub currency: String,
    pub locale: String,
    pub time_zone: String,
    pub week_start: String,
    /// Comma-separated days of the month, e.g. `1, 15`.
    pub paydays: String,
    pub due_soon_days: String,
    pub grace_days: String,
    pub theme: String,
}

impl Page for ProfilePage {
    fn section(&self) -> Section {
        Section::Profile
    }

    fn status(&self) -> StatusCode {
        self.status
    }
}

impl ProfilePage {
    /// The fields of the preferences form, in order, so the summary links only to real ones.
    const PREFERENCE_FIELDS: [&str; 8] = [
        "currency",
        "locale",
        "time_zone",
        "week_start",
        "paydays",
        "due_soon_days",
        "grace_days",
        "theme",
    ];

    /// The name form's error for `field`, if any.
    pub fn name_error(&self, field: &str) -> Option<&str> {
        error_for(&self.name_errors, field)
    }

    /// The preferences form's error for `field`, if any.
    pub fn preference_error(&self, field: &str) -> Option<&str> {
        error_for(&self.preference_errors, field)
    }

    /// Whether the summary can link to `field` on the preferences form.
    pub fn has_preference_field(&self, field: &str) -> bool {
        Self::PREFERENCE_FIELDS.contains(&field)
    }

    /// The choices of the week-start select.
    pub fn week_days(&self) -> &'static [(&'static str, &'static str)] {
        &WEEK_DAYS
    }

    /// The choices of the theme radios.
    pub fn themes(&self) -> &'static [(&'static str, &'static str)] {
        &THEMES
    }

    /// The locale suggestions.
    pub fn locales(&self) -> &'static [&'static str] {
        &LOCALES
    }
}

impl IntoResponse for ProfilePage {
    fn into_response(self) -> Response {
        super::render(&self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::views::NavUser;

    const HOSTILE: &str = "<script>alert(1)</script>\"><img src=x onerror=alert(1)>' onfocus='x";

    fn page(preferences: Option<PreferencesForm>) -> ProfilePage {
        let hostile = || HOSTILE.to_owned();
        ProfilePage {
            status: StatusCode::OK,
            chrome: Chrome {
                title: hostile(),
                nonce: "n0nce".to_owned(),
                csrf_token: "csrf-t0ken".to_owned(),
                user: Some(NavUser {
                    display_name: hostile(),
                    is_admin: false,
                    holds_data: true,
                }),
                flash: None,
                theme: String::new(),
            },
            username: hostile(),
            email: Some(hostile()),
            display_name: hostile(),
            name_errors: vec![("display_name".to_owned(), hostile())],
            preferences,
            preference_errors: ["time_zone", "paydays", "theme", "other"]
                .iter()
                .map(|f| ((*f).to_owned(), hostile()))
                .collect(),
            notice: Some(hostile()),
            error: Some(hostile()),
            currencies: vec![
                ("USD", "USD — US dollar".to_owned()),
                ("EUR", "EUR — Euro".to_owned()),
            ],
            time_zones: vec!["UTC", "Europe/Berlin"],
            currency_offers: vec![CurrencyOffer {
                from: hostile(),
                to: hostile(),
                question: hostile(),
                button: hostile(),
                can_change: true,
            }],
        }
    }

    #[test]
    fn the_profile_escapes_everything_and_protects_every_form() {
        let hostile = || HOSTILE.to_owned();
        let typed = PreferencesForm {
            currency: hostile(),
            locale: hostile(),
            time_zone: hostile(),
            week_start: hostile(),
            paydays: hostile(),
            due_soon_days: hostile(),
            grace_days: hostile(),
            theme: hostile(),
        };
        for (name, page) in [("with", page(Some(typed))), ("without", page(None))] {
            let html = Template::render(&page).unwrap_or_default();
            assert!(!html.contains("<script>alert"), "{name}");
            assert!(!html.contains("<img"), "{name}");
            assert!(!html.contains("' onfocus='"), "{name}");
            assert!(!html.contains(" style="), "{name}");
            let forms = html.matches("<form method=\"post\"").count();
            let tokens = html
                .matches("<input type=\"hidden\" name=\"csrf_token\" value=\"csrf-t0ken\">")
                .count();
            assert!(forms > 0 && tokens >= forms, "{name}: {forms} / {tokens}");
            assert_eq!(
                html.contains("action=\"/profile/preferences\""),
                name == "with"
            );
        }
    }
}
