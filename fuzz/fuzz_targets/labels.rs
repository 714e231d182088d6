//! Label names and values from the fuzzer: a family registers or is refused with a typed
//! error; each value set is refused (control characters, too long, wrong count) or reads back
//! unchanged from the snapshot; the Prometheus page unescapes to the same values, the JSON page
//! parses and holds them; the family never has more series than its limit.
#![no_main]

use libfuzzer_sys::arbitrary::{self, Arbitrary};
use libfuzzer_sys::fuzz_target;
use mutornadomon_core::{
    parse, render_json, render_prometheus, AtomicU64, Meta, Region, TextFormat, OVERFLOW_LABEL,
};

#[derive(Debug, Arbitrary)]
struct Input {
    names: Vec<String>,
    limit: u8,
    lookups: Vec<Vec<String>>,
}

/// Undoes the text format's label value escapes (`\\`, `\"`, `\n`).
fn unescape(value: &str) -> String {
    let mut out = String::new();
    let mut chars = value.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some(other) => out.push(other),
                None => panic!("dangling escape in {value:?}"),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The label values of a sample line `name{a="x",b="y"} v`, unescaped.
fn values_of(line: &str) -> Vec<String> {
    let Some((_, rest)) = line.split_once('{') else { return Vec::new() };
    let mut values = Vec::new();
    let mut rest = rest;
    while let Some((_, after)) = rest.split_once("=\"") {
        let mut end = None;
        let mut escaped = false;
        for (i, c) in after.char_indices() {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => {
                    end = Some(i);
                    break;
                }
                _ => {}
            }
        }
        let end = end.unwrap_or_else(|| panic!("unterminated value in {line:?}"));
        values.push(unescape(&after[..end]));
        rest = &after[end + 1..];
        if rest.starts_with('}') {
            break;
        }
    }
    values
}

fuzz_target!(|input: Input| {
    let words: Vec<AtomicU64> = (0..8192).map(|_| AtomicU64::new(0)).collect();
    let region = Region::format(&words).unwrap();
    let names: Vec<&str> = input.names.iter().map(String::as_str).take(10).collect();
    let limit = usize::from(input.limit % 16);
    let Ok(family) = region.counter_family("fuzzed", Meta::new(), &names, limit) else {
        return; // a typed refusal: nothing registered
    };
    let mut accepted: Vec<Vec<String>> = Vec::new();
    for values in input.lookups.iter().take(64) {
        let values: Vec<&str> = values.iter().map(String::as_str).collect();
        if let Ok(counter) = family.series(&values) {
            counter.inc();
            if !accepted.iter().any(|a| a == &values) {
                accepted.push(values.iter().map(|v| v.to_string()).collect());
            }
        } else {
            let bad = values.len() != names.len()
                || values.iter().any(|v| v.len() > 256 || v.chars().any(char::is_control));
            assert!(bad, "refused good values {values:?}");
        }
    }
    assert!(family.series_count() <= limit as u64);

    let mut snap = vec![0u8; region.snapshot_len()];
    let n = region.snapshot(&mut snap).unwrap();
    let stats = parse(&snap[..n]).unwrap();
    let mut series = 0;
    for record in stats.records() {
        let record = record.expect("a region's own snapshot is whole");
        if record.labels.is_overflow() {
            continue;
        }
        let values: Vec<String> = record.labels.iter().map(|(_, v)| v.to_owned()).collect();
        assert!(accepted.contains(&values), "{values:?} was never accepted");
        series += 1;
    }
    assert_eq!(series, family.series_count());

    let mut out = vec![0u8; 1 << 20];
    let len = render_prometheus(&stats, None, TextFormat::Prometheus, &mut out).unwrap();
    let page = std::str::from_utf8(&out[..len]).unwrap();
    for line in page.lines().filter(|l| l.starts_with("fuzzed_total{")) {
        let values = values_of(line);
        if values == ["true"] && line.contains(OVERFLOW_LABEL) {
            continue;
        }
        assert!(accepted.contains(&values), "page line {line:?} reads {values:?}");
    }
    let len = render_json(&stats, None, &mut out).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out[..len]).expect("the JSON page parses");
    let listed = json["labelled"]["fuzzed"]["series"].as_array().unwrap().len();
    assert_eq!(listed as u64, family.series_count() + 1);
});
