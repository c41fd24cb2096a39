//! Field encryption: format, freshness, integrity, binding to the cell, key ids, canary.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::*;
use crate::random::OsRandom;

/// The decoded `nonce ‖ ciphertext ‖ tag` of a `v1` text, and the text's header.
fn split(text: &str) -> (String, Vec<u8>) {
    let (header, body) = text.rsplit_once('.').expect("three parts");
    (
        header.to_owned(),
        URL_SAFE_NO_PAD.decode(body).expect("base64url"),
    )
}

#[test]
fn cry_02_a_value_decrypts_to_what_was_encrypted() {
    let ring = keyring(KEY_A);
    for plaintext in [
        "JBSWY3DPEHPK3PXP",
        "",
        "naïve ünïcödé ✓",
        &"x".repeat(10_000),
    ] {
        let text = ring.encrypt(&OsRandom, cell("r1"), plaintext);
        assert_eq!(ring.decrypt(cell("r1"), &text).expect("decrypt"), plaintext);
    }
}

#[test]
fn cry_02_ciphertext_has_the_documented_format() {
    let ring = keyring(KEY_A);
    let text = ring.encrypt(&OsRandom, cell("r1"), "secret");
    let (header, blob) = split(&text);
    assert_eq!(header, format!("v1.{}", ring.current_id()));
    assert_eq!(
        blob.len(),
        12 + "secret".len() + 16,
        "nonce, ciphertext, tag"
    );
    assert!(!text.contains('=') && !text.contains('+') && !text.contains('/'));
    assert!(!text.contains("secret"));
}

#[test]
fn cry_02_same_plaintext_encrypts_differently() {
    let ring = keyring(KEY_A);
    let first = ring.encrypt(&OsRandom, cell("r1"), "same");
    let second = ring.encrypt(&OsRandom, cell("r1"), "same");
    assert_ne!(first, second);
    assert_ne!(split(&first).1[..12], split(&second).1[..12], "fresh nonce");
}

#[test]
fn cry_02_flipping_any_byte_fails_to_decrypt() {
    let ring = keyring(KEY_A);
    let text = ring.encrypt(&OsRandom, cell("r1"), "pay the rent");
    let (header, blob) = split(&text);
    for position in 0..blob.len() {
        for flip in [0x01, 0x80, 0xff] {
            let mut altered = blob.clone();
            altered[position] ^= flip;
            let altered = format!("{header}.{}", URL_SAFE_NO_PAD.encode(&altered));
            assert!(
                matches!(
                    ring.decrypt(cell("r1"), &altered),
                    Err(CryptoError::Decrypt)
                ),
                "byte {position} ^ {flip:#x} was accepted"
            );
        }
    }
}

#[test]
fn cry_02_ciphertext_moved_to_another_row_or_column_fails() {
    let ring = keyring(KEY_A);
    let here = Aad {
        table: "users",
        column: "totp_secret",
        row: "r1",
    };
    let text = ring.encrypt(&OsRandom, here, "secret");
    let elsewhere = [
        Aad { row: "r2", ..here },
        Aad {
            column: "email",
            ..here
        },
        Aad {
            table: "bills",
            ..here
        },
    ];
    for cell in elsewhere {
        assert!(ring.decrypt(cell, &text).is_err(), "{cell:?} accepted it");
    }
    assert!(ring.decrypt(here, &text).is_ok());
}

#[test]
fn cry_02_the_cell_encoding_is_unambiguous() {
    let ring = keyring(KEY_A);
    let text = ring.encrypt(
        &OsRandom,
        Aad {
            table: "ab",
            column: "c",
            row: "1",
        },
        "v",
    );
    let shifted = Aad {
        table: "a",
        column: "bc",
        row: "1",
    };
    assert!(ring.decrypt(shifted, &text).is_err());
}

#[test]
fn cry_02_another_key_cannot_decrypt() {
    let text = keyring(KEY_A).encrypt(&OsRandom, cell("r1"), "secret");
    assert!(keyring(KEY_B).decrypt(cell("r1"), &text).is_err());

    // Even when the text is relabelled with the other key's id.
    let other = keyring(KEY_B);
    let (_, blob) = split(&text);
    let relabelled = format!("v1.{}.{}", other.current_id(), URL_SAFE_NO_PAD.encode(blob));
    assert!(other.decrypt(cell("r1"), &relabelled).is_err());
}

