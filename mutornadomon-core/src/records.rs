//! The records of a parsed stats file: an iterator that checks each record as it reaches it.

use crate::bucket::MAX_BUCKETS;
use crate::histogram_reading::HistogramReading;
use crate::labels::{split, validate_label_names, validate_label_value, SeriesLabels, SEPARATOR};
use crate::layout::{
    self, extra_text_len, family_word, kind_code, unpack_family_param, unpack_frame,
    unpack_lengths, words_for, FAMILY_HEAD_WORDS, MAX_SHARDS, SHARD_WORDS,
};
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
    select: Select,
    help_and_unit: bool,
}

/// Which records a pass reads; the others are skipped by their length.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Select {
    /// Every record (a family as its overflow series, then each series on its own).
    All,
    /// Unlabelled records of the kinds the function accepts.
    #[cfg_attr(not(feature = "json"), allow(dead_code))]
    Unlabelled(fn(Kind) -> bool),
    /// The series of the family record at this byte offset.
    #[cfg_attr(
        not(any(feature = "json", feature = "prometheus", feature = "serde")),
        allow(dead_code)
    )]
    SeriesOf(usize),
    /// Family records (as their overflow series).
    #[cfg_attr(
        not(any(feature = "json", feature = "prometheus", feature = "serde")),
        allow(dead_code)
    )]
    Families,
}

