//! A small, fixed pool of threads for Argon2.
//!
//! Each hash needs 19 MiB of memory. On tokio's blocking pool every call may land on a different
//! thread, and the allocator keeps each thread's freed 19 MiB around: after a burst of sign-ins
//! the process held over 120 MB. Two long-lived workers bound that to about 2 × 19 MiB, and
//! queue further work instead of spending more CPU than the machine has (sign-in floods are
//! rate-limited before they get here).

use std::sync::mpsc::{Sender, channel};
use std::sync::{LazyLock, Mutex, PoisonError};

type Job = Box<dyn FnOnce() + Send + 'static>;

/// How many hashes may run at once.
const WORKERS: usize = 2;

static POOL: LazyLock<Mutex<Option<Sender<Job>>>> = LazyLock::new(|| {
    let (sender, receiver) = channel::<Job>();
    let receiver = std::sync::Arc::new(Mutex::new(receiver));
    let mut started = 0;
    for n in 0..WORKERS {
        let receiver = receiver.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("argon2-{n}"))
            .spawn(move || {
                loop {
                    let job = receiver
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .recv();
                    match job {
                        Ok(job) => job(),
                        Err(_) => return,
                    }
                }
            });
        started += usize::from(spawned.is_ok());
    }
    Mutex::new((started > 0).then_some(sender))
});

/// Runs `work` on the pool and waits for its result without blocking the async runtime.
/// `None` when the pool could not run it (no worker thread could be started).
pub async fn run<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = tx.send(work());
    });
    let sent = POOL
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .as_ref()
        .is_some_and(|sender| sender.send(job).is_ok());
    if !sent {
        return None;
    }
    rx.await.ok()
}
