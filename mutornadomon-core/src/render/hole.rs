//! The numbers of a page. Everything else a renderer writes (names, help, types, labels,
//! bucket edges, punctuation) depends only on the region's layout; the numbers are written as
//! [`Hole`]s, each saying where its value lies. A direct render fills each hole as it goes; a
//! [`PageTemplate`](super::PageTemplate) keeps the text around the holes and fills them again
//! from each new snapshot.

use super::digits::{write_u64, WriteInt};
use super::numbers::{write_float, write_histogram_summary, write_value, Style};
use super::ProcessStats;
use crate::bucket::bucket_index;
use crate::records::Place;
use crate::values::{summarize, Values, QUANTILES};
use crate::words::Words;
use core::fmt::{self, Write};

/// A number on a page and where it comes from: byte offsets of value words within the stats
/// file, or a field of the process statistics.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Hole {
    /// A counter (`shards` 0: a plain one) divided by `divisor`: an integer when the divisor
    /// is 1, else a Prometheus sample value.
    Counter {
        at: usize,
        shards: usize,
        divisor: f64,
    },
    /// One of a gauge's readings (0 value, 1 min, 2 max) divided by `divisor`; `windows` is
    /// its layout's number of min/max windows (1 or 2).
    Gauge {
        at: usize,
        windows: usize,
        field: usize,
        divisor: f64,
        style: Style,
    },
    /// A histogram's JSON summary object (count, sum, min, max, quantiles).
    JsonHistogram { at: usize, buckets: usize },
    /// The cumulative count of buckets `..end` of the histogram whose buckets start at byte
    /// `buckets_at`; `start` is where the previous cumulative hole of the same histogram ended.
    Cumulative {
        buckets_at: usize,
        start: usize,
        end: usize,
    },
    /// The count (the sum of the `buckets` buckets) of the histogram whose value words start
    /// at byte `at`.
    HistogramCount { at: usize, buckets: usize },
    /// A histogram's sum divided by `divisor`, as a Prometheus sample value.
    HistogramSum { at: usize, divisor: f64 },
    /// A field of the process statistics.
    Process { field: ProcessField, style: Style },
}

/// The process statistics a page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ProcessField {
    Uptime,
    OpenFds,
    MaxFds,
    Rss,
    Vsz,
    UserTime,
    SystemTime,
    CpuTime,
    Threads,
    StartTime,
}

impl Hole {
    /// The hole for a family's folded count, from its overflow series' place (the family
    /// record's values: the family words, then the overflow series').
    #[cfg(feature = "labels")]
    pub(crate) fn folded(overflow: &Place<'_>) -> Hole {
        use crate::layout::{family_word, FAMILY_HEAD_WORDS};
        Hole::Counter {
            at: overflow.values_at - (FAMILY_HEAD_WORDS - family_word::FOLDED) * 8,
            shards: 0,
            divisor: 1.0,
        }
    }

    /// The hole for a counter record's value.
    pub(crate) fn counter(place: &Place<'_>, sharded: bool, divisor: f64) -> Hole {
        Hole::Counter {
            at: place.values_at,
            shards: if sharded { place.param } else { 0 },
            divisor,
        }
    }

    /// The hole for word `field` (0 value, 1 min, 2 max) of a gauge record.
    pub(crate) fn gauge(place: &Place<'_>, field: usize, divisor: f64, style: Style) -> Hole {
        Hole::Gauge {
            at: place.values_at,
            // A 1.0 gauge's parameter is 0: one window.
            windows: place.param.max(1),
            field,
            divisor,
            style,
        }
    }
}

/// Where the running sum of a histogram's cumulative buckets stands, so a page's 40-odd
/// cumulative lines per histogram cost one pass over its buckets, not one each; and which of
/// its buckets can hold values at all.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Cursor {
    buckets_at: usize,
    end: usize,
    cumulative: u64,
    /// The buckets from min's to max's, read once per histogram: every bucket outside them
    /// is empty, so the pass reads only these (a couple of hundred of a latency histogram's
    /// 593), as the JSON summary does. First bucket, and the end.
    span: (usize, usize),
}

impl Cursor {
    /// The cursor at the start of the histogram whose buckets start at byte `buckets_at`.
    #[cfg_attr(not(feature = "perf"), inline(never))] // smaller, slower: see `perf`
    fn start(words: &impl Values, buckets_at: usize) -> Cursor {
        Cursor {
            buckets_at,
            end: 0,
            cumulative: 0,
            span: span_of(words, buckets_at),
        }
    }

    /// Moves on to bucket `end`, adding the buckets passed that can hold values; returns the
    /// cumulative count.
    fn advance(&mut self, words: &impl Values, end: usize) -> u64 {
        let from = self.end.max(self.span.0);
        let to = end.min(self.span.1);
        if from < to {
            let sum = words.sum(self.buckets_at + from * 8, to - from);
            self.cumulative = self.cumulative.wrapping_add(sum);
        }
        self.end = self.end.max(end);
        self.cumulative
    }
}

