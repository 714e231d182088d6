//! A live region's records read in place, for the statsd encoder to send them without a
//! snapshot and a parse: each committed record's name, label values, value kind and value
//! words, checked as the parser checks what the encoder reads (the framing, the name, the value
//! area's size for its kind, a series' family). Help, units, info texts and label names are
//! not read; label values are copied as bytes (the encoder sends each byte outside
//! `[A-Za-z0-9_-]` as `_`).
//!
//! The words may be shared memory another process writes, so every read is bounded and a
//! record that fails a check ends the walk with the parser's error for it.

#[cfg(feature = "labels")]
use crate::layout::unpack_family_param;
use crate::layout::{
    extra_text_len, kind_code, unpack_frame, unpack_lengths, words_for, HEADER_WORDS,
    RECORD_HEAD_WORDS,
};
use crate::name::{validate_name_bytes, TextError, MAX_NAME_LEN};
use crate::parse_error::{ParseError, ParseErrorKind};
use crate::record::value_words;
#[cfg(feature = "labels")]
use crate::record_words::text_bytes;
use crate::region::Region;
use crate::sync::{AtomicU64, Ordering};

/// The most bytes a series' label values may take in a statsd name (`.` before each). The
/// walk copies a series' stored values (zero-separated) only up to this many: stored values
/// longer than that take more in a name, so the encoder skips the series
/// ([`LiveLabels::TooLong`]).
pub(crate) const MAX_LABEL_BYTES: usize = 256;

/// Copies the first `out.len()` bytes of a record's text (its name, or a series' label
/// values) into `out`: a word at a time with feature `perf`, a byte at a time without.
fn copy_text(record: &[AtomicU64], out: &mut [u8]) {
    // Relaxed: see `Framed::at`.
    let word = |i: usize| record.get(i).map_or(0, |w| w.load(Ordering::Relaxed));
    if cfg!(feature = "perf") {
        for (i, chunk) in out.chunks_mut(8).enumerate() {
            chunk.copy_from_slice(&word(RECORD_HEAD_WORDS + i).to_ne_bytes()[..chunk.len()]);
        }
    } else {
        // A load per byte: 144 B less code in the statsd program (see `perf`).
        for (i, b) in out.iter_mut().enumerate() {
            *b = word(RECORD_HEAD_WORDS + i / 8).to_ne_bytes()[i % 8];
        }
    }
}

/// A live record's labels.
#[derive(Clone, Copy)]
pub(crate) enum LiveLabels {
    /// An unlabelled metric.
    None,
    /// A family's overflow series (the family record itself).
    #[cfg(feature = "labels")]
    Overflow,
    /// A series: its label values are [`LiveRecord::label_values`].
    #[cfg(feature = "labels")]
    Series,
    /// A series whose label values take more than [`MAX_LABEL_BYTES`].
    #[cfg(feature = "labels")]
    TooLong,
}

/// One committed record of a live region, as the statsd encoder reads it; its texts are
/// copies the walk holds until its next record.
pub(crate) struct LiveRecord<'w> {
    /// Byte offset of the record's value words in the region (as a snapshot's parse gives
    /// it, so both name a metric alike).
    pub(crate) values_at: usize,
    /// The record's name (a series: its family's), checked.
    pub(crate) name: &'w [u8],
    pub(crate) labels: LiveLabels,
    /// A series' label values, separated by a zero byte (empty for any other record).
    #[cfg_attr(not(feature = "labels"), allow(dead_code))]
    pub(crate) label_values: &'w [u8],
    /// The kind code of the values (a family's or a series': its series' kind) and its
    /// parameter; `values` has exactly the words that kind and parameter take.
    pub(crate) code: u8,
    pub(crate) param: usize,
    pub(crate) values: &'w [AtomicU64],
}

/// Where a record's texts lie in the walk's buffers, and its values.
struct Found<'a> {
    values_at: usize,
    name_len: usize,
    labels: LiveLabels,
    label_len: usize,
    code: u8,
    param: usize,
    values: &'a [AtomicU64],
}

/// A walk over a live region's committed records, info records and kinds this build does not
/// read skipped by their length. Not an `Iterator`: each record borrows the walk's copies
/// of its texts (no record of a few hundred bytes moved per step).
pub(crate) struct LiveRecords<'a> {
    words: &'a [AtomicU64],
    /// The next record's word offset, and the committed end's.
    at: usize,
    end: usize,
    failed: bool,
    name: [u8; MAX_NAME_LEN],
    #[cfg(feature = "labels")]
    label_values: [u8; MAX_LABEL_BYTES],
}

