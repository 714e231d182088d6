//! Labelled families: registration, series found by label values, the overflow series.
//!
//! A family is one record (FORMAT.md, kind 7): name, help, unit and label names, then four
//! family words (the series' value parameter, the series limit, the folded count, the series
//! count) and the values of its overflow series. Each labelled series is a record of its own
//! (kind 8): the label values as its text, the family's word offset as its parameter, then its
//! values. A series is published in the region's index under a hash of (family, values), so a
//! lookup is a hash and a probe or two, without locks or allocation; registering a new series
//! takes the registration lock, like any registration.

use crate::bucket::buckets_for_max;
use crate::gauge::{self, Gauge, GAUGE_WINDOWS, GAUGE_WORDS};
use crate::label_rules::{for_each_joined_word, joined_len, validate_label_values, LabelError};
use crate::layout::{
    family_word, frame_word, kind_code, lengths_word, unpack_frame, unpack_lengths, words_for,
    FAMILY_HEAD_WORDS, FNV_OFFSET, MAX_UNIT_LEN, RECORD_HEAD_WORDS,
};
use crate::metrics::{Counter, Histogram, Kind, Meta, HISTOGRAM_HEAD_WORDS};
use crate::record_words::{store_bytes, unit_of, value_offset};
use crate::register_error::RegisterError;
use crate::registry::Spec;
use crate::sync::{AtomicU64, Ordering};
use crate::Region;
use core::fmt;

/// What every family handle holds: where the family lies and how its series look.
#[derive(Clone, Copy)]
struct Family<'a> {
    region: Region<'a>,
    /// Word offset of the family record in the region.
    at: usize,
    /// The family words, then the overflow series' values.
    values: &'a [AtomicU64],
    label_count: usize,
    /// Value words of one series, and how they start.
    series_words: usize,
    init: fn(usize) -> u64,
}

impl<'a> Family<'a> {
    fn register(
        region: &Region<'a>,
        name: &str,
        meta: &Meta<'_>,
        labels: &[&str],
        limit: usize,
        (kind, param, series_words, init): (Kind, u32, usize, fn(usize) -> u64),
    ) -> Result<Self, RegisterError> {
        if labels.is_empty() {
            // Without label names the record would be a plain metric's with a family's values.
            return Err(region.refuse(RegisterError::InvalidLabels(LabelError::NoLabels)));
        }
        let limit = limit as u64;
        let family_init = move |i: usize| match i {
            family_word::VALUE_PARAM => u64::from(param),
            family_word::LIMIT => limit,
            i if i >= FAMILY_HEAD_WORDS => init(i - FAMILY_HEAD_WORDS),
            _ => 0,
        };
        let spec = Spec {
            kind,
            labels,
            param,
            value_words: FAMILY_HEAD_WORDS + series_words,
            init: &family_init,
            value_text: "",
        };
        let record = region.register_record(name, meta, &spec)?;
        let values = &record[value_offset(record)..];
        // A family found again keeps its own layout (a histogram family its bucket count,
        // whatever range this call asked for): its series are as wide as its overflow series.
        let found = values.len().checked_sub(FAMILY_HEAD_WORDS);
        // Relaxed: the record was published (or written by us under the lock).
        let param = values.first().map(|w| w.load(Ordering::Relaxed));
        let series_words = match (kind, found, param) {
            (Kind::Histogram, Some(words), Some(buckets))
                if words > HISTOGRAM_HEAD_WORDS
                    && (words - HISTOGRAM_HEAD_WORDS) as u64 == buckets =>
            {
                words
            }
            (_, Some(words), _) if words == series_words => words,
            _ => return Err(RegisterError::Corrupt),
        };
        let at = (record.as_ptr() as usize - region.words.as_ptr() as usize)
            / core::mem::size_of::<AtomicU64>();
        Ok(Family {
            region: *region,
            at,
            values,
            label_count: labels.len(),
            series_words,
            init,
        })
    }

