//! Metric handles: the hot path. Each is a `Copy` reference to a record's value words.

use crate::bucket::bucket_index;
use crate::layout::{kind_code, SHARD_WORDS};
use crate::sync::{AtomicU64, Ordering};
use core::cell::Cell;
use core::fmt;
use core::marker::PhantomData;
use core::time::Duration;

/// Help text and unit for a registration. `const`, so it can sit next to a `static`.
///
/// ```
/// use mutornadomon_core::Meta;
/// const LATENCY: Meta = Meta::new().help("Excess event loop latency").unit("seconds");
/// assert_eq!(LATENCY.unit, "seconds");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Meta<'m> {
    /// One line describing the metric (at most 1024 bytes, no control characters).
    pub help: &'m str,
    /// The unit, lowercase: `seconds`, `bytes`, `nanoseconds`... or empty.
    pub unit: &'m str,
}

impl<'m> Meta<'m> {
    /// No help, no unit.
    pub const fn new() -> Self {
        Meta { help: "", unit: "" }
    }

    /// With this help text.
    pub const fn help(self, help: &'m str) -> Self {
        Meta { help, ..self }
    }

    /// With this unit.
    pub const fn unit(self, unit: &'m str) -> Self {
        Meta { unit, ..self }
    }
}

/// The kinds of metric a region holds.
///
/// ```
/// use mutornadomon_core::Kind;
/// assert_eq!(Kind::Gauge.to_string(), "gauge");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// A `u64` that only goes up.
    Counter,
    /// A counter split into single-writer shards; readers see the sum.
    ShardedCounter,
    /// An `f64` value with its minimum and maximum over the previous and the current window.
    Gauge,
    /// Log-linear buckets of `u64` values with sum, min and max.
    Histogram,
    /// Static text.
    Info,
}

impl Kind {
    pub(crate) const fn code(self) -> u8 {
        match self {
            Kind::Counter => kind_code::COUNTER,
            Kind::ShardedCounter => kind_code::SHARDED_COUNTER,
            Kind::Gauge => kind_code::GAUGE,
            Kind::Histogram => kind_code::HISTOGRAM,
            Kind::Info => kind_code::INFO,
        }
    }

    pub(crate) const fn from_code(code: u8) -> Option<Kind> {
        match code {
            kind_code::COUNTER => Some(Kind::Counter),
            kind_code::SHARDED_COUNTER => Some(Kind::ShardedCounter),
            kind_code::GAUGE | kind_code::GAUGE_ONE_WINDOW => Some(Kind::Gauge),
            kind_code::HISTOGRAM => Some(Kind::Histogram),
            kind_code::INFO => Some(Kind::Info),
            _ => None,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::Counter => "counter",
            Kind::ShardedCounter => "sharded counter",
            Kind::Gauge => "gauge",
            Kind::Histogram => "histogram",
            Kind::Info => "info",
        })
    }
}

/// A counter: one atomic add per increment.
///
/// ```
/// # use mutornadomon_core::{Meta, Storage};
/// static STATS: Storage<256> = Storage::new();
/// let errors = STATS.region().counter("errors", Meta::new())?;
/// errors.inc();
/// errors.inc_by(4);
/// assert_eq!(errors.get(), 5);
/// # Ok::<(), mutornadomon_core::RegisterError>(())
/// ```
#[derive(Clone, Copy)]
pub struct Counter<'a> {
    cell: &'a AtomicU64,
}

impl<'a> Counter<'a> {
    pub(crate) fn from_values(values: &'a [AtomicU64]) -> Option<Self> {
        values.first().map(|cell| Counter { cell })
    }

    /// Adds one.
    #[inline]
    pub fn inc(&self) {
        self.inc_by(1);
    }

    /// Adds `n` (wrapping at `u64::MAX`).
    #[inline]
    pub fn inc_by(&self, n: u64) {
        // Relaxed: the count is an independent value; nothing else is published through it.
        self.cell.fetch_add(n, Ordering::Relaxed);
    }

    /// The current count.
    pub fn get(&self) -> u64 {
        // Relaxed: see `inc_by`.
        self.cell.load(Ordering::Relaxed)
    }

