//! Two-step verification pages: the second step of signing in, setting up an authenticator
//! app (QR code drawn on the server), the recovery codes shown once, "confirm it's you"
//! (step-up), and the security keys section. Every form is a plain POST with the CSRF field;
//! only security keys and passkeys need JavaScript (`navigator.credentials`, in
//! `static/webauthn.js`, loaded by these pages): their buttons stay hidden without it and the
//! other methods remain.

use askama::Template;
use axum::response::{IntoResponse, Response};

use super::qr::QrSvg;
use super::{Chrome, Page, Section};

/// `GET /login/mfa`: the code from the app, or a recovery code.
#[derive(Debug, Clone, Template)]
#[template(path = "second_factor_page.html")]
pub struct SecondFactorPage {
    pub chrome: Chrome,
    /// The account whose password was given.
    pub username: String,
    /// The account has an authenticator app.
    pub totp: bool,
    /// The account has unused recovery codes.
    pub recovery: bool,
    /// The account has a security key or passkey (and WebAuthn works here).
    pub webauthn: bool,
    /// The origin WebAuthn ceremonies are accepted from (the script offers keys only there).
    pub webauthn_origin: String,
    /// Why the last attempt failed.
    pub error: Option<String>,
    /// Open the recovery-code form (the last attempt used it).
    pub recovery_open: bool,
    /// Where to go afterwards (a same-site path, checked by the handler), posted back.
    pub next: String,
}

impl Page for SecondFactorPage {}

impl IntoResponse for SecondFactorPage {
    fn into_response(self) -> Response {
        super::render(&self)
    }
}

/// Setting up an authenticator app: at sign-in when the policy requires it
/// (`GET /login/mfa`), or from the security page (`GET /profile/mfa/totp`).
#[derive(Debug, Clone, Template)]
#[template(path = "totp_setup_page.html")]
pub struct TotpSetupPage {
    pub chrome: Chrome,
    /// The QR code of the `otpauth://` URL.
    pub qr: QrSvg,
    /// The secret in groups of four characters, for typing.
    pub secret: String,
    /// Where the confirmation code is posted.
    pub action: &'static str,
    /// At sign-in, because the administrator requires it (no navigation, other wording).
    pub forced: bool,
    pub error: Option<String>,
    /// Posted back (sign-in only).
    pub next: String,
}

impl Page for TotpSetupPage {
    fn section(&self) -> Section {
        if self.forced {
            Section::None
        } else {
            Section::Security
        }
    }
}

impl IntoResponse for TotpSetupPage {
    fn into_response(self) -> Response {
        super::render(&self)
    }
}

/// New recovery codes, shown this once.
#[derive(Debug, Clone, Template)]
#[template(path = "recovery_codes_page.html")]
pub struct RecoveryCodesPage {
    pub chrome: Chrome,
    pub heading: String,
    /// What just happened ("Two-step verification is on.").
    pub message: String,
    /// The codes, in groups of five.
    pub codes: Vec<String>,
    /// Where "I have saved them" leads.
    pub continue_href: String,
}

impl Page for RecoveryCodesPage {
    fn section(&self) -> Section {
        Section::Security
    }
}

impl IntoResponse for RecoveryCodesPage {
    fn into_response(self) -> Response {
        super::render(&self)
    }
}

/// `GET /profile/reauth`: the password again (and the second factor) before a sensitive action.
#[derive(Debug, Clone, Template)]
#[template(path = "reauth_page.html")]
pub struct ReauthPage {
    pub chrome: Chrome,
    /// The account has a second factor: ask for it too.
    pub needs_factor: bool,
    /// The account has an authenticator app (ask for its code).
    pub totp: bool,
    /// The account has unused recovery codes (offered instead of the app's code).
    pub recovery: bool,
    /// The account has a security key or passkey (offered with JavaScript).
    pub webauthn: bool,
    /// The origin WebAuthn ceremonies are accepted from.
    pub webauthn_origin: String,
    pub error: Option<String>,
    /// Where to return (a same-site path), posted back.
    pub next: String,
    /// `(provider, name)` of the sign-in providers the account can confirm with instead of
    /// the password.
    pub providers: Vec<(String, String)>,
    /// The provider just confirmed it's them: only the second factor is left.
    pub provider_proved: bool,
    /// The account has a password (accounts made by a provider have none).
    pub has_password: bool,
}

impl Page for ReauthPage {
    fn section(&self) -> Section {
        Section::Security
    }
}

impl IntoResponse for ReauthPage {
    fn into_response(self) -> Response {
        super::render(&self)
    }
}

/// The two-step verification section of the security page, and its security keys.
#[derive(Debug, Clone, Default)]
pub struct MfaSection {
    /// Sign-in exists here (not single-user mode): show the section at all.
    pub available: bool,
    /// Some second factor is set up (an app or a key).
    pub enabled: bool,
    /// An authenticator app is set up.
    pub totp: bool,
    /// An app enrolment was started and not confirmed.
    pub totp_pending: bool,
    pub recovery_codes_left: i64,
    /// The administrator requires a second factor of this account.
    pub required: bool,
    /// Not enrolled under a requiring policy: the date sign-in starts insisting.
    pub enrol_by: Option<String>,
    /// A fixed message after an action.
    pub notice: Option<String>,
    pub error: Option<String>,
    /// Security keys and passkeys work here (`PUBLIC_URL` has a domain name).
    pub webauthn: bool,
    /// The origin WebAuthn ceremonies are accepted from (the script offers keys only there).
    pub webauthn_origin: String,
    /// A fixed message of the keys section after an action.
    pub key_notice: Option<String>,
    pub key_error: Option<String>,
    /// The account's security keys and passkeys.
    pub keys: Vec<KeyRow>,
    /// Where the add-a-key script sends a stale session first (step-up, then back).
    pub reauth_href: String,
}

