//! Password policy and hashing, named after the security requirements they prove
//! (`docs/security.md`, AUTH-01..06). Full-strength Argon2 takes tens of milliseconds per
//! call (more in debug builds), so only a handful of tests use it; parameter upgrades are
//! tested with deliberately weak hashes.

use std::time::{Duration, Instant};

use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use super::hash::DUMMY_HASH;
use super::policy::BLOCKLIST;
use super::*;

const NO_CONTEXT: &[&str] = &[];

/// A quick Argon2 hash with the given (weak) parameters, standing in for an old stored one.
fn weak_argon2(algorithm: Algorithm, m: u32, t: u32, password: &str) -> String {
    let params = Params::new(m, t, 1, None).unwrap();
    let salt = SaltString::encode_b64(b"0123456789abcdef").unwrap();
    Argon2::new(algorithm, Version::V0x13, params)
        .hash_password(password.as_bytes(), &salt)
        .unwrap()
        .to_string()
}

fn reason(result: Result<(), domain::Invalid>) -> String {
    result.expect_err("the password should be refused").reason
}

#[test]
fn auth_01_hash_is_argon2id_with_owasp_parameters_and_unique_salts() {
    let password = "correct horse battery staple";

    let first = hash(password).unwrap();
    let second = hash(password).unwrap();

    assert!(first.starts_with("$argon2id$v=19$"), "{first}");
    let parsed = PasswordHash::new(&first).unwrap();
    let params = Params::try_from(&parsed).unwrap();
    let (m, t, p) = (params.m_cost(), params.t_cost(), params.p_cost());
    assert!(
        (t == 2 && m >= 19_456) || (t == 1 && m >= 47_104),
        "m={m} t={t}"
    );
    assert!(p >= 1);
    assert_eq!(parsed.salt.unwrap().len(), 22, "16 random bytes in base64");
    assert_ne!(first, second, "the same password must get a fresh salt");
    assert_ne!(parsed.salt, PasswordHash::new(&second).unwrap().salt);
    assert_eq!(
        verify(password, &first),
        Verification::Valid {
            needs_rehash: false
        }
    );
}

#[test]
fn auth_02_weak_argon2_parameters_need_rehash() {
    let stored = weak_argon2(Algorithm::Argon2id, 4096, 1, "an old passphrase");
    assert!(stored.contains("m=4096,t=1,p=1"));

    assert_eq!(
        verify("an old passphrase", &stored),
        Verification::Valid { needs_rehash: true }
    );
    assert_eq!(verify("an old passphrasf", &stored), Verification::Invalid);

    let argon2i = weak_argon2(Algorithm::Argon2i, 4096, 2, "an old passphrase");
    assert_eq!(
        verify("an old passphrase", &argon2i),
        Verification::Valid { needs_rehash: true },
        "argon2i verifies but is upgraded to argon2id"
    );
}

#[test]
fn auth_02_bcrypt_hashes_verify_and_need_rehash() {
    let stored = bcrypt::hash("imported from elsewhere", 4).unwrap();
    assert!(stored.starts_with("$2b$04$"));

    for prefix in ["$2a$", "$2b$", "$2y$"] {
        let variant = format!("{prefix}{}", &stored[4..]);
        assert_eq!(
            verify("imported from elsewhere", &variant),
            Verification::Valid { needs_rehash: true },
            "{prefix}"
        );
        assert_eq!(
            verify("Imported from elsewhere", &variant),
            Verification::Invalid
        );
    }
    let buggy = format!("$2x${}", &stored[4..]);
    assert_eq!(
        verify("imported from elsewhere", &buggy),
        Verification::Invalid
    );
}

#[test]
fn auth_02_bcrypt_never_matches_on_a_72_byte_prefix() {
    let long = "x".repeat(80);
    let stored = bcrypt::hash(&long, 4).unwrap(); // truncated to 72 bytes by bcrypt
    let other = format!("{}{}", "x".repeat(72), "different");
    assert_eq!(verify(&other, &stored), Verification::Invalid);
}

#[test]
fn auth_03_length_policy_without_composition_rules() {
    let err = check_new("new_password", "abcdefg", NO_CONTEXT).unwrap_err();
    assert_eq!(err.field, "new_password");
    assert!(
        err.reason.contains("at least 8 characters"),
        "{}",
        err.reason
    );

    let sixty_four: String = "Grüße aus Köln — 東京の夜は静か, и снег идёт 🌙 "
        .chars()
        .cycle()
        .take(64)
        .collect();
    assert_eq!(sixty_four.chars().count(), 64);
    let two_hundred: String = "zwölf Boxkämpfer jagen Viktor quer über den großen Sylter Deich "
        .chars()
        .cycle()
        .take(200)
        .collect();
    assert_eq!(two_hundred.chars().count(), 200);
    let lower_16 = "velvetorchardsky";
    assert_eq!(lower_16.len(), 16);
    for accepted in [
        sixty_four.as_str(),
        two_hundred.as_str(),
        lower_16,
        "eight ch",
    ] {
        assert_eq!(
            check_new("password", accepted, &["alice"]),
            Ok(()),
            "{accepted}"
        );
    }
    assert!(check_new("password", &"a".repeat(257), NO_CONTEXT).is_err());

    let passphrase = "Purple Elephants dance at Noon";
    let stored = hash(passphrase).unwrap();
    assert_eq!(
        verify(passphrase, &stored),
        Verification::Valid {
            needs_rehash: false
        }
    );
    for variant in [
        "purple elephants dance at noon",
        "Purple Elephants dance at Noo",
        "Purple Elephants dance at Noon ",
    ] {
        assert_eq!(verify(variant, &stored), Verification::Invalid, "{variant}");
    }
}

