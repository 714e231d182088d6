//! Numbers read at known places, wherever the words are: a file's bytes (a snapshot, or another
//! process's stats file) or a live region's atomics. A page template reads its numbers through
//! [`Values`], and so does the histogram summary, so a page can be filled from the region
//! itself without copying it first.

use crate::bucket::{bucket_index, bucket_lower, bucket_upper, MAX_BUCKETS};
use crate::layout::SHARD_WORDS;
use crate::parse::{GaugeReading, HistogramSummary};
use crate::sync::{AtomicU64, Ordering};

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

    /// The counter whose value words start at byte `at`: one word, or for `shards > 0` the
    /// wrapping sum of that many shards. Words that are not there read as 0.
    fn counter_at(&self, at: usize, shards: usize) -> u64 {
        let word = |i: usize| self.word(at + i * 8).unwrap_or(0);
        if shards == 0 {
            word(0)
        } else {
            (0..shards).fold(0u64, |sum, s| sum.wrapping_add(word(s * SHARD_WORDS)))
        }
    }

    /// The gauge whose value words start at byte `at` (words that are not there read as 0).
    fn gauge_at(&self, at: usize) -> GaugeReading {
        let word = |i: usize| f64::from_bits(self.word(at + i * 8).unwrap_or(0));
        GaugeReading {
            value: word(0),
            min: word(1),
            max: word(2),
        }
    }
}

/// A live region's words. Loads are Relaxed: every value word is an independent statistic, and
/// the records a page reads were published by the Acquire load of the region's committed end
/// that told the page its layout (see `Region::committed`).
pub(crate) struct Live<'r>(pub(crate) &'r [AtomicU64]);

impl<'r> Live<'r> {
    /// The `n` words from byte `at` that are there (none past the end).
    fn range(&self, at: usize, n: usize) -> &'r [AtomicU64] {
        let start = (at / 8).min(self.0.len());
        let end = start.saturating_add(n).min(self.0.len());
        &self.0[start..end]
    }
}

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

    fn any(&self, at: usize, n: usize) -> bool {
        self.range(at, n)
            .iter()
            .any(|w| w.load(Ordering::Relaxed) != 0)
    }
}

/// Count, min, max and the quantiles `qs` of the histogram whose `buckets` buckets start at
/// byte `buckets_at`, with `min` and `max` as recorded.
///
/// Every value recorded lies between min and max, so every bucket outside theirs is empty:
/// the count and the quantiles read only the buckets from min's to max's (a few dozen of a
/// latency histogram's hundreds). A value recorded while this reads may be left out, as from
/// any read of a histogram being written. The buckets are read into a local buffer of
/// [`CHUNK`] words (2 KiB of stack), once when the span fits, else once per pass.
pub(crate) fn summarize<const N: usize>(
    values: &impl Values,
    buckets_at: usize,
    buckets: usize,
    min: u64,
    max: u64,
    qs: [f64; N],
) -> HistogramSummary<N> {
    let span = span(buckets, min, max);
    let mut chunk = [0u64; CHUNK];
    let mut count = 0u64;
    let mut loaded = None;
    if let Some((first, end)) = span {
        for start in (first..end).step_by(CHUNK) {
            let n = (end - start).min(CHUNK);
            values.copy(buckets_at + start * 8, &mut chunk[..n]);
            count = chunk[..n].iter().fold(count, |c, &b| c.wrapping_add(b));
            loaded = Some(start);
        }
    }
    let extremes = min <= max && (count > 0 || values.any(buckets_at, buckets));
    let (min, max) = if extremes {
        (Some(min), Some(max))
    } else {
        (None, None)
    };
    let quantiles = match (min, max, span) {
        (Some(min), Some(max), Some((first, end))) => {
            let ranks = Ranks::new(qs, count);
            let mut scan = Scan::new(&ranks, max, buckets);
            for start in (first..end).step_by(CHUNK) {
                let n = (end - start).min(CHUNK);
                // A span of one chunk is in the buffer already.
                if loaded != Some(start) {
                    values.copy(buckets_at + start * 8, &mut chunk[..n]);
                    loaded = Some(start);
                }
                if scan.buckets(start, &chunk[..n], min, max) {
                    break;
                }
            }
            scan.out
        }
        _ => [None; N],
    };
    HistogramSummary {
        count,
        min,
        max,
        quantiles,
    }
}

