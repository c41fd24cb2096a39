//! Second factors: the kinds of factor, the codes people type, and the "require two-step
//! verification" policy. Parsed once here; the service trusts these types.
//!
//! - [`FactorKind`] — what a stored factor is. Adding a mechanism adds a variant here and a
//!   value in the `mfa_factors.kind` check of the migrations.
//! - [`KeyName`] — the name a person gives a security key or passkey.
//! - [`TotpCode`] — six digits, spaces allowed in between (apps show `123 456`).
//! - [`RecoveryCode`] — 25 base32 characters (125 bits), dashes, spaces and case ignored.
//! - [`MfaRequirement`] — whom the admin policy obliges to enrol.

use std::fmt;
use std::str::FromStr;

use crate::Invalid;

/// What a stored second factor is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FactorKind {
    /// An authenticator app (RFC 6238: SHA-1, 6 digits, 30 s).
    Totp,
    /// A WebAuthn credential: a security key or a passkey (W3C WebAuthn Level 3).
    WebAuthn,
}

impl FactorKind {
    /// Every kind, in the order pages list them.
    pub const ALL: [FactorKind; 2] = [FactorKind::Totp, FactorKind::WebAuthn];

    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            FactorKind::Totp => "totp",
            FactorKind::WebAuthn => "webauthn",
        }
    }
}

impl fmt::Display for FactorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FactorKind {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "totp" => Ok(FactorKind::Totp),
            "webauthn" => Ok(FactorKind::WebAuthn),
            _ => Err(Invalid::new("kind", "is not a known kind of second factor")),
        }
    }
}

/// A one-time code from an authenticator app: exactly six ASCII digits once spaces are
/// removed.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpCode(String);

impl TotpCode {
    pub fn parse(field: &str, raw: &str) -> Result<Self, Invalid> {
        let digits: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
        if digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(digits))
        } else {
            Err(Invalid::new(field, "enter the 6-digit code from your app"))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for TotpCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TotpCode([redacted])")
    }
}

/// The name of a security key or passkey ("YubiKey on my keyring"): 1 to
/// [`KeyName::MAX_CHARS`] characters once trimmed, no control characters. Shown escaped like
/// any text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyName(String);

impl KeyName {
    pub const MAX_CHARS: usize = 64;

    pub fn parse(field: &str, raw: &str) -> Result<Self, Invalid> {
        let name = raw.trim();
        if name.is_empty() {
            return Err(Invalid::new(field, "give the key a name"));
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err(Invalid::new(field, "must be at most 64 characters"));
        }
        if name.chars().any(char::is_control) {
            return Err(Invalid::new(field, "must not contain control characters"));
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The alphabet of recovery codes (RFC 4648 base32, lower case).
pub const RECOVERY_ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
/// Characters in a recovery code: 25 × 5 bits = 125 bits.
pub const RECOVERY_CODE_CHARS: usize = 25;

/// A recovery code as typed: 25 base32 characters once dashes and spaces are removed and
/// letters are lower-cased. Shown as five groups of five (`abcde-fghij-…`).
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCode(String);

impl RecoveryCode {
    pub fn parse(field: &str, raw: &str) -> Result<Self, Invalid> {
        if raw.len() > 100 {
            return Err(Invalid::new(field, "is not a recovery code"));
        }
        let code: String = raw
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if code.len() == RECOVERY_CODE_CHARS && code.bytes().all(|b| RECOVERY_ALPHABET.contains(&b))
        {
            Ok(Self(code))
        } else {
            Err(Invalid::new(
                field,
                "is not a recovery code (25 letters and digits, in groups of five)",
            ))
        }
    }

    /// The normalised code (no dashes, lower case): what is hashed.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The code in groups of five, as it is shown once.
    pub fn grouped(&self) -> String {
        self.0
            .as_bytes()
            .chunks(5)
            .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
            .collect::<Vec<_>>()
            .join("-")
    }
}

impl fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RecoveryCode([redacted])")
    }
}

/// Whom the "require two-step verification" policy obliges to enrol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MfaRequirement {
    /// Offered to everyone, required of no one (the default).
    #[default]
    Off,
    /// Required of administrators (the bootstrap administrator included).
    Admins,
    /// Required of every account.
    Everyone,
}

impl MfaRequirement {
    pub const ALL: [MfaRequirement; 3] = [
        MfaRequirement::Off,
        MfaRequirement::Admins,
        MfaRequirement::Everyone,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MfaRequirement::Off => "off",
            MfaRequirement::Admins => "admins",
            MfaRequirement::Everyone => "everyone",
        }
    }

    /// Whether an account with this role must have a second factor.
    pub fn applies_to(self, is_admin: bool) -> bool {
        match self {
            MfaRequirement::Off => false,
            MfaRequirement::Admins => is_admin,
            MfaRequirement::Everyone => true,
        }
    }
}

impl FromStr for MfaRequirement {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "off" => Ok(MfaRequirement::Off),
            "admins" => Ok(MfaRequirement::Admins),
            "everyone" => Ok(MfaRequirement::Everyone),
            _ => Err(Invalid::new("require", "must be off, admins or everyone")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn totp_codes_are_six_digits_with_spaces_allowed() {
        assert_eq!(
            TotpCode::parse("code", " 123 456 ").map(|c| c.as_str().to_owned()),
            Ok("123456".to_owned())
        );
        for bad in ["", "12345", "1234567", "12345a", "١٢٣٤٥٦"] {
            assert!(TotpCode::parse("code", bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            format!("{:?}", TotpCode::parse("code", "123456")),
            "Ok(TotpCode([redacted]))"
        );
    }

    #[test]
    fn recovery_codes_ignore_case_dashes_and_spaces() {
        let code =
            RecoveryCode::parse("recovery_code", "ABCDE-fghij klmno-pqrst-uvwxy").expect("valid");
        assert_eq!(code.as_str(), "abcdefghijklmnopqrstuvwxy");
        assert_eq!(code.grouped(), "abcde-fghij-klmno-pqrst-uvwxy");
        for bad in [
            "",
            "abcde",
            "abcde-fghij-klmno-pqrst-uvwx1",
            "0bcdefghijklmnopqrstuvwxy",
        ] {
            assert!(
                RecoveryCode::parse("recovery_code", bad).is_err(),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn the_policy_names_whom_it_obliges() {
        assert!(!MfaRequirement::Off.applies_to(true));
        assert!(MfaRequirement::Admins.applies_to(true));
        assert!(!MfaRequirement::Admins.applies_to(false));
        assert!(MfaRequirement::Everyone.applies_to(false));
        for r in MfaRequirement::ALL {
            assert_eq!(r.as_str().parse::<MfaRequirement>(), Ok(r));
        }
        assert!("sometimes".parse::<MfaRequirement>().is_err());
        for kind in FactorKind::ALL {
            assert_eq!(kind.as_str().parse::<FactorKind>(), Ok(kind));
        }
    }

    #[test]
    fn key_names_are_trimmed_bounded_and_free_of_control_characters() {
        assert_eq!(
            KeyName::parse("name", "  YubiKey <5> ").map(|n| n.as_str().to_owned()),
            Ok("YubiKey <5>".to_owned())
        );
        assert!(KeyName::parse("name", &"é".repeat(64)).is_ok());
        for bad in ["", "   ", "a\nb", "tab\there"] {
            assert!(KeyName::parse("name", bad).is_err(), "{bad:?}");
        }
        assert!(KeyName::parse("name", &"x".repeat(65)).is_err());
    }
}
