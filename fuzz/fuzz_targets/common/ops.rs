//! Structure-aware input shared by the region targets: a region size, then operations on
//! names drawn from a small pool (so names collide and kinds clash) or made of fuzz bytes.

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use mutornadomon_core::{AtomicU64, Meta, Region};
use std::collections::HashMap;

/// What the fuzzer chooses.
#[derive(Debug, Arbitrary)]
pub struct Script {
    /// Region size in words, above the minimum.
    pub extra_words: u16,
    pub ops: Vec<Op>,
}

#[derive(Debug, Arbitrary)]
pub enum Name {
    Pool(u8),
    Raw(String),
}

#[derive(Debug, Arbitrary)]
pub enum Op {
    Count(Name, u64),
    Set(Name, f64),
    Record(Name, u64),
    Sharded(Name, u8, u64),
    Info(Name, String),
    Help(Name, String, String),
    Roll,
}

/// Names that collide, clash or render alike (`requests` / `requests_total`, `a:b` / `a_b`,
/// `latency` / `latency_count`).
const POOL: [&str; 12] = [
    "requests", "queue.depth", "latency", "a:b", "_x9", "jobs_total", "requests_total", "a_b",
    "latency_count", "queue_depth_min", "jobs", "latency_seconds",
];

impl Name {
    pub fn text(&self) -> &str {
        match self {
            Name::Pool(i) => POOL[usize::from(*i) % POOL.len()],
            Name::Raw(s) => s,
        }
    }
}

/// What a simple model says each accepted name holds.
#[derive(Debug, Clone, PartialEq)]
pub enum Expected {
    Counter(u64),
    Gauge(f64),
    Histogram(u64),
    Info(String),
}

/// Runs `script` on a fresh region; returns its words and the model.
pub fn run(script: &Script) -> (Vec<AtomicU64>, HashMap<String, Expected>) {
    let words_len = mutornadomon_core::MIN_WORDS + usize::from(script.extra_words % 4096);
    let words: Vec<AtomicU64> = (0..words_len).map(|_| AtomicU64::new(0)).collect();
    let mut model = HashMap::new();
    {
        let region = Region::format(&words).expect("a valid size");
        for op in script.ops.iter().take(64) {
            apply(&region, op, &mut model);
        }
    }
    (words, model)
}

fn apply(region: &Region<'_>, op: &Op, model: &mut HashMap<String, Expected>) {
    match op {
        Op::Count(name, n) => {
            if region.count(name.text(), *n).is_ok() {
                match model.entry(name.text().to_owned()).or_insert(Expected::Counter(0)) {
                    Expected::Counter(total) => *total = total.wrapping_add(*n),
                    other => panic!("count accepted on {other:?}"),
                }
            }
        }
        Op::Set(name, v) => {
            if region.set(name.text(), *v).is_ok() {
                let prev = model.insert(name.text().to_owned(), Expected::Gauge(*v));
                assert!(matches!(prev, None | Some(Expected::Gauge(_))), "set accepted on {prev:?}");
            }
        }
        Op::Record(name, v) => {
            if region.record(name.text(), *v).is_ok() {
                match model.entry(name.text().to_owned()).or_insert(Expected::Histogram(0)) {
                    Expected::Histogram(n) => *n += 1,
                    other => panic!("record accepted on {other:?}"),
                }
            }
        }
        Op::Sharded(name, writers, n) => {
            if let Ok(counter) =
                region.sharded_counter(name.text(), Meta::new(), usize::from(*writers % 8) + 1)
            {
                match counter.claim() {
                    Some(shard) => shard.inc_by(*n),
                    None => counter.inc_by(*n),
                }
                match model.entry(name.text().to_owned()).or_insert(Expected::Counter(0)) {
                    Expected::Counter(total) => *total = total.wrapping_add(*n),
                    other => panic!("sharded counter accepted on {other:?}"),
                }
            }
        }
        Op::Info(name, text) => {
            if region.info(name.text(), Meta::new(), text).is_ok() {
                // Info is written once: a second registration keeps the first text.
                model
                    .entry(name.text().to_owned())
                    .or_insert_with(|| Expected::Info(text.clone()));
            }
        }
        Op::Help(name, help, unit) => {
            // Registration only: odd help and unit text reach the renderers' escaping.
            let meta = Meta::new().help(help).unit(unit);
            if region.counter(name.text(), meta).is_ok() {
                let prev = model.entry(name.text().to_owned()).or_insert(Expected::Counter(0));
                assert!(matches!(prev, Expected::Counter(_)), "counter accepted on {prev:?}");
            }
        }
        Op::Roll => region.roll(),
    }
}

/// A snapshot of `words` as a reader would take it.
pub fn snapshot(words: &[AtomicU64]) -> Vec<u8> {
    let region = Region::attach(words).expect("still a valid region");
    let mut bytes = vec![0u8; region.snapshot_len()];
    let n = region.snapshot(&mut bytes).expect("sized from snapshot_len");
    bytes.truncate(n);
    bytes
}
