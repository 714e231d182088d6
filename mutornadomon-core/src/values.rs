//! Numbers read at known places, wherever the words are: a file's bytes (a snapshot, or another
//! process's stats file) or a live region's atomics. A page template reads its numbers through
//! [`Values`], and so does the histogram summary, so a page can be filled from the region
//! itself without copying it first.

use crate::bucket::{bucket_index, bucket_lower, bucket_upper, MAX_BUCKETS};
use crate::gauge::extreme_or_value;
use crate::layout::SHARD_WORDS;
#[cfg(any(feature = "templates", feature = "statsd"))]
use crate::sync::{AtomicU64, Ordering};

/// A gauge as read: its value and its min/max over the previous and the current window (a
/// file of the 1.0 layout: over the current window).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GaugeReading {
    /// The value.
    pub value: f64,
    /// Smallest value over the previous and the current window.
    pub min: f64,
    /// Largest value over the previous and the current window.
    pub max: f64,
}

/// What [`HistogramReading::summary`](crate::HistogramReading::summary) gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct HistogramSummary<const N: usize> {
    /// Values recorded.
    pub count: u64,
    /// Smallest value recorded, if any.
    pub min: Option<u64>,
    /// Largest value recorded, if any.
    pub max: Option<u64>,
    /// The quantiles asked for, in the order asked.
    pub quantiles: [Option<u64>; N],
}

/// 64-bit words at byte offsets (multiples of 8).
pub(crate) trait Values {
    /// The word at byte `at`, if there is one.
    fn word(&self, at: usize) -> Option<u64>;

    /// The wrapping sum of the `n` words from byte `at`; words that are not there count as 0.
    fn sum(&self, at: usize, n: usize) -> u64;

    /// Whether any of the `n` words from byte `at` is not zero.
    fn any(&self, at: usize, n: usize) -> bool;

    /// Reads the words from byte `at` into `out` (0 where there is none).
    fn copy(&self, at: usize, out: &mut [u64]) {
        for (i, o) in out.iter_mut().enumerate() {
            *o = self.word(at + i * 8).unwrap_or(0);
        }
    }

    /// Sums the `n` words from byte `at` in blocks of [`BLOCK`], one block per entry of `sums`
    /// (the last may be short; blocks past `n` sum to 0), and returns the wrapping sum of
    /// them all. A block holding a word of 2^60 or more (whose sum could wrap) is given
    /// `u64::MAX`, so that a scan walks it word by word.
    fn block_sums(&self, at: usize, n: usize, sums: &mut [u64]) -> u64 {
        let mut total = 0u64;
        for (b, sum) in sums.iter_mut().enumerate() {
            let mut block = [0u64; BLOCK];
            let len = n.saturating_sub(b * BLOCK).min(BLOCK);
            self.copy(at + b * BLOCK * 8, &mut block[..len]);
            let (block_sum, block_total) = sum_block(&block);
            *sum = block_sum;
            total = total.wrapping_add(block_total);
        }
        total
    }

    /// The counter whose value words start at byte `at`: one word, or for `shards > 0` the
    /// wrapping sum of that many shards. Words that are not there read as 0.
    #[cfg_attr(not(feature = "perf"), inline(never))] // smaller, slower: see `perf`
    fn counter_at(&self, at: usize, shards: usize) -> u64 {
        let word = |i: usize| self.word(at + i * 8).unwrap_or(0);
        if shards == 0 {
            word(0)
        } else {
            (0..shards).fold(0u64, |sum, s| sum.wrapping_add(word(s * SHARD_WORDS)))
        }
    }

    /// One reading of the gauge whose value words start at byte `at` (`field` 0: the value,
    /// 1: the min, 2: the max; see [`gauge_at`](Self::gauge_at)), reading only its words.
    #[cfg_attr(not(any(feature = "json", feature = "prometheus")), allow(dead_code))]
    fn gauge_field(&self, at: usize, windows: usize, field: usize) -> f64 {
        let word = |i: usize| f64::from_bits(self.word(at + i * 8).unwrap_or(0));
        match (field, windows) {
            (0, _) => word(0),
            (1, 2) => extreme_or_value(word(1).min(word(3)), word(0)),
            (2, 2) => extreme_or_value(word(2).max(word(4)), word(0)),
            (1 | 2, _) => word(field),
            _ => 0.0,
        }
    }

