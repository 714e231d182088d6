//! One record as read: [`Record`], its [`Value`], where its numbers lie, and the check of a
//! value area against its kind.

use crate::bucket::MAX_BUCKETS;
use crate::histogram_reading::HistogramReading;
use crate::labels::SeriesLabels;
use crate::layout::{self, kind_code, words_for, MAX_SHARDS, SHARD_WORDS};
use crate::metrics::{Kind, HISTOGRAM_HEAD_WORDS};
use crate::name::validate_text;
use crate::parse_error::ParseErrorKind;
use crate::values::{GaugeReading, Values};
use crate::words::Words;

/// One metric read from a stats file.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Record<'a> {
    /// The metric's name.
    pub name: &'a str,
    /// Its help text (may be empty).
    pub help: &'a str,
    /// Its unit (may be empty).
    pub unit: &'a str,
    /// The kind it was registered as (a labelled series: its family's kind).
    pub kind: Kind,
    /// Its value.
    pub value: Value<'a>,
    /// Its labels: none for an unlabelled metric; a family's label names with the series'
    /// values; `otel_metric_overflow="true"` for a family's overflow series (the family
    /// record itself, which comes before its series). `name`, `help` and `unit` of a series
    /// are its family's.
    pub labels: SeriesLabels<'a>,
    /// Where the value lies in the file, for renderers that note the places of numbers.
    #[cfg_attr(not(any(feature = "json", feature = "prometheus")), allow(dead_code))]
    pub(crate) place: Place<'a>,
}

/// Records are equal when their names, texts, kinds, values and labels are, wherever they
/// were read.
impl PartialEq for Record<'_> {
    fn eq(&self, other: &Self) -> bool {
        (
            self.name,
            self.help,
            self.unit,
            self.kind,
            self.value,
            self.labels,
        ) == (
            other.name,
            other.help,
            other.unit,
            other.kind,
            other.value,
            other.labels,
        )
    }
}

/// Where a record's value words lie: the whole file (so a number can be read again from a
/// later snapshot of the same layout), the byte offset of the first value word, and the
/// record's kind parameter (shards, buckets).
#[derive(Debug, Clone, Copy)]
#[cfg_attr(not(any(feature = "json", feature = "prometheus")), allow(dead_code))]
pub(crate) struct Place<'a> {
    pub(crate) words: Words<'a>,
    pub(crate) values_at: usize,
    pub(crate) param: usize,
}

/// A metric's value as read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    /// A counter's count; for a sharded counter, the sum over its shards.
    Counter(u64),
    /// A gauge.
    Gauge(GaugeReading),
    /// A histogram.
    Histogram(HistogramReading<'a>),
    /// Static text.
    Info(&'a str),
}

#[cfg_attr(not(feature = "perf"), inline(never))] // smaller, slower: see `perf`
pub(crate) fn read_value(
    kind: Kind,
    code: u8,
    param: usize,
    values: Words<'_>,
) -> Result<Value<'_>, ParseErrorKind> {
    if value_words(code, param) != Some(values.bytes.len() / 8) {
        return Err(ParseErrorKind::BadValueLayout);
    }
    match kind {
        Kind::Counter => Ok(Value::Counter(values.get(0).unwrap_or(0))),
        Kind::ShardedCounter => Ok(Value::Counter(values.counter_at(0, param))),
        Kind::Gauge => {
            let windows = if code == kind_code::GAUGE { 2 } else { 1 };
            Ok(Value::Gauge(values.gauge_at(0, windows)))
        }
        Kind::Histogram => HistogramReading::at(&values, 0, param)
            .map(Value::Histogram)
            .ok_or(ParseErrorKind::BadValueLayout),
        Kind::Info => {
            let text = values
                .bytes
                .get(..param)
                .ok_or(ParseErrorKind::BadValueLayout)?;
            validate_text(text, layout::MAX_INFO_LEN)
                .map(Value::Info)
                .map_err(ParseErrorKind::BadInfo)
        }
    }
}

/// The value words of a record of kind `code` with parameter `param` (FORMAT.md's table of
/// kinds; a gauge: the 1.0 layout, one window, or 1.1's two windows and an epoch), or `None`
/// for a parameter the kind does not take or a code with no value area of its own. A value
/// area of any other size is corrupt.
pub(crate) fn value_words(code: u8, param: usize) -> Option<usize> {
    match code {
        kind_code::COUNTER => Some(1),
        kind_code::SHARDED_COUNTER if (1..=MAX_SHARDS).contains(&param) => {
            Some(param * SHARD_WORDS)
        }
        kind_code::GAUGE_ONE_WINDOW if param == 0 => Some(3),
        kind_code::GAUGE if param == crate::gauge::GAUGE_WINDOWS as usize => {
            Some(crate::gauge::GAUGE_WORDS)
        }
        kind_code::HISTOGRAM if (1..=MAX_BUCKETS).contains(&param) => {
            Some(HISTOGRAM_HEAD_WORDS + param)
        }
        kind_code::INFO if param <= layout::MAX_INFO_LEN => Some(words_for(param)),
        _ => None,
    }
}
