//! What a metric name, help text, unit and info text may contain.
//!
//! Names: 1 to 128 bytes of ASCII letters, digits, `_`, `.` and `:`, not starting with a digit,
//! `.` or `:`. That covers mutornadomon's names (`ioloop_excess_callback_latency`), mmstats'
//! dotted labels (`sys.pid`) and Prometheus names; renderers turn `.` into `_` for Prometheus.
//! Help and info text: UTF-8 without control characters, at most 1024 bytes. Units: 1 to 32
//! lowercase ASCII letters or `_` (`seconds`, `bytes`, `nanoseconds`), or empty.

use crate::layout::{MAX_HELP_LEN, MAX_INFO_LEN, MAX_UNIT_LEN};
use core::fmt;

/// The longest accepted metric name in bytes.
pub const MAX_NAME_LEN: usize = 128;

/// Why a name or text was refused.
///
/// ```
/// use mutornadomon_core::{validate_name, TextError};
/// assert_eq!(validate_name("requests"), Ok(()));
/// assert_eq!(validate_name("9lives"), Err(TextError::BadStart));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TextError {
    /// The name is empty.
    Empty,
    /// Longer than the limit for its field.
    TooLong {
        /// The limit in bytes.
        max: usize,
    },
    /// A name starts with a digit, `.` or `:`.
    BadStart,
    /// A byte outside the allowed set, at this position.
    BadByte {
        /// Byte offset of the first offending byte.
        at: usize,
    },
    /// Not valid UTF-8.
    NotUtf8,
}

impl fmt::Display for TextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TextError::Empty => f.write_str("name is empty"),
            TextError::TooLong { max } => write!(f, "longer than {max} bytes"),
            TextError::BadStart => f.write_str("name must start with a letter or '_'"),
            TextError::BadByte { at } => write!(f, "character not allowed at byte {at}"),
            TextError::NotUtf8 => f.write_str("text is not valid UTF-8"),
        }
    }
}

impl core::error::Error for TextError {}

/// Checks a metric name against the rules in this module's docs.
pub fn validate_name(name: &str) -> Result<(), TextError> {
    validate_name_bytes(name.as_bytes())
}

pub(crate) fn validate_name_bytes(name: &[u8]) -> Result<(), TextError> {
    let first = *name.first().ok_or(TextError::Empty)?;
    if name.len() > MAX_NAME_LEN {
        return Err(TextError::TooLong { max: MAX_NAME_LEN });
    }
    if !(first.is_ascii_alphabetic() || first == b'_') {
        return Err(TextError::BadStart);
    }
    match name
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b':')))
    {
        Some(at) => Err(TextError::BadByte { at }),
        None => Ok(()),
    }
}

/// Checks help text (at most 1024 bytes, no control characters).
pub(crate) fn validate_help(text: &str) -> Result<&str, TextError> {
    validate_str(text, MAX_HELP_LEN)
}

/// Checks info text (at most 1024 bytes, no control characters).
pub(crate) fn validate_info(text: &str) -> Result<&str, TextError> {
    validate_str(text, MAX_INFO_LEN)
}

/// Checks text read from a file: at most `max` bytes, UTF-8, no control characters.
pub(crate) fn validate_text(text: &[u8], max: usize) -> Result<&str, TextError> {
    if text.len() > max {
        return Err(TextError::TooLong { max });
    }
    validate_str(
        core::str::from_utf8(text).map_err(|_| TextError::NotUtf8)?,
        max,
    )
}

/// Checks text that is UTF-8 already: at most `max` bytes, no control characters.
pub(crate) fn validate_str(text: &str, max: usize) -> Result<&str, TextError> {
    if text.len() > max {
        return Err(TextError::TooLong { max });
    }
    match first_control(text.as_bytes()) {
        Some(at) => Err(TextError::BadByte { at }),
        None => Ok(text),
    }
}

/// The index of the first control character (C0, DEL or C1) in UTF-8 `text`. C0 and DEL are
/// single bytes; a C1 character (U+0080-U+009F) is 0xC2 then 0x80-0x9F, and in UTF-8 a 0xC2
/// byte is always a lead byte, so nothing is decoded. Leading ASCII words without a control
/// character (the usual text is all of them) are passed over eight bytes at a time: for a
/// byte `b < 0x80`, `b + 0x60` has its top bit set exactly when `b >= 0x20`, and `b + 0x01`
/// exactly when `b == 0x7f`; neither sum carries into the next byte. From the first other
/// word on, bytes are checked one by one (one byte loop for both cases: smaller code).
fn first_control(text: &[u8]) -> Option<usize> {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut at = 0;
    while let Some(chunk) = text.get(at..at + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word);
        let control =
            (!x.wrapping_add(0x6060_6060_6060_6060) | x.wrapping_add(0x0101_0101_0101_0101)) & HIGH;
        if (x | control) & HIGH != 0 {
            break;
        }
        at += 8;
    }
    (at..text.len()).find(|&i| {
        let b = text[i];
        b < 0x20 || b == 0x7f || (b == 0xc2 && matches!(text.get(i + 1), Some(0x80..=0x9f)))
    })
}

