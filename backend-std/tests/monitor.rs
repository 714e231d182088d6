//! The monitor in-process: publisher contract, statsd lines, timers and loop probes, pages.

use mutornadomon_core::{Meta, Value};
use mutornadomon_std::{Monitor, ScopeTimer, StatsdPublisher};
use std::sync::mpsc;
use std::time::Duration;

#[test]
fn publisher_gets_snapshots_and_its_panics_are_contained() {
    let (tx, rx) = mpsc::channel();
    let monitor = Monitor::builder()
        .in_memory()
        .publish_interval(Duration::from_millis(10))
        .publisher(move |snapshot| {
            let calls = snapshot.stats().unwrap().records().count();
            tx.send(calls).unwrap();
            panic!("publisher bug");
        })
        .start()
        .unwrap();
    for _ in 0..3 {
        rx.recv_timeout(Duration::from_secs(5))
            .expect("the loop goes on after a panic");
    }
    let panics = monitor.counter("publisher_panics", Meta::new()).unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while panics.get() < 3 && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(panics.get() >= 3, "panics counted: {}", panics.get());
}

#[test]
fn statsd_sends_deltas_gauges_and_summaries() {
    let server = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
    server
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let monitor = Monitor::builder().in_memory().start().unwrap();
    let mut statsd = StatsdPublisher::new(server.local_addr().unwrap(), "app.").unwrap();
    let jobs = monitor.counter("jobs", Meta::new()).unwrap();
    let lag = monitor.gauge("lag", Meta::new()).unwrap();
    let h = monitor.histogram("latency", Meta::new()).unwrap();
    jobs.inc_by(5);
    lag.set(0.5);
    h.record(100);
    statsd.publish(&monitor.snapshot());
    jobs.inc_by(2);
    statsd.publish(&monitor.snapshot());
    let receive = || {
        let mut buf = [0u8; 2048];
        let n = server.recv(&mut buf).unwrap();
        String::from_utf8_lossy(&buf[..n]).into_owned()
    };
    let (first, second) = (receive(), receive());
    assert!(first.lines().any(|l| l == "app.jobs:5|c"), "{first}");
    assert!(first.lines().any(|l| l == "app.lag:0.5|g"), "{first}");
    assert!(
        first.lines().any(|l| l == "app.latency.count:1|c"),
        "{first}"
    );
    assert!(
        first.lines().any(|l| l.starts_with("app.latency.p99:")),
        "{first}"
    );
    assert!(
        second.lines().any(|l| l == "app.jobs:2|c"),
        "deltas: {second}"
    );
    assert!(
        second.lines().any(|l| l == "app.latency.count:0|c"),
        "{second}"
    );
}

#[test]
fn scope_timer_and_loop_probe_record() {
    let monitor = Monitor::builder().in_memory().start().unwrap();
    let h = monitor
        .histogram("work_time", Meta::new().unit("nanoseconds"))
        .unwrap();
    {
        let _t = ScopeTimer::new(&h).unwrap();
        std::thread::sleep(Duration::from_millis(5));
    }
    assert!(h.min().unwrap() >= 5_000_000);
    let mut probe = monitor
        .loop_probe("loop_excess", Duration::from_millis(1))
        .unwrap();
    probe.tick();
    std::thread::sleep(Duration::from_millis(30));
    probe.tick();
    let snapshot = monitor.snapshot();
    let stats = snapshot.stats().unwrap();
    let value = |name: &str| {
        stats
            .records()
            .map(Result::unwrap)
            .find(|r| r.name == name)
            .unwrap()
            .value
    };
    let Value::Gauge(g) = value("loop_excess") else {
        panic!()
    };
    assert!(
        g.value >= 0.028,
        "excess over the 1 ms expected: {}",
        g.value
    );
    let Value::Histogram(hist) = value("loop_excess_distribution") else {
        panic!()
    };
    assert_eq!(hist.count(), 1);
}

#[test]
fn info_records_describe_the_writer() {
    let monitor = Monitor::builder()
        .in_memory()
        .program_name("described")
        .start()
        .unwrap();
    let snapshot = monitor.snapshot();
    let stats = snapshot.stats().unwrap();
    let info = |name: &str| match stats
        .records()
        .map(Result::unwrap)
        .find(|r| r.name == name)
        .unwrap()
        .value
    {
        Value::Info(text) => text.to_owned(),
        other => panic!("{other:?}"),
    };
    assert_eq!(info("sys.pid"), std::process::id().to_string());
    assert_eq!(info("sys.program"), "described");
    assert_eq!(info("sys.version"), env!("CARGO_PKG_VERSION"));
    assert!(info("sys.created").parse::<u64>().unwrap() > 1_600_000_000_000_000_000);
    assert_eq!(stats.header().pid, u64::from(std::process::id()));
}

