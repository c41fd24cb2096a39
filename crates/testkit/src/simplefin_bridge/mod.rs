//! A local SimpleFIN Bridge for tests and benchmarks: the protocol as the real Bridge speaks
//! it, on `127.0.0.1`, with state a test can change and faults it can switch on.
//!
//! - [`Bridge::start`] serves on `127.0.0.1:0`; [`Bridge::connection`] makes a connection
//!   (a bank login at the Bridge) and [`BridgeConnection::setup_token`] its one-time setup
//!   token: the Base64 of `{base}/simplefin/claim/{token}`. `POST` there once answers the
//!   access URL `http://user:pass@127.0.0.1:port/simplefin`; again, 403.
//! - `GET /simplefin/accounts` with Basic auth (wrong credentials: 403) honours `start-date`
//!   (inclusive), `end-date` (exclusive), `pending=1`, `account=` (repeatable),
//!   `balances-only=1` and `version=2` (v1 and v2 bodies); a range over 90 days is cut to 90
//!   days with a warning in `errors`, like the real Bridge.
//! - Per connection: accounts and transactions ([`BridgeAccount`], [`BridgeTransaction`]),
//!   `errlist` entries, a [`Fault`], and a count of `/accounts` requests (quota tests).
//! - `POST /_control/...` (see `control`) lets a process outside the test (a browser test)
//!   add a setup token, an account or a transaction. Test bridge only.
//!
//! Modules: `server` (the protocol routes), `wire` (filtering and the JSON bodies),
//! `control` (the control routes), `generate` (a deterministic data set).

mod control;
mod generate;
mod server;
mod wire;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use tokio::net::TcpListener;
use tokio::task::AbortHandle;

pub use generate::generate;

/// One account as the Bridge holds it (texts and numbers as the wire carries them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BridgeAccount {
    pub id: String,
    pub name: String,
    /// ISO 4217 code, or a URL naming a custom currency.
    pub currency: String,
    pub balance: String,
    pub available_balance: Option<String>,
    pub balance_date: i64,
    pub org_name: String,
    pub org_domain: String,
    pub transactions: Vec<BridgeTransaction>,
}

impl BridgeAccount {
    /// A USD checking account with a balance and no transactions.
    pub fn new(id: &str, name: &str, balance: &str) -> Self {
        Self {
            id: id.to_owned(),
            name: name.to_owned(),
            currency: "USD".to_owned(),
            balance: balance.to_owned(),
            available_balance: Some(balance.to_owned()),
            balance_date: chrono::Utc::now().timestamp(),
            org_name: "Example Bank".to_owned(),
            org_domain: "bank.example".to_owned(),
            transactions: Vec::new(),
        }
    }
}

/// One transaction as the Bridge holds it. `posted: 0` while pending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BridgeTransaction {
    pub id: String,
    pub posted: i64,
    pub amount: String,
    pub description: String,
    pub payee: Option<String>,
    pub memo: Option<String>,
    pub transacted_at: Option<i64>,
    pub pending: bool,
}

impl BridgeTransaction {
    /// A posted transaction.
    pub fn posted(id: &str, posted: i64, amount: &str, description: &str) -> Self {
        Self {
            id: id.to_owned(),
            posted,
            amount: amount.to_owned(),
            description: description.to_owned(),
            payee: None,
            memo: None,
            transacted_at: Some(posted),
            pending: false,
        }
    }

    /// A pending transaction (`posted: 0`, `pending: true`) made at `transacted_at`.
    pub fn pending(id: &str, transacted_at: i64, amount: &str, description: &str) -> Self {
        Self {
            posted: 0,
            transacted_at: Some(transacted_at),
            pending: true,
            ..Self::posted(id, 0, amount, description)
        }
    }
}

/// How a connection's `/accounts` misbehaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// Answer this status with a short text body (402, 403, 500…).
    Status(u16),
    /// 429 with `Retry-After: seconds` when given.
    RateLimited { retry_after: Option<u64> },
    /// Sleep this long before answering normally.
    Slow(Duration),
    /// 200 with a body that is not JSON.
    GarbageJson,
    /// 200 with a body of this many bytes.
    HugeBody(usize),
    /// 302 to this location.
    RedirectTo(String),
}

/// One v2 `errlist` entry to add to every answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrEntry {
    pub code: String,
    pub message: String,
    pub account_id: Option<String>,
}

/// A connection's state.
#[derive(Debug, Default)]
pub(crate) struct ConnectionState {
    pub(crate) token: String,
    pub(crate) claimed: bool,
    pub(crate) username: String,
    pub(crate) password: String,
    pub(crate) accounts: Vec<BridgeAccount>,
    pub(crate) errlist: Vec<ErrEntry>,
    pub(crate) fault: Option<Fault>,
    pub(crate) requests: u32,
    pub(crate) last_query: Option<String>,
    pub(crate) rotations: u32,
}

/// Everything the bridge holds.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) connections: Vec<ConnectionState>,
    /// Every request received, of any kind.
    pub(crate) requests_total: u64,
}

pub(crate) type Shared = Arc<Mutex<State>>;

pub(crate) fn lock(state: &Shared) -> MutexGuard<'_, State> {
    state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A running bridge; stops when dropped.
pub struct Bridge {
    addr: SocketAddr,
    state: Shared,
    task: AbortHandle,
}

impl Drop for Bridge {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Bridge {
    /// Serves on `127.0.0.1:0`.
    pub async fn start() -> Self {
        Self::start_on("127.0.0.1:0")
            .await
            .expect("bind the SimpleFIN bridge")
    }

