//! Process statistics: Linux via /proc, other Unix via getrusage.

use crate::sys;
use mutornadomon_core::ProcessStats;
use std::time::{SystemTime, UNIX_EPOCH};

/// Fields of /proc/self/stat we use, already converted.
struct ProcStat {
    user_seconds: f64,
    system_seconds: f64,
    threads: u64,
    start_ticks: u64,
    vsz_bytes: u64,
    rss_bytes: u64,
}

/// Reads this process's statistics now.
///
/// ```
/// let stats = mutornadomon_std::process_stats();
/// assert!(stats.rss_bytes > 0 && stats.num_threads >= 1);
/// ```
pub fn process_stats() -> ProcessStats {
    let start_time_seconds = process_start_time_ns().map_or(0.0, |ns| ns as f64 / 1e9);
    let max_fds = sys::max_fds();
    match proc_stat("/proc/self/stat") {
        Some(stat) => stats_from(&stat, start_time_seconds, open_fds(), max_fds),
        None => {
            let (user, system, max_rss) = sys::rusage().unwrap_or_default();
            ProcessStats {
                uptime_seconds: uptime_since(start_time_seconds),
                rss_bytes: max_rss,
                user_time_seconds: user,
                system_time_seconds: system,
                max_fds,
                start_time_seconds,
                ..ProcessStats::default()
            }
        }
    }
}

/// The statistics of process `pid`, read from `/proc/<pid>` (Linux; `None` elsewhere, or when
/// the process is gone). Descriptors are counted only where `/proc/<pid>/fd` is readable (the
/// same user, or root); otherwise 0. The start time is `/proc`'s: compare it with what the
/// process said of itself before trusting that the pid is still the same process.
///
/// ```
/// let me = mutornadomon_std::process_stats_of(std::process::id()).unwrap();
/// assert!(me.rss_bytes > 0 && me.num_threads >= 1);
/// ```
pub fn process_stats_of(pid: u32) -> Option<ProcessStats> {
    let dir = format!("/proc/{pid}");
    let stat = proc_stat(&format!("{dir}/stat"))?;
    let boot_seconds = boot_time_seconds()?;
    let start_time_seconds =
        boot_seconds as f64 + stat.start_ticks as f64 / sys::clock_ticks() as f64;
    let num_fds = std::fs::read_dir(format!("{dir}/fd")).map_or(0, |fds| fds.count() as u64);
    let max_fds = max_open_files(&format!("{dir}/limits"));
    Some(stats_from(&stat, start_time_seconds, num_fds, max_fds))
}

/// A process's statistics from its `/proc/<pid>/stat` fields and what is read elsewhere.
fn stats_from(
    stat: &ProcStat,
    start_time_seconds: f64,
    num_fds: u64,
    max_fds: Option<u64>,
) -> ProcessStats {
    ProcessStats {
        uptime_seconds: uptime_since(start_time_seconds),
        rss_bytes: stat.rss_bytes,
        vsz_bytes: stat.vsz_bytes,
        user_time_seconds: stat.user_seconds,
        system_time_seconds: stat.system_seconds,
        num_threads: stat.threads,
        num_fds,
        max_fds,
        start_time_seconds,
    }
}

/// Seconds from `start_time_seconds` (since the Unix epoch) to now.
fn uptime_since(start_time_seconds: f64) -> f64 {
    (now_ns() as f64 / 1e9 - start_time_seconds).max(0.0)
}

/// The soft "Max open files" limit in a `/proc/<pid>/limits` file.
fn max_open_files(path: &str) -> Option<u64> {
    let text = std::fs::read_to_string(path).ok()?;
    let line = text.lines().find(|l| l.starts_with("Max open files"))?;
    line["Max open files".len()..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// When this process started, in nanoseconds since the Unix epoch: from /proc (boot time plus
/// the start tick, the same arithmetic a reader applies to `/proc/<pid>/stat`, so a reused pid
/// shows a different value), else the first time this was asked.
pub fn process_start_time_ns() -> Option<u64> {
    // Constant for the life of the process: read once (every tick asks for it).
    static START: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    Some(*START.get_or_init(|| start_time_ns_of("/proc/self/stat").unwrap_or_else(now_ns)))
}

/// Start time of the process whose stat file is `stat_path` (`/proc/<pid>/stat`), in
/// nanoseconds since the Unix epoch.
pub fn start_time_ns_of(stat_path: &str) -> Option<u64> {
    let stat = proc_stat(stat_path)?;
    let boot_seconds = boot_time_seconds()?;
    let ticks = sys::clock_ticks();
    Some(boot_seconds * 1_000_000_000 + stat.start_ticks * (1_000_000_000 / ticks))
}

fn proc_stat(path: &str) -> Option<ProcStat> {
    let text = std::fs::read_to_string(path).ok()?;
    // The command name is in parentheses and may hold spaces: fields start after the last ')'.
    let fields: Vec<&str> = text
        .get(text.rfind(')')? + 1..)?
        .split_whitespace()
        .collect();
    // Field n of proc(5) is fields[n - 3].
    let field = |n: usize| fields.get(n - 3).and_then(|f| f.parse::<u64>().ok());
    let ticks = sys::clock_ticks() as f64;
    Some(ProcStat {
        user_seconds: field(14)? as f64 / ticks,
        system_seconds: field(15)? as f64 / ticks,
        threads: field(20)?,
        start_ticks: field(22)?,
        vsz_bytes: field(23)?,
        rss_bytes: field(24)? * sys::page_size(),
    })
}

fn boot_time_seconds() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/stat").ok()?;
    text.lines()
        .find_map(|line| line.strip_prefix("btime ")?.trim().parse().ok())
}

/// Open descriptors: entries of /proc/self/fd, less the one reading the directory.
fn open_fds() -> u64 {
    std::fs::read_dir("/proc/self/fd").map_or(0, |dir| dir.count().saturating_sub(1) as u64)
}

/// Nanoseconds since the Unix epoch.
pub(crate) fn now_ns() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}
