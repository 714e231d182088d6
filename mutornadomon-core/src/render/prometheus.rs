//! Prometheus text format 0.0.4 and OpenMetrics 1.0.

use super::digits::WriteInt;
use super::hole::{Direct, Hole, PageWrite, ProcessField, Style, HEAD_BYTES};
use super::{base_unit, write_u64, BufWriter, ProcessStats, RenderError};
use crate::bucket::bucket_index;
use crate::parse::{HistogramReading, ParseError, Place, Record, Stats, Value, Words};
use crate::Kind;
use core::fmt::{self, Display, Write};

/// Which text exposition format to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TextFormat {
    /// Prometheus text format 0.0.4.
    #[default]
    Prometheus,
    /// OpenMetrics 1.0 text (`# UNIT` lines, `info` type, ends with `# EOF`).
    OpenMetrics,
}

impl TextFormat {
    /// The `Content-Type` to serve this format with.
    pub const fn content_type(self) -> &'static str {
        match self {
            TextFormat::Prometheus => "text/plain; version=0.0.4; charset=utf-8",
            TextFormat::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
        }
    }

    /// Picks the format an HTTP `Accept` header asks for: OpenMetrics when it names
    /// `application/openmetrics-text` (with a non-zero q), else Prometheus text.
    ///
    /// ```
    /// use mutornadomon_core::TextFormat;
    /// let prometheus = b"application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5";
    /// assert_eq!(TextFormat::from_accept(prometheus), TextFormat::OpenMetrics);
    /// assert_eq!(TextFormat::from_accept(b"*/*"), TextFormat::Prometheus);
    /// ```
    pub fn from_accept(accept: &[u8]) -> TextFormat {
        let wants_openmetrics = accept.split(|&b| b == b',').any(|range| {
            let mut params = range.split(|&b| b == b';').map(trim);
            let media = params.next().unwrap_or(b"");
            media.eq_ignore_ascii_case(b"application/openmetrics-text")
                && !params.any(|p| {
                    let p: &[u8] = p;
                    p.len() >= 2
                        && p[..2].eq_ignore_ascii_case(b"q=")
                        && trim(&p[2..]).iter().all(|&b| b == b'0' || b == b'.')
                })
        });
        if wants_openmetrics {
            TextFormat::OpenMetrics
        } else {
            TextFormat::Prometheus
        }
    }
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &bytes[start..end]
}

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
    for record in stats.records() {
        let record = record.map_err(|e| {
            *corrupt = Some(e);
            fmt::Error
        })?;
        write_record(w, &record, format)?;
    }
    if format == TextFormat::OpenMetrics {
        w.write_str("# EOF\n")?;
    }
    Ok(())
}

/// A metric family name: sanitised base, optional infix, unit suffix.
#[derive(Clone, Copy)]
struct Family<'r> {
    base: &'r str,
    infix: &'static str,
    unit: &'r str,
    /// Whether `base` is already a legal name (most are), so it is written as it is.
    clean: bool,
}

impl<'r> Family<'r> {
    fn new(name: &'r str, unit: &'r str, infix: &'static str, drop_suffix: &str) -> Self {
        let (unit, _) = base_unit(unit);
        let mut base = name;
        if !drop_suffix.is_empty() {
            base = base
                .strip_suffix(drop_suffix)
                .filter(|b| !b.is_empty())
                .unwrap_or(base);
        }
        if !unit.is_empty() {
            if let Some(stripped) = base
                .strip_suffix(unit)
                .and_then(|b| b.strip_suffix(['_', '.']))
            {
                base = if stripped.is_empty() { base } else { stripped };
            }
        }
        Family {
            base,
            infix,
            unit,
            clean: is_clean(base),
        }
    }
}

