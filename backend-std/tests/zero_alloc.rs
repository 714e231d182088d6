//! Proves the per-request and per-update paths allocate nothing: request accounting, scope
//! timers, loop probe ticks, and by-name updates through the monitor. No test harness (see
//! Cargo.toml), so nothing else allocates while we count.

use mutornadomon_core::Meta;
use mutornadomon_std::{Monitor, ScopeTimer};
use std::time::Duration;

use mutornadomon_test_support::counting_alloc::{self, Counting};

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made by this thread are what we count; the monitor's own threads allocate
/// (process stats read /proc), so they are paused by a long probe interval and no publisher.
fn main() {
    counting_alloc::assert_installed();

    let monitor = Monitor::builder()
        .in_memory()
        .probe_interval(Duration::from_secs(3600))
        .probe_resolution(Duration::from_secs(3600))
        .publish_interval(Duration::from_secs(3600))
        .start()
        .unwrap();
    let accounting = monitor.request_accounting().unwrap();
    let histogram = monitor
        .histogram("work", Meta::new().unit("nanoseconds"))
        .unwrap();
    let mut probe = monitor
        .loop_probe("loop", Duration::from_micros(1))
        .unwrap();
    monitor.count("by_name", 1).unwrap();
    monitor.kv("by_name_gauge", 1.0).unwrap();
    std::thread::sleep(Duration::from_millis(50)); // let the threads settle into their waits

    let before = counting_alloc::allocations();
    for i in 0..10_000u16 {
        let timer = accounting.start(Some("127.0.0.1".parse().unwrap()));
        timer.finish(200 + i % 300);
        drop(ScopeTimer::new(&histogram).unwrap());
        probe.tick();
        monitor.count("by_name", 1).unwrap();
        monitor.kv("by_name_gauge", f64::from(i)).unwrap();
    }
    let allocated = counting_alloc::allocations() - before;
    assert_eq!(allocated, 0, "the update paths allocated {allocated} times");
    println!("ok: 10,000 rounds of request accounting, scope timer, loop tick and by-name updates: 0 allocations");
}
