//! Command-line interface. Every setting is also an environment variable (see
//! `docs/configuration.md`); the options here are only what differs per invocation.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// BillTracker: a self-hosted tracker for recurring bills, expenses and the bank transactions
/// that pay them.
///
/// Settings come from the environment (e.g. LISTEN, DATA_DIR, DATABASE_URL) and an optional
/// TOML file; see docs/configuration.md for every one with its default.
#[derive(Debug, Parser)]
#[command(name = "billtracker", version, propagate_version = true)]
pub struct Cli {
    /// TOML configuration file (keys are the environment names in lower case).
    #[arg(long, global = true, env = "CONFIG_FILE", value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (the default when no command is given).
    Serve,
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Check the configuration and the database; exit non-zero if anything is wrong.
    Check,
    /// Print the configuration reference (Markdown) generated from the code.
    ConfigReference,
    /// Print the OpenAPI 3.1 document of the JSON API.
    Openapi,
    /// Create an account. The password is read from standard input (one line).
    CreateUser {
        /// Login name (letters, digits, . _ - @).
        #[arg(long)]
        username: String,
        /// Name shown in the interface (defaults to the username).
        #[arg(long)]
        display_name: Option<String>,
        #[arg(long)]
        email: Option<String>,
        /// Make the account an administrator.
        #[arg(long)]
        admin: bool,
    },
    /// Set a new password for an account and end its sessions. The password is read from
    /// standard input (one line).
    ResetPassword {
        #[arg(long)]
        username: String,
    },
    /// Re-encrypt every encrypted field with a new key (see docs/operations.md).
    RotateKeys,
    /// Turn password sign-in back on (after it was turned off for OIDC and the provider is
    /// gone); the other sign-in settings stay as saved.
    EnableLocalLogin,
    /// Load generated demo data into an account (`--scale reference` builds the benchmark data
    /// set of docs/performance.md), or remove it with `--clear`.
    Demo {
        #[arg(long)]
        username: String,
        /// `small` (what the demo button loads) or `reference` (150 bills, 10 years, 20 000
        /// expenses).
        #[arg(long, default_value = "small")]
        scale: String,
        /// Remove the generated data instead.
        #[arg(long)]
        clear: bool,
    },
}
