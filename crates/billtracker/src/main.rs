//! The `billtracker` binary: the command line, logging set-up and wiring. No logic of its own:
//! every command calls into `service`, `store` or `web`.
//!
//! Module map:
//! - [`cli`] — the commands and their options.
//! - [`logging`] — JSON or human log output.
//! - [`commands`] — what each command does, in terms of the library crates.

mod cli;
mod commands;
mod logging;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    // One rustls crypto provider for the process: ring (docs/architecture.md, Outbound).
    outbound::install_crypto_provider();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => {
            eprintln!("error: cannot start the async runtime: {err}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
