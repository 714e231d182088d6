//! Renderers: the JSON schema, Prometheus and OpenMetrics structure, buffer sizing, and
//! `promtool check metrics` (ignored unless promtool is installed).

use mutornadomon_test_support::exposition::{assert_families_named_once, colliding_name, unit};
use mutornadomon_test_support::{promtool_check, promtool_parses};
use proptest::prelude::*;
mod support;

use mutornadomon_core::{
    parse, render_json, render_prometheus, Meta, ProcessStats, RenderError, Storage, TextFormat,
};
use support::snapshot;

/// A region holding every kind, including awkward names, units and texts.
fn every_kind() -> Vec<u8> {
    let storage = Storage::<8192>::new();
    let region = storage.region();
    region
        .counter("requests", Meta::new().help("Requests served"))
        .unwrap()
        .inc_by(2);
    region
        .counter("localhost_requests", Meta::new())
        .unwrap()
        .inc_by(2);
    region
        .counter(
            "bytes_sent_total",
            Meta::new().unit("bytes").help("Bytes sent"),
        )
        .unwrap()
        .inc_by(512);
    let lag = region
        .gauge(
            "ioloop_excess_callback_latency",
            Meta::new().unit("seconds").help("Excess latency"),
        )
        .unwrap();
    lag.set(-0.004);
    lag.set(0.000629);
    region
        .gauge("odd.name:with_dots", Meta::new().help(r"back\slash"))
        .unwrap()
        .set(f64::NAN);
    region
        .gauge("infinite", Meta::new().help("∞ help"))
        .unwrap()
        .set(f64::INFINITY);
    let h = region
        .histogram(
            "callback_duration",
            Meta::new().unit("nanoseconds").help("Callback time"),
        )
        .unwrap();
    for v in [0, 1, 900, 15_000, 2_000_000, 1 << 41] {
        h.record(v);
    }
    region
        .histogram_with_max("payload", Meta::new().unit("bytes"), 65_535)
        .unwrap()
        .record(1_000);
    region
        .info("build", Meta::new().help("Build"), r#"v1 "quoted" \ end"#)
        .unwrap();
    region
        .sharded_counter("jobs", Meta::new(), 2)
        .unwrap()
        .inc_by(3);
    snapshot(&region)
}

fn process() -> ProcessStats {
    ProcessStats {
        uptime_seconds: 38.9,
        rss_bytes: 14_020_608,
        vsz_bytes: 2_530_562_048,
        user_time_seconds: 0.25,
        system_time_seconds: 0.5,
        num_threads: 5,
        num_fds: 8,
        max_fds: Some(1024),
        start_time_seconds: 1_700_000_000.5,
    }
}

fn render(format: Option<TextFormat>) -> String {
    let file = every_kind();
    let stats = parse(&file).unwrap();
    let mut out = vec![0u8; 256 * 1024];
    let n = match format {
        None => render_json(&stats, Some(&process()), &mut out),
        Some(f) => render_prometheus(&stats, Some(&process()), f, &mut out),
    }
    .unwrap();
    String::from_utf8(out[..n].to_vec()).unwrap()
}

#[test]
fn json_has_mutornadomons_schema() {
    let json: serde_json::Value = serde_json::from_str(&render(None)).unwrap();
    assert_eq!(json["process"]["uptime"], 38.9);
    assert_eq!(json["process"]["num_fds"], 8);
    assert_eq!(json["process"]["meminfo"]["rss_bytes"], 14_020_608);
    assert_eq!(json["process"]["meminfo"]["vsz_bytes"], 2_530_562_048u64);
    assert_eq!(json["process"]["cpu"]["user_time"], 0.25);
    assert_eq!(json["process"]["cpu"]["system_time"], 0.5);
    assert_eq!(json["process"]["cpu"]["num_threads"], 5);
    assert_eq!(json["counters"]["requests"], 2);
    assert_eq!(json["counters"]["jobs"], 3);
    assert_eq!(json["gauges"]["ioloop_excess_callback_latency"], 0.000629);
    assert_eq!(json["min_gauges"]["ioloop_excess_callback_latency"], -0.004);
    assert_eq!(
        json["max_gauges"]["ioloop_excess_callback_latency"],
        0.000629
    );
    assert!(
        json["gauges"]["odd.name:with_dots"].is_null(),
        "NaN is null"
    );
    assert!(json["gauges"]["infinite"].is_null());
    let h = &json["histograms"]["callback_duration"];
    assert_eq!(
        (h["count"].as_u64(), h["sum"].as_u64(), h["min"].as_u64()),
        (Some(6), Some(2_000_000 + 15_901 + (1 << 41)), Some(0))
    );
    assert_eq!(h["max"], 1u64 << 41);
    assert_eq!(h["p999"], 1u64 << 41, "overflow bucket reports the max");
    assert_eq!(json["info"]["build"], r#"v1 "quoted" \ end"#);
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "counters",
            "gauges",
            "histograms",
            "info",
            "max_gauges",
            "min_gauges",
            "process",
            "units"
        ]
    );
    // What each number is, for every metric that declared a unit (issue: a histogram's bare
    // numbers next to gauges in seconds could not be told apart).
    assert_eq!(json["units"]["ioloop_excess_callback_latency"], "seconds");
    assert_eq!(json["units"]["callback_duration"], "nanoseconds");
    assert_eq!(json["units"]["payload"], "bytes");
    assert!(json["units"]["requests"].is_null(), "no unit, no entry");
}

