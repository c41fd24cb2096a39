//! The application handle passed to every handler: the store, the configuration, the clock and
//! the random source. Cheap to clone.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use store::{Store, StoreOptions, Synchronous};

use crate::clock::{Clock, SystemClock};
use crate::config::{Config, SqliteSync};
use crate::random::{OsRandom, Random};

#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub config: Arc<Config>,
    pub clock: Arc<dyn Clock>,
    pub random: Arc<dyn Random>,
    pub started_at: DateTime<Utc>,
}

impl App {
    /// Production wiring: system clock, OS randomness.
    pub fn new(store: Store, config: Config) -> Self {
        Self::with(store, config, Arc::new(SystemClock), Arc::new(OsRandom))
    }

    /// Wiring with an injected clock and random source (tests).
    pub fn with(
        store: Store,
        config: Config,
        clock: Arc<dyn Clock>,
        random: Arc<dyn Random>,
    ) -> Self {
        let started_at = clock.now();
        Self {
            store,
            config: Arc::new(config),
            clock,
            random,
            started_at,
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    pub fn uptime(&self) -> Duration {
        (self.now() - self.started_at).to_std().unwrap_or_default()
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