    /// The gauge whose value words start at byte `at`, of `windows` windows (1: the 1.0
    /// layout; 2: two slots of min and max, reported together). Words that are not there read
    /// as 0; `f64::min`/`max` pass over a NaN slot.
    fn gauge_at(&self, at: usize, windows: usize) -> GaugeReading {
        // The five words of two windows, read at once (a one-window gauge uses three of them).
        let mut words = [0u64; 5];
        self.copy(at, &mut words);
        let word = |i: usize| f64::from_bits(words[i]);
        let (min, max) = (word(1), word(2));
        let (min, max) = if windows == 2 {
            let value = word(0);
            (
                extreme_or_value(min.min(word(3)), value),
                extreme_or_value(max.max(word(4)), value),
            )
        } else {
            (min, max)
        };
        GaugeReading {
            value: word(0),
            min,
            max,
        }
    }
}

/// A live region's words. Loads are Relaxed: every value word is an independent statistic, and
/// the records a page reads were published by the Acquire load of the region's committed end
/// that told the page its layout (see `Region::committed`).
#[cfg(any(feature = "templates", feature = "statsd"))]
pub(crate) struct Live<'r>(pub(crate) &'r [AtomicU64]);

#[cfg(any(feature = "templates", feature = "statsd"))]
impl<'r> Live<'r> {
    /// The `n` words from byte `at` that are there (none past the end).
    fn range(&self, at: usize, n: usize) -> &'r [AtomicU64] {
        let start = (at / 8).min(self.0.len());
        let end = start.saturating_add(n).min(self.0.len());
        &self.0[start..end]
    }
}

#[cfg(any(feature = "templates", feature = "statsd"))]
impl Values for Live<'_> {
    fn word(&self, at: usize) -> Option<u64> {
        self.0.get(at / 8).map(|w| w.load(Ordering::Relaxed))
    }

    fn copy(&self, at: usize, out: &mut [u64]) {
        let words = self.range(at, out.len());
        for (o, w) in out.iter_mut().zip(words) {
            *o = w.load(Ordering::Relaxed);
        }
        out[words.len()..].fill(0);
    }

    fn sum(&self, at: usize, n: usize) -> u64 {
        let words = self.range(at, n).iter();
        words.fold(0u64, |s, w| s.wrapping_add(w.load(Ordering::Relaxed)))
    }

    fn block_sums(&self, at: usize, n: usize, sums: &mut [u64]) -> u64 {
        let words = self.range(at, n);
        let mut blocks = words.chunks_exact(BLOCK);
        let mut total = 0u64;
        let mut sums = sums.iter_mut();
        // Full blocks as arrays: eight loads with no bounds checks, no branch per word.
        // (`blocks` first: `zip` stops at its end without taking a sum.)
        for (words, sum) in blocks.by_ref().zip(sums.by_ref()) {
            let block: [u64; BLOCK] = core::array::from_fn(|i| words[i].load(Ordering::Relaxed));
            let (block_sum, block_total) = sum_block(&block);
            *sum = block_sum;
            total = total.wrapping_add(block_total);
        }
        let mut rest = [0u64; BLOCK];
        for (r, w) in rest.iter_mut().zip(blocks.remainder()) {
            *r = w.load(Ordering::Relaxed);
        }
        let (block_sum, block_total) = sum_block(&rest);
        // The short block, then any past the words there are.
        if let Some(sum) = sums.next() {
            *sum = block_sum;
        }
        sums.for_each(|sum| *sum = 0);
        total.wrapping_add(block_total)
    }

    fn any(&self, at: usize, n: usize) -> bool {
        self.range(at, n)
            .iter()
            .any(|w| w.load(Ordering::Relaxed) != 0)
    }
}

