//! A record's parts read from (or stored into) its atomic words: where its values start, its
//! text bytes, its unit. Registration, the by-name calls, families and the clash scan share
//! these; the parser reads files through `framing.rs` instead.

use crate::layout::{
    extra_text_len, unpack_frame, unpack_lengths, words_for, MAX_UNIT_LEN, RECORD_HEAD_WORDS,
};
use crate::sync::{AtomicU64, Ordering};

/// The word offset of a record's values, from its framing and lengths words.
pub(crate) fn value_offset(record: &[AtomicU64]) -> usize {
    let word = |i: usize| record.get(i).map_or(0, |w| w.load(Ordering::Relaxed));
    let (_, code, name_len) = unpack_frame(word(0));
    let (help_len, unit_len, param) = unpack_lengths(word(1));
    let text = usize::from(name_len)
        + usize::from(help_len)
        + usize::from(unit_len)
        + extra_text_len(code, param);
    (RECORD_HEAD_WORDS + words_for(text)).min(record.len())
}

/// `len` bytes of a record's text from byte `start` of it (after the framing and lengths).
pub(crate) fn text_bytes(
    record: &[AtomicU64],
    start: usize,
    len: usize,
) -> impl Iterator<Item = u8> + '_ {
    // Relaxed: the record was published (Acquire of its index slot or of the committed end),
    // or written by us under the lock.
    let word = move |i: usize| record.get(i).map_or(0, |w| w.load(Ordering::Relaxed));
    (start..start + len).map(move |at| word(RECORD_HEAD_WORDS + at / 8).to_ne_bytes()[at % 8])
}

/// Stores `parts` back to back as bytes into `dst`, zero-padding the last word.
pub(crate) fn store_bytes(dst: &[AtomicU64], parts: &[&[u8]]) {
    // Relaxed stores: published by the Release store of the committed length.
    let mut words = dst.iter();
    let mut chunk = [0u8; 8];
    let mut filled = 0;
    for part in parts {
        for &byte in *part {
            chunk[filled] = byte;
            filled += 1;
            if filled == 8 {
                if let Some(word) = words.next() {
                    word.store(u64::from_ne_bytes(chunk), Ordering::Relaxed);
                }
                (chunk, filled) = ([0; 8], 0);
            }
        }
    }
    for word in words {
        word.store(u64::from_ne_bytes(chunk), Ordering::Relaxed);
        chunk = [0; 8];
    }
}

/// The record's unit, copied into `buf`.
pub(crate) fn unit_of<'b>(record: &[AtomicU64], buf: &'b mut [u8; MAX_UNIT_LEN]) -> &'b [u8] {
    // Relaxed: the record was published (Acquire of its index slot or of the committed end),
    // or written by us under the lock.
    let word = |i: usize| record.get(i).map_or(0, |w| w.load(Ordering::Relaxed));
    let (_, _, name_len) = unpack_frame(word(0));
    let (help_len, unit_len, _) = unpack_lengths(word(1));
    let start = usize::from(name_len) + usize::from(help_len);
    let len = usize::from(unit_len).min(MAX_UNIT_LEN);
    for (i, byte) in buf[..len].iter_mut().enumerate() {
        let at = start + i;
        *byte = word(RECORD_HEAD_WORDS + at / 8).to_ne_bytes()[at % 8];
    }
    &buf[..len]
}
