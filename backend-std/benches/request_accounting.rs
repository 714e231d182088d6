//! What request accounting costs per request, next to what else a request costs.
//!
//! `cargo bench -p mutornadomon-std --bench request_accounting`
//!
//! At the HTTP level the monitoring overhead drowns in this machine's noise (see
//! BENCHMARKS.md), so it is measured here directly: the accounting's start + finish, the same
//! plus a scope timer, a bare atomic add (the floor), and the sample app's own `/` work
//! (formatting `HELO <ip>`) for scale.

use mutornadomon_core::Meta;
use mutornadomon_std::{Monitor, ScopeTimer};
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

fn monitor() -> &'static Monitor {
    static MONITOR: OnceLock<Monitor> = OnceLock::new();
    MONITOR.get_or_init(|| {
        Monitor::builder()
            .in_memory()
            .start()
            .expect("monitor starts")
    })
}

fn main() {
    divan::main();
}

#[divan::bench]
fn floor_one_atomic_add() -> u64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    COUNTER.fetch_add(1, Ordering::Relaxed)
}

#[divan::bench]
fn request_accounting_start_finish(bencher: divan::Bencher) {
    let accounting = monitor().request_accounting().unwrap();
    let peer: IpAddr = "127.0.0.1".parse().unwrap();
    bencher.bench_local(|| accounting.start(Some(divan::black_box(peer))).finish(200));
}

#[divan::bench]
fn request_accounting_plus_scope_timer(bencher: divan::Bencher) {
    let accounting = monitor().request_accounting().unwrap();
    let handler_time = monitor()
        .histogram("handler_time", Meta::new().unit("nanoseconds"))
        .unwrap();
    let peer: IpAddr = "127.0.0.1".parse().unwrap();
    bencher.bench_local(|| {
        let timer = accounting.start(Some(divan::black_box(peer)));
        drop(ScopeTimer::new(&handler_time).unwrap());
        timer.finish(200);
    });
}

#[divan::bench]
fn sample_app_own_work_helo_body() -> String {
    let peer: IpAddr = divan::black_box("127.0.0.1".parse().unwrap());
    format!("HELO {}", peer)
}