/// The buckets from the bucket of the histogram's min to that of its max, by value: past the
/// histogram's last bucket when they lie past its range (the last bucket, the overflow, holds
/// those); empty if min is above max (nothing recorded). A value recorded while a page
/// reads may be left out, as from any read of a histogram being written.
fn span_of(words: &impl Values, buckets_at: usize) -> (usize, usize) {
    let word = |back: usize| buckets_at.checked_sub(back).and_then(|at| words.word(at));
    // The head is sum, min, max: min two words before the buckets, max one.
    match (word(16), word(8)) {
        (Some(min), Some(max)) if min <= max => (bucket_index(min), bucket_index(max) + 1),
        _ => (0, 0),
    }
}

/// Writes `hole`'s value as read from `words` (a file's bytes or a live region) and `process`.
pub(crate) fn write_hole(
    w: &mut impl WriteInt,
    hole: &Hole,
    words: &impl Values,
    process: Option<&ProcessStats>,
    cursor: &mut Cursor,
) -> fmt::Result {
    match *hole {
        Hole::Counter {
            at,
            shards,
            divisor,
        } => {
            let n = words.counter_at(at, shards);
            if divisor == 1.0 {
                w.write_int(n)
            } else {
                write_value(w, n as f64 / divisor)
            }
        }
        Hole::Gauge {
            at,
            windows,
            field,
            divisor,
            style,
        } => {
            let v = words.gauge_field(at, windows, field);
            write_float(w, v / divisor, style)
        }
        Hole::JsonHistogram { at, buckets } => {
            let word = |i: usize| words.word(at + i * 8);
            match (word(0), word(1), word(2)) {
                (Some(sum), Some(min), Some(max)) => {
                    let summary = summarize(words, at + HEAD_BYTES, buckets, min, max, QUANTILES);
                    write_histogram_summary(w, &summary, sum)
                }
                _ => w.write_str("null"),
            }
        }
        Hole::Cumulative {
            buckets_at,
            start,
            end,
        } => {
            let continues = cursor.buckets_at == buckets_at && cursor.end == start && start > 0;
            if !continues {
                *cursor = Cursor::start(words, buckets_at);
            }
            w.write_int(cursor.advance(words, end))
        }
        Hole::HistogramCount { at, buckets } => {
            // The cumulative holes before this one have summed most of the buckets.
            let buckets_at = at + HEAD_BYTES;
            if cursor.buckets_at != buckets_at || cursor.end > buckets {
                *cursor = Cursor::start(words, buckets_at);
            }
            // Values past the range are in the last bucket, min's included.
            cursor.span.0 = cursor.span.0.min(buckets.saturating_sub(1));
            w.write_int(cursor.advance(words, buckets))
        }
        Hole::HistogramSum { at, divisor } => {
            write_value(w, words.word(at).unwrap_or(0) as f64 / divisor)
        }
        Hole::Process { field, style } => {
            use ProcessField::*;
            let p = process.copied().unwrap_or_default();
            // Counts are integers in JSON; every number is a float sample in Prometheus.
            let (float, integer) = match field {
                Uptime => (p.uptime_seconds, None),
                UserTime => (p.user_time_seconds, None),
                SystemTime => (p.system_time_seconds, None),
                CpuTime => (p.user_time_seconds + p.system_time_seconds, None),
                StartTime => (p.start_time_seconds, None),
                OpenFds => (p.num_fds as f64, Some(p.num_fds)),
                MaxFds => (p.max_fds.unwrap_or(0) as f64, p.max_fds),
                Rss => (p.rss_bytes as f64, Some(p.rss_bytes)),
                Vsz => (p.vsz_bytes as f64, Some(p.vsz_bytes)),
                Threads => (p.num_threads as f64, Some(p.num_threads)),
            };
            match (style, integer) {
                (Style::Json, Some(n)) => w.write_int(n),
                _ => write_float(w, float, style),
            }
        }
    }
}

/// Bytes before a histogram's buckets (its sum, min and max words).
pub(crate) const HEAD_BYTES: usize = crate::metrics::HISTOGRAM_HEAD_WORDS * 8;

/// Where renderers write: text, and the page's numbers as [`Hole`]s.
pub(crate) trait PageWrite: Write {
    /// Writes (or, when compiling a template, notes) `hole`, whose value is read from `words`
    /// and `process`.
    fn hole(
        &mut self,
        hole: Hole,
        words: &Words<'_>,
        process: Option<&ProcessStats>,
    ) -> fmt::Result;
}

/// A [`PageWrite`] over any `fmt::Write` that fills each hole at once.
pub(crate) struct Direct<W> {
    inner: W,
    cursor: Cursor,
}

impl<W: Write> Direct<W> {
    pub(crate) fn new(inner: W) -> Self {
        Direct {
            inner,
            cursor: Cursor::default(),
        }
    }
}

impl<W: Write> Write for Direct<W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.inner.write_str(s)
    }
}

impl<W: Write> WriteInt for Direct<W> {
    fn write_int(&mut self, n: u64) -> fmt::Result {
        write_u64(self, n)
    }
}

impl<W: Write> PageWrite for Direct<W> {
    fn hole(
        &mut self,
        hole: Hole,
        words: &Words<'_>,
        process: Option<&ProcessStats>,
    ) -> fmt::Result {
        let mut cursor = self.cursor;
        write_hole(self, &hole, words, process, &mut cursor)?;
        self.cursor = cursor;
        Ok(())
    }
}
