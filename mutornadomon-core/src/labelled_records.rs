//! Labelled families' and series' records as read (feature `labels`; FORMAT.md, "Labelled
//! families"): a family record shows as its overflow series, each series with its family's
//! name, texts and label names.

use crate::label_rules::{validate_label_names, validate_label_value};
use crate::labels::{split, values, SeriesLabels};
use crate::layout::{
    family_word, kind_code, unpack_family_param, unpack_frame, unpack_lengths, words_for,
    FAMILY_HEAD_WORDS,
};
use crate::metrics::Kind;
use crate::name::{validate_help, validate_name_bytes, validate_unit, TextError};
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

/// Reads and checks the family record at `at` (FORMAT.md, "Labelled families").
pub(crate) fn read_family(
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
pub(crate) fn read_series<'a>(
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
    for value in values(text) {
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
