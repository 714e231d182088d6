//! What answering the monitor's pages costs, per request, with the smol sample application's
//! metrics registered (request accounting, task timing, the lag probe, info records).
//!
//! `cargo bench -p mutornadomon-smol --bench endpoint`

use mutornadomon_smol::{AsyncMonitor, Monitor, Request};
use std::sync::OnceLock;
use std::time::Duration;

fn monitor() -> &'static AsyncMonitor {
    static MONITOR: OnceLock<AsyncMonitor> = OnceLock::new();
    MONITOR.get_or_init(|| {
        let (monitor, _tasks) =
            AsyncMonitor::start(Monitor::builder().in_memory()).expect("monitor starts");
        let accounting = monitor.request_accounting().unwrap();
        let timing = monitor.task_timing().unwrap();
        for i in 0..1000u64 {
            accounting.start(Some([127, 0, 0, 1].into())).finish(200);
            timing.record_poll(Duration::from_nanos(1000 + i * 37));
        }
        monitor.count("ticks", 15).unwrap();
        monitor
    })
}

fn main() {
    divan::main();
}

fn answer(path: &str) -> usize {
    let headers = [("Host", &b"127.0.0.1:8081"[..])];
    let request = Request::new("GET", path, Some([127, 0, 0, 1].into()), &headers);
    let endpoint = monitor().endpoint();
    endpoint.respond(&request).map_or(0, |r| r.body().len())
}

#[divan::bench]
fn json_page() -> usize {
    answer(divan::black_box("/mutornadomon"))
}

#[divan::bench]
fn prometheus_page() -> usize {
    answer(divan::black_box("/metrics"))
}

#[divan::bench]
fn snapshot_only() -> usize {
    monitor().snapshot().as_bytes().len()
}
