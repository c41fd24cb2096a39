//! Background jobs. Each run first takes the job's lease in the database, so with several
//! instances on one PostgreSQL database a job runs on one of them at a time.

use std::time::Duration;

use crate::{App, auth};

/// Runs the session cleanup every `SESSION_CLEANUP_INTERVAL_MS` until the task is dropped.
pub async fn run_session_cleanup(app: App) {
    let holder = uuid::Uuid::now_v7().to_string();
    let interval = app.config.session_cleanup_interval;
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        if let Err(err) = cleanup_once(&app, &holder, interval).await {
            tracing::warn!(error = %err, "session cleanup failed; will retry");
        }
    }
}

/// One cleanup run under the `session-cleanup` lease (expired sessions, old rate-limit
/// windows, expired import previews, and the audit log's checkpoint moved forward); returns sessions removed, or `None`
/// when another instance holds the lease.
pub async fn cleanup_once(
    app: &App,
    holder: &str,
    interval: Duration,
) -> crate::Result<Option<u64>> {
    let now = app.now();
    let until = now + chrono::Duration::from_std(interval).unwrap_or_default();
    if !app
        .store
        .acquire_lease("session-cleanup", holder, until, now)
        .await?
    {
        return Ok(None);
    }
    let removed = auth::session::cleanup(app).await?;
    if removed > 0 {
        tracing::info!(removed, "expired sessions removed");
    }
    // A preview (and a file kept for its answers, up to 10 MB) lasts 24 hours; applied and
    // undone imports stay as history.
    let previews = app.store.purge_expired_imports(now).await?;
    if previews > 0 {
        tracing::info!(previews, "expired import previews removed");
    }
    // Keeps the administrators' chain check short: it starts where this one ended (a broken
    // chain is logged as a security event and leaves the checkpoint where it was).
    crate::audit::advance_checkpoint(app).await?;
    Ok(Some(removed))
}
