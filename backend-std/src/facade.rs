//! The `metrics` crate's facade over a monitor (feature `metrics`): `counter!`, `gauge!` and
//! `histogram!` from any library land in the stats file, on `/mutornadomon`, `/metrics` and in
//! `mmstats`, with no Tokio.
//!
//! - **Keys**: a key without labels is a plain metric; a key with labels is a series of a
//!   labelled family named by the key's name, whose label names are the first key's (sorted by
//!   name, so the order of a call site's labels does not matter). A later key with other label
//!   names goes to the family's overflow series and counts as folded, as do label values the
//!   core refuses and series past the family's limit ([`MetricsRecorder::series_limit`]).
//!   Name bytes outside `A-Z a-z 0-9 _ . :` become `_`; label name bytes outside
//!   `A-Z a-z 0-9 _` too (`http.request.method` is `http_request_method`), and a reserved
//!   label name (`le`, `otel_metric_overflow`, `__...`) is prefixed `label_`.
//! - **Descriptions**: `describe_counter!` and friends give the help text and unit of a metric
//!   registered after them (a record's texts are written once, at registration).
//! - **Histograms** take `f64`s. A histogram described in seconds, milliseconds or microseconds
//!   (or named `..._seconds` without a description) is kept in nanoseconds, so a
//!   `Duration`'s seconds keep their fractions and `/metrics` shows seconds; a histogram
//!   described in nanoseconds too. Any other histogram keeps whole values, rounded (the
//!   core's histograms count integers); negative values count as 0 and NaN is not recorded.
//! - **Handles** are registered once and cached: the recorder keeps each key's handle in a
//!   lock-free table, so a macro call is a probe of that table and a reference count, and a
//!   handle kept by the caller is the core's update behind one indirect call.
//! - A key the region refuses (a name taken by another kind, a full region) gets a handle that
//!   does nothing; the refusal is counted in the stats file's header and logged once.

use crate::shared::Shared;
use crate::Monitor;
use metrics::{
    Counter, CounterFn, Gauge, GaugeFn, Histogram, HistogramFn, Key, KeyName, Metadata, Recorder,
    SharedString, Unit,
};
use mutornadomon_core as core_metrics;
use mutornadomon_core::{Meta, RegisterError};
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex, OnceLock};

/// The default series limit of a family made by the recorder.
pub const DEFAULT_SERIES_LIMIT: usize = 100;

/// A [`metrics::Recorder`] over a [`Monitor`]'s region: see the [module docs](self).
///
/// ```
/// let monitor = mutornadomon_std::Monitor::builder().in_memory().start()?;
/// let recorder = monitor.metrics_recorder();
/// metrics::with_local_recorder(&recorder, || {
///     metrics::describe_histogram!("request_seconds", metrics::Unit::Seconds, "Request time");
///     metrics::counter!("requests", "status" => "200").increment(1);
///     metrics::histogram!("request_seconds").record(std::time::Duration::from_micros(1500));
/// });
/// let page = monitor.handle().render_page(mutornadomon_std::MetricsPage::Prometheus, None, false);
/// assert!(page.body.contains("requests_total{status=\"200\"} 1\n"));
/// assert!(page.body.contains("request_seconds_sum 0.0015\n"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct MetricsRecorder {
    region: core_metrics::Region<'static>,
    memory: Arc<Shared>,
    /// Open addressing by the key's hash; slots are filled once, under `registry`.
    cache: Box<[OnceLock<Box<Cached>>]>,
    registry: Mutex<Registry>,
    series_limit: usize,
}

/// What registration needs besides the region: descriptions, families, what was said.
#[derive(Default)]
struct Registry {
    descriptions: HashMap<String, (Option<Unit>, String)>,
    families: HashMap<String, Family>,
    cached: usize,
    warned: HashSet<String>,
}

