//! A counting global allocator for the zero-allocation tests. A test binary installs it with
//! `#[global_allocator] static GLOBAL: Counting = Counting;`; those tests run without the
//! harness, so nothing else allocates while they count.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Counts allocations and reallocations, then defers to [`System`].
#[derive(Debug)]
pub struct Counting;

static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

// SAFETY: defers every call to `System` unchanged; counting has no effect on the memory.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as our caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as our caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as our caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Allocations and reallocations so far, by the whole process.
pub fn allocations() -> usize {
    // Relaxed: a count read on the counting thread itself.
    ALLOCATIONS.load(Ordering::Relaxed)
}

/// Panics unless the counter sees a known allocation: otherwise every "zero allocations"
/// check would pass vacuously.
pub fn assert_installed() {
    let before = allocations();
    drop(std::hint::black_box(vec![0u8; 64]));
    assert!(
        allocations() > before,
        "the counting allocator is not installed"
    );
}
