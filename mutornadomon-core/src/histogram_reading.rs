//! A histogram as read from a file: counts, bounds and quantiles.

use crate::metrics::HISTOGRAM_HEAD_WORDS;
use crate::values::{summarize, HistogramSummary, Values};
use crate::words::Words;

/// A histogram as read from a file, with quantiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistogramReading<'a> {
    sum: u64,
    min: u64,
    max: u64,
    buckets: Words<'a>,
}

impl<'a> HistogramReading<'a> {
    /// The histogram of `buckets` buckets whose value words start at byte `at` of `words`, if
    /// it lies wholly within them.
    pub(crate) fn at(words: &Words<'a>, at: usize, buckets: usize) -> Option<HistogramReading<'a>> {
        let word = |i: usize| words.get(at + i * 8);
        // The count (the buckets' sum) is computed when asked: a reader after names or other
        // kinds does not pay a pass over every bucket.
        Some(HistogramReading {
            sum: word(0)?,
            min: word(1)?,
            max: word(2)?,
            buckets: words.slice(at + HISTOGRAM_HEAD_WORDS * 8, buckets.checked_mul(8)?)?,
        })
    }

    /// Values recorded (the sum of the buckets; one pass over them).
    pub fn count(&self) -> u64 {
        self.buckets.sum()
    }

    /// The bucket counts, in bucket order.
    pub fn buckets(&self) -> impl Iterator<Item = u64> + '_ {
        self.buckets.iter()
    }

    /// Whether any value was recorded (stops at the first non-empty bucket).
    fn has_values(&self) -> bool {
        self.buckets.any(0, self.bucket_count())
    }

    /// Sum of the values recorded (wrapping).
    pub fn sum(&self) -> u64 {
        self.sum
    }

    /// Smallest value recorded, if any.
    pub fn min(&self) -> Option<u64> {
        (self.min <= self.max && self.has_values()).then_some(self.min)
    }

    /// Largest value recorded, if any.
    pub fn max(&self) -> Option<u64> {
        (self.min <= self.max && self.has_values()).then_some(self.max)
    }

    /// Number of buckets.
    pub fn bucket_count(&self) -> usize {
        self.buckets.bytes.len() / 8
    }

    /// The count in bucket `index` (0 past the end).
    pub fn bucket(&self, index: usize) -> u64 {
        index
            .checked_mul(8)
            .and_then(|at| self.buckets.get(at))
            .unwrap_or(0)
    }

    /// Values recorded below `bound` (exclusive), exact when `bound` is a bucket's lower edge
    /// (any power of two is); otherwise counts the buckets that lie wholly below it.
    pub fn count_below(&self, bound: u64) -> u64 {
        let end = crate::bucket::bucket_index(bound).min(self.bucket_count());
        (0..end).fold(0u64, |n, i| n.wrapping_add(self.bucket(i)))
    }

    /// The value at quantile `q` (0.0 to 1.0): the midpoint of the bucket holding that rank,
    /// kept within the recorded min and max, so within 3.125% of the true value (exact below
    /// 16). A rank that falls in the overflow bucket (values past the histogram's range)
    /// reports the recorded maximum. `None` when empty.
    ///
    /// ```
    /// # use mutornadomon_core::{parse, Meta, Storage, Value};
    /// static STATS: Storage<2048> = Storage::new();
    /// let h = STATS.region().histogram("latency", Meta::new())?;
    /// (1..=1000).for_each(|v| h.record(v));
    /// let mut buf = [0u8; 8192];
    /// let n = STATS.region().snapshot(&mut buf)?;
    /// let Value::Histogram(read) = parse(&buf[..n])?.records().next().unwrap()?.value else { panic!() };
    /// let p50 = read.quantile(0.5).unwrap() as f64;
    /// assert!((p50 - 500.0).abs() / 500.0 < 0.0625);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn quantile(&self, q: f64) -> Option<u64> {
        self.quantiles([q])[0]
    }

    /// Several quantiles in one pass over the buckets, each as [`quantile`](Self::quantile)
    /// gives it.
    ///
    /// ```
    /// # use mutornadomon_core::{parse, Meta, Storage, Value};
    /// static STATS: Storage<2048> = Storage::new();
    /// let h = STATS.region().histogram("latency", Meta::new())?;
    /// (1..=1000).for_each(|v| h.record(v));
    /// let mut buf = [0u8; 8192];
    /// let n = STATS.region().snapshot(&mut buf)?;
    /// let Value::Histogram(read) = parse(&buf[..n])?.records().next().unwrap()?.value else { panic!() };
    /// let [p50, p99] = read.quantiles([0.5, 0.99]);
    /// assert_eq!(p50, read.quantile(0.5));
    /// assert_eq!(p99, read.quantile(0.99));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn quantiles<const N: usize>(&self, qs: [f64; N]) -> [Option<u64>; N] {
        self.summary(qs).quantiles
    }

    /// Count, min, max and the quantiles `qs` together: one pass over the buckets between
    /// min's and max's for the count, one (stopping at the last quantile's bucket) for the
    /// quantiles.
    ///
    /// ```
    /// # use mutornadomon_core::{parse, Meta, Storage, Value};
    /// static STATS: Storage<2048> = Storage::new();
    /// let h = STATS.region().histogram("latency", Meta::new())?;
    /// (1..=100).for_each(|v| h.record(v));
    /// let mut buf = [0u8; 8192];
    /// let n = STATS.region().snapshot(&mut buf)?;
    /// let Value::Histogram(read) = parse(&buf[..n])?.records().next().unwrap()?.value else { panic!() };
    /// let summary = read.summary([0.5]);
    /// assert_eq!((summary.count, summary.min, summary.max), (100, Some(1), Some(100)));
    /// assert_eq!(summary.quantiles, [read.quantile(0.5)]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn summary<const N: usize>(&self, qs: [f64; N]) -> HistogramSummary<N> {
        let buckets = self.bucket_count();
        summarize(&self.buckets, 0, buckets, self.min, self.max, qs)
    }
}
