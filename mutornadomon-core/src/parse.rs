//! The stats parser: any `&[u8]` in, records or a typed error out.
//!
//! Total by construction: every offset comes from [`Cursor`]-style checked arithmetic on
//! untrusted numbers, every slice is taken with `get`, and each record is looked at once, so time
//! is linear in the input. This is the entry point the fuzz targets drive.

use crate::bucket::MAX_BUCKETS;
use crate::layout::{
    self, unpack_frame, unpack_lengths, words_for, ENDIAN_MARKER, HEADER_BYTES, MAGIC, MAX_SHARDS,
    SHARD_WORDS, VERSION_MAJOR,
};
use crate::metrics::{Kind, HISTOGRAM_HEAD_WORDS};
use crate::name::{validate_help, validate_info, validate_name_bytes, validate_unit, TextError};
use crate::values::Values;
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
}

impl ParseError {
    const fn new(kind: ParseErrorKind, offset: usize) -> Self {
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
        }
    }
}

impl core::error::Error for ParseError {}

/// Reads 64-bit words in the file's byte order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Words<'a> {
    bytes: &'a [u8],
    swap: bool,
}

impl<'a> Words<'a> {
    /// No words (every read gives nothing): the source of numbers that come from elsewhere.
    pub(crate) const fn empty() -> Words<'static> {
        Words {
            bytes: &[],
            swap: false,
        }
    }

    pub(crate) fn get(&self, byte_offset: usize) -> Option<u64> {
        let end = byte_offset.checked_add(8)?;
        let raw = u64::from_ne_bytes(self.bytes.get(byte_offset..end)?.try_into().ok()?);
        Some(if self.swap { raw.swap_bytes() } else { raw })
    }

    /// The wrapping sum of every whole word. Byte order does not change a sum's carries
    /// within a word, but does across words, so swapped words are summed after swapping; each
    /// branch is a straight loop over 64-byte blocks that the compiler vectorises.
    fn sum(&self) -> u64 {
        let word = |chunk: &[u8]| {
            let mut raw = [0u8; 8];
            raw.copy_from_slice(chunk);
            u64::from_ne_bytes(raw)
        };
        let mut lanes = [0u64; 8];
        let mut blocks = self.bytes.chunks_exact(64);
        for block in blocks.by_ref() {
            for (lane, chunk) in lanes.iter_mut().zip(block.chunks_exact(8)) {
                let w = word(chunk);
                *lane = lane.wrapping_add(if self.swap { w.swap_bytes() } else { w });
            }
        }
        let rest = blocks.remainder().chunks_exact(8).map(word);
        let rest = rest.map(|w| if self.swap { w.swap_bytes() } else { w });
        lanes.into_iter().chain(rest).fold(0, u64::wrapping_add)
    }

    /// Every whole word, in order.
    fn iter(&self) -> impl Iterator<Item = u64> + 'a {
        let swap = self.swap;
        self.bytes.chunks_exact(8).map(move |chunk| {
            let mut raw = [0u8; 8];
            raw.copy_from_slice(chunk);
            let raw = u64::from_ne_bytes(raw);
            if swap {
                raw.swap_bytes()
            } else {
                raw
            }
        })
    }

    /// The whole words among the `n` from byte `at` that are there (none past the end).
    fn range(&self, at: usize, n: usize) -> Words<'a> {
        let end = n.saturating_mul(8).saturating_add(at).min(self.bytes.len());
        let bytes = self.bytes.get(at..end).unwrap_or_default();
        Words {
            bytes: &bytes[..bytes.len() / 8 * 8],
            swap: self.swap,
        }
    }

    /// The histogram of `buckets` buckets whose value words start at byte `at`, if it lies
    /// wholly within the words.
    pub(crate) fn histogram_at(&self, at: usize, buckets: usize) -> Option<HistogramReading<'a>> {
        let word = |i: usize| self.get(at + i * 8);
        // The count (the buckets' sum) is computed when asked: a reader after names or other
        // kinds does not pay a pass over every bucket.
        Some(HistogramReading {
            sum: word(0)?,
            min: word(1)?,
            max: word(2)?,
            buckets: self.slice(at + HISTOGRAM_HEAD_WORDS * 8, buckets.checked_mul(8)?)?,
        })
    }

    fn slice(&self, start: usize, len: usize) -> Option<Words<'a>> {
        let bytes = self.bytes.get(start..start.checked_add(len)?)?;
        Some(Words {
            bytes,
            swap: self.swap,
        })
    }
}

