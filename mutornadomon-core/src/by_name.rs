//! mutornadomon's by-name calls: `count`, `set` (its `kv`) and `record`, each a lock-free
//! index lookup, registering the metric on first use.

use crate::layout::kind_code;
use crate::metrics::{Counter, Histogram, Meta, ShardedCounter};
use crate::record_words::value_offset;
use crate::register_error::RegisterError;
use crate::Gauge;
use crate::Region;

impl Region<'_> {
    /// mutornadomon's `count(stat, value)`: adds `n` to the counter `name`, registering it on
    /// first use. Never allocates; a lookup is a hash and a probe or two of the index.
    ///
    /// ```
    /// # use mutornadomon_core::{Meta, Storage};
    /// static STATS: Storage<512> = Storage::new();
    /// STATS.region().count("callbacks", 1)?;
    /// STATS.region().count("callbacks", 2)?;
    /// assert_eq!(STATS.region().counter("callbacks", Meta::new())?.get(), 3);
    /// # Ok::<(), mutornadomon_core::RegisterError>(())
    /// ```
    pub fn count(&self, name: &str, n: u64) -> Result<(), RegisterError> {
        match self.find(name.as_bytes()) {
            Some((kind_code::COUNTER, record)) => {
                let counter = Counter::from_values(&record[value_offset(record)..]);
                counter.ok_or(RegisterError::Corrupt)?.inc_by(n);
                Ok(())
            }
            Some((kind_code::SHARDED_COUNTER, record)) => {
                let counter = ShardedCounter::from_values(&record[value_offset(record)..]);
                counter.ok_or(RegisterError::Corrupt)?.inc_by(n);
                Ok(())
            }
            _ => self.counter(name, Meta::new()).map(|c| c.inc_by(n)),
        }
    }

    /// mutornadomon's `kv(stat, value)`: sets the gauge `name`, registering it on first use.
    ///
    /// ```
    /// # use mutornadomon_core::{Meta, Storage};
    /// static STATS: Storage<512> = Storage::new();
    /// STATS.region().set("ioloop_handlers", 2.0)?;
    /// assert_eq!(STATS.region().gauge("ioloop_handlers", Meta::new())?.get(), 2.0);
    /// # Ok::<(), mutornadomon_core::RegisterError>(())
    /// ```
    pub fn set(&self, name: &str, value: f64) -> Result<(), RegisterError> {
        let gauge = match self.find(name.as_bytes()) {
            Some((kind_code::GAUGE, record)) => {
                Gauge::from_values(&record[value_offset(record)..]).ok_or(RegisterError::Corrupt)?
            }
            _ => self.gauge(name, Meta::new())?,
        };
        gauge.set(value);
        Ok(())
    }

    /// Records `value` into the histogram `name`, registering it (default range) on first use.
    ///
    /// ```
    /// # use mutornadomon_core::{Meta, Storage};
    /// static STATS: Storage<2048> = Storage::new();
    /// STATS.region().record("callback_duration", 1_200)?;
    /// assert_eq!(STATS.region().histogram("callback_duration", Meta::new())?.count(), 1);
    /// # Ok::<(), mutornadomon_core::RegisterError>(())
    /// ```
    pub fn record(&self, name: &str, value: u64) -> Result<(), RegisterError> {
        match self.find(name.as_bytes()) {
            Some((kind_code::HISTOGRAM, record)) => {
                let histogram = Histogram::from_values(&record[value_offset(record)..]);
                histogram.ok_or(RegisterError::Corrupt)?.record(value);
                Ok(())
            }
            _ => self.histogram(name, Meta::new()).map(|h| h.record(value)),
        }
    }
}
