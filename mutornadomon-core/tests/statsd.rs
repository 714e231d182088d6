//! The statsd encoder: what each kind sends, the gauge sign rule, deltas, datagram packing,
//! and the refusals. A real statsd server (collectd) checks the same lines in backend-std.

mod support;

use mutornadomon_core::{parse, Meta, Region, StatsdEncoder, StatsdError};

/// The datagrams one encode sends, as text.
fn encode<const N: usize, const D: usize>(
    encoder: &mut StatsdEncoder<N>,
    region: &Region<'_>,
    prefix: &str,
) -> Vec<String> {
    let bytes = support::snapshot(region);
    let stats = parse(&bytes).unwrap();
    let mut datagrams = Vec::new();
    encoder
        .encode::<D>(&stats, prefix, |d| {
            assert!(d.len() <= D, "a datagram over its size");
            datagrams.push(String::from_utf8(d.to_vec()).unwrap());
        })
        .unwrap();
    datagrams
}

fn lines(datagrams: &[String]) -> Vec<String> {
    datagrams
        .iter()
        .flat_map(|d| d.lines().map(str::to_owned))
        .collect()
}

/// Regression: `temperature:-7.75|g` on every publish made collectd's statsd plugin store
/// -0.25, -3.0, -8.25, ...: a leading sign is a change, not a value.
#[test]
fn a_negative_gauge_is_sent_as_zero_then_the_value_in_one_datagram() {
    let words = support::words(1024);
    let region = Region::format(&words).unwrap();
    let t = region.gauge("temperature", Meta::new()).unwrap();
    t.set(-7.75);
    let mut encoder = StatsdEncoder::<16>::new();
    let datagrams = encode::<16, 512>(&mut encoder, &region, "");
    assert_eq!(datagrams.len(), 1);
    let all = lines(&datagrams);
    let at = all.iter().position(|l| l == "temperature:-7.75|g").unwrap();
    assert_eq!(all[at - 1], "temperature:0|g");
    // Never a bare signed line, for the value or its window's extremes.
    for (i, line) in all.iter().enumerate() {
        if line.contains(":-") {
            let name = line.split(':').next().unwrap();
            assert_eq!(all[i - 1], format!("{name}:0|g"), "{all:?}");
        }
        assert!(!line.contains(":+"), "{line}");
    }
}

#[test]
fn zero_and_negative_zero_are_plain_zero_and_non_finite_gauges_are_left_out() {
    let words = support::words(1024);
    let region = Region::format(&words).unwrap();
    region.gauge("zero", Meta::new()).unwrap().set(-0.0);
    region.gauge("nan", Meta::new()).unwrap().set(f64::NAN);
    region.gauge("big", Meta::new()).unwrap().set(1.5e20);
    let all = lines(&encode::<16, 512>(&mut StatsdEncoder::new(), &region, ""));
    assert!(all.contains(&"zero:0|g".to_owned()), "{all:?}");
    assert!(!all.iter().any(|l| l.starts_with("nan:")), "{all:?}");
    let big = all.iter().find(|l| l.starts_with("big:")).unwrap();
    let value: f64 = big["big:".len()..big.len() - 2].parse().unwrap();
    assert_eq!(value, 1.5e20);
}

#[test]
fn counters_and_histogram_counts_are_deltas_between_encodes() {
    let words = support::words(4096);
    let region = Region::format(&words).unwrap();
    let jobs = region.counter("jobs", Meta::new()).unwrap();
    let latency = region.histogram("latency", Meta::new()).unwrap();
    let mut encoder = StatsdEncoder::<16>::new();
    jobs.inc_by(5);
    latency.record(100);
    let first = lines(&encode::<16, 1400>(&mut encoder, &region, "app."));
    jobs.inc_by(2);
    latency.record(300);
    latency.record(300);
    let second = lines(&encode::<16, 1400>(&mut encoder, &region, "app."));
    let third = lines(&encode::<16, 1400>(&mut encoder, &region, "app."));
    assert!(first.contains(&"app.jobs:5|c".to_owned()), "{first:?}");
    assert!(first.contains(&"app.latency.count:1|c".to_owned()));
    assert!(second.contains(&"app.jobs:2|c".to_owned()), "{second:?}");
    assert!(second.contains(&"app.latency.count:2|c".to_owned()));
    assert!(third.contains(&"app.jobs:0|c".to_owned()), "{third:?}");
}

