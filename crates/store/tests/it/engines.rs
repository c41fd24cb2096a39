//! The store contract, run unchanged on SQLite and PostgreSQL (`name::sqlite`, `name::postgres`).
use std::time::Duration;

use chrono::{DateTime, Utc};
use domain::id::{SessionId, UserId};
use domain::user::Role;
use store::audit::{AuditFilter, NewAuditEntry};
use store::sessions::NewSession;
use store::users::{NewUser, UserChanges};
use store::{Error, Store};
use testkit::engine_tests;
use testkit::store_fixtures::{assert_conflict, at, new_user};

fn alice() -> NewUser {
    NewUser {
        display_name: "Alice".into(),
        password_hash: Some("$argon2id$stub".into()),
        ..new_user("alice", Some("alice@example.org"))
    }
}

fn audit(action: &str, actor: &str) -> NewAuditEntry {
    NewAuditEntry {
        actor_id: None,
        actor_name: actor.into(),
        action: action.into(),
        target: Some("user:bob".into()),
        ip: Some("192.0.2.7".into()),
        detail: "{}".into(),
    }
}

async fn make_session(store: &Store, user: UserId, hash: &str, now: DateTime<Utc>) -> SessionId {
    let id = SessionId::new();
    store
        .create_session(&NewSession {
            id,
            token_hash: hash.into(),
            user_id: user,
            created_at: now,
            expires_at: now + chrono::Duration::days(7),
            ip_enc: None,
            user_agent_enc: None,
            reauthenticated: true,
        })
        .await
        .expect("create session");
    id
}

