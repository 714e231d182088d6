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

    /// The eight words from byte `at`, each read once (0 where there is none).
    fn block(&self, at: usize) -> [u64; 8] {
        core::array::from_fn(|i| self.word(at + i * 8).unwrap_or(0))
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

impl Values for Live<'_> {
    fn word(&self, at: usize) -> Option<u64> {
        self.0.get(at / 8).map(|w| w.load(Ordering::Relaxed))
    }

    fn block(&self, at: usize) -> [u64; 8] {
        let mut block = [0; 8];
        let start = (at / 8).min(self.0.len());
        let end = start.saturating_add(8).min(self.0.len());
        for (b, w) in block.iter_mut().zip(&self.0[start..end]) {
            *b = w.load(Ordering::Relaxed);
        }
        block
    }

    fn sum(&self, at: usize, n: usize) -> u64 {
        let start = (at / 8).min(self.0.len());
        let end = start.saturating_add(n).min(self.0.len());
        self.0[start..end]
            .iter()
            .fold(0u64, |s, w| s.wrapping_add(w.load(Ordering::Relaxed)))
    }

    fn any(&self, at: usize, n: usize) -> bool {
        let start = (at / 8).min(self.0.len());
        let end = start.saturating_add(n).min(self.0.len());
        self.0[start..end]
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
/// any read of a histogram being written.
pub(crate) fn summarize<const N: usize>(
    values: &impl Values,
    buckets_at: usize,
    buckets: usize,
    min: u64,
    max: u64,
    qs: [f64; N],
) -> HistogramSummary<N> {
    let span = span(buckets, min, max);
    let count = span.map_or(0, |(first, end)| {
        values.sum(buckets_at + first * 8, end - first)
    });
    let extremes = min <= max && (count > 0 || values.any(buckets_at, buckets));
    let (min, max) = if extremes {
        (Some(min), Some(max))
    } else {
        (None, None)
    };
    let quantiles = match (min, max, span) {
        (Some(min), Some(max), Some(span)) => {
            let histogram = Span {
                values,
                buckets_at,
                buckets,
                span,
            };
            histogram.quantiles(qs, count, min, max)
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

/// A histogram's buckets between min's and max's.
struct Span<'v, V> {
    values: &'v V,
    buckets_at: usize,
    buckets: usize,
    span: (usize, usize),
}

impl<V: Values> Span<'_, V> {
    fn quantiles<const N: usize>(
        &self,
        qs: [f64; N],
        count: u64,
        min: u64,
        max: u64,
    ) -> [Option<u64>; N] {
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
        // The ranks' indices in ascending rank order (insertion sort: N is a handful), so each
        // bucket is compared with the lowest rank not yet reached only.
        let mut order: [usize; N] = core::array::from_fn(|i| i);
        for i in 1..N {
            let mut j = i;
            while j > 0 && ranks[order[j - 1]] > ranks[order[j]] {
                order.swap(j - 1, j);
                j -= 1;
            }
        }
        // Buckets read mid-update may sum to less than `count` said: unreached ranks read max.
        let mut out = [Some(max); N];
        let mut next = 0;
        let last = self.buckets - 1;
        let overflow = self.buckets < MAX_BUCKETS;
        let mut seen = 0u64;
        // Buckets are read in blocks of eight; a block that does not reach the next rank is
        // passed over whole, the others bucket by bucket.
        let (first, end) = self.span;
        for start in (first..end).step_by(8) {
            if next == N {
                break;
            }
            // Each bucket is read once; the words past `end` (the span's last block) are not
            // this histogram's to count.
            let block = self.values.block(self.buckets_at + start * 8);
            let block = &block[..(end - start).min(8)];
            let total = block.iter().fold(seen, |s, &n| s.saturating_add(n));
            if total < ranks[order[next]] {
                seen = total;
                continue;
            }
            for (index, &n) in (start..).zip(block) {
                seen = seen.saturating_add(n);
                if next == N || seen < ranks[order[next]] {
                    continue;
                }
                let value = if index == last && overflow {
                    max
                } else {
                    let (lo, hi) = (bucket_lower(index), bucket_upper(index));
                    (lo + (hi - lo) / 2).clamp(min, max)
                };
                while next < N && seen >= ranks[order[next]] {
                    out[order[next]] = Some(value);
                    next += 1;
                }
            }
        }
        out
    }
}
