//! Labelled families: registration, lookup by values, bounded cardinality, the parsed view,
//! every renderer, and hostile label values.

mod support;

use mutornadomon_core::{
    parse, render_json, render_prometheus, CounterFamily, LabelError, Meta, Page, PageTemplate,
    ParseErrorKind, PlacedHole, Region, RegisterError, StatsdEncoder, TextFormat, Value,
    OVERFLOW_LABEL,
};
use mutornadomon_test_support::promtool::{promtool_check, promtool_parses};
use proptest::prelude::*;
use support::{parsed, snapshot, words};

fn prometheus(region: &Region<'_>, format: TextFormat) -> String {
    let snap = snapshot(region);
    let mut out = vec![0u8; 1 << 20];
    let n = render_prometheus(&parsed(&snap), None, format, &mut out).unwrap();
    String::from_utf8(out[..n].to_vec()).unwrap()
}

fn json(region: &Region<'_>) -> serde_json::Value {
    let snap = snapshot(region);
    let mut out = vec![0u8; 1 << 20];
    let n = render_json(&parsed(&snap), None, &mut out).unwrap();
    serde_json::from_slice(&out[..n]).unwrap()
}

#[test]
fn series_are_found_by_values_and_share_their_counter() {
    let w = words(4096);
    let region = Region::format(&w).unwrap();
    let requests = region
        .counter_family(
            "requests",
            Meta::new().help("Requests"),
            &["status", "method"],
            8,
        )
        .unwrap();
    let ok = requests.series(&["200", "GET"]).unwrap();
    ok.inc();
    requests.series(&["200", "GET"]).unwrap().inc_by(2);
    requests.series(&["404", "GET"]).unwrap().inc();
    assert_eq!(ok.get(), 3);
    assert_eq!(requests.series_count(), 2);
    // Registering the family again gives the same family (its series included).
    let again = region
        .counter_family("requests", Meta::new(), &["status", "method"], 8)
        .unwrap();
    assert_eq!(again.series(&["200", "GET"]).unwrap().get(), 3);
    assert_eq!(again.series_count(), 2);
}

#[test]
fn a_histogram_family_found_again_keeps_its_buckets() {
    let w = words(8192);
    let region = Region::format(&w).unwrap();
    let meta = Meta::new().unit("nanoseconds");
    let small = region
        .histogram_family_with_max("h", meta, &["k"], 4, 1023)
        .unwrap();
    small.series(&["a"]).unwrap().record(5);
    let again = region.histogram_family("h", meta, &["k"], 4).unwrap();
    let series = again.series(&["a"]).unwrap();
    series.record(7);
    assert_eq!((series.count(), series.sum()), (2, 12));
    again.series(&["b"]).unwrap().record(2_000_000); // past the small range: its last bucket
    parse(&snapshot(&region)).unwrap().records().for_each(|r| {
        r.unwrap();
    });
}

#[test]
fn names_taken_with_other_labels_or_kinds_are_refused() {
    let w = words(4096);
    let region = Region::format(&w).unwrap();
    region
        .counter_family("requests", Meta::new(), &["status"], 8)
        .unwrap();
    let mismatch = region.counter_family("requests", Meta::new(), &["code"], 8);
    assert_eq!(mismatch.unwrap_err(), RegisterError::LabelsMismatch);
    let plain = region.counter("requests", Meta::new());
    assert_eq!(plain.unwrap_err(), RegisterError::LabelsMismatch);
    assert!(region.count("requests", 1).is_err());
    let gauge = region.gauge_family("requests", Meta::new(), &["status"], 8);
    assert!(matches!(gauge, Err(RegisterError::KindMismatch { .. })));
    region.counter("plain", Meta::new()).unwrap();
    let labelled = region.counter_family("plain", Meta::new(), &["a"], 8);
    assert_eq!(labelled.unwrap_err(), RegisterError::LabelsMismatch);
    // A family's names clash like a metric's: `requests_total` renders as `requests`.
    let clash = region.counter("requests_total", Meta::new());
    assert!(matches!(clash, Err(RegisterError::NameClash { .. })));
    let none = region.counter_family("x", Meta::new(), &[], 8);
    assert_eq!(
        none.unwrap_err(),
        RegisterError::InvalidLabels(LabelError::NoLabels)
    );
    let reserved = region.counter_family("x", Meta::new(), &["le"], 8);
    let reserved = reserved.unwrap_err();
    assert_eq!(
        reserved,
        RegisterError::InvalidLabels(LabelError::ReservedName { index: 0 })
    );
    let folded = region.gauge("mutornadomon_series_folded", Meta::new());
    assert!(matches!(folded, Err(RegisterError::NameClash { .. })));
}