impl Values for Words<'_> {
    fn word(&self, at: usize) -> Option<u64> {
        self.get(at)
    }

    fn sum(&self, at: usize, n: usize) -> u64 {
        self.range(at, n).sum()
    }

    fn copy(&self, at: usize, out: &mut [u64]) {
        let words = self.range(at, out.len());
        for (o, w) in out.iter_mut().zip(words.iter()) {
            *o = w;
        }
        out[words.bytes.len() / 8..].fill(0);
    }

    fn any(&self, at: usize, n: usize) -> bool {
        // OR-folds of 64-byte blocks vectorise; the early exit is per block.
        let bytes = self.range(at, n).bytes;
        let mut blocks = bytes.chunks_exact(64);
        blocks
            .by_ref()
            .any(|block| block.iter().fold(0, |a, &b| a | b) != 0)
            || blocks.remainder().iter().any(|&b| b != 0)
    }
}

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
    pub(crate) fn words(&self) -> Words<'a> {
        self.words
    }

    /// The committed records, in registration order. Records of kinds this parser does not
    /// know are skipped by their length. After an error the iterator ends.
    pub fn records(&self) -> Records<'a> {
        Records {
            words: self.words,
            at: self.records_start,
            failed: false,
            wanted: None,
            help_and_unit: true,
        }
    }

    /// The records of the kinds `wanted` accepts, with their names and values only (`help` and
    /// `unit` are empty, neither read nor checked: for a renderer that prints neither). Records
    /// of other kinds are skipped by their length without reading their texts or values, so a
    /// renderer making a pass per kind pays only for what it renders.
    pub(crate) fn names_and_values_of(&self, wanted: fn(Kind) -> bool) -> Records<'a> {
        Records {
            wanted: Some(wanted),
            help_and_unit: false,
            ..self.records()
        }
    }
}

/// Iterator over the records of a [`Stats`].
#[derive(Debug, Clone)]
pub struct Records<'a> {
    words: Words<'a>,
    at: usize,
    failed: bool,
    wanted: Option<fn(Kind) -> bool>,
    help_and_unit: bool,
}

/// One metric read from a stats file.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Record<'a> {
    /// The metric's name.
    pub name: &'a str,
    /// Its help text (may be empty).
    pub help: &'a str,
    /// Its unit (may be empty).
    pub unit: &'a str,
    /// The kind it was registered as.
    pub kind: Kind,
    /// Its value.
    pub value: Value<'a>,
    /// Where the value lies in the file, for renderers that note the places of numbers.
    pub(crate) place: Place<'a>,
}

/// Records are equal when their names, texts, kinds and values are, wherever they were read.
impl PartialEq for Record<'_> {
    fn eq(&self, other: &Self) -> bool {
        (self.name, self.help, self.unit, self.kind, self.value)
            == (other.name, other.help, other.unit, other.kind, other.value)
    }
}

/// Where a record's value words lie: the whole file (so a number can be read again from a
/// later snapshot of the same layout), the byte offset of the first value word, and the
/// record's kind parameter (shards, buckets).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Place<'a> {
    pub(crate) words: Words<'a>,
    pub(crate) values_at: usize,
    pub(crate) param: usize,
}

/// A metric's value as read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value<'a> {
    /// A counter's count; for a sharded counter, the sum over its shards.
    Counter(u64),
    /// A gauge.
    Gauge(GaugeReading),
    /// A histogram.
    Histogram(HistogramReading<'a>),
    /// Static text.
    Info(&'a str),
}

/// A gauge as read: its value and the min/max of its current window.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GaugeReading {
    /// The value.
    pub value: f64,
    /// Smallest value since the writer last rolled the window.
    pub min: f64,
    /// Largest value since the writer last rolled the window.
    pub max: f64,
}

impl<'a> Iterator for Records<'a> {
    type Item = Result<Record<'a>, ParseError>;

