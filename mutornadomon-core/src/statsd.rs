//! statsd lines from a region, packed into datagrams: what a push-based collector reads
//! (statsd, collectd's statsd plugin, Telegraf, the Datadog agent). The region is read in place
//! ([`StatsdEncoder::encode_region`]: a firmware needs no snapshot buffer) or from a parsed
//! snapshot or stats file ([`StatsdEncoder::encode`]); both send the same lines. No
//! allocation: each datagram is a [`heapless::Vec`] of the size the caller picks, and the
//! previous counter values that deltas need live in the encoder, a [`heapless::Vec`] of fixed
//! capacity in the order the walks first met the counters, which is the order they meet them
//! in (so each lookup is the entry after the last one; a new counter is added at the end).
//!
//! What is sent, for a metric `name` under `prefix`:
//!
//! | kind | lines |
//! |---|---|
//! | counter | `name:<delta since the last encode>\|c` |
//! | gauge | `name:<v>\|g`, `name.min:<v>\|g`, `name.max:<v>\|g` (the extremes over the previous and the current window) |
//! | histogram | `name.count:<delta>\|c`; `name.p50`, `.p90`, `.p99` (bucket midpoints), `.min`, `.max` (exact) as `\|g` |
//! | info | nothing |
//!
//! The statsd gauge protocol reads a value with a leading `-` or `+` as a change to the stored
//! gauge, not as the value. A negative gauge is therefore sent as `name:0|g` followed by
//! `name:-7.75|g` in the same datagram, which every statsd server stores as -7.75. Non-finite
//! gauges are not sent. `:` in a metric name (legal in ours, the statsd separator) is sent
//! as `_`.
//!
//! Help text and units are not sent (statsd has neither), so the encoder does not read them:
//! a record whose help is damaged is still sent.
//!
//! A labelled series is sent as `name.<value>.<value>` (its label values in order, Graphite
//! style, with any byte but ASCII letters, digits, `_` and `-` sent as `_`, an empty value as
//! `_`), then the suffix: `requests.200.GET:1|c`, `latency./.p99:…|g` becomes
//! `latency._.p99`; a family's overflow series as `name.otel_metric_overflow`. A series whose
//! label values take more than 256 bytes so written is not sent, and is counted in
//! [`Encoded::skipped`].

use crate::layout::kind_code;
use crate::live_records::{LiveLabels, LiveRecords, MAX_LABEL_BYTES};
use crate::metrics::HISTOGRAM_HEAD_WORDS;
use crate::parse::Stats;
use crate::parse_error::ParseError;
use crate::records::Value;
use crate::region::Region;
use crate::values::{summarize, GaugeReading, HistogramSummary, Live, Values, QUANTILES};
use core::fmt;
use heapless::Vec;
use lines::{tail_len, tail_of, Lines, Name, Number, Tail};

/// The most bytes one metric's lines can take: six lines (a gauge's value, min and max, each
/// two lines when negative; a histogram's count, three quantiles, min and max), each of a
/// prefix and a name of at most 128 bytes, its label values, a suffix, a value of at most 24
/// characters and its type. A metric's lines are written whole into this buffer before they go
/// into a datagram, so none is ever left out for want of room.
const MAX_UNIT: usize = 6 * (128 + 128 + LABEL_ROOM + ".count".len() + 1 + 24 + 3);

/// The quantiles a statsd histogram summary takes: the three it sends; with the JSON page or
/// serde compiled too, their four (the fourth not sent), so that a program links one summary.
#[cfg(any(feature = "json", feature = "serde"))]
const SUMMARY_QUANTILES: [f64; 4] = QUANTILES;
/// The quantiles a statsd histogram summary takes: the three it sends (16 B less code than
/// four, in a program with no other summary).
#[cfg(not(any(feature = "json", feature = "serde")))]
const SUMMARY_QUANTILES: [f64; 3] = [QUANTILES[0], QUANTILES[1], QUANTILES[2]];

/// The names a gauge's lines add to its own: its value, min and max.
const GAUGE_SUFFIXES: [&str; 3] = ["", ".min", ".max"];
/// The names a histogram's gauge lines add to its own: three quantiles, min and max.
const HISTOGRAM_SUFFIXES: [&str; 5] = [".p50", ".p90", ".p99", ".min", ".max"];

/// Room for label values in a line: none without feature `labels`.
const LABEL_ROOM: usize = if cfg!(feature = "labels") {
    MAX_LABEL_BYTES
} else {
    0
};

