//! The executor busy ratio, reported with each probe window.
//!
//! The lag probe itself is the std backend's [`ProbeDriver`](mutornadomon_std::ProbeDriver):
//! here it is a task on the program's executor woken at each deadline by the monitor's clock
//! thread (`clock.rs`), so its lateness is the executor's lag (how long other tasks kept the
//! thread from it).

use crate::timing::{TimingState, BUSY_RATIO, POLL_DURATION, POLL_DURATION_META};
use mutornadomon_core::Meta;
use mutornadomon_std::MonitorHandle;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

const BUSY_META: Meta<'static> = Meta::new()
    .help("Time instrumented futures spent in polls over the last probe interval, per second")
    .unit("ratio");

/// Turns the poll-time histogram's sum into a busy ratio per probe window.
pub(crate) struct BusyRatio {
    handle: MonitorHandle,
    timing: Arc<TimingState>,
    last_sum: Option<u64>,
    last_time: Instant,
}

impl BusyRatio {
    pub(crate) fn new(handle: MonitorHandle, timing: Arc<TimingState>, now: Instant) -> Self {
        BusyRatio {
            handle,
            timing,
            last_sum: None,
            last_time: now,
        }
    }

    /// Called when a probe window closes at `now`.
    pub(crate) fn report(&mut self, now: Instant) {
        // Relaxed: see `AsyncMonitor::task_timing`.
        if !self.timing.used.load(Ordering::Relaxed) {
            return;
        }
        let region = self.handle.region();
        let Ok(durations) = region.histogram(POLL_DURATION, POLL_DURATION_META) else {
            return;
        };
        let sum = durations.sum();
        let elapsed = now.saturating_duration_since(self.last_time).as_nanos();
        if let Some(last) = self.last_sum.filter(|_| elapsed > 0) {
            let ratio = sum.wrapping_sub(last) as f64 / elapsed as f64;
            if let Ok(gauge) = region.gauge(BUSY_RATIO, BUSY_META) {
                gauge.set(ratio);
            }
        }
        self.last_sum = Some(sum);
        self.last_time = now;
    }
}
