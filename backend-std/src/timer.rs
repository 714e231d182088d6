//! A scope timer: records how long a scope took into a histogram when dropped (mmstats'
//! TimerField, done with a histogram).

use mutornadomon_core::Histogram;
use std::time::Instant;

/// Records the time since its creation, in nanoseconds, into a histogram when dropped.
///
/// ```
/// use mutornadomon_core::Meta;
/// use mutornadomon_std::ScopeTimer;
/// let monitor = mutornadomon_std::Monitor::builder().in_memory().start()?;
/// let query_time = monitor.histogram("query_time", Meta::new().unit("nanoseconds"))?;
/// {
///     let _timer = ScopeTimer::new(query_time);
///     // ... the work being timed ...
/// }
/// assert_eq!(query_time.count(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use = "the timer records when dropped; bind it to a variable"]
pub struct ScopeTimer<'a> {
    histogram: Histogram<'a>,
    started: Instant,
}

impl<'a> ScopeTimer<'a> {
    /// Starts timing.
    pub fn new(histogram: Histogram<'a>) -> Self {
        ScopeTimer {
            histogram,
            started: Instant::now(),
        }
    }
}

impl Drop for ScopeTimer<'_> {
    fn drop(&mut self) {
        self.histogram
            .record(u64::try_from(self.started.elapsed().as_nanos()).unwrap_or(u64::MAX));
    }
}
