//! Renderers into caller buffers: mutornadomon's JSON and the Prometheus text formats.
//!
//! Each renderer takes a parsed [`Stats`](crate::Stats) (so it works the same on a live
//! snapshot and on a file from another process) and optional [`ProcessStats`] from a backend,
//! writes into `&mut [u8]`, and returns the bytes written or how many it needed.

mod hole;
mod json;
mod prometheus;
mod template;

pub use json::render_json;
pub use prometheus::{render_prometheus, write_prometheus_family, Labels, TextFormat};
pub use template::{Page, PageTemplate, PlacedHole, TemplateError};

use crate::parse::ParseError;
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
            dst.copy_from_slice(bytes);
        }
        self.len = end;
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

/// Writes `n` in decimal without the formatting machinery (two digits per step).
#[inline]
pub(crate) fn write_u64(w: &mut impl fmt::Write, n: u64) -> fmt::Result {
    w.write_str(itoa::Buffer::new().format(n))
}