#[test]
fn past_the_limit_updates_fold_into_the_overflow_series() {
    let w = words(8192);
    let region = Region::format(&w).unwrap();
    let requests = region
        .counter_family("requests", Meta::new(), &["path"], 3)
        .unwrap();
    for i in 0..10 {
        requests.series(&[&format!("/{i}")]).unwrap().inc();
    }
    assert_eq!(requests.series_count(), 3);
    assert_eq!(requests.folded(), 7);
    assert_eq!(requests.overflow().get(), 7);
    // Known series still have their own counter.
    requests.series(&["/1"]).unwrap().inc();
    assert_eq!(requests.series(&["/1"]).unwrap().get(), 2);
    let page = prometheus(&region, TextFormat::Prometheus);
    assert!(page.contains("requests_total{path=\"/0\"} 1\n"), "{page}");
    assert!(page.contains(&format!("requests_total{{{OVERFLOW_LABEL}=\"true\"}} 7\n")));
    assert!(page.contains("mutornadomon_series_folded_total{family=\"requests\"} 7\n"));
    assert!(!page.contains("/9"));
}

#[test]
fn a_full_region_folds_instead_of_failing() {
    let w = words(256);
    let region = Region::format(&w).unwrap();
    let family = region.gauge_family("g", Meta::new(), &["k"], 1000).unwrap();
    let mut folded_at = None;
    for i in 0..100 {
        family.series(&[&format!("{i}")]).unwrap().set(i as f64);
        if family.folded() > 0 && folded_at.is_none() {
            folded_at = Some(i);
        }
    }
    assert!(folded_at.is_some(), "a 2 KiB region cannot hold 100 gauges");
    assert_eq!(family.overflow().get(), 99.0);
    parse(&snapshot(&region)).unwrap().records().for_each(|r| {
        r.unwrap();
    });
}

