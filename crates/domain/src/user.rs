//! Account input types: usernames, display names, email addresses and roles.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{Invalid, text};

/// A login name: 3–64 characters of letters, digits, `.`, `_`, `-` and `@`, compared
/// case-insensitively (stored lower-case) so `Alice` and `alice` are one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let value = text::bounded("username", raw, 3, 64)?;
        if !value
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
        {
            return Err(Invalid::new(
                "username",
                "may contain only letters, digits and . _ - @",
            ));
        }
        Ok(Self(value.to_lowercase()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The name shown in the UI: 1–100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DisplayName(String);

impl DisplayName {
    /// The most characters a display name may hold.
    pub const MAX_CHARS: usize = 100;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        text::bounded("display_name", raw, 1, Self::MAX_CHARS).map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An email address, checked for shape only (one `@`, a dotted domain, no spaces); delivery is
/// what proves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let value = text::bounded("email", raw, 3, 254)?;
        let shape_ok = match value.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !value.chars().any(char::is_whitespace)
            }
            None => false,
        };
        if !shape_ok {
            return Err(Invalid::new(
                "email",
                "must be an email address like name@example.org",
            ));
        }
        Ok(Self(value.to_lowercase()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What a user may do. Admins administer; users track their own data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    User,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::User => "user",
        }
    }
}

impl FromStr for Role {
    type Err = Invalid;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "admin" => Ok(Role::Admin),
            "user" => Ok(Role::User),
            _ => Err(Invalid::new("role", "must be admin or user")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_case_insensitive_and_restricted() {
        assert_eq!(
            Username::parse(" Alice ").map(|u| u.0),
            Ok("alice".to_owned())
        );
        assert!(Username::parse("al").is_err());
        assert!(Username::parse("alice smith").is_err());
        assert!(Username::parse("alice<script>").is_err());
        assert_eq!(
            Username::parse("x").map_err(|e| e.field),
            Err("username".to_owned())
        );
    }

    #[test]
    fn emails_need_a_dotted_domain() {
        assert!(Email::parse("a@example.org").is_ok());
        assert!(Email::parse("a@localhost").is_err());
        assert!(Email::parse("a b@example.org").is_err());
        assert!(Email::parse("@example.org").is_err());
    }

    #[test]
    fn roles_parse_from_their_names_only() {
        assert_eq!("admin".parse::<Role>(), Ok(Role::Admin));
        assert!("root".parse::<Role>().is_err());
    }
}
