//! The statsd publisher against a real statsd server: collectd's statsd plugin, started with a
//! private configuration on a free loopback port, writing what it stores as CSV. What collectd
//! stores must equal what the library holds: counters, a negative and a positive gauge held
//! constant over several publishes, gauge min/max, histogram count, percentiles, min and max.

use mutornadomon_core::{Meta, Value};
use mutornadomon_std::{Monitor, StatsdPublisher};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// collectd in the foreground, killed when dropped.
struct Collectd {
    child: Child,
    dir: PathBuf,
    port: u16,
}

impl Collectd {
    fn start(dir: &Path) -> Collectd {
        let port = std::net::UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        std::fs::create_dir_all(dir).unwrap();
        let conf = dir.join("collectd.conf");
        let d = dir.display();
        std::fs::write(
            &conf,
            format!(
                r#"Hostname "mutornadomon-test"
FQDNLookup false
BaseDir "{d}"
PIDFile "{d}/collectd.pid"
PluginDir "/usr/lib/collectd"
TypesDB "/usr/share/collectd/types.db"
Interval 1
LoadPlugin statsd
LoadPlugin csv
<Plugin statsd>
  Host "127.0.0.1"
  Port "{port}"
  DeleteCounters false
  DeleteGauges false
</Plugin>
<Plugin csv>
  DataDir "{d}/csv"
  StoreRates false
</Plugin>
"#
            ),
        )
        .unwrap();
        let child = Command::new("collectd")
            .arg("-f")
            .arg("-C")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("collectd on PATH (apt-get install -y --no-install-recommends collectd-core)");
        std::thread::sleep(Duration::from_millis(700)); // the plugin binds its socket
        Collectd {
            child,
            dir: dir.to_owned(),
            port,
        }
    }

    /// The last value collectd stored for each statsd name (`gauge-app.x` -> value), from its
    /// CSV files.
    fn stored(&self) -> HashMap<String, f64> {
        let mut out = HashMap::new();
        let host = self.dir.join("csv/mutornadomon-test");
        for plugin_dir in std::fs::read_dir(&host).into_iter().flatten().flatten() {
            for file in std::fs::read_dir(plugin_dir.path()).unwrap().flatten() {
                let name = file.file_name().to_string_lossy().into_owned();
                // `gauge-app.temperature-2026-12-02`: the date is the last 11 characters.
                let Some(series) = name.get(..name.len().saturating_sub(11)) else {
                    continue;
                };
                let text = std::fs::read_to_string(file.path()).unwrap();
                let last = text.lines().last().unwrap_or_default();
                if let Some(Ok(v)) = last.split(',').nth(1).map(str::parse::<f64>) {
                    out.insert(series.to_owned(), v);
                }
            }
        }
        out
    }

    /// Every value collectd stored for `series`, in order.
    fn history(&self, series: &str) -> Vec<f64> {
        let host = self.dir.join("csv/mutornadomon-test/statsd");
        let mut values = Vec::new();
        for file in std::fs::read_dir(host).into_iter().flatten().flatten() {
            let name = file.file_name().to_string_lossy().into_owned();
            if name.len() > 11 && &name[..name.len() - 11] == series {
                let text = std::fs::read_to_string(file.path()).unwrap();
                values.extend(
                    text.lines()
                        .filter_map(|l| l.split(',').nth(1)?.parse::<f64>().ok()),
                );
            }
        }
        values
    }
}

impl Drop for Collectd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[test]
#[ignore = "needs collectd (apt-get install -y --no-install-recommends collectd-core)"]
fn collectd_stores_what_the_library_holds() {
    let dir = std::env::temp_dir().join(format!("mutornadomon-collectd-{}", std::process::id()));
    let collectd = Collectd::start(&dir);
    let monitor = Monitor::builder().in_memory().start().unwrap();
    let mut statsd = StatsdPublisher::new(("127.0.0.1", collectd.port), "app.").unwrap();
    let jobs = monitor.counter("jobs", Meta::new()).unwrap();
    let temperature = monitor.gauge("temperature", Meta::new()).unwrap();
    let pressure = monitor.gauge("pressure", Meta::new()).unwrap();
    let latency = monitor.histogram("latency", Meta::new()).unwrap();
    temperature.set(-7.75);
    pressure.set(1013.25);
    for v in [1_234_567, 2_000_000, 5_172_404, 3_000_000] {
        latency.record(v);
    }
    // Several publishes, one per collectd interval, with the gauges unchanged.
    for round in 0..4 {
        jobs.inc_by(3);
        temperature.set(-7.75);
        statsd.publish(&monitor.snapshot());
        if round < 3 {
            std::thread::sleep(Duration::from_millis(1100));
        }
    }
    std::thread::sleep(Duration::from_millis(2500)); // collectd writes each interval

    let stored = collectd.stored();
    let snapshot = monitor.snapshot();
    let stats = snapshot.stats().unwrap();
    let mut expected: HashMap<String, f64> = HashMap::new();
    for record in stats.records().map(Result::unwrap) {
        let name = format!("app.{}", record.name);
        match record.value {
            Value::Counter(n) => {
                expected.insert(format!("derive-{name}"), n as f64);
            }
            Value::Gauge(g) => {
                expected.insert(format!("gauge-{name}"), g.value);
                expected.insert(format!("gauge-{name}.min"), g.min);
                expected.insert(format!("gauge-{name}.max"), g.max);
            }
            Value::Histogram(h) => {
                let s = h.summary([0.5, 0.9, 0.99]);
                expected.insert(format!("derive-{name}.count"), s.count as f64);
                for (q, v) in ["p50", "p90", "p99"].iter().zip(s.quantiles) {
                    expected.insert(format!("gauge-{name}.{q}"), v.unwrap() as f64);
                }
                expected.insert(format!("gauge-{name}.min"), s.min.unwrap() as f64);
                expected.insert(format!("gauge-{name}.max"), s.max.unwrap() as f64);
            }
            Value::Info(_) => {}
        }
    }
    for series in [
        "derive-app.jobs",
        "gauge-app.temperature",
        "gauge-app.temperature.min",
        "gauge-app.temperature.max",
        "gauge-app.pressure",
        "derive-app.latency.count",
        "gauge-app.latency.p50",
        "gauge-app.latency.p99",
        "gauge-app.latency.min",
        "gauge-app.latency.max",
    ] {
        let ours = expected[series];
        let theirs = stored.get(series).copied();
        assert_eq!(
            theirs,
            Some(ours),
            "{series}: collectd stored {theirs:?}, we hold {ours}; all: {stored:?}"
        );
    }
    assert_eq!(expected["derive-app.jobs"], 12.0);
    assert_eq!(expected["gauge-app.latency.max"], 5_172_404.0);
    // The regression: a constant negative gauge drifted by its own value on every publish.
    let history = collectd.history("gauge-app.temperature");
    assert!(history.len() >= 3, "{history:?}");
    assert!(history.iter().all(|&v| v == -7.75), "{history:?}");
}
