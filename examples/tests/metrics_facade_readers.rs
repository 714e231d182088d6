//! The macros-only program (the metrics_facade example's code) seen by its readers: `mmstats`'
//! reader library finds its series in the stats file, and promtool accepts its `/metrics`
//! (ignored unless promtool is installed). A test binary of its own: the example installs the
//! process-wide recorder.

use mmstats::reader::StatsFileCopy;
use mmstats::series::{series_name, Selector};
use mutornadomon_core::Value;
use mutornadomon_test_support as support;
use std::time::Duration;

#[test]
#[ignore = "needs promtool (apt-get install -y --no-install-recommends prometheus)"]
fn mmstats_reads_it_and_promtool_accepts_its_page() {
    let running = mutornadomon_examples::metrics_app::start("127.0.0.1:0", 2).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let addr = running.server.local_addr();
    let (monitor, _server) = running.stop();

    let copy = StatsFileCopy::read(monitor.stats_file().unwrap()).unwrap();
    let stats = copy.stats().unwrap();
    let ok = Selector::parse(r#"jobs_total{outcome="ok"}"#).unwrap();
    let (mut names, mut ok_jobs) = (Vec::new(), 0);
    for record in stats.records().map(Result::unwrap) {
        names.push(series_name(&record));
        if let (true, Value::Counter(n)) = (ok.selects(&record), record.value) {
            ok_jobs += n;
        }
    }
    assert!(ok_jobs > 10, "{names:?}");
    assert!(
        names
            .iter()
            .any(|n| n == r#"job_duration_seconds{worker="w1"}"#),
        "{names:?}"
    );

    support::promtool_check(&support::get(addr, "/metrics").body);
}
