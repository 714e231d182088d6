//! The serde view (feature `serde`): the mutornadomon page serialized by serde-json-core is the
//! same JSON value as the hand-written renderer's, over random regions; records serialize
//! with their readings.
#![cfg(feature = "serde")]

mod support;

use mutornadomon_core::{parse, render_json, Meta, MutornadomonPage, ProcessStats, Storage};
use proptest::prelude::*;
use support::snapshot;

#[derive(Debug, Clone)]
enum Op {
    Count(usize, u64),
    Shard(usize, u64),
    Set(usize, f64),
    Record(usize, u64),
    Info(usize, String),
    /// A labelled series of a counter, gauge or histogram family (kind 0-2), its label value.
    Labelled(usize, usize, String, u64),
    Roll,
}

const NAMES: [&str; 8] = [
    "requests",
    "lag",
    "q.depth",
    "latency",
    "jobs:done",
    "build",
    "a_b",
    "x",
];
const UNITS: [&str; 4] = ["", "seconds", "nanoseconds", "bytes"];

fn op() -> impl Strategy<Value = Op> {
    let name = 0..NAMES.len();
    let value = prop_oneof![
        any::<f64>(),
        -1e6..1e6f64,
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(-0.0),
        Just(1e-7)
    ];
    prop_oneof![
        (name.clone(), any::<u64>()).prop_map(|(n, v)| Op::Count(n, v % 1_000_000)),
        (name.clone(), any::<u64>()).prop_map(|(n, v)| Op::Shard(n, v)),
        (name.clone(), value).prop_map(|(n, v)| Op::Set(n, v)),
        (name.clone(), any::<u64>()).prop_map(|(n, v)| Op::Record(n, v >> (v % 64))),
        (name.clone(), "[a-z \"\\\\é✓]{0,12}").prop_map(|(n, t)| Op::Info(n, t)),
        (name, 0..3usize, "[a-z\"\\\\é]{0,3}", any::<u64>()).prop_map(|(n, k, l, v)| Op::Labelled(
            n,
            k,
            l,
            v % 100_000
        )),
        Just(Op::Roll),
    ]
}

fn json(bytes: &[u8]) -> serde_json::Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(bytes)))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn serde_json_core_page_equals_the_renderer(ops in proptest::collection::vec(op(), 0..40), unit in 0..UNITS.len(), with_process in any::<bool>()) {
        let storage = Storage::<16384>::new();
        let region = storage.region();
        for op in &ops {
            let meta = |n: usize| Meta::new().unit(UNITS[(n + unit) % UNITS.len()]);
            let _ = match op {
                Op::Count(n, v) => region.counter(NAMES[*n], meta(*n)).map(|c| c.inc_by(*v)),
                Op::Shard(n, v) => region.sharded_counter(NAMES[*n], meta(*n), 2).map(|c| c.inc_by(*v)),
                Op::Set(n, v) => region.gauge(NAMES[*n], meta(*n)).map(|g| g.set(*v)),
                Op::Record(n, v) => region.histogram(NAMES[*n], meta(*n)).map(|h| h.record(*v)),
                Op::Info(n, t) => region.info(NAMES[*n], Meta::new(), t),
                Op::Labelled(n, kind, value, v) => {
                    let (name, labels, values) = (NAMES[*n], &["k", "m"], &[value.as_str(), "x"]);
                    match kind {
                        0 => region.counter_family(name, meta(*n), labels, 3).map(|f| f.series(values).unwrap().inc_by(*v)),
                        1 => region.gauge_family(name, meta(*n), labels, 3).map(|f| f.series(values).unwrap().set(*v as f64 / 8.0)),
                        _ => region.histogram_family(name, meta(*n), labels, 3).map(|f| f.series(values).unwrap().record(*v)),
                    }
                }
                Op::Roll => { region.roll(); Ok(()) }
            };
        }
        let image = snapshot(&region);
        let stats = parse(&image).unwrap();
        let process = ProcessStats { uptime_seconds: 1.5, rss_bytes: 4096, num_threads: 3, ..ProcessStats::default() };
        let process = with_process.then_some(&process);
        let mut rendered = vec![0u8; 1 << 20];
        let n = render_json(&stats, process, &mut rendered).unwrap();
        let mut serialized = vec![0u8; 1 << 20];
        let m = serde_json_core::to_slice(&MutornadomonPage::new(&stats, process), &mut serialized).unwrap();
        prop_assert_eq!(json(&serialized[..m]), json(&rendered[..n]));
    }
}

#[test]
fn records_and_stats_serialize_with_their_readings() {
    let storage = Storage::<4096>::new();
    let region = storage.region();
    region.set_pid(42);
    region
        .counter("requests", Meta::new().help("Requests served"))
        .unwrap()
        .inc_by(3);
    let lag = region.gauge("lag", Meta::new().unit("seconds")).unwrap();
    lag.set(0.5);
    lag.set(f64::NAN);
    region
        .histogram("t", Meta::new().unit("nanoseconds"))
        .unwrap()
        .record(1000);
    region.info("build", Meta::new(), "v1 \"quoted\"").unwrap();
    let image = snapshot(&region);
    let stats = parse(&image).unwrap();
    let mut buf = [0u8; 4096];
    let n = serde_json_core::to_slice(&stats, &mut buf).unwrap();
    let value = json(&buf[..n]);
    assert_eq!(value["header"]["pid"], 42);
    let records = value["records"].as_array().unwrap();
    assert_eq!(
        records[0],
        serde_json::json!({"name": "requests", "help": "Requests served", "unit": "", "kind": "counter", "value": 3, "labels": {}})
    );
    assert_eq!(
        records[1]["value"],
        serde_json::json!({"value": null, "min": 0.5, "max": 0.5})
    );
    assert_eq!(records[2]["value"]["count"], 1);
    assert_eq!(records[2]["value"]["max"], 1000);
    assert_eq!(records[3]["value"], "v1 \"quoted\"");
    // Too small a buffer is an error, not a panic or a cut page.
    let mut small = [0u8; 16];
    assert!(serde_json_core::to_slice(&stats, &mut small).is_err());
}
