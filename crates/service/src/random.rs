//! Secret randomness. Every token, nonce and code comes from the OS CSPRNG through
//! [`Random`]; tests may inject a deterministic source, production never does.

use rand::TryRngCore;
use rand::rngs::OsRng;

pub trait Random: Send + Sync + 'static {
    /// Fills `buf` with unpredictable bytes.
    fn fill(&self, buf: &mut [u8]);
}

/// The operating system's CSPRNG (getrandom).
#[derive(Debug, Clone, Copy, Default)]
pub struct OsRandom;

impl Random for OsRandom {
    fn fill(&self, buf: &mut [u8]) {
        // The OS generator does not fail on supported platforms; if it ever did, continuing
        // with predictable bytes would be worse than stopping.
        #[allow(clippy::expect_used)]
        OsRng
            .try_fill_bytes(buf)
            .expect("the OS random number generator failed");
    }
}

/// `N` random bytes.
pub fn bytes<const N: usize>(random: &dyn Random) -> [u8; N] {
    let mut buf = [0u8; N];
    random.fill(&mut buf);
    buf
}
