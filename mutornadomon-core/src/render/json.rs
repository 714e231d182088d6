//! mutornadomon's JSON, plus histograms and info.

use super::{write_u64, BufWriter, ProcessStats, RenderError};
use crate::parse::{ParseError, Record, Stats, Value};
use crate::Kind;
use core::fmt::{self, Write};

/// Renders mutornadomon's JSON schema into `out`, returning the bytes written.
///
/// The object has `process` (when `process` is given: `uptime`, `num_fds`, `meminfo`
/// {`rss_bytes`, `vsz_bytes`}, `cpu` {`user_time`, `system_time`, `num_threads`}),
/// `counters`, `gauges`, `min_gauges`, `max_gauges`, as the original; then our additions:
/// `histograms` (name to `count`, `sum`, `min`, `max`, `p50`, `p90`, `p99`, `p999`, in the
/// recorded unit) and `info` (name to text). Non-finite gauge values are `null`.
///
/// ```
/// use mutornadomon_core::{parse, render_json, Storage};
/// static STATS: Storage<512> = Storage::new();
/// STATS.region().count("requests", 6)?;
/// let mut snap = [0u8; 1024];
/// let n = STATS.region().snapshot(&mut snap)?;
/// let mut out = [0u8; 512];
/// let len = render_json(&parse(&snap[..n])?, None, &mut out)?;
/// assert_eq!(
///     core::str::from_utf8(&out[..len])?,
///     r#"{"counters":{"requests":6},"gauges":{},"min_gauges":{},"max_gauges":{},"histograms":{},"info":{}}"#
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn render_json(
    stats: &Stats<'_>,
    process: Option<&ProcessStats>,
    out: &mut [u8],
) -> Result<usize, RenderError> {
    let mut w = BufWriter::new(out);
    // A BufWriter takes every write, so this fails only on a malformed record. The sections'
    // passes together read the name and value of every record of every known kind, so none
    // of what is printed goes unchecked (help and unit, which JSON does not print, are not read).
    let mut corrupt = None;
    let _ = write_json(&mut w, stats, process, &mut corrupt);
    match corrupt {
        Some(e) => Err(RenderError::Corrupt(e)),
        None => w.finish(),
    }
}

type Section = (
    &'static str,
    fn(Kind) -> bool,
    fn(&mut BufWriter<'_>, &Record<'_>) -> Result<bool, fmt::Error>,
);

fn write_json(
    w: &mut BufWriter<'_>,
    stats: &Stats<'_>,
    process: Option<&ProcessStats>,
    corrupt: &mut Option<ParseError>,
) -> fmt::Result {
    w.write_char('{')?;
    if let Some(p) = process {
        write!(w, r#""process":{{"uptime":"#)?;
        write_f64(w, p.uptime_seconds)?;
        write!(
            w,
            r#","num_fds":{},"meminfo":{{"rss_bytes":{},"vsz_bytes":{}}},"cpu":{{"user_time":"#,
            p.num_fds, p.rss_bytes, p.vsz_bytes
        )?;
        write_f64(w, p.user_time_seconds)?;
        w.write_str(r#","system_time":"#)?;
        write_f64(w, p.system_time_seconds)?;
        write!(w, r#","num_threads":{}}}}},"#, p.num_threads)?;
    }
    let counters = |k| matches!(k, Kind::Counter | Kind::ShardedCounter);
    let sections: [Section; 6] = [
        ("counters", counters, |w, r| match r.value {
            Value::Counter(n) => write_u64(w, n).map(|_| true),
            _ => Ok(false),
        }),
        (
            "gauges",
            |k| k == Kind::Gauge,
            |w, r| gauge_field(w, r, |g| g.value),
        ),
        (
            "min_gauges",
            |k| k == Kind::Gauge,
            |w, r| gauge_field(w, r, |g| g.min),
        ),
        (
            "max_gauges",
            |k| k == Kind::Gauge,
            |w, r| gauge_field(w, r, |g| g.max),
        ),
        ("histograms", |k| k == Kind::Histogram, write_histogram),
        (
            "info",
            |k| k == Kind::Info,
            |w, r| match r.value {
                Value::Info(text) => write_str(w, text).map(|_| true),
                _ => Ok(false),
            },
        ),
    ];
    for (i, (title, kinds, section)) in sections.iter().enumerate() {
        if i > 0 {
            w.write_char(',')?;
        }
        write!(w, r#""{title}":{{"#)?;
        let mut first = true;
        for record in stats.names_and_values_of(*kinds) {
            let record = record.map_err(|e| {
                *corrupt = Some(e);
                fmt::Error
            })?;
            // Names are ASCII letters, digits, '_', '.', ':' (validated): no escaping needed.
            let mark = w.len;
            if !first {
                w.write_char(',')?;
            }
            w.write_char('"')?;
            w.write_str(record.name)?;
            w.write_str("\":")?;
            if section(w, &record)? {
                first = false;
            } else {
                w.truncate(mark);
            }
        }
        w.write_char('}')?;
    }
    w.write_char('}')
}

fn gauge_field(
    w: &mut BufWriter<'_>,
    record: &Record<'_>,
    pick: fn(&crate::GaugeReading) -> f64,
) -> Result<bool, fmt::Error> {
    match &record.value {
        Value::Gauge(g) => write_f64(w, pick(g)).map(|_| true),
        _ => Ok(false),
    }
}

fn write_histogram(w: &mut BufWriter<'_>, record: &Record<'_>) -> Result<bool, fmt::Error> {
    let Value::Histogram(h) = record.value else {
        return Ok(false);
    };
    let summary = h.summary([0.5, 0.9, 0.99, 0.999]);
    let [p50, p90, p99, p999] = summary.quantiles.map(|q| q.unwrap_or(0));
    write!(
        w,
        r#"{{"count":{},"sum":{},"min":{},"max":{},"p50":{},"p90":{},"p99":{},"p999":{}}}"#,
        summary.count,
        h.sum(),
        summary.min.unwrap_or(0),
        summary.max.unwrap_or(0),
        p50,
        p90,
        p99,
        p999
    )?;
    Ok(true)
}

/// A JSON number, or `null` for NaN and infinities (JSON has neither).
pub(crate) fn write_f64(w: &mut impl Write, v: f64) -> fmt::Result {
    if v.is_finite() {
        // Debug gives the shortest text that reads back as the same f64, with an exponent
        // for very large or small values ("1e-7"): valid JSON either way.
        write!(w, "{v:?}")
    } else {
        w.write_str("null")
    }
}

/// A JSON string with RFC 8259 escapes.
pub(crate) fn write_str(w: &mut impl Write, s: &str) -> fmt::Result {
    w.write_char('"')?;
    let mut rest = s;
    while let Some(at) = rest.find(|c: char| c == '"' || c == '\\' || c.is_control()) {
        w.write_str(&rest[..at])?;
        let c = rest[at..].chars().next().unwrap_or('\0');
        match c {
            '"' => w.write_str("\\\"")?,
            '\\' => w.write_str("\\\\")?,
            '\n' => w.write_str("\\n")?,
            c => write!(w, "\\u{:04x}", c as u32)?,
        }
        rest = &rest[at + c.len_utf8()..];
    }
    w.write_str(rest)?;
    w.write_char('"')
}
