//! The region: a header and records in caller-provided atomic words.

use crate::layout::{self, header, kind_code, HEADER_WORDS, MAX_WORDS, MIN_WORDS};
use crate::sync::{AtomicU64, Ordering};
use core::fmt;

/// Fixed-size storage for a region, for `static`s and stack frames.
///
/// The header is written by the `const` constructor, so a `static` needs no runtime set-up:
///
/// ```
/// use mutornadomon_core::{Meta, Storage};
/// static STATS: Storage<1024> = Storage::new();
///
/// let requests = STATS.region().counter("requests", Meta::new())?;
/// requests.inc();
/// assert_eq!(requests.get(), 1);
/// # Ok::<(), mutornadomon_core::RegisterError>(())
/// ```
#[cfg(not(loom))]
#[repr(C)]
pub struct Storage<const WORDS: usize> {
    words: [AtomicU64; WORDS],
}

#[cfg(not(loom))]
impl<const WORDS: usize> Storage<WORDS> {
    /// Empty, formatted storage of `WORDS` 8-byte words (at least 64).
    pub const fn new() -> Self {
        const {
            assert!(
                WORDS >= MIN_WORDS && WORDS <= MAX_WORDS,
                "a region needs 64 words or more"
            )
        };
        let values = layout::initial_header(WORDS);
        let mut words = [const { AtomicU64::new(0) }; WORDS];
        let mut i = 0;
        while i < HEADER_WORDS {
            words[i] = AtomicU64::new(values[i]);
            i += 1;
        }
        Storage { words }
    }

    /// The region stored here.
    pub fn region(&self) -> Region<'_> {
        Region { words: &self.words }
    }
}

#[cfg(not(loom))]
impl<const WORDS: usize> Default for Storage<WORDS> {
    fn default() -> Self {
        Self::new()
    }
}

/// Why [`Region::format`] or [`Region::attach`] refused a block of words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FormatError {
    words: usize,
    reason: &'static str,
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot use {} words as a stats region: {}",
            self.words, self.reason
        )
    }
}

impl core::error::Error for FormatError {}

/// A snapshot buffer was too small.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BufferTooSmall {
    /// Bytes the operation needs.
    pub needed: usize,
}

impl fmt::Display for BufferTooSmall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "buffer too small: need {} bytes", self.needed)
    }
}

impl core::error::Error for BufferTooSmall {}

/// A view of a stats region: the registration API, the by-name calls and snapshots.
///
/// `Region` is a shared reference in disguise: `Copy`, `Send`, `Sync`. Several views of the same
/// words share everything, including the registration lock, which lives in the header.
#[derive(Clone, Copy)]
pub struct Region<'a> {
    pub(crate) words: &'a [AtomicU64],
}

