//! The application handle passed to every handler: the store, the configuration, the clock,
//! the random source, the keyring and the outbound HTTP client. Cheap to clone.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use chrono::{DateTime, Utc};
use outbound::{OutboundClient, OutboundError};
use store::{Store, StoreOptions, Synchronous};

use crate::clock::{Clock, SystemClock};
use crate::config::{Config, SqliteSync};
use crate::crypto::{Aad, Keyring};
use crate::random::{OsRandom, Random};

#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    pub random: Arc<dyn Random>,
    pub keyring: Arc<Keyring>,
    pub started_at: DateTime<Utc>,
    /// The one client for requests leaving the machine, built on first use from
    /// `config.outbound` (see [`App::outbound`]).
    outbound: Arc<OnceLock<Result<OutboundClient, OutboundError>>>,
}

impl App {
    /// Production wiring: system clock, OS randomness.
    pub fn new(store: Store, config: Config, keyring: Keyring) -> Self {
        Self::with(
            store,
            config,
            keyring,
            Arc::new(SystemClock),
            Arc::new(OsRandom),
        )
    }

    /// Wiring with an injected clock and random source (tests).
    pub fn with(
        store: Store,
        config: Config,
        keyring: Keyring,
        clock: Arc<dyn Clock>,
        random: Arc<dyn Random>,
    ) -> Self {
        let started_at = clock.now();
        Self {
            store,
            config: Arc::new(config),
            clock,
            random,
            keyring: Arc::new(keyring),
            started_at,
            outbound: Arc::new(OnceLock::new()),
        }
    }

    /// Uses `client` for outbound requests instead of one built from the configuration
    /// (tests: a client with a fixed name table).
    pub fn with_outbound(mut self, client: OutboundClient) -> Self {
        self.outbound = Arc::new(OnceLock::from(Ok(client)));
        self
    }

    /// The outbound HTTP client (OIDC, later bank sync, webhooks, push): every request that
    /// leaves the machine goes through it. Built once; the configuration was checked at
    /// start-up, so an error here is a TLS set-up failure.
    pub fn outbound(&self) -> Result<&OutboundClient, OutboundError> {
        self.outbound
            .get_or_init(|| OutboundClient::new(self.config.outbound.clone()))
            .as_ref()
            .map_err(Clone::clone)
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn uptime(&self) -> Duration {
        (self.now() - self.started_at).to_std().unwrap_or_default()
    }

    /// Encrypts a field value bound to its table, column and row.
    pub fn encrypt(&self, aad: Aad<'_>, plaintext: &str) -> crate::Result<String> {
        Ok(self.keyring.encrypt(&*self.random, aad, plaintext))
    }

    /// Encrypts an optional field value.
    pub fn encrypt_opt(
        &self,
        aad: Aad<'_>,
        plaintext: Option<&str>,
    ) -> crate::Result<Option<String>> {
        plaintext.map(|p| self.encrypt(aad, p)).transpose()
    }

    /// Decrypts a field value; a value that does not open (tampering, wrong key) is logged and
    /// shown as absent rather than failing the whole page.
    pub fn decrypt_or_log(&self, aad: Aad<'_>, text: &str) -> Option<String> {
        match self.keyring.decrypt(aad, text) {
            Ok(plain) => Some(plain),
            Err(err) => {
                tracing::error!(table = aad.table, column = aad.column, row = aad.row, error = %err, "an encrypted field did not decrypt");
                None
            }
        }
    }
}

/// How the store should be opened for `config`.
pub fn store_options(config: &Config) -> StoreOptions {
    StoreOptions {
        database_url: config.database_url.as_ref().map(|s| s.expose().to_owned()),
        sqlite_path: config.sqlite_path(),
        synchronous: match config.sqlite_synchronous {
            SqliteSync::Full => Synchronous::Full,
            SqliteSync::Normal => Synchronous::Normal,
        },
        max_connections: config.database_max_connections,
        busy_timeout: config.database_busy_timeout,
    }
}