/// Checks a unit: empty, or lowercase ASCII letters and `_`, at most 32 bytes.
pub(crate) fn validate_unit(unit: &str) -> Result<&str, TextError> {
    check_unit_bytes(unit.as_bytes()).map(|()| unit)
}

/// Checks a unit read from a file (see [`validate_unit`]).
#[inline(never)] // inlined into the record walker, it was linked larger there
pub(crate) fn validate_unit_bytes(unit: &[u8]) -> Result<&str, TextError> {
    check_unit_bytes(unit)?;
    // All bytes are ASCII, checked just above.
    core::str::from_utf8(unit).map_err(|_| TextError::NotUtf8)
}

fn check_unit_bytes(unit: &[u8]) -> Result<(), TextError> {
    if unit.len() > MAX_UNIT_LEN {
        return Err(TextError::TooLong { max: MAX_UNIT_LEN });
    }
    match unit
        .iter()
        .position(|&b| !(b.is_ascii_lowercase() || b == b'_'))
    {
        Some(at) => Err(TextError::BadByte { at }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_table() {
        let cases: &[(&str, Result<(), TextError>)] = &[
            ("requests", Ok(())),
            ("sys.pid", Ok(())),
            ("_private:rule", Ok(())),
            ("ioloop_excess_callback_latency", Ok(())),
            ("", Err(TextError::Empty)),
            ("9lives", Err(TextError::BadStart)),
            (".dot", Err(TextError::BadStart)),
            ("has space", Err(TextError::BadByte { at: 3 })),
            ("dash-ed", Err(TextError::BadByte { at: 4 })),
            ("é", Err(TextError::BadStart)),
        ];
        for (name, want) in cases {
            assert_eq!(validate_name(name), *want, "name {name:?}");
        }
        let long = [b'a'; MAX_NAME_LEN + 1];
        assert_eq!(
            validate_name_bytes(&long),
            Err(TextError::TooLong { max: MAX_NAME_LEN })
        );
        assert_eq!(validate_name_bytes(&long[..MAX_NAME_LEN]), Ok(()));
    }

    #[test]
    fn text_and_unit_rules() {
        assert_eq!(
            validate_help("Requests served, by anyone ✓"),
            Ok("Requests served, by anyone ✓")
        );
        assert_eq!(
            validate_help("two\nlines"),
            Err(TextError::BadByte { at: 3 })
        );
        assert_eq!(validate_help("é\u{85}"), Err(TextError::BadByte { at: 2 }));
        assert_eq!(
            validate_text(&[0xff, 0xfe], MAX_HELP_LEN),
            Err(TextError::NotUtf8)
        );
        assert_eq!(validate_unit("seconds"), Ok("seconds"));
        assert_eq!(validate_unit(""), Ok(""));
        assert_eq!(validate_unit("Seconds"), Err(TextError::BadByte { at: 0 }));
        assert_eq!(validate_unit("sécondes"), Err(TextError::BadByte { at: 1 }));
        assert_eq!(validate_unit_bytes(b"bytes"), Ok("bytes"));
        assert_eq!(
            validate_unit_bytes(b"by\xfftes"),
            Err(TextError::BadByte { at: 2 })
        );
        let long = [b'a'; MAX_UNIT_LEN + 1];
        let too_long = Err(TextError::TooLong { max: MAX_UNIT_LEN });
        assert_eq!(validate_unit_bytes(&long), too_long);
    }
}

#[cfg(test)]
mod control_tests {
    use super::first_control;
    use proptest::prelude::*;

    proptest! {
        /// The byte scan finds what a scan of decoded characters for `char::is_control` finds.
        #[test]
        fn finds_the_first_control_character_like_char_is_control(text in "\\PC{0,12}[\\x00-\\u{a0}]{0,3}\\PC{0,12}") {
            let by_chars = text.char_indices().find(|(_, c)| c.is_control()).map(|(at, _)| at);
            prop_assert_eq!(first_control(text.as_bytes()), by_chars);
        }
    }

    /// The word-at-a-time scan agrees with a byte loop on every ASCII byte at every position.
    #[test]
    fn finds_the_first_control_byte_like_a_byte_loop() {
        for len in 0..20 {
            for at in 0..len {
                for b in 0u8..0x80 {
                    let mut text = [b'a'; 20];
                    text[at] = b;
                    let text = &text[..len];
                    let slow = text.iter().position(|&b| b < 0x20 || b == 0x7f);
                    assert_eq!(first_control(text), slow, "len {len} at {at} byte {b:#x}");
                }
            }
        }
    }
}
