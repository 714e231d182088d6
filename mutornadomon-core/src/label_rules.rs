//! What a family's label names and a series' label values may hold (feature `labels`), and
//! label values joined into a series record's text.
//!
//! Label names: 1 to 64 bytes of ASCII letters, digits and `_`, not starting with a digit,
//! not starting with `__` (reserved by Prometheus), and not `le` (a histogram's bucket label)
//! or `otel_metric_overflow` (the overflow series' label); at most 8 per family, no two alike.
//! Label values: UTF-8 without control characters, at most 256 bytes each; quotes and
//! backslashes are fine (the renderers escape them).

use crate::labels::{OVERFLOW_LABEL, SEPARATOR};
use crate::name::{validate_str, TextError};
use core::fmt;

/// Most label names a family may have.
pub const MAX_LABELS: usize = 8;
/// Longest label name in bytes.
pub const MAX_LABEL_NAME_LEN: usize = 64;
/// Longest label value in bytes.
pub const MAX_LABEL_VALUE_LEN: usize = 256;
/// Why label names or values were refused.
///
/// ```
/// use mutornadomon_core::{LabelError, Meta, Storage};
/// static STATS: Storage<1024> = Storage::new();
/// let requests = STATS.region().counter_family("requests", Meta::new(), &["status"], 16)?;
/// assert_eq!(
///     requests.series(&["200", "GET"]).unwrap_err(),
///     LabelError::WrongValueCount { expected: 1, got: 2 }
/// );
/// # Ok::<(), mutornadomon_core::RegisterError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LabelError {
    /// A family needs at least one label name (an unlabelled metric is a plain registration).
    NoLabels,
    /// More label names than [`MAX_LABELS`].
    TooManyLabels,
    /// The label name at `index` breaks the naming rules.
    BadName {
        /// Position of the name in the list.
        index: usize,
        /// What is wrong with it.
        error: TextError,
    },
    /// The label name at `index` is reserved (`le`, `otel_metric_overflow`, or starts `__`).
    ReservedName {
        /// Position of the name in the list.
        index: usize,
    },
    /// The label name at `index` appears earlier in the list too.
    DuplicateName {
        /// Position of the second occurrence.
        index: usize,
    },
    /// A lookup gave another number of values than the family has label names.
    WrongValueCount {
        /// The family's label names.
        expected: usize,
        /// The values given.
        got: usize,
    },
    /// The label value at `index` is too long or holds a control character.
    BadValue {
        /// Position of the value in the list.
        index: usize,
        /// What is wrong with it.
        error: TextError,
    },
}

impl fmt::Display for LabelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoLabels => f.write_str("a labelled family needs at least one label name"),
            Self::TooManyLabels => write!(f, "more than {MAX_LABELS} label names"),
            Self::BadName { index, error } => write!(f, "label name {index}: {error}"),
            Self::ReservedName { index } => write!(
                f,
                "label name {index} is reserved (le, {OVERFLOW_LABEL}, or starting with __)"
            ),
            Self::DuplicateName { index } => write!(f, "label name {index} appears twice"),
            Self::WrongValueCount { expected, got } => {
                write!(f, "{got} label values for {expected} label names")
            }
            Self::BadValue { index, error } => write!(f, "label value {index}: {error}"),
        }
    }
}

impl core::error::Error for LabelError {}

/// Checks one label name: the rules in this module's docs.
pub(crate) fn validate_label_name(name: &[u8]) -> Result<(), TextError> {
    let first = *name.first().ok_or(TextError::Empty)?;
    if name.len() > MAX_LABEL_NAME_LEN {
        return Err(TextError::TooLong {
            max: MAX_LABEL_NAME_LEN,
        });
    }
    if !(first.is_ascii_alphabetic() || first == b'_') {
        return Err(TextError::BadStart);
    }
    match name
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || b == b'_'))
    {
        Some(at) => Err(TextError::BadByte { at }),
        None => Ok(()),
    }
}

fn reserved(name: &[u8]) -> bool {
    name == b"le" || name == OVERFLOW_LABEL.as_bytes() || name.starts_with(b"__")
}

/// Checks a family's label names (count, each name, reserved names, duplicates), each item
/// given as bytes.
pub(crate) fn validate_label_names<'n>(
    names: impl Iterator<Item = &'n [u8]> + Clone,
) -> Result<usize, LabelError> {
    let mut count = 0;
    for (index, name) in names.clone().enumerate() {
        if index >= MAX_LABELS {
            return Err(LabelError::TooManyLabels);
        }
        validate_label_name(name).map_err(|error| LabelError::BadName { index, error })?;
        if reserved(name) {
            return Err(LabelError::ReservedName { index });
        }
        if names.clone().take(index).any(|earlier| earlier == name) {
            return Err(LabelError::DuplicateName { index });
        }
        count += 1;
    }
    if count == 0 {
        return Err(LabelError::NoLabels);
    }
    Ok(count)
}

/// Checks one label value: UTF-8, no control characters, at most [`MAX_LABEL_VALUE_LEN`].
pub(crate) fn validate_label_value(value: &str) -> Result<&str, TextError> {
    validate_str(value, MAX_LABEL_VALUE_LEN)
}

/// Checks the values of one series against a family of `expected` label names.
pub(crate) fn validate_label_values(values: &[&str], expected: usize) -> Result<(), LabelError> {
    if values.len() != expected {
        return Err(LabelError::WrongValueCount {
            expected,
            got: values.len(),
        });
    }
    for (index, value) in values.iter().enumerate() {
        validate_label_value(value).map_err(|error| LabelError::BadValue { index, error })?;
    }
    Ok(())
}

