//! What each command does.

use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use service::{App, Config};
use store::Store;

use crate::cli::{Cli, Command};
use crate::logging;

pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::ConfigReference = command {
        print!("{}", service::config::reference_markdown());
        return Ok(ExitCode::SUCCESS);
    }
    let config = Config::load(cli.config.as_deref())?;
    logging::init(config.log_format, &config.log_level);
    match command {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            let store = open(&config).await?;
            store.migrate().await.context("migrating the database")?;
            println!(
                "migrations applied ({} in total)",
                store.applied_migrations().await?
            );
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Check => check(config).await,
        Command::ConfigReference => Ok(ExitCode::SUCCESS),
    }
}

/// Prepares the data directory and opens the database.
async fn open(config: &Config) -> anyhow::Result<Store> {
    let sqlite_file = (!config.uses_postgres()).then(|| config.sqlite_path());
    service::data_dir::prepare(&config.data_dir, sqlite_file.as_deref())?;
    Store::connect(&service::app::store_options(config))
        .await
        .with_context(|| {
            format!(
                "opening the {} database",
                if config.uses_postgres() {
                    "PostgreSQL"
                } else {
                    "SQLite"
                }
            )
        })
}

async fn serve(config: Config) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let store = open(&config).await?;
    store.migrate().await.context("migrating the database")?;
    let listen = config.listen;
    let grace = config.shutdown_grace;
    let app = App::new(store.clone(), config);
    let server = web::Server::bind(listen, web::AppState::new(app))
        .await
        .with_context(|| format!("cannot listen on {listen} (LISTEN)"))?;
    let addr = server.local_addr()?;
    tracing::info!(
        address = %addr,
        engine = store.engine().as_str(),
        startup_ms = started.elapsed().as_millis() as u64,
        "BillTracker is ready on http://{addr}"
    );
    server.run(web::shutdown_signal(), grace).await?;
    store.close().await;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

async fn check(config: Config) -> anyhow::Result<ExitCode> {
    println!("configuration: ok");
    let store = match open(&config).await {
        Ok(store) => store,
        Err(err) => {
            println!("database: FAILED ({err:#})");
            return Ok(ExitCode::FAILURE);
        }
    };
    let app = App::new(store.clone(), config);
    let items = service::health::self_test(&app).await;
    let mut ok = true;
    for item in &items {
        println!(
            "{}: {} ({})",
            item.name,
            if item.ok { "ok" } else { "FAILED" },
            item.detail
        );
        ok &= item.ok;
    }
    store.close().await;
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
