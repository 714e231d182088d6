//! Renders one of the endpoint's pages N times and prints the time per page: a target for
//! `valgrind --tool=callgrind` when working on rendering speed.
//!
//! `cargo run --release -p mutornadomon-smol --example profile_pages -- /metrics 10000`

use mutornadomon_smol::{AsyncMonitor, Request};
use mutornadomon_std::Monitor;
use std::time::{Duration, Instant};

fn main() {
    let path = std::env::args().nth(1).unwrap_or("/mutornadomon".into());
    let n: u32 = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let (monitor, _tasks) = AsyncMonitor::start(Monitor::builder().in_memory()).unwrap();
    let accounting = monitor.request_accounting().unwrap();
    let timing = monitor.task_timing().unwrap();
    for i in 0..1000u64 {
        accounting.start(Some([127, 0, 0, 1].into())).finish(200);
        timing.record_poll(Duration::from_nanos(1000 + i * 37));
    }
    let endpoint = monitor.endpoint();
    let headers = [("Host", &b"127.0.0.1:8081"[..])];
    let request = Request::new("GET", &path, Some([127, 0, 0, 1].into()), &headers);
    let started = Instant::now();
    let mut bytes = 0;
    for _ in 0..n {
        bytes += endpoint.respond(&request).map_or(0, |r| r.body().len());
    }
    println!(
        "{path}: {:?} per page, {} bytes",
        started.elapsed() / n,
        bytes / n as usize
    );
}
