//! The store contract of second factors, recovery codes, pending sign-ins and step-up times,
//! run unchanged on SQLite and PostgreSQL. The single-use rules (MFA-01 replay counter,
//! MFA-03 pending handle, MFA-04 recovery codes) are decided by the database, so they are
//! tested here, concurrent callers included.
use domain::factor::FactorKind;
use domain::id::{FactorId, PendingSignInId, SessionId, UserId};
use store::mfa::{NewFactor, NewPendingSignIn, PendingPurpose};
use store::sessions::NewSession;
use store::users::NewUser;
use store::webauthn::{CeremonyPurpose, NewCeremony};
use store::{Error, Store};
use testkit::engine_tests;
use testkit::store_fixtures::{add_user, at, new_user};

/// A user with a password, as every second factor's owner has.
async fn user(store: &Store, name: &str) -> UserId {
    let user = NewUser {
        password_hash: Some("$argon2id$stub".into()),
        ..new_user(name, None)
    };
    add_user(store, &user).await
}

async fn totp(store: &Store, owner: UserId, secret: &str) -> FactorId {
    let id = FactorId::new();
    store
        .create_factor(&NewFactor {
            id,
            user_id: owner,
            kind: FactorKind::Totp,
            name: "Authenticator app".into(),
            secret_enc: Some(secret.into()),
            credential_id: None,
            created_at: at(0),
        })
        .await
        .expect("create factor");
    id
}

async fn key(store: &Store, owner: UserId, credential_id: &str) -> FactorId {
    let id = FactorId::new();
    store
        .create_factor(&NewFactor {
            id,
            user_id: owner,
            kind: FactorKind::WebAuthn,
            name: "Key".into(),
            secret_enc: Some("v1.sealed-credential".into()),
            credential_id: Some(credential_id.into()),
            created_at: at(0),
        })
        .await
        .expect("create key");
    store
        .confirm_factor(owner, id, None, false, at(1))
        .await
        .expect("confirm key");
    id
}

fn ceremony(binding: &str, owner: Option<UserId>, state: &str) -> NewCeremony {
    NewCeremony {
        binding: binding.into(),
        purpose: CeremonyPurpose::SecondFactor,
        user_id: owner,
        name: None,
        state: state.into(),
        created_at: at(0),
        expires_at: at(300),
    }
}

fn pending(owner: UserId, hash: &str, purpose: PendingPurpose) -> NewPendingSignIn {
    NewPendingSignIn {
        first_method: "password",
        id: PendingSignInId::new(),
        token_hash: hash.into(),
        user_id: owner,
        purpose,
        created_at: at(0),
        expires_at: at(300),
        factor_id: None,
    }
}

