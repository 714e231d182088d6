//! Examples live in `[[example]]` targets; this library holds what the sample applications
//! share: their command line and their clean stop on signals, the std sample application's
//! code itself ([`sample_app`]), which its tests run in a child process, and the `metrics`
//! facade example's ([`metrics_app`]).

pub mod metrics_app;
pub mod sample_app;

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// The value after `--addr` in `args`, else `default`.
pub fn addr_arg<'a>(args: &'a [String], default: &'a str) -> &'a str {
    args.iter()
        .position(|a| a == "--addr")
        .and_then(|i| args.get(i + 1))
        .map_or(default, String::as_str)
}

/// A flag set by SIGINT, SIGTERM or SIGQUIT, so a sample application can stop cleanly (and
/// remove its stats file) instead of dying.
pub fn stop_on_signals() -> std::io::Result<Arc<AtomicBool>> {
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGQUIT,
    ] {
        signal_hook::flag::register(signal, Arc::clone(&stop))?;
    }
    Ok(stop)
}

/// Filler bodies the bare servers can answer with, up to this many bytes.
pub const MAX_FILLER: usize = 64 * 1024;
static FILLER: [u8; MAX_FILLER] = [b'x'; MAX_FILLER];

/// What a bare (unmonitored) benchmark server answers for a request path.
///
/// ```
/// use mutornadomon_examples::{bare_body, BareBody};
/// assert_eq!(bare_body("/"), Some(BareBody::Helo));
/// assert_eq!(bare_body("/filler/3"), Some(BareBody::Filler(b"xxx")));
/// assert_eq!(bare_body("/filler/999999999"), None);
/// assert_eq!(bare_body("/other"), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BareBody {
    /// `/`: `HELO <peer ip>`, the sample applications' own `/`.
    Helo,
    /// `/filler/<n>`: `n` fixed bytes, so a monitor page of `n` bytes can be compared with a
    /// server that spends nothing producing a body of the same size (the bytes on the wire
    /// and the client's parsing cost the same for both).
    Filler(&'static [u8]),
}

/// The body a bare server answers `path` with, or `None` (404).
pub fn bare_body(path: &str) -> Option<BareBody> {
    if path == "/" {
        return Some(BareBody::Helo);
    }
    let n: usize = path.strip_prefix("/filler/")?.parse().ok()?;
    FILLER.get(..n).map(BareBody::Filler)
}
