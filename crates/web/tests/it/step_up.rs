//! Step-up holes an attacker with a stolen session, or with the password alone, would use
//! (issue 13): a password change is not a step-up for an account with a second factor and
//! needs the factor itself (AUTH-05, MFA-05); it ends pending sign-ins too; ending other
//! sessions needs a step-up and is audited (SES-08); a forced enrolment's secret belongs to
//! the pending sign-in that made it (MFA-05). On both engines, with `oathtool` codes.

use chrono::Duration;
use domain::user::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;
use service::clock::Clock;

use crate::app_tests;
use crate::mfa::{
    audit_actions, enrol, get, new_window, oathtool, password_step, post, second_step, send,
    sign_in_with_code,
};
use crate::support::{Browser, PASSWORD, TestApp};

const NEW_PASSWORD: &str = "a brand new passphrase for spring";

/// The routes a step-up guards for an account with an authenticator app: each must answer
/// 403 `reauth_required` for `browser`, and change nothing.
async fn assert_step_up_needed(app: &TestApp, browser: &Browser, why: &str) {
    let user = app
        .app
        .store
        .user_by_username("alice")
        .await
        .expect("read")
        .expect("alice");
    let factors_before = app.app.store.factors_of(user.id).await.expect("factors");
    for (method, path, body) in [
        (Method::DELETE, "/api/profile/mfa/totp", json!({})),
        (Method::POST, "/api/profile/mfa/recovery-codes", json!({})),
        (Method::POST, "/api/profile/mfa/totp", json!({})),
        (
            Method::POST,
            "/api/profile/webauthn/register/start",
            json!({"name": "a key"}),
        ),
    ] {
        let refused = send(browser, method, path, Some(body)).await;
        assert_eq!(
            (refused.status, refused.json["code"].clone()),
            (StatusCode::FORBIDDEN, json!("reauth_required")),
            "{why}: {path}: {}",
            refused.text
        );
    }
    let factors_after = app.app.store.factors_of(user.id).await.expect("factors");
    assert_eq!(factors_before, factors_after, "{why}: nothing changed");
}

/// alice, signed in, with an authenticator app; returns her browser and the app's secret.
async fn alice_with_app(app: &TestApp) -> (Browser, String) {
    let browser = app.signed_in("alice", Role::User).await;
    let (secret, _) = enrol(app, &browser).await;
    new_window(app);
    (sign_in_with_code(app, "alice", &secret).await, secret)
}