#[test]
fn prometheus_text_structure() {
    let text = render(Some(TextFormat::Prometheus));
    for line in [
        "# TYPE requests_total counter\nrequests_total 2\n",
        "# HELP bytes_sent_bytes_total Bytes sent\n# TYPE bytes_sent_bytes_total counter\nbytes_sent_bytes_total 512\n",
        "# TYPE ioloop_excess_callback_latency_seconds gauge\nioloop_excess_callback_latency_seconds 0.000629\n",
        "ioloop_excess_callback_latency_min_seconds -0.004\n",
        "ioloop_excess_callback_latency_max_seconds 0.000629\n",
        "# HELP odd_name_with_dots back\\\\slash\n",
        "odd_name_with_dots NaN\n",
        "infinite +Inf\n",
        "# TYPE callback_duration_seconds histogram\n",
        "callback_duration_seconds_bucket{le=\"0\"} 1\n",
        "callback_duration_seconds_bucket{le=\"+Inf\"} 6\n",
        "callback_duration_seconds_count 6\n",
        "build_info{value=\"v1 \\\"quoted\\\" \\\\ end\"} 1\n",
        "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 0.75\n",
        "process_resident_memory_bytes 14020608\n",
        "process_max_fds 1024\n",
        "process_start_time_seconds 1700000000.5\n",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
    assert!(!text.contains("# EOF"));
    // Buckets are cumulative and never decrease.
    let counts: Vec<u64> = text
        .lines()
        .filter(|l| l.starts_with("callback_duration_seconds_bucket"))
        .map(|l| l.rsplit(' ').next().unwrap().parse().unwrap())
        .collect();
    assert!(counts.windows(2).all(|w| w[0] <= w[1]), "{counts:?}");
    assert_eq!(counts.len(), 42, "le = 2^k - 1 for k in 0..=40, then +Inf");
    // The bucket for 15_000 ns: le = 16383 ns holds 0, 1, 900 and 15000.
    assert!(
        text.contains("callback_duration_seconds_bucket{le=\"1.6383e-5\"} 4\n"),
        "{text}"
    );
}

#[test]
fn openmetrics_structure() {
    let text = render(Some(TextFormat::OpenMetrics));
    assert!(text.ends_with("# EOF\n"));
    for line in [
        "# TYPE requests counter\n# HELP requests Requests served\nrequests_total 2\n",
        "# TYPE ioloop_excess_callback_latency_seconds gauge\n# UNIT ioloop_excess_callback_latency_seconds seconds\n",
        "# TYPE build info\n",
        "build_info{value=",
    ] {
        assert!(text.contains(line), "missing {line:?} in\n{text}");
    }
}

#[test]
fn too_small_buffers_say_what_they_need() {
    let file = every_kind();
    let stats = parse(&file).unwrap();
    type Render<'r> = &'r dyn Fn(&mut [u8]) -> Result<usize, RenderError>;
    let renderers: [Render<'_>; 2] = [&|out| render_json(&stats, Some(&process()), out), &|out| {
        render_prometheus(&stats, None, TextFormat::OpenMetrics, out)
    }];
    for render in renderers {
        let Err(RenderError::BufferTooSmall { needed }) = render(&mut [0u8; 100]) else {
            panic!("fits in 100 bytes?")
        };
        let mut exact = vec![0u8; needed];
        assert_eq!(render(&mut exact), Ok(needed));
        assert_eq!(
            render(&mut exact[..needed - 1]),
            Err(RenderError::BufferTooSmall { needed })
        );
    }
}