/// Letters, digits and '_', not starting with a digit.
fn is_clean(name: &str) -> bool {
    !name.starts_with(|c: char| c.is_ascii_digit())
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

impl Family<'_> {
    /// Writes the name with plain `write_str` calls (no formatting machinery: a page writes
    /// a family name several times per metric).
    fn write(&self, w: &mut impl Write) -> fmt::Result {
        if self.clean {
            w.write_str(self.base)?;
        } else {
            // Runs of legal characters are written whole; anything else becomes '_'. ':' is
            // legal but reserved for recording rules; promtool flags it, so it goes too.
            let mut run = 0;
            for (i, c) in self.base.char_indices() {
                let ok = c.is_ascii_alphabetic() || c == '_' || (i > 0 && c.is_ascii_digit());
                if !ok {
                    w.write_str(&self.base[run..i])?;
                    w.write_char('_')?;
                    run = i + c.len_utf8();
                }
            }
            w.write_str(&self.base[run..])?;
        }
        w.write_str(self.infix)?;
        if !self.unit.is_empty() {
            w.write_char('_')?;
            w.write_str(self.unit)?;
        }
        Ok(())
    }
}

impl Display for Family<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f)
    }
}

/// Writes the HELP/TYPE (and UNIT) block of a family. `sample_suffix` is what 0.0.4 needs on
/// the declared name (`_total` for counters, `_info` for info).
fn write_meta(
    w: &mut impl Write,
    family: Family<'_>,
    help: &str,
    name: &str,
    kind: &str,
    sample_suffix: &str,
    format: TextFormat,
) -> fmt::Result {
    let help = if help.is_empty() { name } else { help };
    match format {
        TextFormat::Prometheus => {
            w.write_str("# HELP ")?;
            family.write(w)?;
            w.write_str(sample_suffix)?;
            w.write_char(' ')?;
            write_help(w, help)?;
            w.write_str("\n# TYPE ")?;
            family.write(w)?;
            w.write_str(sample_suffix)?;
            w.write_char(' ')?;
            w.write_str(if kind == "info" { "gauge" } else { kind })?;
            w.write_char('\n')
        }
        TextFormat::OpenMetrics => {
            w.write_str("# TYPE ")?;
            family.write(w)?;
            w.write_char(' ')?;
            w.write_str(kind)?;
            w.write_char('\n')?;
            if !family.unit.is_empty() {
                w.write_str("# UNIT ")?;
                family.write(w)?;
                w.write_char(' ')?;
                w.write_str(family.unit)?;
                w.write_char('\n')?;
            }
            w.write_str("# HELP ")?;
            family.write(w)?;
            w.write_char(' ')?;
            write_help(w, help)?;
            w.write_char('\n')
        }
    }
}

fn write_record(w: &mut impl PageWrite, r: &Record<'_>, format: TextFormat) -> fmt::Result {
    write_family_group(w, &[(*r, &[])], format)
}

/// Labels to put on every sample of a series, e.g. `[("pid", "42"), ("program", "app")]`.
pub type Labels<'l> = &'l [(&'l str, &'l str)];

/// Writes the families of one metric seen in several sources (say, every writer on a host),
/// each source's samples carrying its own labels: HELP/TYPE once per family, then every
/// source's samples, as the text format requires. Every record in `group` should have the
/// same name, kind and unit as the first; others are skipped. Label names must be valid
/// Prometheus label names; values are escaped.
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
    write_family_group(&mut Direct::new(w), group, format)
}

fn same_kind(a: &Value<'_>, b: &Value<'_>) -> bool {
    core::mem::discriminant(a) == core::mem::discriminant(b)
}