impl<'a> Records<'a> {
    /// The records from byte `at` of `words` that `select` picks, with help and unit read and
    /// checked only if `help_and_unit`.
    pub(crate) fn new(words: Words<'a>, at: usize, select: Select, help_and_unit: bool) -> Self {
        Records {
            words,
            at,
            failed: false,
            select,
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

impl<'a> Iterator for Records<'a> {
    type Item = Result<Record<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.failed && self.at < self.words.bytes.len() {
            let at = self.at;
            match skip_unwanted(self.words, at, self.select) {
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

/// The length of the record at `at` if `select` does not pick it (unknown kinds included).
fn skip_unwanted(
    words: Words<'_>,
    at: usize,
    select: Select,
) -> Result<Option<usize>, ParseErrorKind> {
    if let Select::All = select {
        return Ok(None);
    }
    let frame = words.get(at).ok_or(ParseErrorKind::BadRecordLength)?;
    let (len, code, name_len) = unpack_frame(frame);
    let known = Kind::from_code(code);
    let picked = match select {
        Select::All => true,
        Select::Unlabelled(wanted) => known.is_some_and(wanted),
        Select::Families => code == kind_code::FAMILY,
        Select::SeriesOf(family_at) => {
            let lengths = words.get(at + 8).map(unpack_lengths);
            code == kind_code::SERIES
                && lengths.is_some_and(|(_, _, p)| p as usize * 8 == family_at)
        }
    };
    if picked {
        return Ok(None);
    }
    let len = len as usize;
    let framed = words.slice(at, len).filter(|_| len % 8 == 0 && len >= 16);
    if known.is_some() || code == kind_code::FAMILY || code == kind_code::SERIES {
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
    let text_len = name_len + help_len + unit_len + extra_text_len(code, param);
    let value_at = 16 + words_for(text_len) * 8;
    // The text must fit the record whatever its kind (FORMAT.md): checked before an unknown
    // kind is skipped, so every reader gives a file the same verdict.
    let text = record
        .bytes
        .get(16..16 + text_len)
        .filter(|_| value_at <= len)
        .ok_or(BadRecordLength)?;
    match code {
        kind_code::FAMILY => {
            let family = read_family(words, at, help_and_unit)?;
            return Ok((len, Some(family.overflow_record())));
        }
        kind_code::SERIES => {
            let series = read_series(words, at, record, help_and_unit)?;
            return Ok((len, Some(series)));
        }
        _ => {}
    }
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
            labels: SeriesLabels::NONE,
            place,
        }),
    ))
}

/// A family record as read: its texts, its series' value layout, its numbers, and its
/// overflow series' values.
struct FamilyRecord<'a> {
    name: &'a str,
    help: &'a str,
    unit: &'a str,
    labels: &'a str,
    label_count: usize,
    kind: Kind,
    code: u8,
    param: usize,
    folded: u64,
    limit: u64,
    at: usize,
    /// Byte offset of the overflow series' values, and the value itself.
    overflow_at: usize,
    overflow: Value<'a>,
    place_words: Words<'a>,
}

impl<'a> FamilyRecord<'a> {
    fn labels(&self, values: &'a str, overflow: bool) -> SeriesLabels<'a> {
        let numbers = (self.folded, self.limit);
        SeriesLabels::new(self.labels, values, overflow, self.at, numbers)
    }

    fn place(&self, words: Words<'a>, values_at: usize) -> Place<'a> {
        Place {
            words,
            values_at,
            param: self.param,
        }
    }

    fn overflow_record(&self) -> Record<'a> {
        Record {
            name: self.name,
            help: self.help,
            unit: self.unit,
            kind: self.kind,
            value: self.overflow,
            labels: self.labels("", true),
            place: self.place(self.place_words, self.overflow_at),
        }
    }
}

/// Reads and checks the family record at `at` (FORMAT.md, "Labelled families").
fn read_family(
    words: Words<'_>,
    at: usize,
    help_and_unit: bool,
) -> Result<FamilyRecord<'_>, ParseErrorKind> {
    use ParseErrorKind::*;
    let (frame, lengths) = match (words.get(at), words.get(at + 8)) {
        (Some(f), Some(l)) => (f, l),
        _ => return Err(BadFamily),
    };
    let (len, code, name_len) = unpack_frame(frame);
    if code != kind_code::FAMILY {
        return Err(BadFamily);
    }
    let (help_len, unit_len, param) = unpack_lengths(lengths);
    let (labels_len, value_code) = unpack_family_param(param);
    let len = len as usize;
    let record = words
        .slice(at, len)
        .filter(|_| len % 8 == 0 && len >= 16)
        .ok_or(BadRecordLength)?;
    let (name_len, help_len, unit_len) = (name_len as usize, help_len as usize, unit_len as usize);
    let text_len = name_len + help_len + unit_len + labels_len;
    let value_at = 16 + words_for(text_len) * 8;
    let text = record
        .bytes
        .get(16..16 + text_len)
        .filter(|_| value_at <= len)
        .ok_or(BadRecordLength)?;
    let (name, rest) = text.split_at(name_len);
    let (help, rest) = rest.split_at(help_len);
    let (unit, labels) = rest.split_at(unit_len);
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
    let labels = core::str::from_utf8(labels).map_err(|_| BadLabels)?;
    let label_count =
        validate_label_names(split(labels).map(str::as_bytes)).map_err(|_| BadLabels)?;
    let kind = match value_code {
        kind_code::COUNTER | kind_code::GAUGE | kind_code::HISTOGRAM => Kind::from_code(value_code),
        _ => None,
    }
    .ok_or(BadValueLayout)?;
    let values = record
        .slice(value_at, len - value_at)
        .ok_or(BadRecordLength)?;
    let word = |i: usize| values.get(i * 8).ok_or(BadValueLayout);
    let value_param = word(family_word::VALUE_PARAM)?;
    let value_param = usize::try_from(value_param).map_err(|_| BadValueLayout)?;
    let head = FAMILY_HEAD_WORDS * 8;
    let overflow_len = values.bytes.len().checked_sub(head).ok_or(BadValueLayout)?;
    let overflow_values = values.slice(head, overflow_len).ok_or(BadValueLayout)?;
    let overflow = read_value(kind, value_code, value_param, overflow_values)?;
    Ok(FamilyRecord {
        name,
        help,
        unit,
        labels,
        label_count,
        kind,
        code: value_code,
        param: value_param,
        folded: word(family_word::FOLDED)?,
        limit: word(family_word::LIMIT)?,
        at,
        overflow_at: at + value_at + head,
        overflow,
        place_words: words,
    })
}

/// Reads and checks a series record (`record`, at byte `at`): its family must be a valid
/// family record before it, its text as many valid label values as the family has names.
fn read_series<'a>(
    words: Words<'a>,
    at: usize,
    record: Words<'a>,
    help_and_unit: bool,
) -> Result<Record<'a>, ParseErrorKind> {
    use ParseErrorKind::*;
    let (_, _, name_len) = unpack_frame(record.get(0).ok_or(BadRecordLength)?);
    let (help_len, unit_len, family_word) = unpack_lengths(record.get(8).ok_or(BadRecordLength)?);
    let family_at = family_word as usize * 8;
    if help_len != 0 || unit_len != 0 || family_at >= at {
        return Err(BadFamily);
    }
    let family = read_family(words, family_at, help_and_unit)?;
    let text_len = usize::from(name_len);
    let value_at = 16 + words_for(text_len) * 8;
    let text = record.bytes.get(16..16 + text_len).ok_or(BadRecordLength)?;
    let text = core::str::from_utf8(text).map_err(|_| BadLabels)?;
    let mut count = 0;
    for value in text.split(char::from(SEPARATOR)) {
        validate_label_value(value.as_bytes()).map_err(|_| BadLabels)?;
        count += 1;
    }
    if count != family.label_count {
        return Err(BadLabels);
    }
    let len = record.bytes.len();
    let values = record
        .slice(value_at, len - value_at)
        .ok_or(BadRecordLength)?;
    let value = read_value(family.kind, family.code, family.param, values)?;
    Ok(Record {
        name: family.name,
        help: family.help,
        unit: family.unit,
        kind: family.kind,
        value,
        labels: family.labels(text, false),
        place: family.place(words, at + value_at),
    })
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
