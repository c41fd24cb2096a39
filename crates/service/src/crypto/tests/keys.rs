//! Master-key normalisation, key ids, purpose subkeys and redaction.

use std::collections::HashSet;

use super::*;
use crate::crypto::keys::DerivedKeys;

#[test]
fn cry_03_purpose_keys_differ() {
    let ring = keyring(KEY_A);
    let subkeys: HashSet<[u8; 32]> = Purpose::ALL.iter().map(|p| *ring.subkey(*p)).collect();
    assert_eq!(
        subkeys.len(),
        Purpose::COUNT,
        "one distinct key per purpose"
    );

    let other = keyring(KEY_B);
    for purpose in Purpose::ALL {
        assert_ne!(*ring.subkey(purpose), *other.subkey(purpose));
    }
}

#[test]
fn cry_03_the_same_key_always_derives_the_same_id_and_subkeys() {
    let (first, second) = (keyring(KEY_A), keyring(KEY_A));
    assert_eq!(first.current_id(), second.current_id());
    assert_eq!(*first.subkey(Purpose::Csrf), *second.subkey(Purpose::Csrf));
    assert_ne!(first.current_id(), keyring(KEY_B).current_id());
}

#[test]
fn cry_03_a_key_id_is_eight_lowercase_hex_characters() {
    let id = keyring(KEY_A).current_id().to_owned();
    assert_eq!(id.len(), 8);
    assert!(
        id.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')),
        "{id}"
    );
}

#[test]
fn cry_03_the_purpose_inventory_lists_every_label_once() {
    let labels: HashSet<&str> = PURPOSES.into_iter().collect();
    assert_eq!(labels.len(), Purpose::COUNT);
    for purpose in Purpose::ALL {
        assert!(PURPOSES.contains(&purpose.label()));
        assert!(purpose.label().starts_with("billtracker/v1/"));
    }
    assert!(!labels.contains(KEY_ID_LABEL) && !labels.contains(MASTER_SALT));
}

#[test]
fn cry_01_a_hex_env_key_is_used_as_the_bytes_it_spells() {
    let hex_key = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    let from_hex = keyring(hex_key);
    let from_upper_hex = keyring(&hex_key.to_uppercase());
    assert_eq!(
        from_hex.current_id(),
        from_upper_hex.current_id(),
        "case does not matter"
    );

    let raw = hex::decode(hex_key).expect("hex");
    let derived = DerivedKeys::from_ikm(&raw).expect("derive");
    assert_eq!(
        from_hex.current_id(),
        derived.id(),
        "hex is decoded, not used as text"
    );
    let as_text = DerivedKeys::from_ikm(hex_key.as_bytes()).expect("derive");
    assert_ne!(from_hex.current_id(), as_text.id());
}

#[test]
fn cry_01_a_text_env_key_needs_32_bytes() {
    let exactly_32 = "a".repeat(MIN_KEY_TEXT_BYTES);
    assert!(Keyring::from_env_key(&Secret::new(exactly_32), &[]).is_ok());

    let err = Keyring::from_env_key(&Secret::new("a".repeat(31)), &[]).expect_err("too short");
    assert!(matches!(err, CryptoError::KeyTooShort { .. }));
    assert!(err.to_string().contains("TOKEN_ENCRYPTION_KEY"), "{err}");
    assert!(
        !err.to_string().contains("aaaa"),
        "the key is not echoed: {err}"
    );

    let short_previous = [Secret::new("short")];
    let err = Keyring::from_env_key(&Secret::new(KEY_A), &short_previous).expect_err("short");
    assert!(
        err.to_string().contains("previous TOKEN_ENCRYPTION_KEY #1"),
        "{err}"
    );
}

#[test]
fn cry_01_a_63_character_hex_key_is_treated_as_text() {
    let almost_hex = "0".repeat(63);
    let ring = keyring(&almost_hex);
    let as_text = DerivedKeys::from_ikm(almost_hex.as_bytes()).expect("derive");
    assert_eq!(ring.current_id(), as_text.id());
}

#[test]
fn cry_01_surrounding_whitespace_in_an_env_key_is_ignored() {
    assert_eq!(
        keyring(&format!("  {KEY_A}\n")).current_id(),
        keyring(KEY_A).current_id()
    );
}

#[test]
fn debug_of_a_keyring_shows_ids_but_no_key_bytes() {
    let ring = Keyring::from_env_key(&Secret::new(KEY_A), &[Secret::new(KEY_B)]).expect("keys");
    let shown = format!("{ring:?}");
    assert!(shown.contains(ring.current_id()), "{shown}");
    for purpose in Purpose::ALL {
        assert!(!shown.contains(&hex::encode(*ring.subkey(purpose))));
    }
    assert!(!shown.contains(KEY_A) && !shown.contains(KEY_B));
    assert!(shown.len() < 80, "ids only: {shown}");
}
