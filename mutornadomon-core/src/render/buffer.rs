//! The renderers' output buffer: a `fmt::Write` into caller memory that counts what did not
//! fit.

use super::RenderError;
use core::fmt;

/// A `fmt::Write` into a byte buffer that keeps counting past its end, so one pass tells both
/// the output and, when it does not fit, the size needed.
pub(crate) struct BufWriter<'b> {
    pub(super) buf: &'b mut [u8],
    pub(super) len: usize,
}

impl<'b> BufWriter<'b> {
    pub(crate) fn new(buf: &'b mut [u8]) -> Self {
        BufWriter { buf, len: 0 }
    }

    pub(crate) fn finish(self) -> Result<usize, RenderError> {
        if self.len <= self.buf.len() {
            Ok(self.len)
        } else {
            Err(RenderError::BufferTooSmall { needed: self.len })
        }
    }
}

impl BufWriter<'_> {
    /// Writes bytes as they are (a template's text, already checked when it was written).
    pub(crate) fn write_bytes(&mut self, bytes: &[u8]) {
        let end = self.len.saturating_add(bytes.len());
        if let Some(dst) = self.buf.get_mut(self.len..end) {
            copy(dst, bytes);
        }
        self.len = end;
    }
}

/// `dst.copy_from_slice(src)` for slices of the same length. A page is mostly short pieces
/// (numbers, keys, punctuation between holes): up to 32 bytes are copied with two fixed-size
/// moves that may overlap, which the compiler inlines, instead of a call to `memcpy` each
/// (about 140 calls for a JSON page, measured as a tenth of its time).
#[inline(always)]
fn copy(dst: &mut [u8], src: &[u8]) {
    let n = src.len();
    if dst.len() != n {
        return; // callers pass equal lengths
    }
    match n {
        0 => {}
        1..=3 => {
            // First, middle and last byte: all of them for n <= 3.
            dst[0] = src[0];
            dst[n / 2] = src[n / 2];
            dst[n - 1] = src[n - 1];
        }
        4..=7 => copy_two::<4>(dst, src),
        8..=15 => copy_two::<8>(dst, src),
        16..=32 => copy_two::<16>(dst, src),
        _ => dst.copy_from_slice(src),
    }
}

/// Copies the first and the last `K` bytes (overlapping when `n < 2K`): all of them for
/// `K <= n <= 2K`.
#[inline(always)]
fn copy_two<const K: usize>(dst: &mut [u8], src: &[u8]) {
    let n = src.len();
    if let (Some(d), Some(s)) = (dst.first_chunk_mut::<K>(), src.first_chunk::<K>()) {
        *d = *s;
    }
    if let (Some(d), Some(s)) = (
        dst[n - K..].first_chunk_mut::<K>(),
        src[n - K..].first_chunk::<K>(),
    ) {
        *d = *s;
    }
}

impl fmt::Write for BufWriter<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.write_bytes(s.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::copy;

    #[test]
    fn short_copies_copy_every_byte_at_every_length() {
        let src: [u8; 40] = core::array::from_fn(|i| i as u8 + 1);
        for n in 0..=src.len() {
            let mut dst = [0u8; 40];
            copy(&mut dst[..n], &src[..n]);
            assert_eq!(dst[..n], src[..n], "length {n}");
            assert!(
                dst[n..].iter().all(|&b| b == 0),
                "length {n} wrote past its end"
            );
        }
    }
}