#[test]
fn auth_03_a_huge_password_is_refused_before_hashing() {
    let huge = "a".repeat(1024 * 1024);
    let stored = weak_argon2(Algorithm::Argon2id, 1024, 1, "whatever it was");

    let started = Instant::now();
    let err = check_new("password", &huge, NO_CONTEXT).unwrap_err();
    assert_eq!(verify(&huge, &stored), Verification::Invalid);
    verify_unknown_user(&huge);
    let elapsed = started.elapsed();

    assert_eq!(err.field, "password");
    assert!(
        err.reason.contains("at most 256 characters"),
        "{}",
        err.reason
    );
    assert!(elapsed < Duration::from_millis(50), "took {elapsed:?}");
    assert!(
        check_new("password", &"é".repeat(513), NO_CONTEXT).is_err(),
        "1026 bytes"
    );
}

#[test]
fn auth_03_control_characters_are_refused_but_spaces_are_fine() {
    for bad in [
        "abcd\0efgh",
        "abcdefgh\n",
        "tab\tseparated",
        "bell\u{7}ringing",
    ] {
        let message = reason(check_new("password", bad, NO_CONTEXT));
        assert!(message.contains("control characters"), "{message}");
    }
    assert_eq!(
        check_new("password", "  spaced   out  words ", NO_CONTEXT),
        Ok(())
    );
}

#[test]
fn auth_04_common_and_context_passwords_are_refused() {
    let context = ["alice_smith", "alice.smith@example.com", "alice.smith"];

    for common in ["password1234", "PassWord1234", "qwertyuiop", "iloveyou123"] {
        let message = reason(check_new("password", common, &context));
        assert!(message.contains("too common"), "{common}: {message}");
    }
    for personal in [
        "alice_smith",
        "ALICE_SMITH",
        "alice.smith@example.com",
        "hello alice.smith 99",
        "billtracker2026",
        "my BillTracker password",
    ] {
        let message = reason(check_new("password", personal, &context));
        assert!(message.contains("too common"), "{personal}: {message}");
    }
    // Context words under four characters are ignored, so "bob" does not block "bobcat".
    assert_eq!(
        check_new("password", "bobcat lantern river", &["bob"]),
        Ok(())
    );
}

#[test]
fn auth_04_the_blocklist_ships_at_least_3000_entries() {
    assert!(BLOCKLIST.len() >= 3000, "{} entries", BLOCKLIST.len());
    for entry in ["password", "password1234", "qwertyuiop", "iloveyou123"] {
        assert!(BLOCKLIST.contains(entry), "{entry}");
    }
    let file = include_str!("../../data/common-passwords.txt");
    assert_eq!(
        file.lines().count(),
        BLOCKLIST.len(),
        "no duplicates or blanks"
    );
    assert!(
        file.lines()
            .all(|l| l == l.to_lowercase() && l == l.trim() && !l.is_empty())
    );
}

#[test]
fn auth_06_the_dummy_hash_uses_the_current_parameters() {
    let parsed = PasswordHash::new(DUMMY_HASH).unwrap();
    let params = Params::try_from(&parsed).unwrap();
    assert_eq!(parsed.algorithm.as_str(), "argon2id");
    assert_eq!(parsed.version, Some(0x13));
    assert_eq!(
        (params.m_cost(), params.t_cost(), params.p_cost()),
        (MEMORY_KIB, ITERATIONS, PARALLELISM)
    );
    assert_eq!(params.output_len(), Some(32));
}

#[tokio::test]
async fn auth_06_async_wrappers_hash_verify_and_treat_unknown_users_as_invalid() {
    let stored = hash_async("a passphrase typed at login".into())
        .await
        .unwrap();

    let good = verify_async("a passphrase typed at login".into(), Some(stored.clone())).await;
    let unknown = verify_async("a passphrase typed at login".into(), None).await;

    assert_eq!(
        good,
        Verification::Valid {
            needs_rehash: false
        }
    );
    assert_eq!(unknown, Verification::Invalid);
}

#[test]
fn malformed_stored_hashes_verify_as_invalid_without_panicking() {
    let bcrypt_ok = bcrypt::hash("some password", 4).unwrap();
    let malformed = [
        String::new(),
        "x".into(),
        "some password".into(),
        "$argon2id$".into(),
        "$argon2id$v=19$m=abc,t=2,p=1$c2FsdHNhbHQ$aGFzaA".into(),
        "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA".into(),
        "$argon2id$v=99$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaA".into(),
        "$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaA".into(),
        "$argon2x$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaA".into(),
        "$scrypt$ln=16,r=8,p=1$c2FsdA$aGFzaA".into(),
        "$2b$04$short".into(),
        "$2b$99$".to_owned() + &bcrypt_ok[7..],
        "$2b$31$".to_owned() + &bcrypt_ok[7..],
        "$2b$0é$".to_owned() + &bcrypt_ok[8..],
        format!("{}é", &bcrypt_ok[..58]),
        bcrypt_ok[..59].to_owned(),
    ];
    for stored in &malformed {
        assert_eq!(
            verify("some password", stored),
            Verification::Invalid,
            "{stored}"
        );
    }
}