/// A family the recorder made, with its label names (sorted).
enum Family {
    Counter(core_metrics::CounterFamily<'static>, Vec<String>),
    Gauge(core_metrics::GaugeFamily<'static>, Vec<String>),
    Histogram(core_metrics::HistogramFamily<'static>, Vec<String>, f64),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Counter,
    Gauge,
    Histogram,
}

struct Cached {
    kind: Kind,
    key: Key,
    handle: Handle,
}

#[derive(Clone)]
enum Handle {
    Counter(Arc<CounterCell>),
    Gauge(Arc<GaugeCell>),
    Histogram(Arc<HistogramCell>),
    Refused,
}

struct CounterCell {
    counter: core_metrics::Counter<'static>,
    _memory: Arc<Shared>,
}

struct GaugeCell {
    gauge: core_metrics::Gauge<'static>,
    _memory: Arc<Shared>,
}

struct HistogramCell {
    histogram: core_metrics::Histogram<'static>,
    /// What a recorded `f64` is multiplied by before it is rounded into the histogram.
    scale: f64,
    _memory: Arc<Shared>,
}

impl CounterFn for CounterCell {
    fn increment(&self, value: u64) {
        self.counter.inc_by(value);
    }

    fn absolute(&self, value: u64) {
        self.counter.absolute(value);
    }
}

impl GaugeFn for GaugeCell {
    fn increment(&self, value: f64) {
        self.gauge.add(value);
    }

    fn decrement(&self, value: f64) {
        self.gauge.add(-value);
    }

    fn set(&self, value: f64) {
        self.gauge.set(value);
    }
}

impl HistogramFn for HistogramCell {
    fn record(&self, value: f64) {
        if !value.is_nan() {
            // `as` saturates: negative values count as 0, huge ones as u64::MAX.
            self.histogram.record((value * self.scale).round() as u64);
        }
    }
}

/// The key's own hash (metrics computes it once, when the key is made, and hashes by it).
fn key_hash(key: &Key) -> u64 {
    struct Capture(u64);
    impl Hasher for Capture {
        fn finish(&self) -> u64 {
            self.0
        }
        fn write(&mut self, bytes: &[u8]) {
            for &b in bytes {
                self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
            }
        }
        fn write_u64(&mut self, n: u64) {
            self.0 ^= n;
        }
    }
    let mut capture = Capture(0);
    key.hash(&mut capture);
    capture.finish()
}

/// The key's name with bytes the core refuses replaced by `_`.
fn metric_name(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | ':') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !out.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    out
}

/// A key's label name as the core takes it: bytes other than `A-Z a-z 0-9 _` become `_`
/// (OpenTelemetry's `http.request.method` is `http_request_method`, as Prometheus exporters
/// write it), a leading digit gets a `_` before it, and a reserved name (`le`,
/// `otel_metric_overflow`, `__...`) is prefixed `label_`.
fn label_name(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if out.is_empty() || out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    if out == "le" || out == mutornadomon_core::OVERFLOW_LABEL || out.starts_with("__") {
        out.insert_str(0, "label_");
    }
    out
}

/// A unit as the core writes it: lowercase letters and `_` (`seconds`, `bytes`), or none.
fn unit_text(unit: Option<Unit>) -> &'static str {
    match unit {
        None | Some(Unit::Count) | Some(Unit::Percent) => "",
        Some(unit) => unit.as_str(),
    }
}

/// For a histogram: the unit its record declares and the scale of recorded `f64`s into it.
fn histogram_unit(name: &str, unit: Option<Unit>) -> (&'static str, f64) {
    match unit {
        Some(Unit::Seconds) => ("nanoseconds", 1e9),
        Some(Unit::Milliseconds) => ("nanoseconds", 1e6),
        Some(Unit::Microseconds) => ("nanoseconds", 1e3),
        Some(Unit::Nanoseconds) => ("nanoseconds", 1.0),
        None if name.ends_with("_seconds") || name.ends_with(".seconds") => ("nanoseconds", 1e9),
        other => (unit_text(other), 1.0),
    }
}

impl Monitor {
    /// A [`metrics::Recorder`] over this monitor's region (feature `metrics`), with
    /// [`DEFAULT_SERIES_LIMIT`] series per family. Install it with
    /// [`metrics::set_global_recorder`] (or use it for a scope with
    /// [`metrics::with_local_recorder`]).
    pub fn metrics_recorder(&self) -> MetricsRecorder {
        self.metrics_recorder_with_limit(DEFAULT_SERIES_LIMIT)
    }

    /// [`metrics_recorder`](Self::metrics_recorder) with at most `series_limit` series per
    /// labelled family.
    pub fn metrics_recorder_with_limit(&self, series_limit: usize) -> MetricsRecorder {
        let memory = Arc::clone(self.shared());
        let region = crate::sys::kept_region(&memory);
        // As many slots as the region's index (it holds at most three quarters as many
        // metrics): 16 bytes each until filled, a 256 KiB stats file's table 64 KiB.
        let slots = (region.capacity() / 64).next_power_of_two().max(64);
        MetricsRecorder {
            region,
            memory,
            cache: (0..slots).map(|_| OnceLock::new()).collect(),
            registry: Mutex::new(Registry::default()),
            series_limit,
        }
    }

