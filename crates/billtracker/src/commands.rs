//! What each command does.

use std::io::BufRead;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{Context, bail};
use service::auth::RequestMeta;
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
    if let Command::Openapi = command {
        println!(
            "{}",
            serde_json::to_string_pretty(&web::api::openapi::document())?
        );
        return Ok(ExitCode::SUCCESS);
    }
    let config = Config::load(cli.config.as_deref())?;
    logging::init(config.log_format, &config.log_level);
    match command {
        Command::Serve => serve(config).await,
        Command::Migrate => {
            let store = open_store(&config).await?;
            store.migrate().await.context("migrating the database")?;
            println!(
                "migrations applied ({} in total)",
                store.applied_migrations().await?
            );
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Check => check(config).await,
        Command::ConfigReference | Command::Openapi => Ok(ExitCode::SUCCESS),
        Command::CreateUser {
            username,
            display_name,
            email,
            admin,
        } => {
            let app = open_app(config).await?;
            let password = read_password()?;
            let username = domain::user::Username::parse(&username)?;
            let account = service::users::NewAccount {
                display_name: domain::user::DisplayName::parse(
                    display_name.as_deref().unwrap_or(username.as_str()),
                )?,
                username,
                email: email
                    .as_deref()
                    .map(domain::user::Email::parse)
                    .transpose()?,
                role: if admin {
                    domain::user::Role::Admin
                } else {
                    domain::user::Role::User
                },
                password,
            };
            let user = service::users::create_account(
                &app,
                &service::audit::Actor::System,
                account,
                false,
                &RequestMeta::default(),
            )
            .await
            .map_err(describe)?;
            println!("created {} ({})", user.username, user.role.as_str());
            app.store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::ResetPassword { username } => {
            let app = open_app(config).await?;
            let password = read_password()?;
            let name = domain::user::Username::parse(&username)?;
            let Some(user) = app.store.user_by_username(name.as_str()).await? else {
                bail!("no account named {username}");
            };
            service::users::set_password(&app, &user, &password)
                .await
                .map_err(describe)?;
            service::audit::record(
                &app,
                &service::audit::Actor::System,
                "user.password_reset",
                Some(format!("user:{}", user.username)),
                None,
                serde_json::json!({"via": "cli"}),
            )
            .await
            .map_err(describe)?;
            println!(
                "password of {} changed; its sessions were ended",
                user.username
            );
            app.store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo {
            username,
            scale,
            clear,
        } => {
            let app = open_app(config).await?;
            let name = domain::user::Username::parse(&username)?;
            let Some(user) = app.store.user_by_username(name.as_str()).await? else {
                bail!("no account named {username}");
            };
            if clear {
                let (bills, expenses) = app.store.clear_demo(user.id).await?;
                println!("removed {bills} demo bills and {expenses} demo expenses");
            } else {
                let scale = match scale.as_str() {
                    "small" => service::demo::DemoScale::SMALL,
                    "reference" => service::demo::DemoScale::REFERENCE,
                    other => bail!("--scale must be small or reference, not {other}"),
                };
                let started = Instant::now();
                let counts = service::demo::load_for(&app, user.id, scale)
                    .await
                    .map_err(describe)?;
                println!(
                    "loaded {} categories, {} bills, {} payments, {} expenses in {:.1} s",
                    counts.categories,
                    counts.bills,
                    counts.payments,
                    counts.expenses,
                    started.elapsed().as_secs_f64()
                );
            }
            app.store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::EnableLocalLogin => {
            let app = open_app(config).await?;
            let changed = service::auth::external::admin::enable_local_login(&app)
                .await
                .map_err(describe)?;
            println!(
                "{}",
                if changed {
                    "password sign-in is on again"
                } else {
                    "password sign-in was already on"
                }
            );
            app.store.close().await;
            Ok(ExitCode::SUCCESS)
        }
        Command::RotateKeys => {
            let store = open_store(&config).await?;
            store.migrate().await?;
            let random = service::random::OsRandom;
            let count = service::keys::rotate(&config, &store, &random)
                .await
                .map_err(describe)?;
            println!("re-encrypted {count} values with the new key");
            if config.token_encryption_key_previous.is_some() {
                println!("now remove TOKEN_ENCRYPTION_KEY_PREVIOUS from the configuration");
            }
            store.close().await;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn describe(err: service::Error) -> anyhow::Error {
    match err {
        service::Error::Invalid(invalid) => {
            anyhow::anyhow!("{}: {}", invalid.field, invalid.reason)
        }
        other => anyhow::anyhow!("{other}"),
    }
}

/// One line from standard input, without its line ending.
fn read_password() -> anyhow::Result<String> {
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        eprint!("password: ");
    }
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\n', '\r']).to_owned())
}

/// Prepares the data directory and opens the database.
async fn open_store(config: &Config) -> anyhow::Result<Store> {
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

/// Opens, migrates and checks the key: everything a command needs to act on accounts.
async fn open_app(config: Config) -> anyhow::Result<App> {
    let store = open_store(&config).await?;
    store.migrate().await.context("migrating the database")?;
    let (keyring, source) = service::keys::open(&config, &store, &service::random::OsRandom)
        .await
        .map_err(describe)?;
    if let service::crypto::KeySource::Generated(path) = &source {
        tracing::warn!(key_file = %path.display(), "generated a new master key; back this file up together with the database, or set TOKEN_ENCRYPTION_KEY");
    }
    Ok(App::new(store, config, keyring))
}

async fn serve(config: Config) -> anyhow::Result<ExitCode> {
    let started = Instant::now();
    let listen = config.listen;
    let grace = config.shutdown_grace;
    let app = open_app(config).await?;
    match service::setup::bootstrap(&app).await.map_err(describe)? {
        service::setup::Bootstrap::Done => {}
        service::setup::Bootstrap::Created { username } => {
            tracing::info!(username, "bootstrap administrator created")
        }
        service::setup::Bootstrap::SetupLink { url } => {
            tracing::warn!(
                "no accounts yet: open the one-time setup link to create the administrator (valid 24 h): {url}"
            );
        }
    }
    if app.config.single_user_mode {
        service::setup::single_user(&app).await.map_err(describe)?;
        tracing::warn!(
            "single-user mode: every request acts as the configured user without signing in"
        );
    }
    let shutdown = web::shutdown_signal();
    let cleanup = tokio::spawn(service::jobs::run_session_cleanup(app.clone()));
    let bank_sync = tokio::spawn(service::sync::run::run_background(app.clone()));
    let server = web::Server::bind(listen, web::AppState::new(app.clone()))
        .await
        .with_context(|| format!("cannot listen on {listen} (LISTEN)"))?;
    let addr = server.local_addr()?;
    tracing::info!(
        address = %addr,
        engine = app.store.engine().as_str(),
        startup_ms = started.elapsed().as_millis() as u64,
        "BillTracker is ready on http://{addr}"
    );
    server.run(shutdown, grace).await?;
    cleanup.abort();
    bank_sync.abort();
    app.store.close().await;
    tracing::info!("stopped");
    Ok(ExitCode::SUCCESS)
}

async fn check(config: Config) -> anyhow::Result<ExitCode> {
    println!("configuration: ok");
    let store = match open_store(&config).await {
        Ok(store) => store,
        Err(err) => {
            println!("database: FAILED ({err:#})");
            return Ok(ExitCode::FAILURE);
        }
    };
    let mut ok = true;
    let keyring = match service::keys::open(&config, &store, &service::random::OsRandom).await {
        Ok((keyring, _)) => {
            println!("encryption key: ok (opens the stored canary)");
            Some(keyring)
        }
        Err(err) => {
            println!("encryption key: FAILED ({err})");
            ok = false;
            None
        }
    };
    let items = match keyring {
        Some(keyring) => {
            let app = App::new(store.clone(), config, keyring);
            service::health::self_test(&app).await
        }
        None => Vec::new(),
    };
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
