//! mutornadomon's JSON, plus histograms and info.

use super::hole::{Direct, Hole, PageWrite, ProcessField};
use super::numbers::Style;
use super::{BufWriter, ProcessStats, RenderError};
use crate::parse::Stats;
use crate::parse_error::ParseError;
use crate::records::{Record, Value};
use crate::words::Words;
use crate::Kind;
use core::fmt::{self, Write};

/// Renders mutornadomon's JSON schema into `out`, returning the bytes written.
///
/// The object has `process` (when `process` is given: `uptime`, `num_fds`, `meminfo`
/// {`rss_bytes`, `vsz_bytes`}, `cpu` {`user_time`, `system_time`, `num_threads`}),
/// `counters`, `gauges`, `min_gauges`, `max_gauges`, as the original; then our additions:
/// `histograms` (name to `count`, `sum`, `min`, `max`, `p50`, `p90`, `p99`, `p999`, in the
/// recorded unit), `info` (name to text), and, when any metric declares a unit, `units` (name
/// to unit: `"request_duration":"nanoseconds"`), so that a reader knows what each number is.
/// Non-finite gauge values are `null`.
///
/// Labelled families keep out of mutornadomon's sections (whose shape stays name to number):
/// when there are any, `labelled` (the last key) maps each family's name to `kind`, `labels` (the label
/// names), `limit`, `folded` and `series`, a list of `{"labels":{..},"value":..}` (a gauge's
/// with `min` and `max`, a histogram's value its summary object), the overflow series last,
/// labelled `{"otel_metric_overflow":"true"}`.
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
    write_json_page(&mut Direct::new(&mut w), stats, process)?;
    w.finish()
}

/// Writes the page into any [`PageWrite`]: a buffer (filled at once) or a template compiler.
pub(crate) fn write_json_page(
    w: &mut impl PageWrite,
    stats: &Stats<'_>,
    process: Option<&ProcessStats>,
) -> Result<(), RenderError> {
    // A PageWrite takes every write, so this fails only on a malformed record. The sections'
    // passes together read the name and value of every record of every known kind, so none
    // of what is printed goes unchecked (help and unit, which JSON does not print, are not read).
    let mut corrupt = None;
    let _ = write_json(w, stats, process, &mut corrupt);
    match corrupt {
        Some(e) => Err(RenderError::Corrupt(e)),
        None => Ok(()),
    }
}

/// What a JSON section prints for a record: a number from the stats, or text.
enum Entry<'r> {
    Number(Hole),
    Text(&'r str),
}

type Section = (
    &'static str,
    fn(Kind) -> bool,
    for<'r> fn(&Record<'r>) -> Option<Entry<'r>>,
);

fn gauge_entry<'r>(r: &Record<'r>, field: usize) -> Option<Entry<'r>> {
    let hole = Hole::gauge(&r.place, field, 1.0, Style::Json);
    matches!(r.value, Value::Gauge(_)).then_some(Entry::Number(hole))
}

/// The page's sections: a title, the kinds its records are of, and the entry each record
/// gives. A constant: the table is read-only data, not built on the stack for every page.
const SECTIONS: [Section; 6] = [
    (
        "counters",
        |k| matches!(k, Kind::Counter | Kind::ShardedCounter),
        |r| match r.value {
            Value::Counter(_) => Some(Entry::Number(Hole::counter(
                &r.place,
                r.kind == Kind::ShardedCounter,
                1.0,
            ))),
            _ => None,
        },
    ),
    ("gauges", |k| k == Kind::Gauge, |r| gauge_entry(r, 0)),
    ("min_gauges", |k| k == Kind::Gauge, |r| gauge_entry(r, 1)),
    ("max_gauges", |k| k == Kind::Gauge, |r| gauge_entry(r, 2)),
    (
        "histograms",
        |k| k == Kind::Histogram,
        |r| match r.value {
            Value::Histogram(_) => Some(Entry::Number(Hole::JsonHistogram {
                at: r.place.values_at,
                buckets: r.place.param,
            })),
            _ => None,
        },
    ),
    (
        "info",
        |k| k == Kind::Info,
        |r| match r.value {
            Value::Info(text) => Some(Entry::Text(text)),
            _ => None,
        },
    ),
];