    /// Installs [`metrics_recorder`](Self::metrics_recorder) as the process' global recorder:
    /// every `metrics::` macro of every library from here on writes into this monitor. Fails
    /// (`ErrorKind::AlreadyExists`) if a global recorder is set already.
    pub fn install_metrics_recorder(&self) -> std::io::Result<()> {
        metrics::set_global_recorder(self.metrics_recorder()).map_err(|_| {
            std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "a global metrics recorder is installed already",
            )
        })
    }
}

impl MetricsRecorder {
    /// The most series a labelled family made by this recorder has; past it, new label
    /// values go to the family's overflow series.
    pub fn series_limit(&self) -> usize {
        self.series_limit
    }

    /// The cached handle of `key` as `kind`, if any.
    fn cached(&self, key: &Key, kind: Kind) -> Option<&Handle> {
        let mask = self.cache.len() - 1;
        let mut slot = key_hash(key) as usize & mask;
        for _ in 0..self.cache.len() {
            let cached = self.cache[slot].get()?;
            if cached.kind == kind && cached.key == *key {
                return Some(&cached.handle);
            }
            slot = (slot + 1) & mask;
        }
        None
    }

    /// The handle of `key` as `kind`: cached, or registered and cached.
    fn handle(&self, key: &Key, kind: Kind) -> Handle {
        if let Some(handle) = self.cached(key, kind) {
            return handle.clone();
        }
        let mut registry = self.registry.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(handle) = self.cached(key, kind) {
            return handle.clone(); // registered while we waited
        }
        let handle = self.register(&mut registry, key, kind);
        // Three quarters full at most, so probes stay short and an empty slot is always
        // found; past that, handles are made again on each call (still correct).
        if registry.cached < self.cache.len() / 4 * 3 {
            let mask = self.cache.len() - 1;
            let mut slot = key_hash(key) as usize & mask;
            while self.cache[slot].get().is_some() {
                slot = (slot + 1) & mask;
            }
            let cached = Box::new(Cached {
                kind,
                key: key.clone(),
                handle: handle.clone(),
            });
            // Only registry holders fill slots, and we hold it: the slot is still empty.
            let _ = self.cache[slot].set(cached);
            registry.cached += 1;
        }
        handle
    }

    fn register(&self, registry: &mut Registry, key: &Key, kind: Kind) -> Handle {
        let name = metric_name(key.name());
        let (unit, help) = registry
            .descriptions
            .get(key.name())
            .map_or((None, ""), |(unit, help)| (*unit, help.as_str()));
        let help = help.to_owned();
        let mut labels: Vec<(String, &str)> = key
            .labels()
            .map(|l| (label_name(l.key()), l.value()))
            .collect();
        labels.sort_unstable();
        let labels: Vec<(&str, &str)> = labels.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        let result = if labels.is_empty() {
            self.register_plain(&name, &help, unit, kind)
        } else {
            self.register_series(registry, &name, &help, unit, kind, &labels)
        };
        result.unwrap_or_else(|e| {
            if registry.warned.insert(name.clone()) {
                log::warn!("metrics facade: {name:?} is not recorded: {e}");
            }
            Handle::Refused
        })
    }

    fn register_plain(
        &self,
        name: &str,
        help: &str,
        unit: Option<Unit>,
        kind: Kind,
    ) -> Result<Handle, RegisterError> {
        let memory = &self.memory;
        Ok(match kind {
            Kind::Counter => {
                let meta = Meta::new().help(help).unit(unit_text(unit));
                let counter = self.region.counter(name, meta)?;
                Handle::Counter(Arc::new(CounterCell {
                    counter,
                    _memory: Arc::clone(memory),
                }))
            }
            Kind::Gauge => {
                let meta = Meta::new().help(help).unit(unit_text(unit));
                let gauge = self.region.gauge(name, meta)?;
                Handle::Gauge(Arc::new(GaugeCell {
                    gauge,
                    _memory: Arc::clone(memory),
                }))
            }
            Kind::Histogram => {
                let (unit, scale) = histogram_unit(name, unit);
                let histogram = self
                    .region
                    .histogram(name, Meta::new().help(help).unit(unit))?;
                Handle::Histogram(Arc::new(HistogramCell {
                    histogram,
                    scale,
                    _memory: Arc::clone(memory),
                }))
            }
        })
    }

