//! The latency probe: how late the monitor's own timer fires, and `tick()` for a program's loop.
//!
//! The probe sleeps in short slices (10 ms by default) and measures each wake against the time
//! it expected, so a stall is measured to within one slice. The Python original measured the
//! gap between 100 ms ticks and skipped missed ones, reporting 104-202 ms for a 200 ms block.
//! Each probe interval (100 ms) the worst lateness of the window is set on the gauge
//! `ioloop_excess_callback_latency` (seconds) and recorded in the histogram
//! `ioloop_excess_callback_latency_distribution` (nanoseconds). The same tick refreshes the
//! heartbeat and the process stats.

use crate::process::{now_ns, process_stats};
use crate::shared::{lock, Shared};
use mutornadomon_core::{Gauge, Histogram, Meta, Region, RegisterError};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The probe's gauge.
pub const LATENCY_GAUGE: &str = "ioloop_excess_callback_latency";
/// The probe's histogram.
pub const LATENCY_HISTOGRAM: &str = "ioloop_excess_callback_latency_distribution";

const GAUGE_META: Meta<'static> = Meta::new()
    .help("Worst lateness of the monitor's timer in the last probe interval")
    .unit("seconds");
const HISTOGRAM_META: Meta<'static> = Meta::new()
    .help("Worst lateness of the monitor's timer per probe interval")
    .unit("nanoseconds");

/// Registers a gauge and a histogram for an excess-latency series called `name`.
fn register<'r>(
    region: &Region<'r>,
    name: &str,
    gauge: Meta<'_>,
    histogram: Meta<'_>,
) -> Result<(Gauge<'r>, Histogram<'r>), RegisterError> {
    let mut histogram_name = String::with_capacity(name.len() + 13);
    histogram_name.push_str(name);
    histogram_name.push_str("_distribution");
    // Ten minutes in nanoseconds is the top bucket; longer stalls go to the overflow bucket.
    Ok((
        region.gauge(name, gauge)?,
        region.histogram_with_max(&histogram_name, histogram, 600_000_000_000)?,
    ))
}

fn report(gauge: &Gauge<'_>, histogram: &Histogram<'_>, excess: Duration) {
    gauge.set(excess.as_secs_f64());
    histogram.record(u64::try_from(excess.as_nanos()).unwrap_or(u64::MAX));
}

/// The latency probe as a state machine, for whatever sleeps: the monitor's thread, a smol
/// task (`mutornadomon-smol`), or a program's own event loop. Sleep until
/// [`deadline`](Self::deadline), then call [`wake`](Self::wake) with the time of waking.
///
/// Each slice (the probe resolution, 10 ms by default) measures how late the wake was; every
/// probe interval (100 ms) the worst lateness of the window is reported, the heartbeat is
/// written and the process stats are refreshed.
///
/// ```
/// use std::time::Instant;
/// let (monitor, mut drivers) = mutornadomon_std::Monitor::builder().in_memory().start_undriven()?;
/// let probe = &mut drivers.probe;
/// probe.begin(Instant::now());
/// for _ in 0..12 {
///     std::thread::sleep(probe.deadline().saturating_duration_since(Instant::now()));
///     probe.wake(Instant::now());
/// }
/// assert!(monitor.gauge(mutornadomon_std::LATENCY_GAUGE, Default::default())?.get() >= 0.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct ProbeDriver {
    shared: Arc<Shared>,
    interval: Duration,
    resolution: Duration,
    window_start: Instant,
    worst: Duration,
    deadline: Instant,
}

impl ProbeDriver {
    /// Registers the probe's metrics up front, so a full region fails `start`.
    pub(crate) fn new(
        shared: Arc<Shared>,
        interval: Duration,
        resolution: Duration,
    ) -> Result<ProbeDriver, RegisterError> {
        register(&shared.region(), LATENCY_GAUGE, GAUGE_META, HISTOGRAM_META)?;
        let now = Instant::now();
        let resolution = resolution.min(interval);
        Ok(ProbeDriver {
            shared,
            interval,
            resolution,
            window_start: now,
            worst: Duration::ZERO,
            deadline: now + resolution,
        })
    }