    fn next(&mut self) -> Option<Self::Item> {
        while !self.failed && self.at < self.words.bytes.len() {
            let at = self.at;
            if let Some(wanted) = self.wanted {
                match skip_unwanted(self.words, at, wanted) {
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

/// The length of the record at `at` if its kind is not `wanted` (unknown kinds included).
fn skip_unwanted(
    words: Words<'_>,
    at: usize,
    wanted: fn(Kind) -> bool,
) -> Result<Option<usize>, ParseErrorKind> {
    let frame = words.get(at).ok_or(ParseErrorKind::BadRecordLength)?;
    let (len, code, _) = unpack_frame(frame);
    if Kind::from_code(code).is_some_and(wanted) {
        return Ok(None);
    }
    let len = len as usize;
    words
        .slice(at, len)
        .filter(|_| len % 8 == 0 && len >= 16)
        .map(|_| Some(len))
        .ok_or(ParseErrorKind::BadRecordLength)
}

/// Reads the record at `at`: its length and, for known kinds, its contents (without help and
/// unit unless `help_and_unit`).
fn read_record(
    words: Words<'_>,
    at: usize,
    help_and_unit: bool,
) -> Result<(usize, Option<Record<'_>>), ParseErrorKind> {
    use ParseErrorKind::*;
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
    let Some(kind) = Kind::from_code(code) else {
        return Ok((len, None)); // a kind from a newer writer: skipped by its length
    };
    let (name_len, help_len, unit_len) = (name_len as usize, help_len as usize, unit_len as usize);
    let text_len = name_len + help_len + unit_len;
    let value_at = 16 + words_for(text_len) * 8;
    let text = record
        .bytes
        .get(16..16 + text_len)
        .filter(|_| value_at <= len)
        .ok_or(BadRecordLength)?;
    let (name, rest) = text.split_at(name_len);
    let (help, unit) = rest.split_at(help_len);
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
    let values = record
        .slice(value_at, len - value_at)
        .ok_or(BadRecordLength)?;
    let value = read_value(kind, param as usize, values)?;
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
            place,
        }),
    ))
}

fn read_value(kind: Kind, param: usize, values: Words<'_>) -> Result<Value<'_>, ParseErrorKind> {
    let words = values.bytes.len() / 8;
    let word = |i: usize| values.get(i * 8).unwrap_or(0);
    let bad = Err(ParseErrorKind::BadValueLayout);
    match kind {
        Kind::Counter if words == 1 => Ok(Value::Counter(word(0))),
        Kind::ShardedCounter
            if (1..=MAX_SHARDS).contains(&param) && words == param * SHARD_WORDS =>
        {
            Ok(Value::Counter(values.counter_at(0, param)))
        }
        Kind::Gauge if words == 3 => Ok(Value::Gauge(values.gauge_at(0))),
        Kind::Histogram
            if (1..=MAX_BUCKETS).contains(&param) && words == HISTOGRAM_HEAD_WORDS + param =>
        {
            values
                .histogram_at(0, param)
                .map(Value::Histogram)
                .ok_or(ParseErrorKind::BadValueLayout)
        }
        Kind::Info if param <= layout::MAX_INFO_LEN && words == words_for(param) => {
            let text = values
                .bytes
                .get(..param)
                .ok_or(ParseErrorKind::BadValueLayout)?;
            validate_info(text)
                .map(Value::Info)
                .map_err(ParseErrorKind::BadInfo)
        }
        _ => bad,
    }
}

/// What [`HistogramReading::summary`] gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct HistogramSummary<const N: usize> {
    /// Values recorded.
    pub count: u64,
    /// Smallest value recorded, if any.
    pub min: Option<u64>,
    /// Largest value recorded, if any.
    pub max: Option<u64>,
    /// The quantiles asked for, in the order asked.
    pub quantiles: [Option<u64>; N],
}

/// A histogram as read from a file, with quantiles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistogramReading<'a> {
    sum: u64,
    min: u64,
    max: u64,
    buckets: Words<'a>,
}

