//! Which occurrences a month holds and the status of each: due soon, late, missed, partial,
//! overpaid, skipped, snoozed; month ends; weekly bills; deactivated bills; the user's time
//! zone.

use domain::user::Role;
use reqwest::Method;
use serde_json::json;

use super::*;
use crate::app_tests;

fn dates_of(view: &Value, name: &str) -> Vec<String> {
    occurrences(view)
        .into_iter()
        .filter(|o| o["bill_name"] == name)
        .map(|o| o["due_date"].as_str().expect("due").to_owned())
        .collect()
}

app_tests! {
    @with super::spawn;

    async fn every_status_follows_payments_month_state_and_the_users_today(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let alice = owner(&app, "alice").await;
        let mut ids = std::collections::BTreeMap::new();
        for (name, due_day, expected) in [
            ("Today", 14, 1_000), ("Soon", 17, 1_000), ("Later", 18, 1_000),
            ("Grace", 9, 1_000), ("Missed", 8, 1_000), ("Partial", 10, 10_000),
            ("Over", 5, 5_000), ("Paid", 1, 2_500), ("Skipped", 2, 1_000), ("Snoozed", 3, 1_000),
        ] {
            ids.insert(name, bill(&app, alice, name, due_day, expected).await);
        }
        pay(&app, alice, ids["Partial"], 4_000, day(2026, 3, 10)).await;
        pay(&app, alice, ids["Over"], 6_000, day(2026, 3, 5)).await;
        pay(&app, alice, ids["Paid"], 2_500, day(2026, 3, 1)).await;
        let state = |name: &str, due: &str| format!("/api/tracker/occurrences/{}/{due}", ids[name]);
        let skipped = call(&browser, Method::PUT, &state("Skipped", "2026-03-02"), json!({"skipped": true})).await;
        assert_eq!(skipped.1["status"], "skipped", "{}", skipped.1);
        let snoozed = call(&browser, Method::PUT, &state("Snoozed", "2026-03-03"), json!({"snoozed_until": "2026-03-20"})).await;
        assert_eq!(snoozed.1["status"], "upcoming", "a snooze 6 days away: {}", snoozed.1);

        let view = tracker(&browser, "").await;
        assert_eq!((view["year"].as_i64(), view["month"].as_i64()), (Some(2026), Some(3)), "opens on the current month");
        assert_eq!(view["today"], "2026-03-14");
        let expect = [
            ("Today", "2026-03-14", "due_soon"), ("Soon", "2026-03-17", "due_soon"),
            ("Later", "2026-03-18", "upcoming"), ("Grace", "2026-03-09", "late"),
            ("Missed", "2026-03-08", "missed"), ("Partial", "2026-03-10", "partial"),
            ("Over", "2026-03-05", "overpaid"), ("Paid", "2026-03-01", "paid"),
            ("Skipped", "2026-03-02", "skipped"), ("Snoozed", "2026-03-03", "upcoming"),
        ];
        for (name, due, status) in expect {
            assert_eq!(status_of(&view, name, due), status, "{name} on {due}");
        }
        let partial = find(&view, "Partial", "2026-03-10");
        assert_eq!(amount(&partial["expected"]), ("100.00".into(), 10_000, "USD".into()));
        assert_eq!(amount(&partial["paid"]), ("40.00".into(), 4_000, "USD".into()));
        assert_eq!(amount(&partial["remaining"]), ("60.00".into(), 6_000, "USD".into()));
        assert_eq!(find(&view, "Snoozed", "2026-03-03")["snoozed_until"], "2026-03-20");

        // Four days later: "Soon" is past due, "Later" is due soon, the snooze nears its end.
        set_clock(&app, 2026, 3, 18, 9);
        let view = tracker(&browser, "").await;
        assert_eq!(status_of(&view, "Soon", "2026-03-17"), "late");
        assert_eq!(status_of(&view, "Later", "2026-03-18"), "due_soon");
        assert_eq!(status_of(&view, "Grace", "2026-03-09"), "missed", "9 days late is past grace");
        assert_eq!(status_of(&view, "Snoozed", "2026-03-03"), "due_soon");
        assert_eq!(status_of(&view, "Partial", "2026-03-10"), "partial", "partial stays partial");
        // After the snooze runs out the occurrence is missed again.
        set_clock(&app, 2026, 3, 21, 9);
        let view = tracker(&browser, "").await;
        assert_eq!(status_of(&view, "Snoozed", "2026-03-03"), "missed");
    }

    async fn a_monthly_bill_on_the_31st_falls_on_the_last_day_of_short_months(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let alice = owner(&app, "alice").await;
        bill(&app, alice, "Rent", 31, 100_000).await;
        assert_eq!(dates_of(&tracker(&browser, "year=2026&month=2").await, "Rent"), ["2026-02-28"]);
        assert_eq!(dates_of(&tracker(&browser, "year=2026&month=4").await, "Rent"), ["2026-04-30"]);
        assert_eq!(dates_of(&tracker(&browser, "year=2026&month=5").await, "Rent"), ["2026-05-31"]);
        assert_eq!(dates_of(&tracker(&browser, "year=2028&month=2").await, "Rent"), ["2028-02-29"]);
        assert!(dates_of(&tracker(&browser, "year=2025&month=12").await, "Rent").is_empty(), "nothing before the anchor");
    }

    async fn a_weekly_bill_shows_every_occurrence_of_the_month(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let alice = owner(&app, "alice").await;
        let mut weekly = monthly("Groceries", 1, 8_000);
        weekly.cycle = "weekly".into();
        weekly.anchor_date = day(2026, 1, 5);
        weekly.due_day = None;
        create(&app, alice, weekly).await;
        let march = tracker(&browser, "year=2026&month=3").await;
        assert_eq!(dates_of(&march, "Groceries"), ["2026-03-02", "2026-03-09", "2026-03-16", "2026-03-23", "2026-03-30"]);
        let buckets: Vec<i64> = occurrences(&march).iter().map(|o| o["bucket"].as_i64().expect("bucket")).collect();
        assert_eq!(buckets, [0, 0, 1, 1, 1]);
        assert_eq!(amount(&march["summary"]["expected"]).1, 40_000, "five occurrences add up");
        let february = tracker(&browser, "year=2026&month=2").await;
        assert_eq!(dates_of(&february, "Groceries").len(), 4);
    }

    async fn a_bill_deactivated_in_march_still_shows_in_february(app) {
        let browser = app.signed_in("alice", Role::User).await;
        let alice = owner(&app, "alice").await;
        let gym = bill(&app, alice, "Gym", 5, 3_000).await;
        app.app.store.set_bill_active(alice, gym, false, day(2026, 3, 1), app.app.now()).await.expect("deactivate");
        assert_eq!(dates_of(&tracker(&browser, "year=2026&month=2").await, "Gym"), ["2026-02-05"]);
        assert!(dates_of(&tracker(&browser, "year=2026&month=3").await, "Gym").is_empty());
        // Reactivated on April 10: the April 5 occurrence falls in the gap, May shows again.
        app.app.store.set_bill_active(alice, gym, true, day(2026, 4, 10), app.app.now()).await.expect("reactivate");
        assert!(dates_of(&tracker(&browser, "year=2026&month=4").await, "Gym").is_empty());
        assert_eq!(dates_of(&tracker(&browser, "year=2026&month=5").await, "Gym"), ["2026-05-05"]);
    }

    async fn the_users_time_zone_decides_today(app) {
        // On the last evening of March (UTC) it is already April 1 in Auckland (UTC+13): the
        // Auckland user's tracker opens on April.
        set_clock(&app, 2026, 3, 31, 23);
        let utc = app.signed_in("uma", Role::User).await;
        let kiwi = app.signed_in("kiri", Role::User).await;
        let (uma, kiri) = (owner(&app, "uma").await, owner(&app, "kiri").await);
        bill(&app, uma, "Power", 14, 9_000).await;
        bill(&app, kiri, "Power", 14, 9_000).await;
        let saved = call(&kiwi, Method::PATCH, "/api/profile/settings", json!({"time_zone": "Pacific/Auckland"})).await;
        assert_eq!(saved.1["time_zone"], "Pacific/Auckland", "{}", saved.1);
        let in_nz = tracker(&kiwi, "").await;
        assert_eq!((in_nz["month"].as_i64(), in_nz["today"].as_str()), (Some(4), Some("2026-04-01")));
        assert_eq!(tracker(&utc, "").await["month"], 3);
        // 23:00 UTC on March 14 is March 15 in Auckland: the bill due on the 14th is late
        // there and due today in UTC.
        set_clock(&app, 2026, 3, 14, 23);
        let in_utc = tracker(&utc, "").await;
        let in_nz = tracker(&kiwi, "").await;
        assert_eq!((in_utc["today"].as_str(), in_nz["today"].as_str()), (Some("2026-03-14"), Some("2026-03-15")));
        assert_eq!(status_of(&in_utc, "Power", "2026-03-14"), "due_soon");
        assert_eq!(status_of(&in_nz, "Power", "2026-03-14"), "late");
    }
}
