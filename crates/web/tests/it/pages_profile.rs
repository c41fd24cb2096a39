//! The profile page (`GET /profile`) and its no-JavaScript forms, on both engines: the display
//! name (shown in the navigation, escaped, refused when blank), the preferences (saved and
//! visible on the tracker; bad values refused with the field named, nothing saved), the
//! bootstrap administrator (no preferences, no 500) and anonymous visitors.

use domain::user::Role;
use reqwest::StatusCode;
use serde_json::Value;

use crate::app_tests;
use crate::pages_support::{page, submit};
use crate::support::{Browser, PASSWORD, Spawn, TestApp, spawn_with};
use crate::tracker::{create, monthly, owner};

/// The caller's settings through the JSON API.
async fn settings(browser: &Browser) -> Value {
    let response = browser.get("/api/profile/settings").await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.expect("settings json")
}

/// A complete, valid preferences form with `changes` applied.
fn preferences<'a>(changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut form = vec![
        ("currency", "USD"),
        ("locale", "en-US"),
        ("time_zone", "UTC"),
        ("week_start", "1"),
        ("paydays", "1, 15"),
        ("due_soon_days", "3"),
        ("grace_days", "5"),
        ("theme", "system"),
    ];
    for (name, value) in changes {
        if let Some(field) = form.iter_mut().find(|(n, _)| n == name) {
            field.1 = value;
        }
    }
    form
}

/// A test app whose bootstrap administrator `first` exists from the start.
pub(crate) async fn spawn_with_bootstrap(engine: testkit::TestEngine) -> Option<TestApp> {
    spawn_with(
        engine,
        Spawn {
            env: vec![
                ("BOOTSTRAP_ADMIN_USERNAME", "first".into()),
                ("BOOTSTRAP_ADMIN_PASSWORD", PASSWORD.into()),
            ],
            ..Default::default()
        },
    )
    .await
}

