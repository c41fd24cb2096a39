//! The administration pages and their no-JavaScript forms, on both engines: creating an
//! account that can then sign in, refusing bad input with the field named, role and access
//! changes ending sessions, password resets, deletion behind a typed confirmation, the
//! self-protection guards shown as messages, the audit log with its filters and chain check,
//! who may use any of it, unknown ids and escaping.

use domain::id::UserId;
use domain::user::Role;
use reqwest::StatusCode;

use crate::app_tests;
use crate::pages_support::{fetch, page, submit};
use crate::support::{Browser, PASSWORD, TestApp};
use crate::tracker::owner;

/// A signed-in administrator `root` and a signed-in user `bob`, with bob's id.
async fn root_and_bob(app: &TestApp) -> (Browser, Browser, UserId) {
    let root = app.signed_in("root", Role::Admin).await;
    let bob = app.signed_in("bob", Role::User).await;
    let id = owner(app, "bob").await;
    (root, bob, id)
}

/// Whether `browser` is still signed in (a page answers instead of sending it to sign in).
async fn signed_in(browser: &Browser) -> bool {
    let response = browser.get("/profile/security").await;
    response.status() == StatusCode::OK
}

async fn user(app: &TestApp, username: &str) -> Option<store::users::UserRow> {
    app.app
        .store
        .user_by_username(username)
        .await
        .expect("read")
}

/// Follows a redirect and returns the page it leads to.
async fn follow(browser: &Browser, location: &str) -> String {
    assert!(location.starts_with('/'), "a redirect: {location}");
    page(browser, location).await
}