fn write_family_group(
    w: &mut impl PageWrite,
    group: &[(Record<'_>, Labels<'_>)],
    format: TextFormat,
) -> fmt::Result {
    let Some((first, _)) = group.first() else {
        return Ok(());
    };
    let members = || {
        group.iter().filter(|(r, _)| {
            r.name == first.name && r.unit == first.unit && same_kind(&r.value, &first.value)
        })
    };
    let (_, divisor) = base_unit(first.unit);
    match first.value {
        Value::Counter(_) => {
            let family = Family::new(first.name, first.unit, "", "_total");
            write_meta(
                w, family, first.help, first.name, "counter", "_total", format,
            )?;
            for (r, labels) in members() {
                let Value::Counter(_) = r.value else { continue };
                family.write(w)?;
                w.write_str("_total")?;
                write_labels(w, labels, None)?;
                w.write_char(' ')?;
                let sharded = r.kind == Kind::ShardedCounter;
                let hole = Hole::counter(&r.place, sharded, divisor);
                w.hole(hole, &r.place.words, None)?;
                w.write_char('\n')?;
            }
            Ok(())
        }
        Value::Gauge(_) => {
            // The gauge's value, min and max words, in that order.
            for (field, infix) in ["", "_min", "_max"].into_iter().enumerate() {
                let family = Family::new(first.name, first.unit, infix, "");
                write_meta(w, family, first.help, first.name, "gauge", "", format)?;
                for (r, labels) in members() {
                    let Value::Gauge(_) = &r.value else { continue };
                    family.write(w)?;
                    write_labels(w, labels, None)?;
                    w.write_char(' ')?;
                    let hole = Hole::gauge(&r.place, field, divisor, Style::Prometheus);
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
                    write_histogram_samples(w, family, h, &r.place, labels, divisor)?;
                }
            }
            Ok(())
        }
        Value::Info(_) => {
            let family = Family::new(first.name, "", "", "_info");
            write_meta(w, family, first.help, first.name, "info", "_info", format)?;
            for (r, labels) in members() {
                let Value::Info(text) = r.value else { continue };
                write!(w, "{family}_info")?;
                write_labels(w, labels, Some(("value", &LabelValue(text))))?;
                w.write_str(" 1\n")?;
            }
            Ok(())
        }
    }
}

/// A label value, escaped when written.
struct LabelValue<'t>(&'t str);

impl Display for LabelValue<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_label_value(f, self.0)
    }
}

/// A number as a label value (`le`).
/// A bucket's upper edge, `value / divisor`, as `{:?}` writes the float (the `le` label is
/// part of a series' identity, so its text stays what it has always been). Edges in
/// nanoseconds shown in seconds are written from integers (no float formatting) while the
/// result is exact, which is the common case and a good part of a `/metrics` page.
struct BucketEdge {
    value: u64,
    divisor: f64,
}

impl BucketEdge {
    /// Writes the edge as `{:?}` would, from integers where the result is exact.
    fn write(&self, w: &mut impl Write) -> fmt::Result {
        const NANOS: u64 = 1_000_000_000;
        // Below 2^50 every such decimal has at most 15 significant digits, so it is also the
        // shortest representation `{:?}` would choose.
        if self.divisor != 1e9 || self.value >= 1 << 50 {
            let v = self.value as f64 / self.divisor;
            return if v == (v as i64) as f64 && v.abs() < 1e15 {
                write!(w, "{}", v as i64)
            } else {
                write!(w, "{v:?}")
            };
        }
        let (whole, frac) = (self.value / NANOS, self.value % NANOS);
        if frac == 0 {
            return write_u64(w, whole);
        }
        // The fraction's digits without trailing zeros: `digits` of them, as an integer.
        let (mut frac_digits, mut digits) = (frac, 9u32);
        while frac_digits % 10 == 0 {
            frac_digits /= 10;
            digits -= 1;
        }
        if whole > 0 || self.value >= 100_000 {
            // At least 1e-4: `{:?}` writes plain decimals, the fraction zero-padded.
            write_u64(w, whole)?;
            w.write_char('.')?;
            for _ in decimal_len(frac_digits)..digits {
                w.write_char('0')?;
            }
            return write_u64(w, frac_digits);
        }
        // Below 1e-4: `{:?}` writes scientific notation, `d.ddde-N`.
        let len = decimal_len(frac_digits);
        let exponent = digits - len + 1; // the value is frac_digits * 10^-digits
        let leading = 10u64.pow(len - 1);
        write_u64(w, frac_digits / leading)?;
        let rest = frac_digits % leading;
        if len > 1 {
            w.write_char('.')?;
            for _ in decimal_len(rest)..len - 1 {
                w.write_char('0')?;
            }
            write_u64(w, rest)?;
        }
        w.write_str("e-")?;
        write_u64(w, u64::from(exponent))
    }
}

/// Decimal digits of `n` (1 for 0).
fn decimal_len(n: u64) -> u32 {
    n.checked_ilog10().map_or(1, |l| l + 1)
}

impl Display for BucketEdge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f)
    }
}

