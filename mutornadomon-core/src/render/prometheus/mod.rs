//! Prometheus text format 0.0.4 and OpenMetrics 1.0: the page, and the families of one
//! metric across several sources. Names, labels, bucket edges, histograms and the process
//! metrics are written by the modules below.

mod bucket_edge;
mod family;
mod histogram;
mod labels;
mod process;

use super::hole::{Direct, Hole, PageWrite};
use super::numbers::Style;
use super::text_format::TextFormat;
use super::{base_unit, BufWriter, ProcessStats, RenderError};
#[cfg(feature = "labels")]
use crate::exposed_name::FOLDED_FAMILY;
use crate::parse::Stats;
use crate::parse_error::ParseError;
use crate::records::{Record, Value};
use crate::{ExposedName, Kind};
#[cfg(feature = "labels")]
use core::cell::Cell;
use core::fmt::{self, Write};
use family::{write_meta, Family};
use histogram::write_histogram_samples;
use labels::{write_labels, Extra};
use process::write_process;
pub use process::write_process_families;

/// Renders Prometheus text (0.0.4) or OpenMetrics into `out`, returning the bytes written.
///
/// Names are sanitised (`.` and `:` become `_`); units become suffixes in base
/// units (`nanoseconds` is rendered in `seconds`, scaled); counters end in `_total`; gauges
/// give three families, the value and the window's `_min` and `_max`; histograms give
/// cumulative `_bucket`s at every power of two (`le` = 2^k - 1 in the recorded unit, exact for
/// integer values) up to `+Inf`, `_sum` and `_count`; info gives `name_info{value="..."} 1`.
/// Metrics without help text get their name as help, so `promtool check metrics` is silent.
///
/// ```
/// use mutornadomon_core::{parse, render_prometheus, Meta, Storage, TextFormat};
/// static STATS: Storage<512> = Storage::new();
/// STATS.region().counter("requests", Meta::new().help("Requests served"))?.inc_by(6);
/// let mut snap = [0u8; 1024];
/// let n = STATS.region().snapshot(&mut snap)?;
/// let mut out = [0u8; 512];
/// let len = render_prometheus(&parse(&snap[..n])?, None, TextFormat::Prometheus, &mut out)?;
/// assert_eq!(
///     core::str::from_utf8(&out[..len])?,
///     "# HELP requests_total Requests served\n# TYPE requests_total counter\nrequests_total 6\n"
/// );
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn render_prometheus(
    stats: &Stats<'_>,
    process: Option<&ProcessStats>,
    format: TextFormat,
    out: &mut [u8],
) -> Result<usize, RenderError> {
    let mut w = BufWriter::new(out);
    write_prometheus_page(&mut Direct::new(&mut w), stats, process, format)?;
    w.finish()
}

/// Writes the page into any [`PageWrite`]: a buffer (filled at once) or a template compiler.
pub(crate) fn write_prometheus_page(
    w: &mut impl PageWrite,
    stats: &Stats<'_>,
    process: Option<&ProcessStats>,
    format: TextFormat,
) -> Result<(), RenderError> {
    // A PageWrite takes every write, so this fails only on a malformed record (every record
    // is read, and so checked, by the one pass).
    let mut corrupt = None;
    let _ = write_all(w, stats, process, format, &mut corrupt);
    match corrupt {
        Some(e) => Err(RenderError::Corrupt(e)),
        None => Ok(()),
    }
}

fn write_all(
    w: &mut impl PageWrite,
    stats: &Stats<'_>,
    process: Option<&ProcessStats>,
    format: TextFormat,
    corrupt: &mut Option<ParseError>,
) -> fmt::Result {
    if let Some(p) = process {
        write_process(w, p, process, format)?;
    }
    let mut families = false;
    for record in stats.records() {
        let record = record.map_err(|e| {
            *corrupt = Some(e);
            fmt::Error
        })?;
        if record.labels.is_empty() {
            write_record(w, &record, format)?;
        } else if record.labels.is_overflow() {
            // A family: its series (which come after it) and its overflow series. A series
            // met on its own was written with its family.
            families = true;
            #[cfg(feature = "labels")]
            write_labelled_family(w, stats, &record, format, corrupt)?;
        }
    }
    #[cfg(feature = "labels")]
    if families {
        write_folded_family(w, stats, format, corrupt)?;
    }
    let _ = families;
    if format == TextFormat::OpenMetrics {
        w.write_str("# EOF\n")?;
    }
    Ok(())
}