impl<'a> Region<'a> {
    /// Formats `words` as an empty region, erasing whatever they held, and returns it.
    ///
    /// This is how a backend turns memory it owns (an mmap'd file) into a region. Nothing else
    /// may use the words while this runs.
    ///
    /// ```
    /// use mutornadomon_core::{AtomicU64, Meta, Region};
    /// let words: Vec<AtomicU64> = (0..512).map(|_| AtomicU64::new(0)).collect();
    /// let region = Region::format(&words)?;
    /// region.gauge("temperature", Meta::new().unit("celsius"))?.set(21.5);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn format(words: &'a [AtomicU64]) -> Result<Region<'a>, FormatError> {
        check_size(words)?;
        let values = layout::initial_header(words.len());
        // Relaxed throughout: the caller guarantees no one else uses the words during formatting,
        // and handing the region to other threads synchronises them (spawn, channel, mmap).
        for word in &words[HEADER_WORDS..] {
            word.store(0, Ordering::Relaxed);
        }
        for (word, value) in words.iter().zip(values) {
            word.store(value, Ordering::Relaxed);
        }
        Ok(Region { words })
    }

    /// Views words that already hold a region formatted for their length on this machine (by
    /// [`format`](Self::format) or [`Storage`]), keeping its records: for a second view of
    /// shared memory, or a writer taking over its own region again.
    ///
    /// ```
    /// use mutornadomon_core::{AtomicU64, Meta, Region};
    /// let words: Vec<AtomicU64> = (0..256).map(|_| AtomicU64::new(0)).collect();
    /// assert!(Region::attach(&words).is_err()); // not formatted yet
    /// Region::format(&words)?.count("kept", 1)?;
    /// assert_eq!(Region::attach(&words)?.counter("kept", Meta::new())?.get(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn attach(words: &'a [AtomicU64]) -> Result<Region<'a>, FormatError> {
        check_size(words)?;
        let expected = layout::initial_header(words.len());
        // Relaxed: the caller synchronised with whoever formatted the words (they hand them
        // over); the committed end is read with Acquire by every later use.
        let load = |i: usize| words[i].load(Ordering::Relaxed);
        let fixed = [
            header::MAGIC,
            header::ENDIAN,
            header::VERSION,
            header::HEADER_LEN,
            header::CAPACITY,
            header::INDEX_OFFSET,
            header::INDEX_SLOTS,
            header::RECORDS_START,
        ];
        if fixed.iter().any(|&i| load(i) != expected[i]) {
            let reason = "no region formatted for this size and byte order is there";
            return Err(FormatError {
                words: words.len(),
                reason,
            });
        }
        let committed = load(header::COMMITTED);
        if committed % 8 != 0
            || committed < expected[header::RECORDS_START]
            || committed > expected[header::INDEX_OFFSET]
        {
            return Err(FormatError {
                words: words.len(),
                reason: "its committed length is out of range",
            });
        }
        Ok(Region { words })
    }

    /// Total size of the region in bytes.
    pub fn capacity(&self) -> usize {
        self.words.len() * 8
    }

    /// Bytes holding header and committed records: what [`snapshot`](Self::snapshot) copies.
    ///
    /// ```
    /// # use mutornadomon_core::Storage;
    /// static STATS: Storage<256> = Storage::new();
    /// assert_eq!(STATS.region().snapshot_len(), 128); // just the header
    /// ```
    pub fn snapshot_len(&self) -> usize {
        self.committed()
    }

    /// Registrations refused so far (full region, invalid name, kind clash).
    pub fn refused(&self) -> u64 {
        // Relaxed: a statistic, read on its own.
        self.words[header::REFUSED].load(Ordering::Relaxed)
    }

    /// Records the writer's process id in the header.
    pub fn set_pid(&self, pid: u64) {
        self.store_header(header::PID, pid);
    }

    /// Records when the writer's process started, in nanoseconds since the Unix epoch, so
    /// readers can tell a reused pid from the writer.
    pub fn set_start_time(&self, unix_nanos: u64) {
        self.store_header(header::START_TIME, unix_nanos);
    }

    /// Records when this region was created, in nanoseconds since the Unix epoch.
    pub fn set_creation_time(&self, unix_nanos: u64) {
        self.store_header(header::CREATION_TIME, unix_nanos);
    }

    /// Refreshes the heartbeat (nanoseconds since the Unix epoch); a stale one shows a stalled
    /// writer.
    ///
    /// ```
    /// # use mutornadomon_core::{parse, Storage};
    /// static STATS: Storage<256> = Storage::new();
    /// STATS.region().set_heartbeat(1_700_000_000_000_000_000);
    /// let mut buf = [0u8; 256];
    /// let n = STATS.region().snapshot(&mut buf)?;
    /// assert_eq!(parse(&buf[..n])?.header().heartbeat_ns, 1_700_000_000_000_000_000);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_heartbeat(&self, unix_nanos: u64) {
        self.store_header(header::HEARTBEAT, unix_nanos);
    }

    fn store_header(&self, field: usize, value: u64) {
        // Relaxed: header fields are independent values; nothing is published through them.
        self.words[field].store(value, Ordering::Relaxed);
    }

    /// Copies the header and every committed record into `out` with atomic loads, returning the
    /// bytes written. The copy is a valid stats file for [`parse`](crate::parse).
    ///
    /// ```
    /// # use mutornadomon_core::{parse, Meta, Storage, Value};
    /// static STATS: Storage<256> = Storage::new();
    /// STATS.region().count("jobs", 3)?;
    /// let mut buf = [0u8; 2048];
    /// let n = STATS.region().snapshot(&mut buf)?;
    /// let record = parse(&buf[..n])?.records().next().unwrap()?;
    /// assert_eq!((record.name, record.value), ("jobs", Value::Counter(3)));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn snapshot(&self, out: &mut [u8]) -> Result<usize, BufferTooSmall> {
        let committed = self.committed();
        let out = out
            .get_mut(..committed)
            .ok_or(BufferTooSmall { needed: committed })?;
        for (chunk, word) in out.chunks_exact_mut(8).zip(self.words) {
            // Relaxed: the Acquire load in `committed()` already made every record up to
            // `committed` visible; values are independent atomics.
            chunk.copy_from_slice(&word.load(Ordering::Relaxed).to_ne_bytes());
        }
        // A registration may have committed more while we copied; the copy ends where we stopped.
        let at = header::COMMITTED * 8;
        out[at..at + 8].copy_from_slice(&(committed as u64).to_ne_bytes());
        Ok(committed)
    }

    /// Like [`snapshot`](Self::snapshot), then starts every gauge's min/max afresh (both
    /// windows: min = max = the value): the mutornadomon behaviour of "min/max since the last
    /// read", for a single in-process reader.
    pub fn snapshot_and_roll(&self, out: &mut [u8]) -> Result<usize, BufferTooSmall> {
        let written = self.snapshot(out)?;
        self.for_each_gauge(crate::gauge::Gauge::reset);
        Ok(written)
    }

    /// Ends every gauge's current min/max window and starts a new one at the current value.
    /// A gauge reports its extremes over the window just ended and the new one, so an extreme
    /// stays visible for at least one whole window after it happened: a reader that reads at
    /// least once per window sees every one.
    ///
    /// Only the writer calls this (a backend's tick, or the program itself); readers never
    /// change the region, so any number of them see the same values.
    ///
    /// ```
    /// # use mutornadomon_core::{Meta, Storage};
    /// static STATS: Storage<256> = Storage::new();
    /// let depth = STATS.region().gauge("queue_depth", Meta::new())?;
    /// depth.set(9.0);
    /// depth.set(4.0);
    /// assert_eq!((depth.min(), depth.max()), (4.0, 9.0));
    /// STATS.region().roll(); // the spike to 9 is still reported...
    /// assert_eq!((depth.min(), depth.max()), (4.0, 9.0));
    /// STATS.region().roll(); // ...until a whole window has passed without it
    /// assert_eq!((depth.min(), depth.max()), (4.0, 4.0));
    /// # Ok::<(), mutornadomon_core::RegisterError>(())
    /// ```
    pub fn roll(&self) {
        self.for_each_gauge(crate::gauge::Gauge::roll);
    }

    fn for_each_gauge(&self, f: fn(&crate::gauge::Gauge<'a>)) {
        for (kind, values) in self.committed_records() {
            if kind == kind_code::GAUGE {
                if let Some(gauge) = crate::gauge::Gauge::from_values(values) {
                    f(&gauge);
                }
            }
        }
    }

    /// The committed end of the records, in bytes. Acquire pairs with the Release store that
    /// commits a registration, so every record before it is fully written.
    ///
    /// Clamped to the header's end through the capacity, word-aligned: the words may be a
    /// file another process can write, and no value there may send a caller out of bounds.
    pub(crate) fn committed(&self) -> usize {
        let committed = self.words[header::COMMITTED].load(Ordering::Acquire);
        let committed = usize::try_from(committed).unwrap_or(usize::MAX);
        committed.clamp(layout::HEADER_BYTES, self.capacity()) / 8 * 8
    }

    /// Walks committed records, yielding each one's value kind code and value words: a
    /// family's overflow series and each series of a family come as the family's value kind.
    pub(crate) fn committed_records(&self) -> impl Iterator<Item = (u8, &'a [AtomicU64])> + 'a {
        #[cfg(feature = "labels")]
        let region = *self;
        let words = self.words;
        let end = self.committed() / 8;
        let mut at = layout::HEADER_WORDS;
        core::iter::from_fn(move || {
            if at >= end {
                return None;
            }
            // Relaxed: record framing is immutable once committed (see `committed`).
            let (len, kind, _) = layout::unpack_frame(words[at].load(Ordering::Relaxed));
            let record = words.get(at..at + len as usize / 8)?;
            let values = &record[crate::record_words::value_offset(record)..];
            at += (len as usize / 8).max(1);
            Some(match kind {
                #[cfg(feature = "labels")]
                kind_code::FAMILY => (
                    family_value_code(record),
                    values.get(layout::FAMILY_HEAD_WORDS..).unwrap_or(&[]),
                ),
                #[cfg(feature = "labels")]
                kind_code::SERIES => {
                    let (_, _, family_at) =
                        layout::unpack_lengths(record[1].load(Ordering::Relaxed));
                    let family = region.record_at(family_at as usize).unwrap_or(&[]);
                    (family_value_code(family), values)
                }
                _ => (kind, values),
            })
        })
    }
}

/// The value kind code of a family record's series (0 for anything else).
#[cfg(feature = "labels")]
fn family_value_code(record: &[AtomicU64]) -> u8 {
    // Relaxed: committed records are immutable (see `Region::committed`).
    let word = |i: usize| record.get(i).map_or(0, |w| w.load(Ordering::Relaxed));
    let (_, code, _) = layout::unpack_frame(word(0));
    let (_, _, param) = layout::unpack_lengths(word(1));
    if code == kind_code::FAMILY {
        layout::unpack_family_param(param).1
    } else {
        0
    }
}

fn check_size(words: &[AtomicU64]) -> Result<(), FormatError> {
    if (MIN_WORDS..=MAX_WORDS).contains(&words.len()) {
        Ok(())
    } else {
        Err(FormatError {
            words: words.len(),
            reason: "a region needs 64 words or more",
        })
    }
}

impl fmt::Debug for Region<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Region")
            .field("capacity", &self.capacity())
            .field("committed", &self.committed())
            .field("refused", &self.refused())
            .finish()
    }
}