/// `{a="x",b="y",extra="z"}`, or nothing when there are no labels.
fn write_labels(
    w: &mut impl Write,
    labels: Labels<'_>,
    extra: Option<(&str, &dyn Display)>,
) -> fmt::Result {
    if labels.is_empty() && extra.is_none() {
        return Ok(());
    }
    w.write_char('{')?;
    let mut first = true;
    for (name, value) in labels {
        write!(
            w,
            "{}{name}=\"{}\"",
            if first { "" } else { "," },
            LabelValue(value)
        )?;
        first = false;
    }
    if let Some((name, value)) = extra {
        write!(w, "{}{name}=\"{value}\"", if first { "" } else { "," })?;
    }
    w.write_char('}')
}

fn write_histogram_samples(
    w: &mut impl PageWrite,
    family: Family<'_>,
    h: &HistogramReading<'_>,
    place: &Place<'_>,
    labels: Labels<'_>,
    divisor: f64,
) -> fmt::Result {
    let words = &place.words;
    let buckets_at = place.values_at + HEAD_BYTES;
    // Power-of-two edges whose buckets all lie below the last bucket (which may hold overflow).
    let last = h.bucket_count().saturating_sub(1);
    let mut counted = 0;
    for k in 0..64u32 {
        let edge = 1u64 << k;
        let end = bucket_index(edge);
        if end > last {
            break;
        }
        let cumulative = Hole::Cumulative {
            buckets_at,
            start: counted,
            end,
        };
        counted = end;
        let edge = BucketEdge {
            value: edge - 1,
            divisor,
        };
        family.write(w)?;
        w.write_str("_bucket")?;
        if labels.is_empty() {
            // The common case, written without the formatting machinery: 40-odd lines per
            // histogram are most of a metrics page.
            w.write_str("{le=\"")?;
            edge.write(w)?;
            w.write_str("\"} ")?;
        } else {
            write_labels(w, labels, Some(("le", &edge)))?;
            w.write_char(' ')?;
        }
        w.hole(cumulative, words, None)?;
        w.write_char('\n')?;
    }
    let count = Hole::HistogramCount {
        at: place.values_at,
        buckets: h.bucket_count(),
    };
    family.write(w)?;
    w.write_str("_bucket")?;
    write_labels(w, labels, Some(("le", &"+Inf")))?;
    w.write_char(' ')?;
    w.hole(count, words, None)?;
    w.write_char('\n')?;
    family.write(w)?;
    w.write_str("_sum")?;
    write_labels(w, labels, None)?;
    w.write_char(' ')?;
    let sum = Hole::HistogramSum {
        at: place.values_at,
        divisor,
    };
    w.hole(sum, words, None)?;
    w.write_char('\n')?;
    family.write(w)?;
    w.write_str("_count")?;
    write_labels(w, labels, None)?;
    w.write_char(' ')?;
    w.hole(count, words, None)?;
    w.write_char('\n')
}

fn write_process(
    w: &mut impl PageWrite,
    p: &ProcessStats,
    process: Option<&ProcessStats>,
    format: TextFormat,
) -> fmt::Result {
    let no_words = Words::empty();
    let style = Style::Prometheus;
    let plain = |name: &'static str| Family {
        base: name,
        infix: "",
        unit: "",
        clean: true,
    };
    let cpu = Family {
        base: "process_cpu",
        infix: "",
        unit: "seconds",
        clean: true,
    };
    write_meta(
        w,
        cpu,
        "Total user and system CPU time spent in seconds.",
        "",
        "counter",
        "_total",
        format,
    )?;
    w.write_str("process_cpu_seconds_total ")?;
    let field = ProcessField::CpuTime;
    w.hole(Hole::Process { field, style }, &no_words, process)?;
    w.write_char('\n')?;
    let mut gauges = [
        (
            "process_resident_memory_bytes",
            "Resident memory size in bytes.",
            Some(ProcessField::Rss),
        ),
        (
            "process_virtual_memory_bytes",
            "Virtual memory size in bytes.",
            Some(ProcessField::Vsz),
        ),
        (
            "process_open_fds",
            "Number of open file descriptors.",
            Some(ProcessField::OpenFds),
        ),
        (
            "process_max_fds",
            "Maximum number of open file descriptors.",
            p.max_fds.map(|_| ProcessField::MaxFds),
        ),
        (
            "process_start_time_seconds",
            "Start time of the process since unix epoch in seconds.",
            Some(ProcessField::StartTime),
        ),
        (
            "process_threads",
            "Number of OS threads in the process.",
            Some(ProcessField::Threads),
        ),
    ];
    for (name, help, field) in &mut gauges {
        // The open descriptor limit is left out when unknown (the page's shape depends on
        // it; templates compare it).
        let Some(field) = field.take() else { continue };
        write_meta(w, plain(name), help, name, "gauge", "", format)?;
        w.write_str(name)?;
        w.write_char(' ')?;
        w.hole(Hole::Process { field, style }, &no_words, process)?;
        w.write_char('\n')?;
    }
    Ok(())
}

