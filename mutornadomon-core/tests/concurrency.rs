//! Real threads: exact totals, gauge extremes under contention, and a reader parsing in a loop
//! while writers register and update.

mod support;

use mutornadomon_core::{parse, Meta, Storage, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

#[test]
fn counter_totals_are_exact_across_threads() {
    static STATS: Storage<1024> = Storage::new();
    let region = STATS.region();
    let shared = region.counter("shared", Meta::new()).unwrap();
    let sharded = region.sharded_counter("sharded", Meta::new(), 4).unwrap();
    thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                let mine = sharded.claim().unwrap();
                for i in 0..100_000 {
                    shared.inc();
                    mine.inc();
                    if i % 1000 == 0 {
                        region.count("by_name", 1).unwrap();
                    }
                }
            });
        }
    });
    assert_eq!(shared.get(), 400_000);
    assert_eq!(sharded.get(), 400_000);
    assert_eq!(region.counter("by_name", Meta::new()).unwrap().get(), 400);
}

#[test]
fn gauge_min_max_hold_the_extremes_of_concurrent_sets() {
    static STATS: Storage<256> = Storage::new();
    let gauge = STATS.region().gauge("g", Meta::new()).unwrap();
    thread::scope(|s| {
        for t in 0..4i32 {
            s.spawn(move || {
                for i in 0..50_000i32 {
                    let v = f64::from((i * 7919 + t * 104_729) % 200_001 - 100_000);
                    gauge.set(v);
                }
                gauge.set(f64::from(-200_000 - t));
                gauge.set(f64::from(200_000 + t));
            });
        }
    });
    assert_eq!(gauge.min(), -200_003.0);
    assert_eq!(gauge.max(), 200_003.0);
}

#[test]
fn concurrent_registration_of_one_name_yields_one_record() {
    static STATS: Storage<2048> = Storage::new();
    let region = STATS.region();
    thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for i in 0..50 {
                    region.count(&format!("n{i}"), 1).unwrap();
                }
            });
        }
    });
    let image = support::snapshot(&region);
    let records: Vec<_> = support::parsed(&image)
        .records()
        .map(Result::unwrap)
        .collect();
    assert_eq!(records.len(), 50);
    assert!(records.iter().all(|r| r.value == Value::Counter(4)));
}

#[test]
fn reader_parses_while_writers_register_and_update() {
    static STATS: Storage<65536> = Storage::new();
    let region = STATS.region();
    let done = AtomicBool::new(false);
    thread::scope(|s| {
        for t in 0..2 {
            let done = &done;
            s.spawn(move || {
                let mut i = 0u64;
                while !done.load(Ordering::Relaxed) {
                    region.count(&format!("t{t}_c{}", i % 300), 1).unwrap();
                    region.set(&format!("t{t}_g{}", i % 50), i as f64).unwrap();
                    region.record(&format!("t{t}_h{}", i % 5), i).unwrap();
                    i += 1;
                }
            });
        }
        let mut buf = vec![0u8; region.capacity()];
        let mut last: HashMap<String, u64> = HashMap::new();
        for _ in 0..2_000 {
            let n = region.snapshot(&mut buf).unwrap();
            let stats = parse(&buf[..n]).expect("every snapshot parses");
            for record in stats.records() {
                let record = record.expect("every record parses");
                if let Value::Counter(v) = record.value {
                    let before = last.insert(record.name.to_owned(), v).unwrap_or(0);
                    assert!(
                        v >= before,
                        "{} went back from {before} to {v}",
                        record.name
                    );
                }
            }
        }
        done.store(true, Ordering::Relaxed);
    });
}

/// Eight threads register at once until the region is full: valid, invalid, huge, colliding
/// and clashing names. Every refusal is an error and is counted in the header; every accepted
/// metric is in the snapshot once, of its kind, with every increment made through it.
#[test]
fn registration_storm_from_many_threads_fills_the_region_and_loses_nothing() {
    use mutornadomon_core::{Meta, Region, Value};
    use std::collections::HashMap;
    use std::sync::atomic::{AtomicU64, Ordering};

    let words = support::words(2048); // 16 KiB: full long before the storm ends
    let region = Region::format(&words).unwrap();
    let (refusals, full) = (AtomicU64::new(0), AtomicU64::new(0));
    let accepted: Vec<Vec<(String, bool)>> = std::thread::scope(|s| {
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let (region, refusals, full) = (&region, &refusals, &full);
                s.spawn(move || {
                    let mut mine = Vec::new();
                    for i in 0..400 {
                        let name = match i % 5 {
                            0 => format!("shared_{}", i % 20), // colliding across threads
                            1 => format!("t{t}_{i}"),
                            2 => "x".repeat(129 + i),         // too long
                            3 => format!("bad name {i}"),     // invalid characters
                            _ => format!("clash_{}", i % 10), // counter here, gauge elsewhere
                        };
                        let as_gauge = i % 5 == 4 && t % 2 == 1;
                        let result = if as_gauge {
                            region.gauge(&name, Meta::new()).map(|g| g.set(1.0))
                        } else {
                            region.counter(&name, Meta::new()).map(|c| c.inc())
                        };
                        match result {
                            Ok(()) => mine.push((name, as_gauge)),
                            Err(e) => {
                                refusals.fetch_add(1, Ordering::Relaxed);
                                use mutornadomon_core::RegisterError::{Full, TooManyMetrics};
                                if matches!(e, Full { .. } | TooManyMetrics { .. }) {
                                    full.fetch_add(1, Ordering::Relaxed);
                                }
                            }
                        }
                    }
                    mine
                })
            })
            .collect();
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    });

    assert_eq!(
        region.refused(),
        refusals.load(Ordering::Relaxed),
        "every refusal counted"
    );
    let mut expected: HashMap<String, (bool, u64)> = HashMap::new();
    for (name, as_gauge) in accepted.into_iter().flatten() {
        expected.entry(name).or_insert((as_gauge, 0)).1 += 1;
    }
    let bytes = support::snapshot(&region);
    let stats = support::parsed(&bytes);
    let mut seen = HashMap::new();
    for record in stats.records() {
        let record = record.unwrap();
        assert!(
            seen.insert(record.name.to_owned(), ()).is_none(),
            "{} twice",
            record.name
        );
        let (as_gauge, incs) = expected
            .get(record.name)
            .unwrap_or_else(|| panic!("{} was never accepted", record.name));
        match record.value {
            Value::Counter(n) => assert!(!as_gauge && n == *incs, "{}: {n} of {incs}", record.name),
            Value::Gauge(g) => assert!(*as_gauge && g.value == 1.0, "{}", record.name),
            other => panic!("{}: {other:?}", record.name),
        }
    }
    assert_eq!(
        seen.len(),
        expected.len(),
        "every accepted metric is in the snapshot"
    );
    assert!(
        region.refused() > 8 * 400 / 5 * 2,
        "invalid and overlong names were refused"
    );
    assert!(full.load(Ordering::Relaxed) > 0, "the region filled up");
}