impl HistogramReading<'_> {
    /// Values recorded (the sum of the buckets; one pass over them).
    pub fn count(&self) -> u64 {
        self.buckets.sum()
    }

    /// The bucket counts, in bucket order.
    pub fn buckets(&self) -> impl Iterator<Item = u64> + '_ {
        self.buckets.iter()
    }

    /// Whether any value was recorded (stops at the first non-empty bucket).
    fn has_values(&self) -> bool {
        self.buckets.any(0, self.bucket_count())
    }

    /// Sum of the values recorded (wrapping).
    pub fn sum(&self) -> u64 {
        self.sum
    }

    /// Smallest value recorded, if any.
    pub fn min(&self) -> Option<u64> {
        (self.min <= self.max && self.has_values()).then_some(self.min)
    }

    /// Largest value recorded, if any.
    pub fn max(&self) -> Option<u64> {
        (self.min <= self.max && self.has_values()).then_some(self.max)
    }

    /// Number of buckets.
    pub fn bucket_count(&self) -> usize {
        self.buckets.bytes.len() / 8
    }

    /// The count in bucket `index` (0 past the end).
    pub fn bucket(&self, index: usize) -> u64 {
        index
            .checked_mul(8)
            .and_then(|at| self.buckets.get(at))
            .unwrap_or(0)
    }

    /// Values recorded below `bound` (exclusive), exact when `bound` is a bucket's lower edge
    /// (any power of two is); otherwise counts the buckets that lie wholly below it.
    pub fn count_below(&self, bound: u64) -> u64 {
        let end = crate::bucket::bucket_index(bound).min(self.bucket_count());
        (0..end).fold(0u64, |n, i| n.wrapping_add(self.bucket(i)))
    }

    /// The value at quantile `q` (0.0 to 1.0): the midpoint of the bucket holding that rank,
    /// kept within the recorded min and max, so within 3.125% of the true value (exact below
    /// 16). A rank that falls in the overflow bucket (values past the histogram's range)
    /// reports the recorded maximum. `None` when empty.
    ///
    /// ```
    /// # use mutornadomon_core::{parse, Meta, Storage, Value};
    /// static STATS: Storage<2048> = Storage::new();
    /// let h = STATS.region().histogram("latency", Meta::new())?;
    /// (1..=1000).for_each(|v| h.record(v));
    /// let mut buf = [0u8; 8192];
    /// let n = STATS.region().snapshot(&mut buf)?;
    /// let Value::Histogram(read) = parse(&buf[..n])?.records().next().unwrap()?.value else { panic!() };
    /// let p50 = read.quantile(0.5).unwrap() as f64;
    /// assert!((p50 - 500.0).abs() / 500.0 < 0.0625);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn quantile(&self, q: f64) -> Option<u64> {
        self.quantiles([q])[0]
    }

    /// Several quantiles in one pass over the buckets, each as [`quantile`](Self::quantile)
    /// gives it.
    ///
    /// ```
    /// # use mutornadomon_core::{parse, Meta, Storage, Value};
    /// static STATS: Storage<2048> = Storage::new();
    /// let h = STATS.region().histogram("latency", Meta::new())?;
    /// (1..=1000).for_each(|v| h.record(v));
    /// let mut buf = [0u8; 8192];
    /// let n = STATS.region().snapshot(&mut buf)?;
    /// let Value::Histogram(read) = parse(&buf[..n])?.records().next().unwrap()?.value else { panic!() };
    /// let [p50, p99] = read.quantiles([0.5, 0.99]);
    /// assert_eq!(p50, read.quantile(0.5));
    /// assert_eq!(p99, read.quantile(0.99));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn quantiles<const N: usize>(&self, qs: [f64; N]) -> [Option<u64>; N] {
        self.summary(qs).quantiles
    }

    /// Count, min, max and the quantiles `qs` together: one pass over the buckets between
    /// min's and max's for the count, one (stopping at the last quantile's bucket) for the
    /// quantiles.
    ///
    /// ```
    /// # use mutornadomon_core::{parse, Meta, Storage, Value};
    /// static STATS: Storage<2048> = Storage::new();
    /// let h = STATS.region().histogram("latency", Meta::new())?;
    /// (1..=100).for_each(|v| h.record(v));
    /// let mut buf = [0u8; 8192];
    /// let n = STATS.region().snapshot(&mut buf)?;
    /// let Value::Histogram(read) = parse(&buf[..n])?.records().next().unwrap()?.value else { panic!() };
    /// let summary = read.summary([0.5]);
    /// assert_eq!((summary.count, summary.min, summary.max), (100, Some(1), Some(100)));
    /// assert_eq!(summary.quantiles, [read.quantile(0.5)]);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn summary<const N: usize>(&self, qs: [f64; N]) -> HistogramSummary<N> {
        let buckets = self.bucket_count();
        crate::values::summarize(&self.buckets, 0, buckets, self.min, self.max, qs)
    }
}
