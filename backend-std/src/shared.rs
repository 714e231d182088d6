//! What the monitor, its handles and its drivers share: the metric memory, the stop signal
//! and the latest process stats.

use crate::memory::Memory;
use crate::stop::StopSignal;
use mutornadomon_core::{ProcessStats, Region};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

pub(crate) struct Shared {
    pub(crate) memory: Memory,
    pub(crate) stop: Arc<StopSignal>,
    pub(crate) process: Mutex<ProcessStats>,
}

impl Shared {
    pub(crate) fn region(&self) -> Region<'_> {
        attach(self.memory.words())
    }

    /// Sleeps until `deadline` or until stopped; returns `true` if stopped.
    pub(crate) fn sleep_until(&self, deadline: std::time::Instant) -> bool {
        self.stop.sleep_until(deadline)
    }

    pub(crate) fn process_stats(&self) -> ProcessStats {
        *lock(&self.process)
    }

    /// Copies the region into `buf` (grown as needed); returns the bytes used.
    pub(crate) fn snapshot_into(&self, buf: &mut Vec<u8>, roll: bool) -> usize {
        let region = self.region();
        if buf.len() < region.snapshot_len() {
            buf.resize(region.snapshot_len(), 0);
        }
        loop {
            let result = if roll {
                region.snapshot_and_roll(buf)
            } else {
                region.snapshot(buf)
            };
            match result {
                Ok(n) => return n,
                // A registration grew the region since we sized the buffer.
                Err(e) => buf.resize(e.needed, 0),
            }
        }
    }
}

/// The region in `words`. They were formatted in `Memory::new` and are only changed through
/// the core since, so attaching cannot fail unless another process scribbled on the file;
/// then reformatting is the only way to keep a sound region.
pub(crate) fn attach(words: &[mutornadomon_core::AtomicU64]) -> Region<'_> {
    Region::attach(words).unwrap_or_else(|e| {
        log::error!("stats region damaged ({e}); starting it afresh");
        Region::format(words).unwrap_or_else(|_| unreachable!("formatted once already"))
    })
}

/// Locks, shrugging off poisoning: the data behind these mutexes stays valid after a panic.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}