/// The quantiles every summary in this crate takes (mutornadomon's JSON histograms: p50, p90,
/// p99, p999; statsd sends the first three). One set, so a program linking several of the
/// JSON page, the statsd encoder and serde links one instance of the summary code.
#[cfg_attr(
    not(any(
        feature = "json",
        feature = "prometheus",
        feature = "statsd",
        feature = "serde"
    )),
    allow(dead_code)
)]
pub(crate) const QUANTILES: [f64; 4] = [0.5, 0.9, 0.99, 0.999];

/// Count, min, max and the quantiles `qs` of the histogram whose `buckets` buckets start at
/// byte `buckets_at`, with `min` and `max` as recorded.
///
/// Every value recorded lies between min and max, so every bucket outside theirs is empty:
/// the count and the quantiles read only the buckets from min's to max's (a few dozen to a
/// couple of hundred of a latency histogram's hundreds). A value recorded while this reads may
/// be left out, as from any read of a histogram being written.
///
/// With feature `perf` the buckets are summed in blocks and one walk places every quantile,
/// passing over whole blocks ([`in_blocks`]); without it each quantile walks the buckets on
/// its own ([`bucket_by_bucket`]: smaller code, the same summary).
// Not inlined: inlined into the statsd walk it was linked 480 B larger, and one call per
// histogram costs nothing measurable (bench/page_cost.sh).
#[inline(never)]
pub(crate) fn summarize<const N: usize>(
    values: &impl Values,
    buckets_at: usize,
    buckets: usize,
    min: u64,
    max: u64,
    qs: [f64; N],
) -> HistogramSummary<N> {
    let histogram = Buckets {
        at: buckets_at,
        len: buckets,
        min,
        max,
    };
    if cfg!(feature = "perf") {
        in_blocks(values, &histogram, qs)
    } else {
        bucket_by_bucket(values, &histogram, qs)
    }
}

/// A histogram's buckets: where they start (a byte offset), how many, and the min and max
/// recorded.
struct Buckets {
    at: usize,
    len: usize,
    min: u64,
    max: u64,
}

impl Buckets {
    /// The byte offset of bucket `index`.
    fn at(&self, index: usize) -> usize {
        self.at + index * 8
    }

    /// The summary's min and max: none when nothing was recorded (`count` is 0 and no bucket
    /// holds a value, or min and max are out of order).
    fn extremes(&self, values: &impl Values, count: u64) -> Option<(u64, u64)> {
        let recorded = count > 0 || values.any(self.at, self.len);
        (self.min <= self.max && recorded).then_some((self.min, self.max))
    }

    /// The first bucket that can hold a value (min's) and the end of max's, if min and max
    /// are in order and there are buckets.
    fn span(&self) -> Option<(usize, usize)> {
        let last = self.len.checked_sub(1)?;
        if self.min > self.max {
            return None;
        }
        let first = bucket_index(self.min).min(last);
        let end = bucket_index(self.max).min(last) + 1;
        Some((first, end))
    }
}

/// The summary of `count` values with these extremes and quantiles.
fn summary<const N: usize>(
    count: u64,
    extremes: Option<(u64, u64)>,
    quantiles: [Option<u64>; N],
) -> HistogramSummary<N> {
    HistogramSummary {
        count,
        min: extremes.map(|(min, _)| min),
        max: extremes.map(|(_, max)| max),
        quantiles,
    }
}