    /// Serves on `addr` (the runnable's `--port`).
    pub async fn start_on(addr: &str) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let state = Shared::default();
        let router =
            server::router(Arc::clone(&state)).merge(control::router(Arc::clone(&state), addr));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, router).await;
        });
        Ok(Self {
            addr,
            state,
            task: task.abort_handle(),
        })
    }

    /// `http://127.0.0.1:port`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A new connection with no accounts.
    pub fn connection(&self) -> BridgeConnection {
        let index = new_connection(&self.state);
        BridgeConnection {
            index,
            addr: self.addr,
            state: Arc::clone(&self.state),
        }
    }

    /// A new connection's setup token (shortcut for `connection().setup_token()`).
    pub fn setup_token(&self) -> String {
        self.connection().setup_token()
    }

    /// Every request the bridge received (claims, fetches, control calls, refused ones).
    pub fn requests_total(&self) -> u64 {
        lock(&self.state).requests_total
    }
}

/// Adds a connection and returns its index.
pub(crate) fn new_connection(state: &Shared) -> usize {
    let mut state = lock(state);
    let index = state.connections.len();
    let token = format!("tok{index}-{}", generate::secret(index as u64 * 3 + 1));
    state.connections.push(ConnectionState {
        token,
        username: format!("user{index}"),
        password: format!("pw-{}", generate::secret(index as u64 * 3 + 2)),
        ..ConnectionState::default()
    });
    index
}

/// The setup token of connection `index`.
pub(crate) fn setup_token(state: &Shared, addr: SocketAddr, index: usize) -> String {
    let token = lock(state).connections[index].token.clone();
    STANDARD.encode(format!("http://{addr}/simplefin/claim/{token}"))
}

/// One connection of a running bridge: what a test changes and inspects.
#[derive(Clone)]
pub struct BridgeConnection {
    index: usize,
    addr: SocketAddr,
    state: Shared,
}

impl BridgeConnection {
    fn with<T>(&self, f: impl FnOnce(&mut ConnectionState) -> T) -> T {
        f(&mut lock(&self.state).connections[self.index])
    }

    /// Its number (for the control endpoints).
    pub fn id(&self) -> usize {
        self.index
    }

    /// Its one-time setup token.
    pub fn setup_token(&self) -> String {
        setup_token(&self.state, self.addr, self.index)
    }

    /// The access URL a claim answers (whether or not it was claimed).
    pub fn access_url(&self) -> String {
        self.with(|c| {
            format!(
                "http://{}:{}@{}/simplefin",
                c.username, c.password, self.addr
            )
        })
    }

    /// The credentials of the access URL.
    pub fn credentials(&self) -> (String, String) {
        self.with(|c| (c.username.clone(), c.password.clone()))
    }

    pub fn add_account(&self, account: BridgeAccount) {
        self.with(|c| c.accounts.push(account));
    }

    /// Adds a transaction to an existing account.
    pub fn add_transaction(&self, account_id: &str, transaction: BridgeTransaction) {
        self.with(|c| account(c, account_id).transactions.push(transaction));
    }

    pub fn set_balance(&self, account_id: &str, balance: &str, balance_date: i64) {
        self.with(|c| {
            let account = account(c, account_id);
            account.balance = balance.to_owned();
            account.balance_date = balance_date;
        });
    }

    /// Adds a v2 `errlist` entry (also sent as a v1 `errors` string) to every answer.
    pub fn add_error(&self, code: &str, message: &str, account_id: Option<&str>) {
        self.with(|c| {
            c.errlist.push(ErrEntry {
                code: code.to_owned(),
                message: message.to_owned(),
                account_id: account_id.map(str::to_owned),
            })
        });
    }

    /// Switches a fault on (`None`: off).
    pub fn set_fault(&self, fault: Option<Fault>) {
        self.with(|c| c.fault = fault);
    }

    /// Gives every transaction of the account a new id (some banks re-issue ids).
    pub fn rotate_transaction_ids(&self, account_id: &str) {
        self.with(|c| {
            c.rotations += 1;
            let suffix = format!("-r{}", c.rotations);
            for t in &mut account(c, account_id).transactions {
                t.id.push_str(&suffix);
            }
        });
    }

    /// Posts a pending transaction under a new id (as banks do); returns the new id.
    pub fn post_pending(&self, account_id: &str, pending_id: &str, posted: i64) -> String {
        self.with(|c| {
            let account = account(c, account_id);
            let t = account
                .transactions
                .iter_mut()
                .find(|t| t.id == pending_id)
                .expect("no such pending transaction");
            t.id = format!("{pending_id}-posted");
            t.posted = posted;
            t.pending = false;
            t.id.clone()
        })
    }

    /// How many `/accounts` requests with this connection's credentials arrived.
    pub fn requests(&self) -> u32 {
        self.with(|c| c.requests)
    }

    /// The query string of the last `/accounts` request.
    pub fn last_query(&self) -> Option<String> {
        self.with(|c| c.last_query.clone())
    }

    /// Whether the setup token was claimed.
    pub fn claimed(&self) -> bool {
        self.with(|c| c.claimed)
    }
}

fn account<'a>(c: &'a mut ConnectionState, id: &str) -> &'a mut BridgeAccount {
    c.accounts
        .iter_mut()
        .find(|a| a.id == id)
        .unwrap_or_else(|| panic!("the bridge connection has no account {id}"))
}

/// Seconds since the epoch `days` before now.
pub fn days_ago(days: i64) -> i64 {
    (chrono::Utc::now() - chrono::Duration::days(days)).timestamp()
}
