//! loom models of the lock-free parts: registration (lock, append, commit, index publish)
//! racing with lock-free lookups and with a reader's snapshot + parse.
//!
//! Run with: `RUSTFLAGS="--cfg loom" cargo test -p mutornadomon-core --test loom --release`
#![cfg(loom)]

use loom::sync::Arc;
use loom::thread;
use mutornadomon_core::{parse, AtomicU64, Meta, Region, Value};

const WORDS: usize = 64;

fn model(f: impl Fn() + Sync + Send + 'static) {
    // Unbounded: every interleaving. Note that the participants are spawned threads: loom
    // explored no interleaving of the main thread's reads with a spawned writer's steps (a
    // weakened commit went unnoticed), while spawned readers catch it.
    loom::model::Builder::new().check(f);
}

fn words() -> Arc<Vec<AtomicU64>> {
    let words: Vec<AtomicU64> = (0..WORDS).map(|_| AtomicU64::new(0)).collect();
    Region::format(&words).unwrap();
    Arc::new(words)
}

/// Two threads register different names while a reader snapshots and parses: every snapshot
/// parses, and holds only whole records.
#[test]
fn registration_is_published_whole() {
    model(|| {
        let words = words();
        let writer = {
            let words = words.clone();
            thread::spawn(move || {
                Region::attach(&words)
                    .unwrap()
                    .counter("a", Meta::new())
                    .unwrap()
                    .inc()
            })
        };
        let reader = {
            let words = words.clone();
            thread::spawn(move || {
                let mut buf = [0u8; WORDS * 8];
                let n = Region::attach(&words).unwrap().snapshot(&mut buf).unwrap();
                let stats = parse(&buf[..n]).expect("a snapshot always parses");
                for record in stats.records() {
                    let record = record.expect("only whole records are visible");
                    assert!(matches!(record.value, Value::Counter(0 | 1)));
                }
            })
        };
        writer.join().unwrap();
        reader.join().unwrap();
        let mut buf = [0u8; WORDS * 8];
        let n = Region::attach(&words).unwrap().snapshot(&mut buf).unwrap();
        assert_eq!(parse(&buf[..n]).unwrap().records().count(), 1);
    });
}

/// Two threads register the same name: one record, and both adds land in it.
#[test]
fn same_name_registers_once() {
    model(|| {
        let words = words();
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let words = words.clone();
                thread::spawn(move || Region::attach(&words).unwrap().count("n", 1).unwrap())
            })
            .collect();
        threads.into_iter().for_each(|t| t.join().unwrap());
        let mut buf = [0u8; WORDS * 8];
        let n = Region::attach(&words).unwrap().snapshot(&mut buf).unwrap();
        let records: Vec<_> = parse(&buf[..n])
            .unwrap()
            .records()
            .map(Result::unwrap)
            .collect();
        assert_eq!(records.len(), 1);
        assert_eq!(records[0].value, Value::Counter(2));
    });
}

/// The harness can fail: the classic broken publication (Relaxed flag) must be caught, or the
/// models above would prove nothing.
#[test]
#[should_panic]
fn loom_catches_relaxed_publication() {
    model(|| {
        let words = Arc::new([AtomicU64::new(0), AtomicU64::new(0)]);
        let w = words.clone();
        let t = thread::spawn(move || {
            w[0].store(1, loom::sync::atomic::Ordering::Relaxed);
            w[1].store(1, loom::sync::atomic::Ordering::Relaxed);
        });
        if words[1].load(loom::sync::atomic::Ordering::Acquire) == 1 {
            assert_eq!(words[0].load(loom::sync::atomic::Ordering::Relaxed), 1);
        }
        t.join().unwrap();
    });
}

/// A spike set while the publisher rolls the gauge's window is reported after the roll,
/// whichever way they interleave (the roll widens again with the value it may have
/// overwritten, and the window it ended is the one reported).
#[test]
fn a_spike_set_during_a_roll_is_still_reported() {
    model(|| {
        let words = words();
        Region::attach(&words)
            .unwrap()
            .gauge("g", Meta::new())
            .unwrap()
            .set(1.0);
        let setter = {
            let words = words.clone();
            thread::spawn(move || {
                Region::attach(&words)
                    .unwrap()
                    .gauge("g", Meta::new())
                    .unwrap()
                    .set(9.0)
            })
        };
        let roller = {
            let words = words.clone();
            thread::spawn(move || Region::attach(&words).unwrap().roll())
        };
        setter.join().unwrap();
        roller.join().unwrap();
        let region = Region::attach(&words).unwrap();
        let gauge = region.gauge("g", Meta::new()).unwrap();
        assert_eq!((gauge.get(), gauge.max()), (9.0, 9.0));
        assert_eq!(gauge.min(), 1.0); // the window before held its first set, 1.0
    });
}

/// Two threads look up the same new series of a family at once: both get the one series (the
/// lookup without the lock, then again under it), and its count holds both increments.
#[test]
fn racing_lookups_of_a_new_series_make_one() {
    model(|| {
        let words: Vec<AtomicU64> = (0..128).map(|_| AtomicU64::new(0)).collect();
        Region::format(&words).unwrap();
        let words = Arc::new(words);
        Region::attach(&words)
            .unwrap()
            .counter_family("f", Meta::new(), &["k"], 4)
            .unwrap();
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let words = words.clone();
                thread::spawn(move || {
                    let region = Region::attach(&words).unwrap();
                    let family = region.counter_family("f", Meta::new(), &["k"], 4).unwrap();
                    family.series(&["v"]).unwrap().inc();
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let region = Region::attach(&words).unwrap();
        let family = region.counter_family("f", Meta::new(), &["k"], 4).unwrap();
        assert_eq!(family.series_count(), 1);
        assert_eq!(family.series(&["v"]).unwrap().get(), 2);
        assert_eq!(family.folded(), 0);
    });
}