/// [`summarize`] for speed (feature `perf`): one pass sums the buckets from min's to max's in
/// blocks of [`BLOCK`] into a local array; the quantiles then pass over the block sums and
/// read again only the blocks their ranks fall in.
fn in_blocks<const N: usize>(
    values: &impl Values,
    histogram: &Buckets,
    qs: [f64; N],
) -> HistogramSummary<N> {
    let span = histogram.span();
    let (first, n) = span.map_or((0, 0), |(first, end)| (first, end - first));
    let blocks = n.div_ceil(BLOCK).min(MAX_BLOCKS);
    // The block sums live on the stack, zeroed first: 256 bytes for the usual span, the full
    // 1 KiB only for a wider one (zeroing that for every summary was 3% of a JSON page).
    let mut few = [0u64; FEW_BLOCKS];
    let mut all;
    let sums = if blocks <= FEW_BLOCKS {
        &mut few[..blocks]
    } else {
        all = [0u64; MAX_BLOCKS];
        &mut all[..blocks]
    };
    let count = values.block_sums(histogram.at(first), n, sums);
    let extremes = histogram.extremes(values, count);
    let quantiles = match (extremes, span) {
        (Some((min, max)), Some((first, end))) => {
            let mut walk = Walk::new(Ranks::new(qs, count), min, max, histogram.len);
            for (b, &sum) in sums.iter().enumerate() {
                if walk.passes(sum) {
                    continue;
                }
                // A rank falls in this block (or it may wrap): read it again, bucket by bucket.
                let start = first + b * BLOCK;
                let mut block = [0u64; BLOCK];
                let block = &mut block[..(end - start).min(BLOCK)];
                values.copy(histogram.at(start), block);
                if walk.buckets(start, block) {
                    break;
                }
            }
            walk.out
        }
        _ => [None; N],
    };
    summary(count, extremes, quantiles)
}

/// [`summarize`] for size (without feature `perf`): the count is the sum of the buckets from
/// min's to max's, then each quantile walks them from min's until its rank is reached (the
/// quantiles of the block walk, each found on its own).
fn bucket_by_bucket<const N: usize>(
    values: &impl Values,
    histogram: &Buckets,
    qs: [f64; N],
) -> HistogramSummary<N> {
    let span = histogram.span();
    let (first, end) = span.unwrap_or((0, 0));
    let count = values.sum(histogram.at(first), end - first);
    let extremes = histogram.extremes(values, count);
    let overflow = overflow_bucket(histogram.len);
    let quantiles = qs.map(|q| {
        let (min, max) = extremes?;
        let rank = rank(q, count);
        let mut seen = 0u64;
        for b in first..end {
            seen = seen.saturating_add(values.word(histogram.at(b)).unwrap_or(0));
            if seen >= rank {
                return Some(value_in(b, overflow, min, max));
            }
        }
        Some(max)
    });
    summary(count, extremes, quantiles)
}

/// Buckets summed together when a summary passes over those below the next rank.
const BLOCK: usize = 8;
/// Blocks in the widest histogram.
const MAX_BLOCKS: usize = MAX_BUCKETS.div_ceil(BLOCK);
/// Blocks of a span of up to 256 buckets: values within a factor of 2^16 of each other (the
/// usual latency histogram, say 1 µs to 65 ms).
const FEW_BLOCKS: usize = 32;

/// A block's sum for scanning (`u64::MAX` if a word of 2^60 or more could make it wrap) and
/// its wrapping sum for the count: eight adds and eight ORs, no branch per word.
#[inline]
fn sum_block(block: &[u64; BLOCK]) -> (u64, u64) {
    let sum = block.iter().fold(0u64, |s, &n| s.wrapping_add(n));
    let or = block.iter().fold(0u64, |o, &n| o | n);
    (if or >> 60 == 0 { sum } else { u64::MAX }, sum)
}

/// The ranks of the quantiles asked for, and their order.
struct Ranks<const N: usize> {
    ranks: [u64; N],
    /// Indices into `ranks`, lowest rank first (insertion sort: N is a handful), so each
    /// bucket is compared with the lowest rank not yet reached only.
    order: [usize; N],
}

impl<const N: usize> Ranks<N> {
    fn new(qs: [f64; N], count: u64) -> Ranks<N> {
        let ranks = qs.map(|q| rank(q, count));
        let mut order: [usize; N] = core::array::from_fn(|i| i);
        for i in 1..N {
            let mut j = i;
            while j > 0 && ranks[order[j - 1]] > ranks[order[j]] {
                order.swap(j - 1, j);
                j -= 1;
            }
        }
        Ranks { ranks, order }
    }

