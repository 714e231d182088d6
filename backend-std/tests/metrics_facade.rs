//! The `metrics` facade: keys to plain metrics and labelled series, descriptions, units of
//! histograms, bounded families, refusals, threads, and promtool on the page.
#![cfg(feature = "metrics")]

use metrics::{
    counter, describe_gauge, describe_histogram, gauge, histogram, with_local_recorder, Unit,
};
use mutornadomon_std::{MetricsPage, Monitor};
use std::time::Duration;

fn page(monitor: &Monitor) -> String {
    monitor
        .handle()
        .render_page(MetricsPage::Prometheus, None, false)
        .body
}

fn sample<'p>(page: &'p str, prefix: &str) -> &'p str {
    page.lines()
        .find_map(|l| l.strip_prefix(prefix))
        .unwrap_or_else(|| panic!("no {prefix:?} in\n{page}"))
}

#[test]
fn keys_become_metrics_and_series() {
    let monitor = Monitor::builder().in_memory().start().unwrap();
    let recorder = monitor.metrics_recorder_with_limit(3);
    with_local_recorder(&recorder, || {
        describe_histogram!("latency", Unit::Milliseconds, "Request latency");
        describe_gauge!("temperature", Unit::Seconds, "Not really seconds");
        counter!("plain").increment(2);
        counter!("plain").absolute(10);
        counter!("by_status", "status" => "200", "method" => "GET").increment(1);
        counter!("by_status", "method" => "GET", "status" => "200").increment(1); // same series
        counter!("by_status", "status" => "200").increment(5); // other label names: folded
        for code in ["500", "501", "502", "503"] {
            counter!("by_status", "status" => code, "method" => "GET").increment(1);
        }
        gauge!("temperature").set(20.0);
        gauge!("temperature").increment(2.5);
        gauge!("temperature").decrement(0.5);
        histogram!("latency", "route" => "/").record(1.5); // ms
        histogram!("undescribed_seconds").record(Duration::from_micros(250));
        histogram!("sizes").record(1023.4);
        histogram!("sizes").record(-5.0);
        histogram!("sizes").record(f64::NAN);
        counter!("bad-name!").increment(1); // becomes bad_name_
        counter!("otel", "http.request.method" => "GET", "le" => "x").increment(1);
    });
    let page = page(&monitor);
    assert_eq!(sample(&page, "plain_total "), "10");
    assert_eq!(
        sample(&page, "by_status_total{method=\"GET\",status=\"200\"} "),
        "2"
    );
    // Limit 3: 200, 500 and 501 have series; 502 and 503 fold, with the other label set.
    assert_eq!(
        sample(&page, "by_status_total{otel_metric_overflow=\"true\"} "),
        "7"
    );
    assert_eq!(
        sample(
            &page,
            "mutornadomon_series_folded_total{family=\"by_status\"} "
        ),
        "3"
    );
    assert_eq!(sample(&page, "temperature_seconds "), "22");
    assert!(
        page.contains("# HELP latency_seconds Request latency\n"),
        "{page}"
    );
    assert_eq!(sample(&page, "latency_seconds_sum{route=\"/\"} "), "0.0015");
    assert_eq!(sample(&page, "undescribed_seconds_sum "), "0.00025");
    assert_eq!(sample(&page, "sizes_sum "), "1023");
    assert_eq!(sample(&page, "sizes_count "), "2");
    assert_eq!(sample(&page, "bad_name__total "), "1");
    assert_eq!(
        sample(
            &page,
            "otel_total{http_request_method=\"GET\",label_le=\"x\"} "
        ),
        "1"
    );
}

#[test]
fn handles_are_cached_and_a_refused_key_does_nothing() {
    let monitor = Monitor::builder().in_memory().start().unwrap();
    let recorder = monitor.metrics_recorder();
    let records = |m: &Monitor| m.snapshot().stats().unwrap().header().record_count;
    with_local_recorder(&recorder, || counter!("hits", "k" => "v").increment(1));
    let before = records(&monitor);
    let refused_before = monitor.snapshot().stats().unwrap().header().refused;
    with_local_recorder(&recorder, || {
        for _ in 0..1000 {
            counter!("hits", "k" => "v").increment(1);
        }
        gauge!("hits", "k" => "v").set(1.0); // the name is a counter family's: a no-op
        gauge!("hits").set(1.0); // and a plain gauge would clash with it
    });
    assert_eq!(records(&monitor), before, "no new records for a known key");
    assert!(monitor.snapshot().stats().unwrap().header().refused > refused_before);
    assert!(page(&monitor).contains("hits_total{k=\"v\"} 1001\n"));
}

#[test]
fn threads_share_one_series() {
    let monitor = Monitor::builder().in_memory().start().unwrap();
    let recorder = std::sync::Arc::new(monitor.metrics_recorder());
    std::thread::scope(|s| {
        for _ in 0..4 {
            let recorder = std::sync::Arc::clone(&recorder);
            s.spawn(move || {
                with_local_recorder(&*recorder, || {
                    for i in 0..10_000u64 {
                        counter!("work", "parity" => if i % 2 == 0 { "even" } else { "odd" })
                            .increment(1);
                    }
                })
            });
        }
    });
    let page = page(&monitor);
    assert_eq!(sample(&page, "work_total{parity=\"even\"} "), "20000");
    assert_eq!(sample(&page, "work_total{parity=\"odd\"} "), "20000");
}

#[test]
#[ignore = "needs promtool (apt-get install -y --no-install-recommends prometheus)"]
fn promtool_accepts_the_facade_page() {
    let monitor = Monitor::builder().in_memory().start().unwrap();
    let recorder = monitor.metrics_recorder_with_limit(2);
    with_local_recorder(&recorder, || {
        describe_histogram!("rpc_seconds", Unit::Seconds, "RPC time");
        for (route, quoted) in [("/a", "x\"y"), ("/b", "back\\slash"), ("/c", "ünï")] {
            counter!("rpc_total", "route" => route, "peer" => quoted).increment(3);
            histogram!("rpc_seconds", "route" => route).record(Duration::from_millis(7));
            gauge!("inflight", "route" => route).set(1.0);
        }
    });
    mutornadomon_test_support::promtool_check(&page(&monitor));
}
