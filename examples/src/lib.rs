//! Examples live in `[[example]]` targets; this library holds what the sample applications
//! share: their command line and their clean stop on signals.

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