engine_tests! {
    async fn migrations_apply_and_the_database_answers(store) {
        store.ping().await.expect("ping");
        assert!(store.applied_migrations().await.expect("count") >= 1);
        assert_eq!(store.integrity_check().await.expect("check"), "ok");
        store.migrate().await.expect("migrating twice is a no-op");
    }

    async fn settings_round_trip_and_overwrite(store) {
        assert_eq!(store.setting("registration").await.expect("read"), None);
        store.put_setting("registration", "\"closed\"", at(0)).await.expect("put");
        store.put_setting("registration", "\"open\"", at(1)).await.expect("overwrite");
        assert_eq!(store.setting("registration").await.expect("read").as_deref(), Some("\"open\""));
        store.delete_setting("registration").await.expect("delete");
        assert_eq!(store.setting("registration").await.expect("read"), None);
    }

    async fn a_taken_username_is_a_conflict_naming_the_field(store) {
        store.create_user(&alice(), at(0)).await.expect("first");
        let mut again = alice();
        again.email = None;
        assert_conflict(store.create_user(&again, at(1)).await, "username");
        assert_eq!(store.count_users().await.expect("count"), 1);
    }

    async fn users_are_read_back_exactly_and_updated_with_a_new_version(store) {
        let created = store.create_user(&alice(), at(0)).await.expect("create");
        let read = store.user(created.id).await.expect("read");
        assert_eq!(read, created);
        assert_eq!(read.username, "alice");
        assert!(read.is_active);
        let changed = store
            .update_user(created.id, &UserChanges { role: Some(Role::Admin), is_active: Some(false), email: Some(None), ..Default::default() }, at(5))
            .await
            .expect("update");
        assert_eq!(changed.role, Role::Admin);
        assert!(!changed.is_active);
        assert_eq!(changed.email, None);
        assert_eq!(changed.display_name, "Alice", "untouched fields stay");
        assert_eq!(changed.version, created.version + 1);
        assert!(matches!(store.user(UserId::new()).await, Err(Error::NotFound)));
    }

    async fn deleting_a_user_ends_their_sessions(store) {
        let user = store.create_user(&alice(), at(0)).await.expect("create");
        make_session(&store, user.id, "h1", at(0)).await;
        store.delete_user(user.id).await.expect("delete");
        assert_eq!(store.session_by_token_hash("h1").await.expect("lookup"), None);
    }

    async fn sessions_are_found_by_hash_and_scoped_to_their_owner(store) {
        let a = store.create_user(&alice(), at(0)).await.expect("alice");
        let mut b = alice();
        b.username = "bob".into();
        b.email = None;
        let b = store.create_user(&b, at(0)).await.expect("bob");
        let s1 = make_session(&store, a.id, "hash-a1", at(0)).await;
        let s2 = make_session(&store, a.id, "hash-a2", at(0)).await;
        make_session(&store, b.id, "hash-b1", at(0)).await;

        let found = store.session_by_token_hash("hash-a1").await.expect("lookup").expect("exists");
        assert_eq!((found.id, found.user_id), (s1, a.id));
        assert!(matches!(store.delete_session_of(b.id, s1).await, Err(Error::NotFound)), "bob cannot end alice's session");
        assert_eq!(store.delete_sessions_of(a.id, Some(s2)).await.expect("end others"), 1);
        assert_eq!(store.sessions_of(a.id).await.expect("list").len(), 1);
        assert_eq!(store.sessions_of(b.id).await.expect("list").len(), 1);
    }

    async fn expired_and_idle_sessions_are_purged(store) {
        let user = store.create_user(&alice(), at(0)).await.expect("create");
        let idle = make_session(&store, user.id, "idle", at(0)).await;
        let active = make_session(&store, user.id, "active", at(0)).await;
        store.touch_session(active, at(3000)).await.expect("touch");
        let purged = store.purge_sessions(at(3600), at(3600 - 2000)).await.expect("purge");
        assert_eq!(purged, 1);
        let left: Vec<_> = store.sessions_of(user.id).await.expect("list").into_iter().map(|s| s.id).collect();
        assert_eq!(left, vec![active]);
        assert_ne!(left[0], idle);
    }

    async fn rate_limit_windows_count_then_restart(store) {
        let window = Duration::from_secs(900);
        for expected in 1..=3 {
            let count = store.hit_rate_limit("login:ip:192.0.2.1", window, at(expected)).await.expect("hit");
            assert_eq!(count.hits, expected);
            assert_eq!(count.window_start, at(1));
        }
        let other = store.hit_rate_limit("login:ip:192.0.2.2", window, at(5)).await.expect("hit");
        assert_eq!(other.hits, 1, "keys are independent");
        let fourth = store.hit_rate_limit("login:ip:192.0.2.1", window, at(10)).await.expect("hit");
        assert_eq!((fourth.hits, fourth.window_start), (4, at(1)), "the other key did not touch this one");
        let later = store.hit_rate_limit("login:ip:192.0.2.1", window, at(1 + 900)).await.expect("hit");
        assert_eq!((later.hits, later.window_start), (1, at(901)), "a finished window restarts");
        assert_eq!(store.purge_rate_limits(at(900)).await.expect("purge"), 1);
    }

    async fn a_lease_has_one_holder_until_it_expires(store) {
        assert!(store.acquire_lease("cleanup", "a", at(60), at(0)).await.expect("a"));
        assert!(!store.acquire_lease("cleanup", "b", at(90), at(30)).await.expect("b refused"));
        assert!(store.acquire_lease("cleanup", "a", at(120), at(30)).await.expect("a renews"));
        assert!(store.acquire_lease("cleanup", "b", at(200), at(121)).await.expect("b after expiry"));
        store.release_lease("cleanup", "b").await.expect("release");
        assert!(store.acquire_lease("cleanup", "a", at(300), at(122)).await.expect("free again"));
    }

    async fn the_audit_chain_detects_tampering(store) {
        for (i, action) in ["user.create", "user.role", "session.revoke"].iter().enumerate() {
            store.append_audit(&audit(action, "admin"), at(i as i64)).await.expect("append");
        }
        assert_eq!(store.verify_audit_chain().await.expect("verify"), None);
        let listed = store.audit_entries(&AuditFilter { limit: 10, ..Default::default() }).await.expect("list");
        assert_eq!(listed.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![3, 2, 1], "newest first");
        assert_eq!(listed[1].prev_hash, listed[2].hash, "each entry links to the one before");
        let only_roles = store
            .audit_entries(&AuditFilter { action: Some("user.role".into()), limit: 10, ..Default::default() })
            .await
            .expect("filter");
        assert_eq!(only_roles.len(), 1);
        let page2 = store.audit_entries(&AuditFilter { before_seq: Some(2), limit: 10, ..Default::default() }).await.expect("page");
        assert_eq!(page2.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![1]);
        let ranged = store
            .audit_entries(&AuditFilter { from: Some(at(1)), until: Some(at(2)), limit: 10, ..Default::default() })
            .await
            .expect("time range");
        assert_eq!(ranged.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![2], "from inclusive, until exclusive");

        store.tamper_for_tests("UPDATE audit_log SET action = 'nothing' WHERE seq = 2").await;
        assert_eq!(store.verify_audit_chain().await.expect("verify"), Some(2));
    }

    async fn concurrent_audit_appends_keep_one_unbroken_chain(store) {
        let mut tasks = Vec::new();
        for i in 0..8 {
            let store = store.clone();
            tasks.push(tokio::spawn(async move {
                store.append_audit(&audit("login.ok", &format!("u{i}")), at(i)).await
            }));
        }
        for task in tasks {
            task.await.expect("join").expect("append");
        }
        assert_eq!(store.verify_audit_chain().await.expect("verify"), None);
        let all = store.audit_entries(&AuditFilter { limit: 100, ..Default::default() }).await.expect("list");
        assert_eq!(all.len(), 8);
    }
}

#[tokio::test]
async fn sqlite_runs_with_wal_foreign_keys_busy_timeout_and_full_sync() {
    let (store, db) = testkit::store(testkit::TestEngine::Sqlite)
        .await
        .expect("sqlite");
    let pragmas = store
        .sqlite_pragmas()
        .await
        .expect("pragmas")
        .expect("sqlite");
    assert_eq!(pragmas.journal_mode, "wal");
    assert_eq!(pragmas.foreign_keys, 1);
    assert!(pragmas.busy_timeout > 0);
    assert_eq!(pragmas.synchronous, 2, "FULL");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(db.sqlite_path())
            .expect("db file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "database file is private to its owner");
    }
}