/// Regression: `.max` was the bucket edge holding the maximum (5111807 for 5172404).
#[test]
fn histogram_min_and_max_are_the_exact_values_recorded() {
    let words = support::words(4096);
    let region = Region::format(&words).unwrap();
    let h = region.histogram("request_time", Meta::new()).unwrap();
    for v in [1_234_567, 5_172_404, 2_000_000] {
        h.record(v);
    }
    let all = lines(&encode::<16, 1400>(&mut StatsdEncoder::new(), &region, ""));
    assert!(
        all.contains(&"request_time.min:1234567|g".to_owned()),
        "{all:?}"
    );
    assert!(
        all.contains(&"request_time.max:5172404|g".to_owned()),
        "{all:?}"
    );
    for q in ["p50", "p90", "p99"] {
        assert!(all
            .iter()
            .any(|l| l.starts_with(&format!("request_time.{q}:"))));
    }
}

#[test]
fn an_empty_histogram_sends_its_count_only() {
    let words = support::words(4096);
    let region = Region::format(&words).unwrap();
    region.histogram("idle", Meta::new()).unwrap();
    let all = lines(&encode::<16, 1400>(&mut StatsdEncoder::new(), &region, ""));
    assert_eq!(all, ["idle.count:0|c"]);
}

#[test]
fn datagrams_are_filled_and_no_metric_straddles_two() {
    let words = support::words(64 * 1024);
    let region = Region::format(&words).unwrap();
    for i in 0..100 {
        let g = region.gauge(&format!("gauge_{i:03}"), Meta::new()).unwrap();
        g.set(-(i as f64) - 0.5); // two lines each: their pair must stay together
    }
    let datagrams = encode::<16, 256>(&mut StatsdEncoder::new(), &region, "p.");
    assert!(datagrams.len() > 10);
    for d in &datagrams {
        let all: Vec<&str> = d.lines().collect();
        // Each datagram starts a metric: its first line is a `0` before a negative value.
        assert!(all[0].ends_with(":0|g"), "{d}");
        assert!(d.len() <= 256);
    }
    // Every gauge's lines (value, .min, .max) are in exactly one datagram.
    let mut seen = std::collections::HashMap::new();
    for (i, d) in datagrams.iter().enumerate() {
        for line in d.lines() {
            let name = line.split(':').next().unwrap();
            let gauge = name.trim_end_matches(".min").trim_end_matches(".max");
            let first = *seen.entry(gauge.to_owned()).or_insert(i);
            assert_eq!(first, i, "{gauge} in datagrams {first} and {i}");
        }
    }
    assert_eq!(seen.len(), 100);
}

#[test]
fn colons_in_names_are_sent_as_underscores() {
    let words = support::words(1024);
    let region = Region::format(&words).unwrap();
    region.counter("http:requests", Meta::new()).unwrap().inc();
    let all = lines(&encode::<16, 512>(&mut StatsdEncoder::new(), &region, ""));
    assert_eq!(all, ["http_requests:1|c"]);
}

#[test]
fn a_prefix_statsd_would_misread_is_refused() {
    let words = support::words(1024);
    let region = Region::format(&words).unwrap();
    let bytes = support::snapshot(&region);
    let stats = parse(&bytes).unwrap();
    let mut encoder = StatsdEncoder::<4>::new();
    for bad in ["a:b", "a|b", "a@b", "a#b", "a b", "a\nb", &"x".repeat(129)] {
        let sent = encoder.encode::<512>(&stats, bad, |_| panic!("nothing may be sent"));
        assert_eq!(sent, Err(StatsdError::BadPrefix), "{bad:?}");
    }
}

