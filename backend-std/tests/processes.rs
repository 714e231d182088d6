//! Real processes: a child writer read from here, killed with SIGKILL, stopped with SIGSTOP for
//! the probe accuracy check. The child is this test binary re-run in a "child role".

use mutornadomon_test_support as support;

use mutornadomon_core::{parse, Meta, Value};
use mutornadomon_std::{start_time_ns_of, Monitor, LATENCY_GAUGE, LATENCY_HISTOGRAM};
use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::{Duration, Instant};

const ROLE: &str = "MUTORNADOMON_TEST_CHILD_DIR";

/// The child: a writer with default settings that prints its stats file and waits to be killed.
/// Does nothing when run as a normal test.
#[test]
fn child_writer() {
    let Ok(dir) = std::env::var(ROLE) else { return };
    let monitor = Monitor::builder()
        .stats_dir(dir)
        .program_name("child")
        .start()
        .unwrap();
    monitor
        .counter("child_counter", Meta::new())
        .unwrap()
        .inc_by(42);
    println!("STATS {}", monitor.stats_file().unwrap().display());
    loop {
        std::thread::sleep(Duration::from_secs(1));
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("mutornadomon-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn spawn_child(dir: &Path) -> (Child, PathBuf) {
    support::spawn_child("child_writer", &[(ROLE, dir.display().to_string())])
}

fn signal(child: &Child, signal: libc::c_int) {
    // SAFETY: kill(2) with a pid we spawned and have not reaped; no memory is involved.
    let rc = unsafe { libc::kill(child.id() as libc::pid_t, signal) };
    assert_eq!(rc, 0);
}

#[test]
fn another_process_reads_the_file_and_a_sigkilled_writer_leaves_it_parsable() {
    let dir = temp_dir("sigkill");
    let (mut child, path) = spawn_child(&dir);
    let check = |bytes: &[u8]| {
        let stats = parse(bytes).expect("the file parses");
        assert_eq!(stats.header().pid, u64::from(child.id()));
        let start = start_time_ns_of(&format!("/proc/{}/stat", child.id()));
        assert_eq!(
            Some(stats.header().start_time_ns),
            start,
            "a reader can recompute the start time"
        );
        let counter = stats
            .records()
            .map(Result::unwrap)
            .find(|r| r.name == "child_counter")
            .unwrap();
        assert_eq!(counter.value, Value::Counter(42));
        let pid = stats
            .records()
            .map(Result::unwrap)
            .find(|r| r.name == "sys.pid")
            .unwrap();
        assert_eq!(pid.value, Value::Info(&child.id().to_string()));
    };
    check(&std::fs::read(&path).unwrap());
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    assert!(path.exists(), "a killed writer cannot remove its file");
    let after = std::fs::read(&path).unwrap();
    let stats = parse(&after).expect("still parses after SIGKILL");
    assert!(stats.records().all(|r| r.is_ok()));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_probe_measures_a_sigstop_stall_to_within_a_slice() {
    let dir = temp_dir("sigstop");
    let (mut child, path) = spawn_child(&dir);
    std::thread::sleep(Duration::from_millis(400));
    signal(&child, libc::SIGSTOP);
    let stopped = Instant::now();
    std::thread::sleep(Duration::from_millis(300));
    signal(&child, libc::SIGCONT);
    let stall = stopped.elapsed();
    std::thread::sleep(Duration::from_millis(400)); // let the window report
    let bytes = std::fs::read(&path).unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    let stats = parse(&bytes).unwrap();
    let find = |name: &str| {
        stats
            .records()
            .map(Result::unwrap)
            .find(|r| r.name == name)
            .unwrap()
            .value
    };
    let Value::Gauge(gauge) = find(LATENCY_GAUGE) else {
        panic!()
    };
    let Value::Histogram(histogram) = find(LATENCY_HISTOGRAM) else {
        panic!()
    };
    let stall_ms = stall.as_secs_f64() * 1e3;
    let gauge_ms = gauge.max * 1e3;
    let histogram_ms = histogram.max().unwrap() as f64 / 1e6;
    eprintln!(
        "stall {stall_ms:.1} ms: gauge max {gauge_ms:.1} ms, histogram max {histogram_ms:.1} ms"
    );
    for measured in [gauge_ms, histogram_ms] {
        assert!(
            (measured - stall_ms).abs() <= 20.0,
            "stall {stall_ms:.1} ms reported as {measured:.1} ms"
        );
    }
}

#[test]
fn stop_is_prompt_and_drop_removes_the_file() {
    let dir = temp_dir("stop");
    let monitor = Monitor::builder()
        .stats_dir(&dir)
        .program_name("stopper")
        .start()
        .unwrap();
    let path = monitor.stats_file().unwrap().to_owned();
    assert!(path.exists());
    std::thread::sleep(Duration::from_millis(50));
    let started = Instant::now();
    monitor.stop();
    let took = started.elapsed();
    // A correctness bound, not a benchmark: stopping must not wait out the 10 s publish
    // interval or even the 100 ms probe interval.
    assert!(took < Duration::from_millis(100), "stop took {took:?}");
    // `stop` means what it means in the smol backend: the work ends, the metrics and the
    // file stay until the monitor is dropped.
    assert!(path.exists());
    drop(monitor);
    assert!(!path.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn file_creation_is_exclusive_and_private() {
    use std::os::unix::fs::PermissionsExt;
    let dir = temp_dir("exclusive");
    let monitor = Monitor::builder()
        .stats_dir(&dir)
        .program_name("private")
        .start()
        .unwrap();
    let path = monitor.stats_file().unwrap().to_owned();
    assert_eq!(
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert!(path
        .file_name()
        .unwrap()
        .to_str()
        .unwrap()
        .contains(&std::process::id().to_string()));
    drop(monitor);

    // A symlink planted where the file will go is neither followed nor replaced.
    let victim = dir.join("victim");
    std::fs::write(&victim, b"precious").unwrap();
    std::os::unix::fs::symlink(&victim, &path).unwrap();
    let err = Monitor::builder()
        .stats_dir(&dir)
        .program_name("private")
        .start()
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
    assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
    std::fs::remove_file(&path).unwrap();

    let shared = Monitor::builder()
        .stats_dir(&dir)
        .program_name("private")
        .file_mode(0o640)
        .start()
        .unwrap();
    let mode = std::fs::metadata(shared.stats_file().unwrap())
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o640);
    drop(shared);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Regression: a starting writer's file existed under its name before it was formatted, so a
/// reader scanning the directory at that moment printed "bad magic" (or saw a writer with pid
/// 0). The file now appears only once formatted, with its header and `sys.*` records written.
#[test]
fn a_reader_never_finds_a_starting_writers_file_unformatted() {
    let dir = temp_dir("publish");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = std::thread::spawn({
        let (dir, stop) = (dir.clone(), std::sync::Arc::clone(&stop));
        move || {
            let (mut seen, mut bad) = (0, Vec::new());
            // SeqCst: a plain flag between two threads; nothing else rides on it.
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                    let name = entry.file_name().to_string_lossy().into_owned();
                    if !(name.starts_with("mutornadomon-") && name.ends_with(".stats")) {
                        continue; // a staging name: no reader looks at those
                    }
                    let Ok(bytes) = std::fs::read(entry.path()) else {
                        continue; // removed since the listing: a writer that stopped
                    };
                    seen += 1;
                    match parse(&bytes) {
                        Ok(stats) if stats.header().pid != 0 => {}
                        Ok(_) => bad.push(format!("{name}: pid 0")),
                        Err(e) => bad.push(format!("{name}: {e}")),
                    }
                }
            }
            (seen, bad)
        }
    });
    for i in 0..300 {
        let monitor = Monitor::builder()
            .stats_dir(&dir)
            .program_name(format!("starter{}", i % 3))
            .capacity(1 << 20)
            .start_undriven()
            .unwrap()
            .0;
        assert!(monitor.stats_file().unwrap().exists());
    }
    // SeqCst: see the reader.
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let (seen, bad) = reader.join().unwrap();
    assert!(seen > 0, "the reader saw no file at all");
    let first: Vec<_> = bad.iter().take(3).collect();
    assert!(
        bad.is_empty(),
        "{} of {seen} reads found a file unready, e.g. {first:?}",
        bad.len()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
