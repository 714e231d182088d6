//! Names built to collide on a Prometheus page, and a check that a page names each family
//! once.

use proptest::prelude::*;
use std::collections::HashSet;

/// Metric names made of a few words, separators that sanitise alike (`.`, `_`, `:`) and the
/// suffixes renderers add or strip (`_total`, `_count`, `_min`, `_seconds`, ...): a small set
/// in which names rendering alike are common.
pub fn colliding_name() -> impl Strategy<Value = String> {
    let word = prop::sample::select(vec!["a", "b", "req", "lat", "q"]);
    let sep = prop::sample::select(vec![".", "_", ":"]);
    let suffix = prop::sample::select(vec![
        "", "", "", "_total", "_count", "_sum", "_bucket", "_min", "_max", "_info", "_seconds",
        "_bytes",
    ]);
    (word.clone(), prop::option::of((sep, word)), suffix).prop_map(|(first, rest, suffix)| {
        let rest = rest.map(|(s, w)| format!("{s}{w}")).unwrap_or_default();
        format!("{first}{rest}{suffix}")
    })
}

/// Units, including ones that render in another (`nanoseconds` as `seconds`).
pub fn unit() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "",
        "",
        "seconds",
        "nanoseconds",
        "milliseconds",
        "bytes",
    ])
}

/// Checks what the text formats require of names: each family's `# TYPE` once, and every
/// sample directly under the family it belongs to (its name is the family's, or the family's
/// with a sample suffix), never under two families. Panics with the page otherwise.
pub fn assert_families_named_once(page: &str) {
    let mut families = HashSet::new();
    let mut samples = HashSet::new();
    let mut current: Option<&str> = None;
    for line in page.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let name = rest.split(' ').next().unwrap_or_default();
            assert!(families.insert(name), "second TYPE for {name}:\n{page}");
            current = Some(name);
        } else if !line.starts_with('#') && !line.is_empty() {
            let name = line.split(['{', ' ']).next().unwrap_or_default();
            let family = current.unwrap_or_else(|| panic!("{name} before any TYPE:\n{page}"));
            let tail = name.strip_prefix(family).unwrap_or_else(|| {
                panic!("sample {name} under family {family}:\n{page}");
            });
            assert!(
                ["", "_total", "_bucket", "_sum", "_count", "_info", "_created"].contains(&tail),
                "sample {name} under family {family}:\n{page}"
            );
            samples.insert((name, family));
        }
    }
    let mut owner = std::collections::HashMap::new();
    for (name, family) in samples {
        if let Some(other) = owner.insert(name, family) {
            assert_eq!(other, family, "{name} in two families:\n{page}");
        }
    }
    // A family name must not be another family's sample name either.
    for family in &families {
        if let Some(owning) = owner.get(family) {
            assert_eq!(
                owning, family,
                "{family} is also a sample of {owning}:\n{page}"
            );
        }
    }
}
