//! The records of a parsed stats file: an iterator that checks each record as it reaches it.

use crate::bucket::MAX_BUCKETS;
use crate::histogram_reading::HistogramReading;
use crate::layout::{self, unpack_frame, unpack_lengths, words_for, MAX_SHARDS, SHARD_WORDS};
use crate::metrics::{Kind, HISTOGRAM_HEAD_WORDS};
use crate::name::{validate_help, validate_info, validate_name_bytes, validate_unit, TextError};
use crate::parse_error::{ParseError, ParseErrorKind};
use crate::values::{GaugeReading, Values};
use crate::words::Words;

/// Iterator over the records of a [`Stats`](crate::Stats).
#[derive(Debug, Clone)]
pub struct Records<'a> {
    words: Words<'a>,
    at: usize,
    failed: bool,
    wanted: Option<fn(Kind) -> bool>,
    help_and_unit: bool,
}

impl<'a> Records<'a> {
    /// The records from byte `at` of `words`: all of them, or (with `wanted`) those of the
    /// kinds it accepts, with help and unit read and checked only if `help_and_unit`.
    pub(crate) fn new(
        words: Words<'a>,
        at: usize,
        wanted: Option<fn(Kind) -> bool>,
        help_and_unit: bool,
    ) -> Self {
        Records {
            words,
            at,
            failed: false,
            wanted,
            help_and_unit,
        }
    }
}

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
    /// The kind it was registered as.
    pub kind: Kind,
    /// Its value.
    pub value: Value<'a>,
    /// Where the value lies in the file, for renderers that note the places of numbers.
    #[cfg_attr(not(any(feature = "json", feature = "prometheus")), allow(dead_code))]
    pub(crate) place: Place<'a>,
}

/// Records are equal when their names, texts, kinds and values are, wherever they were read.
impl PartialEq for Record<'_> {
    fn eq(&self, other: &Self) -> bool {
        (self.name, self.help, self.unit, self.kind, self.value)
            == (other.name, other.help, other.unit, other.kind, other.value)
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

impl<'a> Iterator for Records<'a> {
    type Item = Result<Record<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.failed && self.at < self.words.bytes.len() {
            let at = self.at;
            if let Some(wanted) = self.wanted {
                match skip_unwanted(self.words, at, wanted) {
                    Ok(Some(len)) => {
                        self.at = at + len;
                        continue;
                    }
                    Ok(None) => {}
                    Err(kind) => {
                        self.failed = true;
                        return Some(Err(ParseError::new(kind, at)));
                    }
                }
            }
            match read_record(self.words, at, self.help_and_unit) {
                Ok((len, record)) => {
                    self.at = at + len;
                    if let Some(record) = record {
                        return Some(Ok(record));
                    }
                }
                Err(kind) => {
                    self.failed = true;
                    return Some(Err(ParseError::new(kind, at)));
                }
            }
        }
        None
    }
}

/// The length of the record at `at` if its kind is not `wanted` (unknown kinds included).
fn skip_unwanted(
    words: Words<'_>,
    at: usize,
    wanted: fn(Kind) -> bool,
) -> Result<Option<usize>, ParseErrorKind> {
    let frame = words.get(at).ok_or(ParseErrorKind::BadRecordLength)?;
    let (len, code, name_len) = unpack_frame(frame);
    let known = Kind::from_code(code);
    if known.is_some_and(wanted) {
        return Ok(None);
    }
    let len = len as usize;
    let framed = words.slice(at, len).filter(|_| len % 8 == 0 && len >= 16);
    if known.is_some() {
        // A known kind another pass reads whole (every renderer makes a full pass too).
        return framed
            .map(|_| Some(len))
            .ok_or(ParseErrorKind::BadRecordLength);
    }
    // An unknown kind is skipped only if its text fits it, as in `read_record`.
    let lengths = words.get(at + 8).ok_or(ParseErrorKind::BadRecordLength)?;
    let (help_len, unit_len, _) = unpack_lengths(lengths);
    let text_len = usize::from(name_len) + usize::from(help_len) + usize::from(unit_len);
    framed
        .filter(|_| 16 + words_for(text_len) * 8 <= len)
        .map(|_| Some(len))
        .ok_or(ParseErrorKind::BadRecordLength)
}

