//! Word offsets, record framing and kind codes of the stats layout.
//!
//! FORMAT.md is the prose form of this file; the two must agree. All multi-byte fields are 64-bit
//! words in the writer's byte order (the header's endianness marker says which). Sub-fields are
//! bit ranges of a word's *value*, never byte positions, so they read the same in either order.

/// The eight magic bytes a stats region starts with.
pub const MAGIC: [u8; 8] = *b"MUTMSTAT";
/// Written as a native `u64`; a reader seeing the bytes reversed knows the writer's byte order.
pub const ENDIAN_MARKER: u64 = 0x0102_0304_0506_0708;
/// Major format version: a reader refuses any other major version.
pub const VERSION_MAJOR: u32 = 1;
/// Minor format version: additions that old readers can ignore (new kinds, new header words).
pub const VERSION_MINOR: u32 = 2;
/// Length of the version-1 header in 8-byte words.
pub const HEADER_WORDS: usize = 16;
/// Length of the version-1 header in bytes.
pub const HEADER_BYTES: usize = HEADER_WORDS * 8;
/// The smallest region [`Region::format`](crate::Region::format) accepts, in words (512 bytes).
pub const MIN_WORDS: usize = 64;
/// The largest region, in words: index slots address records by a 32-bit word offset.
pub const MAX_WORDS: usize = u32::MAX as usize;

/// Word index of each header field.
pub(crate) mod header {
    pub const MAGIC: usize = 0;
    pub const ENDIAN: usize = 1;
    pub const VERSION: usize = 2;
    pub const HEADER_LEN: usize = 3;
    pub const CAPACITY: usize = 4;
    pub const COMMITTED: usize = 5;
    pub const PID: usize = 6;
    pub const START_TIME: usize = 7;
    pub const CREATION_TIME: usize = 8;
    pub const HEARTBEAT: usize = 9;
    pub const REFUSED: usize = 10;
    pub const INDEX_OFFSET: usize = 11;
    pub const INDEX_SLOTS: usize = 12;
    pub const RECORDS_START: usize = 13;
    pub const LOCK: usize = 14;
    pub const RECORD_COUNT: usize = 15;
}

/// Kind codes as stored in a record's first word.
pub(crate) mod kind_code {
    pub const COUNTER: u8 = 1;
    /// A gauge of the 1.0 layout (3 value words: one window). Read, never written.
    pub const GAUGE_ONE_WINDOW: u8 = 2;
    pub const HISTOGRAM: u8 = 3;
    pub const INFO: u8 = 4;
    pub const SHARDED_COUNTER: u8 = 5;
    /// A gauge (1.1): 6 value words, min/max per window in two slots and an epoch.
    pub const GAUGE: u8 = 6;
    /// A labelled family (1.2): name, help, unit, label names; its values are the family
    /// words and its overflow series' values.
    pub const FAMILY: u8 = 7;
    /// One series of a family (1.2): label values as its text, the family's offset as `p`.
    pub const SERIES: u8 = 8;
}

/// Words of a family record's values before its overflow series' values.
#[cfg(feature = "labels")]
pub(crate) const FAMILY_HEAD_WORDS: usize = 4;

/// Word positions in a family record's values.
#[cfg(feature = "labels")]
pub(crate) mod family_word {
    /// The series' value parameter (bucket count, gauge windows, 0 for counters).
    pub const VALUE_PARAM: usize = 0;
    /// Most labelled series (the overflow series not counted).
    pub const LIMIT: usize = 1;
    /// Lookups folded into the overflow series.
    pub const FOLDED: usize = 2;
    /// Labelled series registered so far.
    pub const SERIES: usize = 3;
}

/// A family record's kind parameter: the length of its label names text (bits 0-15) and its
/// series' value kind code (bits 16-23).
#[cfg(feature = "labels")]
pub(crate) const fn family_param(labels_len: u16, value_code: u8) -> u32 {
    labels_len as u32 | (value_code as u32) << 16
}

/// The fields of a family record's kind parameter: label names length, value kind code.
pub(crate) const fn unpack_family_param(param: u32) -> (usize, u8) {
    ((param & 0xffff) as usize, (param >> 16) as u8)
}

/// Bytes of text a record holds after its unit: a family's label names, nothing for others.
pub(crate) const fn extra_text_len(code: u8, param: u32) -> usize {
    // Without feature `labels` a family record is a kind this build does not read.
    if cfg!(feature = "labels") && code == kind_code::FAMILY {
        unpack_family_param(param).0
    } else {
        0
    }
}

