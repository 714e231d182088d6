//! `Serialize` for the parsed view (feature `serde`): a program puts its metrics into its own
//! JSON, CBOR or MessagePack message; a no_std one writes JSON with `serde-json-core`, no
//! allocator needed.
//!
//! - [`Record`]: `{"name", "help", "unit", "kind", "value", "labels"}`, `value` by kind: a
//!   counter's count, a gauge's `{"value", "min", "max"}`, a histogram's `{"count", "sum",
//!   "min", "max", "p50", "p90", "p99", "p999"}` (in its unit), an info's text; `labels` a map
//!   of label names to values (empty for an unlabelled metric);
//! - [`Stats`]: `{"header": {...}, "records": [...]}`;
//! - [`MutornadomonPage`]: exactly the object [`render_json`](crate::render_json) writes
//!   (mutornadomon's schema), built by serde's data model instead.
//!
//! Non-finite gauge values are `null`, as on the JSON page. A record that does not parse
//! fails the serialization with the parse error.

use crate::labels::SeriesLabels;
use crate::parse::{Header, Stats};
use crate::records::{Record, Value};
use crate::render::ProcessStats;
use crate::values::GaugeReading;
use crate::{HistogramReading, Kind};
use serde::ser::{Error as _, SerializeMap, SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

use crate::values::QUANTILES;

/// A finite value, or `None` (`null`): JSON has no NaN or infinities.
fn finite(v: f64) -> Option<f64> {
    v.is_finite().then_some(v)
}

impl Serialize for Kind {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(match self {
            Kind::Counter => "counter",
            Kind::ShardedCounter => "sharded_counter",
            Kind::Gauge => "gauge",
            Kind::Histogram => "histogram",
            Kind::Info => "info",
        })
    }
}

impl Serialize for GaugeReading {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut g = s.serialize_struct("GaugeReading", 3)?;
        g.serialize_field("value", &finite(self.value))?;
        g.serialize_field("min", &finite(self.min))?;
        g.serialize_field("max", &finite(self.max))?;
        g.end()
    }
}

impl Serialize for HistogramReading<'_> {
    /// The JSON page's summary object: count, sum, min, max (0 when empty), p50-p999.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let summary = self.summary(QUANTILES);
        let [p50, p90, p99, p999] = summary.quantiles.map(|q| q.unwrap_or(0));
        let fields = [
            ("count", summary.count),
            ("sum", self.sum()),
            ("min", summary.min.unwrap_or(0)),
            ("max", summary.max.unwrap_or(0)),
            ("p50", p50),
            ("p90", p90),
            ("p99", p99),
            ("p999", p999),
        ];
        let mut h = s.serialize_struct("HistogramReading", fields.len())?;
        for (name, value) in fields {
            h.serialize_field(name, &value)?;
        }
        h.end()
    }
}

impl Serialize for Value<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Counter(n) => s.serialize_u64(*n),
            Value::Gauge(g) => g.serialize(s),
            Value::Histogram(h) => h.serialize(s),
            Value::Info(text) => s.serialize_str(text),
        }
    }
}

impl Serialize for Record<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut r = s.serialize_struct("Record", 6)?;
        r.serialize_field("name", self.name)?;
        r.serialize_field("help", self.help)?;
        r.serialize_field("unit", self.unit)?;
        r.serialize_field("kind", &self.kind)?;
        r.serialize_field("value", &self.value)?;
        r.serialize_field("labels", &self.labels)?;
        r.end()
    }
}

impl Serialize for SeriesLabels<'_> {
    /// A map of label names to values, in the family's order.
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        for (name, value) in self.iter() {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

#[cfg(feature = "labels")]
/// The label names of a family, as a sequence.
struct LabelNames<'s, 'a>(&'s SeriesLabels<'a>);

#[cfg(feature = "labels")]
impl Serialize for LabelNames<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for name in self.0.names() {
            seq.serialize_element(name)?;
        }
        seq.end()
    }
}

#[cfg(feature = "labels")]
/// One series on the JSON page: `{"labels", "value"}` (gauges add `min` and `max`).
struct PageSeries<'r, 'a>(&'r Record<'a>);

#[cfg(feature = "labels")]
impl Serialize for PageSeries<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("labels", &self.0.labels)?;
        match self.0.value {
            Value::Gauge(g) => {
                map.serialize_entry("value", &finite(g.value))?;
                map.serialize_entry("min", &finite(g.min))?;
                map.serialize_entry("max", &finite(g.max))?;
            }
            value => map.serialize_entry("value", &value)?,
        }
        map.end()
    }
}