/// Turns a region into statsd datagrams, keeping the previous value of up to `COUNTERS`
/// counters (histogram counts included) for their deltas.
///
/// From a parsed snapshot (a program reading its own region in place calls
/// [`encode_region`](Self::encode_region) instead, with no snapshot buffer):
///
/// ```
/// use mutornadomon_core::{parse, Meta, Storage, StatsdEncoder};
/// static STATS: Storage<1024> = Storage::new();
/// let region = STATS.region();
/// region.counter("requests", Meta::new())?.inc_by(3);
/// region.gauge("temperature", Meta::new())?.set(-7.75);
///
/// let mut encoder = StatsdEncoder::<64>::new();
/// let mut snapshot = [0u8; 8192];
/// let n = region.snapshot(&mut snapshot)?;
/// let mut sent = Vec::new();
/// encoder.encode::<512>(&parse(&snapshot[..n])?, "app.", |datagram| {
///     sent.push(String::from_utf8(datagram.to_vec()).unwrap()); // or socket.send(datagram)
/// })?;
/// assert_eq!(sent.len(), 1);
/// assert!(sent[0].starts_with("app.requests:3|c\napp.temperature:0|g\napp.temperature:-7.75|g\n"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct StatsdEncoder<const COUNTERS: usize> {
    /// Previous counts by the byte offset of the counter's value in the region (records never
    /// move, so the offset names a counter for the region's life).
    previous: Vec<(u32, u64), COUNTERS>,
    /// Where the next counter's entry is expected: both walks meet the counters in the
    /// region's order, which is the entries' order, so a lookup after a hit at `i` tries
    /// `i + 1` first. Reset by each encode.
    next: usize,
    /// With feature `perf`, the highest key held (0 when none is): a key above it is a new
    /// counter, added without a scan (without `perf`, each new counter is looked for among
    /// those held first: a firmware's few). Only keys in another order (two regions through
    /// one encoder) are scanned for.
    #[cfg(feature = "perf")]
    highest: u32,
}

/// What one [`StatsdEncoder::encode`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Encoded {
    /// Lines written.
    pub lines: usize,
    /// Datagrams handed to the sender.
    pub datagrams: usize,
    /// Metrics left out: a counter past the encoder's capacity (no previous value to take a
    /// delta from), or a metric whose lines do not fit in one datagram.
    pub skipped: usize,
}

/// Why nothing was encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum StatsdError {
    /// The prefix holds a character statsd gives a meaning to (`:`, `|`, `@`, `#`, a space or
    /// a control character), or is over 128 bytes.
    BadPrefix,
    /// A record of the region is corrupt; the datagrams before it were sent.
    Corrupt(ParseError),
}

impl fmt::Display for StatsdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatsdError::BadPrefix => f.write_str(
                "statsd prefix must be at most 128 bytes without ':', '|', '@', '#', spaces or control characters",
            ),
            StatsdError::Corrupt(e) => write!(f, "corrupt stats region: {e}"),
        }
    }
}

impl core::error::Error for StatsdError {}

impl<const COUNTERS: usize> Default for StatsdEncoder<COUNTERS> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const COUNTERS: usize> StatsdEncoder<COUNTERS> {
    /// An encoder that has sent nothing yet: each counter's first delta is its whole count.
    pub const fn new() -> Self {
        StatsdEncoder {
            previous: Vec::new(),
            next: 0,
            #[cfg(feature = "perf")]
            highest: 0,
        }
    }

    /// Whether `prefix` may start statsd names: an error names what is wrong.
    ///
    /// ```
    /// use mutornadomon_core::StatsdEncoder;
    /// assert!(StatsdEncoder::<1>::check_prefix("app.web-1.").is_ok());
    /// assert!(StatsdEncoder::<1>::check_prefix("app|1").is_err());
    /// ```
    pub fn check_prefix(prefix: &str) -> Result<(), StatsdError> {
        if prefix_is_valid(prefix) {
            Ok(())
        } else {
            Err(StatsdError::BadPrefix)
        }
    }

    /// Encodes every metric of `stats` under `prefix` into datagrams of at most `DATAGRAM`
    /// bytes (1,432 suits an Ethernet MTU; 512 is safe anywhere), handing each to `send`. The
    /// lines of one metric never straddle two datagrams.
    pub fn encode<const DATAGRAM: usize>(
        &mut self,
        stats: &Stats<'_>,
        prefix: &str,
        send: impl FnMut(&Vec<u8, DATAGRAM>),
    ) -> Result<Encoded, StatsdError> {
        self.begin(prefix)?;
        let mut buffers = (Vec::new(), Vec::new());
        let mut packer = Packer::new(prefix, send, &mut buffers);
        for record in stats.names_and_values() {
            let record = record.map_err(StatsdError::Corrupt)?;
            let reading = match record.value {
                Value::Counter(n) => Reading::Counter(n),
                Value::Gauge(g) => Reading::Gauge(g),
                Value::Histogram(h) => Reading::Histogram(h.summary(SUMMARY_QUANTILES)),
                Value::Info(_) => continue,
            };
            let name = (record.name.as_bytes(), tail_of(&record.labels));
            packer.add(self, record.place.values_at, name, reading);
        }
        Ok(packer.finish())
    }

