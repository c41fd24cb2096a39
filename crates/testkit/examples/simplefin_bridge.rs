//! The local SimpleFIN Bridge as a process, for the browser test and the benchmark:
//!
//! ```text
//! cargo run -p testkit --example simplefin_bridge -- --port 0 --accounts 2 --transactions 200 --seed 1
//! ```
//!
//! Serves on `127.0.0.1:PORT` (0: any free port), makes one connection holding a generated
//! data set (`--accounts N --transactions M` over the last 44 days, deterministic for a
//! `--seed`), prints one JSON line `{"base_url", "setup_token", "connection"}` on stdout and
//! serves until stopped. More connections and transactions: `POST /_control/...` (see
//! `testkit::simplefin_bridge`). Test use only: plain http, fixed credentials pattern.
#![allow(clippy::expect_used, clippy::panic)]

use testkit::simplefin_bridge::{Bridge, generate};

struct Args {
    port: u16,
    accounts: usize,
    transactions: usize,
    seed: u64,
}

fn args() -> Args {
    let mut args = Args {
        port: 0,
        accounts: 2,
        transactions: 50,
        seed: 1,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let value = it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--port" => args.port = number(&flag, &value),
            "--accounts" => args.accounts = number(&flag, &value),
            "--transactions" => args.transactions = number(&flag, &value),
            "--seed" => args.seed = number(&flag, &value),
            other => panic!("unknown flag {other} (--port, --accounts, --transactions, --seed)"),
        }
    }
    args
}

fn number<T: std::str::FromStr>(flag: &str, value: &str) -> T {
    value
        .parse()
        .unwrap_or_else(|_| panic!("{flag} {value}: not a number"))
}

#[tokio::main]
async fn main() {
    let args = args();
    let bridge = Bridge::start_on(&format!("127.0.0.1:{}", args.port))
        .await
        .expect("bind the bridge");
    let connection = bridge.connection();
    let now = chrono::Utc::now().timestamp();
    for account in generate(args.accounts, args.transactions, args.seed, now) {
        connection.add_account(account);
    }
    let line = serde_json::json!({
        "base_url": bridge.base_url(),
        "setup_token": connection.setup_token(),
        "connection": connection.id(),
    });
    println!("{line}");
    tokio::signal::ctrl_c().await.expect("wait for Ctrl-C");
}
