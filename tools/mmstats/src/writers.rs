//! What serve shows of each writer beside its metrics: its process statistics, read from
//! `/proc/<pid>` only while that pid is still the writer (the same start time as the writer
//! recorded in its header), so a reused pid or a writer in another pid namespace shows none.

use mutornadomon_core::{Header, ProcessStats};
use mutornadomon_std::{process_stats_of, start_time_ns_of};

/// The process statistics of the writer whose header is `header`, if its process runs here.
///
/// ```
/// use mutornadomon_core::{parse, Storage};
/// static STATS: Storage<256> = Storage::new();
/// let region = STATS.region();
/// region.set_pid(u64::from(std::process::id()));
/// region.set_start_time(mutornadomon_std::process_start_time_ns().unwrap());
/// let mut image = [0u8; 2048];
/// let n = region.snapshot(&mut image)?;
/// let stats = parse(&image[..n])?;
/// assert!(mmstats::writers::process_of(stats.header()).unwrap().rss_bytes > 0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn process_of(header: &Header) -> Option<ProcessStats> {
    let pid = u32::try_from(header.pid).ok().filter(|&p| p > 0)?;
    let started = start_time_ns_of(&format!("/proc/{pid}/stat"))?;
    if header.start_time_ns == 0 || started != header.start_time_ns {
        return None;
    }
    process_stats_of(pid)
}
