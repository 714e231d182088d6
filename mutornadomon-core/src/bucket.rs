//! Log-linear histogram buckets: 16 exact buckets for 0..16, then 16 equal sub-buckets per power
//! of two. A bucket's width is at most 1/16 of its lower bound, so any value is known to within
//! 6.25% (3.125% when reported as the bucket's midpoint).
//!
//! ```
//! use mutornadomon_core::bucket::{bucket_index, bucket_lower, bucket_upper};
//! let i = bucket_index(1_000_000);
//! assert!(bucket_lower(i) <= 1_000_000 && 1_000_000 <= bucket_upper(i));
//! assert!((bucket_upper(i) - bucket_lower(i)) as f64 <= 1_000_000.0 / 16.0);
//! ```

/// Sub-buckets per power of two.
pub const SUB_BUCKETS: usize = 16;
const SUB_BITS: u32 = 4;
/// Buckets needed to cover every `u64`.
pub const MAX_BUCKETS: usize = bucket_index(u64::MAX) + 1;
/// Buckets a histogram gets unless told otherwise: values up to 2^40 - 1 (about 18 minutes in
/// nanoseconds, or a terabyte in bytes) are bucketed; larger ones land in an overflow bucket.
pub const DEFAULT_BUCKETS: usize = buckets_for_max((1 << 40) - 1);

/// The bucket holding `value`.
#[inline]
pub const fn bucket_index(value: u64) -> usize {
    if value < SUB_BUCKETS as u64 {
        value as usize
    } else {
        let exponent = 63 - value.leading_zeros();
        let sub = (value >> (exponent - SUB_BITS)) as usize & (SUB_BUCKETS - 1);
        (exponent - SUB_BITS + 1) as usize * SUB_BUCKETS + sub
    }
}

/// The smallest value bucket `index` holds. Indexes past [`MAX_BUCKETS`] saturate to the last.
pub const fn bucket_lower(index: usize) -> u64 {
    let index = if index < MAX_BUCKETS {
        index
    } else {
        MAX_BUCKETS - 1
    };
    if index < SUB_BUCKETS {
        index as u64
    } else {
        let shift = (index / SUB_BUCKETS - 1) as u32;
        ((SUB_BUCKETS + index % SUB_BUCKETS) as u64) << shift
    }
}

/// The largest value bucket `index` holds (inclusive).
pub const fn bucket_upper(index: usize) -> u64 {
    let index = if index < MAX_BUCKETS {
        index
    } else {
        MAX_BUCKETS - 1
    };
    if index < SUB_BUCKETS {
        index as u64
    } else {
        let shift = (index / SUB_BUCKETS - 1) as u32;
        bucket_lower(index) + ((1u64 << shift) - 1)
    }
}

/// Buckets needed so that every value up to `max` has its own bucket, plus one overflow bucket
/// for larger values (none is needed when `max`'s bucket already reaches `u64::MAX`).
///
/// A histogram of `n` buckets whose `n` is below [`MAX_BUCKETS`] treats its last bucket as the
/// overflow bucket: it holds every value from [`bucket_lower`]`(n - 1)` up.
pub const fn buckets_for_max(max: u64) -> usize {
    let exact = bucket_index(max) + 1;
    if exact < MAX_BUCKETS {
        exact + 1
    } else {
        exact
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_tile_the_u64_range() {
        assert_eq!(bucket_lower(0), 0);
        for i in 1..MAX_BUCKETS {
            assert_eq!(
                bucket_lower(i),
                bucket_upper(i - 1) + 1,
                "gap before bucket {i}"
            );
        }
        assert_eq!(bucket_upper(MAX_BUCKETS - 1), u64::MAX);
        assert_eq!(MAX_BUCKETS, 976);
        assert_eq!(DEFAULT_BUCKETS, 593);
        assert_eq!(buckets_for_max(u64::MAX), MAX_BUCKETS);
        assert_eq!(buckets_for_max(15), 17);
    }

    #[test]
    fn index_agrees_with_bounds_and_error_is_bounded() {
        let probes = [
            0,
            1,
            15,
            16,
            17,
            31,
            32,
            33,
            1000,
            65_535,
            65_536,
            1 << 40,
            u64::MAX - 1,
        ];
        for &v in probes.iter().chain(&[u64::MAX]) {
            let i = bucket_index(v);
            assert!(
                bucket_lower(i) <= v && v <= bucket_upper(i),
                "value {v} bucket {i}"
            );
            let width = bucket_upper(i) - bucket_lower(i);
            assert!(
                width as f64 <= v as f64 / 16.0,
                "bucket {i} too wide for {v}"
            );
        }
    }
}