    fn register_series(
        &self,
        registry: &mut Registry,
        name: &str,
        help: &str,
        unit: Option<Unit>,
        kind: Kind,
        labels: &[(&str, &str)],
    ) -> Result<Handle, RegisterError> {
        let names: Vec<&str> = labels.iter().map(|(k, _)| *k).collect();
        if !registry.families.contains_key(name) {
            let family = self.register_family(name, help, unit, kind, &names)?;
            registry.families.insert(name.to_owned(), family);
        }
        let memory = &self.memory;
        let family = &registry.families[name];
        let same = |known: &[String]| known.iter().map(String::as_str).eq(names.iter().copied());
        let values: Vec<&str> = labels.iter().map(|(_, v)| *v).collect();
        Ok(match family {
            Family::Counter(f, known) if kind == Kind::Counter => {
                let counter = if same(known) {
                    f.series(&values).unwrap_or_else(|_| f.fold())
                } else {
                    f.fold()
                };
                Handle::Counter(Arc::new(CounterCell {
                    counter,
                    _memory: Arc::clone(memory),
                }))
            }
            Family::Gauge(f, known) if kind == Kind::Gauge => {
                let gauge = if same(known) {
                    f.series(&values).unwrap_or_else(|_| f.fold())
                } else {
                    f.fold()
                };
                Handle::Gauge(Arc::new(GaugeCell {
                    gauge,
                    _memory: Arc::clone(memory),
                }))
            }
            Family::Histogram(f, known, scale) if kind == Kind::Histogram => {
                let histogram = if same(known) {
                    f.series(&values).unwrap_or_else(|_| f.fold())
                } else {
                    f.fold()
                };
                Handle::Histogram(Arc::new(HistogramCell {
                    histogram,
                    scale: *scale,
                    _memory: Arc::clone(memory),
                }))
            }
            _ => return Err(RegisterError::LabelsMismatch), // the name is another kind's
        })
    }

    fn register_family(
        &self,
        name: &str,
        help: &str,
        unit: Option<Unit>,
        kind: Kind,
        names: &[&str],
    ) -> Result<Family, RegisterError> {
        let owned = names.iter().map(|n| (*n).to_owned()).collect();
        let limit = self.series_limit;
        Ok(match kind {
            Kind::Counter => {
                let meta = Meta::new().help(help).unit(unit_text(unit));
                Family::Counter(self.region.counter_family(name, meta, names, limit)?, owned)
            }
            Kind::Gauge => {
                let meta = Meta::new().help(help).unit(unit_text(unit));
                Family::Gauge(self.region.gauge_family(name, meta, names, limit)?, owned)
            }
            Kind::Histogram => {
                let (unit, scale) = histogram_unit(name, unit);
                let meta = Meta::new().help(help).unit(unit);
                let family = self.region.histogram_family(name, meta, names, limit)?;
                Family::Histogram(family, owned, scale)
            }
        })
    }

    fn describe(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        let mut registry = self.registry.lock().unwrap_or_else(|e| e.into_inner());
        let help: String = description.chars().filter(|c| !c.is_control()).collect();
        registry
            .descriptions
            .insert(key.as_str().to_owned(), (unit, help));
    }
}

impl Recorder for MetricsRecorder {
    fn describe_counter(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        self.describe(key, unit, description);
    }

    fn describe_gauge(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        self.describe(key, unit, description);
    }

    fn describe_histogram(&self, key: KeyName, unit: Option<Unit>, description: SharedString) {
        self.describe(key, unit, description);
    }

    fn register_counter(&self, key: &Key, _: &Metadata<'_>) -> Counter {
        match self.handle(key, Kind::Counter) {
            Handle::Counter(cell) => Counter::from_arc(cell),
            _ => Counter::noop(),
        }
    }

    fn register_gauge(&self, key: &Key, _: &Metadata<'_>) -> Gauge {
        match self.handle(key, Kind::Gauge) {
            Handle::Gauge(cell) => Gauge::from_arc(cell),
            _ => Gauge::noop(),
        }
    }

    fn register_histogram(&self, key: &Key, _: &Metadata<'_>) -> Histogram {
        match self.handle(key, Kind::Histogram) {
            Handle::Histogram(cell) => Histogram::from_arc(cell),
            _ => Histogram::noop(),
        }
    }
}

impl std::fmt::Debug for MetricsRecorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let registry = self.registry.lock().unwrap_or_else(|e| e.into_inner());
        f.debug_struct("MetricsRecorder")
            .field("cached", &registry.cached)
            .field("families", &registry.families.len())
            .field("series_limit", &self.series_limit)
            .finish()
    }
}
