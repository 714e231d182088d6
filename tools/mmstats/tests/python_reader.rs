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
    let by_route = monitor
        .histogram_family(
            "route_latency",
            Meta::new().unit("nanoseconds"),
            &["route", "method"],
            2,
        )
        .unwrap();
    by_route
        .series(&["/a \"quoted\" \\", "GET"])
        .unwrap()
        .record(1_000);
    by_route.series(&["/b", "ünï"]).unwrap().record(7);
    by_route.series(&["/c", "POST"]).unwrap().record(9); // past the limit: folded
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
        let key = if record.labels.is_empty() {
            record.name.to_owned()
        } else {
            let pairs: Vec<_> = record
                .labels
                .iter()
                .map(|(k, v)| format!("{k}=\"{}\"", v.replace('\\', "\\\\").replace('"', "\\\"")))
                .collect();
            format!("{}{{{}}}", record.name, pairs.join(","))
        };
        let p = &python["metrics"][&key];
        assert!(p.is_object(), "python did not read {key}");
        if !record.labels.is_empty() {
            let labels: serde_json::Map<_, _> = record
                .labels
                .iter()
                .map(|(k, v)| (k.to_owned(), serde_json::Value::from(v)))
                .collect();
            assert_eq!(p["labels"], serde_json::Value::Object(labels));
        }
        let record = &record;
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

/// A small region holding every kind, with help, units and info text (non-ASCII included).
fn every_kind_image() -> Vec<u8> {
    use mutornadomon_core::Storage;
    let storage = Storage::<512>::new();
    let region = storage.region();
    region.set_pid(4242);
    region
        .counter("requests", Meta::new().help("Requests served"))
        .unwrap()
        .inc_by(42);
    region
        .gauge("temp.c", Meta::new().unit("celsius").help("Température"))
        .unwrap()
        .set(-3.25);
    region
        .histogram_with_max("lat", Meta::new().unit("nanoseconds"), 31)
        .unwrap()
        .record(20);
    region
        .sharded_counter("jobs", Meta::new(), 1)
        .unwrap()
        .inc_by(9);
    region.info("build", Meta::new(), "v1 ✓").unwrap();
    let family = region
        .counter_family("req", Meta::new().help("By status"), &["code", "m"], 2)
        .unwrap();
    family.series(&["200", "ü\"x"]).unwrap().inc_by(3);
    region
        .gauge_family("depth", Meta::new(), &["q"], 1)
        .unwrap()
        .series(&[""])
        .unwrap()
        .set(2.5);
    let mut image = vec![0u8; region.snapshot_len()];
    let n = region.snapshot(&mut image).unwrap();
    image.truncate(n);
    image
}

/// The Rust verdict: the header parses and every record reads whole (help, unit, values).
fn rust_accepts(bytes: &[u8]) -> bool {
    parse(bytes).is_ok_and(|stats| stats.records().all(|r| r.is_ok()))
}

/// FORMAT.md decides what a valid file is once; both readers must agree on every file of a
/// hostile corpus: every truncation, every single-bit flip, every byte set to values that
/// break texts (control characters, bytes that are not UTF-8, uppercase in units) or kinds,
/// and records of an unknown kind with and without a text overrunning them.
#[test]
fn both_readers_give_every_hostile_file_the_same_verdict() {
    let base = every_kind_image();
    let mut corpus: Vec<Vec<u8>> = Vec::new();
    for len in 0..base.len() {
        corpus.push(base[..len].to_vec());
    }
    for i in 0..base.len() * 8 {
        let mut file = base.clone();
        file[i / 8] ^= 1 << (i % 8);
        corpus.push(file);
    }
    for i in 0..base.len() {
        for b in [
            0x00, 0x07, 0x1b, 0x7f, 0x80, 0x9f, 0xc2, 0xff, b'A', b'z', 9,
        ] {
            if base[i] != b {
                let mut file = base.clone();
                file[i] = b;
                corpus.push(file);
            }
        }
    }
    // Each record turned into a kind from a newer writer (skipped by its length), alone and
    // with a text that overruns the record (corrupt whatever the kind: FORMAT.md).
    let mut at = 128;
    while at + 16 <= base.len() {
        let len = u32::from_ne_bytes(base[at..at + 4].try_into().unwrap()) as usize;
        for (field, value) in [
            (None, 0u16),
            (Some(6), u16::MAX),
            (Some(8), 4096),
            (Some(10), 300),
        ] {
            let mut file = base.clone();
            file[at + 4] = 9; // unknown kind code
            if let Some(offset) = field {
                file[at + offset..at + offset + 2].copy_from_slice(&value.to_ne_bytes());
            }
            corpus.push(file);
        }
        at += len.max(16);
    }
    eprintln!("{} hostile files", corpus.len());
    let dir = std::env::temp_dir().join(format!("mutornadomon-verdicts-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let paths: Vec<_> = (0..corpus.len())
        .map(|i| dir.join(format!("{i}.stats")))
        .collect();
    for (path, file) in paths.iter().zip(&corpus) {
        std::fs::write(path, file).unwrap();
    }
    // One Python process for the corpus: it prints a JSON line for each file it accepts.
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/../read_stats.py");
    let mut accepted_by_python = std::collections::HashSet::new();
    for chunk in paths.chunks(4000) {
        let out = Command::new("python3")
            .arg(script)
            .args(chunk)
            .output()
            .expect("python3");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !stderr.contains("Traceback"),
            "the Python reader crashed:\n{stderr}"
        );
        for line in out.stdout.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            let doc: serde_json::Value = serde_json::from_slice(line).unwrap();
            accepted_by_python.insert(doc["path"].as_str().unwrap().to_owned());
        }
    }
    let mut disagreements = Vec::new();
    let (mut accepted, mut rejected) = (0, 0);
    for (path, file) in paths.iter().zip(&corpus) {
        let rust = rust_accepts(file);
        let python = accepted_by_python.contains(path.to_str().unwrap());
        if rust {
            accepted += 1;
        } else {
            rejected += 1;
        }
        if rust != python {
            let why = parse(file).map_or_else(
                |e| e.to_string(),
                |s| {
                    s.records()
                        .find_map(|r| r.err())
                        .map_or("".into(), |e| e.to_string())
                },
            );
            disagreements.push(format!(
                "{}: rust {rust} python {python} ({why})",
                path.display()
            ));
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(
        disagreements.is_empty(),
        "{} of {} files judged differently:\n{}",
        disagreements.len(),
        corpus.len(),
        disagreements[..disagreements.len().min(20)].join("\n")
    );
    // The corpus exercises both verdicts.
    assert!(
        accepted > 100 && rejected > 1000,
        "{accepted} accepted, {rejected} rejected"
    );
}
