//! Renderers into caller buffers: mutornadomon's JSON and the Prometheus text formats.
//!
//! Each renderer takes a parsed [`Stats`](crate::Stats) (so it works the same on a live
//! snapshot and on a file from another process) and optional [`ProcessStats`] from a backend,
//! writes into `&mut [u8]`, and returns the bytes written or how many it needed.

// The number and page-writing layers under both renderers. With one renderer alone, the
// other's holes and number styles are compiled but never used.
#[cfg(any(feature = "json", feature = "prometheus"))]
#[cfg_attr(not(all(feature = "json", feature = "prometheus")), allow(dead_code))]
mod digits;
#[cfg(any(feature = "json", feature = "prometheus"))]
#[cfg_attr(not(all(feature = "json", feature = "prometheus")), allow(dead_code))]
mod hole;
#[cfg(feature = "json")]
mod json;
#[cfg(any(feature = "json", feature = "prometheus"))]
#[cfg_attr(not(all(feature = "json", feature = "prometheus")), allow(dead_code))]
mod numbers;
#[cfg(feature = "prometheus")]
mod prometheus;
#[cfg(feature = "templates")]
mod template;
#[cfg(feature = "prometheus")]
mod text_format;

#[cfg(feature = "json")]
pub use json::render_json;
#[cfg(feature = "prometheus")]
pub use prometheus::{render_prometheus, write_process_families, write_prometheus_family, Labels};
#[cfg(feature = "templates")]
pub use template::{Page, PageTemplate, PlacedHole, TemplateError};
#[cfg(feature = "prometheus")]
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

#[cfg(any(feature = "json", feature = "prometheus"))]
pub(crate) use buffer::BufWriter;

/// The renderers' output buffer.
#[cfg(any(feature = "json", feature = "prometheus"))]
mod buffer;

/// Units that renderers convert to a base unit, and what to divide values by. Dividing by a
/// power of ten (rather than multiplying by its inverse) keeps `16383 ns` as `1.6383e-5 s`.
#[cfg(feature = "prometheus")]
pub(crate) fn base_unit(unit: &str) -> (&str, f64) {
    // 1e9 over 1, 1e3 or 1e6: exact.
    match crate::metrics::subsecond_nanos(unit.as_bytes()) {
        Some(nanos) => ("seconds", 1e9 / f64::from(nanos)),
        None => (unit, 1.0),
    }
}
