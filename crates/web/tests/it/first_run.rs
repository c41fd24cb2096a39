//! The first run (issue 14, item 1): the setup link makes the server's administrator, which
//! holds no bills by rule; the person is told so and led to make their own everyday account,
//! the administrator's navigation shows only what it can open, its home is the admin area, and
//! no error page links to a page that gives the same error.

use reqwest::StatusCode;

use crate::accounts::{get, setup_token, submit_setup};
use crate::app_tests;
use crate::pages_support::{page, submit};
use crate::support::PASSWORD;

app_tests! {
    async fn the_setup_administrator_is_led_to_their_own_account_and_never_to_a_403_loop(app) {
        let token = setup_token(&app).await;
        let mut admin = app.browser().await;
        let done = submit_setup(&admin, &token, "owner", "a sturdy first passphrase").await;
        let next = done.headers.get("location").and_then(|v| v.to_str().ok()).expect("redirect").to_owned();
        assert_eq!(next, "/admin?notice=setup#create-title");
        admin.refresh_csrf().await;
        let html = page(&admin, "/admin?notice=setup").await;
        assert!(html.contains("create your own everyday account below"), "{html}");
        assert!(html.contains("id=\"create-title\""), "the create form is on the page");

        // Its navigation offers only what it can open.
        for data_link in ["href=\"/bills\"", "href=\"/expenses\"", "href=\"/budgets\"", "href=\"/analytics\""] {
            assert!(!html.contains(data_link), "{data_link} is not offered to the setup administrator");
        }
        assert!(html.contains("href=\"/admin\"") && html.contains("href=\"/profile/security\""));

        // Its home is the admin area; a data page explains the rule and links somewhere that works.
        let home = get(&admin, "/").await;
        assert_eq!((home.status, home.headers.get("location").and_then(|v| v.to_str().ok())), (StatusCode::SEE_OTHER, Some("/admin")));
        let refused = get(&admin, "/bills").await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN);
        assert!(refused.text.contains("create your own account under Admin"), "{}", refused.text);
        for link in refused.text.match_indices("class=\"btn btn-primary\" href=\"").map(|(i, m)| &refused.text[i + m.len()..]) {
            let target = &link[..link.find('"').expect("end")];
            let followed = get(&admin, target).await;
            assert_ne!(followed.status, StatusCode::FORBIDDEN, "{target} gives the same error");
        }

        // The everyday account, made from the admin page, tracks bills.
        let (status, location, body) = submit(&admin, "/admin/users", &[("username", "sam"), ("display_name", "Sam"), ("email", ""), ("password", PASSWORD), ("role", "user")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        assert!(!location.is_empty());
        let mut sam = app.browser().await;
        assert_eq!(sam.login("sam", PASSWORD).await.status(), StatusCode::OK);
        let html = page(&sam, "/").await;
        assert!(html.contains("href=\"/bills\""), "an everyday account sees the tracking pages");
    }
}