    /// Raises the count to `value` if it is below (a count kept elsewhere, published here;
    /// the `metrics` crate's `absolute`). Never lowers it.
    ///
    /// ```
    /// # use mutornadomon_core::{Meta, Storage};
    /// static STATS: Storage<256> = Storage::new();
    /// let seen = STATS.region().counter("seen", Meta::new())?;
    /// seen.absolute(10);
    /// seen.absolute(4);
    /// assert_eq!(seen.get(), 10);
    /// # Ok::<(), mutornadomon_core::RegisterError>(())
    /// ```
    pub fn absolute(&self, value: u64) {
        // Relaxed: see `inc_by`.
        self.cell.fetch_max(value, Ordering::Relaxed);
    }
}

impl fmt::Debug for Counter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Counter").field(&self.get()).finish()
    }
}

/// A counter split into shards, each with one writer at a time, so hot counters bumped from
/// several threads never contend: a shard update is a plain load and store (no locked
/// instruction), and each shard has its own 128-byte line. Readers see one total.
///
/// Shard 0 is shared: [`inc_by`](Self::inc_by) adds to it atomically, for writers that did not
/// [`claim`](Self::claim) a shard of their own.
#[derive(Clone, Copy)]
pub struct ShardedCounter<'a> {
    values: &'a [AtomicU64],
}

impl<'a> ShardedCounter<'a> {
    pub(crate) fn from_values(values: &'a [AtomicU64]) -> Option<Self> {
        (values.len() >= SHARD_WORDS).then_some(ShardedCounter { values })
    }

    fn shards(&self) -> impl Iterator<Item = &'a [AtomicU64]> {
        self.values.chunks_exact(SHARD_WORDS)
    }

    /// Claims a free single-writer shard, or `None` when every shard is claimed. The shard is
    /// released when the returned writer is dropped; its count stays in the total.
    pub fn claim(&self) -> Option<CounterShard<'a>> {
        self.shards().skip(1).find_map(|shard| {
            let (count, claimed) = (&shard[0], &shard[1]);
            // Acquire pairs with the Release in `CounterShard::drop`: the last owner's final
            // store to `count` happens before our first load of it.
            claimed
                .compare_exchange(0, 1, Ordering::Acquire, Ordering::Relaxed)
                .ok()
                .map(|_| CounterShard {
                    count,
                    claimed,
                    not_sync: PhantomData,
                })
        })
    }

    /// Adds `n` to the shared shard with an atomic add: correct from any thread, at the cost of
    /// contention with other callers of this method.
    pub fn inc_by(&self, n: u64) {
        // Relaxed: an independent value, as for `Counter`.
        self.values[0].fetch_add(n, Ordering::Relaxed);
    }

    /// The total over all shards.
    pub fn get(&self) -> u64 {
        // Relaxed: each shard is an independent value; the total is a sum of recent values.
        self.shards().fold(0u64, |sum, shard| {
            sum.wrapping_add(shard[0].load(Ordering::Relaxed))
        })
    }
}

impl fmt::Debug for ShardedCounter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("ShardedCounter").field(&self.get()).finish()
    }
}

/// The single writer of one shard of a [`ShardedCounter`]. It is `Send` but not `Sync`: one
/// thread at a time owns it, which is what makes the plain load-and-store update correct.
#[must_use = "the shard is released when dropped: bind it for as long as the writer updates it"]
pub struct CounterShard<'a> {
    count: &'a AtomicU64,
    claimed: &'a AtomicU64,
    not_sync: PhantomData<Cell<()>>,
}

impl CounterShard<'_> {
    /// Adds one.
    #[inline]
    pub fn inc(&self) {
        self.inc_by(1);
    }

    /// Adds `n`: a load and a store, no read-modify-write, because this is the shard's only
    /// writer.
    #[inline]
    pub fn inc_by(&self, n: u64) {
        // Relaxed: we are the only writer (claim/drop synchronise owners), and readers only need
        // an untorn recent value, which atomic stores give.
        let now = self.count.load(Ordering::Relaxed);
        self.count.store(now.wrapping_add(n), Ordering::Relaxed);
    }

    /// This shard's own count.
    pub fn get(&self) -> u64 {
        // Relaxed: we are its writer.
        self.count.load(Ordering::Relaxed)
    }
}

