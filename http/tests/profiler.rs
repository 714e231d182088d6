//! The profiler endpoint over loopback (feature `profiler`):
//! `cargo test -p mutornadomon-std --features profiler --test profiler`
#![cfg(feature = "profiler")]

use mutornadomon_test_support as support;

use mutornadomon_http::Endpoint;
use mutornadomon_std::Monitor;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use support::{get, request};

/// Burns CPU in a function whose name the profile should show.
#[inline(never)]
fn spin_for_the_profiler(stop: &AtomicBool) -> u64 {
    let mut x = 0u64;
    while !stop.load(Ordering::Relaxed) {
        x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(1));
    }
    x
}

#[test]
fn profiles_as_text_and_svg_one_at_a_time_for_loopback_only() {
    let monitor = Monitor::builder().in_memory().start().unwrap();
    let server = Endpoint::new(&monitor)
        .profiler(true)
        .serve("127.0.0.1:0")
        .unwrap();
    let addr = server.local_addr();
    let stop = Arc::new(AtomicBool::new(false));
    let spinner = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || spin_for_the_profiler(&stop))
    };

    // A second profile while one runs is refused; metrics still answer meanwhile.
    let first = std::thread::spawn(move || get(addr, "/profiler?profiletime=600&top=100"));
    std::thread::sleep(std::time::Duration::from_millis(150));
    assert_eq!(get(addr, "/profiler?profiletime=100").status, 409);
    assert_eq!(
        get(addr, "/metrics").status,
        200,
        "the other worker keeps serving metrics"
    );
    let text = first.join().unwrap();
    assert_eq!(text.status, 200, "{}", text.body);
    assert!(
        text.body.starts_with("CPU profile: 600 ms at 99 Hz, "),
        "{}",
        text.body
    );
    // The spinner runs nearly all the time; it calls inlined helpers, so its own (flat) share
    // is small and its cumulative share large.
    let row = text
        .body
        .lines()
        .find(|l| l.ends_with("spin_for_the_profiler"))
        .unwrap_or_else(|| panic!("{}", text.body));
    let cum_percent: f64 = row
        .split_whitespace()
        .nth(3)
        .unwrap()
        .trim_end_matches('%')
        .parse()
        .unwrap();
    assert!(cum_percent > 50.0, "{}", text.body);
    let short = get(addr, "/profiler?profiletime=100&top=3").body;
    assert_eq!(
        short.lines().count(),
        2 + 3,
        "top=3 gives three rows:\n{short}"
    );

    let svg = get(addr, "/profiler?profiletime=200&format=svg");
    assert_eq!(svg.header("content-type"), Some("image/svg+xml"));
    assert!(
        svg.body.contains("<svg"),
        "{}",
        &svg.body[..svg.body.len().min(200)]
    );

    assert_eq!(get(addr, "/profiler?profiletime=600000").status, 400);
    assert_eq!(get(addr, "/profiler?format=pdf").status, 400);
    let spoofed = request(
        addr,
        "GET",
        "/profiler?profiletime=10",
        &[("X-Forwarded-For", "8.8.8.8")],
    );
    assert_eq!(spoofed.status, 403);
    assert_eq!(
        request(addr, "POST", "/profiler", &[("Content-Length", "0")]).status,
        405
    );

    stop.store(true, Ordering::Relaxed);
    spinner.join().unwrap();
}

#[test]
fn the_profiler_is_off_unless_asked_for() {
    let monitor = Monitor::builder().in_memory().start().unwrap();
    let server = Endpoint::new(&monitor).serve("127.0.0.1:0").unwrap();
    assert_eq!(get(server.local_addr(), "/profiler").status, 404);
}
