//! Labels: what a family's label names and a series' label values may hold, and how a parsed
//! series shows them ([`SeriesLabels`]).
//!
//! Label names: 1 to 64 bytes of ASCII letters, digits and `_`, not starting with a digit,
//! not starting with `__` (reserved by Prometheus), and not `le` (a histogram's bucket label)
//! or `otel_metric_overflow` (the overflow series' label); at most 8 per family, no two alike.
//! Label values: UTF-8 without control characters, at most 256 bytes each; quotes and
//! backslashes are fine (the renderers escape them).

use crate::name::{validate_text, TextError};
use core::fmt;

/// Most label names a family may have.
pub const MAX_LABELS: usize = 8;
/// Longest label name in bytes.
pub const MAX_LABEL_NAME_LEN: usize = 64;
/// Longest label value in bytes.
pub const MAX_LABEL_VALUE_LEN: usize = 256;
/// The label the overflow series of a family carries (`="true"`), as OpenTelemetry's SDKs
/// name it: the series that takes every update past the family's series limit.
pub const OVERFLOW_LABEL: &str = "otel_metric_overflow";

/// Separates label names (in a family record) and label values (in a series record).
pub(crate) const SEPARATOR: u8 = 0;

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
pub(crate) fn validate_label_value(value: &[u8]) -> Result<&str, TextError> {
    validate_text(value, MAX_LABEL_VALUE_LEN)
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
        validate_label_value(value.as_bytes())
            .map_err(|error| LabelError::BadValue { index, error })?;
    }
    Ok(())
}

/// Items of a [`SEPARATOR`]-joined text; an empty text has none.
pub(crate) fn split(text: &str) -> impl Iterator<Item = &str> + Clone {
    let mut parts = text.split(char::from(SEPARATOR));
    if text.is_empty() {
        parts.next();
    }
    parts
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

/// Length of `parts` joined with [`SEPARATOR`].
pub(crate) fn joined_len(parts: &[&str]) -> usize {
    parts.iter().map(|p| p.len()).sum::<usize>() + parts.len().saturating_sub(1)
}

/// The labels of a parsed series: its family's label names with this series' values, or, for
/// a family's overflow series, `otel_metric_overflow="true"` alone. Unlabelled metrics have
/// none ([`is_empty`](Self::is_empty)).
///
/// ```
/// use mutornadomon_core::{parse, Meta, Storage};
/// static STATS: Storage<1024> = Storage::new();
/// let requests = STATS.region().counter_family("requests", Meta::new(), &["status", "method"], 8)?;
/// requests.series(&["200", "GET"])?.inc();
/// let mut buf = [0u8; 8192];
/// let n = STATS.region().snapshot(&mut buf)?;
/// let stats = parse(&buf[..n])?;
/// let labelled: Vec<_> = stats.records().map(|r| r.unwrap().labels).collect();
/// assert!(labelled[0].is_overflow()); // the family record: its overflow series
/// assert_eq!(labelled[1].iter().collect::<Vec<_>>(), [("status", "200"), ("method", "GET")]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct SeriesLabels<'a> {
    names: &'a str,
    values: &'a str,
    overflow: bool,
    /// Byte offset of the family record (0 for unlabelled metrics).
    #[cfg_attr(
        not(any(feature = "json", feature = "prometheus", feature = "serde")),
        allow(dead_code)
    )]
    pub(crate) family_at: usize,
    folded: u64,
    limit: u64,
}

impl<'a> SeriesLabels<'a> {
    /// No labels: an unlabelled metric.
    pub const NONE: SeriesLabels<'static> = SeriesLabels {
        names: "",
        values: "",
        overflow: false,
        family_at: 0,
        folded: 0,
        limit: 0,
    };

    pub(crate) fn new(
        names: &'a str,
        values: &'a str,
        overflow: bool,
        family_at: usize,
        (folded, limit): (u64, u64),
    ) -> Self {
        SeriesLabels {
            names,
            values,
            overflow,
            family_at,
            folded,
            limit,
        }
    }

    /// Whether the metric is unlabelled.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Whether this is its family's overflow series (the family record itself).
    pub fn is_overflow(&self) -> bool {
        self.overflow
    }

    /// The family's label names.
    pub fn names(&self) -> impl Iterator<Item = &'a str> + Clone {
        split(self.names)
    }

    /// The series' (name, value) pairs as rendered: the family's names with this series'
    /// values, or `(otel_metric_overflow, "true")` for the overflow series.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &'a str)> + Clone {
        // A series has one value per name, separated (one empty value is an empty text).
        let overflow = self.overflow.then_some((OVERFLOW_LABEL, "true"));
        split(if self.overflow { "" } else { self.names })
            .zip(self.values.split(char::from(SEPARATOR)))
            .chain(overflow)
    }

    /// Label sets folded into the family's overflow series so far: lookups of new values
    /// past the series limit (or when the region was full).
    pub fn folded(&self) -> u64 {
        self.folded
    }

    /// The family's series limit (the overflow series not counted).
    pub fn limit(&self) -> u64 {
        self.limit
    }
}

/// Two label sets are equal when their names, values and overflow flag are.
impl PartialEq for SeriesLabels<'_> {
    fn eq(&self, other: &Self) -> bool {
        (self.names, self.values, self.overflow) == (other.names, other.values, other.overflow)
    }
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
    fn pairs_of_a_series_and_of_the_overflow_series() {
        let series = SeriesLabels::new("a\0b", "\0x", false, 8, (0, 4));
        assert_eq!(
            series.iter().collect::<std::vec::Vec<_>>(),
            [("a", ""), ("b", "x")]
        );
        let overflow = SeriesLabels::new("a\0b", "", true, 8, (3, 4));
        let pairs: std::vec::Vec<_> = overflow.iter().collect();
        assert_eq!(pairs, [(OVERFLOW_LABEL, "true")]);
        assert_eq!(overflow.names().count(), 2);
        assert_eq!(SeriesLabels::NONE.iter().count(), 0);
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