    /// Like [`encode`](Self::encode), reading `region` in place instead of a parsed snapshot:
    /// no snapshot buffer (a region's size of RAM) and no parse (a firmware's statsd tick
    /// takes 4 KiB less stack and 0.7 KiB less code; BENCHMARKS.md, "Code size"). The
    /// datagrams are those `encode` makes from a snapshot taken at that moment, and one
    /// encoder may take turns with both (a metric's previous count is kept under the same key).
    ///
    /// The region's words may be memory another process shares, so each record the encoder
    /// reads is checked as the parser would check it (framing, name, value layout, a series'
    /// family); a record that fails ends the encode with [`StatsdError::Corrupt`], the
    /// datagrams before it sent. Help, units and info texts are not read.
    ///
    /// ```
    /// use mutornadomon_core::{Meta, Storage, StatsdEncoder};
    /// static STATS: Storage<512> = Storage::new();
    /// let region = STATS.region();
    /// region.counter("boots", Meta::new())?.inc();
    /// region.gauge("battery_volts", Meta::new())?.set(3.7);
    ///
    /// let mut encoder = StatsdEncoder::<16>::new();
    /// let mut sent = 0;
    /// encoder.encode_region::<512>(&region, "fw.", |datagram| {
    ///     assert!(datagram.starts_with(b"fw.boots:1|c\nfw.battery_volts:3.7|g\n"));
    ///     sent += 1; // or hand `datagram` to the network stack
    /// })?;
    /// assert_eq!(sent, 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn encode_region<const DATAGRAM: usize>(
        &mut self,
        region: &Region<'_>,
        prefix: &str,
        send: impl FnMut(&Vec<u8, DATAGRAM>),
    ) -> Result<Encoded, StatsdError> {
        self.begin(prefix)?;
        let mut buffers = (Vec::new(), Vec::new());
        let mut packer = Packer::new(prefix, send, &mut buffers);
        let mut records = LiveRecords::new(region);
        while let Some(record) = records.next_record() {
            let record = record.map_err(StatsdError::Corrupt)?;
            let values = Live(record.values);
            let word = |i: usize| values.word(i * 8).unwrap_or(0);
            let reading = match record.code {
                kind_code::COUNTER => Reading::Counter(word(0)),
                kind_code::SHARDED_COUNTER => Reading::Counter(values.counter_at(0, record.param)),
                kind_code::GAUGE => Reading::Gauge(values.gauge_at(0, 2)),
                kind_code::GAUGE_ONE_WINDOW => Reading::Gauge(values.gauge_at(0, 1)),
                _ => Reading::Histogram(summarize(
                    &values,
                    HISTOGRAM_HEAD_WORDS * 8,
                    record.param,
                    word(1),
                    word(2),
                    SUMMARY_QUANTILES,
                )),
            };
            let tail = match record.labels {
                LiveLabels::None => Tail::None,
                #[cfg(feature = "labels")]
                LiveLabels::Overflow => Tail::Overflow,
                #[cfg(feature = "labels")]
                LiveLabels::Series => Tail::Values(record.label_values),
                #[cfg(feature = "labels")]
                LiveLabels::TooLong => {
                    packer.out.skipped += 1;
                    continue;
                }
            };
            packer.add(self, record.values_at, (record.name, tail), reading);
        }
        Ok(packer.finish())
    }

    /// Starts an encode: refuses a bad prefix, and expects the first counter at the first
    /// entry of the previous counts (both walks meet counters in the region's order).
    fn begin(&mut self, prefix: &str) -> Result<(), StatsdError> {
        Self::check_prefix(prefix)?;
        self.next = 0;
        Ok(())
    }

    /// Writes the lines of one metric into `unit` (each ending in `\n`); how many, or `None`
    /// when a counter has no room for its previous value or its label values are too long.
    /// Not inlined into the packer (which is inlined into the walk): 16 B less code.
    #[inline(never)]
    fn write_metric(
        &mut self,
        unit: &mut Vec<u8, MAX_UNIT>,
        prefix: &str,
        values_at: usize,
        name: Name<'_>,
        reading: &Reading,
    ) -> Option<usize> {
        let key = u32::try_from(values_at).ok()?;
        if tail_len(&name.1) > MAX_LABEL_BYTES {
            return None;
        }
        let mut lines = Lines::new(unit, prefix, name);
        match *reading {
            Reading::Counter(now) => {
                let delta = self.delta(key, now)?;
                lines.line("", Number::int(delta), b'c');
            }
            Reading::Gauge(g) => {
                for (suffix, v) in GAUGE_SUFFIXES.iter().zip([g.value, g.min, g.max]) {
                    lines.gauge(suffix, v);
                }
            }
            Reading::Histogram(ref summary) => {
                let delta = self.delta(key, summary.count)?;
                lines.line(".count", Number::int(delta), b'c');
                // Read in place, not gathered into an array first (128 B less code).
                for (i, suffix) in HISTOGRAM_SUFFIXES.iter().enumerate() {
                    let v = match i {
                        0..=2 => summary.quantiles[i],
                        3 => summary.min,
                        _ => summary.max,
                    };
                    if let Some(v) = v {
                        lines.line(suffix, Number::int(v), b'g');
                    }
                }
            }
        }
        Some(lines.written())
    }

    /// `now` minus the previous value of the counter at `key` (wrapping), remembering `now`;
    /// `None` for a counter first seen when the encoder holds `COUNTERS` already.
    fn delta(&mut self, key: u32, now: u64) -> Option<u64> {
        let found = match self.previous.get(self.next) {
            Some(&(k, _)) if k == key => Some(self.next),
            // Past every key held (a walk's new counter): not held, no scan.
            #[cfg(feature = "perf")]
            _ if key > self.highest => None,
            _ => self.previous.iter().position(|&(k, _)| k == key),
        };
        let delta = match found {
            Some(i) => {
                self.next = i;
                now.wrapping_sub(core::mem::replace(&mut self.previous[i].1, now))
            }
            None => {
                self.previous.push((key, now)).ok()?;
                #[cfg(feature = "perf")]
                {
                    self.highest = self.highest.max(key);
                }
                self.next = self.previous.len() - 1;
                now
            }
        };
        self.next += 1;
        Some(delta)
    }
}