#[cfg_attr(not(feature = "perf"), inline(never))] // smaller, slower: see `perf`
fn write_record(w: &mut impl PageWrite, r: &Record<'_>, format: TextFormat) -> fmt::Result {
    write_family_group(w, || core::iter::once((*r, &[][..])), format)
}

/// A labelled family: every series, then the overflow series (`family`, the family record).
#[cfg(feature = "labels")]
fn write_labelled_family(
    w: &mut impl PageWrite,
    stats: &Stats<'_>,
    family: &Record<'_>,
    format: TextFormat,
    corrupt: &mut Option<ParseError>,
) -> fmt::Result {
    let failed = Cell::new(None);
    let members = || {
        let series = stats.series_of(family.labels.family_at, true);
        let series = series.map_while(|r| r.map_err(|e| failed.set(Some(e))).ok());
        series
            .chain(core::iter::once(*family))
            .map(|r| (r, &[][..]))
    };
    let written = write_family_group(w, members, format);
    if let Some(e) = failed.get() {
        *corrupt = Some(e);
        return Err(fmt::Error);
    }
    written
}

/// `mutornadomon_series_folded_total{family="..."}`: per labelled family, the lookups folded
/// into its overflow series.
#[cfg(feature = "labels")]
fn write_folded_family(
    w: &mut impl PageWrite,
    stats: &Stats<'_>,
    format: TextFormat,
    corrupt: &mut Option<ParseError>,
) -> fmt::Result {
    const HELP: &str = "Label sets folded into a family's overflow series (otel_metric_overflow) past its series limit";
    let family = Family::new(FOLDED_FAMILY, "", "", "_total");
    write_meta(w, family, HELP, FOLDED_FAMILY, "counter", "_total", format)?;
    for record in stats.families(false) {
        let record = record.map_err(|e| {
            *corrupt = Some(e);
            fmt::Error
        })?;
        family.write(w)?;
        // Names are ASCII letters, digits, '_', '.', ':' (validated): nothing to escape.
        w.write_str("_total{family=\"")?;
        w.write_str(record.name)?;
        w.write_str("\"} ")?;
        w.hole(Hole::folded(&record.place), &record.place.words, None)?;
        w.write_char('\n')?;
    }
    Ok(())
}

/// Labels to put on every sample of a series, e.g. `[("pid", "42"), ("program", "app")]`.
pub type Labels<'l> = &'l [(&'l str, &'l str)];

/// Writes the families of one metric seen in several sources (say, every writer on a host),
/// each source's samples carrying its own labels: HELP/TYPE once per family, then every
/// source's samples, as the text format requires. Every record in `group` should render the
/// same family as the first ([`ExposedName::same_family`](crate::ExposedName::same_family):
/// `requests` and `requests_total`, or a gauge in `milliseconds` and one in `seconds`, each
/// scaled to base units); others are skipped. HELP is the first record's. Label names must
/// be valid Prometheus label names; values are escaped.
///
/// ```
/// use mutornadomon_core::{parse, write_prometheus_family, Meta, Storage, TextFormat};
/// static A: Storage<256> = Storage::new();
/// static B: Storage<256> = Storage::new();
/// A.region().count("jobs", 2)?;
/// B.region().count("jobs", 5)?;
/// let (mut a, mut b) = ([0u8; 512], [0u8; 512]);
/// let (na, nb) = (A.region().snapshot(&mut a)?, B.region().snapshot(&mut b)?);
/// let (sa, sb) = (parse(&a[..na])?, parse(&b[..nb])?);
/// let ra = sa.records().next().unwrap()?;
/// let rb = sb.records().next().unwrap()?;
/// let mut text = String::new();
/// let group = [(ra, &[("pid", "1")][..]), (rb, &[("pid", "2")][..])];
/// write_prometheus_family(&mut text, &group, TextFormat::Prometheus)?;
/// assert_eq!(text, "# HELP jobs_total jobs\n# TYPE jobs_total counter\njobs_total{pid=\"1\"} 2\njobs_total{pid=\"2\"} 5\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_prometheus_family(
    w: &mut impl Write,
    group: &[(Record<'_>, Labels<'_>)],
    format: TextFormat,
) -> fmt::Result {
    let Some((first, _)) = group.first() else {
        return Ok(());
    };
    let exposed = ExposedName::new(first.name, first.unit, first.kind);
    let members = || {
        group.iter().copied().filter(move |(r, _)| {
            same_kind(&r.value, &first.value)
                && (group.len() == 1
                    || ExposedName::new(r.name, r.unit, r.kind).same_family(&exposed))
        })
    };
    write_family_group(&mut Direct::new(w), members, format)
}