#[cfg(feature = "labels")]
/// A family's series, then its overflow series.
struct FamilySeries<'s, 'a>(&'s Stats<'a>, Record<'a>);

#[cfg(feature = "labels")]
impl Serialize for FamilySeries<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for series in self.0.series_of(self.1.labels.family_at, false) {
            seq.serialize_element(&PageSeries(&series.map_err(S::Error::custom)?))?;
        }
        seq.serialize_element(&PageSeries(&self.1))?;
        seq.end()
    }
}

#[cfg(feature = "labels")]
/// The JSON page's `labelled` object: family name to its description and series.
struct Labelled<'s, 'a>(&'s Stats<'a>);

#[cfg(feature = "labels")]
impl Serialize for Labelled<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        for family in self.0.families(false) {
            let family = family.map_err(S::Error::custom)?;
            map.serialize_entry(family.name, &LabelledFamily(self.0, family))?;
        }
        map.end()
    }
}

#[cfg(feature = "labels")]
struct LabelledFamily<'s, 'a>(&'s Stats<'a>, Record<'a>);

#[cfg(feature = "labels")]
impl Serialize for LabelledFamily<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let family = &self.1;
        let kind = match family.value {
            Value::Gauge(_) => "gauge",
            Value::Histogram(_) => "histogram",
            _ => "counter",
        };
        let mut map = s.serialize_map(Some(5))?;
        map.serialize_entry("kind", kind)?;
        map.serialize_entry("labels", &LabelNames(&family.labels))?;
        map.serialize_entry("limit", &family.labels.limit())?;
        map.serialize_entry("folded", &family.labels.folded())?;
        map.serialize_entry("series", &FamilySeries(self.0, *family))?;
        map.end()
    }
}

impl Serialize for Header {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut h = s.serialize_struct("Header", 7)?;
        h.serialize_field("version_minor", &self.version_minor)?;
        h.serialize_field("pid", &self.pid)?;
        h.serialize_field("start_time_ns", &self.start_time_ns)?;
        h.serialize_field("creation_time_ns", &self.creation_time_ns)?;
        h.serialize_field("heartbeat_ns", &self.heartbeat_ns)?;
        h.serialize_field("refused", &self.refused)?;
        h.serialize_field("capacity", &self.capacity)?;
        h.end()
    }
}

/// The records of a [`Stats`], as a sequence.
struct Records<'s, 'a>(&'s Stats<'a>);

impl Serialize for Records<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(None)?;
        for record in self.0.records() {
            seq.serialize_element(&record.map_err(S::Error::custom)?)?;
        }
        seq.end()
    }
}

impl Serialize for Stats<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut stats = s.serialize_struct("Stats", 2)?;
        stats.serialize_field("header", self.header())?;
        stats.serialize_field("records", &Records(self))?;
        stats.end()
    }
}

/// mutornadomon's JSON page as a [`Serialize`] value: the same object as
/// [`render_json`](crate::render_json), built through serde's data model, so a program can
/// put it into a message of its own or, without an allocator, write it with
/// `serde-json-core`. (Feature `serde`, which also gives `Serialize` to [`Record`], [`Stats`]
/// and the readings: `{"name", "help", "unit", "kind", "value"}` per record, a gauge's
/// `{"value", "min", "max"}`, a histogram's page summary; non-finite values are `null`.)
///
/// ```
/// use mutornadomon_core::{parse, render_json, Meta, MutornadomonPage, Storage};
/// static STATS: Storage<512> = Storage::new();
/// STATS.region().counter("requests", Meta::new())?.inc_by(6);
/// STATS.region().gauge("lag", Meta::new().unit("seconds"))?.set(0.25);
/// let mut snap = [0u8; 1024];
/// let n = STATS.region().snapshot(&mut snap)?;
/// let stats = parse(&snap[..n])?;
///
/// let mut json = [0u8; 512];
/// let len = serde_json_core::to_slice(&MutornadomonPage::new(&stats, None), &mut json)?;
/// let mut rendered = [0u8; 512];
/// let rendered_len = render_json(&stats, None, &mut rendered)?;
/// assert_eq!(&json[..len], &rendered[..rendered_len]); // the same page, byte for byte here
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct MutornadomonPage<'s, 'a> {
    stats: &'s Stats<'a>,
    process: Option<&'s ProcessStats>,
}