    /// The `k`th lowest rank (`u64::MAX`, never reached, past the last).
    #[inline]
    fn nth(&self, k: usize) -> u64 {
        self.order.get(k).map_or(u64::MAX, |&i| self.ranks[i])
    }
}

/// The rank of quantile `q` (clamped to 0..=1, NaN as 0) among `count` values: the lowest
/// whole rank at or above `q * count`, from 1 to `count`.
fn rank(q: f64, count: u64) -> u64 {
    let q = if q.is_nan() { 0.0 } else { q.clamp(0.0, 1.0) };
    let exact = q * count as f64;
    let floor = exact as u64; // saturating cast; `ceil` is not in core
    let rank = if (floor as f64) < exact {
        floor + 1
    } else {
        floor
    };
    rank.clamp(1, count.max(1))
}

/// The overflow bucket of a histogram of `buckets` buckets (values past its range read as
/// max), if it has one: the last of any narrower than the widest.
fn overflow_bucket(buckets: usize) -> Option<usize> {
    (buckets < MAX_BUCKETS).then(|| buckets.saturating_sub(1))
}

/// What a quantile falling in bucket `index` reads: its midpoint within min and max, or max
/// for the overflow bucket.
#[inline(always)] // 112 B less code in the statsd program than called
fn value_in(index: usize, overflow: Option<usize>, min: u64, max: u64) -> u64 {
    if Some(index) == overflow {
        max
    } else {
        let (lo, hi) = (bucket_lower(index), bucket_upper(index));
        (lo + (hi - lo) / 2).clamp(min, max)
    }
}

/// A walk over the buckets in order, giving each quantile the bucket its rank falls in.
struct Walk<const N: usize> {
    ranks: Ranks<N>,
    /// Buckets read mid-update may sum to less than the count said: unreached ranks read max.
    out: [Option<u64>; N],
    /// How many quantiles are placed (in rank order), and the rank of the next.
    placed: usize,
    target: u64,
    seen: u64,
    min: u64,
    max: u64,
    /// The overflow bucket (values past the histogram's range read as max), if it has one.
    overflow: Option<usize>,
}

impl<const N: usize> Walk<N> {
    fn new(ranks: Ranks<N>, min: u64, max: u64, buckets: usize) -> Self {
        let target = ranks.nth(0);
        Walk {
            ranks,
            out: [Some(max); N],
            placed: 0,
            target,
            seen: 0,
            min,
            max,
            overflow: overflow_bucket(buckets),
        }
    }

    /// Passes over a block of buckets summing to `sum` if it does not reach the next rank
    /// (`u64::MAX` never passes).
    #[inline]
    fn passes(&mut self, sum: u64) -> bool {
        let after = self.seen.saturating_add(sum);
        let passes = after < self.target;
        if passes {
            self.seen = after;
        }
        passes
    }

    /// Walks `counts`, the buckets from index `start`; true once every quantile is placed.
    fn buckets(&mut self, start: usize, counts: &[u64]) -> bool {
        // Locals, not fields, in the loop: they stay in registers.
        let (mut seen, mut target, mut placed) = (self.seen, self.target, self.placed);
        for (i, &n) in counts.iter().enumerate() {
            seen = seen.saturating_add(n);
            if seen < target {
                continue;
            }
            let value = self.value_at(start + i);
            while placed < N && seen >= target {
                self.out[self.ranks.order[placed]] = Some(value);
                placed += 1;
                target = self.ranks.nth(placed);
            }
            if placed == N {
                break;
            }
        }
        (self.seen, self.target, self.placed) = (seen, target, placed);
        placed == N
    }

    /// What a quantile falling in bucket `index` reads (see [`value_in`]).
    fn value_at(&self, index: usize) -> u64 {
        value_in(index, self.overflow, self.min, self.max)
    }
}

#[cfg(test)]
mod tests;
