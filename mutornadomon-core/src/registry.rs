//! Registration: the records a region's metrics are, written under the registration lock.
//! The lookup index is `index.rs`; mutornadomon's by-name calls are `by_name.rs`.
//!
//! Registration takes the header's lock word (a spin flag; it only ever guards a few hundred
//! stores, never user code), appends a record after the committed end, commits it with a Release
//! store of the committed length, then publishes it in the open-addressing index at the region's
//! tail. Lookups never lock: they probe the index with Acquire loads (`Region::probe`).

use crate::gauge::{self, Gauge, GAUGE_WINDOWS, GAUGE_WORDS};
#[cfg(feature = "labels")]
use crate::label_rules::{joined, joined_len, validate_label_names};
use crate::layout::{
    self, frame_word, header, kind_code, lengths_word, unpack_family_param, unpack_lengths,
    words_for, MAX_UNIT_LEN, RECORD_HEAD_WORDS,
};
use crate::metrics::{Counter, Histogram, Kind, Meta, ShardedCounter};
use crate::name::{validate_help, validate_info, validate_name, validate_unit};
use crate::name_clash::ClashCheck;
use crate::record_words::{store_bytes, text_bytes, unit_of, value_offset};
use crate::register_error::RegisterError;
use crate::sync::{spin_wait, AtomicU64, Ordering};
use crate::Region;

/// What a registration asks for.
pub(crate) struct Spec<'t> {
    /// The value kind (a family's: its series' kind).
    pub kind: Kind,
    /// Label names: none for a plain metric, one or more for a family record.
    pub labels: &'t [&'t str],
    /// Kind-specific parameter word: bucket count, shard count, info length (a family keeps
    /// it in its values; its own parameter holds the label text length and value kind).
    pub param: u32,
    pub value_words: usize,
    /// Initial value words.
    pub init: &'t dyn Fn(usize) -> u64,
    /// Text stored as the value (info records).
    pub value_text: &'t str,
}

/// What a counter's registration asks for (a constant: read-only data, not a value built on
/// the stack by each call).
const COUNTER: Spec<'static> = Spec {
    kind: Kind::Counter,
    param: 0,
    value_words: 1,
    init: &|_| 0,
    labels: &[],
    value_text: "",
};

/// What a gauge's registration asks for.
const GAUGE: Spec<'static> = Spec {
    kind: Kind::Gauge,
    param: GAUGE_WINDOWS,
    value_words: GAUGE_WORDS,
    init: &gauge::initial_word,
    labels: &[],
    value_text: "",
};

/// Without feature `labels` no registration has label names: their text is empty.
#[cfg(not(feature = "labels"))]
fn joined<'p>(_: &'p [&'p str]) -> core::iter::Empty<u8> {
    core::iter::empty()
}

#[cfg(not(feature = "labels"))]
fn joined_len(_: &[&str]) -> usize {
    0
}

/// Holds the registration lock; released on drop.
pub(crate) struct RegistrationLock<'a>(&'a AtomicU64);

impl Drop for RegistrationLock<'_> {
    fn drop(&mut self) {
        // Release pairs with the Acquire in `lock`: the next registrant sees our records.
        self.0.store(0, Ordering::Release);
    }
}

impl<'a> Region<'a> {
    pub(crate) fn lock(&self) -> RegistrationLock<'a> {
        let flag = &self.words[header::LOCK];
        loop {
            // Acquire pairs with the Release in `RegistrationLock::drop`.
            if flag
                .compare_exchange(0, 1, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
            {
                return RegistrationLock(flag);
            }
            // Relaxed: only a hint to retry; the CAS above does the synchronising.
            while flag.load(Ordering::Relaxed) != 0 {
                spin_wait();
            }
        }
    }

    pub(crate) fn refuse(&self, error: RegisterError) -> RegisterError {
        // Relaxed: a statistic; nothing is published through it.
        self.words[header::REFUSED].fetch_add(1, Ordering::Relaxed);
        error
    }

