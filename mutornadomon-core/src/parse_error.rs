//! Why some bytes are not a stats file: [`ParseError`], with the offset at fault.

use crate::layout::{HEADER_BYTES, VERSION_MAJOR};
use crate::name::TextError;
use core::fmt;

/// Why some bytes are not a stats file, and where.
///
/// ```
/// use mutornadomon_core::{parse, ParseErrorKind};
/// let err = parse(b"not a stats file").unwrap_err();
/// assert_eq!(err.kind(), ParseErrorKind::TooShort);
/// assert_eq!(err.to_string(), "at byte 0: shorter than the 128-byte header");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseError {
    kind: ParseErrorKind,
    offset: usize,
}

/// What was wrong; see [`ParseError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// Shorter than the fixed header.
    TooShort,
    /// The first eight bytes are not `MUTMSTAT`.
    BadMagic,
    /// The endianness marker is neither byte order of `0x0102030405060708`.
    BadEndianMarker,
    /// A major version this parser does not know.
    UnsupportedVersion(u32),
    /// Header length, capacity, records start or committed end are inconsistent or unaligned.
    BadLayout,
    /// The input ends before the committed end of the records.
    Truncated {
        /// Bytes the header says are committed.
        needed: u64,
    },
    /// A record's length is unaligned, too small for its text, or runs past the committed end.
    BadRecordLength,
    /// A record's name breaks the naming rules.
    BadName(TextError),
    /// A record's help text is not valid.
    BadHelp(TextError),
    /// A record's unit is not valid.
    BadUnit(TextError),
    /// An info record's text is not valid.
    BadInfo(TextError),
    /// A known kind whose value area has the wrong size or parameter.
    BadValueLayout,
    /// A family's label names, or a series' label values, break the label rules (or a series
    /// has another number of values than its family has names).
    BadLabels,
    /// A series record's family is not a valid family record before it.
    BadFamily,
}

impl ParseError {
    pub(crate) const fn new(kind: ParseErrorKind, offset: usize) -> Self {
        ParseError { kind, offset }
    }

    /// What was wrong.
    pub fn kind(&self) -> ParseErrorKind {
        self.kind
    }

    /// Byte offset of the header field or record at fault.
    pub fn offset(&self) -> usize {
        self.offset
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "at byte {}: ", self.offset)?;
        match self.kind {
            ParseErrorKind::TooShort => write!(f, "shorter than the {HEADER_BYTES}-byte header"),
            ParseErrorKind::BadMagic => f.write_str("not a stats file (bad magic)"),
            ParseErrorKind::BadEndianMarker => f.write_str("bad endianness marker"),
            ParseErrorKind::UnsupportedVersion(v) => {
                write!(
                    f,
                    "format version {v} is not supported (this reader knows {VERSION_MAJOR})"
                )
            }
            ParseErrorKind::BadLayout => f.write_str("inconsistent header lengths"),
            ParseErrorKind::Truncated { needed } => {
                write!(f, "truncated: the header commits {needed} bytes")
            }
            ParseErrorKind::BadRecordLength => f.write_str("bad record length"),
            ParseErrorKind::BadName(e) => write!(f, "bad metric name: {e}"),
            ParseErrorKind::BadHelp(e) => write!(f, "bad help text: {e}"),
            ParseErrorKind::BadUnit(e) => write!(f, "bad unit: {e}"),
            ParseErrorKind::BadInfo(e) => write!(f, "bad info text: {e}"),
            ParseErrorKind::BadValueLayout => {
                f.write_str("value area does not fit the record's kind")
            }
            ParseErrorKind::BadLabels => f.write_str("label names or values break the label rules"),
            ParseErrorKind::BadFamily => {
                f.write_str("a series' family is not a valid family record before it")
            }
        }
    }
}

impl core::error::Error for ParseError {}
