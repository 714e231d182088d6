//! The records of a parsed stats file: an iterator that checks each record as it reaches it.

use crate::framing::framed;
use crate::labels::SeriesLabels;
use crate::layout::{extra_text_len, kind_code, unpack_frame, unpack_lengths, words_for};
use crate::metrics::Kind;
use crate::parse_error::{ParseError, ParseErrorKind};
pub(crate) use crate::record::{read_value, Place};
pub use crate::record::{Record, Value};
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
    #[cfg(all(
        feature = "labels",
        any(feature = "json", feature = "prometheus", feature = "serde")
    ))]
    SeriesOf(usize),
    /// Family records (as their overflow series).
    #[cfg(all(
        feature = "labels",
        any(feature = "json", feature = "prometheus", feature = "serde")
    ))]
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

/// Whether `code` is a labelled family's or series' record and this build reads them (feature
/// `labels`; without it they are kinds this reader does not know, skipped by their length).
const fn labelled_kind(code: u8) -> bool {
    cfg!(feature = "labels") && (code == kind_code::FAMILY || code == kind_code::SERIES)
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
        #[cfg(all(
            feature = "labels",
            any(feature = "json", feature = "prometheus", feature = "serde")
        ))]
        Select::Families => code == kind_code::FAMILY,
        #[cfg(all(
            feature = "labels",
            any(feature = "json", feature = "prometheus", feature = "serde")
        ))]
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
    if known.is_some() || labelled_kind(code) {
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
#[cfg_attr(not(feature = "perf"), inline(never))] // smaller, slower: see `perf`
fn read_record(
    words: Words<'_>,
    at: usize,
    help_and_unit: bool,
) -> Result<(usize, Option<Record<'_>>), ParseErrorKind> {
    let framed = framed(words, at)?;
    let (code, param) = (framed.code, framed.param);
    let len = framed.record.bytes.len();
    let extra = if labelled_kind(code) {
        extra_text_len(code, param)
    } else {
        0
    };
    // The text must fit the record whatever its kind (FORMAT.md): checked before an unknown
    // kind is skipped, so every reader gives a file the same verdict.
    let (text, value_at) = framed.text(extra)?;
    #[cfg(feature = "labels")]
    match code {
        kind_code::FAMILY => {
            let family = crate::labelled_records::read_family(words, at, &framed, help_and_unit)?;
            return Ok((len, Some(family.overflow_record())));
        }
        kind_code::SERIES => {
            let series = crate::labelled_records::read_series(
                words,
                at,
                &framed,
                (text, value_at),
                help_and_unit,
            )?;
            return Ok((len, Some(series)));
        }
        _ => {}
    }
    let Some(kind) = Kind::from_code(code) else {
        return Ok((len, None)); // a kind from a newer writer: skipped by its length
    };
    let (name, help, unit, _) = framed.texts(text, help_and_unit)?;
    let value = read_value(kind, code, param as usize, framed.values(value_at)?)?;
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
