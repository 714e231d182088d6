//! The async monitor's tasks: executor lag accuracy, task timing, the publisher, prompt stop.

use mutornadomon_core::Meta;
use mutornadomon_smol::{AsyncMonitor, LATENCY_GAUGE, LATENCY_HISTOGRAM};
use mutornadomon_std::Monitor;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The accuracy case: a task that blocks the executor's only thread for 200 ms must
/// read as 180-220 ms of lag with default settings.
#[test]
fn a_200ms_block_reads_as_180_to_220ms_of_lag() {
    let (monitor, tasks) = AsyncMonitor::start(Monitor::builder().in_memory()).unwrap();
    let ex = smol::Executor::new();
    let tasks = ex.spawn(tasks);
    smol::block_on(ex.run(async {
        // Let the probe settle, block the thread, then let the window close.
        smol::Timer::after(Duration::from_millis(250)).await;
        std::thread::sleep(Duration::from_millis(200));
        smol::Timer::after(Duration::from_millis(250)).await;
    }));
    let gauge = monitor.gauge(LATENCY_GAUGE, Meta::new()).unwrap();
    let histogram = monitor.histogram(LATENCY_HISTOGRAM, Meta::new()).unwrap();
    let worst = gauge.max();
    assert!((0.180..=0.220).contains(&worst), "worst lag {worst} s");
    let worst_ns = histogram.max().unwrap();
    assert!(
        (180_000_000..=220_000_000).contains(&worst_ns),
        "{worst_ns} ns"
    );
    // The windows around the block read as (nearly) no lag.
    assert!(gauge.get() < 0.05, "last window {}", gauge.get());
    monitor.stop();
    smol::block_on(ex.run(tasks));
}

#[test]
fn task_timing_counts_polls_slow_polls_and_the_busy_ratio() {
    let (monitor, tasks) = AsyncMonitor::start(Monitor::builder().in_memory()).unwrap();
    // As far above the 2 ms polls below as the 20 ms one allows (a 20 ms sleep never takes
    // less): on a loaded 2-core machine a 2 ms sleep overran a 5 ms threshold (2 runs in 6
    // with two busy loops beside it), and once a 15 ms one (the workspace's ignored tests
    // running beside it).
    let timing = monitor
        .task_timing()
        .unwrap()
        .slow_poll_threshold(Duration::from_millis(19));
    let ex = smol::Executor::new();
    let tasks = ex.spawn(tasks);
    smol::block_on(ex.run(async {
        // Three polls: two fast, then one that holds the thread 20 ms; the third wake ends it.
        timing
            .instrument(async {
                smol::Timer::after(Duration::from_millis(1)).await;
                smol::future::yield_now().await;
                std::thread::sleep(Duration::from_millis(20));
            })
            .await;
        // Half busy for a few probe windows, and for at least 60 polls however slowly a
        // loaded machine runs the loop (a fixed time alone once gave fewer than 50).
        let busy_until = Instant::now() + Duration::from_millis(400);
        let mut rounds = 0;
        while Instant::now() < busy_until || rounds < 60 {
            rounds += 1;
            timing
                .instrument(async { std::thread::sleep(Duration::from_millis(2)) })
                .await;
            smol::Timer::after(Duration::from_millis(2)).await;
        }
    }));
    let polls = monitor
        .counter("callbacks_processed", Meta::new())
        .unwrap()
        .get();
    let slow = monitor
        .counter("slow_callbacks", Meta::new())
        .unwrap()
        .get();
    assert!(polls >= 3 + 50, "{polls} polls");
    assert_eq!(slow, 1, "only the 20 ms poll is slow");
    let durations = monitor.histogram("callback_duration", Meta::new()).unwrap();
    assert_eq!(durations.count(), polls);
    assert!(durations.max().unwrap() >= 20_000_000);
    let busy = monitor.gauge("executor_busy_ratio", Meta::new()).unwrap();
    assert!(
        (0.2..=0.8).contains(&busy.get()),
        "busy ratio {}",
        busy.get()
    );
    monitor.stop();
    smol::block_on(ex.run(tasks));
}

#[test]
fn the_publisher_task_publishes_contains_panics_and_rolls_windows() {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = Arc::clone(&calls);
    let builder = Monitor::builder()
        .in_memory()
        .publish_interval(Duration::from_millis(50))
        .publisher(move |snapshot| {
            let n = seen.fetch_add(1, Ordering::SeqCst);
            assert!(snapshot.to_json().contains("\"counters\""));
            if n == 1 {
                panic!("publisher failure on purpose");
            }
        });
    let (monitor, tasks) = AsyncMonitor::start(builder).unwrap();
    monitor.kv("depth", 9.0).unwrap();
    monitor.kv("depth", 1.0).unwrap();
    let ex = smol::Executor::new();
    let tasks = ex.spawn(tasks);
    let started = Instant::now();
    smol::block_on(ex.run(async {
        while calls.load(Ordering::SeqCst) < 4 && started.elapsed() < Duration::from_secs(10) {
            smol::Timer::after(Duration::from_millis(5)).await;
        }
    }));
    let n = calls.load(Ordering::SeqCst);
    assert!(n >= 4, "{n} publications");
    // Correctness bound (loose for a loaded machine): four 50 ms intervals, not a burst.
    assert!(
        started.elapsed() >= Duration::from_millis(190),
        "{:?}",
        started.elapsed()
    );
    let panics = monitor.counter("publisher_panics", Meta::new()).unwrap();
    assert_eq!(panics.get(), 1);
    let depth = monitor.gauge("depth", Meta::new()).unwrap();
    assert_eq!(depth.max(), 1.0, "the window rolled after publishing");
    let started = Instant::now();
    monitor.stop();
    smol::block_on(ex.run(tasks));
    assert!(
        started.elapsed() < Duration::from_millis(50),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn the_probe_writes_the_heartbeat_and_process_stats() {
    let dir = std::env::temp_dir().join(format!("mutornadomon-smol-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (monitor, tasks) = AsyncMonitor::start(Monitor::builder().stats_dir(&dir)).unwrap();
    let path = monitor.stats_file().unwrap().to_owned();
    let before = std::fs::read(&path).unwrap();
    let ex = smol::Executor::new();
    let tasks = ex.spawn(tasks);
    smol::block_on(ex.run(smol::Timer::after(Duration::from_millis(250))));
    let after = std::fs::read(&path).unwrap();
    let heartbeat = |bytes: &[u8]| {
        mutornadomon_core::parse(bytes)
            .unwrap()
            .header()
            .heartbeat_ns
    };
    assert!(heartbeat(&after) > heartbeat(&before), "heartbeat advanced");
    assert!(monitor.process_stats().rss_bytes > 0);
    monitor.stop();
    smol::block_on(ex.run(tasks));
    assert!(path.exists(), "the file lives as long as the monitor");
    drop(monitor);
    assert!(
        !path.exists(),
        "stats file removed when the monitor is dropped"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
