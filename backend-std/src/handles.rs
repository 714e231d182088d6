//! A monitor's metric handles: `'static`, `Send + Sync`, cheap to clone. Each is the core's
//! handle (a reference to the metric's words) beside a share of the monitor's memory, so it can
//! go into a thread, a task, a struct or a `static` without borrowing the [`Monitor`].
//!
//! An update is the core handle's update: the same instructions, no added indirection. Cloning
//! costs an atomic increment (the share of memory).
//!
//! **After the monitor stops** (or is dropped) the handles keep working: updates land in the
//! monitor's memory, which lives as long as the last handle. Once the monitor is dropped its
//! stats file is removed, so no other process sees those updates; a snapshot through a
//! [`MonitorHandle`](crate::MonitorHandle) still does.

use crate::shared::Shared;
use crate::Monitor;
use mutornadomon_core as core_metrics;
use mutornadomon_core::{DurationUnitError, Meta, RegisterError};
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// A counter registered with a [`Monitor`].
///
/// The monitor's handles ([`Counter`], [`Gauge`], [`Histogram`], [`ShardedCounter`]) are
/// `'static`, `Send + Sync` and cheap to clone: each is the core's handle (a reference to the
/// metric's words) beside a share of the monitor's memory, so it can go into a thread, a task,
/// a struct or a `static` without borrowing the monitor. An update is the core handle's
/// update, the same instructions; a clone costs an atomic increment.
///
/// **After the monitor stops** (or is dropped) the handles keep working: updates land in the
/// monitor's memory, which lives as long as the last handle. Once the monitor is dropped its
/// stats file is removed, so no other process sees those updates; a snapshot through a
/// [`MonitorHandle`](crate::MonitorHandle) still does.
///
/// ```
/// use mutornadomon_core::Meta;
/// let monitor = mutornadomon_std::Monitor::builder().in_memory().start()?;
/// let jobs = monitor.counter("jobs", Meta::new())?;
/// let workers: Vec<_> = (0..4)
///     .map(|_| {
///         let jobs = jobs.clone();
///         std::thread::spawn(move || jobs.inc())
///     })
///     .collect();
/// workers.into_iter().for_each(|w| w.join().unwrap());
/// assert_eq!(jobs.get(), 4);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Counter {
    counter: core_metrics::Counter<'static>,
    _memory: Arc<Shared>,
}

impl Counter {
    /// Adds one.
    #[inline]
    pub fn inc(&self) {
        self.counter.inc();
    }

    /// Adds `n`.
    #[inline]
    pub fn inc_by(&self, n: u64) {
        self.counter.inc_by(n);
    }

    /// The current count.
    pub fn get(&self) -> u64 {
        self.counter.get()
    }

    /// The core's handle, borrowed from this one.
    pub fn as_core(&self) -> core_metrics::Counter<'_> {
        self.counter
    }
}

/// A gauge registered with a [`Monitor`]: an `f64` with its min and max over the previous and
/// the current window (a handle like [`Counter`]; see [`mutornadomon_core::Gauge`]).
///
/// ```
/// use mutornadomon_core::Meta;
/// let monitor = mutornadomon_std::Monitor::builder().in_memory().start()?;
/// let depth = monitor.gauge("queue_depth", Meta::new())?;
/// depth.set(3.0);
/// depth.add(-1.0);
/// assert_eq!((depth.get(), depth.max()), (2.0, 3.0));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Gauge {
    gauge: core_metrics::Gauge<'static>,
    _memory: Arc<Shared>,
}

impl Gauge {
    /// Sets the value.
    #[inline]
    pub fn set(&self, value: f64) {
        self.gauge.set(value);
    }

    /// Adds `delta` (negative to subtract), as one atomic step.
    pub fn add(&self, delta: f64) {
        self.gauge.add(delta);
    }

    /// The current value.
    pub fn get(&self) -> f64 {
        self.gauge.get()
    }

    /// The smallest value over the previous and the current window.
    pub fn min(&self) -> f64 {
        self.gauge.min()
    }

    /// The largest value over the previous and the current window.
    pub fn max(&self) -> f64 {
        self.gauge.max()
    }

    /// The core's handle, borrowed from this one.
    pub fn as_core(&self) -> core_metrics::Gauge<'_> {
        self.gauge
    }
}

/// A histogram registered with a [`Monitor`] (a handle like [`Counter`]; see
/// [`mutornadomon_core::Histogram`]).
///
/// ```
/// use mutornadomon_core::Meta;
/// use std::time::Duration;
/// let monitor = mutornadomon_std::Monitor::builder().in_memory().start()?;
/// let latency = monitor.histogram("latency", Meta::new().unit("nanoseconds"))?;
/// latency.record_duration(Duration::from_micros(250))?;
/// assert_eq!((latency.count(), latency.max()), (1, Some(250_000)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Histogram {
    histogram: core_metrics::Histogram<'static>,
    _memory: Arc<Shared>,
}

impl Histogram {
    /// Records `value`, in the histogram's unit.
    #[inline]
    pub fn record(&self, value: u64) {
        self.histogram.record(value);
    }

    /// Records a duration in the histogram's unit, or refuses a histogram whose unit is not
    /// a duration one ([`mutornadomon_core::Histogram::record_duration`]).
    pub fn record_duration(&self, duration: Duration) -> Result<(), DurationUnitError> {
        self.histogram.record_duration(duration)
    }

    /// Whether the histogram takes durations (its unit is nanoseconds, microseconds or
    /// milliseconds).
    pub fn takes_durations(&self) -> bool {
        self.histogram.takes_durations()
    }

    /// Values recorded.
    pub fn count(&self) -> u64 {
        self.histogram.count()
    }