/// Reads the record at `at`: its length and, for known kinds, its contents (without help and
/// unit unless `help_and_unit`).
fn read_record(
    words: Words<'_>,
    at: usize,
    help_and_unit: bool,
) -> Result<(usize, Option<Record<'_>>), ParseErrorKind> {
    use ParseErrorKind::*;
    let (frame, lengths) = match (words.get(at), words.get(at + 8)) {
        (Some(f), Some(l)) => (f, l),
        _ => return Err(BadRecordLength),
    };
    let (len, code, name_len) = unpack_frame(frame);
    let (help_len, unit_len, param) = unpack_lengths(lengths);
    let len = len as usize;
    let record = words
        .slice(at, len)
        .filter(|_| len % 8 == 0 && len >= 16)
        .ok_or(BadRecordLength)?;
    let (name_len, help_len, unit_len) = (name_len as usize, help_len as usize, unit_len as usize);
    let text_len = name_len + help_len + unit_len;
    let value_at = 16 + words_for(text_len) * 8;
    // The text must fit the record whatever its kind (FORMAT.md): checked before an unknown
    // kind is skipped, so every reader gives a file the same verdict.
    let text = record
        .bytes
        .get(16..16 + text_len)
        .filter(|_| value_at <= len)
        .ok_or(BadRecordLength)?;
    let Some(kind) = Kind::from_code(code) else {
        return Ok((len, None)); // a kind from a newer writer: skipped by its length
    };
    let (name, rest) = text.split_at(name_len);
    let (help, unit) = rest.split_at(help_len);
    validate_name_bytes(name).map_err(BadName)?;
    let name = core::str::from_utf8(name).map_err(|_| BadName(TextError::NotUtf8))?;
    let (help, unit) = if help_and_unit {
        (
            validate_help(help).map_err(BadHelp)?,
            validate_unit(unit).map_err(BadUnit)?,
        )
    } else {
        ("", "")
    };
    let values = record
        .slice(value_at, len - value_at)
        .ok_or(BadRecordLength)?;
    let value = read_value(kind, code, param as usize, values)?;
    let place = Place {
        words,
        values_at: at + value_at,
        param: param as usize,
    };
    Ok((
        len,
        Some(Record {
            name,
            help,
            unit,
            kind,
            value,
            place,
        }),
    ))
}

fn read_value(
    kind: Kind,
    code: u8,
    param: usize,
    values: Words<'_>,
) -> Result<Value<'_>, ParseErrorKind> {
    let words = values.bytes.len() / 8;
    let word = |i: usize| values.get(i * 8).unwrap_or(0);
    let bad = Err(ParseErrorKind::BadValueLayout);
    match kind {
        Kind::Counter if words == 1 => Ok(Value::Counter(word(0))),
        Kind::ShardedCounter
            if (1..=MAX_SHARDS).contains(&param) && words == param * SHARD_WORDS =>
        {
            Ok(Value::Counter(values.counter_at(0, param)))
        }
        Kind::Gauge if (code, param, words) == GAUGE_ONE_WINDOW => {
            Ok(Value::Gauge(values.gauge_at(0, 1)))
        }
        Kind::Gauge if (code, param, words) == GAUGE_TWO_WINDOWS => {
            Ok(Value::Gauge(values.gauge_at(0, 2)))
        }
        Kind::Histogram
            if (1..=MAX_BUCKETS).contains(&param) && words == HISTOGRAM_HEAD_WORDS + param =>
        {
            HistogramReading::at(&values, 0, param)
                .map(Value::Histogram)
                .ok_or(ParseErrorKind::BadValueLayout)
        }
        Kind::Info if param <= layout::MAX_INFO_LEN && words == words_for(param) => {
            let text = values
                .bytes
                .get(..param)
                .ok_or(ParseErrorKind::BadValueLayout)?;
            validate_info(text)
                .map(Value::Info)
                .map_err(ParseErrorKind::BadInfo)
        }
        _ => bad,
    }
}

/// A gauge record's (kind code, parameter, value words): the 1.0 layout (one window), and
/// 1.1's (two windows and an epoch).
const GAUGE_ONE_WINDOW: (u8, usize, usize) = (layout::kind_code::GAUGE_ONE_WINDOW, 0, 3);
const GAUGE_TWO_WINDOWS: (u8, usize, usize) = (
    layout::kind_code::GAUGE,
    crate::gauge::GAUGE_WINDOWS as usize,
    crate::gauge::GAUGE_WORDS,
);