/// What one metric sends, as either walk reads it.
enum Reading {
    Counter(u64),
    Gauge(GaugeReading),
    Histogram(HistogramSummary<{ SUMMARY_QUANTILES.len() }>),
}

/// Fills datagrams with whole metrics and hands each full one to `send`.
///
/// The buffers are the caller's locals, borrowed: a packer moved by value would copy them,
/// doubling the stack an encode takes.
struct Packer<'p, const DATAGRAM: usize, F> {
    prefix: &'p str,
    send: F,
    datagram: &'p mut Vec<u8, DATAGRAM>,
    unit: &'p mut Vec<u8, MAX_UNIT>,
    out: Encoded,
}

/// The buffers one encode fills: the datagram, and one metric's lines.
type Buffers<const DATAGRAM: usize> = (Vec<u8, DATAGRAM>, Vec<u8, MAX_UNIT>);

impl<'p, const DATAGRAM: usize, F: FnMut(&Vec<u8, DATAGRAM>)> Packer<'p, DATAGRAM, F> {
    fn new(prefix: &'p str, send: F, (datagram, unit): &'p mut Buffers<DATAGRAM>) -> Self {
        Packer {
            prefix,
            send,
            datagram,
            unit,
            out: Encoded::default(),
        }
    }

    /// Adds one metric's lines, sending the datagram first if they do not fit in it. Inlined
    /// into the walk (a program links one of them, or both: each has one call): the reading is
    /// then built where it is used, not moved into a call (112 B less code in the statsd
    /// program).
    #[inline(always)]
    fn add<const COUNTERS: usize>(
        &mut self,
        encoder: &mut StatsdEncoder<COUNTERS>,
        values_at: usize,
        name: Name<'_>,
        reading: Reading,
    ) {
        self.unit.clear();
        let Some(lines) = encoder.write_metric(self.unit, self.prefix, values_at, name, &reading)
        else {
            self.out.skipped += 1;
            return;
        };
        if lines == 0 {
            return;
        }
        if self.datagram.len() + self.unit.len() > DATAGRAM && !self.datagram.is_empty() {
            (self.send)(self.datagram);
            self.out.datagrams += 1;
            self.datagram.clear();
        }
        if self.datagram.extend_from_slice(self.unit).is_err() {
            self.out.skipped += 1; // longer than a whole datagram
            return;
        }
        self.out.lines += lines;
    }

    /// Sends the last datagram; what was done.
    fn finish(mut self) -> Encoded {
        if !self.datagram.is_empty() {
            (self.send)(self.datagram);
            self.out.datagrams += 1;
        }
        self.out
    }
}

impl<const COUNTERS: usize> fmt::Debug for StatsdEncoder<COUNTERS> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StatsdEncoder")
            .field("counters_known", &self.previous.len())
            .field("capacity", &COUNTERS)
            .finish()
    }
}

fn prefix_is_valid(prefix: &str) -> bool {
    prefix.len() <= 128
        && !prefix
            .bytes()
            .any(|b| matches!(b, b':' | b'|' | b'@' | b'#' | b' ') || b.is_ascii_control())
}

mod lines;
#[cfg(test)]
mod tests;