impl<'a> LiveRecords<'a> {
    pub(crate) fn new(region: &Region<'a>) -> Self {
        LiveRecords {
            words: region.words,
            at: HEADER_WORDS,
            end: region.committed() / 8,
            failed: false,
            name: [0; MAX_NAME_LEN],
            #[cfg(feature = "labels")]
            label_values: [0; MAX_LABEL_BYTES],
        }
    }

    /// The next record the encoder reads, or the error of the first that fails its checks
    /// (then nothing more).
    pub(crate) fn next_record(&mut self) -> Option<Result<LiveRecord<'_>, ParseError>> {
        while !self.failed && self.at < self.end {
            let at = self.at;
            match self.read(at) {
                Ok((len, found)) => {
                    self.at += len;
                    if let Some(found) = found {
                        return Some(Ok(self.record(found)));
                    }
                }
                Err(kind) => {
                    self.failed = true;
                    return Some(Err(ParseError::new(kind, at * 8)));
                }
            }
        }
        None
    }

    fn record(&self, found: Found<'a>) -> LiveRecord<'_> {
        #[cfg(feature = "labels")]
        let label_values = &self.label_values[..found.label_len];
        #[cfg(not(feature = "labels"))]
        let label_values = &[][..found.label_len];
        LiveRecord {
            values_at: found.values_at,
            name: &self.name[..found.name_len],
            labels: found.labels,
            label_values,
            code: found.code,
            param: found.param,
            values: found.values,
        }
    }

    /// The record at word `at`: its length in words and what it holds, if the encoder reads
    /// its kind (its name copied into the walk's buffer).
    fn read(&mut self, at: usize) -> Result<(usize, Option<Found<'a>>), ParseErrorKind> {
        let framed = Framed::at(self.words, at, self.end)?;
        let found = match framed.code {
            kind_code::COUNTER
            | kind_code::SHARDED_COUNTER
            | kind_code::GAUGE_ONE_WINDOW
            | kind_code::GAUGE
            | kind_code::HISTOGRAM => Some(Found {
                values_at: (at + framed.value_at) * 8,
                name_len: framed.name(&mut self.name)?,
                labels: LiveLabels::None,
                label_len: 0,
                code: framed.code,
                param: framed.param as usize,
                values: checked_values(framed.values(), framed.code, framed.param as usize)?,
            }),
            #[cfg(feature = "labels")]
            kind_code::FAMILY => {
                let family = Family::read(&framed)?;
                Some(Found {
                    values_at: (at + framed.value_at + crate::layout::FAMILY_HEAD_WORDS) * 8,
                    name_len: framed.name(&mut self.name)?,
                    labels: LiveLabels::Overflow,
                    label_len: 0,
                    code: family.code,
                    param: family.param,
                    values: family.overflow,
                })
            }
            #[cfg(feature = "labels")]
            kind_code::SERIES => Some(self.series(at, &framed)?),
            _ => None,
        };
        Ok((framed.record.len(), found))
    }

    /// A series record: its family's name and value kind, its own label values and values.
    #[cfg(feature = "labels")]
    fn series(&mut self, at: usize, series: &Framed<'a>) -> Result<Found<'a>, ParseErrorKind> {
        let family_at = series.param as usize;
        if series.has_help_or_unit || family_at >= at || family_at < HEADER_WORDS {
            return Err(ParseErrorKind::BadFamily);
        }
        let framed = Framed::at(self.words, family_at, self.end)
            .ok()
            .filter(|f| f.code == kind_code::FAMILY)
            .ok_or(ParseErrorKind::BadFamily)?;
        let family = Family::read(&framed).map_err(|_| ParseErrorKind::BadFamily)?;
        let name_len = framed
            .name(&mut self.name)
            .map_err(|_| ParseErrorKind::BadFamily)?;
        // The label values, and one more than the separators between them.
        let len = series.name_len;
        let (labels, label_len, count) = if len <= MAX_LABEL_BYTES {
            let values = &mut self.label_values[..len];
            copy_text(series.record, values);
            let count = values.iter().filter(|&&b| b == 0).count() + 1;
            (LiveLabels::Series, len, count)
        } else {
            let count = text_bytes(series.record, 0, len)
                .filter(|&b| b == 0)
                .count()
                + 1;
            (LiveLabels::TooLong, 0, count)
        };
        if count != family.label_count {
            return Err(ParseErrorKind::BadLabels);
        }
        Ok(Found {
            values_at: (at + series.value_at) * 8,
            name_len,
            labels,
            label_len,
            code: family.code,
            param: family.param,
            values: checked_values(series.values(), family.code, family.param)?,
        })
    }
}

/// A record's framing as read from its words: within the committed end, long enough for its
/// head and text.
struct Framed<'a> {
    record: &'a [AtomicU64],
    code: u8,
    name_len: usize,
    /// Bytes of name, help and unit (a family's label names follow them).
    #[cfg_attr(not(feature = "labels"), allow(dead_code))]
    texts_len: usize,
    #[cfg_attr(not(feature = "labels"), allow(dead_code))]
    has_help_or_unit: bool,
    param: u32,
    /// Word offset of the values in the record.
    value_at: usize,
}