/// Buckets a summary reads into its local buffer at a time.
const CHUNK: usize = 256;

/// The first bucket that can hold a value (min's) and the end of max's, if min and max are in
/// order and there are buckets.
fn span(buckets: usize, min: u64, max: u64) -> Option<(usize, usize)> {
    let last = buckets.checked_sub(1)?;
    if min > max {
        return None;
    }
    let first = bucket_index(min).min(last);
    let end = bucket_index(max).min(last) + 1;
    Some((first, end))
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
        let ranks = qs.map(|q| {
            let q = if q.is_nan() { 0.0 } else { q.clamp(0.0, 1.0) };
            let exact = q * count as f64;
            let floor = exact as u64; // saturating cast; `ceil` is not in core
            let rank = if (floor as f64) < exact {
                floor + 1
            } else {
                floor
            };
            rank.clamp(1, count.max(1))
        });
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
}

/// A walk over the buckets in order, assigning each quantile the bucket its rank falls in.
struct Scan<'r, const N: usize> {
    ranks: &'r Ranks<N>,
    /// Buckets read mid-update may sum to less than the count said: unreached ranks read max.
    out: [Option<u64>; N],
    next: usize,
    seen: u64,
    last: usize,
    overflow: bool,
}

impl<'r, const N: usize> Scan<'r, N> {
    fn new(ranks: &'r Ranks<N>, max: u64, buckets: usize) -> Self {
        Scan {
            ranks,
            out: [Some(max); N],
            next: 0,
            seen: 0,
            last: buckets.saturating_sub(1),
            overflow: buckets < MAX_BUCKETS,
        }
    }

    /// The rank to reach next (none left: never reached).
    fn target(&self) -> u64 {
        let Ranks { ranks, order } = self.ranks;
        order.get(self.next).map_or(u64::MAX, |&i| ranks[i])
    }

    /// Walks `counts`, the buckets from index `start`; true once every quantile is placed.
    /// Blocks of eight that do not reach the next rank are passed over with one (vectorised)
    /// sum, unless a bucket is so large that the sum could wrap.
    fn buckets(&mut self, start: usize, counts: &[u64], min: u64, max: u64) -> bool {
        let mut blocks = counts.chunks_exact(8);
        let mut index = start;
        for block in blocks.by_ref() {
            if self.next == N {
                return true;
            }
            if let Ok(block) = <&[u64; 8]>::try_from(block) {
                let sum = block.iter().fold(0u64, |s, &n| s.wrapping_add(n));
                let or = block.iter().fold(0u64, |o, &n| o | n);
                let after = self.seen.saturating_add(sum);
                if or >> 60 == 0 && after < self.target() {
                    self.seen = after;
                    index += 8;
                    continue;
                }
            }
            self.each(index, block, min, max);
            index += 8;
        }
        self.each(index, blocks.remainder(), min, max);
        self.next == N
    }

    /// Walks `counts` bucket by bucket, from index `start`.
    fn each(&mut self, start: usize, counts: &[u64], min: u64, max: u64) {
        let Ranks { ranks, order } = self.ranks;
        let mut target = self.target();
        for (index, &n) in (start..).zip(counts) {
            self.seen = self.seen.saturating_add(n);
            if self.seen < target {
                continue;
            }
            if self.next == N {
                break;
            }
            let value = if index == self.last && self.overflow {
                max
            } else {
                let (lo, hi) = (bucket_lower(index), bucket_upper(index));
                (lo + (hi - lo) / 2).clamp(min, max)
            };
            while self.next < N && self.seen >= ranks[order[self.next]] {
                self.out[order[self.next]] = Some(value);
                self.next += 1;
            }
            target = self.target();
        }
    }
}
