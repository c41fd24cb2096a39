//! The store contract of external sign-in, run unchanged on SQLite and PostgreSQL: identities
//! are found by (issuer, subject) only and are unique both ways (OIDC-05); a new account and
//! its identity are written together or not at all; a sign-in flow is taken once, by one of
//! several concurrent callbacks, and never after it expired (OIDC-02).
use store::identities::{NewFlow, NewIdentity};
use store::{Error, Store};
use testkit::engine_tests;
use testkit::store_fixtures::{at, new_user};

fn identity(issuer: &str, subject: &str) -> NewIdentity {
    NewIdentity {
        provider: "oidc",
        issuer: issuer.into(),
        subject: subject.into(),
        email: Some(format!("{subject}@example.test")),
    }
}

fn flow(state_hash: &str, expires: i64) -> NewFlow {
    NewFlow {
        state_hash: state_hash.into(),
        browser_hash: format!("browser-of-{state_hash}"),
        provider: "oidc",
        nonce: "nonce".into(),
        verifier_enc: "v1.sealed".into(),
        purpose: "sign_in",
        session_id: None,
        next_path: Some("/bills".into()),
        created_at: at(0),
        expires_at: at(expires),
    }
}

async fn count_users(store: &Store) -> usize {
    store.users().await.expect("users").len()
}

engine_tests! {
    async fn oidc_05_identities_are_found_by_issuer_and_subject_and_unique(store) {
        let user = store
            .create_user_with_identity(&new_user("olivia", Some("o@example.test")), &identity("https://idp.test", "sub-1"), at(1))
            .await
            .expect("create");
        let found = store.identity("https://idp.test", "sub-1").await.expect("find").expect("exists");
        assert_eq!(found.user_id, user.id);
        assert_eq!(store.identity("https://other.test", "sub-1").await.expect("find"), None, "same subject, other issuer");
        assert_eq!(store.identity("https://idp.test", "SUB-1").await.expect("find"), None, "subjects are exact");
        // The same (issuer, subject) cannot belong to a second account.
        let other = store.create_user(&new_user("peter", None), at(2)).await.expect("create");
        assert!(matches!(store.link_identity(other.id, &identity("https://idp.test", "sub-1"), at(3)).await, Err(Error::Conflict { .. })));
        // One identity per issuer and account.
        assert!(matches!(store.link_identity(user.id, &identity("https://idp.test", "sub-2"), at(3)).await, Err(Error::Conflict { .. })));
        store.link_identity(user.id, &identity("https://other.test", "sub-9"), at(4)).await.expect("another issuer");
        assert_eq!(store.identities_of(user.id).await.expect("list").len(), 2);
        store.touch_identity(&found.id, Some("new@example.test"), at(5)).await.expect("touch");
        let touched = store.identity("https://idp.test", "sub-1").await.expect("find").expect("exists");
        assert_eq!(touched.last_used_at, Some(at(5)));
        assert_eq!(touched.email.as_deref(), Some("new@example.test"));
        assert_eq!(store.user_by_email("o@example.test").await.expect("by email").map(|u| u.id), Some(user.id));
    }

    async fn a_new_account_and_its_identity_are_written_together(store) {
        store
            .create_user_with_identity(&new_user("first", None), &identity("https://idp.test", "taken"), at(1))
            .await
            .expect("create");
        let before = count_users(&store).await;
        // The identity clashes: the account is not left behind either.
        let clash = store
            .create_user_with_identity(&new_user("second", None), &identity("https://idp.test", "taken"), at(2))
            .await;
        assert!(matches!(clash, Err(Error::Conflict { .. })), "{clash:?}");
        assert_eq!(count_users(&store).await, before);
        assert_eq!(store.user_by_username("second").await.expect("lookup"), None);
    }

    async fn oidc_02_a_flow_is_taken_once_and_never_after_it_expired(store) {
        store.put_sign_in_flow(&flow("state-a", 600)).await.expect("put");
        let taken = store.take_sign_in_flow("state-a", at(10)).await.expect("take").expect("live");
        assert_eq!(taken.browser_hash, "browser-of-state-a");
        assert_eq!((taken.purpose.as_str(), taken.next_path.as_deref(), taken.created_at), ("sign_in", Some("/bills"), at(0)));
        assert_eq!(store.take_sign_in_flow("state-a", at(11)).await.expect("take"), None, "single use");
        store.put_sign_in_flow(&flow("state-b", 600)).await.expect("put");
        assert_eq!(store.take_sign_in_flow("state-b", at(600)).await.expect("take"), None, "expired");
        assert_eq!(store.take_sign_in_flow("state-b", at(1)).await.expect("take"), None, "and gone");
        // Concurrent callbacks with one state: exactly one wins.
        store.put_sign_in_flow(&flow("state-c", 600)).await.expect("put");
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move { store.take_sign_in_flow("state-c", at(5)).await }));
        }
        let mut wins = 0;
        for task in tasks {
            if task.await.expect("join").expect("take").is_some() {
                wins += 1;
            }
        }
        assert_eq!(wins, 1);
    }
}
