//! Arbitrary registrations, updates and rolls on a region: its snapshot must parse, every
//! record must be whole, each metric must hold what a simple model says, and no two metrics
//! may render a Prometheus name alike.
#![no_main]

mod common;

use common::ops::{run, snapshot, Expected, Script};
use libfuzzer_sys::fuzz_target;
use mutornadomon_core::{parse, ExposedName, Value};

fuzz_target!(|script: Script| {
    let (words, model) = run(&script);
    let bytes = snapshot(&words);
    let stats = parse(&bytes).expect("a region's own snapshot parses");
    let mut seen = 0;
    let mut exposed: Vec<(String, ExposedName<'_>)> = Vec::new();
    for record in stats.records() {
        let record = record.expect("every record of a region's own snapshot is whole");
        // No two accepted metrics render a name alike (registration refuses the second).
        let mine = ExposedName::new(record.name, record.unit, record.kind);
        for (other, theirs) in &exposed {
            assert!(!mine.collides(theirs), "{} and {other} render alike", record.name);
        }
        exposed.push((record.name.to_owned(), mine));
        let expected = model.get(record.name).unwrap_or_else(|| panic!("{} not in the model", record.name));
        match (&record.value, expected) {
            (Value::Counter(n), Expected::Counter(want)) => assert_eq!(n, want, "{}", record.name),
            (Value::Gauge(g), Expected::Gauge(want)) => {
                assert!(g.value.to_bits() == want.to_bits() || (g.value.is_nan() && want.is_nan()))
            }
            (Value::Histogram(h), Expected::Histogram(want)) => assert_eq!(h.count(), *want),
            (Value::Info(text), Expected::Info(want)) => assert_eq!(text, want),
            (got, want) => panic!("{}: {got:?} but the model has {want:?}", record.name),
        }
        seen += 1;
    }
    assert_eq!(seen, model.len(), "every accepted metric is in the snapshot");
});