    fn word(&self, i: usize) -> &'a AtomicU64 {
        &self.values[i]
    }

    fn overflow(&self) -> &'a [AtomicU64] {
        &self.values[FAMILY_HEAD_WORDS..]
    }

    fn folded(&self) -> u64 {
        // Relaxed: a statistic; nothing is published through it.
        self.word(family_word::FOLDED).load(Ordering::Relaxed)
    }

    fn count_fold(&self) {
        // Relaxed: a statistic, as in `folded`.
        self.word(family_word::FOLDED)
            .fetch_add(1, Ordering::Relaxed);
    }

    fn series_count(&self) -> u64 {
        // Relaxed: a statistic; the series themselves are published through the index.
        self.word(family_word::SERIES).load(Ordering::Relaxed)
    }

    /// The index hash of a series: the family's offset and the text's words, a word at a time
    /// (FNV-1a's prime on words, then a final mix so the slot bits depend on every byte).
    fn hash(&self, values: &[&str]) -> u64 {
        const PRIME: u64 = 0x0100_0000_01b3;
        let mut hash = (FNV_OFFSET ^ self.at as u64).wrapping_mul(PRIME);
        for_each_joined_word(values, |word| {
            hash = (hash ^ word).wrapping_mul(PRIME);
            true
        });
        hash ^= hash >> 33;
        hash = hash.wrapping_mul(0xff51_afd7_ed55_8ccd);
        hash ^ hash >> 33
    }

    /// The value words of the series with these label values: found, registered, or (past the
    /// limit, or with the region full) the overflow series', counting the fold.
    fn series(&self, values: &[&str]) -> Result<&'a [AtomicU64], LabelError> {
        if values.len() != self.label_count {
            return Err(LabelError::WrongValueCount {
                expected: self.label_count,
                got: values.len(),
            });
        }
        let hash = self.hash(values);
        // Values are checked only when new: a registered series' text holds valid values and
        // exactly one separator between two, so values that break the rules (a separator
        // inside one included) match none.
        if let Some(found) = self.find(hash, values) {
            return Ok(found);
        }
        validate_label_values(values, self.label_count)?;
        Ok(self.add(hash, values).unwrap_or_else(|_| {
            self.count_fold();
            self.overflow()
        }))
    }

    /// Finds a committed series without locking.
    fn find(&self, hash: u64, values: &[&str]) -> Option<&'a [AtomicU64]> {
        self.region
            .probe(hash, |record| self.series_values(record, values))
    }

    /// The value words of `record` if it is this family's series with these label values.
    fn series_values(&self, record: &'a [AtomicU64], values: &[&str]) -> Option<&'a [AtomicU64]> {
        // Relaxed: the record was made visible by the Acquire load of its index slot.
        let (_, code, text_len) = unpack_frame(record[0].load(Ordering::Relaxed));
        let (_, _, family) = unpack_lengths(record[1].load(Ordering::Relaxed));
        if code != kind_code::SERIES || family as usize != self.at {
            return None;
        }
        let text_len = usize::from(text_len);
        let value_at = RECORD_HEAD_WORDS + words_for(text_len);
        let series = record
            .get(value_at..)
            .filter(|v| v.len() == self.series_words)?;
        let mut text = record[RECORD_HEAD_WORDS..value_at].iter();
        let same = text_len == joined_len(values)
            && for_each_joined_word(values, |word| {
                text.next()
                    .is_some_and(|w| w.load(Ordering::Relaxed) == word)
            });
        same.then_some(series)
    }

    /// Appends a series record under the registration lock, unless the family is at its limit
    /// or the region is full.
    fn add(&self, hash: u64, values: &[&str]) -> Result<&'a [AtomicU64], RegisterError> {
        let region = &self.region;
        let _lock = region.lock();
        if let Some(found) = self.find(hash, values) {
            return Ok(found); // registered while we waited for the lock
        }
        // Relaxed: only lock holders write the series count, and we hold the lock.
        let registered = self.word(family_word::SERIES).load(Ordering::Relaxed);
        let limit = self.word(family_word::LIMIT).load(Ordering::Relaxed);
        if registered >= limit {
            return Err(RegisterError::TooManyMetrics {
                max: limit as usize,
            });
        }
        let text_len = joined_len(values);
        let value_at = RECORD_HEAD_WORDS + words_for(text_len);
        let record_words = value_at + self.series_words;
        let (start, count) = region.allocate(record_words)?;
        let record = &region.words[start..start + record_words];
        // Relaxed stores: published by the Release store of COMMITTED in `commit`. Lengths
        // fit: at most 8 values of 256 bytes; the family offset is below 2^32 words.
        let frame = frame_word(
            (record_words * 8) as u32,
            kind_code::SERIES,
            0,
            text_len as u16,
        );
        record[0].store(frame, Ordering::Relaxed);
        record[1].store(lengths_word(0, 0, self.at as u32), Ordering::Relaxed);
        let mut parts = [&[][..]; 2 * crate::MAX_LABELS];
        let text = crate::label_rules::joined_parts(&[], values, &mut parts);
        store_bytes(&record[RECORD_HEAD_WORDS..value_at], text);
        for (i, word) in record[value_at..].iter().enumerate() {
            word.store((self.init)(i), Ordering::Relaxed);
        }
        self.word(family_word::SERIES)
            .store(registered + 1, Ordering::Relaxed);
        region.commit(start, record_words, count);
        region.publish(hash, start);
        Ok(&record[value_at..])
    }
}