app_tests! {
    async fn auth_05_with_a_second_factor_a_password_change_needs_a_fresh_step_up_with_it(app) {
        let (mut here, secret) = alice_with_app(&app).await;
        let before = app.app.store.user_by_username("alice").await.expect("read").expect("alice").password_hash;

        // A stolen session and the password: no password change without the factor.
        app.clock.advance(Duration::minutes(6));
        let refused = post(&here, "/api/auth/password", json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD})).await;
        assert_eq!((refused.status, refused.json["code"].clone()), (StatusCode::FORBIDDEN, json!("reauth_required")), "{}", refused.text);
        let after = app.app.store.user_by_username("alice").await.expect("read").expect("alice").password_hash;
        assert_eq!(before, after, "the password is unchanged");

        // The page form sends the browser to the step-up instead.
        let page = crate::mfa::form(&here, "/profile/password", &[("current_password", PASSWORD), ("new_password", NEW_PASSWORD)]).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER, "{}", page.text);
        assert!(page.location.as_deref().is_some_and(|l| l.starts_with("/profile/reauth")), "{:?}", page.location);

        // With the factor, it works.
        let code = oathtool(&secret, app.clock.now());
        assert_eq!(post(&here, "/api/auth/reauth", json!({"password": PASSWORD, "code": code})).await.status, StatusCode::NO_CONTENT);
        let changed = post(&here, "/api/auth/password", json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD})).await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.text);
        changed.json["csrf_token"].as_str().expect("csrf").clone_into(&mut here.csrf);
        assert_eq!(get(&here, "/api/auth/me").await.status, StatusCode::OK);
    }

    async fn mfa_05_the_session_a_password_change_opens_is_not_a_step_up(app) {
        let (mut here, secret) = alice_with_app(&app).await;
        let code = oathtool(&secret, app.clock.now() + Duration::seconds(30));
        app.clock.advance(Duration::seconds(30));
        assert_eq!(post(&here, "/api/auth/reauth", json!({"password": PASSWORD, "code": code})).await.status, StatusCode::NO_CONTENT);
        let changed = post(&here, "/api/auth/password", json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD})).await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.text);
        changed.json["csrf_token"].as_str().expect("csrf").clone_into(&mut here.csrf);

        // Within the five minutes, the new session still cannot touch the factors.
        assert_step_up_needed(&app, &here, "right after the password change").await;

        // A step-up with the new password and the factor opens them again.
        app.clock.advance(Duration::seconds(30));
        let password_only = post(&here, "/api/auth/reauth", json!({"password": NEW_PASSWORD})).await;
        assert_eq!(password_only.status, StatusCode::UNPROCESSABLE_ENTITY, "the factor is asked: {}", password_only.text);
        let code = oathtool(&secret, app.clock.now());
        assert_eq!(post(&here, "/api/auth/reauth", json!({"password": NEW_PASSWORD, "code": code})).await.status, StatusCode::NO_CONTENT);
        assert_eq!(send(&here, Method::DELETE, "/api/profile/mfa/totp", None).await.status, StatusCode::NO_CONTENT);
    }

    async fn mfa_05_without_a_second_factor_a_password_change_stays_a_step_up(app) {
        let mut here = app.signed_in("bob", Role::User).await;
        app.clock.advance(Duration::minutes(6));
        let changed = post(&here, "/api/auth/password", json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD})).await;
        assert_eq!(changed.status, StatusCode::OK, "no factor, no step-up to ask for: {}", changed.text);
        changed.json["csrf_token"].as_str().expect("csrf").clone_into(&mut here.csrf);
        // The password was just proved and there is no factor: the new session may enrol one.
        let started = post(&here, "/api/profile/mfa/totp", json!({})).await;
        assert_eq!(started.status, StatusCode::OK, "{}", started.text);
    }

    async fn ses_07_a_password_change_ends_the_pending_sign_ins_of_the_account(app) {
        let (here, secret) = alice_with_app(&app).await;
        // Someone else has the password and waits at the second step.
        new_window(&app);
        let (mut waiting, answer) = password_step(&app, "alice", PASSWORD).await;
        assert_eq!(answer.json["mfa_required"], true, "{}", answer.text);

        let code = oathtool(&secret, app.clock.now());
        assert_eq!(post(&here, "/api/auth/reauth", json!({"password": PASSWORD, "code": code})).await.status, StatusCode::NO_CONTENT);
        let changed = post(&here, "/api/auth/password", json!({"current_password": PASSWORD, "new_password": NEW_PASSWORD})).await;
        assert_eq!(changed.status, StatusCode::OK, "{}", changed.text);

        // The old password's pending sign-in is gone: even a right code opens nothing.
        app.clock.advance(Duration::seconds(30));
        let code = oathtool(&secret, app.clock.now());
        let refused = second_step(&mut waiting, json!({"code": code})).await;
        assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.text);
        assert_eq!(get(&waiting, "/api/auth/me").await.status, StatusCode::UNAUTHORIZED);
    }

    async fn ses_08_ending_another_session_needs_a_fresh_step_up_and_is_audited(app) {
        let laptop = app.signed_in("alice", Role::User).await;
        let mut phone = app.browser().await;
        assert_eq!(phone.login("alice", PASSWORD).await.status(), StatusCode::OK);
        let sessions: Vec<serde_json::Value> = laptop.get("/api/profile/sessions").await.json().await.expect("json");
        let phone_id = sessions.iter().find(|s| s["current"] == false).expect("phone")["id"].as_str().expect("id").to_owned();

        // A thief on the laptop ten minutes later cannot evict the phone, nor everyone.
        app.clock.advance(Duration::minutes(10));
        let one = send(&laptop, Method::DELETE, &format!("/api/profile/sessions/{phone_id}"), None).await;
        assert_eq!((one.status, one.json["code"].clone()), (StatusCode::FORBIDDEN, json!("reauth_required")), "{}", one.text);
        let all = post(&laptop, "/api/profile/sessions/end-others", json!({})).await;
        assert_eq!((all.status, all.json["code"].clone()), (StatusCode::FORBIDDEN, json!("reauth_required")), "{}", all.text);
        let page = crate::mfa::form(&laptop, "/profile/sessions/end-others", &[]).await;
        assert_eq!(page.status, StatusCode::SEE_OTHER);
        assert!(page.location.as_deref().is_some_and(|l| l.starts_with("/profile/reauth")), "{:?}", page.location);
        let page = crate::mfa::form(&laptop, &format!("/profile/sessions/{phone_id}/end"), &[]).await;
        assert!(page.location.as_deref().is_some_and(|l| l.starts_with("/profile/reauth")), "{:?}", page.location);
        assert_eq!(get(&phone, "/api/auth/me").await.status, StatusCode::OK, "the phone is still signed in");

        // The owner proves the password: then both work, and both are audited.
        assert_eq!(post(&laptop, "/api/auth/reauth", json!({"password": PASSWORD})).await.status, StatusCode::NO_CONTENT);
        assert_eq!(send(&laptop, Method::DELETE, &format!("/api/profile/sessions/{phone_id}"), None).await.status, StatusCode::NO_CONTENT);
        assert_eq!(get(&phone, "/api/auth/me").await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(audit_actions(&app, "session.end").await.len(), 1);

        phone.refresh_csrf().await;
        assert_eq!(phone.login("alice", PASSWORD).await.status(), StatusCode::OK);
        let ended = post(&laptop, "/api/profile/sessions/end-others", json!({})).await;
        assert_eq!((ended.status, ended.json["ended"].clone()), (StatusCode::OK, json!(1)), "{}", ended.text);
        assert_eq!(get(&phone, "/api/auth/me").await.status, StatusCode::UNAUTHORIZED);
        assert_eq!(audit_actions(&app, "session.end_others").await, vec![json!({"ended": 1})]);

        // Signing out of this session (ending the current one) needs nothing more.
        app.clock.advance(Duration::minutes(10));
        let own = sessions.iter().find(|s| s["current"] == true).expect("laptop")["id"].as_str().expect("id").to_owned();
        assert_eq!(send(&laptop, Method::DELETE, &format!("/api/profile/sessions/{own}"), None).await.status, StatusCode::NO_CONTENT);
        assert_eq!(get(&laptop, "/api/auth/me").await.status, StatusCode::UNAUTHORIZED);
    }

    async fn mfa_05_a_forced_enrolment_shows_its_secret_only_to_the_sign_in_that_made_it(app) {
        let admin = app.signed_in("root", Role::Admin).await;
        app.account("alice", PASSWORD, Role::User).await;
        let set = send(&admin, Method::PUT, "/api/admin/mfa-policy", Some(json!({"require": "everyone", "grace_days": 1}))).await;
        assert_eq!(set.status, StatusCode::OK, "{}", set.text);
        app.clock.advance(Duration::days(1) + Duration::seconds(1));

        // Someone with the password starts the forced enrolment first and reads its secret.
        let (mut attacker, answer) = password_step(&app, "alice", PASSWORD).await;
        assert_eq!(answer.json["enrolment_required"], true, "{}", answer.text);
        let seen = get(&attacker, "/api/auth/mfa/enrolment").await;
        let attacker_secret = seen.json["secret"].as_str().expect("secret").to_owned();

        // The owner signs in: a new secret, which the attacker's handle never shows.
        let (mut owner, answer) = password_step(&app, "alice", PASSWORD).await;
        assert_eq!(answer.json["enrolment_required"], true);
        let owner_secret = get(&owner, "/api/auth/mfa/enrolment").await.json["secret"].as_str().expect("secret").to_owned();
        assert_ne!(owner_secret, attacker_secret, "every pending sign-in gets its own secret");
        let again = get(&attacker, "/api/auth/mfa/enrolment").await;
        assert!(!again.text.contains(&owner_secret), "the attacker's handle shows the owner's secret: {}", again.text);
        assert_ne!(again.status, StatusCode::OK, "{}", again.text);

        // The attacker's old secret confirms nothing; the owner's own does.
        let code = oathtool(&attacker_secret, app.clock.now());
        assert_eq!(second_step(&mut attacker, json!({"code": code})).await.status, StatusCode::UNAUTHORIZED);
        let code = oathtool(&owner_secret, app.clock.now());
        let done = second_step(&mut owner, json!({"code": code})).await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.text);
        let user = app.app.store.user_by_username("alice").await.expect("read").expect("alice");
        let factors = app.app.store.factors_of(user.id).await.expect("factors");
        assert_eq!(factors.len(), 1, "one app, the owner's");
        assert!(factors[0].confirmed);
    }
}
