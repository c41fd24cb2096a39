//! Security keys and passkeys (WebAuthn Level 3, MFA-06), with webauthn-rs as the relying
//! party.
//!
//! Every key is registered as a webauthn-rs `Passkey`: user verification (PIN or biometric)
//! required, and a discoverable credential where the authenticator can make one
//! (`residentKey: preferred`). Such a key works as a second factor after the password, and, when
//! discoverable, alone for passwordless sign-in.
//!
//! Ceremonies: each is a begin call that stores webauthn-rs' state server-side (table
//! `webauthn_ceremonies`) and returns the options for `navigator.credentials`, then a finish
//! call with the browser's answer. The state is bound to who began it:
//! - registration and step-up: the session (`session:<id>:register|reauth`);
//! - the second factor at sign-in: the pending sign-in (`pending:<id>`);
//! - passwordless sign-in: a random 256-bit handle returned by the begin call and stored only
//!   as SHA-256 (`passkey:<hash>`).
//!
//! Invariants:
//! - The relying party comes from `PUBLIC_URL` on every ceremony: rp id = its host, the only
//!   accepted origin = its scheme, host and port. Browsers refuse IP addresses as rp ids, so with
//!   an IP-address `PUBLIC_URL` WebAuthn is off ([`available`]) and the other methods remain.
//! - A challenge is 32 random bytes (webauthn-rs' OS generator), answered at most once (the
//!   state is taken by a `DELETE` before it is checked), within [`CEREMONY_LIFETIME`]; a new
//!   begin for the same binding replaces the old challenge.
//! - An answer for another origin or rp id, to a challenge never issued, used or expired, or
//!   with a bad signature is `Error::BadRequest` (400); as a second factor it also counts as a
//!   wrong factor (the account's failure delay, the pending sign-in's attempts, audit).
//! - Signature counters only move forward: an authenticator that counts must show a higher
//!   value each time (`Store::advance_factor_counter`, one conditional `UPDATE`), else the
//!   answer is refused as a possible clone. Authenticators that do not count (most synced
//!   passkeys send 0 forever) are accepted; the single-use challenge stops replays there.
//! - The credential (public key, counter, flags) is stored encrypted like a TOTP seed (AAD
//!   `mfa_factors` / `secret_enc` / factor id); its id in `credential_id`, unique per user.
//! - Adding or removing a key needs a fresh step-up and ends the user's other sessions;
//!   renaming only needs the session.
//!
//! Passwordless sign-in and the "require two-step verification" policy: a passkey sign-in asks
//! for no further factor. The authenticator proves possession of the key and, with user
//! verification required (and checked in the answer's flags), a PIN or biometric: two factors
//! in one gesture (NIST SP 800-63B multi-factor cryptographic authenticator). An account that
//! has a key has a second factor, so the policy is met.
//!
//! Files: `ceremony` (bindings, stored state, answers, credentials, counters: shared by all),
//! `keys` (register, list, rename, remove), `second_factor` (a key at sign-in and step-up),
//! `passkey` (passwordless sign-in). Their public items are re-exported here.

mod ceremony;
mod keys;
mod passkey;
mod second_factor;

use domain::id::FactorId;
use store::mfa::FactorRow;
use webauthn_rs::prelude::{Url, Webauthn, WebauthnBuilder};

pub use webauthn_rs::prelude::{
    CreationChallengeResponse, PublicKeyCredential, RegisterPublicKeyCredential,
    RequestChallengeResponse,
};

pub(crate) use self::ceremony::Step;
pub use self::ceremony::{parse_assertion, parse_registration};
pub use self::keys::{Registered, finish_registration, list, remove, rename, start_registration};
pub use self::passkey::{PasskeyStart, sign_in_with_passkey, start_passkey};
pub(crate) use self::second_factor::{refused, verify};
pub use self::second_factor::{start_reauth, start_second_factor};
use crate::{Config, Error, Result};

/// How long a ceremony's challenge can be answered (also the timeout the browser is given).
pub const CEREMONY_LIFETIME: std::time::Duration = std::time::Duration::from_secs(5 * 60);
/// The relying party's name, shown by some authenticators.
const RP_NAME: &str = "BillTracker";
/// The largest browser answer accepted (a few KiB in practice).
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// The relying party of this deployment, from `PUBLIC_URL`, or `Conflict` when WebAuthn
/// cannot work there (an IP address, which browsers refuse as an rp id).
pub fn relying_party(config: &Config) -> Result<Webauthn> {
    let unavailable = || Error::Conflict {
        field: "webauthn".into(),
        message: "security keys and passkeys need PUBLIC_URL set to the address people use, \
                  with a domain name (browsers refuse IP addresses)"
            .into(),
    };
    let url = Url::parse(&config.public_url).map_err(|_| unavailable())?;
    let rp_id = url.domain().ok_or_else(unavailable)?.to_owned();
    let origin = Url::parse(&url.origin().ascii_serialization()).map_err(|_| unavailable())?;
    WebauthnBuilder::new(&rp_id, &origin)
        .map_err(|_| unavailable())?
        .rp_name(RP_NAME)
        .timeout(CEREMONY_LIFETIME)
        .build()
        .map_err(|_| unavailable())
}

/// Whether security keys and passkeys can be used here (pages hide them otherwise).
pub fn available(config: &Config) -> bool {
    relying_party(config).is_ok()
}

/// The one origin ceremonies are accepted from (`https://bills.example.org`), as a browser
/// writes `location.origin`; `None` when WebAuthn is off. Pages give it to their script, which
/// offers keys only when the page was opened there (elsewhere the browser or the server would
/// refuse the ceremony).
pub fn origin(config: &Config) -> Option<String> {
    let rp = relying_party(config).ok()?;
    rp.get_allowed_origins()
        .first()
        .map(|origin| origin.origin().ascii_serialization())
}

/// A security key or passkey as the caller's list shows it.
#[derive(Debug, Clone)]
pub struct Key {
    /// The key's id, for renaming and removing.
    pub id: FactorId,
    /// The name its owner gave it.
    pub name: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl From<&FactorRow> for Key {
    fn from(row: &FactorRow) -> Self {
        Self {
            id: row.id,
            name: row.name.clone(),
            created_at: row.created_at,
            last_used_at: row.last_used_at,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(public_url: &str) -> Config {
        let env: std::collections::BTreeMap<String, String> =
            [("PUBLIC_URL".to_owned(), public_url.to_owned())].into();
        Config::from_sources(None, &env).expect("config")
    }

    #[test]
    fn mfa_06_the_relying_party_is_public_urls_host_and_origin() {
        let rp = relying_party(&config("https://bills.example.org/app/")).expect("rp");
        let origins: Vec<String> = rp
            .get_allowed_origins()
            .iter()
            .map(|o| o.to_string())
            .collect();
        assert_eq!(origins, ["https://bills.example.org/"]);
        assert_eq!(
            origin(&config("https://bills.example.org/app/")).as_deref(),
            Some("https://bills.example.org")
        );
        assert_eq!(
            origin(&config("http://localhost:3030")).as_deref(),
            Some("http://localhost:3030")
        );
        assert!(available(&config("http://localhost:3030")));
        assert_eq!(origin(&config("http://127.0.0.1:3030")), None);
        for ip in ["http://127.0.0.1:3030", "http://[::1]:3030"] {
            assert!(!available(&config(ip)), "{ip}: browsers refuse IP rp ids");
            assert!(matches!(
                relying_party(&config(ip)),
                Err(Error::Conflict { field, .. }) if field == "webauthn"
            ));
        }
    }
}
