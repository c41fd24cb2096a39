//! CSV mapping presets through the service (the pages and the API come next): a saved preset
//! is recognised from the next file's header (preferring one tied to the chosen account),
//! still reads a file whose columns moved, warns naming a column a file no longer has,
//! exports and imports byte for byte, refuses hostile preset files naming the field, and is
//! its owner's alone. Both engines.

use bankfile::DateOrder;
use bankfile::csv_map::{AmountColumns, Mapping};
use bankfile::decimal::Style;
use bankfile::preset::Shape;
use domain::id::BankAccountId;
use service::Error;
use service::auth::{Principal, RequestMeta};
use service::imports::presets::{self, ImportPreset, PresetHeader, PresetInput};
use service::imports::{self, AccountChoice, Choices, Upload};

use crate::app_tests;
use crate::imports::{field_of, person, usd};
use crate::support::TestApp;

const FILE: &str = "Date,Description,Amount,Reference\n03/04/2027,Coffee,-3.50,R1\n03/25/2027,City Power,-45.10,R2\n";

fn mapping() -> Mapping {
    Mapping {
        delimiter: b',',
        header: true,
        date: 0,
        amount: AmountColumns::Signed(2),
        payee: Some(1),
        memo: None,
        category: None,
        id: Some(3),
        order: DateOrder::Mdy,
        style: Style::POINT,
        flip_sign: false,
        encoding: None,
    }
}

fn input(name: &str, account: Option<BankAccountId>) -> PresetInput {
    PresetInput {
        name: name.into(),
        account,
        mapping: mapping(),
        header: PresetHeader::FromFile(FILE.as_bytes().to_vec()),
    }
}

/// A CSV upload without a mapping.
fn bare(file: &str) -> Upload {
    Upload {
        file_name: "bank.csv".into(),
        bytes: file.as_bytes().to_vec(),
        date_order: None,
        mapping: None,
        statement: None,
        preset: None,
    }
}

async fn save(app: &TestApp, who: &Principal, input: PresetInput) -> ImportPreset {
    presets::save(&app.app, who, &RequestMeta::default(), input)
        .await
        .expect("save")
}

/// An account of `who`, made by importing `FILE` into a new one.
async fn account(app: &TestApp, who: &Principal, name: &str) -> BankAccountId {
    let meta = RequestMeta::default();
    let upload = Upload {
        mapping: Some(mapping()),
        ..bare(FILE)
    };
    let preview = imports::preview(&app.app, who, &meta, upload, usd(name))
        .await
        .expect("preview");
    imports::apply(&app.app, who, &meta, preview.import.id, &Choices::default())
        .await
        .expect("apply")
        .import
        .account_id
        .expect("account")
}

async fn actions(app: &TestApp) -> Vec<String> {
    let filter = service::audit::AuditFilter {
        limit: 500,
        ..Default::default()
    };
    let mut actions: Vec<String> = app
        .app
        .store
        .audit_entries(&filter)
        .await
        .expect("audit")
        .into_iter()
        .map(|e| e.action)
        .filter(|a| a.starts_with("preset."))
        .collect();
    actions.reverse();
    actions
}

