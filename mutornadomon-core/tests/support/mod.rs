//! Helpers shared by the integration tests.
#![allow(dead_code)]

use mutornadomon_core::{parse, AtomicU64, Region, Stats};

/// Zeroed words for a region on the heap (tests only; the library never allocates).
pub fn words(n: usize) -> Vec<AtomicU64> {
    (0..n).map(|_| AtomicU64::new(0)).collect()
}

/// A snapshot of `region` as an owned file image.
pub fn snapshot(region: &Region<'_>) -> Vec<u8> {
    let mut buf = vec![0u8; region.snapshot_len() + 4096];
    let n = region
        .snapshot(&mut buf)
        .expect("buffer sized from snapshot_len");
    buf.truncate(n);
    buf
}

/// Parses, panicking with the error on failure.
pub fn parsed(bytes: &[u8]) -> Stats<'_> {
    parse(bytes).unwrap_or_else(|e| panic!("snapshot does not parse: {e}"))
}