#[test]
fn corrupt_records_are_reported_not_rendered() {
    let mut file = every_kind();
    file[144] = b' '; // first record's name
    let stats = parse(&file).unwrap();
    let mut out = vec![0u8; 64 * 1024];
    assert!(matches!(
        render_json(&stats, None, &mut out),
        Err(RenderError::Corrupt(_))
    ));
    assert!(matches!(
        render_prometheus(&stats, None, TextFormat::Prometheus, &mut out),
        Err(RenderError::Corrupt(_))
    ));
}

#[test]
fn accept_header_negotiation() {
    let cases: &[(&str, TextFormat)] = &[
        ("", TextFormat::Prometheus),
        ("text/plain", TextFormat::Prometheus),
        ("application/openmetrics-text; version=1.0.0", TextFormat::OpenMetrics),
        ("Application/OpenMetrics-Text", TextFormat::OpenMetrics),
        ("application/openmetrics-text;q=0", TextFormat::Prometheus),
        ("application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1", TextFormat::OpenMetrics),
    ];
    for (accept, want) in cases {
        assert_eq!(
            TextFormat::from_accept(accept.as_bytes()),
            *want,
            "{accept:?}"
        );
    }
}

#[test]
#[ignore = "needs promtool (apt-get install -y --no-install-recommends prometheus)"]
fn promtool_accepts_the_prometheus_text() {
    promtool_check(&render(Some(TextFormat::Prometheus)));
}

/// Registers `(name, unit, kind)` in a fresh region, as far as registration allows, and
/// renders its page.
fn page_of(metrics: &[(String, &str, u8)], format: TextFormat) -> String {
    let storage = Storage::<16384>::new();
    let region = storage.region();
    for (name, unit, kind) in metrics {
        let meta = Meta::new().unit(unit);
        let _ = match kind % 5 {
            0 => region.counter(name, meta).map(|c| c.inc()),
            1 => region.sharded_counter(name, meta, 2).map(|c| c.inc_by(2)),
            2 => region.gauge(name, meta).map(|g| g.set(-1.5)),
            3 => region.histogram(name, meta).map(|h| h.record(1000)),
            _ => region.info(name, meta, "text"),
        };
    }
    let image = snapshot(&region);
    let mut out = vec![0u8; 1 << 20];
    let n = render_prometheus(&parse(&image).unwrap(), Some(&process()), format, &mut out).unwrap();
    String::from_utf8(out[..n].to_vec()).unwrap()
}

fn metric_set() -> impl Strategy<Value = Vec<(String, &'static str, u8)>> {
    proptest::collection::vec((colliding_name(), unit(), any::<u8>()), 1..24)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Whatever names a program registers, its page names each family once: a name that would
    /// render like one already there is refused at registration.
    #[test]
    fn any_registered_names_give_a_page_naming_families_once(metrics in metric_set()) {
        assert_families_named_once(&page_of(&metrics, TextFormat::Prometheus));
        assert_families_named_once(&page_of(&metrics, TextFormat::OpenMetrics));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    #[ignore = "needs promtool (apt-get install -y --no-install-recommends prometheus)"]
    fn promtool_accepts_the_page_of_any_registered_names(metrics in metric_set()) {
        promtool_parses(&page_of(&metrics, TextFormat::Prometheus));
    }
}
