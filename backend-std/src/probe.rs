//! The latency probe: how late the monitor's own timer fires, and `tick()` for a program's loop.
//!
//! The probe sleeps in short slices (10 ms by default) and measures each wake against the time
//! it expected, so a stall is measured to within one slice. The Python original measured the
//! gap between 100 ms ticks and skipped missed ones, reporting 104-202 ms for a 200 ms block.
//! Each probe interval (100 ms) the worst lateness of the window is set on the gauge
//! `ioloop_excess_callback_latency` (seconds) and recorded in the histogram
//! `ioloop_excess_callback_latency_distribution` (nanoseconds). The same tick refreshes the
//! heartbeat and the process stats.

use crate::monitor::{lock, Shared};
use crate::process::{now_ns, process_stats};
use mutornadomon_core::{Gauge, Histogram, Meta, Region, RegisterError};
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

pub(crate) struct Probe {
    interval: Duration,
    resolution: Duration,
}

impl Probe {
    /// Registers the probe's metrics up front, so a full region fails `start`.
    pub(crate) fn new(
        shared: &Shared,
        interval: Duration,
        resolution: Duration,
    ) -> Result<Probe, RegisterError> {
        register(&shared.region(), LATENCY_GAUGE, GAUGE_META, HISTOGRAM_META)?;
        Ok(Probe {
            interval,
            resolution: resolution.min(interval),
        })
    }

    pub(crate) fn run(self, shared: &Shared) {
        let region = shared.region();
        let Ok((gauge, histogram)) = register(&region, LATENCY_GAUGE, GAUGE_META, HISTOGRAM_META)
        else {
            return log::error!("latency probe metrics vanished; probe stopped");
        };
        let mut window_start = Instant::now();
        let mut worst = Duration::ZERO;
        let mut deadline = window_start + self.resolution;
        while !shared.sleep_until(deadline) {
            let now = Instant::now();
            let late = now.saturating_duration_since(deadline);
            worst = worst.max(late);
            // After a stall, re-anchor rather than firing once per missed slice.
            deadline = if late >= self.resolution {
                now + self.resolution
            } else {
                deadline + self.resolution
            };
            if now.duration_since(window_start) >= self.interval {
                report(&gauge, &histogram, worst);
                worst = Duration::ZERO;
                window_start = now;
                region.set_heartbeat(now_ns());
                *lock(&shared.process) = process_stats();
            }
        }
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
pub struct LoopProbe<'m> {
    expected: Duration,
    last: Option<Instant>,
    gauge: Gauge<'m>,
    histogram: Histogram<'m>,
}

impl LoopProbe<'_> {
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
}

impl crate::Monitor {
    /// A probe for the program's own loop, expected to iterate every `expected`.
    pub fn loop_probe(
        &self,
        name: &str,
        expected: Duration,
    ) -> Result<LoopProbe<'_>, RegisterError> {
        let gauge = Meta::new()
            .help("Excess time of the program loop's last iteration")
            .unit("seconds");
        let histogram = Meta::new()
            .help("Excess time of the program loop's iterations")
            .unit("nanoseconds");
        let (gauge, histogram) = register(&self.region(), name, gauge, histogram)?;
        Ok(LoopProbe {
            expected,
            last: None,
            gauge,
            histogram,
        })
    }
}
