//! Proves the per-request and per-update paths allocate nothing: request accounting, scope
//! timers, loop probe ticks, and by-name updates through the monitor. No test harness (see
//! Cargo.toml), so nothing else allocates while we count.

use mutornadomon_core::Meta;
use mutornadomon_std::{Monitor, ScopeTimer};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

struct Counting;

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

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made by this thread are what we count; the monitor's own threads allocate
/// (process stats read /proc), so they are paused by a long probe interval and no publisher.
fn main() {
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    drop(std::hint::black_box(vec![0u8; 64]));
    assert!(
        ALLOCATIONS.load(Ordering::Relaxed) > before,
        "the counting allocator is not installed"
    );

    let monitor = Monitor::builder()
        .in_memory()
        .probe_interval(Duration::from_secs(3600))
        .probe_resolution(Duration::from_secs(3600))
        .publish_interval(Duration::from_secs(3600))
        .start()
        .unwrap();
    let accounting = monitor.request_accounting().unwrap();
    let histogram = monitor.histogram("work", Meta::new()).unwrap();
    let mut probe = monitor
        .loop_probe("loop", Duration::from_micros(1))
        .unwrap();
    monitor.count("by_name", 1).unwrap();
    monitor.kv("by_name_gauge", 1.0).unwrap();
    std::thread::sleep(Duration::from_millis(50)); // let the threads settle into their waits

    let before = ALLOCATIONS.load(Ordering::Relaxed);
    for i in 0..10_000u16 {
        let timer = accounting.start(Some("127.0.0.1".parse().unwrap()));
        timer.finish(200 + i % 300);
        drop(ScopeTimer::new(histogram));
        probe.tick();
        monitor.count("by_name", 1).unwrap();
        monitor.kv("by_name_gauge", f64::from(i)).unwrap();
    }
    let allocated = ALLOCATIONS.load(Ordering::Relaxed) - before;
    assert_eq!(allocated, 0, "the update paths allocated {allocated} times");
    println!("ok: 10,000 rounds of request accounting, scope timer, loop tick and by-name updates: 0 allocations");
}
