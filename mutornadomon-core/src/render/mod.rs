//! Renderers into caller buffers: mutornadomon's JSON and the Prometheus text formats.
//!
//! Each renderer takes a parsed [`Stats`](crate::Stats) (so it works the same on a live
//! snapshot and on a file from another process) and optional [`ProcessStats`] from a backend,
//! writes into `&mut [u8]`, and returns the bytes written or how many it needed.

mod digits;
mod hole;
mod json;
mod numbers;
mod prometheus;
mod template;
mod text_format;

pub use json::render_json;
pub use prometheus::{render_prometheus, write_prometheus_family, Labels};
pub use template::{Page, PageTemplate, PlacedHole, TemplateError};
pub use text_format::TextFormat;

use crate::parse_error::ParseError;
use core::fmt;

/// Why rendering failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RenderError {
    /// The output buffer is too small; retry with at least `needed` bytes.
    BufferTooSmall {
        /// Bytes the rendering needs.
        needed: usize,
    },
    /// A record of the input is malformed.
    Corrupt(ParseError),
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RenderError::BufferTooSmall { needed } => {
                write!(f, "output buffer too small: need {needed} bytes")
            }
            RenderError::Corrupt(e) => write!(f, "cannot render a corrupt stats file: {e}"),
        }
    }
}

impl core::error::Error for RenderError {}

/// Process statistics a backend measures (the core cannot: it knows no OS). Field names follow
/// mutornadomon's JSON; renderers also give Prometheus' standard `process_*` names.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ProcessStats {
    /// Seconds since the process started.
    pub uptime_seconds: f64,
    /// Resident set size in bytes.
    pub rss_bytes: u64,
    /// Virtual memory size in bytes.
    pub vsz_bytes: u64,
    /// CPU time in user mode, seconds.
    pub user_time_seconds: f64,
    /// CPU time in kernel mode, seconds.
    pub system_time_seconds: f64,
    /// Threads in the process.
    pub num_threads: u64,
    /// Open file descriptors.
    pub num_fds: u64,
    /// The open file descriptor limit, if known.
    pub max_fds: Option<u64>,
    /// Process start time, seconds since the Unix epoch.
    pub start_time_seconds: f64,
}

/// A `fmt::Write` into a byte buffer that keeps counting past its end, so one pass tells both
/// the output and, when it does not fit, the size needed.
pub(crate) struct BufWriter<'b> {
    buf: &'b mut [u8],
    len: usize,
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

/// Units that renderers convert to a base unit, and what to divide values by. Dividing by a
/// power of ten (rather than multiplying by its inverse) keeps `16383 ns` as `1.6383e-5 s`.
pub(crate) fn base_unit(unit: &str) -> (&str, f64) {
    match unit {
        "nanoseconds" => ("seconds", 1e9),
        "microseconds" => ("seconds", 1e6),
        "milliseconds" => ("seconds", 1e3),
        other => (other, 1.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
