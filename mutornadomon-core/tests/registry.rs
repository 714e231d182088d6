//! Registration: idempotence, kind clashes, name rules, full regions and the refused counter.

mod support;

use mutornadomon_core::{Kind, Meta, Region, RegisterError, Storage, TextError, Value};
use support::{parsed, snapshot, words};

#[test]
fn registering_twice_gives_the_same_slot() {
    let storage = Storage::<512>::new();
    let region = storage.region();
    let a = region.counter("hits", Meta::new()).unwrap();
    let b = region
        .counter("hits", Meta::new().help("ignored the second time"))
        .unwrap();
    a.inc_by(2);
    b.inc();
    assert_eq!(a.get(), 3);
    let image = snapshot(&region);
    let records: Vec<_> = parsed(&image).records().map(Result::unwrap).collect();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].help, "");
}

#[test]
fn same_name_other_kind_is_an_error_and_counted() {
    let storage = Storage::<512>::new();
    let region = storage.region();
    region.counter("x", Meta::new()).unwrap();
    let err = region.gauge("x", Meta::new()).unwrap_err();
    assert_eq!(
        err,
        RegisterError::KindMismatch {
            existing: Kind::Counter,
            requested: Kind::Gauge
        }
    );
    assert_eq!(
        err.to_string(),
        "name already registered as a counter, cannot register it as a gauge"
    );
    assert_eq!(region.set("x", 1.0), Err(err));
    assert_eq!(region.refused(), 2);
}