/// A family fed hostile values: the refusals checked, the accepted ones rendered by `render`.
fn hostile_family<R>(render: impl FnOnce(&Region<'_>) -> R) -> R {
    let w = words(8192);
    let region = Region::format(&w).unwrap();
    let family = region
        .counter_family("hostile", Meta::new(), &["v"], 64)
        .unwrap();
    for bad in ["a\nb", "\0", "\u{7f}", "\u{9f}", &"x".repeat(10_000)] {
        assert!(matches!(
            family.series(&[bad]),
            Err(LabelError::BadValue { index: 0, .. })
        ));
    }
    assert_eq!(
        family.series(&[]).unwrap_err(),
        LabelError::WrongValueCount {
            expected: 1,
            got: 0
        }
    );
    for good in [
        "say \"hi\"",
        "back\\slash",
        "",
        "ünïcödé ✓",
        "{a=\"b\"}",
        "# HELP x y",
    ] {
        family.series(&[good]).unwrap().inc();
    }
    family.series(&[&"y".repeat(256)]).unwrap().inc();
    render(&region)
}

#[test]
fn hostile_values_are_refused_or_escaped() {
    let page = hostile_family(|r| prometheus(r, TextFormat::Prometheus));
    assert!(
        page.contains(r#"hostile_total{v="say \"hi\""} 1"#),
        "{page}"
    );
    assert!(page.contains(r#"hostile_total{v="back\\slash"} 1"#));
    assert!(page.contains(r#"hostile_total{v=""} 1"#));
    let page = hostile_family(json);
    let series = &page["labelled"]["hostile"]["series"];
    assert_eq!(series[0]["labels"]["v"], "say \"hi\"");
    assert_eq!(series[3]["labels"]["v"], "ünïcödé ✓");
}

#[test]
fn the_parsed_view_gives_family_then_series() {
    let w = words(4096);
    let region = Region::format(&w).unwrap();
    region.counter("before", Meta::new()).unwrap();
    let latency = region
        .histogram_family(
            "latency",
            Meta::new().unit("nanoseconds").help("Latency"),
            &["route"],
            4,
        )
        .unwrap();
    region.gauge("between", Meta::new()).unwrap();
    latency.series(&["/"]).unwrap().record(1_000);
    let snap = snapshot(&region);
    let records: Vec<_> = parsed(&snap).records().map(Result::unwrap).collect();
    let names: Vec<_> = records.iter().map(|r| r.name).collect();
    assert_eq!(names, ["before", "latency", "between", "latency"]);
    assert!(records[1].labels.is_overflow());
    assert_eq!(records[1].unit, "nanoseconds");
    assert_eq!(records[3].help, "Latency");
    assert_eq!(
        records[3].labels.iter().collect::<Vec<_>>(),
        [("route", "/")]
    );
    let Value::Histogram(h) = records[3].value else {
        panic!()
    };
    assert_eq!(h.sum(), 1_000);
    assert_eq!(parsed(&snap).header().version_minor, 2);
}

#[test]
fn every_renderer_writes_labelled_families() {
    every_kind(every_renderer_on);
}

/// Families of every kind beside a plain counter, handed to `then` with the counter family.
fn every_kind<R>(then: impl FnOnce(&Region<'_>, &CounterFamily<'_>) -> R) -> R {
    let w = words(16384);
    let region = Region::format(&w).unwrap();
    region.counter("plain", Meta::new()).unwrap().inc();
    let c = region
        .counter_family(
            "requests",
            Meta::new().help("Requests"),
            &["status", "method"],
            8,
        )
        .unwrap();
    c.series(&["200", "GET"]).unwrap().inc_by(5);
    let g = region
        .gauge_family("depth", Meta::new().unit("bytes"), &["queue"], 8)
        .unwrap();
    g.series(&["mail"]).unwrap().set(3.5);
    let h = region
        .histogram_family("latency", Meta::new().unit("nanoseconds"), &["route"], 8)
        .unwrap();
    h.series(&["/a"]).unwrap().record(1_500);
    c.series(&["500", "POST"]).unwrap().inc();
    then(&region, &c)
}

fn every_renderer_on(region: &Region<'_>, c: &CounterFamily<'_>) {
    let page = prometheus(region, TextFormat::Prometheus);
    let expected_lines = [
        "# TYPE requests_total counter",
        "requests_total{status=\"200\",method=\"GET\"} 5",
        "requests_total{status=\"500\",method=\"POST\"} 1",
        "requests_total{otel_metric_overflow=\"true\"} 0",
        "depth_bytes{queue=\"mail\"} 3.5",
        "depth_min_bytes{queue=\"mail\"} 3.5", // its first set: both extremes
        "latency_seconds_bucket{route=\"/a\",le=\"+Inf\"} 1",
        "latency_seconds_sum{route=\"/a\"} 1.5e-6",
        "latency_seconds_count{otel_metric_overflow=\"true\"} 0",
        "mutornadomon_series_folded_total{family=\"requests\"} 0",
        "plain_total 1",
    ];
    for line in expected_lines {
        assert!(
            page.lines().any(|l| l == line),
            "missing {line:?} in\n{page}"
        );
    }
    assert_eq!(page.matches("# TYPE requests_total").count(), 1);
    let open = prometheus(region, TextFormat::OpenMetrics);
    assert!(open.ends_with("# EOF\n"));

    let page = json(region);
    assert_eq!(page["counters"], serde_json::json!({"plain": 1}));
    let requests = &page["labelled"]["requests"];
    assert_eq!(requests["kind"], "counter");
    assert_eq!(requests["labels"], serde_json::json!(["status", "method"]));
    assert_eq!(requests["limit"], 8);
    assert_eq!(requests["series"][1]["labels"]["method"], "POST");
    assert_eq!(requests["series"][2]["labels"][OVERFLOW_LABEL], "true");
    assert_eq!(page["labelled"]["depth"]["series"][0]["value"], 3.5);
    assert_eq!(
        page["labelled"]["latency"]["series"][0]["value"]["sum"],
        1500
    );
    assert_eq!(page["units"]["latency"], "nanoseconds");

    // Templates fill the same page from the live region.
    for kind in [Page::Json, Page::Prometheus(TextFormat::Prometheus)] {
        let mut text = vec![0u8; 1 << 16];
        let mut holes = vec![PlacedHole::EMPTY; 4096];
        let snap = snapshot(region);
        let template =
            PageTemplate::compile(kind, &parsed(&snap), None, &mut text, &mut holes).unwrap();
        c.series(&["200", "GET"]).unwrap().inc();
        let mut out = vec![0u8; 1 << 16];
        let n = template
            .fill_region(&text, &holes, region, None, &mut out)
            .unwrap();
        let filled = String::from_utf8(out[..n].to_vec()).unwrap();
        let rendered = match kind {
            Page::Json => serde_json::to_string(&json(region)).unwrap(),
            _ => prometheus(region, TextFormat::Prometheus),
        };
        match kind {
            Page::Json => assert_eq!(
                serde_json::from_str::<serde_json::Value>(&filled).unwrap(),
                serde_json::from_str::<serde_json::Value>(&rendered).unwrap()
            ),
            _ => assert_eq!(filled, rendered),
        }
    }

    // statsd: Graphite-style names.
    let snap = snapshot(region);
    let mut lines = String::new();
    StatsdEncoder::<64>::new()
        .encode::<1432>(&parsed(&snap), "", |d| {
            lines.push_str(std::str::from_utf8(d).unwrap())
        })
        .unwrap();
    assert!(lines.contains("requests.200.GET:7|c\n"), "{lines}");
    assert!(lines.contains("requests.otel_metric_overflow:0|c\n"));
    assert!(lines.contains("latency._a.count:1|c\n"));
}

#[test]
fn damaged_series_get_a_verdict() {
    let w = words(4096);
    let region = Region::format(&w).unwrap();
    let family = region
        .counter_family("f", Meta::new(), &["a", "b"], 8)
        .unwrap();
    family.series(&["x", "y"]).unwrap().inc();
    let good = snapshot(&region);
    let series_at = parsed(&good)
        .records()
        .map(Result::unwrap)
        .position(|r| !r.labels.is_overflow())
        .unwrap();
    assert_eq!(series_at, 1);
    // The series' text: "x\0y" -> "x\x01y" (a control character) -> BadLabels.
    let text_at = good
        .windows(3)
        .position(|w| w == b"x\0y")
        .expect("the series text is in the file");
    let mut bad = good.clone();
    bad[text_at + 1] = 1;
    let err = parsed(&bad).records().find_map(Result::err).unwrap();
    assert_eq!(err.kind(), ParseErrorKind::BadLabels);
    // Pointing the series at itself -> BadFamily.
    let mut bad = good.clone();
    let lengths_at = text_at - 8;
    let own = (lengths_at - 8) as u32 / 8;
    bad[lengths_at + 4..lengths_at + 8].copy_from_slice(&own.to_ne_bytes());
    let err = parsed(&bad).records().find_map(Result::err).unwrap();
    assert_eq!(err.kind(), ParseErrorKind::BadFamily);
}

#[test]
#[ignore = "needs promtool"]
fn promtool_accepts_labelled_pages() {
    let overflow = {
        let w = words(8192);
        let region = Region::format(&w).unwrap();
        let family = region.histogram_family("h", Meta::new().unit("nanoseconds"), &["path"], 3);
        let family = family.unwrap();
        for i in 0..10 {
            family.series(&[&format!("/{i}")]).unwrap().record(i);
        }
        prometheus(&region, TextFormat::Prometheus)
    };
    promtool_check(&overflow);
    promtool_check(&hostile_family(|r| prometheus(r, TextFormat::Prometheus)));
    every_kind(|region, _| {
        promtool_check(&prometheus(region, TextFormat::Prometheus));
        promtool_parses(&prometheus(region, TextFormat::OpenMetrics));
    });
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any label values (hostile bytes included) give a refusal or a series that reads back
    /// the same, and pages that parse.
    #[test]
    fn any_values_read_back_or_are_refused(
        values in proptest::collection::vec(
            proptest::collection::vec(any::<char>(), 0..12).prop_map(|c| c.into_iter().collect::<String>()),
            1..20,
        ),
    ) {
        let w = words(16384);
        let region = Region::format(&w).unwrap();
        let family = region.counter_family("p", Meta::new(), &["v"], 8).unwrap();
        let mut accepted = Vec::new();
        for v in &values {
            match family.series(&[v]) {
                Ok(c) => {
                    c.inc();
                    accepted.push(v.clone());
                }
                Err(LabelError::BadValue { .. }) => prop_assert!(v.chars().any(char::is_control)),
                Err(e) => prop_assert!(false, "{e}"),
            }
        }
        let snap = snapshot(&region);
        let stats = parsed(&snap);
        for record in stats.records() {
            let record = record.unwrap();
            if !record.labels.is_overflow() {
                let (_, value) = record.labels.iter().next().unwrap();
                prop_assert!(accepted.iter().any(|a| a == value));
            }
        }
        let page = prometheus(&region, TextFormat::Prometheus);
        prop_assert!(page.ends_with('\n'));
        json(&region);
    }
}

#[test]
fn threads_racing_to_register_the_same_series_make_one_each() {
    let w = words(1 << 16);
    let region = Region::format(&w).unwrap();
    let family = region
        .counter_family("raced", Meta::new(), &["k"], 40)
        .unwrap();
    let values: Vec<String> = (0..50).map(|i| format!("v{i}")).collect();
    std::thread::scope(|s| {
        for _ in 0..4 {
            s.spawn(|| {
                for _ in 0..20 {
                    for v in &values {
                        family.series(&[v]).unwrap().inc();
                    }
                }
            });
        }
    });
    // 40 series of 80 updates each; the other 10 values folded, every one of their updates
    // in the overflow series.
    assert_eq!(family.series_count(), 40);
    let snap = snapshot(&region);
    let mut seen = std::collections::HashSet::new();
    let mut total = 0;
    for record in parsed(&snap).records().map(Result::unwrap) {
        let Value::Counter(n) = record.value else {
            continue;
        };
        if record.labels.is_overflow() {
            assert_eq!(n, 10 * 80);
        } else {
            assert_eq!(n, 80, "{:?}", record.labels);
            assert!(
                seen.insert(record.labels.iter().next().unwrap().1.to_owned()),
                "a series twice"
            );
        }
        total += n;
    }
    assert_eq!(total, 50 * 80);
    assert_eq!(family.folded(), 10 * 80);
}
