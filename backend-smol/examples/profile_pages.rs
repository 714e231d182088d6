//! Renders one of the endpoint's pages N times and prints the time per page: a target for
//! `valgrind --tool=callgrind` when working on rendering speed.
//!
//! `cargo run --release -p mutornadomon-smol --example profile_pages -- /metrics 10000`

use mutornadomon_core::Meta;
use mutornadomon_smol::{AsyncMonitor, Endpoint, Monitor, Request, LATENCY_HISTOGRAM};
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
    // The tails a page shows after a load run (`wrk` against the smol sample application):
    // polls and request times from ~1.4 µs to ~2 ms, lag samples from ~0.1 to ~10 ms, so the
    // summaries read the ~100-180 buckets between min and max a served page reads.
    for ns in [1_400, 80_000, 170_000, 240_000, 2_480_000] {
        timing.record_poll(Duration::from_nanos(ns));
    }
    let nanoseconds = |help| Meta::new().help(help).unit("nanoseconds");
    let requests = monitor
        .histogram(
            "request_duration",
            nanoseconds("Time from request start to response"),
        )
        .unwrap();
    for ns in [1_322, 1_503, 2_111, 4_479, 1_873_790] {
        requests.record(ns);
    }
    let lag = monitor
        .histogram(
            LATENCY_HISTOGRAM,
            nanoseconds("Worst lateness of the monitor's timer per probe interval"),
        )
        .unwrap();
    for ns in [137_904, 225_279, 368_639, 9_839_883] {
        lag.record(ns);
    }
    let endpoint = monitor.endpoint();
    let headers = [("Host", &b"127.0.0.1:8081"[..])];
    let request = Request::new("GET", &path, Some([127, 0, 0, 1].into()), &headers);
    let started = Instant::now();
    let mut bytes = 0;
    let mut head = Vec::new();
    for _ in 0..n {
        // As a connection does: the head goes into the room before the page, and the buffer
        // comes back for recycling once written, so the next page is rendered into a warm
        // buffer, not a new zeroed one.
        if let Some(response) = endpoint.respond(&request) {
            bytes += response.body().len();
            let (buffer, _) = response.place_head(&mut head, false, false);
            Endpoint::recycle(buffer);
        }
    }
    println!(
        "{path}: {:?} per page, {} bytes",
        started.elapsed() / n,
        bytes / n as usize
    );
}