#[test]
fn cry_02_malformed_input_is_an_error_not_a_panic() {
    let ring = keyring(KEY_A);
    let id = ring.current_id();
    let good = ring.encrypt(&OsRandom, cell("r1"), "secret");
    let (_, blob) = split(&good);
    let inputs = [
        String::new(),
        "plain text".to_owned(),
        "v1".to_owned(),
        "v1.".to_owned(),
        "v1..".to_owned(),
        format!("v1.{id}"),
        format!("v1.{id}."),
        format!("v1.{id}.!!!!"),
        format!("v1.{id}.AAAA"),
        format!("v1.{id}.{}", URL_SAFE_NO_PAD.encode(&blob[..27])),
        format!("v2.{id}.{}", URL_SAFE_NO_PAD.encode(&blob)),
        format!("v1.{}.{}", id.to_uppercase(), URL_SAFE_NO_PAD.encode(&blob)),
        format!("v1.{id}.{}.extra", URL_SAFE_NO_PAD.encode(&blob)),
        format!("{good}="),
        good[..good.len() - 1].to_owned(),
        "v1.zzzzzzzz.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA".to_owned(),
        "v1.\u{e9}\u{e9}\u{e9}\u{e9}.\u{e9}".to_owned(),
    ];
    for input in &inputs {
        assert!(
            matches!(ring.decrypt(cell("r1"), input), Err(CryptoError::Decrypt)),
            "{input:?} was accepted"
        );
    }
}

#[test]
fn cry_03_ciphertext_names_its_key_and_previous_keys_still_decrypt() {
    let old = keyring(KEY_A);
    let old_text = old.encrypt(&OsRandom, cell("r1"), "secret");
    assert_eq!(ciphertext_key_id(&old_text), Some(old.current_id()));

    let rotated = Keyring::from_env_key(&Secret::new(KEY_B), &[Secret::new(KEY_A)]).expect("keys");
    assert_eq!(rotated.previous_ids(), [old.current_id()]);
    assert_eq!(
        rotated.decrypt(cell("r1"), &old_text).expect("old key"),
        "secret"
    );
    assert!(rotated.needs_rotation(&old_text));

    let new_text = rotated.encrypt(&OsRandom, cell("r1"), "secret");
    assert_eq!(ciphertext_key_id(&new_text), Some(rotated.current_id()));
    assert!(!rotated.needs_rotation(&new_text));
    assert!(
        old.decrypt(cell("r1"), &new_text).is_err(),
        "the old key cannot read new data"
    );
}

#[test]
fn cry_03_a_value_stored_before_encryption_needs_rotation() {
    assert!(keyring(KEY_A).needs_rotation("JBSWY3DPEHPK3PXP"));
    assert_eq!(ciphertext_key_id("JBSWY3DPEHPK3PXP"), None);
}

#[test]
fn cry_04_the_canary_opens_with_the_right_key() {
    let ring = keyring(KEY_A);
    let canary = ring.canary(&OsRandom);
    assert!(ring.opens_canary(&canary));
    assert!(ring.decrypt(CANARY_AAD, &canary).is_ok());
}

#[test]
fn cry_04_canary_with_a_wrong_key_fails() {
    let canary = keyring(KEY_A).canary(&OsRandom);
    assert!(!keyring(KEY_B).opens_canary(&canary));
    assert!(!keyring(KEY_A).opens_canary("not a canary"));

    let other_value = keyring(KEY_A).encrypt(&OsRandom, CANARY_AAD, "something else");
    assert!(
        !keyring(KEY_A).opens_canary(&other_value),
        "only the marker counts"
    );
}

#[test]
fn cry_04_a_canary_made_before_rotation_still_opens() {
    let canary = keyring(KEY_A).canary(&OsRandom);
    let rotated = Keyring::from_env_key(&Secret::new(KEY_B), &[Secret::new(KEY_A)]).expect("keys");
    assert!(rotated.opens_canary(&canary));
}