engine_tests! {
    async fn mfa_01_a_factor_counts_only_once_confirmed_and_its_counter_only_moves_forward(store) {
        let alice = user(&store, "alice").await;
        let id = totp(&store, alice, "v1.sealed").await;
        let listed = store.factors_of(alice).await.expect("list");
        assert_eq!(listed.len(), 1);
        assert!(!listed[0].confirmed, "a new factor waits for its first code");
        assert_eq!(listed[0].secret_enc.as_deref(), Some("v1.sealed"));
        assert!(!store.advance_factor_counter(alice, id, 10, at(1)).await.expect("advance"), "an unconfirmed factor authenticates nothing");

        store.confirm_factor(alice, id, Some(100), true, at(2)).await.expect("confirm");
        assert!(matches!(store.confirm_factor(alice, id, Some(101), true, at(3)).await, Err(Error::NotFound)), "confirming twice is refused");
        let confirmed = &store.factors_of(alice).await.expect("list")[0];
        assert!(confirmed.confirmed);
        assert_eq!(confirmed.counter, Some(100));
        assert_eq!(confirmed.confirmed_at, Some(at(2)));

        assert!(!store.advance_factor_counter(alice, id, 100, at(4)).await.expect("same step"), "the same step is a replay");
        assert!(!store.advance_factor_counter(alice, id, 99, at(4)).await.expect("older step"), "an older step is a replay");
        assert!(store.advance_factor_counter(alice, id, 101, at(4)).await.expect("next step"));
        let bob = user(&store, "bob").await;
        assert!(!store.advance_factor_counter(bob, id, 200, at(5)).await.expect("other owner"), "another user's factor is not found");
        assert!(matches!(store.confirm_factor(bob, id, None, true, at(5)).await, Err(Error::NotFound)));
    }

    async fn mfa_01_concurrent_uses_of_one_step_let_exactly_one_win(store) {
        let alice = user(&store, "alice").await;
        let id = totp(&store, alice, "v1.sealed").await;
        store.confirm_factor(alice, id, Some(1), true, at(0)).await.expect("confirm");
        let tries = (0..8).map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.advance_factor_counter(alice, id, 2, at(1)).await.expect("advance") })
        });
        let mut wins = 0;
        for t in tries {
            wins += usize::from(t.await.expect("task"));
        }
        assert_eq!(wins, 1, "one request wins a time step");
    }

    async fn a_confirmed_factor_replaces_the_old_one_of_its_kind(store) {
        let alice = user(&store, "alice").await;
        let old = totp(&store, alice, "v1.old").await;
        store.confirm_factor(alice, old, Some(1), true, at(1)).await.expect("confirm old");
        let new = totp(&store, alice, "v1.new").await;
        assert_eq!(store.factors_of(alice).await.expect("list").len(), 2, "the old one works until the new one is confirmed");
        store.confirm_factor(alice, new, Some(5), true, at(2)).await.expect("confirm new");
        let left = store.factors_of(alice).await.expect("list");
        assert_eq!(left.iter().map(|f| f.id).collect::<Vec<_>>(), vec![new]);

        let abandoned = totp(&store, alice, "v1.abandoned").await;
        assert_eq!(store.delete_unconfirmed_factors(alice, FactorKind::Totp).await.expect("delete"), 1);
        assert!(store.factors_of(alice).await.expect("list").iter().all(|f| f.id != abandoned));
        assert_eq!(store.delete_factors_of_kind(alice, FactorKind::Totp).await.expect("delete"), 1);
        assert!(store.factors_of(alice).await.expect("list").is_empty());
    }

    async fn mfa_04_recovery_codes_are_spent_once_and_a_new_set_replaces_the_old(store) {
        let alice = user(&store, "alice").await;
        let bob = user(&store, "bob").await;
        let first: Vec<String> = (0..10).map(|i| format!("hash-{i}")).collect();
        store.replace_recovery_codes(alice, &first, at(0)).await.expect("store");
        assert_eq!(store.unused_recovery_codes(alice).await.expect("count"), 10);
        assert!(!store.use_recovery_code(bob, "hash-3", at(1)).await.expect("other owner"), "another user's code does nothing");
        assert!(store.use_recovery_code(alice, "hash-3", at(1)).await.expect("use"));
        assert!(!store.use_recovery_code(alice, "hash-3", at(2)).await.expect("again"), "a code works once");
        assert_eq!(store.unused_recovery_codes(alice).await.expect("count"), 9);

        let second: Vec<String> = (0..10).map(|i| format!("new-{i}")).collect();
        store.replace_recovery_codes(alice, &second, at(3)).await.expect("regenerate");
        assert!(!store.use_recovery_code(alice, "hash-4", at(4)).await.expect("old"), "the old set is dead");
        assert_eq!(store.unused_recovery_codes(alice).await.expect("count"), 10);

        let tries = (0..8).map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.use_recovery_code(alice, "new-0", at(5)).await.expect("use") })
        });
        let mut wins = 0;
        for t in tries {
            wins += usize::from(t.await.expect("task"));
        }
        assert_eq!(wins, 1, "a code fired twice at once still works once");
        assert_eq!(store.delete_recovery_codes(alice).await.expect("delete"), 10);
    }

    async fn mfa_03_a_pending_sign_in_is_found_by_hash_counts_attempts_and_is_taken_once(store) {
        let alice = user(&store, "alice").await;
        let new = pending(alice, "handle-hash", PendingPurpose::Verify);
        store.create_pending_sign_in(&new).await.expect("create");
        let found = store.pending_sign_in("handle-hash").await.expect("lookup").expect("exists");
        assert_eq!((found.id, found.user_id, found.purpose, found.attempts), (new.id, alice, PendingPurpose::Verify, 0));
        assert_eq!(found.expires_at, at(300));
        assert_eq!(store.pending_sign_in("other").await.expect("lookup"), None);
        assert!(store.claim_pending_attempt(new.id, 3).await.expect("claim"));
        assert!(store.claim_pending_attempt(new.id, 3).await.expect("claim"));
        assert_eq!(store.pending_sign_in("handle-hash").await.expect("lookup").expect("exists").attempts, 2);
        // Eight racing attempts with one left: exactly one gets it.
        let racers = (0..8).map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.claim_pending_attempt(new.id, 3).await.expect("claim") })
        });
        let mut claimed = 0;
        for r in racers {
            claimed += usize::from(r.await.expect("task"));
        }
        assert_eq!(claimed, 1, "the limit holds under parallel attempts");
        assert!(!store.claim_pending_attempt(new.id, 3).await.expect("claim"), "no attempt left");

        let tries = (0..8).map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.take_pending_sign_in(new.id).await.expect("take") })
        });
        let mut wins = 0;
        for t in tries {
            wins += usize::from(t.await.expect("task"));
        }
        assert_eq!(wins, 1, "a pending sign-in completes once");
        assert_eq!(store.pending_sign_in("handle-hash").await.expect("lookup"), None);
        assert!(!store.claim_pending_attempt(new.id, 100).await.expect("claim"), "a taken handle has no attempts");

        store.create_pending_sign_in(&pending(alice, "h2", PendingPurpose::Enrol)).await.expect("create");
        store.create_pending_sign_in(&NewPendingSignIn { expires_at: at(900), ..pending(alice, "h3", PendingPurpose::Verify) }).await.expect("create");
        assert_eq!(store.purge_pending_sign_ins(at(300)).await.expect("purge"), 1, "expired ones go");
        assert_eq!(store.delete_pending_sign_ins_of(alice).await.expect("delete"), 1);
    }

    async fn a_reset_removes_every_factor_code_and_pending_sign_in_of_one_user_only(store) {
        let alice = user(&store, "alice").await;
        let bob = user(&store, "bob").await;
        for owner in [alice, bob] {
            let id = totp(&store, owner, "v1.x").await;
            store.confirm_factor(owner, id, Some(1), true, at(1)).await.expect("confirm");
            store.replace_recovery_codes(owner, &[format!("{owner}-code")], at(1)).await.expect("codes");
            store.create_pending_sign_in(&pending(owner, &format!("{owner}-handle"), PendingPurpose::Verify)).await.expect("pending");
        }
        assert_eq!(store.reset_second_factors(alice).await.expect("reset"), 1);
        assert!(store.factors_of(alice).await.expect("list").is_empty());
        assert_eq!(store.unused_recovery_codes(alice).await.expect("count"), 0);
        assert_eq!(store.pending_sign_in(&format!("{alice}-handle")).await.expect("lookup"), None);
        assert_eq!(store.factors_of(bob).await.expect("list").len(), 1, "bob keeps his");
        assert_eq!(store.unused_recovery_codes(bob).await.expect("count"), 1);
        assert!(store.pending_sign_in(&format!("{bob}-handle")).await.expect("lookup").is_some());

        store.delete_user(bob).await.expect("delete bob");
        assert!(store.factors_of(bob).await.expect("list").is_empty(), "deleting a user deletes their factors");
    }

    async fn mfa_05_a_new_session_is_freshly_authenticated_and_step_up_moves_the_time(store) {
        let alice = user(&store, "alice").await;
        let id = SessionId::new();
        store
            .create_session(&NewSession {
                id,
                token_hash: "session-hash".into(),
                user_id: alice,
                created_at: at(10),
                expires_at: at(10_000),
                ip_enc: None,
                user_agent_enc: None,
                reauthenticated: true,
            })
            .await
            .expect("session");
        assert_eq!(store.session_reauthenticated_at(id).await.expect("read"), Some(at(10)), "signing in proves the password");
        let unproved = SessionId::new();
        store
            .create_session(&NewSession {
                id: unproved,
                token_hash: "unproved-hash".into(),
                user_id: alice,
                created_at: at(20),
                expires_at: at(10_000),
                ip_enc: None,
                user_agent_enc: None,
                reauthenticated: false,
            })
            .await
            .expect("session");
        assert_eq!(store.session_reauthenticated_at(unproved).await.expect("read"), None, "a session that proved less is not a step-up");
        store.mark_session_reauthenticated(id, at(500)).await.expect("mark");
        assert_eq!(store.session_reauthenticated_at(id).await.expect("read"), Some(at(500)));
        assert_eq!(store.session_reauthenticated_at(SessionId::new()).await.expect("read"), None);
        assert!(matches!(store.mark_session_reauthenticated(SessionId::new(), at(1)).await, Err(Error::NotFound)));
    }

    async fn mfa_06_several_keys_per_user_found_by_credential_id_unique_per_user(store) {
        let alice = user(&store, "alice").await;
        let bob = user(&store, "bob").await;
        let first = key(&store, alice, "cred-a").await;
        let second = key(&store, alice, "cred-b").await;
        key(&store, bob, "cred-a").await;
        assert_eq!(store.factors_of(alice).await.expect("list").iter().filter(|f| f.confirmed).count(), 2, "several keys: none replaces another");
        let found = store.factor_by_credential(alice, FactorKind::WebAuthn, "cred-b").await.expect("find").expect("found");
        assert_eq!((found.id, found.credential_id.as_deref()), (second, Some("cred-b")));
        assert!(store.factor_by_credential(alice, FactorKind::WebAuthn, "cred-c").await.expect("find").is_none());
        let duplicate = store.create_factor(&NewFactor {
            id: FactorId::new(), user_id: alice, kind: FactorKind::WebAuthn, name: "Again".into(),
            secret_enc: None, credential_id: Some("cred-a".into()), created_at: at(2),
        }).await;
        assert!(matches!(duplicate, Err(Error::Conflict { .. })), "{duplicate:?}");

        store.rename_factor(alice, first, FactorKind::WebAuthn, "Blue").await.expect("rename");
        assert!(matches!(store.rename_factor(bob, first, FactorKind::WebAuthn, "Mine").await, Err(Error::NotFound)), "only the owner's");
        assert!(store.record_factor_use(alice, first, Some("v1.updated"), at(5)).await.expect("use"));
        assert!(!store.record_factor_use(bob, first, None, at(5)).await.expect("use"));
        let row = store.factor_by_credential(alice, FactorKind::WebAuthn, "cred-a").await.expect("find").expect("found");
        assert_eq!((row.name.as_str(), row.secret_enc.as_deref(), row.last_used_at), ("Blue", Some("v1.updated"), Some(at(5))));
        assert!(!store.delete_factor(bob, first, FactorKind::WebAuthn).await.expect("delete"), "not bob's");
        assert!(store.delete_factor(alice, first, FactorKind::WebAuthn).await.expect("delete"));
        assert!(store.factor_by_credential(alice, FactorKind::WebAuthn, "cred-a").await.expect("find").is_none());
        assert!(store.factor_by_credential(bob, FactorKind::WebAuthn, "cred-a").await.expect("find").is_some());
    }

    async fn mfa_06_a_ceremony_is_taken_once_replaced_by_a_new_one_and_void_when_expired(store) {
        let alice = user(&store, "alice").await;
        store.put_ceremony(&ceremony("pending:1", Some(alice), "first")).await.expect("put");
        store.put_ceremony(&ceremony("pending:1", Some(alice), "second")).await.expect("replace");
        let taken = store.take_ceremony("pending:1", at(10)).await.expect("take").expect("live");
        assert_eq!((taken.state.as_str(), taken.user_id, taken.purpose), ("second", Some(alice), CeremonyPurpose::SecondFactor));
        assert!(store.take_ceremony("pending:1", at(11)).await.expect("take").is_none(), "single use");

        store.put_ceremony(&ceremony("passkey:abc", None, "anonymous")).await.expect("put");
        assert!(store.take_ceremony("passkey:abc", at(300)).await.expect("take").is_none(), "expired at 5 minutes");
        assert!(store.take_ceremony("passkey:abc", at(1)).await.expect("take").is_none(), "and gone");

        store.put_ceremony(&ceremony("session:x:reauth", Some(alice), "s")).await.expect("put");
        store.put_ceremony(&NewCeremony { expires_at: at(900), ..ceremony("session:y:reauth", Some(alice), "s") }).await.expect("put");
        assert_eq!(store.purge_ceremonies(at(300)).await.expect("purge"), 1);
        assert!(store.take_ceremony("session:y:reauth", at(301)).await.expect("take").is_some());
    }

    async fn mfa_06_concurrent_answers_to_one_challenge_let_exactly_one_take_it(store) {
        let alice = user(&store, "alice").await;
        store.put_ceremony(&ceremony("pending:race", Some(alice), "state")).await.expect("put");
        let (a, b) = tokio::join!(
            store.take_ceremony("pending:race", at(1)),
            store.take_ceremony("pending:race", at(1)),
        );
        let wins = [a.expect("a"), b.expect("b")].into_iter().filter(Option::is_some).count();
        assert_eq!(wins, 1);
    }
}