/// Pages come from templates kept per thread: new values show at once, a registration changes
/// the layout and the page with it, pages and formats alternate, and two monitors on one thread
/// never show each other's metrics.
#[test]
fn pages_follow_values_registrations_and_monitors() {
    use mutornadomon_std::MetricsPage;
    let monitor = Monitor::builder().in_memory().start().unwrap();
    let handle = monitor.handle();
    let json = || handle.render_page(MetricsPage::Json, None, false).body;
    let text = |accept: &[u8]| {
        let page = handle.render_page(MetricsPage::Prometheus, Some(accept), false);
        page.body
    };
    monitor.count("jobs", 2).unwrap();
    assert!(json().contains(r#""jobs":2"#));
    monitor.count("jobs", 3).unwrap();
    assert!(json().contains(r#""jobs":5"#), "{}", json());
    assert!(text(b"text/plain").contains("jobs_total 5\n"));
    assert!(text(b"application/openmetrics-text").ends_with("# EOF\n"));

    monitor.kv("queue_depth", 7.5).unwrap(); // mutornadomon's name for a gauge set
    assert!(json().contains(r#""queue_depth":7.5"#), "{}", json());
    assert!(text(b"text/plain").contains("queue_depth 7.5\n"));
    assert!(text(b"application/openmetrics-text").contains("queue_depth 7.5\n"));

    let other = Monitor::builder().in_memory().start().unwrap();
    other.count("elsewhere", 1).unwrap();
    let theirs = other
        .handle()
        .render_page(MetricsPage::Json, None, false)
        .body;
    assert!(theirs.contains(r#""elsewhere":1"#) && !theirs.contains("jobs"));
    assert!(json().contains(r#""jobs":5"#) && !json().contains("elsewhere"));
}

/// Regression: `ScopeTimer` recorded nanoseconds whatever the histogram declared: one 5 ms
/// sleep into a histogram declared in seconds rendered as `request_latency_seconds_sum
/// 5117588`, and in milliseconds as 5,112 "seconds". Durations now go in the declared unit,
/// and a unit they cannot go in is refused.
#[test]
fn durations_are_recorded_in_the_declared_unit_or_refused() {
    let monitor = Monitor::builder().in_memory().start().unwrap();
    let seconds = monitor
        .histogram("request_latency", Meta::new().unit("seconds"))
        .unwrap();
    assert!(
        ScopeTimer::new(&seconds).is_err(),
        "whole seconds would read 5 ms as 0"
    );
    let bytes = monitor
        .histogram("size", Meta::new().unit("bytes"))
        .unwrap();
    assert!(ScopeTimer::new(&bytes).is_err());
    let millis = monitor
        .histogram("handler_time", Meta::new().unit("milliseconds"))
        .unwrap();
    {
        let _t = ScopeTimer::new(&millis).unwrap();
        std::thread::sleep(Duration::from_millis(5));
    }
    let sum = millis.sum();
    assert!((5..1_000).contains(&sum), "{sum} ms");
    // The same handle found again by name (no unit given) still records milliseconds.
    let again = monitor.histogram("handler_time", Meta::new()).unwrap();
    drop(ScopeTimer::new(&again).unwrap());
    let text = monitor
        .snapshot()
        .to_prometheus(mutornadomon_core::TextFormat::Prometheus);
    let line = text
        .lines()
        .find(|l| l.starts_with("handler_time_seconds_sum "))
        .unwrap();
    let seconds: f64 = line.rsplit(' ').next().unwrap().parse().unwrap();
    assert!((0.005..1.0).contains(&seconds), "{line}");
}

/// The publisher rolls the gauge windows; a spike set just before it publishes and rolls is
/// still in the pages and snapshots read after (until a whole window has passed).
#[test]
fn a_spike_before_the_publisher_rolls_is_read_after_it() {
    let (monitor, mut drivers) = Monitor::builder()
        .in_memory()
        .publish_interval(Duration::from_millis(1))
        .publisher(|_| {})
        .start_undriven()
        .unwrap();
    let publisher = &mut drivers.publisher;
    let depth = monitor.gauge("queue_depth", Meta::new()).unwrap();
    let roll = |publisher: &mut mutornadomon_std::PublishDriver| {
        std::thread::sleep(Duration::from_millis(2));
        assert!(publisher.wake(std::time::Instant::now()));
    };
    depth.set(3.0);
    roll(publisher);
    depth.set(250.0); // the spike
    depth.set(3.0);
    roll(publisher); // published and rolled before any reader looked
    let json = monitor.snapshot().to_json();
    assert!(
        json.contains(r#""max_gauges":{"#) && json.contains(r#""queue_depth":250.0"#),
        "{json}"
    );
    roll(publisher); // a whole window without it
    let json = monitor.snapshot().to_json();
    assert!(!json.contains(r#""queue_depth":250"#), "{json}");
}