impl<'s, 'a> MutornadomonPage<'s, 'a> {
    /// The page of `stats`, with `process` stats if given.
    pub fn new(stats: &'s Stats<'a>, process: Option<&'s ProcessStats>) -> Self {
        MutornadomonPage { stats, process }
    }
}

/// The `process` object of the page.
struct Process<'p>(&'p ProcessStats);
/// `{"rss_bytes", "vsz_bytes"}`.
struct MemInfo<'p>(&'p ProcessStats);
/// `{"user_time", "system_time", "num_threads"}`.
struct Cpu<'p>(&'p ProcessStats);

impl Serialize for Process<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut p = s.serialize_struct("Process", 4)?;
        p.serialize_field("uptime", &finite(self.0.uptime_seconds))?;
        p.serialize_field("num_fds", &self.0.num_fds)?;
        p.serialize_field("meminfo", &MemInfo(self.0))?;
        p.serialize_field("cpu", &Cpu(self.0))?;
        p.end()
    }
}

impl Serialize for MemInfo<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_struct("MemInfo", 2)?;
        m.serialize_field("rss_bytes", &self.0.rss_bytes)?;
        m.serialize_field("vsz_bytes", &self.0.vsz_bytes)?;
        m.end()
    }
}

impl Serialize for Cpu<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut c = s.serialize_struct("Cpu", 3)?;
        c.serialize_field("user_time", &finite(self.0.user_time_seconds))?;
        c.serialize_field("system_time", &finite(self.0.system_time_seconds))?;
        c.serialize_field("num_threads", &self.0.num_threads)?;
        c.end()
    }
}

/// Which of a record's readings a section of the page holds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Section {
    Counters,
    Gauges,
    MinGauges,
    MaxGauges,
    Histograms,
    Info,
    Units,
}

/// One section of the page: a map from metric name to reading.
struct SectionMap<'s, 'a>(&'s Stats<'a>, Section);

impl Serialize for SectionMap<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        for record in self.0.records() {
            let record = record.map_err(S::Error::custom)?;
            let series = !record.labels.is_empty() && !record.labels.is_overflow();
            if series || (!record.labels.is_empty() && self.1 != Section::Units) {
                continue; // labelled series are under `labelled`; a family's unit is in `units`
            }
            let gauge = |pick: fn(&GaugeReading) -> f64| match record.value {
                Value::Gauge(g) => Some(finite(pick(&g))),
                _ => None,
            };
            match (self.1, record.value) {
                (Section::Counters, Value::Counter(n)) => map.serialize_entry(record.name, &n)?,
                (Section::Gauges, Value::Gauge(_)) => {
                    map.serialize_entry(record.name, &gauge(|g| g.value))?
                }
                (Section::MinGauges, Value::Gauge(_)) => {
                    map.serialize_entry(record.name, &gauge(|g| g.min))?
                }
                (Section::MaxGauges, Value::Gauge(_)) => {
                    map.serialize_entry(record.name, &gauge(|g| g.max))?
                }
                (Section::Histograms, Value::Histogram(h)) => {
                    map.serialize_entry(record.name, &h)?
                }
                (Section::Info, Value::Info(text)) => map.serialize_entry(record.name, text)?,
                (Section::Units, _) if !record.unit.is_empty() && record.kind != Kind::Info => {
                    map.serialize_entry(record.name, record.unit)?
                }
                _ => {}
            }
        }
        map.end()
    }
}

/// The page's sections in order, each under its title (read-only data, not built per page).
const PAGE_SECTIONS: [(&str, Section); 6] = [
    ("counters", Section::Counters),
    ("gauges", Section::Gauges),
    ("min_gauges", Section::MinGauges),
    ("max_gauges", Section::MaxGauges),
    ("histograms", Section::Histograms),
    ("info", Section::Info),
];

impl Serialize for MutornadomonPage<'_, '_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let has_units = self
            .stats
            .records()
            .map_while(Result::ok)
            .any(|r| !r.unit.is_empty() && r.kind != Kind::Info);
        let mut page = s.serialize_map(None)?;
        if let Some(process) = self.process {
            page.serialize_entry("process", &Process(process))?;
        }
        for (name, section) in PAGE_SECTIONS {
            page.serialize_entry(name, &SectionMap(self.stats, section))?;
        }
        #[cfg(feature = "labels")]
        if self.stats.families(false).next().is_some() {
            page.serialize_entry("labelled", &Labelled(self.stats))?;
        }
        if has_units {
            page.serialize_entry("units", &SectionMap(self.stats, Section::Units))?;
        }
        page.end()
    }
}
