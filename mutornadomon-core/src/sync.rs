//! The one place that picks the atomics.
//!
//! Everything else imports `AtomicU64` and `Ordering` from here. Normal builds use
//! `portable-atomic`, so targets without native 64-bit atomics still build; `--cfg loom` swaps in
//! loom's model-checked atomics for the concurrency tests in `tests/loom.rs`.

#[cfg(loom)]
pub use loom::sync::atomic::{AtomicU64, Ordering};
#[cfg(not(loom))]
pub use portable_atomic::{AtomicU64, Ordering};

/// Tells the CPU (or loom's scheduler) that we are waiting for another thread.
#[inline]
pub(crate) fn spin_wait() {
    #[cfg(loom)]
    loom::thread::yield_now();
    #[cfg(not(loom))]
    core::hint::spin_loop();
}