/// One security key or passkey on the security page.
#[derive(Debug, Clone, Default)]
pub struct KeyRow {
    /// The key's id, in its rename and remove URLs.
    pub id: String,
    /// The name its owner gave it (any text, drawn escaped).
    pub name: String,
    pub added: String,
    pub last_used: String,
}

/// Four-character groups of a base32 secret, easier to type from the screen.
pub fn grouped_secret(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::super::NavUser;
    use super::*;

    const NONCE: &str = "n0nce";
    const CSRF: &str = "csrf-T0ken";
    const HOSTILE: &str = "<script>alert(1)</script>\"><img src=x onerror=alert(1)>";

    fn chrome(user: Option<NavUser>) -> Chrome {
        Chrome {
            title: HOSTILE.to_owned(),
            nonce: NONCE.to_owned(),
            csrf_token: CSRF.to_owned(),
            user,
            ..Chrome::default()
        }
    }

    fn member() -> Option<NavUser> {
        Some(NavUser {
            display_name: HOSTILE.to_owned(),
            is_admin: false,
            holds_data: true,
        })
    }

    fn pages() -> Vec<(&'static str, String)> {
        let qr = QrSvg::encode("otpauth://totp/BillTracker:a?secret=AAAA").unwrap_or_default();
        vec![
            (
                "second factor",
                SecondFactorPage {
                    chrome: chrome(None),
                    username: HOSTILE.to_owned(),
                    totp: true,
                    recovery: true,
                    webauthn: true,
                    webauthn_origin: HOSTILE.to_owned(),
                    error: Some(HOSTILE.to_owned()),
                    recovery_open: true,
                    next: HOSTILE.to_owned(),
                }
                .render()
                .unwrap_or_default(),
            ),
            (
                "forced setup",
                TotpSetupPage {
                    chrome: chrome(None),
                    qr: qr.clone(),
                    secret: HOSTILE.to_owned(),
                    action: "/login/mfa",
                    forced: true,
                    error: Some(HOSTILE.to_owned()),
                    next: HOSTILE.to_owned(),
                }
                .render()
                .unwrap_or_default(),
            ),
            (
                "setup",
                TotpSetupPage {
                    chrome: chrome(member()),
                    qr,
                    secret: "ABCD EFGH".to_owned(),
                    action: "/profile/mfa/totp/confirm",
                    forced: false,
                    error: None,
                    next: String::new(),
                }
                .render()
                .unwrap_or_default(),
            ),
            (
                "codes",
                RecoveryCodesPage {
                    chrome: chrome(member()),
                    heading: HOSTILE.to_owned(),
                    message: HOSTILE.to_owned(),
                    codes: vec![HOSTILE.to_owned(), "abcde-fghij".to_owned()],
                    continue_href: "/profile/security".to_owned(),
                }
                .render()
                .unwrap_or_default(),
            ),
            (
                "reauth",
                ReauthPage {
                    chrome: chrome(member()),
                    needs_factor: true,
                    totp: true,
                    recovery: true,
                    webauthn: true,
                    webauthn_origin: HOSTILE.to_owned(),
                    error: Some(HOSTILE.to_owned()),
                    next: HOSTILE.to_owned(),
                    providers: vec![("oidc".to_owned(), HOSTILE.to_owned())],
                    provider_proved: false,
                    has_password: true,
                }
                .render()
                .unwrap_or_default(),
            ),
        ]
    }

    #[test]
    fn mfa_pages_escape_values_carry_csrf_and_the_nonce_and_have_no_inline_code() {
        for (name, html) in pages() {
            assert!(html.contains("<form"), "{name}: rendered");
            assert!(!html.contains("<script>alert"), "{name}: escaped");
            assert!(!html.contains("<img"), "{name}: escaped");
            assert!(!html.contains(" style="), "{name}: no inline style");
            assert!(
                !html.contains(" onerror=\"") && !html.contains(" onclick="),
                "{name}"
            );
            assert_eq!(
                html.matches("<form method=\"post\"").count(),
                html.matches(&format!("name=\"csrf_token\" value=\"{CSRF}\""))
                    .count(),
                "{name}: every POST form carries the CSRF token"
            );
            assert_eq!(
                html.matches("<script").count(),
                html.matches(&format!("nonce=\"{NONCE}\" defer></script>"))
                    .count(),
                "{name}: every script carries the nonce"
            );
        }
    }

    #[test]
    fn the_setup_page_draws_the_qr_code_as_inline_svg_and_the_secret_as_text() {
        let (_, html) = pages().swap_remove(2);
        assert!(html.contains("<svg class=\"qr\""), "{html}");
        assert!(html.contains("<path fill=\"#000\" d=\"M"));
        assert!(html.contains("ABCD EFGH"));
        assert!(html.contains("autocomplete=\"one-time-code\""));
        assert_eq!(grouped_secret("ABCDEFGHIJ"), "ABCD EFGH IJ");
    }
}
