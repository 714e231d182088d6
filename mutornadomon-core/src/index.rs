//! The writer's lock-free lookup index at the region's tail (FORMAT.md, "The index"): open
//! addressing, linear probing, each slot the upper 32 bits of a hash beside a record's word
//! offset. Registrants publish under the registration lock; lookups never lock.

use crate::layout::{self, fnv, kind_code, unpack_frame, FNV_OFFSET, RECORD_HEAD_WORDS};
use crate::sync::{AtomicU64, Ordering};
use crate::Region;

/// FNV-1a: tiny, good enough to spread names over the index.
pub(crate) fn hash_name(name: &[u8]) -> u64 {
    name.iter().fold(FNV_OFFSET, |hash, &b| fnv(hash, b))
}

/// Whether the record's name is `name`.
#[cfg_attr(not(feature = "perf"), inline(always))] // one caller (`find`); called, 64 B more code in the statsd program
fn name_matches(record: &[AtomicU64], name: &[u8]) -> bool {
    // Relaxed: the record was made visible by the Acquire load of its index slot.
    let (_, _, name_len) = unpack_frame(record[0].load(Ordering::Relaxed));
    if usize::from(name_len) != name.len() {
        return false;
    }
    if cfg!(feature = "perf") {
        let text = record.get(RECORD_HEAD_WORDS..).unwrap_or(&[]);
        name.chunks(8).zip(text).all(|(chunk, word)| {
            let stored = word.load(Ordering::Relaxed).to_ne_bytes();
            stored[..chunk.len()] == *chunk
        })
    } else {
        // A byte at a time: smaller code (see `perf`).
        let word = |i: usize| record.get(i).map_or(0, |w| w.load(Ordering::Relaxed));
        name.iter()
            .enumerate()
            .all(|(i, &b)| word(RECORD_HEAD_WORDS + i / 8).to_ne_bytes()[i % 8] == b)
    }
}

impl<'a> Region<'a> {
    pub(crate) fn index(&self) -> &'a [AtomicU64] {
        let slots = layout::index_slots(self.words.len());
        &self.words[self.words.len() - slots..]
    }

    /// Probes the index from `hash`'s slot: `matches` gets each committed record whose entry
    /// has `hash`'s upper bits, until it answers `Some` or an empty slot ends the probe.
    pub(crate) fn probe<T>(
        &self,
        hash: u64,
        mut matches: impl FnMut(&'a [AtomicU64]) -> Option<T>,
    ) -> Option<T> {
        let index = self.index();
        let mask = index.len() - 1;
        let mut slot = hash as usize & mask;
        for _ in 0..index.len() {
            // Acquire pairs with the Release store in `publish`: the record is fully written.
            let entry = index[slot].load(Ordering::Acquire);
            if entry == 0 {
                return None;
            }
            if entry >> 32 == hash >> 32 {
                if let Some(found) = self.record_at(entry as u32 as usize).and_then(&mut matches) {
                    return Some(found);
                }
            }
            slot = (slot + 1) & mask;
        }
        None
    }

    /// Finds a committed record by name without locking: its kind code and its words.
    pub(crate) fn find(&self, name: &[u8]) -> Option<(u8, &'a [AtomicU64])> {
        self.probe(hash_name(name), |record| {
            // Relaxed: the record was made visible by the Acquire load of its index slot.
            let (_, kind, _) = unpack_frame(record[0].load(Ordering::Relaxed));
            (kind != kind_code::SERIES && name_matches(record, name)).then_some((kind, record))
        })
    }

    /// The record at `word_offset`, if its framing is sane (the words may be shared with other
    /// processes, so even our own index is not trusted blindly).
    pub(crate) fn record_at(&self, word_offset: usize) -> Option<&'a [AtomicU64]> {
        let first = self.words.get(word_offset)?;
        // Relaxed: committed framing is immutable (published by the committed end or a slot).
        let (len, _, _) = unpack_frame(first.load(Ordering::Relaxed));
        let words = len as usize / 8;
        if words < RECORD_HEAD_WORDS {
            return None;
        }
        self.words.get(word_offset..word_offset.checked_add(words)?)
    }

    /// Adds the record at `word_offset` to the index under `hash`. Caller holds the lock.
    pub(crate) fn publish(&self, hash: u64, word_offset: usize) {
        let index = self.index();
        let mask = index.len() - 1;
        let mut slot = hash as usize & mask;
        // Relaxed: only lock holders write slots, and we hold the lock. The index is never more
        // than three quarters full, so an empty slot exists.
        while index[slot].load(Ordering::Relaxed) != 0 {
            slot = (slot + 1) & mask;
        }
        let entry = (hash & 0xffff_ffff_0000_0000) | word_offset as u64;
        // Release pairs with the Acquire in `probe`.
        index[slot].store(entry, Ordering::Release);
    }
}