#[test]
fn invalid_names_help_and_units_are_refused() {
    let storage = Storage::<512>::new();
    let region = storage.region();
    let cases: &[(&str, Meta<'_>, RegisterError)] = &[
        (
            "",
            Meta::new(),
            RegisterError::InvalidName(TextError::Empty),
        ),
        (
            "1st",
            Meta::new(),
            RegisterError::InvalidName(TextError::BadStart),
        ),
        (
            "a b",
            Meta::new(),
            RegisterError::InvalidName(TextError::BadByte { at: 1 }),
        ),
        (
            "ok",
            Meta::new().help("line\nbreak"),
            RegisterError::InvalidHelp(TextError::BadByte { at: 4 }),
        ),
        (
            "ok",
            Meta::new().unit("Seconds"),
            RegisterError::InvalidUnit(TextError::BadByte { at: 0 }),
        ),
    ];
    for (i, (name, meta, want)) in cases.iter().enumerate() {
        assert_eq!(region.counter(name, *meta).unwrap_err(), *want, "case {i}");
    }
    let long = "n".repeat(129);
    assert!(matches!(
        region.counter(&long, Meta::new()),
        Err(RegisterError::InvalidName(TextError::TooLong { max: 128 }))
    ));
    assert_eq!(region.refused(), cases.len() as u64 + 1);
    assert_eq!(snapshot(&region).len(), 128, "nothing was written");
}

#[test]
fn a_full_region_refuses_and_keeps_what_it_has() {
    let storage = Storage::<64>::new();
    let region = storage.region();
    let mut accepted = Vec::new();
    let mut refusals = 0;
    for i in 0..40 {
        match region.counter(&format!("c{i}"), Meta::new()) {
            Ok(c) => {
                c.inc_by(i);
                accepted.push(i);
            }
            Err(RegisterError::Full { .. } | RegisterError::TooManyMetrics { .. }) => refusals += 1,
            Err(e) => panic!("unexpected {e}"),
        }
    }
    assert!(!accepted.is_empty() && refusals > 0);
    assert_eq!(region.refused(), refusals);
    let image = snapshot(&region);
    let values: Vec<u64> = parsed(&image)
        .records()
        .map(|r| match r.unwrap().value {
            Value::Counter(n) => n,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(values, accepted);
    let err = region.histogram("too_big", Meta::new()).unwrap_err();
    assert!(
        matches!(
            err,
            RegisterError::Full { .. } | RegisterError::TooManyMetrics { .. }
        ),
        "{err}"
    );
}

#[test]
fn too_many_metrics_is_reported_with_the_limit() {
    // 4096 words: 512 index slots, so 384 metrics; small records leave room for all of them.
    let storage = Storage::<4096>::new();
    let region = storage.region();
    for i in 0..384 {
        region.counter(&format!("m{i}"), Meta::new()).unwrap();
    }
    assert_eq!(
        region.counter("one_more", Meta::new()).unwrap_err(),
        RegisterError::TooManyMetrics { max: 384 }
    );
    // Every accepted one is still found by name.
    for i in 0..384 {
        region.count(&format!("m{i}"), 1).unwrap();
    }
    let image = snapshot(&region);
    assert!(parsed(&image)
        .records()
        .all(|r| r.unwrap().value == Value::Counter(1)));
}

#[test]
fn info_is_write_once() {
    let storage = Storage::<512>::new();
    let region = storage.region();
    region.info("version", Meta::new(), "1.2.3").unwrap();
    region.info("version", Meta::new(), "9.9.9").unwrap();
    let image = snapshot(&region);
    let record = parsed(&image).records().next().unwrap().unwrap();
    assert_eq!(record.value, Value::Info("1.2.3"));
    assert!(matches!(
        region.info("bad", Meta::new(), "tab\there"),
        Err(RegisterError::InvalidInfo(_))
    ));
}

#[test]
fn sharded_counter_claims_run_out_and_come_back() {
    let storage = Storage::<1024>::new();
    let region = storage.region();
    let jobs = region.sharded_counter("jobs", Meta::new(), 2).unwrap();
    let a = jobs.claim().unwrap();
    let b = jobs.claim().unwrap();
    assert!(jobs.claim().is_none(), "only two writer shards");
    a.inc_by(5);
    b.inc();
    jobs.inc_by(10); // the shared shard
    drop(a);
    let c = jobs.claim().expect("a's shard was released");
    c.inc();
    assert_eq!(jobs.get(), 17);
    region.count("jobs", 3).unwrap(); // by name goes to the shared shard
    let image = snapshot(&region);
    let record = parsed(&image).records().next().unwrap().unwrap();
    assert_eq!(
        (record.kind, record.value),
        (Kind::ShardedCounter, Value::Counter(20))
    );
    assert_eq!(
        region.sharded_counter("bad", Meta::new(), 0).unwrap_err(),
        RegisterError::InvalidShardCount
    );
}

#[test]
fn format_rejects_tiny_blocks_and_erases_old_contents() {
    let small = words(63);
    assert!(mutornadomon_core::Region::format(&small).is_err());
    let block = words(256);
    let region = mutornadomon_core::Region::format(&block).unwrap();
    region.count("a", 1).unwrap();
    let region = mutornadomon_core::Region::format(&block).unwrap();
    assert_eq!(region.snapshot_len(), 128);
    region.count("a", 1).unwrap();
    assert_eq!(region.counter("a", Meta::new()).unwrap().get(), 1);
}

#[test]
fn header_fields_round_trip() {
    let storage = Storage::<256>::new();
    let region = storage.region();
    region.set_pid(4242);
    region.set_start_time(1);
    region.set_creation_time(2);
    region.set_heartbeat(3);
    let image = snapshot(&region);
    let header = *parsed(&image).header();
    assert_eq!(
        (
            header.pid,
            header.start_time_ns,
            header.creation_time_ns,
            header.heartbeat_ns
        ),
        (4242, 1, 2, 3)
    );
    assert_eq!(header.capacity, 256 * 8);
    assert_eq!(header.big_endian, cfg!(target_endian = "big"));
}

#[test]
fn a_region_scribbled_on_by_another_process_gives_errors_not_panics() {
    use mutornadomon_core::AtomicU64;
    use std::sync::atomic::Ordering;
    let block = words(256);
    let region = mutornadomon_core::Region::format(&block).unwrap();
    region.count("a", 1).unwrap();
    region.set("b", 1.0).unwrap();
    // Zero the first record's framing word behind the library's back: lookups must skip it.
    let first: &AtomicU64 = &block[16];
    first.store(0, Ordering::Relaxed);
    let _ = region.count("a", 1);
    region.set("b", 2.0).unwrap();
    // A committed end pointing into the header must not let registration overwrite it.
    block[5].store(8, Ordering::Relaxed);
    assert_eq!(
        region.counter("c", Meta::new()).unwrap_err(),
        RegisterError::Corrupt
    );
    assert_eq!(&block[0].load(Ordering::Relaxed).to_ne_bytes(), b"MUTMSTAT");
}

#[test]
fn a_committed_end_scribbled_into_the_header_does_not_panic_snapshots() {
    use std::sync::atomic::Ordering;
    let block = words(256);
    let region = mutornadomon_core::Region::format(&block).unwrap();
    region.count("a", 1).unwrap();
    for bogus in [0u64, 8, 47, 129, u64::MAX] {
        block[5].store(bogus, Ordering::Relaxed); // another process writes the committed end
        let mut out = vec![0u8; region.capacity()];
        let n = region
            .snapshot(&mut out)
            .expect("the buffer holds the whole region");
        let _ = mutornadomon_core::parse(&out[..n]); // any result, no panic
        region.roll();
    }
}

/// A histogram handle knows the unit its record was registered with, however it is found
/// again, and records durations in it (or refuses them).
#[test]
fn durations_go_into_the_unit_the_record_declares() {
    use core::time::Duration;
    let words = support::words(8192);
    let region = Region::format(&words).unwrap();
    let cases = [
        ("ns", "nanoseconds", Some(1_500_000)),
        ("us", "microseconds", Some(1_500)),
        ("ms", "milliseconds", Some(1)),
        ("s", "seconds", None),
        ("b", "bytes", None),
        ("none", "", None),
    ];
    for (name, unit, expected) in cases {
        region.histogram(name, Meta::new().unit(unit)).unwrap();
        let found = region.histogram(name, Meta::new()).unwrap(); // no unit given this time
        let recorded = found.record_duration(Duration::from_micros(1_500));
        assert_eq!(recorded.is_ok(), expected.is_some(), "{unit}");
        assert_eq!(found.takes_durations(), expected.is_some(), "{unit}");
        if let Some(value) = expected {
            assert_eq!(found.sum(), value, "{unit}");
        }
    }
    let huge = region.histogram("ns", Meta::new()).unwrap();
    huge.record_duration(Duration::MAX).unwrap(); // saturates, never panics
    assert_eq!(huge.max(), Some(u64::MAX));
}

#[test]
fn names_that_render_alike_are_refused() {
    // (first registration, second registration): the second renders a name the first has.
    type Register = fn(&Region<'_>, &str, &str) -> Result<(), RegisterError>;
    let counter: Register = |r, n, u| r.counter(n, Meta::new().unit(u)).map(drop);
    let gauge: Register = |r, n, u| r.gauge(n, Meta::new().unit(u)).map(drop);
    let histogram: Register = |r, n, u| r.histogram(n, Meta::new().unit(u)).map(drop);
    let info: Register = |r, n, _| r.info(n, Meta::new(), "v");
    type Step<'s> = (Register, &'s str, &'s str);
    let cases: [(Step<'_>, Step<'_>); 9] = [
        ((counter, "a.b", ""), (counter, "a_b", "")),
        ((counter, "requests", ""), (counter, "requests_total", "")),
        ((counter, "requests", ""), (gauge, "requests_total", "")),
        ((histogram, "q", ""), (gauge, "q_count", "")),
        ((histogram, "q", "nanoseconds"), (gauge, "q_seconds", "")),
        ((gauge, "lag", "seconds"), (gauge, "lag_min", "seconds")),
        (
            (gauge, "lag", "milliseconds"),
            (histogram, "lag_seconds", ""),
        ),
        ((info, "build", ""), (gauge, "build_info", "")),
        ((gauge, "t:x", ""), (counter, "t_x_total", "")),
    ];
    for ((first, a, unit_a), (second, b, unit_b)) in cases {
        let storage = Storage::<2048>::new();
        let region = storage.region();
        first(&region, a, unit_a).unwrap();
        let err = second(&region, b, unit_b).unwrap_err();
        let RegisterError::NameClash { existing } = err else {
            panic!("{a} then {b}: {err:?}");
        };
        assert_eq!(existing.as_str(), a);
        assert_eq!(
            err.to_string(),
            format!(
                "name renders on the Prometheus page like the metric {a:?}; choose another name"
            )
        );
        assert_eq!(region.refused(), 1, "{a} then {b}");
        // The first is still there, and registering it again still finds it.
        first(&region, a, unit_a).unwrap();
        assert_eq!(parsed(&snapshot(&region)).records().count(), 1);
    }
}

#[test]
fn process_metric_names_are_refused() {
    let storage = Storage::<1024>::new();
    let region = storage.region();
    let err = region.gauge("process_threads", Meta::new()).unwrap_err();
    assert!(
        matches!(err, RegisterError::NameClash { existing } if existing.as_str() == "process_threads"),
        "{err:?}"
    );
    let err = region
        .counter("process.cpu", Meta::new().unit("seconds"))
        .unwrap_err();
    assert!(matches!(err, RegisterError::NameClash { .. }), "{err:?}");
    region.gauge("process_queue_depth", Meta::new()).unwrap();
}

#[test]
fn names_that_only_look_alike_are_kept() {
    let storage = Storage::<2048>::new();
    let region = storage.region();
    region.counter("requests", Meta::new()).unwrap();
    region.counter("requests_ok", Meta::new()).unwrap();
    region.gauge("lag", Meta::new().unit("seconds")).unwrap();
    region.gauge("lag", Meta::new().unit("bytes")).unwrap(); // same name: found, not clashing
    region
        .gauge("lag_bytes", Meta::new().unit("bytes"))
        .unwrap();
    region.histogram("q", Meta::new()).unwrap();
    region.gauge("q_p99", Meta::new()).unwrap();
    assert_eq!(region.refused(), 0);
}