impl Drop for CounterShard<'_> {
    fn drop(&mut self) {
        // Release pairs with the Acquire in `ShardedCounter::claim`.
        self.claimed.store(0, Ordering::Release);
    }
}

impl fmt::Debug for CounterShard<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CounterShard").field(&self.get()).finish()
    }
}

/// Words before a histogram's buckets: sum, min, max.
pub(crate) const HISTOGRAM_HEAD_WORDS: usize = 3;

/// A histogram of `u64` values (nanoseconds, bytes) in log-linear buckets with at most 6.25%
/// relative error, plus exact sum, min and max. Recording is a bucket index by arithmetic, two
/// atomic adds, and two plain loads (min/max change rarely). Readers compute quantiles.
///
/// # Units
///
/// A histogram holds integers in the unit it was declared with ([`Meta::unit`]). Durations go
/// in with [`record_duration`](Self::record_duration), converted to that unit, which must be
/// `nanoseconds`, `microseconds` or `milliseconds` (or `ns`, `us`, `ms`); any other unit, or
/// none, refuses them with [`DurationUnitError`]. `seconds` is refused too: whole seconds
/// would read every sub-second duration as 0. Declare durations in nanoseconds: the
/// Prometheus page shows them in seconds, the JSON page's `units` says `nanoseconds`.
#[derive(Clone, Copy)]
pub struct Histogram<'a> {
    values: &'a [AtomicU64],
    /// Nanoseconds in one recorded unit, from the unit the histogram was registered with; 0
    /// when that unit is not one durations can be recorded in.
    nanos_per_unit: u32,
}

/// Why a histogram refused a duration: its declared unit is not nanoseconds, microseconds or
/// milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DurationUnitError;

impl fmt::Display for DurationUnitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "durations need a histogram declared in nanoseconds, microseconds or milliseconds \
             (Meta::new().unit(\"nanoseconds\"); the Prometheus page shows it in seconds)",
        )
    }
}

impl core::error::Error for DurationUnitError {}

/// The units durations can be recorded in, with nanoseconds per unit. The first three are
/// those the renderers show in seconds. A table, not a `match`: one loop instead of inlined
/// comparisons of every name.
static DURATION_UNITS: [(&[u8], u32); 6] = [
    (b"nanoseconds", 1),
    (b"microseconds", 1_000),
    (b"milliseconds", 1_000_000),
    (b"ns", 1),
    (b"us", 1_000),
    (b"ms", 1_000_000),
];

/// Nanoseconds in one `unit` among `units` (a part of [`DURATION_UNITS`]).
fn nanos_in(units: &[(&[u8], u32)], unit: &[u8]) -> Option<u32> {
    units
        .iter()
        .find(|(name, _)| name.len() == unit.len() && name.iter().zip(unit).all(|(a, b)| a == b))
        .map(|&(_, nanos)| nanos)
}

/// Nanoseconds in one `unit`, for the units durations can be recorded in; 0 for others.
fn nanos_per_unit(unit: &[u8]) -> u32 {
    nanos_in(&DURATION_UNITS, unit).unwrap_or(0)
}

/// Nanoseconds in one `unit` if the renderers show it in seconds (`nanoseconds`,
/// `microseconds`, `milliseconds`).
pub(crate) fn subsecond_nanos(unit: &[u8]) -> Option<u32> {
    nanos_in(&DURATION_UNITS[..3], unit)
}

impl<'a> Histogram<'a> {
    pub(crate) fn from_values(values: &'a [AtomicU64]) -> Option<Self> {
        let histogram = Histogram {
            values,
            nanos_per_unit: 0,
        };
        (values.len() > HISTOGRAM_HEAD_WORDS).then_some(histogram)
    }

