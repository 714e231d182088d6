//! The two histogram summaries (with and without feature `perf`) agree.

use super::{bucket_by_bucket, in_blocks, Buckets, Values, QUANTILES};
use crate::words::Words;
use proptest::prelude::*;
use std::vec::Vec;

/// Both summaries of `buckets` words (from byte 0) with these min and max.
fn both<V: Values>(values: &V, len: usize, min: u64, max: u64, qs: [f64; 4]) {
    let histogram = Buckets {
        at: 0,
        len,
        min,
        max,
    };
    let fast = in_blocks(values, &histogram, qs);
    let small = bucket_by_bucket(values, &histogram, qs);
    assert_eq!(fast, small, "{len} buckets, min {min}, max {max}, {qs:?}");
}

proptest! {
    /// The size-first summary (without feature `perf`) gives what the block walk gives,
    /// whatever the words hold (counts whose sums wrap, a word of 2^60 or more in a
    /// block, nothing at all) and wherever min and max fall, from a file's bytes in
    /// either byte order and from a live region's words.
    #[test]
    fn the_bucket_by_bucket_summary_is_the_block_summary(
        words in proptest::collection::vec(prop_oneof![
            12 => Just(0u64),
            4 => 0u64..1_000,
            1 => (1u64 << 59)..=u64::MAX,
        ], 1..=401),
        min_shift in 0u32..=64,
        max_shift in 0u32..=64,
        (min, max) in (any::<u64>(), any::<u64>()),
        // Max a few buckets above min: short spans, ranks falling in max's bucket.
        near in proptest::option::of(0u64..256),
        qs in prop_oneof![Just(QUANTILES), proptest::array::uniform4(0.0..=1.0f64)],
        swap in any::<bool>(),
    ) {
        let min = min.checked_shr(min_shift).unwrap_or(0);
        let max = match near {
            Some(delta) => min.saturating_add(delta),
            None => max.checked_shr(max_shift).unwrap_or(0),
        };
        let bytes: Vec<u8> = words
            .iter()
            .flat_map(|&w| if swap { w.swap_bytes() } else { w }.to_ne_bytes())
            .collect();
        both(&Words { bytes: &bytes, swap }, words.len(), min, max, qs);
        #[cfg(any(feature = "templates", feature = "statsd"))]
        {
            let atomics: Vec<_> = words.iter().map(|&w| crate::sync::AtomicU64::new(w)).collect();
            both(&super::Live(&atomics), words.len(), min, max, qs);
        }
    }
}

#[test]
fn an_empty_histogram_has_no_extremes_either_way() {
    let words = [0u8; 8 * 145];
    let histogram = Buckets {
        at: 0,
        len: 145,
        min: u64::MAX,
        max: 0,
    };
    let words = Words {
        bytes: &words,
        swap: false,
    };
    let small = bucket_by_bucket(&words, &histogram, QUANTILES);
    assert_eq!(small, in_blocks(&words, &histogram, QUANTILES));
    assert_eq!((small.count, small.min, small.max), (0, None, None));
}