app_tests! {
    async fn a_saved_preset_is_recognised_from_the_next_files_header_and_reads_it(app) {
        let alice = person(&app, "alice").await;
        let meta = RequestMeta::default();
        let saved = save(&app, &alice, input("First Bank", None)).await;
        assert_eq!(saved.preset.header(), ["Date", "Description", "Amount", "Reference"]);

        // Another month's file, its header written differently: recognised exactly.
        let april = "  date ,DESCRIPTION,Amount,  Reference\n04/04/2027,Coffee,-3.50,R3\n";
        let found = presets::recognise(&app.app, &alice, april.as_bytes(), None).await.expect("recognise").expect("a preset");
        assert_eq!((found.preset.id, found.shape), (saved.id, Shape::Exact));
        let preview = imports::preview(&app.app, &alice, &meta, bare(april), usd("Checking")).await.expect("preview");
        assert_eq!(preview.preset.as_ref().map(|p| (p.id, p.named)), Some((saved.id, false)));
        assert!(preview.warnings().is_empty(), "{:?}", preview.warnings());
        assert_eq!((preview.rows[0].payee.as_str(), preview.rows[0].amount_minor, preview.rows[0].source_id.as_deref()), ("Coffee", -350, Some("R3")));

        // Re-ordered columns are still read by their names, with a note; show keeps it.
        let moved = "Reference,Amount,Date,Description\nR4,-45.10,04/25/2027,City Power\n";
        let preview = imports::preview(&app.app, &alice, &meta, bare(moved), usd("Checking")).await.expect("preview");
        assert_eq!((preview.rows[0].payee.as_str(), preview.rows[0].amount_minor, preview.rows[0].posted_on.to_string()), ("City Power", -4510, "2027-04-25".into()));
        assert!(preview.warnings().len() == 1 && preview.warnings()[0].contains("read by their names"), "{:?}", preview.warnings());
        let shown = imports::show(&app.app, &alice, preview.import.id).await.expect("show");
        assert_eq!(shown.preset, preview.preset);

        // A file of another shape is not recognised: it still needs its mapping.
        assert!(presets::recognise(&app.app, &alice, b"When,What\n1,2\n", None).await.expect("recognise").is_none());
        assert_eq!(field_of(imports::preview(&app.app, &alice, &meta, bare("When,What\n1,2\n"), usd("Checking")).await).0, "mapping");
        // Nor is an OFX file.
        let ofx = include_bytes!("../../../bankfile/tests/fixtures/bank-1x-sgml-1252.ofx");
        assert!(presets::recognise(&app.app, &alice, ofx, None).await.expect("recognise").is_none());
        let huge = vec![b'a'; imports::MAX_FILE_BYTES + 1];
        assert_eq!(field_of(presets::recognise(&app.app, &alice, &huge, None).await).0, "file");
    }

    async fn a_changed_file_warns_naming_the_missing_column_and_one_without_its_amount_is_refused(app) {
        let alice = person(&app, "alice").await;
        let meta = RequestMeta::default();
        let saved = save(&app, &alice, input("First Bank", None)).await;
        let changed = "Date,Details,Amount,Reference,Balance\n03/04/2027,Coffee,-3.50,R1,96.50\n";
        // Not recognised (a mapped column is gone), but read when named, with the warning.
        assert!(presets::recognise(&app.app, &alice, changed.as_bytes(), None).await.expect("recognise").is_none());
        let named = Upload { preset: Some(saved.id), ..bare(changed) };
        let preview = imports::preview(&app.app, &alice, &meta, named, usd("Checking")).await.expect("preview");
        assert_eq!(preview.warnings().len(), 1);
        let warning = &preview.warnings()[0];
        assert!(warning.contains("Preset 'First Bank'") && warning.contains("the payee column 'Description' is missing") && warning.contains("new columns: 'Details', 'Balance'"), "{warning}");
        assert_eq!((preview.rows[0].payee.as_str(), preview.rows[0].amount_minor), ("", -350));
        assert_eq!(preview.rows[0].posted_on.to_string(), "2027-03-04", "03/04/2027 in the preset's month-first order, not asked again");

        let no_amount = Upload { preset: Some(saved.id), ..bare("Date,Description,Sum,Reference\n03/04/2027,Coffee,-3.50,R1\n") };
        let (field, reason) = field_of(imports::preview(&app.app, &alice, &meta, no_amount, usd("Checking")).await);
        assert_eq!(field, "preset");
        assert!(reason.contains("the amount column 'Amount' is missing"), "{reason}");
        let ofx = include_bytes!("../../../bankfile/tests/fixtures/bank-1x-sgml-1252.ofx");
        let on_ofx = Upload { file_name: "s.ofx".into(), bytes: ofx.to_vec(), preset: Some(saved.id), ..bare("") };
        assert_eq!(field_of(imports::preview(&app.app, &alice, &meta, on_ofx, AccountChoice::FromFile).await).0, "preset");
    }

    async fn a_preset_tied_to_the_chosen_account_is_preferred(app) {
        let alice = person(&app, "alice").await;
        let meta = RequestMeta::default();
        let checking = account(&app, &alice, "Checking").await;
        let card = account(&app, &alice, "Card").await;
        let any = save(&app, &alice, input("Any account", None)).await;
        let flipped = PresetInput { mapping: Mapping { flip_sign: true, ..mapping() }, ..input("Card statements", Some(card)) };
        let for_card = save(&app, &alice, flipped).await;
        let recognised = |account| presets::recognise(&app.app, &alice, FILE.as_bytes(), account);
        assert_eq!(recognised(Some(card)).await.expect("recognise").map(|r| r.preset.id), Some(for_card.id));
        assert_eq!(recognised(Some(checking)).await.expect("recognise").map(|r| r.preset.id), Some(any.id), "an untied preset before another account's");
        assert_eq!(recognised(None).await.expect("recognise").map(|r| r.preset.id), Some(any.id));
        let next = "Date,Description,Amount,Reference\n04/04/2027,Shop,12.00,R9\n";
        let preview = imports::preview(&app.app, &alice, &meta, bare(next), AccountChoice::Existing(card)).await.expect("preview");
        assert_eq!((preview.preset.map(|p| p.id), preview.rows[0].amount_minor), (Some(for_card.id), -1200), "the card's preset flips the sign");
    }

    async fn export_then_import_round_trips_and_a_taken_name_gets_a_suffix(app) {
        let alice = person(&app, "alice").await;
        let bob = person(&app, "bob").await;
        let meta = RequestMeta::default();
        let saved = save(&app, &alice, input("First Bank: Checking/Savings", None)).await;
        let (name, bytes) = presets::export(&app.app, &alice, saved.id).await.expect("export");
        assert_eq!(name, "first-bank-checking-savings.billtracker-preset.json");
        let theirs = presets::import(&app.app, &bob, &meta, &bytes, None).await.expect("import");
        assert_eq!((theirs.preset.name(), theirs.preset.mapping(), theirs.preset.header()), (saved.preset.name(), saved.preset.mapping(), saved.preset.header()));
        assert_eq!(presets::export(&app.app, &bob, theirs.id).await.expect("export").1, bytes, "byte for byte");
        let again = presets::import(&app.app, &alice, &meta, &bytes, None).await.expect("import");
        assert_eq!(again.preset.name(), "First Bank: Checking/Savings (2)");
        let third = presets::import(&app.app, &alice, &meta, &bytes, None).await.expect("import");
        assert_eq!(third.preset.name(), "First Bank: Checking/Savings (3)");
        assert_eq!(actions(&app).await, ["preset.saved", "preset.imported", "preset.imported", "preset.imported"]);
    }

    async fn hostile_preset_files_are_refused_naming_the_field_and_write_nothing(app) {
        let alice = person(&app, "alice").await;
        let meta = RequestMeta::default();
        let saved = save(&app, &alice, input("First Bank", None)).await;
        let good = String::from_utf8(presets::export(&app.app, &alice, saved.id).await.expect("export").1).expect("utf-8");
        let edit = |from: &str, to: &str| {
            assert!(good.contains(from), "{from}");
            good.replacen(from, to, 1).into_bytes()
        };
        let huge = [good.as_bytes(), &vec![b' '; 1024 * 1024]].concat();
        let cases: Vec<(Vec<u8>, &str, &str)> = vec![
            (edit("\"version\": 1", "\"version\": 2"), "version", "must be 1"),
            (edit("\"flip_sign\"", "\"script\": \"x\", \"flip_sign\""), "mapping.script", "unknown field"),
            (huge, "file", "larger than 64 KB"),
            (edit("\"index\": 2", "\"index\": 1000000000"), "mapping.amount.signed.index", "is 1000000000; the columns are 0 to 3"),
            (edit("\"name\": \"First Bank\"", "\"name\": \"First\\u001b[31mBank\""), "name", "control characters"),
            (b"not json".to_vec(), "file", "is not JSON"),
        ];
        for (bytes, field, words) in cases {
            let (got, reason) = field_of(presets::import(&app.app, &alice, &meta, &bytes, None).await);
            assert_eq!(got, field, "{reason}");
            assert!(reason.contains(words), "{field}: {reason}");
        }
        assert_eq!(presets::list(&app.app, &alice).await.expect("list").len(), 1, "nothing was saved");
        // Saving one from the person's own input is held to the same rules.
        let (field, _) = field_of(presets::save(&app.app, &alice, &meta, input("Tab\there", None)).await);
        assert_eq!(field, "name");
        let beyond = PresetInput { mapping: Mapping { id: Some(9), ..mapping() }, ..input("Beyond", None) };
        assert_eq!(field_of(presets::save(&app.app, &alice, &meta, beyond).await).0, "mapping.id.index");
        assert_eq!(field_of(presets::save(&app.app, &alice, &meta, input("FIRST bank", None)).await).0, "name", "names are unique whatever the case");
    }

    async fn another_users_preset_or_account_is_not_found(app) {
        let alice = person(&app, "alice").await;
        let bob = person(&app, "bob").await;
        let meta = RequestMeta::default();
        let bobs_account = account(&app, &bob, "Bob's").await;
        let saved = save(&app, &alice, input("First Bank", None)).await;
        let not_found = |r: Result<_, Error>| matches!(r, Err(Error::NotFound));
        assert!(not_found(presets::show(&app.app, &bob, saved.id).await.map(|_| ())));
        assert!(not_found(presets::export(&app.app, &bob, saved.id).await.map(|_| ())));
        assert!(not_found(presets::rename(&app.app, &bob, &meta, saved.id, saved.version, "Mine").await.map(|_| ())));
        assert!(not_found(presets::update(&app.app, &bob, &meta, saved.id, saved.version, input("Mine", None)).await.map(|_| ())));
        assert!(not_found(presets::delete(&app.app, &bob, &meta, saved.id).await));
        let named = Upload { preset: Some(saved.id), ..bare(FILE) };
        assert!(not_found(imports::preview(&app.app, &bob, &meta, named, usd("Mine")).await.map(|_| ())));
        assert!(presets::recognise(&app.app, &bob, FILE.as_bytes(), None).await.expect("recognise").is_none(), "alice's presets are not bob's");
        assert!(not_found(presets::save(&app.app, &alice, &meta, input("Tied", Some(bobs_account))).await.map(|_| ())));
        assert!(presets::list(&app.app, &bob).await.expect("list").is_empty());

        // The owner renames, changes and deletes it; an old version is a conflict.
        let renamed = presets::rename(&app.app, &alice, &meta, saved.id, saved.version, "Everyday").await.expect("rename");
        assert_eq!((renamed.preset.name(), renamed.version), ("Everyday", 2));
        assert_eq!(field_of(presets::rename(&app.app, &alice, &meta, saved.id, saved.version, "Old").await).0, "version");
        let changed = presets::update(&app.app, &alice, &meta, saved.id, renamed.version, PresetInput { mapping: Mapping { memo: Some(1), ..mapping() }, ..input("Everyday", None) }).await.expect("update");
        assert_eq!(changed.preset.mapping().memo, Some(1));
        presets::delete(&app.app, &alice, &meta, saved.id).await.expect("delete");
        assert!(not_found(presets::show(&app.app, &alice, saved.id).await.map(|_| ())));
        assert_eq!(actions(&app).await, ["preset.saved", "preset.updated", "preset.updated", "preset.deleted"]);
    }
}