#[test]
fn counters_past_the_capacity_and_lines_past_the_datagram_are_skipped_and_counted() {
    let words = support::words(4096);
    let region = Region::format(&words).unwrap();
    for name in ["a", "b", "c"] {
        region.counter(name, Meta::new()).unwrap().inc();
    }
    region
        .gauge(&"long_name_".repeat(12), Meta::new())
        .unwrap()
        .set(1.0);
    let bytes = support::snapshot(&region);
    let stats = parse(&bytes).unwrap();
    let mut encoder = StatsdEncoder::<2>::new();
    let mut sent = Vec::new();
    let encoded = encoder
        .encode::<64>(&stats, "", |d| sent.push(d.to_vec()))
        .unwrap();
    // Two counters fit the encoder; the third has nowhere to keep its count. The gauge's
    // three lines (120-byte name) do not fit a 64-byte datagram.
    assert_eq!(encoded.skipped, 2);
    assert_eq!(encoded.lines, 2);
    assert_eq!(sent.concat(), b"a:1|c\nb:1|c\n");
}

/// Help text and units are not sent, so the encoder does not read them: a record whose help
/// is damaged (a control byte) is still sent, while a reader of help refuses the file there.
#[test]
fn damaged_help_does_not_stop_the_datagrams() {
    let words = support::words(1024);
    let region = Region::format(&words).unwrap();
    region
        .counter("served", Meta::new().help("Requests served"))
        .unwrap()
        .inc_by(4);
    let mut bytes = support::snapshot(&region);
    let at = bytes
        .windows(8)
        .position(|w| w == b"Requests")
        .expect("the help text is in the file");
    bytes[at] = b'\n';
    let stats = parse(&bytes).unwrap();
    assert!(stats.records().next().unwrap().is_err(), "help is checked");
    let mut sent = Vec::new();
    StatsdEncoder::<4>::new()
        .encode::<512>(&stats, "", |d| sent.push(d.to_vec()))
        .unwrap();
    assert_eq!(sent.concat(), b"served:4|c\n");
}

/// Regression: a metric's lines were written into a buffer sized for two lines, so with a long
/// prefix and name a negative gauge's `.max` lines and a histogram's `.min` and `.max` were
/// left out without a word. The longest prefix, names and label values, with the longest
/// values: every line of every metric is sent, in both walks.
#[test]
fn the_longest_names_and_values_send_every_line() {
    let words = support::words(8192);
    let region = Region::format(&words).unwrap();
    let long = |c: &str| c.repeat(128);
    let gauge = region.gauge(&long("g"), Meta::new()).unwrap();
    let family = region
        .gauge_family(&long("f"), Meta::new(), &["k"], 4)
        .unwrap();
    let series = family.series(&["v".repeat(255).as_str()]).unwrap();
    for g in [gauge, series] {
        for v in [
            -1.2345678901234567e-300,
            -2.2250738585072014e-308,
            -1.7976931348623157e308,
        ] {
            g.set(v);
        }
    }
    let h = region.histogram(&long("h"), Meta::new()).unwrap();
    h.record(u64::MAX - 1);
    h.record(u64::MAX / 3);
    let prefix = format!("{}.", "p".repeat(127));
    let bytes = support::snapshot(&region);
    let stats = parse(&bytes).unwrap();
    let mut parsed = Vec::new();
    let encoded = StatsdEncoder::<8>::new()
        .encode::<8192>(&stats, &prefix, |d| parsed.push(d.to_vec()))
        .unwrap();
    let mut live = Vec::new();
    let live_encoded = StatsdEncoder::<8>::new()
        .encode_region::<8192>(&region, &prefix, |d| live.push(d.to_vec()))
        .unwrap();
    assert_eq!((&live, live_encoded), (&parsed, encoded));
    let text = String::from_utf8(parsed.concat()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    // The gauge and the series: value, min, max, each `0` then the negative value; the
    // family's overflow series (zero): three lines; the histogram: six.
    assert_eq!(encoded.lines, 6 + 6 + 3 + 6, "{lines:#?}");
    assert_eq!(encoded.skipped, 0);
    let suffixes = [".min:", ".max:", ".count:", ".p50:", ".p90:", ".p99:"];
    for suffix in suffixes {
        assert!(lines.iter().any(|l| l.contains(suffix)), "{suffix} missing");
    }
    assert!(lines.iter().all(|l| l.starts_with(&prefix)));
    assert!(lines
        .iter()
        .any(|l| l.ends_with(":-1.7976931348623157e+308|g")));
    assert!(lines
        .iter()
        .any(|l| l.ends_with(":-2.2250738585072014e-308|g")));
}