macro_rules! family_handle {
    ($(#[$doc:meta])* $name:ident, $series:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy)]
        pub struct $name<'a> {
            family: Family<'a>,
            overflow: $series<'a>,
        }

        impl<'a> $name<'a> {
            /// Label sets folded into the overflow series so far: lookups of new label values
            /// past the series limit, or when the region was full.
            pub fn folded(&self) -> u64 {
                self.family.folded()
            }

            /// Labelled series registered so far (the overflow series not counted).
            pub fn series_count(&self) -> u64 {
                self.family.series_count()
            }

            /// The overflow series' handle (`otel_metric_overflow="true"`).
            pub fn overflow(&self) -> $series<'a> {
                self.overflow
            }

            /// Counts one fold and gives the overflow series: for a caller whose label set
            /// cannot be mapped onto the family's label names (a facade whose call sites use
            /// other labels).
            pub fn fold(&self) -> $series<'a> {
                self.family.count_fold();
                self.overflow
            }

            /// The number of label names: what [`series`](Self::series) takes values for.
            pub fn label_count(&self) -> usize {
                self.family.label_count
            }
        }

        impl fmt::Debug for $name<'_> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($name))
                    .field("series", &self.series_count())
                    .field("folded", &self.folded())
                    .finish()
            }
        }
    };
}

family_handle!(
    /// A family of labelled counters: `requests_total{status="200",method="GET"}`. Each series
    /// is a [`Counter`]; keep the handle for hot paths, or look the series up by its values.
    ///
    /// ```
    /// # use mutornadomon_core::{Meta, Storage};
    /// static STATS: Storage<2048> = Storage::new();
    /// let requests = STATS.region().counter_family("requests", Meta::new(), &["status"], 2)?;
    /// let ok = requests.series(&["200"])?; // a Counter: one atomic add per increment
    /// ok.inc();
    /// requests.series(&["404"])?.inc();
    /// requests.series(&["500"])?.inc(); // past the limit of 2: the overflow series
    /// assert_eq!((requests.series_count(), requests.folded()), (2, 1));
    /// assert_eq!(requests.overflow().get(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    CounterFamily, Counter
);

family_handle!(
    /// A family of labelled gauges, each series a [`Gauge`] with its window min/max.
    ///
    /// ```
    /// # use mutornadomon_core::{Meta, Storage};
    /// static STATS: Storage<2048> = Storage::new();
    /// let depth = STATS.region().gauge_family("queue_depth", Meta::new(), &["queue"], 8)?;
    /// depth.series(&["email"])?.set(3.0);
    /// assert_eq!(depth.series(&["email"])?.get(), 3.0);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    GaugeFamily, Gauge
);

family_handle!(
    /// A family of labelled histograms, each series a [`Histogram`] in the family's unit.
    ///
    /// ```
    /// # use mutornadomon_core::{Meta, Storage};
    /// use core::time::Duration;
    /// static STATS: Storage<4096> = Storage::new();
    /// let meta = Meta::new().unit("nanoseconds");
    /// let latency = STATS.region().histogram_family("latency", meta, &["route"], 8)?;
    /// latency.series(&["/"])?.record_duration(Duration::from_micros(250))?;
    /// assert_eq!(latency.series(&["/"])?.sum(), 250_000);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    HistogramFamily, Histogram
);

impl<'a> CounterFamily<'a> {
    /// The counter of the series with these label values (one per label name, in order):
    /// found, or registered on first use; past the family's series limit (or with the region
    /// full), the overflow series' counter, and the fold is counted. Values that break the
    /// label rules are refused.
    pub fn series(&self, values: &[&str]) -> Result<Counter<'a>, LabelError> {
        let values = self.family.series(values)?;
        Ok(Counter::from_values(values).unwrap_or(self.overflow))
    }
}

