//! The gauge handle: an `f64` value with its extremes over two windows.

use crate::sync::{AtomicU64, Ordering};
use core::fmt;

/// A gauge: an `f64` value plus the minimum and maximum it took over the previous window and
/// the current one (windows end at each [`Region::roll`](crate::Region::roll): the std monitor
/// rolls every publish interval). A reader at any moment sees the extremes of at least one
/// whole window, so one that reads at least once per window never misses a spike, however the
/// rolls and its reads fall. NaN is stored as the value but never becomes a minimum or maximum.
///
/// The extremes are kept per window in two slots: the current window's slot (picked by an
/// epoch the roll advances) and the previous one's. A set writes the value, reads the epoch
/// and widens that slot; one that does not move an extreme costs a store and three plain loads,
/// and only a new extreme takes a compare-and-swap. A roll never writes the slot a set may be
/// widening, so a spike set while the window rolls is never lost.
#[derive(Clone, Copy)]
pub struct Gauge<'a> {
    cells: &'a [AtomicU64; GAUGE_WORDS],
}

/// A gauge's value words: the value; two windows' min and max; the epoch (its low bit picks
/// the current window's slot).
pub(crate) const GAUGE_WORDS: usize = 6;
/// The parameter a gauge record of this layout carries: its number of windows.
pub(crate) const GAUGE_WINDOWS: u32 = 2;
const VALUE: usize = 0;
const EPOCH: usize = 5;

/// A gauge's value words as registered: the value 0, both windows' min and max NaN (nothing
/// set yet: the first set takes them), the epoch 0.
// Not inlined into each registration call (cold; 32 B less code).
#[inline(never)]
pub(crate) fn initial_word(i: usize) -> u64 {
    if (VALUE + 1..EPOCH).contains(&i) {
        f64::NAN.to_bits()
    } else {
        0
    }
}

/// A reported extreme: the windows' `extreme`, or the `value` when no value was set in
/// either window (both slots NaN): a gauge never set reads its value as its min and max.
#[cfg_attr(not(feature = "perf"), inline(never))] // smaller, slower: see `perf`
pub(crate) fn extreme_or_value(extreme: f64, value: f64) -> f64 {
    if extreme.is_nan() {
        value
    } else {
        extreme
    }
}

/// The min and max words of the window slot for `epoch`.
const fn slot(epoch: u64) -> (usize, usize) {
    if epoch & 1 == 0 {
        (1, 2)
    } else {
        (3, 4)
    }
}

impl<'a> Gauge<'a> {
    pub(crate) fn from_values(values: &'a [AtomicU64]) -> Option<Self> {
        values
            .get(..GAUGE_WORDS)?
            .try_into()
            .ok()
            .map(|cells| Gauge { cells })
    }

    /// Sets the value and widens the current window's min/max to include it.
    ///
    /// ```
    /// # use mutornadomon_core::{Meta, Storage};
    /// static STATS: Storage<256> = Storage::new();
    /// let g = STATS.region().gauge("g", Meta::new())?;
    /// g.set(-1.5);
    /// g.set(3.0);
    /// assert_eq!((g.get(), g.min(), g.max()), (3.0, -1.5, 3.0));
    /// # Ok::<(), mutornadomon_core::RegisterError>(())
    /// ```
    #[inline]
    pub fn set(&self, value: f64) {
        // Relaxed: value, min and max are each independent readings; readers may see a value
        // before the extremes catch up, never a torn word.
        self.cells[VALUE].store(value.to_bits(), Ordering::Relaxed);
        self.widen(value);
    }

    /// Adds `delta` (negative to subtract) to the value, as one atomic step, and widens the
    /// window to include the result.
    ///
    /// ```
    /// # use mutornadomon_core::{Meta, Storage};
    /// static STATS: Storage<256> = Storage::new();
    /// let in_flight = STATS.region().gauge("in_flight", Meta::new())?;
    /// in_flight.add(1.0);
    /// in_flight.add(1.0);
    /// in_flight.add(-1.0);
    /// assert_eq!((in_flight.get(), in_flight.max()), (1.0, 2.0));
    /// # Ok::<(), mutornadomon_core::RegisterError>(())
    /// ```
    pub fn add(&self, delta: f64) {
        // Relaxed: as in `set`; the CAS makes concurrent adds exact.
        let mut current = self.cells[VALUE].load(Ordering::Relaxed);
        loop {
            let next = f64::from_bits(current) + delta;
            match self.cells[VALUE].compare_exchange_weak(
                current,
                next.to_bits(),
                Ordering::Relaxed,
                Ordering::Relaxed,
            ) {
                Ok(_) => return self.widen(next),
                Err(actual) => current = actual,
            }
        }
    }

