//! Serving: bind, serve with client addresses, and shut down gracefully: on SIGTERM or SIGINT
//! the listener stops accepting, in-flight requests get `SHUTDOWN_GRACE_SECONDS` to finish,
//! then the process returns.

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::AppState;
use crate::router::router_with;

/// A bound, not yet serving, server.
pub struct Server {
    listener: TcpListener,
    state: AppState,
    extra: axum::Router<AppState>,
}

impl Server {
    pub async fn bind(addr: SocketAddr, state: AppState) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        Ok(Self {
            listener,
            state,
            extra: axum::Router::new(),
        })
    }

    /// Adds routes that get the full pipeline (for tests).
    pub fn with_extra_routes(mut self, extra: axum::Router<AppState>) -> Self {
        self.extra = extra;
        self
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` resolves, then lets in-flight requests finish for up to `grace`.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
        grace: Duration,
    ) -> std::io::Result<()> {
        let app =
            router_with(self.state, self.extra).into_make_service_with_connect_info::<SocketAddr>();
        let (stopping_tx, stopping_rx) = tokio::sync::oneshot::channel::<()>();
        let signal = async move {
            shutdown.await;
            let _ = stopping_tx.send(());
        };
        let serve = axum::serve(self.listener, app).with_graceful_shutdown(signal);
        let serving = tokio::spawn(async move { serve.await });
        tokio::pin!(serving);
        tokio::select! {
            result = &mut serving => return result.map_err(std::io::Error::other)?,
            _ = stopping_rx => {}
        }
        tracing::info!(
            grace_seconds = grace.as_secs(),
            "shutting down: finishing in-flight requests"
        );
        match tokio::time::timeout(grace, &mut serving).await {
            Ok(result) => result.map_err(std::io::Error::other)?,
            Err(_) => {
                tracing::warn!("grace period over: abandoning the remaining requests");
                serving.abort();
                Ok(())
            }
        }
    }
}

/// Resolves on SIGTERM or SIGINT (Ctrl-C). The handlers are installed when this is called, not
/// when the future is first polled, so a signal that arrives right after "ready" is not lost
/// (and does not kill the process with the default action).
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let terminate = signal(SignalKind::terminate());
        let interrupt = signal(SignalKind::interrupt());
        async move {
            match (terminate, interrupt) {
                (Ok(mut term), Ok(mut int)) => {
                    tokio::select! {
                        _ = term.recv() => tracing::info!("SIGTERM received"),
                        _ = int.recv() => tracing::info!("SIGINT received"),
                    }
                }
                _ => {
                    let _ = tokio::signal::ctrl_c().await;
                    tracing::info!("SIGINT received");
                }
            }
        }
    }
    #[cfg(not(unix))]
    async {
        let _ = tokio::signal::ctrl_c().await;
    }
}