app_tests! {
    async fn an_admin_creates_an_account_that_can_then_sign_in(app) {
        let root = app.signed_in("root", Role::Admin).await;
        let html = page(&root, "/admin").await;
        assert!(html.contains("<h1>Administration</h1>"), "{html}");
        assert!(html.contains("<strong>root</strong>"), "{html}");
        assert!(html.contains(">You</span>"), "{html}");

        let (status, location, body) = submit(&root, "/admin/users", &[
            ("username", "Carol"), ("display_name", "Carol Jones"), ("email", "carol@example.org"),
            ("password", "a long enough passphrase"), ("role", "user"),
        ]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        assert_eq!(location, "/admin?notice=created");
        let html = follow(&root, &location).await;
        assert!(html.contains("Account created."), "{html}");
        assert!(html.contains("<strong>carol</strong>"), "{html}");
        assert!(html.contains("Carol Jones"), "{html}");
        assert!(html.contains(">Never<"), "carol has not signed in yet: {html}");

        let mut carol = app.browser().await;
        assert_eq!(carol.login("carol", "a long enough passphrase").await.status(), StatusCode::OK);
        assert!(page(&carol, "/").await.contains("Signed in as <strong>Carol Jones</strong>"));
        let html = page(&root, "/admin").await;
        assert!(!html.contains(">Never<"), "carol's last sign-in is shown: {html}");
        assert!(html.contains(">2026-03-14 09:00 UTC<"), "{html}");
    }

    async fn the_create_form_names_bad_fields_and_keeps_what_was_typed(app) {
        let root = app.signed_in("root", Role::Admin).await;
        let (status, _, html) = submit(&root, "/admin/users", &[
            ("username", "x"), ("display_name", ""), ("email", "not-an-email"),
            ("password", "secret-typed-here"), ("role", "overlord"),
        ]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
        for field in ["username", "email", "role"] {
            assert!(html.contains(&format!("id=\"{field}-error\"")), "{field}: {html}");
        }
        assert!(html.contains("Username must be at least 3 characters"), "{html}");
        assert!(html.contains("Email must be an email address"), "{html}");
        assert!(html.contains("value=\"not-an-email\""), "typed values are kept: {html}");
        assert!(!html.contains("secret-typed-here"), "passwords are never echoed");
        assert!(user(&app, "x").await.is_none());

        // The password policy comes back on its field.
        let (status, _, html) = submit(&root, "/admin/users", &[
            ("username", "dave"), ("password", "short"), ("role", "user"),
        ]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
        assert!(html.contains("id=\"password-error\""), "{html}");
        assert!(html.contains("Password must"), "{html}");
        assert!(user(&app, "dave").await.is_none());

        // A taken username is named too.
        let (status, _, html) = submit(&root, "/admin/users", &[
            ("username", "ROOT"), ("password", "a long enough passphrase"), ("role", "user"),
        ]).await;
        assert_eq!(status, StatusCode::CONFLICT, "{html}");
        assert!(html.contains("id=\"username-error\""), "{html}");
        assert!(html.contains("already taken"), "{html}");
    }

    async fn a_non_admin_gets_403_on_every_admin_page_and_form(app) {
        let (_root, bob, _) = root_and_bob(&app).await;
        let root_id = owner(&app, "root").await.to_string();
        for path in ["/admin".to_owned(), "/admin/audit-log".to_owned(), format!("/admin/users/{root_id}")] {
            let (status, html) = fetch(&bob, &path).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
            assert!(html.contains("Only administrators"), "{html}");
        }
        let posts = [
            ("/admin/users".to_owned(), vec![("username", "mallory"), ("password", "a long enough passphrase"), ("role", "admin")]),
            ("/admin/sessions/end-all".to_owned(), vec![]),
            (format!("/admin/users/{root_id}/profile"), vec![("username", "pwned"), ("display_name", "pwned"), ("email", "")]),
            (format!("/admin/users/{root_id}/role"), vec![("role", "user")]),
            (format!("/admin/users/{root_id}/active"), vec![("is_active", "false")]),
            (format!("/admin/users/{root_id}/password"), vec![("password", "a long enough passphrase")]),
            (format!("/admin/users/{root_id}/sessions/end"), vec![]),
            (format!("/admin/users/{root_id}/delete"), vec![("confirm_username", "root")]),
        ];
        for (path, fields) in &posts {
            let (status, _, _) = submit(&bob, path, fields).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
        }
        let root = user(&app, "root").await.expect("root is still there");
        assert_eq!(root.role, Role::Admin);
        assert!(root.is_active);
        assert_eq!(root.display_name, "root");
        assert!(user(&app, "mallory").await.is_none());
        assert!(signed_in(&bob).await, "bob signed nobody out, himself included");

        let anon = app.browser().await;
        let response = anon.get("/admin").await;
        assert_eq!(response.status(), StatusCode::SEE_OTHER);
        assert!(response.headers()["location"].to_str().expect("location").starts_with("/login"));
    }

    async fn deactivating_an_account_ends_its_session_and_reactivating_lets_it_back(app) {
        let (root, mut bob, bob_id) = root_and_bob(&app).await;
        assert!(signed_in(&bob).await);
        let (status, location, _) = submit(&root, &format!("/admin/users/{bob_id}/active"), &[("is_active", "false")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        let html = follow(&root, &location).await;
        assert!(html.contains("Account deactivated and signed out everywhere."), "{html}");
        assert!(html.contains(">Deactivated</span>"), "{html}");
        assert!(!signed_in(&bob).await, "bob's session ended");
        bob.refresh_csrf().await;
        assert_eq!(bob.login("bob", PASSWORD).await.status(), StatusCode::UNAUTHORIZED, "a deactivated account cannot sign in");

        let (status, location, _) = submit(&root, &format!("/admin/users/{bob_id}/active"), &[("is_active", "true")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(follow(&root, &location).await.contains("Account reactivated."));
        assert_eq!(bob.login("bob", PASSWORD).await.status(), StatusCode::OK);
    }

    async fn a_role_change_signs_the_account_out_and_shows_in_the_list(app) {
        let (root, bob, bob_id) = root_and_bob(&app).await;
        let (status, location, _) = submit(&root, &format!("/admin/users/{bob_id}/role"), &[("role", "admin")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(follow(&root, &location).await.contains("Role changed."));
        assert_eq!(user(&app, "bob").await.expect("bob").role, Role::Admin);
        assert!(!signed_in(&bob).await);
        // The same role again changes nothing; nonsense is refused with a banner.
        let (_, location, _) = submit(&root, &format!("/admin/users/{bob_id}/role"), &[("role", "admin")]).await;
        assert!(location.ends_with("notice=unchanged"), "{location}");
        let (_, location, _) = submit(&root, &format!("/admin/users/{bob_id}/role"), &[("role", "root")]).await;
        assert!(location.ends_with("error=invalid"), "{location}");
        assert!(follow(&root, &location).await.contains("That request was not valid"));
    }

    async fn a_password_reset_lets_the_account_sign_in_with_the_new_one(app) {
        let (root, mut bob, bob_id) = root_and_bob(&app).await;
        let path = format!("/admin/users/{bob_id}/password");
        let (status, _, html) = submit(&root, &path, &[("password", "short")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
        assert!(html.contains("id=\"password-error\""), "{html}");
        assert!(html.contains("Password must"), "{html}");
        assert!(signed_in(&bob).await, "a refused reset changes nothing");

        let (status, location, _) = submit(&root, &path, &[("password", "a fresh new passphrase")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(follow(&root, &location).await.contains("Password reset."));
        assert!(!signed_in(&bob).await, "bob was signed out");
        bob.refresh_csrf().await;
        assert_eq!(bob.login("bob", PASSWORD).await.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(bob.login("bob", "a fresh new passphrase").await.status(), StatusCode::OK);
    }

    async fn ending_sessions_signs_one_account_or_everyone_else_out(app) {
        let (root, bob, bob_id) = root_and_bob(&app).await;
        let html = page(&root, &format!("/admin/users/{bob_id}")).await;
        assert!(html.contains("Signed-in sessions</dt><dd class=\"tabular\">1<"), "{html}");
        let (status, location, _) = submit(&root, &format!("/admin/users/{bob_id}/sessions/end"), &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(follow(&root, &location).await.contains("signed out on every device"));
        assert!(!signed_in(&bob).await);

        let carol = app.signed_in("carol", Role::User).await;
        let (status, location, _) = submit(&root, "/admin/sessions/end-all", &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(follow(&root, &location).await.contains("Every other session was ended"));
        assert!(!signed_in(&carol).await);
        assert!(signed_in(&root).await, "the admin stays signed in");
    }

    async fn the_last_admin_cannot_demote_deactivate_or_delete_themselves(app) {
        let root = app.signed_in("root", Role::Admin).await;
        let me = owner(&app, "root").await;
        let cases = [
            (format!("/admin/users/{me}/role"), vec![("role", "user")], "You cannot remove your own administrator access"),
            (format!("/admin/users/{me}/active"), vec![("is_active", "false")], "You cannot remove your own administrator access"),
            (format!("/admin/users/{me}/delete"), vec![("confirm_username", "root")], "You cannot delete your own account"),
        ];
        for (path, fields, message) in &cases {
            let (status, location, _) = submit(&root, path, fields).await;
            assert_eq!(status, StatusCode::SEE_OTHER, "{path}");
            assert!(location.starts_with(&format!("/admin/users/{me}?error=")), "{location}");
            let html = follow(&root, &location).await;
            assert!(html.contains(message), "{path}: {html}");
        }
        let stored = user(&app, "root").await.expect("root");
        assert_eq!(stored.role, Role::Admin);
        assert!(stored.is_active);
        assert!(signed_in(&root).await);
    }

    async fn deleting_an_account_needs_its_username_typed(app) {
        let (root, bob, bob_id) = root_and_bob(&app).await;
        let path = format!("/admin/users/{bob_id}/delete");
        let html = page(&root, &format!("/admin/users/{bob_id}")).await;
        assert!(html.contains(&format!("action=\"{path}\"")), "{html}");
        assert!(html.contains("data-confirm=\"Delete bob"), "{html}");

        let (status, _, html) = submit(&root, &path, &[("confirm_username", "bobby")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
        assert!(html.contains("id=\"confirm_username-error\""), "{html}");
        assert!(html.contains("Confirmation: type the username bob"), "{html}");
        assert!(user(&app, "bob").await.is_some(), "nothing was deleted");

        let (status, location, _) = submit(&root, &path, &[("confirm_username", " bob ")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(location, "/admin?notice=deleted");
        let html = follow(&root, &location).await;
        assert!(html.contains("Account deleted"), "{html}");
        assert!(!html.contains("<strong>bob</strong>"), "{html}");
        assert!(user(&app, "bob").await.is_none());
        assert!(!signed_in(&bob).await);
        let (status, _) = fetch(&root, &format!("/admin/users/{bob_id}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }

    async fn names_and_email_are_edited_with_errors_inline(app) {
        let (root, _bob, bob_id) = root_and_bob(&app).await;
        let path = format!("/admin/users/{bob_id}/profile");
        let (status, _, html) = submit(&root, &path, &[("username", "bob"), ("display_name", "Bob B"), ("email", "nope")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
        assert!(html.contains("id=\"email-error\""), "{html}");
        assert!(html.contains("value=\"Bob B\""), "typed values are kept: {html}");
        assert_eq!(user(&app, "bob").await.expect("bob").display_name, "bob");

        let (status, location, _) = submit(&root, &path, &[("username", "robert"), ("display_name", "Robert"), ("email", "")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert!(follow(&root, &location).await.contains("Names and email saved."));
        let stored = user(&app, "robert").await.expect("renamed");
        assert_eq!(stored.display_name, "Robert");
        assert_eq!(stored.email, None, "a blank email removes it");
    }

    async fn unknown_account_ids_are_404_pages(app) {
        let root = app.signed_in("root", Role::Admin).await;
        for path in ["/admin/users/nope", "/admin/users/0190a5b2-0000-7000-8000-000000000000"] {
            let (status, html) = fetch(&root, path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
            assert!(html.contains("does not exist"), "{html}");
        }
        let missing = "/admin/users/0190a5b2-0000-7000-8000-000000000000";
        for (action, fields) in [("role", vec![("role", "admin")]), ("active", vec![("is_active", "false")]), ("delete", vec![("confirm_username", "x")]), ("password", vec![("password", "a long enough passphrase")]), ("profile", vec![("username", "abc"), ("display_name", "abc")]), ("sessions/end", vec![])] {
            let (status, _, _) = submit(&root, &format!("{missing}/{action}"), &fields).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{action}");
        }
    }

    async fn the_audit_log_lists_admin_actions_with_actor_and_ip(app) {
        let (root, _bob, bob_id) = root_and_bob(&app).await;
        submit(&root, "/admin/users", &[("username", "carol"), ("password", "a long enough passphrase"), ("role", "user")]).await;
        submit(&root, &format!("/admin/users/{bob_id}/role"), &[("role", "admin")]).await;
        submit(&root, &format!("/admin/users/{bob_id}/password"), &[("password", "a fresh new passphrase")]).await;
        let html = page(&root, "/admin/audit-log").await;
        assert!(html.contains("Chain intact"), "{html}");
        for action in ["user.create", "user.update", "user.password_reset", "login.success"] {
            assert!(html.contains(&format!("<code>{action}</code>")), "{action}: {html}");
        }
        assert!(html.contains("user:carol"), "{html}");
        assert!(html.contains("role: admin"), "details are readable: {html}");
        assert!(html.contains("<td data-label=\"Actor\">root</td>"), "{html}");
        assert!(html.contains("127.0.0.1"), "the IP is shown: {html}");
        assert!(html.contains("2026-03-14 09:00:00 UTC"), "{html}");

        let html = page(&root, "/admin/audit-log?action=user.create").await;
        assert!(html.contains("<code>user.create</code>"));
        assert!(!html.contains("<code>user.update</code>"), "{html}");
        assert!(html.contains("value=\"user.create\""), "the filter is kept");
        let html = page(&root, "/admin/audit-log?actor=bob").await;
        assert!(!html.contains("<code>user.create</code>"), "{html}");
        assert!(html.contains("<code>login.success</code>"), "{html}");

        let html = page(&root, "/admin/audit-log?from=2026-03-14&to=2026-03-14").await;
        assert!(html.contains("<code>user.create</code>"), "{html}");
        let html = page(&root, "/admin/audit-log?from=2026-03-15").await;
        assert!(html.contains("No entries match"), "{html}");
        let html = page(&root, "/admin/audit-log?to=2026-03-13").await;
        assert!(html.contains("No entries match"), "{html}");

        let (status, html) = fetch(&root, "/admin/audit-log?from=2026-13-01").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("id=\"from-error\""), "{html}");
        assert!(html.contains("From is not a day of the calendar"), "{html}");
        assert!(html.contains("value=\"2026-13-01\""), "the typed date is kept");
        let (status, html) = fetch(&root, "/admin/audit-log?to=14%2F03%2F2026").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("To must be a date written like"), "{html}");
        let (status, html) = fetch(&root, "/admin/audit-log?from=2026-03-15&to=2026-03-14").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(html.contains("To must not be before the From date"), "{html}");
    }

    async fn the_audit_log_pages_and_reports_a_broken_chain(app) {
        let root = app.signed_in("root", Role::Admin).await;
        for i in 0..55 {
            service::audit::record(&app.app, &service::audit::Actor::System, "test.event", Some(format!("n:{i}")), None, serde_json::json!({})).await.expect("record");
        }
        let html = page(&root, "/admin/audit-log?action=test.event").await;
        assert!(html.contains("n:54"), "{html}");
        assert!(!html.contains("n:4<"), "{html}");
        let older = html.split("href=\"").filter_map(|s| s.split('"').next()).find(|h| h.contains("before=")).expect("an older page link").replace("&amp;", "&").replace("&#38;", "&");
        let html = page(&root, &older).await;
        assert!(html.contains("n:4<"), "{html}");
        assert!(html.contains("Newest entries"), "{html}");

        app.app.store.tamper_for_tests("UPDATE audit_log SET target = 'n:forged' WHERE target = 'n:3'").await;
        let html = page(&root, "/admin/audit-log").await;
        assert!(html.contains("Chain BROKEN"), "{html}");
    }

    async fn names_are_escaped_on_the_admin_pages(app) {
        let root = app.signed_in("root", Role::Admin).await;
        let (status, _, body) = submit(&root, "/admin/users", &[("username", "eve"), ("display_name", "<img src=x>"), ("password", "a long enough passphrase"), ("role", "user")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER, "{body}");
        let eve = owner(&app, "eve").await;
        for path in ["/admin".to_owned(), format!("/admin/users/{eve}")] {
            let html = page(&root, &path).await;
            assert!(!html.contains("<img src=x>"), "{path}: {html}");
            assert!(html.contains("&lt;img src=x&gt;") || html.contains("&#60;img src=x&#62;"), "{path}: {html}");
        }
        let (status, _, html) = submit(&root, "/admin/users", &[("username", "<script>x</script>"), ("password", "p"), ("role", "user")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(!html.contains("<script>x</script>"), "{html}");
    }
}