    /// Widens the current window's slot to include `value`.
    #[inline]
    fn widen(&self, value: f64) {
        if value.is_nan() {
            return;
        }
        // Acquire pairs with the Release store in `roll`: the slot this epoch picks was reset
        // before the epoch was published, so the widening lands after the reset.
        let (min, max) = slot(self.cells[EPOCH].load(Ordering::Acquire));
        update_if(&self.cells[min], value, |new, old| {
            new < old || old.is_nan()
        });
        update_if(&self.cells[max], value, |new, old| {
            new > old || old.is_nan()
        });
    }

    /// Ends the current window: the previous window's slot is reset to the value and becomes
    /// the current one. The window just ended stays in its slot, reported until the next roll.
    /// The writer rolls (one roller at a time; a second one racing only rolls twice).
    pub(crate) fn roll(&self) {
        // Relaxed: only rollers write the epoch.
        let epoch = self.cells[EPOCH].load(Ordering::Relaxed).wrapping_add(1);
        let (min, max) = slot(epoch);
        let value = self.cells[VALUE].load(Ordering::Relaxed);
        // Relaxed: published by the Release store of the epoch below. A set still widening
        // this slot read the epoch before last: its window is the one being dropped.
        self.cells[min].store(value, Ordering::Relaxed);
        self.cells[max].store(value, Ordering::Relaxed);
        // Release pairs with the Acquire in `widen`.
        self.cells[EPOCH].store(epoch, Ordering::Release);
    }

    /// Forgets both windows: min = max = the current value (mutornadomon's "since the last
    /// read", where every read starts afresh): two rolls.
    pub(crate) fn reset(&self) {
        self.roll();
        self.roll();
    }

    /// The current value.
    pub fn get(&self) -> f64 {
        // Relaxed: as in `set`.
        f64::from_bits(self.cells[VALUE].load(Ordering::Relaxed))
    }

    /// The smallest value set over the previous and the current window (the current value
    /// if none was set in them).
    ///
    /// ```
    /// # use mutornadomon_core::{Meta, Storage};
    /// static STATS: Storage<256> = Storage::new();
    /// let g = STATS.region().gauge("g", Meta::new())?;
    /// assert_eq!(g.min(), 0.0); // never set: its value
    /// g.set(5.0);
    /// assert_eq!((g.min(), g.max()), (5.0, 5.0)); // the first set is both extremes
    /// # Ok::<(), mutornadomon_core::RegisterError>(())
    /// ```
    pub fn min(&self) -> f64 {
        // Relaxed: as in `set`. `f64::min` passes over a NaN slot (one never set).
        extreme_or_value(self.load(1).min(self.load(3)), self.get())
    }

    /// The largest value set over the previous and the current window (the current value if
    /// none was set in them).
    pub fn max(&self) -> f64 {
        extreme_or_value(self.load(2).max(self.load(4)), self.get())
    }

    fn load(&self, cell: usize) -> f64 {
        // Relaxed: as in `set`.
        f64::from_bits(self.cells[cell].load(Ordering::Relaxed))
    }
}

/// Replaces the `f64` in `cell` by `value` while `better(value, current)` holds. The plain load
/// first keeps the common case (no new extreme) free of locked instructions.
#[inline]
fn update_if(cell: &AtomicU64, value: f64, better: impl Fn(f64, f64) -> bool) {
    // Relaxed: an independent value; the CAS keeps concurrent updates from losing an extreme.
    let mut current = cell.load(Ordering::Relaxed);
    while better(value, f64::from_bits(current)) {
        match cell.compare_exchange_weak(
            current,
            value.to_bits(),
            Ordering::Relaxed,
            Ordering::Relaxed,
        ) {
            Ok(_) => return,
            Err(actual) => current = actual,
        }
    }
}

impl fmt::Debug for Gauge<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gauge")
            .field("value", &self.get())
            .field("min", &self.min())
            .field("max", &self.max())
            .finish()
    }
}
