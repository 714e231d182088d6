//! A scope timer: records how long a scope took into a histogram when dropped (mmstats'
//! TimerField, done with a histogram).

use mutornadomon_core::{DurationUnitError, Histogram};
use std::time::Instant;

/// Records the time since its creation into a histogram when dropped, in the unit the
/// histogram was declared with.
///
/// Only a histogram declared in `nanoseconds`, `microseconds` or `milliseconds` takes
/// durations ([`Histogram::record_duration`]); [`new`](Self::new) refuses any other with
/// [`DurationUnitError`], so a duration never lands as nanoseconds in a histogram that says
/// seconds. Declare durations in nanoseconds: the Prometheus page shows them in seconds.
///
/// ```
/// use mutornadomon_core::Meta;
/// use mutornadomon_std::ScopeTimer;
/// let monitor = mutornadomon_std::Monitor::builder().in_memory().start()?;
/// let query_time = monitor.histogram("query_time", Meta::new().unit("nanoseconds"))?;
/// {
///     let _timer = ScopeTimer::new(&query_time)?;
///     // ... the work being timed ...
/// }
/// assert_eq!(query_time.count(), 1);
///
/// let wrong = monitor.histogram("request_latency", Meta::new().unit("seconds"))?;
/// assert!(ScopeTimer::new(&wrong).is_err()); // sub-second durations would all read 0
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use = "the timer records when dropped; bind it to a variable"]
pub struct ScopeTimer<'a> {
    histogram: Histogram<'a>,
    started: Instant,
}

impl<'a> ScopeTimer<'a> {
    /// Starts timing into `histogram` (a monitor's [`Histogram`](crate::Histogram) by
    /// reference, or the core's handle), if it takes durations.
    pub fn new(histogram: impl Into<Histogram<'a>>) -> Result<Self, DurationUnitError> {
        let histogram = histogram.into();
        if !histogram.takes_durations() {
            return Err(DurationUnitError);
        }
        Ok(ScopeTimer {
            histogram,
            started: Instant::now(),
        })
    }
}

impl Drop for ScopeTimer<'_> {
    fn drop(&mut self) {
        // Cannot fail: `new` checked the unit.
        let _ = self.histogram.record_duration(self.started.elapsed());
    }
}