/// Bytes of `parts` joined with [`SEPARATOR`].
pub(crate) fn joined<'p>(parts: &'p [&'p str]) -> impl Iterator<Item = u8> + Clone + 'p {
    parts.iter().enumerate().flat_map(|(i, part)| {
        let separator = (i > 0).then_some(SEPARATOR);
        separator.into_iter().chain(part.bytes())
    })
}

/// Calls `f` with each 8-byte word of `parts` joined with [`SEPARATOR`], as a record's text
/// stores it (native byte order, the last word zero-padded), until `f` returns false; whether
/// it never did. A word at a time: the series lookup's hash and comparison.
pub(crate) fn for_each_joined_word(parts: &[&str], mut f: impl FnMut(u64) -> bool) -> bool {
    /// The word being filled: bytes so far as a little-endian number, and the bit to put the
    /// next one at.
    struct Filling {
        word: u64,
        shift: u32,
    }
    impl Filling {
        /// Adds a byte; the word when it is full.
        #[inline(always)]
        fn push(&mut self, byte: u8) -> Option<u64> {
            self.word |= u64::from(byte) << self.shift;
            self.shift += 8;
            if self.shift < 64 {
                return None;
            }
            let full = self.word;
            (self.word, self.shift) = (0, 0);
            // As a record's text word: the bytes in memory order, read natively.
            Some(u64::from_le(full))
        }
    }
    let mut filling = Filling { word: 0, shift: 0 };
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            if let Some(word) = filling.push(SEPARATOR) {
                if !f(word) {
                    return false;
                }
            }
        }
        let mut rest = part.as_bytes();
        if filling.shift == 0 {
            // Aligned: whole words straight from the value.
            while let Some((head, tail)) = rest.split_first_chunk::<8>() {
                if !f(u64::from_ne_bytes(*head)) {
                    return false;
                }
                rest = tail;
            }
        }
        for &byte in rest {
            if let Some(word) = filling.push(byte) {
                if !f(word) {
                    return false;
                }
            }
        }
    }
    filling.shift == 0 || f(u64::from_le(filling.word))
}

/// `head`, then `items` joined with [`SEPARATOR`], as parts for `store_bytes`, in `out` (at
/// most [`MAX_LABELS`] items: what validation lets through; any more are left out).
pub(crate) fn joined_parts<'p, const N: usize>(
    head: &[&'p [u8]],
    items: &[&'p str],
    out: &'p mut [&'p [u8]; N],
) -> &'p [&'p [u8]] {
    const SEPARATOR_BYTES: &[u8] = &[SEPARATOR];
    let mut used = 0;
    for part in head
        .iter()
        .copied()
        .chain(items.iter().enumerate().flat_map(|(i, item)| {
            let separator = (i > 0).then_some(SEPARATOR_BYTES);
            separator.into_iter().chain(Some(item.as_bytes()))
        }))
    {
        if let Some(slot) = out.get_mut(used) {
            *slot = part;
            used += 1;
        }
    }
    &out[..used]
}

/// Length of `parts` joined with [`SEPARATOR`].
pub(crate) fn joined_len(parts: &[&str]) -> usize {
    parts.iter().map(|p| p.len()).sum::<usize>() + parts.len().saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_name_rules() {
        let check = |names: &[&str]| validate_label_names(names.iter().map(|n| n.as_bytes()));
        assert_eq!(check(&["status", "method"]), Ok(2));
        assert_eq!(check(&[]), Err(LabelError::NoLabels));
        assert_eq!(check(&["le"]), Err(LabelError::ReservedName { index: 0 }));
        assert_eq!(
            check(&["a", "__x"]),
            Err(LabelError::ReservedName { index: 1 })
        );
        assert_eq!(
            check(&["a", "a"]),
            Err(LabelError::DuplicateName { index: 1 })
        );
        assert!(matches!(
            check(&["a.b"]),
            Err(LabelError::BadName { index: 0, .. })
        ));
        assert!(matches!(
            check(&["9"]),
            Err(LabelError::BadName { index: 0, .. })
        ));
        assert_eq!(
            check(&["a"; 9]),
            Err(LabelError::DuplicateName { index: 1 })
        );
        let nine = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
        assert_eq!(check(&nine), Err(LabelError::TooManyLabels));
    }

    #[test]
    fn label_value_rules() {
        assert_eq!(validate_label_values(&["", "say \"hi\" \\"], 2), Ok(()));
        let long = "x".repeat(MAX_LABEL_VALUE_LEN + 1);
        assert!(matches!(
            validate_label_values(&[&long], 1),
            Err(LabelError::BadValue {
                index: 0,
                error: TextError::TooLong { .. }
            })
        ));
        assert!(matches!(
            validate_label_values(&["ok", "a\nb"], 2),
            Err(LabelError::BadValue { index: 1, .. })
        ));
        assert!(matches!(
            validate_label_values(&["\0"], 1),
            Err(LabelError::BadValue { index: 0, .. })
        ));
    }

    #[test]
    fn joined_texts_and_their_words() {
        let mut words = std::vec::Vec::new();
        for_each_joined_word(&["abcdefg", "hi", ""], |w| {
            words.push(w);
            true
        });
        let expected = [
            u64::from_ne_bytes(*b"abcdefg\0"),
            u64::from_ne_bytes(*b"hi\0\0\0\0\0\0"),
        ];
        assert_eq!(words, expected);
        let joined: std::vec::Vec<u8> = joined(&["x", "", "yz"]).collect();
        assert_eq!(joined, b"x\0\0yz");
        assert_eq!(joined_len(&["x", "", "yz"]), 5);
    }
}