app_tests! {
    async fn the_page_shows_the_account_and_links_to_security(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let html = page(&browser, "/profile").await;
        assert!(html.contains("<h1>Profile</h1>"), "{html}");
        assert!(html.contains("alice@example.org"), "{html}");
        assert!(html.contains("href=\"/profile/security\""), "{html}");
        assert!(html.contains("action=\"/profile/preferences\""), "{html}");
        assert!(html.contains("<option value=\"Europe/Berlin\">"), "the time zone list is offered");
        assert!(html.contains("<option value=\"USD\" selected>"), "{html}");
        assert!(html.contains("aria-current=\"page\""), "the nav marks Profile");
    }

    async fn changing_the_display_name_shows_it_in_the_navigation(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let (status, location, _) = submit(&browser, "/profile/name", &[("display_name", "  Alice Liddell ")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(location, "/profile?notice=name");
        let html = page(&browser, &location).await;
        assert!(html.contains("Signed in as <strong>Alice Liddell</strong>"), "{html}");
        assert!(html.contains("Your display name was changed."), "{html}");
        assert!(page(&browser, "/profile/security").await.contains("Alice Liddell"));
        let stored = app.app.store.user_by_username("alice").await.expect("read").expect("alice");
        assert_eq!(stored.display_name, "Alice Liddell");
        let audit = app.app.store.audit_entries(&store::audit::AuditFilter { action: Some("profile.rename".into()), limit: 10, ..Default::default() }).await.expect("audit");
        assert_eq!(audit.len(), 1);
        assert_eq!(audit[0].actor_name, "alice");
    }

    async fn a_blank_display_name_is_refused_naming_the_field(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let too_long = "x".repeat(101);
        for bad in ["   ", too_long.as_str()] {
            let (status, _, html) = submit(&browser, "/profile/name", &[("display_name", bad)]).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
            assert!(html.contains("id=\"display_name-error\""), "{html}");
            assert!(html.contains("Display name must"), "{html}");
            assert!(html.contains("aria-invalid=\"true\""), "{html}");
            assert!(html.contains("Your name was not changed"), "{html}");
        }
        let stored = app.app.store.user_by_username("alice").await.expect("read").expect("alice");
        assert_eq!(stored.display_name, "alice", "nothing was saved");
    }

    async fn a_display_name_with_markup_is_escaped(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let (status, location, _) = submit(&browser, "/profile/name", &[("display_name", "<img src=x>")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let html = page(&browser, &location).await;
        assert!(!html.contains("<img src=x>"), "{html}");
        assert!(html.contains("Signed in as <strong>&#60;img src=x&#62;</strong>") || html.contains("Signed in as <strong>&lt;img src=x&gt;</strong>"), "{html}");
        // Typed back after an error, it stays escaped too.
        let (_, _, html) = submit(&browser, "/profile/name", &[("display_name", &format!("<script>x</script>{}", "y".repeat(100)))]).await;
        assert!(!html.contains("<script>x</script>"), "{html}");
    }

    async fn preferences_save_and_the_tracker_shows_the_new_currency(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let me = owner(&app, "alice").await;
        let mut template = monthly("Rent", 20, 1_234);
        template.currency = "EUR".into();
        create(&app, me, template).await;
        let month = "/?year=2026&month=3&sort=due&dir=asc";
        let before = page(&browser, month).await;
        assert!(before.contains("summary-value\">EUR\u{a0}12.34<") && !before.contains("summary-value\">$0.00<"), "the EUR bill is totalled in EUR, never a silent $0.00: {before}");

        let form = preferences(&[
            ("currency", "EUR"), ("locale", "de-DE"), ("time_zone", "Europe/Berlin"), ("week_start", "7"),
            ("paydays", "1, 10 20"), ("due_soon_days", "5"), ("grace_days", "7"), ("theme", "dark"),
        ]);
        let (status, location, body) = submit(&browser, "/profile/preferences", &form).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        assert_eq!(location, "/profile?notice=preferences");
        let html = page(&browser, &location).await;
        assert!(html.contains("Your preferences were saved."), "{html}");
        assert!(html.contains("<option value=\"EUR\" selected>"), "{html}");
        assert!(html.contains("value=\"Europe/Berlin\""), "{html}");
        assert!(html.contains("value=\"1, 10, 20\""), "{html}");
        assert!(html.contains("<option value=\"7\" selected>Sunday"), "{html}");
        assert!(html.contains("value=\"dark\" checked"), "{html}");
        assert!(html.contains("<html lang=\"en\" data-theme=\"dark\""), "the saved theme applies to every page: {html}");

        let saved = settings(&browser).await;
        assert_eq!(saved["currency"], "EUR");
        assert_eq!(saved["time_zone"], "Europe/Berlin");
        assert_eq!(saved["paydays"], serde_json::json!([1, 10, 20]));
        assert_eq!(saved["due_soon_days"], 5);
        assert_eq!(saved["grace_days"], 7);
        assert_eq!(saved["week_start"], 7);
        assert_eq!(saved["locale"], "de-DE");
        assert_eq!(saved["theme"], "dark");

        let after = page(&browser, month).await;
        assert!(after.contains("summary-value\">12,34\u{a0}€<"), "totals are now in EUR, written as de-DE writes them: {after}");
    }

    async fn bad_preferences_are_refused_naming_the_field_and_nothing_is_saved(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let defaults = settings(&browser).await;
        let cases = [
            ("time_zone", "Mars/Olympus", "Time zone must be an IANA time zone"),
            ("currency", "XYZ", "Default currency: XYZ is not a supported currency"),
            ("due_soon_days", "-1", "Due soon days must be a whole number from 0 to 30"),
            ("due_soon_days", "1000", "Due soon days must be a whole number from 0 to 30"),
            ("due_soon_days", "abc", "Due soon days must be a whole number from 0 to 30"),
            ("grace_days", "61", "Grace period must be a whole number from 0 to 60"),
            ("week_start", "0", "Week start must be a whole number from 1 to 7"),
            ("paydays", "0, 15", "Paydays must be days of the month"),
            ("paydays", "1, 2, 3, 4, 5", "Paydays must list 1 to 4 days"),
            ("paydays", "first", "Paydays must be days of the month"),
            ("locale", "english_US", "Locale must be a language tag"),
            ("theme", "neon", "Theme must be one of"),
        ];
        for (field, value, message) in cases {
            // Every other field changes too, so a partial save would show.
            let form = preferences(&[("currency", "EUR"), ("grace_days", "9"), (field, value)]);
            let (status, _, html) = submit(&browser, "/profile/preferences", &form).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{field}={value}: {html}");
            assert!(html.contains(&format!("id=\"{field}-error\"")), "{field}={value}: {html}");
            assert!(html.contains(message), "{field}={value}: {html}");
            assert!(html.contains(&format!("href=\"#{field}\"")), "the summary links to the field");
            assert!(html.contains("Your preferences were not saved"), "{html}");
            if !matches!(field, "currency" | "week_start" | "theme") {
                assert!(html.contains(&format!("value=\"{value}\"")), "the typed {field} is kept: {html}");
            }
            assert_eq!(settings(&browser).await, defaults, "nothing was saved for {field}={value}");
        }

        // Several bad fields at once: each is named.
        let form = preferences(&[("time_zone", "Nowhere"), ("due_soon_days", "-1"), ("paydays", "")]);
        let (status, _, html) = submit(&browser, "/profile/preferences", &form).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        for field in ["time_zone", "due_soon_days", "paydays"] {
            assert!(html.contains(&format!("id=\"{field}-error\"")), "{field}: {html}");
        }
        // Missing fields altogether are refused the same way, never a 400 or 500.
        let (status, _, _) = submit(&browser, "/profile/preferences", &[]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(settings(&browser).await, defaults);
    }

    async fn anonymous_visitors_are_sent_to_sign_in(app) {
        let browser = app.browser().await;
        let response = browser.get("/profile").await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        let location = response.headers()["location"].to_str().expect("location").to_owned();
        assert!(location.starts_with("/login?next=%2Fprofile") || location.starts_with("/login?next=/profile"), "{location}");
        let (status, location, _) = submit(&browser, "/profile/name", &[("display_name", "Eve")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(location.starts_with("/login"), "{location}");
    }
}

app_tests! {
    @with spawn_with_bootstrap;

    async fn the_bootstrap_admin_gets_a_message_instead_of_preferences(app) {
        let mut browser = app.browser().await;
        assert_eq!(browser.login("first", PASSWORD).await.status(), StatusCode::OK);
        let html = page(&browser, "/profile").await;
        assert!(html.contains("holds no bills"), "{html}");
        assert!(!html.contains("action=\"/profile/preferences\""), "{html}");
        let (status, _, html) = submit(&browser, "/profile/preferences", &preferences(&[])).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{html}");
        assert!(html.contains("holds no bills"), "{html}");
        // Its name can still change.
        let (status, location, _) = submit(&browser, "/profile/name", &[("display_name", "Root")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(page(&browser, &location).await.contains("Signed in as <strong>Root</strong>"));
    }
}

app_tests! {
    async fn the_theme_toggle_and_the_profile_save_one_and_the_same_setting(app) {
        let browser = app.signed_in("alice", domain::user::Role::User).await;
        let html = crate::pages_support::page(&browser, "/").await;
        assert!(html.contains("data-theme-saved=\"system\"") && html.contains("data-theme-toggle"), "{html}");
        let (status, location, _) = crate::pages_support::submit(&browser, "/profile/theme", &[("theme", "dark")]).await;
        assert_eq!((status, location.as_str()), (reqwest::StatusCode::SEE_OTHER, "/profile?notice=preferences"));
        let html = crate::pages_support::page(&browser, "/").await;
        assert!(html.contains("data-theme=\"dark\" data-theme-saved=\"dark\""), "every page follows the saved theme");
        let profile = crate::pages_support::page(&browser, "/profile").await;
        assert!(profile.contains("name=\"theme\" value=\"dark\" checked"), "the profile form shows the same setting: {profile}");
        let (status, location, _) = crate::pages_support::submit(&browser, "/profile/theme", &[("theme", "purple")]).await;
        assert_eq!(status, reqwest::StatusCode::SEE_OTHER);
        assert!(location.contains("error="), "{location}");
        assert!(crate::pages_support::page(&browser, "/").await.contains("data-theme-saved=\"dark\""), "a bad value changes nothing");
    }
}