    /// Registers a record, or finds the one already under this name. Returns its value words.
    // Inlined into each registration call: called, it moved the whole result (as large as a
    // `RegisterError`) once more (80 B more code in the statsd program, 144 B in the pages').
    #[inline(always)]
    pub(crate) fn register(
        &self,
        name: &str,
        meta: &Meta<'_>,
        spec: &Spec<'_>,
    ) -> Result<&'a [AtomicU64], RegisterError> {
        let record = self.register_record(name, meta, spec)?;
        Ok(&record[value_offset(record)..])
    }

    /// [`register`](Self::register), giving the whole record (framing, texts, values).
    pub(crate) fn register_record(
        &self,
        name: &str,
        meta: &Meta<'_>,
        spec: &Spec<'_>,
    ) -> Result<&'a [AtomicU64], RegisterError> {
        self.register_inner(name, meta, spec)
            .map_err(|e| self.refuse(e))
    }

    /// [`register_record`](Self::register_record) before a refusal is counted. Inlined into
    /// it (its one caller): 16 B less code.
    #[inline(always)]
    fn register_inner(
        &self,
        name: &str,
        meta: &Meta<'_>,
        spec: &Spec<'_>,
    ) -> Result<&'a [AtomicU64], RegisterError> {
        validate_name(name).map_err(RegisterError::InvalidName)?;
        let labelled = cfg!(feature = "labels") && !spec.labels.is_empty();
        #[cfg(feature = "labels")]
        if labelled {
            validate_label_names(spec.labels.iter().map(|l| l.as_bytes()))
                .map_err(RegisterError::InvalidLabels)?;
        }
        // The name is looked up twice: first without the lock, then under it (someone may
        // have registered it while we waited). One call site for both: the lookup's result is
        // as large as an error, and each call site moved it (123 B of code each).
        let mut checked = None;
        let (help, unit, clash, _lock) = loop {
            if let Some(done) = self.existing(name, spec) {
                return done;
            }
            if let Some(checked) = checked {
                break checked;
            }
            let help = validate_help(meta.help).map_err(RegisterError::InvalidHelp)?;
            let unit = validate_unit(meta.unit).map_err(RegisterError::InvalidUnit)?;
            validate_info(spec.value_text).map_err(RegisterError::InvalidInfo)?;
            // The scan of what is committed runs before the lock; under it, only what others
            // committed meanwhile is checked.
            let clash = ClashCheck::before_lock(self, name, unit, spec.kind)?;
            checked = Some((help, unit, clash, self.lock()));
        };
        clash.under_lock(self)?;
        let labels_len = joined_len(spec.labels);
        let text_words = words_for(name.len() + help.len() + unit.len() + labels_len);
        let value_at = RECORD_HEAD_WORDS + text_words;
        let record_words = value_at + spec.value_words;
        let (start, count) = self.allocate(record_words)?;

        let record = &self.words[start..start + record_words];
        let (code, param) = (spec.kind.code(), spec.param);
        #[cfg(feature = "labels")]
        let (code, param) = if labelled {
            // Lengths fit: at most 8 names of 64 bytes.
            let param = crate::layout::family_param(labels_len as u16, spec.kind.code());
            (kind_code::FAMILY, param)
        } else {
            (code, param)
        };
        let _ = labelled;
        // Text lengths fit their fields: validation capped them far below u16::MAX.
        let frame = frame_word(
            (record_words * 8) as u32,
            code,
            clash.name_key(),
            name.len() as u16,
        );
        // Relaxed stores: all published by the Release store of COMMITTED in `commit`.
        record[0].store(frame, Ordering::Relaxed);
        let lengths = lengths_word(help.len() as u16, unit.len() as u16, param);
        record[1].store(lengths, Ordering::Relaxed);
        let text: &[&[u8]] = &[name.as_bytes(), help.as_bytes(), unit.as_bytes()];
        #[cfg(feature = "labels")]
        let mut with_labels = [&[][..]; 3 + 2 * crate::MAX_LABELS];
        #[cfg(feature = "labels")]
        let text = crate::label_rules::joined_parts(text, spec.labels, &mut with_labels);
        store_bytes(&record[RECORD_HEAD_WORDS..value_at], text);
        let values = &record[value_at..];
        if spec.kind == Kind::Info {
            store_bytes(values, &[spec.value_text.as_bytes()]);
        } else {
            for (i, word) in values.iter().enumerate() {
                word.store((spec.init)(i), Ordering::Relaxed);
            }
        }
        self.commit(start, record_words, count);
        self.publish(crate::index::hash_name(name.as_bytes()), start);
        Ok(record)
    }

    /// Room for a record of `record_words` after the committed end: its word offset and the
    /// record count before it. Caller holds the lock.
    pub(crate) fn allocate(&self, record_words: usize) -> Result<(usize, usize), RegisterError> {
        // Relaxed: we hold the lock, and only lock holders write these two words.
        let start = self.words[header::COMMITTED].load(Ordering::Relaxed) as usize / 8;
        let count = self.words[header::RECORD_COUNT].load(Ordering::Relaxed) as usize;
        if start < layout::HEADER_WORDS {
            return Err(RegisterError::Corrupt); // never overwrite the header
        }
        let max = layout::max_records(self.words.len());
        if count >= max {
            return Err(RegisterError::TooManyMetrics { max });
        }
        let limit = self.index().as_ptr() as usize;
        let limit = (limit - self.words.as_ptr() as usize) / core::mem::size_of::<AtomicU64>();
        let available = limit.saturating_sub(start);
        if record_words > available {
            return Err(RegisterError::Full {
                needed: record_words * 8,
                available: available * 8,
            });
        }
        Ok((start, count))
    }

    /// Commits the record written at `start`: readers see it from here on. Caller holds the
    /// lock.
    // Not inlined into each registration path (cold; 16-32 B less code).
    #[inline(never)]
    pub(crate) fn commit(&self, start: usize, record_words: usize, count: usize) {
        // Relaxed: the record count is published with the committed end below.
        self.words[header::RECORD_COUNT].store(count as u64 + 1, Ordering::Relaxed);
        // Release pairs with the Acquire in `committed()`: readers see the whole record.
        self.words[header::COMMITTED].store(((start + record_words) * 8) as u64, Ordering::Release);
    }

    /// Looks the name up: `None` if it is not registered, else what registering it gives (the
    /// record, or the error for a record of another kind or with other label names).
    fn existing(
        &self,
        name: &str,
        spec: &Spec<'_>,
    ) -> Option<Result<&'a [AtomicU64], RegisterError>> {
        let (code, record) = self.find(name.as_bytes())?;
        let kind = spec.kind;
        let (stored_code, stored_labels) = if cfg!(feature = "labels") && code == kind_code::FAMILY
        {
            let (help_len, unit_len, param) = unpack_lengths(record[1].load(Ordering::Relaxed));
            let (labels_len, value_code) = unpack_family_param(param);
            let start = name.len() + usize::from(help_len) + usize::from(unit_len);
            let labels = text_bytes(record, start, labels_len);
            let same = labels_len == joined_len(spec.labels) && labels.eq(joined(spec.labels));
            (value_code, Some(same))
        } else {
            (code, None)
        };
        if stored_code != kind.code() {
            return Some(Err(RegisterError::KindMismatch {
                existing: Kind::from_code(stored_code).unwrap_or(kind),
                requested: kind,
            }));
        }
        Some(match (stored_labels, spec.labels.is_empty()) {
            (None, true) | (Some(true), false) => Ok(record),
            _ => Err(RegisterError::LabelsMismatch),
        })
    }

    /// Registers a counter, or returns the one already under `name`.
    ///
    /// ```
    /// # use mutornadomon_core::{Meta, Storage};
    /// static STATS: Storage<512> = Storage::new();
    /// let region = STATS.region();
    /// let served = region.counter("requests", Meta::new().help("Requests served"))?;
    /// served.inc_by(2);
    /// assert_eq!(region.counter("requests", Meta::new())?.get(), 2); // same slot
    /// # Ok::<(), mutornadomon_core::RegisterError>(())
    /// ```
    pub fn counter(&self, name: &str, meta: Meta<'_>) -> Result<Counter<'a>, RegisterError> {
        Counter::from_values(self.register(name, &meta, &COUNTER)?).ok_or(RegisterError::Corrupt)
    }

    /// Registers a sharded counter with `writers` single-writer shards (plus one shared shard),
    /// or returns the one already under `name` (with however many shards it was made with).
    ///
    /// ```
    /// # use mutornadomon_core::{Meta, Storage};
    /// static STATS: Storage<1024> = Storage::new();
    /// let jobs = STATS.region().sharded_counter("jobs", Meta::new(), 4)?;
    /// std::thread::scope(|s| {
    ///     for _ in 0..4 {
    ///         s.spawn(|| {
    ///             let mine = jobs.claim().expect("4 shards for 4 threads");
    ///             for _ in 0..1000 {
    ///                 mine.inc();
    ///             }
    ///         });
    ///     }
    /// });
    /// assert_eq!(jobs.get(), 4000);
    /// # Ok::<(), mutornadomon_core::RegisterError>(())
    /// ```
    pub fn sharded_counter(
        &self,
        name: &str,
        meta: Meta<'_>,
        writers: usize,
    ) -> Result<ShardedCounter<'a>, RegisterError> {
        if !(1..layout::MAX_SHARDS).contains(&writers) {
            return Err(self.refuse(RegisterError::InvalidShardCount));
        }
        let shards = writers + 1;
        let spec = Spec {
            kind: Kind::ShardedCounter,
            param: shards as u32,
            value_words: shards * layout::SHARD_WORDS,
            init: &|_| 0,
            labels: &[],
            value_text: "",
        };
        ShardedCounter::from_values(self.register(name, &meta, &spec)?)
            .ok_or(RegisterError::Corrupt)
    }

    /// Registers a gauge (value plus window min/max, all `f64`), or returns the existing one.
    ///
    /// ```
    /// # use mutornadomon_core::{Meta, Storage};
    /// static STATS: Storage<512> = Storage::new();
    /// let lag = STATS.region().gauge("lag", Meta::new().unit("seconds"))?;
    /// lag.set(0.25);
    /// assert_eq!(lag.get(), 0.25);
    /// # Ok::<(), mutornadomon_core::RegisterError>(())
    /// ```
    pub fn gauge(&self, name: &str, meta: Meta<'_>) -> Result<Gauge<'a>, RegisterError> {
        Gauge::from_values(self.register(name, &meta, &GAUGE)?).ok_or(RegisterError::Corrupt)
    }

    /// Registers a histogram that buckets values up to 2^40 - 1 (larger ones share an overflow
    /// bucket), or returns the existing one.
    ///
    /// ```
    /// # use mutornadomon_core::{Meta, Storage};
    /// static STATS: Storage<2048> = Storage::new();
    /// let latency = STATS.region().histogram("latency", Meta::new().unit("nanoseconds"))?;
    /// latency.record(1_500);
    /// assert_eq!(latency.count(), 1);
    /// # Ok::<(), mutornadomon_core::RegisterError>(())
    /// ```
    pub fn histogram(&self, name: &str, meta: Meta<'_>) -> Result<Histogram<'a>, RegisterError> {
        self.histogram_with_max(name, meta, (1 << 40) - 1)
    }

    /// Registers a histogram whose buckets reach `max` (values above share an overflow bucket),
    /// or returns the existing one. A smaller `max` takes less room: 8 bytes per bucket, 16
    /// buckets per power of two.
    ///
    /// ```
    /// # use mutornadomon_core::{Meta, Storage};
    /// static STATS: Storage<512> = Storage::new();
    /// let sizes = STATS.region().histogram_with_max("batch_size", Meta::new(), 1023)?;
    /// sizes.record(700);
    /// assert_eq!(sizes.max(), Some(700));
    /// # Ok::<(), mutornadomon_core::RegisterError>(())
    /// ```
    pub fn histogram_with_max(
        &self,
        name: &str,
        meta: Meta<'_>,
        max: u64,
    ) -> Result<Histogram<'a>, RegisterError> {
        let buckets = crate::bucket::buckets_for_max(max);
        let spec = Spec {
            kind: Kind::Histogram,
            param: buckets as u32,
            value_words: crate::metrics::HISTOGRAM_HEAD_WORDS + buckets,
            // sum, min (starts high so the first value wins), max, then the buckets.
            init: &|i| if i == 1 { u64::MAX } else { 0 },
            labels: &[],
            value_text: "",
        };
        let record = self.register_record(name, &meta, &spec)?;
        let histogram = Histogram::from_values(&record[value_offset(record)..]);
        let histogram = histogram.ok_or(RegisterError::Corrupt)?;
        let mut unit = [0u8; MAX_UNIT_LEN];
        Ok(histogram.with_unit(unit_of(record, &mut unit)))
    }

    /// Registers a static text (a version string, a build id). Info records are written once:
    /// registering the name again keeps the first text.
    ///
    /// ```
    /// # use mutornadomon_core::{Meta, Storage};
    /// static STATS: Storage<512> = Storage::new();
    /// STATS.region().info("version", Meta::new(), env!("CARGO_PKG_VERSION"))?;
    /// # Ok::<(), mutornadomon_core::RegisterError>(())
    /// ```
    pub fn info(&self, name: &str, meta: Meta<'_>, text: &str) -> Result<(), RegisterError> {
        let spec = Spec {
            kind: Kind::Info,
            param: text.len() as u32,
            value_words: words_for(text.len()),
            init: &|_| 0,
            labels: &[],
            value_text: text,
        };
        self.register(name, &meta, &spec).map(|_| ())
    }
}