engine_tests! {
    async fn mfa_04_a_first_factor_and_its_recovery_codes_commit_together(store) {
        let alice = user(&store, "alice").await;
        let id = totp(&store, alice, "v1.sealed").await;
        let hashes: Vec<String> = (0..10).map(|n| format!("{n:064x}")).collect();
        assert!(store.confirm_factor_issuing_codes(alice, id, Some(1), true, &hashes, at(1)).await.expect("confirm"));
        assert_eq!(store.unused_recovery_codes(alice).await.expect("count"), 10);
        // A second factor while codes are unused: the set stays.
        let key_id = FactorId::new();
        let other: Vec<String> = (0..10).map(|n| format!("{:064x}", n + 100)).collect();
        let new = NewFactor {
            id: key_id,
            user_id: alice,
            kind: FactorKind::WebAuthn,
            name: "Key".into(),
            secret_enc: Some("v1.key".into()),
            credential_id: Some("cred-1".into()),
            created_at: at(2),
        };
        assert!(!store.add_confirmed_factor(&new, &other).await.expect("add"));
        assert!(store.use_recovery_code(alice, &hashes[0], at(3)).await.expect("old set works"));
        assert!(store.factors_of(alice).await.expect("list").iter().all(|f| f.confirmed));
        // The same credential again: refused, and no codes were written for it.
        let bob = user(&store, "bob").await;
        let dup = NewFactor { user_id: bob, id: FactorId::new(), ..new.clone() };
        assert!(store.add_confirmed_factor(&dup, &other).await.expect("bob's own key"));
        let again = NewFactor { id: FactorId::new(), ..dup };
        assert!(matches!(store.add_confirmed_factor(&again, &hashes).await, Err(Error::Conflict { .. })));
        assert_eq!(store.unused_recovery_codes(bob).await.expect("count"), 10);
        assert!(!store.use_recovery_code(bob, &hashes[1], at(4)).await.expect("not bob's"));
    }
}