    /// Sum of the values recorded (wrapping).
    pub fn sum(&self) -> u64 {
        self.histogram.sum()
    }

    /// The smallest value recorded, if any.
    pub fn min(&self) -> Option<u64> {
        self.histogram.min()
    }

    /// The largest value recorded, if any.
    pub fn max(&self) -> Option<u64> {
        self.histogram.max()
    }

    /// The core's handle, borrowed from this one.
    pub fn as_core(&self) -> core_metrics::Histogram<'_> {
        self.histogram
    }
}

impl<'a> From<&'a Histogram> for core_metrics::Histogram<'a> {
    fn from(histogram: &'a Histogram) -> Self {
        histogram.as_core()
    }
}

/// A sharded counter registered with a [`Monitor`]: threads [`claim`](Self::claim) a shard
/// each and update it without a shared atomic add (see [`mutornadomon_core::ShardedCounter`]).
///
/// ```
/// use mutornadomon_core::Meta;
/// let monitor = mutornadomon_std::Monitor::builder().in_memory().start()?;
/// let hits = monitor.sharded_counter("hits", Meta::new(), 4)?;
/// std::thread::scope(|s| {
///     for _ in 0..4 {
///         s.spawn(|| hits.claim().unwrap().inc_by(10));
///     }
/// });
/// assert_eq!(hits.get(), 40);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct ShardedCounter {
    counter: core_metrics::ShardedCounter<'static>,
    memory: Arc<Shared>,
}

impl ShardedCounter {
    /// Claims a free shard for the calling writer, if one is left; it is released when the
    /// returned shard is dropped.
    pub fn claim(&self) -> Option<CounterShard> {
        Some(CounterShard {
            shard: self.counter.claim()?,
            _memory: Arc::clone(&self.memory),
        })
    }

    /// Adds `n` through the shared shard (an atomic add).
    pub fn inc_by(&self, n: u64) {
        self.counter.inc_by(n);
    }

    /// The total over all shards.
    pub fn get(&self) -> u64 {
        self.counter.get()
    }

    /// The core's handle, borrowed from this one.
    pub fn as_core(&self) -> core_metrics::ShardedCounter<'_> {
        self.counter
    }
}

/// One writer's shard of a [`ShardedCounter`]: a plain load and store per update. `Send`, not
/// `Sync`: one writer.
#[must_use = "the shard is released when dropped: bind it for as long as the writer updates it"]
pub struct CounterShard {
    shard: core_metrics::CounterShard<'static>,
    _memory: Arc<Shared>,
}

impl CounterShard {
    /// Adds one.
    #[inline]
    pub fn inc(&self) {
        self.shard.inc();
    }

    /// Adds `n`.
    #[inline]
    pub fn inc_by(&self, n: u64) {
        self.shard.inc_by(n);
    }

    /// This shard's count.
    pub fn get(&self) -> u64 {
        self.shard.get()
    }
}

impl Counter {
    /// The handle for a core counter in `memory`'s words.
    pub(crate) fn kept(counter: core_metrics::Counter<'static>, memory: &Arc<Shared>) -> Self {
        Counter {
            counter,
            _memory: Arc::clone(memory),
        }
    }
}

impl Gauge {
    /// The handle for a core gauge in `memory`'s words.
    pub(crate) fn kept(gauge: core_metrics::Gauge<'static>, memory: &Arc<Shared>) -> Self {
        Gauge {
            gauge,
            _memory: Arc::clone(memory),
        }
    }
}

impl Histogram {
    /// The handle for a core histogram in `memory`'s words.
    pub(crate) fn kept(histogram: core_metrics::Histogram<'static>, memory: &Arc<Shared>) -> Self {
        Histogram {
            histogram,
            _memory: Arc::clone(memory),
        }
    }
}

impl Monitor {
    /// Registers (or finds) a counter.
    pub fn counter(&self, name: &str, meta: Meta<'_>) -> Result<Counter, RegisterError> {
        let memory = Arc::clone(self.shared());
        Ok(Counter {
            counter: crate::sys::kept_region(&memory).counter(name, meta)?,
            _memory: memory,
        })
    }

    /// Registers (or finds) a counter with `writers` single-writer shards.
    pub fn sharded_counter(
        &self,
        name: &str,
        meta: Meta<'_>,
        writers: usize,
    ) -> Result<ShardedCounter, RegisterError> {
        let memory = Arc::clone(self.shared());
        Ok(ShardedCounter {
            counter: crate::sys::kept_region(&memory).sharded_counter(name, meta, writers)?,
            memory,
        })
    }

    /// Registers (or finds) a gauge.
    pub fn gauge(&self, name: &str, meta: Meta<'_>) -> Result<Gauge, RegisterError> {
        let memory = Arc::clone(self.shared());
        Ok(Gauge {
            gauge: crate::sys::kept_region(&memory).gauge(name, meta)?,
            _memory: memory,
        })
    }

    /// Registers (or finds) a histogram (values up to 2^40 - 1 in their own buckets).
    pub fn histogram(&self, name: &str, meta: Meta<'_>) -> Result<Histogram, RegisterError> {
        let memory = Arc::clone(self.shared());
        Ok(Histogram {
            histogram: crate::sys::kept_region(&memory).histogram(name, meta)?,
            _memory: memory,
        })
    }
}

impl fmt::Debug for Counter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.counter.fmt(f)
    }
}

impl fmt::Debug for Gauge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.gauge.fmt(f)
    }
}

impl fmt::Debug for Histogram {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.histogram.fmt(f)
    }
}

impl fmt::Debug for ShardedCounter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.counter.fmt(f)
    }
}

impl fmt::Debug for CounterShard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.shard.fmt(f)
    }
}
