//! 64-bit words in a stats file's byte order: the reader under the parser, the records, the
//! histogram readings and the renderers.

use crate::values::Values;

/// Reads 64-bit words in the file's byte order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Words<'a> {
    pub(crate) bytes: &'a [u8],
    pub(crate) swap: bool,
}

impl<'a> Words<'a> {
    /// No words (every read gives nothing): the source of numbers that come from elsewhere.
    #[cfg_attr(not(any(feature = "json", feature = "prometheus")), allow(dead_code))]
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
    pub(crate) fn sum(&self) -> u64 {
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
    pub(crate) fn iter(&self) -> impl Iterator<Item = u64> + 'a {
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

    pub(crate) fn slice(&self, start: usize, len: usize) -> Option<Words<'a>> {
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