/// A sample value as Prometheus reads it (Go's ParseFloat): `NaN`, `+Inf`, `-Inf` or a number.
pub(crate) fn write_value(w: &mut impl WriteInt, v: f64) -> fmt::Result {
    if v.is_nan() {
        w.write_str("NaN")
    } else if v.is_infinite() {
        w.write_str(if v > 0.0 { "+Inf" } else { "-Inf" })
    } else if v.abs() < 1e15 && v == (v as i64) as f64 {
        w.write_i64(v as i64)
    } else {
        // Shortest text that reads back as the same f64 ("0.25", "1e-7", "1.5e20"); Go's
        // ParseFloat reads all of these. zmij, not `{:?}`: no formatting pass, no Grisu.
        w.write_str(zmij::Buffer::new().format_finite(v))
    }
}

/// HELP text escapes: backslash and newline.
fn write_help(w: &mut impl Write, text: &str) -> fmt::Result {
    write_escaped(w, text, false)
}

/// Label value escapes: backslash, double quote, newline.
fn write_label_value(w: &mut impl Write, text: &str) -> fmt::Result {
    write_escaped(w, text, true)
}

/// Writes `text` with backslash, newline and (if `quote`) double quote escaped, in runs. The
/// scan is over bytes: these are ASCII, and no byte of a multi-byte UTF-8 character is.
fn write_escaped(w: &mut impl Write, text: &str, quote: bool) -> fmt::Result {
    let mut run = 0;
    for (i, b) in text.bytes().enumerate() {
        let escaped = match b {
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'"' if quote => "\\\"",
            _ => continue,
        };
        w.write_str(&text[run..i])?;
        w.write_str(escaped)?;
        run = i + 1;
    }
    w.write_str(&text[run..])
}

#[cfg(test)]
mod edge_tests {
    use super::BucketEdge;
    use core::fmt::Write;

    struct Text([u8; 64], usize);

    impl Write for Text {
        fn write_str(&mut self, s: &str) -> core::fmt::Result {
            self.0[self.1..self.1 + s.len()].copy_from_slice(s.as_bytes());
            self.1 += s.len();
            Ok(())
        }
    }

    /// The integer path must write exactly what `{:?}` writes (integers without a point),
    /// for every edge.
    #[test]
    fn bucket_edges_match_float_formatting() {
        let edges = (0..64u32).flat_map(|k| {
            let e = 1u64 << k;
            [e - 1, e, e + 1, e.wrapping_mul(10), 999_999_999 % e.max(1)]
        });
        for value in edges.chain([1, 10, 99_999, 100_000, 123_456_789, 1_000_000_000]) {
            for divisor in [1.0, 1e9] {
                let (mut fast, mut slow) = (Text([0; 64], 0), Text([0; 64], 0));
                write!(fast, "{}", BucketEdge { value, divisor }).unwrap();
                let v = value as f64 / divisor;
                if v.abs() < 1e15 && v == (v as i64) as f64 {
                    write!(slow, "{}", v as i64).unwrap();
                } else {
                    write!(slow, "{v:?}").unwrap();
                }
                assert_eq!(&fast.0[..fast.1], &slow.0[..slow.1], "{value} / {divisor}");
            }
        }
    }
}