    /// A histogram of the same unit on other value words (a family's series).
    #[cfg(feature = "labels")]
    pub(crate) fn on_values(&self, values: &'a [AtomicU64]) -> Option<Self> {
        (values.len() > HISTOGRAM_HEAD_WORDS).then_some(Histogram { values, ..*self })
    }

    /// The handle for a histogram registered with `unit`.
    pub(crate) fn with_unit(mut self, unit: &[u8]) -> Self {
        self.nanos_per_unit = nanos_per_unit(unit);
        self
    }

    /// Records a duration in the histogram's declared unit (see [Units](#units)): truncated
    /// to whole units, saturating at `u64::MAX`.
    ///
    /// ```
    /// # use mutornadomon_core::{Meta, Storage};
    /// use core::time::Duration;
    /// static STATS: Storage<2048> = Storage::new();
    /// let region = STATS.region();
    /// let latency = region.histogram("latency", Meta::new().unit("microseconds"))?;
    /// latency.record_duration(Duration::from_millis(5))?;
    /// assert_eq!(latency.sum(), 5_000); // microseconds
    /// let sizes = region.histogram("sizes", Meta::new().unit("bytes"))?;
    /// assert!(sizes.record_duration(Duration::from_millis(5)).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[inline]
    pub fn record_duration(&self, duration: Duration) -> Result<(), DurationUnitError> {
        if self.nanos_per_unit == 0 {
            return Err(DurationUnitError);
        }
        let units = duration.as_nanos() / u128::from(self.nanos_per_unit);
        self.record(u64::try_from(units).unwrap_or(u64::MAX));
        Ok(())
    }

    /// Whether [`record_duration`](Self::record_duration) takes durations: the histogram was
    /// declared in nanoseconds, microseconds or milliseconds.
    pub fn takes_durations(&self) -> bool {
        self.nanos_per_unit != 0
    }

    /// Records one value.
    ///
    /// ```
    /// # use mutornadomon_core::{Meta, Storage};
    /// static STATS: Storage<2048> = Storage::new();
    /// let h = STATS.region().histogram("h", Meta::new())?;
    /// h.record(10);
    /// h.record(30);
    /// assert_eq!((h.count(), h.sum(), h.min(), h.max()), (2, 40, Some(10), Some(30)));
    /// # Ok::<(), mutornadomon_core::RegisterError>(())
    /// ```
    #[inline]
    pub fn record(&self, value: u64) {
        let buckets = &self.values[HISTOGRAM_HEAD_WORDS..];
        let index = bucket_index(value).min(buckets.len() - 1);
        // Relaxed throughout: each word is an independent statistic; a reader may see the
        // bucket before the sum, which the format documents.
        buckets[index].fetch_add(1, Ordering::Relaxed);
        self.values[0].fetch_add(value, Ordering::Relaxed);
        if value < self.values[1].load(Ordering::Relaxed) {
            self.values[1].fetch_min(value, Ordering::Relaxed);
        }
        if value > self.values[2].load(Ordering::Relaxed) {
            self.values[2].fetch_max(value, Ordering::Relaxed);
        }
    }

    /// Values recorded so far (the sum of the buckets).
    pub fn count(&self) -> u64 {
        // Relaxed: see `record`.
        self.values[HISTOGRAM_HEAD_WORDS..]
            .iter()
            .fold(0u64, |n, b| n.wrapping_add(b.load(Ordering::Relaxed)))
    }

    /// The sum of recorded values (wrapping).
    pub fn sum(&self) -> u64 {
        // Relaxed: see `record`.
        self.values[0].load(Ordering::Relaxed)
    }

    /// The smallest value recorded, if any.
    pub fn min(&self) -> Option<u64> {
        // Relaxed: see `record`.
        let min = self.values[1].load(Ordering::Relaxed);
        (self.values[2].load(Ordering::Relaxed) >= min).then_some(min)
    }

    /// The largest value recorded, if any.
    pub fn max(&self) -> Option<u64> {
        self.min().map(|_| self.values[2].load(Ordering::Relaxed))
    }
}

impl fmt::Debug for Histogram<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Histogram")
            .field("count", &self.count())
            .field("sum", &self.sum())
            .finish()
    }
}
