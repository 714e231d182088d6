//! The CPU profiler endpoint (feature `profiler`): `GET /profiler` samples the whole process
//! with pprof for a while and answers a flat/cumulative top-N text or a flamegraph SVG.
//!
//! Parameters (query string): `profiletime` in milliseconds (default 2000, the original's
//! default; at most 60000), `format` (`text`, the default, or `svg`), `top` (rows of the text
//! report, default 30). One profile runs at a time; a second request meanwhile gets 409.

use crate::{ProfileFormat, ProfileRequest};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};

const SAMPLES_PER_SECOND: i32 = 99;

/// Why a profile was not taken: the status to answer and a message.
pub(crate) struct Refused(pub u16, pub String);

/// Takes a profile as `query` asks, blocking the calling thread for its duration. Returns the
/// content type and body.
pub(crate) fn profile(query: &str) -> Result<(&'static str, Vec<u8>), Refused> {
    static RUNNING: AtomicBool = AtomicBool::new(false);
    let request = ProfileRequest::from_query(query).map_err(|e| Refused(400, e + "\n"))?;
    // Acquire/Release pair the flag between successive profiles; it guards no other data.
    if RUNNING
        .compare_exchange(false, true, Ordering::Acquire, Ordering::Relaxed)
        .is_err()
    {
        return Err(Refused(
            409,
            "a profile is already running; try again when it ends\n".into(),
        ));
    }
    let result = take(request);
    RUNNING.store(false, Ordering::Release);
    result.map_err(|e| Refused(500, format!("profiling failed: {e}\n")))
}

fn take(request: ProfileRequest) -> Result<(&'static str, Vec<u8>), pprof::Error> {
    let guard = pprof::ProfilerGuardBuilder::default()
        .frequency(SAMPLES_PER_SECOND)
        .blocklist(&["libc", "libgcc", "pthread", "vdso"])
        .build()?;
    std::thread::sleep(request.duration);
    let report = guard.report().build()?;
    drop(guard);
    match request.format {
        ProfileFormat::Svg => {
            let mut svg = Vec::new();
            report.flamegraph(&mut svg)?;
            Ok(("image/svg+xml", svg))
        }
        ProfileFormat::Text => Ok((
            "text/plain; charset=utf-8",
            top_text(&report, request).into_bytes(),
        )),
    }
}

/// `pprof -top` style: samples per function where it was running (flat) and anywhere on the
/// stack (cum), sorted by flat.
fn top_text(report: &pprof::Report, request: ProfileRequest) -> String {
    let mut flat: HashMap<String, i64> = HashMap::new();
    let mut cum: HashMap<String, i64> = HashMap::new();
    let mut total = 0i64;
    for (frames, &count) in &report.data {
        let count = count as i64;
        total += count;
        // Innermost first; a frame lists its inlined functions innermost first too. The first
        // frames are pprof's own unwinder, running in the SIGPROF handler: not the program.
        let names: Vec<String> = frames
            .frames
            .iter()
            .flatten()
            .map(|symbol| symbol.name())
            .skip_while(|name| name.starts_with("backtrace::") || name.contains("pprof::"))
            .collect();
        if let Some(leaf) = names.first() {
            *flat.entry(leaf.clone()).or_default() += count;
        }
        let mut seen: Vec<&String> = Vec::with_capacity(names.len());
        for name in &names {
            if !seen.contains(&name) {
                seen.push(name);
                *cum.entry(name.clone()).or_default() += count;
            }
        }
    }
    let mut rows: Vec<(&String, i64)> = cum.iter().map(|(name, &c)| (name, c)).collect();
    rows.sort_by(|a, b| {
        flat.get(b.0)
            .cmp(&flat.get(a.0))
            .then(b.1.cmp(&a.1))
            .then(a.0.cmp(b.0))
    });
    let pct = |n: i64| {
        if total > 0 {
            100.0 * n as f64 / total as f64
        } else {
            0.0
        }
    };
    let mut out = format!(
        "CPU profile: {} ms at {SAMPLES_PER_SECOND} Hz, {total} samples\n{:>8} {:>6} {:>8} {:>6}  function\n",
        request.duration.as_millis(),
        "flat",
        "flat%",
        "cum",
        "cum%"
    );
    for (name, cum) in rows.into_iter().take(request.top) {
        let flat = flat.get(name).copied().unwrap_or(0);
        out.push_str(&format!(
            "{flat:>8} {:>5.1}% {cum:>8} {:>5.1}%  {name}\n",
            pct(flat),
            pct(cum)
        ));
    }
    out
}