/// The process section: the text before each number, and the number.
const PROCESS_PARTS: [(&str, ProcessField); 7] = [
    (r#""process":{"uptime":"#, ProcessField::Uptime),
    (r#","num_fds":"#, ProcessField::OpenFds),
    (r#","meminfo":{"rss_bytes":"#, ProcessField::Rss),
    (r#","vsz_bytes":"#, ProcessField::Vsz),
    (r#"},"cpu":{"user_time":"#, ProcessField::UserTime),
    (r#","system_time":"#, ProcessField::SystemTime),
    (r#","num_threads":"#, ProcessField::Threads),
];

fn write_json(
    w: &mut impl PageWrite,
    stats: &Stats<'_>,
    process: Option<&ProcessStats>,
    corrupt: &mut Option<ParseError>,
) -> fmt::Result {
    w.write_char('{')?;
    if process.is_some() {
        let no_words = Words::empty();
        for &(text, field) in PROCESS_PARTS.iter() {
            w.write_str(text)?;
            let style = Style::Json;
            w.hole(Hole::Process { field, style }, &no_words, process)?;
        }
        w.write_str("}},")?;
    }
    for (i, &(title, kinds, entry)) in SECTIONS.iter().enumerate() {
        if i > 0 {
            w.write_char(',')?;
        }
        w.write_char('"')?;
        w.write_str(title)?;
        w.write_str("\":{")?;
        let mut first = true;
        for record in stats.names_and_values_of(kinds) {
            let record = record.map_err(|e| {
                *corrupt = Some(e);
                fmt::Error
            })?;
            let Some(entry) = entry(&record) else {
                continue;
            };
            if !first {
                w.write_char(',')?;
            }
            first = false;
            // Names are ASCII letters, digits, '_', '.', ':' (validated): no escaping needed.
            w.write_char('"')?;
            w.write_str(record.name)?;
            w.write_str("\":")?;
            match entry {
                Entry::Number(hole) => w.hole(hole, &record.place.words, None)?,
                Entry::Text(text) => write_str(w, text)?,
            }
        }
        w.write_char('}')?;
    }
    // The units pass reads every record: it says whether a labelled family needs a pass.
    if write_units(w, stats, corrupt)? {
        #[cfg(feature = "labels")]
        write_labelled(w, stats, corrupt)?;
    }
    w.write_char('}')
}

/// `,"labelled":{"name":{"kind":..,"labels":[..],"limit":..,"folded":..,"series":[..]}}` for
/// the labelled families (nothing when there are none): each series as `{"labels":{..},
/// "value":..}` (gauges add `"min"` and `"max"`; a histogram's value is its summary object),
/// the overflow series last with `{"otel_metric_overflow":"true"}` as its labels.
#[cfg(feature = "labels")]
fn write_labelled(
    w: &mut impl PageWrite,
    stats: &Stats<'_>,
    corrupt: &mut Option<ParseError>,
) -> fmt::Result {
    let mut first = true;
    for family in stats.families(false) {
        let family = family.map_err(|e| {
            *corrupt = Some(e);
            fmt::Error
        })?;
        w.write_str(if first { ",\"labelled\":{\"" } else { ",\"" })?;
        first = false;
        w.write_str(family.name)?;
        w.write_str("\":{\"kind\":\"")?;
        w.write_str(match family.value {
            Value::Gauge(_) => "gauge",
            Value::Histogram(_) => "histogram",
            _ => "counter",
        })?;
        w.write_str("\",\"labels\":[")?;
        for (i, name) in family.labels.names().enumerate() {
            if i > 0 {
                w.write_char(',')?;
            }
            write_str(w, name)?;
        }
        w.write_str("],\"limit\":")?;
        w.write_str(itoa::Buffer::new().format(family.labels.limit()))?;
        w.write_str(",\"folded\":")?;
        w.hole(Hole::folded(&family.place), &family.place.words, None)?;
        w.write_str(",\"series\":[")?;
        let mut series_first = true;
        let series = stats.series_of(family.labels.family_at, false);
        for series in series.chain(core::iter::once(Ok(family))) {
            let series = series.map_err(|e| {
                *corrupt = Some(e);
                fmt::Error
            })?;
            if !series_first {
                w.write_char(',')?;
            }
            series_first = false;
            write_series(w, &series)?;
        }
        w.write_str("]}")?;
    }
    if !first {
        w.write_char('}')?;
    }
    Ok(())
}

/// `{"labels":{"a":"x"},"value":..}` for one series.
#[cfg(feature = "labels")]
fn write_series(w: &mut impl PageWrite, r: &Record<'_>) -> fmt::Result {
    w.write_str("{\"labels\":{")?;
    for (i, (name, value)) in r.labels.iter().enumerate() {
        if i > 0 {
            w.write_char(',')?;
        }
        write_str(w, name)?;
        w.write_char(':')?;
        write_str(w, value)?;
    }
    w.write_str("},\"value\":")?;
    let words = &r.place.words;
    match r.value {
        Value::Gauge(_) => {
            w.hole(Hole::gauge(&r.place, 0, 1.0, Style::Json), words, None)?;
            w.write_str(",\"min\":")?;
            w.hole(Hole::gauge(&r.place, 1, 1.0, Style::Json), words, None)?;
            w.write_str(",\"max\":")?;
            w.hole(Hole::gauge(&r.place, 2, 1.0, Style::Json), words, None)?;
        }
        Value::Histogram(_) => {
            let hole = Hole::JsonHistogram {
                at: r.place.values_at,
                buckets: r.place.param,
            };
            w.hole(hole, words, None)?;
        }
        _ => w.hole(Hole::counter(&r.place, false, 1.0), words, None)?,
    }
    w.write_char('}')
}

/// `,"units":{"name":"unit",...}` for every metric that declares a unit (nothing when none
/// does): what a reader needs to know a histogram's numbers are nanoseconds, or a gauge's
/// seconds. Info records have no unit. Says whether any record is labelled.
fn write_units(
    w: &mut impl PageWrite,
    stats: &Stats<'_>,
    corrupt: &mut Option<ParseError>,
) -> Result<bool, fmt::Error> {
    let (mut first, mut labelled) = (true, false);
    for record in stats.records() {
        let record = record.map_err(|e| {
            *corrupt = Some(e);
            fmt::Error
        })?;
        labelled |= !record.labels.is_empty();
        let series = !record.labels.is_empty() && !record.labels.is_overflow();
        if record.unit.is_empty() || record.kind == Kind::Info || series {
            continue; // a family's unit is given once, with its record
        }
        w.write_str(if first { ",\"units\":{\"" } else { ",\"" })?;
        first = false;
        w.write_str(record.name)?;
        w.write_str("\":")?;
        write_str(w, record.unit)?;
    }
    if !first {
        w.write_char('}')?;
    }
    Ok(labelled)
}

/// A JSON string with RFC 8259 escapes. A byte scan: `"`, `\` and the control characters
/// (C0 and DEL are single bytes; C1, U+0080-U+009F, is `0xC2` then `0x80..=0x9F` in UTF-8),
/// written in runs between them.
pub(crate) fn write_str(w: &mut impl Write, s: &str) -> fmt::Result {
    w.write_char('"')?;
    let bytes = s.as_bytes();
    let (mut run, mut i) = (0, 0);
    while let Some(&b) = bytes.get(i) {
        let (code, len) = match b {
            b'"' | b'\\' | 0x00..=0x1f | 0x7f => (u32::from(b), 1),
            0xc2 if matches!(bytes.get(i + 1), Some(0x80..=0x9f)) => {
                (bytes.get(i + 1).map_or(0, |&n| u32::from(n)), 2)
            }
            _ => {
                i += 1;
                continue;
            }
        };
        // Runs end before an ASCII byte or a 0xC2 lead byte: whole UTF-8 either side.
        w.write_str(s.get(run..i).unwrap_or(""))?;
        match code {
            0x22 => w.write_str("\\\"")?,
            0x5c => w.write_str("\\\\")?,
            0x0a => w.write_str("\\n")?,
            n => {
                // Control characters are below U+00A0: four hex digits always suffice.
                const HEX: &[u8; 16] = b"0123456789abcdef";
                w.write_str("\\u00")?;
                w.write_char(char::from(HEX[(n >> 4 & 0xf) as usize]))?;
                w.write_char(char::from(HEX[(n & 0xf) as usize]))?;
            }
        }
        i += len;
        run = i;
    }
    w.write_str(s.get(run..).unwrap_or(""))?;
    w.write_char('"')
}

#[cfg(test)]
mod tests {
    proptest::proptest! {
        #[test]
        fn any_string_reads_back_as_itself(s in ".*") {
            let mut out = std::string::String::new();
            super::write_str(&mut out, &s).unwrap();
            let back: std::string::String = serde_json::from_str(&out).unwrap();
            proptest::prop_assert_eq!(back, s);
            proptest::prop_assert!(!out.chars().any(char::is_control));
        }
    }

    #[test]
    fn strings_are_escaped_as_rfc_8259_says() {
        let mut out = std::string::String::new();
        super::write_str(&mut out, "a\"b\\c\nd\u{1b}e\u{7f}f\u{9f}✓").unwrap();
        assert_eq!(out, r#""a\"b\\c\nd\u001be\u007ff\u009f✓""#);
    }
}