impl<'a> Framed<'a> {
    fn at(words: &'a [AtomicU64], at: usize, end: usize) -> Result<Self, ParseErrorKind> {
        // Relaxed: a committed record's framing and text never change, and the Acquire load
        // of the committed end (`Region::committed`) made them visible.
        let word = |i: usize| words.get(i).map_or(0, |w| w.load(Ordering::Relaxed));
        let (len, code, name_len) = unpack_frame(word(at));
        let (help_len, unit_len, param) = unpack_lengths(word(at + 1));
        let len = len as usize;
        let text = usize::from(name_len)
            + usize::from(help_len)
            + usize::from(unit_len)
            + extra_text_len(code, param);
        let value_at = RECORD_HEAD_WORDS + words_for(text);
        let record = words
            .get(at..end)
            .and_then(|rest| rest.get(..len / 8))
            .filter(|r| len % 8 == 0 && r.len() >= value_at)
            .ok_or(ParseErrorKind::BadRecordLength)?;
        Ok(Framed {
            record,
            code,
            name_len: usize::from(name_len),
            texts_len: usize::from(name_len) + usize::from(help_len) + usize::from(unit_len),
            has_help_or_unit: help_len != 0 || unit_len != 0,
            param,
            value_at,
        })
    }

    /// Copies the record's name into `out`, checked; its length.
    fn name(&self, out: &mut [u8; MAX_NAME_LEN]) -> Result<usize, ParseErrorKind> {
        let too_long = ParseErrorKind::BadName(TextError::TooLong { max: MAX_NAME_LEN });
        let name = out.get_mut(..self.name_len).ok_or(too_long)?;
        copy_text(self.record, name);
        validate_name_bytes(name).map_err(ParseErrorKind::BadName)?;
        Ok(self.name_len)
    }

    fn values(&self) -> &'a [AtomicU64] {
        self.record.get(self.value_at..).unwrap_or(&[])
    }
}

/// `values` if they are as many words as kind `code` with parameter `param` takes.
fn checked_values(
    values: &[AtomicU64],
    code: u8,
    param: usize,
) -> Result<&[AtomicU64], ParseErrorKind> {
    if value_words(code, param) == Some(values.len()) {
        Ok(values)
    } else {
        Err(ParseErrorKind::BadValueLayout)
    }
}

/// What a family record tells its series (and its overflow series): the value kind and
/// parameter, how many label values, and the overflow series' values.
#[cfg(feature = "labels")]
struct Family<'a> {
    code: u8,
    param: usize,
    label_count: usize,
    overflow: &'a [AtomicU64],
}

#[cfg(feature = "labels")]
impl<'a> Family<'a> {
    fn read(framed: &Framed<'a>) -> Result<Self, ParseErrorKind> {
        use crate::layout::{family_word, FAMILY_HEAD_WORDS};
        let (labels_len, code) = unpack_family_param(framed.param);
        if !matches!(
            code,
            kind_code::COUNTER | kind_code::GAUGE | kind_code::HISTOGRAM
        ) {
            return Err(ParseErrorKind::BadValueLayout);
        }
        if labels_len == 0 {
            return Err(ParseErrorKind::BadLabels);
        }
        let separators = text_bytes(framed.record, framed.texts_len, labels_len)
            .filter(|&b| b == 0)
            .count();
        let values = framed.values();
        let head = values
            .get(..FAMILY_HEAD_WORDS)
            .ok_or(ParseErrorKind::BadValueLayout)?;
        let param = head[family_word::VALUE_PARAM].load(Ordering::Relaxed);
        let param = usize::try_from(param).map_err(|_| ParseErrorKind::BadValueLayout)?;
        let overflow = values.get(FAMILY_HEAD_WORDS..).unwrap_or(&[]);
        let overflow = checked_values(overflow, code, param)?;
        Ok(Family {
            code,
            param,
            label_count: separators + 1,
            overflow,
        })
    }
}
