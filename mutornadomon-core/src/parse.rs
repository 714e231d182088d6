//! The stats parser: any `&[u8]` in, records or a typed error out.
//!
//! Total by construction: every offset comes from checked arithmetic on
//! untrusted numbers, every slice is taken with `get`, and each record is looked at once, so time
//! is linear in the input. This is the entry point the fuzz targets drive.

use crate::layout::{self, ENDIAN_MARKER, HEADER_BYTES, MAGIC, VERSION_MAJOR};
use crate::parse_error::{ParseError, ParseErrorKind};
use crate::records::{Records, Select};
use crate::words::Words;

/// The header of a stats file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Header {
    /// Minor format version (additions this reader may not know about).
    pub version_minor: u32,
    /// Whether the writer was big-endian.
    pub big_endian: bool,
    /// Size of the writer's region in bytes.
    pub capacity: u64,
    /// End of the committed records in bytes.
    pub committed: u64,
    /// Writer's process id (0 if the writer did not say).
    pub pid: u64,
    /// Writer's process start time, nanoseconds since the Unix epoch (0 if unknown).
    pub start_time_ns: u64,
    /// When the region was created, nanoseconds since the Unix epoch (0 if unknown).
    pub creation_time_ns: u64,
    /// Last heartbeat, nanoseconds since the Unix epoch (0 if never).
    pub heartbeat_ns: u64,
    /// Registrations the writer refused.
    pub refused: u64,
    /// Committed records, as the writer counted them.
    pub record_count: u64,
}

/// A parsed stats file: its header and an iterator over its records.
#[derive(Debug, Clone, Copy)]
pub struct Stats<'a> {
    header: Header,
    words: Words<'a>,
    records_start: usize,
}

/// Parses a stats file (or a [`Region::snapshot`](crate::Region::snapshot)).
///
/// Checks the header here; records are checked as [`Stats::records`] reaches them.
///
/// ```
/// use mutornadomon_core::{parse, Meta, Storage, Value};
/// static STATS: Storage<512> = Storage::new();
/// STATS.region().gauge("temperature", Meta::new().unit("celsius"))?.set(21.5);
///
/// let mut buf = [0u8; 4096];
/// let n = STATS.region().snapshot(&mut buf)?;
/// for record in parse(&buf[..n])?.records() {
///     let record = record?;
///     assert_eq!((record.name, record.unit), ("temperature", "celsius"));
///     assert!(matches!(record.value, Value::Gauge(g) if g.value == 21.5));
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn parse(bytes: &[u8]) -> Result<Stats<'_>, ParseError> {
    use layout::header as h;
    use ParseErrorKind::*;
    let fail = |kind, word: usize| Err(ParseError::new(kind, word * 8));
    if bytes.len() < HEADER_BYTES {
        return fail(TooShort, 0);
    }
    if bytes[..8] != MAGIC {
        return fail(BadMagic, h::MAGIC);
    }
    let native = Words { bytes, swap: false };
    let swap = match native.get(h::ENDIAN * 8) {
        Some(ENDIAN_MARKER) => false,
        Some(m) if m == ENDIAN_MARKER.swap_bytes() => true,
        _ => return fail(BadEndianMarker, h::ENDIAN),
    };
    let words = Words { bytes, swap };
    // The header is at least HEADER_BYTES long (checked above), so these reads succeed.
    let field = |i: usize| words.get(i * 8).unwrap_or(0);
    let version = field(h::VERSION);
    if version as u32 != VERSION_MAJOR {
        return fail(UnsupportedVersion(version as u32), h::VERSION);
    }
    let aligned = |v: u64| v % 8 == 0;
    let (header_len, capacity) = (field(h::HEADER_LEN), field(h::CAPACITY));
    let (records_start, committed) = (field(h::RECORDS_START), field(h::COMMITTED));
    if !(aligned(header_len) && header_len >= HEADER_BYTES as u64 && header_len <= capacity) {
        return fail(BadLayout, h::HEADER_LEN);
    }
    if !(aligned(capacity) && aligned(records_start) && records_start >= header_len) {
        return fail(BadLayout, h::RECORDS_START);
    }
    if !(aligned(committed) && records_start <= committed && committed <= capacity) {
        return fail(BadLayout, h::COMMITTED);
    }
    if committed > bytes.len() as u64 {
        return fail(Truncated { needed: committed }, h::COMMITTED);
    }
    let header = Header {
        version_minor: (version >> 32) as u32,
        big_endian: swap != cfg!(target_endian = "big"),
        capacity,
        committed,
        pid: field(h::PID),
        start_time_ns: field(h::START_TIME),
        creation_time_ns: field(h::CREATION_TIME),
        heartbeat_ns: field(h::HEARTBEAT),
        refused: field(h::REFUSED),
        record_count: field(h::RECORD_COUNT),
    };
    // `committed <= bytes.len()` was checked, so both fit in usize.
    let words = Words {
        bytes: &bytes[..committed as usize],
        swap,
    };
    Ok(Stats {
        header,
        words,
        records_start: records_start as usize,
    })
}

impl<'a> Stats<'a> {
    /// The file's header.
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The committed words, for reading numbers at known places.
    #[cfg(feature = "templates")]
    pub(crate) fn words(&self) -> Words<'a> {
        self.words
    }

    /// The committed records, in registration order. Records of kinds this parser does not
    /// know are skipped by their length. After an error the iterator ends.
    pub fn records(&self) -> Records<'a> {
        Records::new(self.words, self.records_start, Select::All, true)
    }

    /// The series of the family whose record is at byte `family_at` (its overflow series
    /// not included), in registration order.
    #[cfg(all(
        feature = "labels",
        any(feature = "json", feature = "prometheus", feature = "serde")
    ))]
    pub(crate) fn series_of(&self, family_at: usize, help_and_unit: bool) -> Records<'a> {
        Records::new(
            self.words,
            family_at,
            Select::SeriesOf(family_at),
            help_and_unit,
        )
    }

    /// The family records (each as its overflow series), in registration order.
    #[cfg(all(
        feature = "labels",
        any(feature = "json", feature = "prometheus", feature = "serde")
    ))]
    pub(crate) fn families(&self, help_and_unit: bool) -> Records<'a> {
        Records::new(
            self.words,
            self.records_start,
            Select::Families,
            help_and_unit,
        )
    }

    /// The records of the kinds `wanted` accepts, with their names and values only (`help` and
    /// `unit` are empty, neither read nor checked: for a renderer that prints neither). Records
    /// of other kinds are skipped by their length without reading their texts or values, so a
    /// renderer making a pass per kind pays only for what it renders.
    #[cfg(feature = "json")]
    pub(crate) fn names_and_values_of(
        &self,
        wanted: fn(crate::metrics::Kind) -> bool,
    ) -> Records<'a> {
        Records::new(
            self.words,
            self.records_start,
            Select::Unlabelled(wanted),
            false,
        )
    }

    /// Every record with its name, labels and value only (`help` and `unit` are empty, neither
    /// read nor checked): for an encoder that sends neither (statsd).
    #[cfg(feature = "statsd")]
    pub(crate) fn names_and_values(&self) -> Records<'a> {
        Records::new(self.words, self.records_start, Select::All, false)
    }
}
