//! Labelled families' and series' records as read (feature `labels`; FORMAT.md, "Labelled
//! families"): a family record shows as its overflow series, each series with its family's
//! name, texts and label names.

use crate::framing::{framed, Framed};
use crate::label_rules::{validate_label_names, validate_label_value};
use crate::labels::{split, values, SeriesLabels};
use crate::layout::{family_word, kind_code, unpack_family_param, unpack_frame, FAMILY_HEAD_WORDS};
use crate::metrics::Kind;
use crate::parse_error::ParseErrorKind;
use crate::record::{read_value, Place, Record, Value};
use crate::words::Words;

/// A family record as read: its texts, its series' value layout, its numbers, and its
/// overflow series' values.
pub(crate) struct FamilyRecord<'a> {
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

    pub(crate) fn overflow_record(&self) -> Record<'a> {
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

/// The family record at `at`, from a series' parameter: BadFamily unless its head words lie in
/// the file and name a family record.
fn read_family_at(
    words: Words<'_>,
    at: usize,
    help_and_unit: bool,
) -> Result<FamilyRecord<'_>, ParseErrorKind> {
    let code = words.get(at).map(|frame| unpack_frame(frame).1);
    if code != Some(kind_code::FAMILY) || words.get(at + 8).is_none() {
        return Err(ParseErrorKind::BadFamily);
    }
    read_family(words, at, &framed(words, at)?, help_and_unit)
}

/// Reads and checks the family record `framed` at `at` (FORMAT.md, "Labelled families").
pub(crate) fn read_family<'a>(
    words: Words<'a>,
    at: usize,
    framed: &Framed<'a>,
    help_and_unit: bool,
) -> Result<FamilyRecord<'a>, ParseErrorKind> {
    use ParseErrorKind::*;
    let (labels_len, value_code) = unpack_family_param(framed.param);
    let (text, value_at) = framed.text(labels_len)?;
    let (name, help, unit, labels) = framed.texts(text, help_and_unit)?;
    let labels = core::str::from_utf8(labels).map_err(|_| BadLabels)?;
    let label_count =
        validate_label_names(split(labels).map(str::as_bytes)).map_err(|_| BadLabels)?;
    let kind = match value_code {
        kind_code::COUNTER | kind_code::GAUGE | kind_code::HISTOGRAM => Kind::from_code(value_code),
        _ => None,
    }
    .ok_or(BadValueLayout)?;
    let values = framed.values(value_at)?;
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

/// Reads and checks the series record `framed` at `at`, its text and value offset given:
/// its family must be a valid family record before it, its text as many valid label values as
/// the family has names.
pub(crate) fn read_series<'a>(
    words: Words<'a>,
    at: usize,
    framed: &Framed<'a>,
    (text, value_at): (&'a [u8], usize),
    help_and_unit: bool,
) -> Result<Record<'a>, ParseErrorKind> {
    use ParseErrorKind::*;
    let family_at = framed.param as usize * 8;
    if framed.has_help_or_unit() || family_at >= at {
        return Err(BadFamily);
    }
    let family = read_family_at(words, family_at, help_and_unit)?;
    let text = core::str::from_utf8(text).map_err(|_| BadLabels)?;
    let mut count = 0;
    for value in values(text) {
        validate_label_value(value).map_err(|_| BadLabels)?;
        count += 1;
    }
    if count != family.label_count {
        return Err(BadLabels);
    }
    let value = read_value(
        family.kind,
        family.code,
        family.param,
        framed.values(value_at)?,
    )?;
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