impl<'a> GaugeFamily<'a> {
    /// The gauge of the series with these label values; see [`CounterFamily::series`].
    pub fn series(&self, values: &[&str]) -> Result<Gauge<'a>, LabelError> {
        let values = self.family.series(values)?;
        Ok(Gauge::from_values(values).unwrap_or(self.overflow))
    }
}

impl<'a> HistogramFamily<'a> {
    /// The histogram of the series with these label values (in the family's unit); see
    /// [`CounterFamily::series`].
    pub fn series(&self, values: &[&str]) -> Result<Histogram<'a>, LabelError> {
        let values = self.family.series(values)?;
        Ok(self.overflow.on_values(values).unwrap_or(self.overflow))
    }
}

impl<'a> Region<'a> {
    /// Registers a family of labelled counters with these label names and at most `limit`
    /// series (past it, new label values go to one overflow series), or returns the family
    /// already under `name` if it has the same label names.
    ///
    /// ```
    /// # use mutornadomon_core::{Meta, Storage};
    /// static STATS: Storage<2048> = Storage::new();
    /// let meta = Meta::new().help("Requests served");
    /// let requests = STATS.region().counter_family("requests", meta, &["status", "method"], 64)?;
    /// requests.series(&["200", "GET"])?.inc();
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn counter_family(
        &self,
        name: &str,
        meta: Meta<'_>,
        labels: &[&str],
        limit: usize,
    ) -> Result<CounterFamily<'a>, RegisterError> {
        let shape = (Kind::Counter, 0, 1, (|_| 0) as fn(usize) -> u64);
        let family = Family::register(self, name, &meta, labels, limit, shape)?;
        let overflow = Counter::from_values(family.overflow()).ok_or(RegisterError::Corrupt)?;
        Ok(CounterFamily { family, overflow })
    }

    /// Registers a family of labelled gauges; see [`counter_family`](Self::counter_family).
    pub fn gauge_family(
        &self,
        name: &str,
        meta: Meta<'_>,
        labels: &[&str],
        limit: usize,
    ) -> Result<GaugeFamily<'a>, RegisterError> {
        let shape = (
            Kind::Gauge,
            GAUGE_WINDOWS,
            GAUGE_WORDS,
            gauge::initial_word as fn(usize) -> u64,
        );
        let family = Family::register(self, name, &meta, labels, limit, shape)?;
        let overflow = Gauge::from_values(family.overflow()).ok_or(RegisterError::Corrupt)?;
        Ok(GaugeFamily { family, overflow })
    }

    /// Registers a family of labelled histograms with the default range (values up to
    /// 2^40 - 1); see [`counter_family`](Self::counter_family) and
    /// [`histogram_family_with_max`](Self::histogram_family_with_max).
    pub fn histogram_family(
        &self,
        name: &str,
        meta: Meta<'_>,
        labels: &[&str],
        limit: usize,
    ) -> Result<HistogramFamily<'a>, RegisterError> {
        self.histogram_family_with_max(name, meta, labels, limit, (1 << 40) - 1)
    }

    /// Registers a family of labelled histograms whose buckets reach `max`, as
    /// [`histogram_with_max`](Self::histogram_with_max) does for one.
    pub fn histogram_family_with_max(
        &self,
        name: &str,
        meta: Meta<'_>,
        labels: &[&str],
        limit: usize,
        max: u64,
    ) -> Result<HistogramFamily<'a>, RegisterError> {
        let buckets = buckets_for_max(max);
        // sum, min (starts high so the first value wins), max, then the buckets.
        let init = |i: usize| if i == 1 { u64::MAX } else { 0 };
        let shape = (
            Kind::Histogram,
            buckets as u32,
            HISTOGRAM_HEAD_WORDS + buckets,
            init as fn(usize) -> u64,
        );
        let family = Family::register(self, name, &meta, labels, limit, shape)?;
        let overflow = Histogram::from_values(family.overflow()).ok_or(RegisterError::Corrupt)?;
        let record = self.record_at(family.at).ok_or(RegisterError::Corrupt)?;
        let mut unit = [0u8; MAX_UNIT_LEN];
        let overflow = overflow.with_unit(unit_of(record, &mut unit));
        Ok(HistogramFamily { family, overflow })
    }
}