/// Words before a record's text: framing word and lengths word.
pub(crate) const RECORD_HEAD_WORDS: usize = 2;
/// Words per shard of a sharded counter: 128 bytes, so two shards never share a cache line
/// (nor the adjacent line some CPUs prefetch in pairs).
pub(crate) const SHARD_WORDS: usize = 16;
/// Longest accepted help text in bytes.
pub const MAX_HELP_LEN: usize = 1024;
/// Longest accepted unit in bytes.
pub const MAX_UNIT_LEN: usize = 32;
/// Longest accepted info text in bytes.
pub const MAX_INFO_LEN: usize = 1024;
/// Most shards a sharded counter may have (the first is the shared one).
pub const MAX_SHARDS: usize = 256;

/// FNV-1a's 64-bit offset basis: the index's name hash and the name key (FORMAT.md) both
/// start from it.
pub(crate) const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

/// One FNV-1a step.
pub(crate) const fn fnv(hash: u64, byte: u8) -> u64 {
    (hash ^ byte as u64).wrapping_mul(0x0100_0000_01b3)
}

/// Packs a record's framing word. `name_key` (bits 40-47, format 1.1) is an 8-bit hash of the
/// name as it renders, which registration compares before reading a record's name (see
/// `ExposedName::stem_key`); 0 means not given (a 1.0 writer).
pub(crate) const fn frame_word(record_bytes: u32, kind: u8, name_key: u8, name_len: u16) -> u64 {
    record_bytes as u64 | (kind as u64) << 32 | (name_key as u64) << 40 | (name_len as u64) << 48
}

/// The name key of a framing word (0: not given).
#[cfg(feature = "prometheus")]
pub(crate) const fn frame_name_key(word: u64) -> u8 {
    (word >> 40) as u8
}

/// Packs a record's lengths word.
pub(crate) const fn lengths_word(help_len: u16, unit_len: u16, param: u32) -> u64 {
    help_len as u64 | (unit_len as u64) << 16 | (param as u64) << 32
}

/// Fields of the framing word.
pub(crate) const fn unpack_frame(word: u64) -> (u32, u8, u16) {
    (word as u32, (word >> 32) as u8, (word >> 48) as u16)
}

/// Fields of the lengths word.
pub(crate) const fn unpack_lengths(word: u64) -> (u16, u16, u32) {
    (word as u16, (word >> 16) as u16, (word >> 32) as u32)
}

/// Bytes rounded up to whole words.
pub(crate) const fn words_for(bytes: usize) -> usize {
    bytes.div_ceil(8)
}

/// Index slots for a region of `total_words`: the largest power of two not above an eighth of it.
pub(crate) const fn index_slots(total_words: usize) -> usize {
    let target = total_words / 8;
    if target < 2 {
        return 1;
    }
    // Every lookup finds the index with this: a bit scan, not a loop.
    1 << (usize::BITS - 1 - target.leading_zeros())
}

/// Registrations a region of `total_words` can index (three quarters of its slots, so probes
/// stay short).
pub(crate) const fn max_records(total_words: usize) -> usize {
    index_slots(total_words) / 4 * 3
}

/// The header words of a freshly formatted region of `total_words`.
pub(crate) const fn initial_header(total_words: usize) -> [u64; HEADER_WORDS] {
    let slots = index_slots(total_words);
    let mut h = [0u64; HEADER_WORDS];
    h[header::MAGIC] = u64::from_ne_bytes(MAGIC);
    h[header::ENDIAN] = ENDIAN_MARKER;
    h[header::VERSION] = VERSION_MAJOR as u64 | (VERSION_MINOR as u64) << 32;
    h[header::HEADER_LEN] = HEADER_BYTES as u64;
    h[header::CAPACITY] = (total_words * 8) as u64;
    h[header::COMMITTED] = HEADER_BYTES as u64;
    h[header::INDEX_OFFSET] = ((total_words - slots) * 8) as u64;
    h[header::INDEX_SLOTS] = slots as u64;
    h[header::RECORDS_START] = HEADER_BYTES as u64;
    h
}

#[cfg(test)]
mod tests {
    #[test]
    fn index_slots_are_the_largest_power_of_two_within_an_eighth() {
        for words in 0..5000 {
            let mut slots = 1;
            while slots * 2 <= words / 8 {
                slots *= 2;
            }
            assert_eq!(super::index_slots(words), slots, "{words}");
        }
        assert_eq!(super::index_slots(usize::MAX), 1 << (usize::BITS - 4));
    }
}