fn same_kind(a: &Value<'_>, b: &Value<'_>) -> bool {
    core::mem::discriminant(a) == core::mem::discriminant(b)
}

/// HELP/TYPE of the first member's family, then every member's samples. Members of another
/// kind of value than the first are skipped.
#[cfg_attr(not(feature = "perf"), inline(never))] // smaller, slower: see `perf`
fn write_family_group<'r, 'l, I>(
    w: &mut impl PageWrite,
    members: impl Fn() -> I,
    format: TextFormat,
) -> fmt::Result
where
    I: Iterator<Item = (Record<'r>, Labels<'l>)>,
{
    let Some((first, _)) = members().next() else {
        return Ok(());
    };
    let divisor = |r: &Record<'_>| base_unit(r.unit).1;
    match first.value {
        Value::Counter(_) | Value::Gauge(_) => {
            // A counter is one family (`_total`); a gauge three, of its value, min and max
            // words in that order. One loop for both: a firmware links one copy.
            let counter = matches!(first.value, Value::Counter(_));
            let (infixes, type_name, suffix): (&[&str], _, _) = if counter {
                (&[""], "counter", "_total")
            } else {
                (&["", "_min", "_max"], "gauge", "")
            };
            for (field, &infix) in infixes.iter().enumerate() {
                let family = Family::new(first.name, first.unit, infix, suffix);
                write_meta(w, family, first.help, first.name, type_name, suffix, format)?;
                for (r, labels) in members() {
                    if !same_kind(&r.value, &first.value) {
                        continue;
                    }
                    family.write(w)?;
                    w.write_str(suffix)?;
                    write_labels(w, &r.labels, labels, None)?;
                    w.write_char(' ')?;
                    let hole = if counter {
                        let sharded = r.kind == Kind::ShardedCounter;
                        Hole::counter(&r.place, sharded, divisor(&r))
                    } else {
                        Hole::gauge(&r.place, field, divisor(&r), Style::Prometheus)
                    };
                    w.hole(hole, &r.place.words, None)?;
                    w.write_char('\n')?;
                }
            }
            Ok(())
        }
        Value::Histogram(_) => {
            let family = Family::new(first.name, first.unit, "", "");
            write_meta(w, family, first.help, first.name, "histogram", "", format)?;
            for (r, labels) in members() {
                if let Value::Histogram(h) = &r.value {
                    let labels = (&r.labels, labels);
                    write_histogram_samples(w, family, h, &r.place, labels, divisor(&r))?;
                }
            }
            Ok(())
        }
        Value::Info(_) => {
            let family = Family::new(first.name, "", "", "_info");
            write_meta(w, family, first.help, first.name, "info", "_info", format)?;
            for (r, labels) in members() {
                let Value::Info(text) = r.value else { continue };
                family.write(w)?;
                w.write_str("_info")?;
                write_labels(w, &r.labels, labels, Some(("value", Extra::Text(text))))?;
                w.write_str(" 1\n")?;
            }
            Ok(())
        }
    }
}
