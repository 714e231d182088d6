//! The Python reader in `tools/read_stats.py`, written from FORMAT.md alone, reads files the
//! Rust writer wrote and finds the same values as the Rust parser.

use mutornadomon_core::{parse, Meta, Value};
use mutornadomon_std::Monitor;
use std::process::Command;

#[test]
fn python_reads_what_rust_wrote() {
    let dir = std::env::temp_dir().join(format!("mutornadomon-python-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let monitor = Monitor::builder()
        .stats_dir(&dir)
        .program_name("pyread")
        .start()
        .unwrap();
    monitor
        .counter("requests", Meta::new().help("Requests served"))
        .unwrap()
        .inc_by(42);
    let g = monitor
        .gauge("temperature", Meta::new().unit("celsius"))
        .unwrap();
    g.set(-3.25);
    g.set(21.5);
    let h = monitor
        .histogram("latency", Meta::new().unit("nanoseconds"))
        .unwrap();
    for v in [0, 7, 1_000, 123_456, 1 << 45] {
        h.record(v);
    }
    monitor
        .sharded_counter("jobs", Meta::new(), 2)
        .unwrap()
        .inc_by(9);
    // Both readers read one copy: the live file moves every 100 ms (the latency probe).
    let path = dir.join("copy.stats");
    std::fs::copy(monitor.stats_file().unwrap(), &path).unwrap();

    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../read_stats.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(&path)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let python: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let stats = parse(&bytes).unwrap();
    assert_eq!(python["header"]["pid"], stats.header().pid);
    assert_eq!(
        python["header"]["start_time_ns"],
        stats.header().start_time_ns
    );
    assert_eq!(python["header"]["capacity"], stats.header().capacity);
    let mut compared = 0;
    for record in stats.records().map(Result::unwrap) {
        let p = &python["metrics"][record.name];
        assert_eq!(p["help"], record.help, "{}", record.name);
        assert_eq!(p["unit"], record.unit, "{}", record.name);
        match record.value {
            Value::Counter(n) => assert_eq!(p["value"], n, "{}", record.name),
            Value::Gauge(g) => {
                let got = (p["value"].as_f64(), p["min"].as_f64(), p["max"].as_f64());
                assert_eq!(
                    got,
                    (Some(g.value), Some(g.min), Some(g.max)),
                    "{}",
                    record.name
                );
            }
            Value::Histogram(h) => {
                assert_eq!(p["count"], h.count());
                assert_eq!(p["sum"], h.sum());
                assert_eq!((p["min"].as_u64(), p["max"].as_u64()), (h.min(), h.max()));
                let buckets = p["buckets"].as_object().unwrap();
                for (index, count) in buckets {
                    assert_eq!(h.bucket(index.parse().unwrap()), count.as_u64().unwrap());
                }
            }
            Value::Info(text) => assert_eq!(p["value"], text),
        }
        compared += 1;
    }
    assert_eq!(
        compared,
        python["metrics"].as_object().unwrap().len(),
        "the same set of metrics"
    );
    assert!(compared >= 10);

    // And it refuses what is not a stats file, as the Rust parser does.
    let junk = dir.join("junk");
    std::fs::write(&junk, b"MUTMSTAT but far too short").unwrap();
    let out = Command::new("python3")
        .arg(script)
        .arg(&junk)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    drop(monitor);
    std::fs::remove_dir_all(&dir).unwrap();
}
