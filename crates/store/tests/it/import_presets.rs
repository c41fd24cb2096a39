//! CSV mapping presets, run unchanged on SQLite and PostgreSQL: owner scoping (another
//! owner's preset or account is not found), names unique per owner whatever their case
//! (also for non-ASCII letters), tied only to the owner's account, versioned changes and
//! deletion.

use domain::id::{BankAccountId, UserId};
use store::Store;
use store::bank_accounts::NewBankAccount;
use store::import_presets::PresetFields;
use testkit::engine_tests;
use testkit::store_fixtures::{assert_conflict, assert_not_found, assert_stale, at, user};

async fn account(store: &Store, owner: UserId, name: &str) -> BankAccountId {
    let new = NewBankAccount {
        name: name.into(),
        currency: "EUR".into(),
        institution: String::new(),
        last_digits: String::new(),
        source: "file".into(),
        external_id: None,
    };
    store
        .create_bank_account(owner, &new, at(0))
        .await
        .expect("account")
        .id
}

fn fields(name: &str, account_id: Option<BankAccountId>) -> PresetFields {
    PresetFields {
        account_id,
        name: name.into(),
        header: r#"["Date","Amount"]"#.into(),
        header_signature: "date\u{1f}amount".into(),
        mapping: "{}".into(),
    }
}

engine_tests! {
    async fn presets_are_the_owners_and_named_uniquely_whatever_the_case(store) {
        let alice = user(&store, "alice").await;
        let bob = user(&store, "bob").await;
        let giro = store.create_import_preset(alice, &fields("Über Giro", None), at(1)).await.unwrap();
        assert_eq!((giro.name.as_str(), giro.header_signature.as_str(), giro.version, giro.account_id), ("Über Giro", "date\u{1f}amount", 1, None));
        assert_conflict(store.create_import_preset(alice, &fields("über GIRO", None), at(2)).await, "name");
        let bobs = store.create_import_preset(bob, &fields("Über Giro", None), at(2)).await.unwrap();
        store.create_import_preset(alice, &fields("card", None), at(3)).await.unwrap();
        let names: Vec<_> = store.import_presets(alice).await.unwrap().into_iter().map(|p| p.name).collect();
        assert_eq!(names, ["card", "Über Giro"]);
        assert_not_found(store.import_preset(bob, giro.id).await);
        assert_not_found(store.import_preset(alice, bobs.id).await);
        assert_eq!(store.import_presets(bob).await.unwrap().len(), 1);
    }

    async fn a_preset_is_tied_only_to_its_owners_account(store) {
        let alice = user(&store, "alice").await;
        let bob = user(&store, "bob").await;
        let mine = account(&store, alice, "Checking").await;
        let theirs = account(&store, bob, "Bob's").await;
        assert_not_found(store.create_import_preset(alice, &fields("Theirs", Some(theirs)), at(1)).await);
        let tied = store.create_import_preset(alice, &fields("Checking CSV", Some(mine)), at(1)).await.unwrap();
        assert_eq!(tied.account_id, Some(mine));
        assert_not_found(store.update_import_preset(alice, tied.id, &fields("Checking CSV", Some(theirs)), tied.version, at(2)).await);
        assert_eq!(store.import_preset(alice, tied.id).await.unwrap().account_id, Some(mine), "nothing changed");
    }

    async fn presets_change_by_version_and_delete_once(store) {
        let alice = user(&store, "alice").await;
        let bob = user(&store, "bob").await;
        let giro = store.create_import_preset(alice, &fields("Giro", None), at(1)).await.unwrap();
        let card = store.create_import_preset(alice, &fields("Card", None), at(1)).await.unwrap();
        let changed = store.update_import_preset(alice, giro.id, &PresetFields { mapping: "{\"x\":1}".into(), ..fields("Giro account", None) }, giro.version, at(2)).await.unwrap();
        assert_eq!((changed.name.as_str(), changed.mapping.as_str(), changed.version, changed.updated_at, changed.created_at), ("Giro account", "{\"x\":1}", 2, at(2), at(1)));
        assert_stale(store.update_import_preset(alice, giro.id, &fields("Again", None), giro.version, at(3)).await);
        assert_not_found(store.update_import_preset(bob, giro.id, &fields("Mine", None), changed.version, at(3)).await);
        assert_conflict(store.update_import_preset(alice, card.id, &fields("GIRO ACCOUNT", None), card.version, at(3)).await, "name");
        store.update_import_preset(alice, card.id, &fields("CARD", None), card.version, at(3)).await.expect("its own name in another case");
        assert_not_found(store.delete_import_preset(bob, giro.id).await);
        store.delete_import_preset(alice, giro.id).await.unwrap();
        assert_not_found(store.delete_import_preset(alice, giro.id).await);
        assert_not_found(store.import_preset(alice, giro.id).await);
        store.create_import_preset(alice, &fields("Giro account", None), at(4)).await.expect("a deleted preset's name is free");
    }
}
