//! A record's framing as the parser checks it: its two head words, its length, where its text
//! and values lie, and its name, help and unit (FORMAT.md, "The verdict", checks 1, 2 and 4).
//! Every record kind is read through this, a family's and a series' included.

use crate::layout::MAX_HELP_LEN;
use crate::layout::{unpack_frame, unpack_lengths, words_for};
use crate::name::{validate_name_bytes, validate_text, validate_unit_bytes, TextError};
use crate::parse_error::ParseErrorKind::{self, *};
use crate::words::Words;

/// A record whose head words lie in the file and whose length is a multiple of 8, at least
/// 16, within the file.
#[derive(Clone, Copy)]
pub(crate) struct Framed<'a> {
    /// The kind code.
    pub(crate) code: u8,
    /// The kind parameter `p`.
    pub(crate) param: u32,
    name_len: usize,
    help_len: usize,
    unit_len: usize,
    /// The record's words.
    pub(crate) record: Words<'a>,
}

/// The record at byte `at` of `words`, its framing checked (check 1).
pub(crate) fn framed(words: Words<'_>, at: usize) -> Result<Framed<'_>, ParseErrorKind> {
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
    Ok(Framed {
        code,
        param,
        name_len: name_len.into(),
        help_len: help_len.into(),
        unit_len: unit_len.into(),
        record,
    })
}

impl<'a> Framed<'a> {
    /// The text (name, help, unit, then `extra` bytes: a family's label names) if it fits the
    /// record (check 2), and the byte offset of the values in the record.
    pub(crate) fn text(&self, extra: usize) -> Result<(&'a [u8], usize), ParseErrorKind> {
        let text_len = self.name_len + self.help_len + self.unit_len + extra;
        let value_at = 16 + words_for(text_len) * 8;
        let text = self
            .record
            .bytes
            .get(16..16 + text_len)
            .filter(|_| value_at <= self.record.bytes.len())
            .ok_or(BadRecordLength)?;
        Ok((text, value_at))
    }

    /// The name, help and unit of `text` (from [`text`](Self::text)) checked (check 4; help
    /// and unit read only if `help_and_unit`, else empty), and the text after them.
    pub(crate) fn texts(
        &self,
        text: &'a [u8],
        help_and_unit: bool,
    ) -> Result<(&'a str, &'a str, &'a str, &'a [u8]), ParseErrorKind> {
        // `text` holds the three lengths and more (checked by `text`).
        let (name, rest) = text.split_at(self.name_len);
        let (help, rest) = rest.split_at(self.help_len);
        let (unit, extra) = rest.split_at(self.unit_len);
        validate_name_bytes(name).map_err(BadName)?;
        let name = core::str::from_utf8(name).map_err(|_| BadName(TextError::NotUtf8))?;
        let (help, unit) = if help_and_unit {
            (
                validate_text(help, MAX_HELP_LEN).map_err(BadHelp)?,
                validate_unit_bytes(unit).map_err(BadUnit)?,
            )
        } else {
            ("", "")
        };
        Ok((name, help, unit, extra))
    }

    /// Whether the record has help or unit text (a series has neither).
    #[cfg(feature = "labels")]
    pub(crate) fn has_help_or_unit(&self) -> bool {
        self.help_len != 0 || self.unit_len != 0
    }

    /// The value words, from byte `value_at` of the record (from [`text`](Self::text)).
    pub(crate) fn values(&self, value_at: usize) -> Result<Words<'a>, ParseErrorKind> {
        let len = self.record.bytes.len();
        let values_len = len.checked_sub(value_at).ok_or(BadRecordLength)?;
        self.record
            .slice(value_at, values_len)
            .ok_or(BadRecordLength)
    }
}
