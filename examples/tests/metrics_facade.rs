//! A program instrumented only with `metrics::` macros (the metrics_facade example's code):
//! its numbers reach the stats file, `/mutornadomon` and a promtool-clean `/metrics`.

use mutornadomon_core::{parse, Value};
use mutornadomon_test_support as support;
use std::time::Duration;

fn metrics_page(addr: std::net::SocketAddr) -> String {
    support::get(addr, "/metrics").body
}

#[test]
fn macros_alone_fill_the_stats_file_and_every_page() {
    let running = mutornadomon_examples::metrics_app::start("127.0.0.1:0", 4).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let addr = running.server.local_addr();
    // A second process-wide recorder is refused, not silently replaced.
    assert!(running.monitor.install_metrics_recorder().is_err());
    // Keys with labels in another order reach the same series; another label set folds.
    metrics::counter!("jobs_total", "outcome" => "ok", "worker" => "w0").increment(1_000_000);
    metrics::counter!("jobs_total", "worker" => "w9").increment(1);
    let (monitor, server) = running.stop();

    let page = metrics_page(addr);
    let jobs = |worker: &str, outcome: &str| -> u64 {
        let prefix = format!("jobs_total{{outcome=\"{outcome}\",worker=\"{worker}\"}} ");
        page.lines()
            .find_map(|l| l.strip_prefix(&prefix))
            .map_or(0, |v| v.parse().unwrap())
    };
    assert!(jobs("w0", "ok") > 1_000_000, "{page}");
    assert!(jobs("w3", "ok") + jobs("w3", "error") > 10, "{page}");
    assert!(
        page.contains("# HELP jobs_total Jobs done, by worker and outcome\n"),
        "{page}"
    );
    assert!(
        page.contains("jobs_total{otel_metric_overflow=\"true\"} 1\n"),
        "{page}"
    );
    assert!(page.contains("mutornadomon_series_folded_total{family=\"jobs_total\"} 1\n"));
    // Durations recorded as f64 seconds keep their fractions: kept in nanoseconds, shown in
    // seconds.
    let sum: f64 = page
        .lines()
        .find_map(|l| l.strip_prefix("job_duration_seconds_sum{worker=\"w1\"} "))
        .unwrap_or_else(|| panic!("{page}"))
        .parse()
        .unwrap();
    assert!(sum > 0.0 && sum < 10.0, "{sum}");
    assert!(page.contains("last_checksum_residue "), "{page}");

    let json: serde_json::Value =
        serde_json::from_str(&support::get(addr, "/mutornadomon").body).unwrap();
    assert!(
        json["gauges"]["last_checksum_residue"].is_number(),
        "{json}"
    );
    assert_eq!(
        json["labelled"]["jobs_total"]["labels"],
        serde_json::json!(["outcome", "worker"])
    );
    assert_eq!(json["units"]["job_duration_seconds"], "nanoseconds");

    let path = monitor.stats_file().unwrap().to_owned();
    let bytes = std::fs::read(&path).unwrap();
    let stats = parse(&bytes).unwrap();
    let series = stats
        .records()
        .map(Result::unwrap)
        .filter(|r| r.name == "jobs_total" && !r.labels.is_overflow())
        .map(|r| match r.value {
            Value::Counter(n) => n,
            _ => panic!("jobs_total is a counter family"),
        })
        .count();
    assert!((4..=8).contains(&series), "{series} series");

    drop(server);
    drop(monitor);
    assert!(!path.exists(), "the stats file goes with the monitor");
}