    /// Starts measuring from `now`: call once when the loop that drives the probe starts, so
    /// the time between building and running it is not reported as lateness.
    pub fn begin(&mut self, now: Instant) {
        self.window_start = now;
        self.worst = Duration::ZERO;
        self.deadline = now + self.resolution;
    }

    /// When the probe wants to be woken next.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// The probe was woken at `now`. Returns the window's worst lateness when a probe interval
    /// ended with this wake (it has then been reported), else `None`.
    pub fn wake(&mut self, now: Instant) -> Option<Duration> {
        let late = now.saturating_duration_since(self.deadline);
        self.worst = self.worst.max(late);
        // After a stall, re-anchor rather than firing once per missed slice.
        self.deadline = if late >= self.resolution {
            now + self.resolution
        } else {
            self.deadline + self.resolution
        };
        if now.saturating_duration_since(self.window_start) < self.interval {
            return None;
        }
        let worst = core::mem::take(&mut self.worst);
        self.window_start = now;
        let region = self.shared.region();
        match register(&region, LATENCY_GAUGE, GAUGE_META, HISTOGRAM_META) {
            Ok((gauge, histogram)) => report(&gauge, &histogram, worst),
            Err(e) => log::error!("latency probe metrics unavailable: {e}"),
        }
        region.set_heartbeat(now_ns());
        *lock(&self.shared.process) = process_stats();
        Some(worst)
    }

    /// Drives the probe on the current thread until the monitor stops.
    pub(crate) fn run(mut self) {
        let shared = Arc::clone(&self.shared);
        self.begin(Instant::now());
        while !shared.sleep_until(self.deadline) {
            self.wake(Instant::now());
        }
    }
}

impl std::fmt::Debug for ProbeDriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProbeDriver")
            .field("interval", &self.interval)
            .field("resolution", &self.resolution)
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}

/// Measures stalls of a program's own loop: call [`tick`](Self::tick) once per iteration.
/// Each tick reports how much longer than `expected` the iteration took, on a gauge (seconds)
/// and a histogram (`<name>_distribution`, nanoseconds). No syscalls beyond reading the clock.
///
/// ```
/// use std::time::Duration;
/// let monitor = mutornadomon_std::Monitor::builder().in_memory().start()?;
/// let mut probe = monitor.loop_probe("main_loop_excess_latency", Duration::from_millis(5))?;
/// for _ in 0..3 {
///     probe.tick();
///     std::thread::sleep(Duration::from_millis(5));
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct LoopProbe {
    expected: Duration,
    last: Option<Instant>,
    gauge: Gauge<'static>,
    histogram: Histogram<'static>,
    /// Keeps the memory the two handles point into (see `sys::kept_words`).
    _memory: Arc<Shared>,
}

impl LoopProbe {
    /// Marks the start of an iteration.
    pub fn tick(&mut self) {
        let now = Instant::now();
        if let Some(last) = self.last.replace(now) {
            report(
                &self.gauge,
                &self.histogram,
                now.duration_since(last).saturating_sub(self.expected),
            );
        }
    }

    /// Registers the probe's gauge and histogram as `name` (see `Monitor::loop_probe`).
    pub(crate) fn register(
        memory: &Arc<Shared>,
        name: &str,
        expected: Duration,
    ) -> Result<LoopProbe, RegisterError> {
        let gauge = Meta::new()
            .help("Excess time of the program loop's last iteration")
            .unit("seconds");
        let histogram = Meta::new()
            .help("Excess time of the program loop's iterations")
            .unit("nanoseconds");
        let (gauge, histogram) =
            register(&crate::sys::kept_region(memory), name, gauge, histogram)?;
        Ok(LoopProbe {
            expected,
            last: None,
            gauge,
            histogram,
            _memory: Arc::clone(memory),
        })
    }
}

impl std::fmt::Debug for LoopProbe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoopProbe")
            .field("expected", &self.expected)
            .field("gauge", &self.gauge)
            .finish_non_exhaustive()
    }
}
