//! Reading other processes' stats files: finding them, reading them safely, and telling a live
//! writer from a dead, reused-pid or stalled one. The reader tools (`mmstats`) build on this.
//!
//! Files are read with `read(2)` into memory, never mapped: a writer truncating or removing its
//! file mid-read gives a short or failed read (and then a parse error), not a SIGBUS.

use mutornadomon_core::{parse, Header, ParseError, ParseErrorKind, Stats};
use mutornadomon_std::start_time_ns_of;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// A heartbeat older than this marks a live writer as stalled (its probe beats every 100 ms).
pub const STALL_AFTER: Duration = Duration::from_secs(5);

/// A glob over file names inside one directory (the `glob` parameter of `mmstats serve`): a
/// pattern with `/`, `..` or NUL is refused, so it cannot reach outside the directory.
///
/// ```
/// use mmstats::reader::file_name_pattern;
/// assert!(file_name_pattern("mutornadomon-app-*.stats")?.matches("mutornadomon-app-12.stats"));
/// assert!(file_name_pattern("../etc/*").is_err());
/// assert!(file_name_pattern("[").is_err()); // not a glob
/// # Ok::<(), String>(())
/// ```
pub fn file_name_pattern(glob: &str) -> Result<glob::Pattern, String> {
    if glob.contains('/') || glob.contains("..") || glob.contains('\0') {
        return Err(
            "glob is a file-name pattern inside the stats directory; it cannot contain '/' or '..'"
                .into(),
        );
    }
    glob::Pattern::new(glob).map_err(|e| format!("bad glob: {e}"))
}

/// The stats files in `dir` (names `mutornadomon-*.stats`), sorted.
pub fn discover(dir: &Path) -> io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| is_stats_file_name(path))
        .collect();
    files.sort();
    Ok(files)
}

fn is_stats_file_name(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("mutornadomon-") && n.ends_with(".stats"))
}

/// Paths from command-line arguments: each a file, a directory (its stats files) or a glob;
/// with none, the stats files in [`stats_dir`](mutornadomon_std::stats_dir). Arguments that match nothing
/// are returned as errors, to be reported.
pub fn expand(args: &[String]) -> (Vec<PathBuf>, Vec<(String, String)>) {
    let mut paths = Vec::new();
    let mut errors = Vec::new();
    if args.is_empty() {
        let dir = mutornadomon_std::stats_dir();
        match discover(&dir) {
            Ok(found) => paths.extend(found),
            Err(e) => errors.push((dir.display().to_string(), e.to_string())),
        }
        return (paths, errors);
    }
    for arg in args {
        let path = Path::new(arg);
        if path.is_dir() {
            match discover(path) {
                Ok(found) => paths.extend(found),
                Err(e) => errors.push((arg.clone(), e.to_string())),
            }
        } else if path.exists() {
            paths.push(path.to_path_buf());
        } else {
            match glob::glob(arg) {
                Ok(matches) => {
                    let before = paths.len();
                    paths.extend(matches.filter_map(Result::ok));
                    if paths.len() == before {
                        errors.push((arg.clone(), "no such file".into()));
                    }
                }
                Err(e) => errors.push((arg.clone(), format!("bad pattern: {e}"))),
            }
        }
    }
    (paths, errors)
}

/// Whether a stats file's writer is still there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Liveness {
    /// The writer beat recently: alive, whatever `/proc` says (it may run in another pid
    /// namespace, where its pid names another process here, or none).
    Alive,
    /// The writer's process runs but has not beaten for a while (stopped, or stuck).
    Stalled,
    /// No process has the writer's pid.
    Dead,
    /// A process has the writer's pid but started at another time: the pid was reused.
    PidReused,
    /// The file does not say which process wrote it.
    Unknown,
}

impl fmt::Display for Liveness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Liveness::Alive => "alive",
            Liveness::Stalled => "stalled",
            Liveness::Dead => "dead",
            Liveness::PidReused => "pid reused",
            Liveness::Unknown => "unknown",
        })
    }
}

impl Liveness {
    /// Whether the writer is gone for good (its file may be removed).
    pub fn is_gone(self) -> bool {
        matches!(self, Liveness::Dead | Liveness::PidReused)
    }
}

/// The liveness of the writer described by `header`, judged now.
///
/// A fresh heartbeat means alive, whatever `/proc` says: a writer in another pid namespace (a
/// container sharing `/dev/shm`) has a pid that names some other process here, or none. Only
/// a writer whose heartbeat is stale is judged by its pid: gone from `/proc`, or a zombie
/// (killed, not yet reaped), is dead; a process with another start time is a reused pid;
/// otherwise it is stalled. `clean` removes only the dead and the reused.
pub fn liveness(header: &Header) -> Liveness {
    let age = now_ns().saturating_sub(header.heartbeat_ns);
    if header.heartbeat_ns != 0 && age <= STALL_AFTER.as_nanos() as u64 {
        return Liveness::Alive;
    }
    let Ok(pid) = i32::try_from(header.pid) else {
        return Liveness::Unknown;
    };
    if pid <= 0 {
        return Liveness::Unknown;
    }
    if !Path::new(&format!("/proc/{pid}")).exists() {
        return if Path::new("/proc/self").exists() {
            Liveness::Dead
        } else {
            Liveness::Unknown
        };
    }
    match start_time_ns_of(&format!("/proc/{pid}/stat")) {
        Some(started) if header.start_time_ns != 0 && started != header.start_time_ns => {
            Liveness::PidReused
        }
        _ if process_state(pid) == Some('Z') => Liveness::Dead,
        _ => Liveness::Stalled,
    }
}

/// The state letter of process `pid` (`R`, `S`, `Z` for a zombie, ...), from `/proc`.
fn process_state(pid: i32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may hold anything: the state follows the last ')'.
    stat.get(stat.rfind(')')? + 1..)?
        .split_whitespace()
        .next()?
        .chars()
        .next()
}

/// A stats file read into memory.
#[derive(Debug, Clone)]
pub struct StatsFileCopy {
    /// Where it was read from.
    pub path: PathBuf,
    bytes: Vec<u8>,
}

impl StatsFileCopy {
    /// Reads `path` (no mmap: see the module docs): its header, then at most the bytes that
    /// header commits, never more than the largest region a writer makes. A file longer than
    /// what it commits (say, truncated to 1 GiB after a valid header, as anyone can in
    /// `/dev/shm`) costs what it commits, not its length. Only regular files: a FIFO or device
    /// planted under a stats file name would otherwise block or flood the reader.
    pub fn read(path: &Path) -> io::Result<StatsFileCopy> {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer. It changes
        // nothing for regular files.
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)?;
        if !file.metadata()?.is_file() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "not a regular file",
            ));
        }
        let mut bytes = Vec::new();
        // A first read that holds most files whole; a larger commitment is read after it.
        let mut want = FIRST_READ;
        // The writer may commit more records between the header read and the rest: read again
        // up to the newly committed end, a few times at most.
        for attempt in 0..4 {
            bytes.clear();
            if attempt > 0 {
                std::io::Seek::rewind(&mut file)?;
            }
            read_prefix(&mut file, want, &mut bytes)?;
            match committed_past(&bytes) {
                Some(committed) if committed > want => want = committed.min(MAX_BYTES),
                _ => break,
            }
        }
        Ok(StatsFileCopy {
            path: path.to_path_buf(),
            bytes,
        })
    }

    /// Parses the copy.
    pub fn stats(&self) -> Result<Stats<'_>, ParseError> {
        parse(&self.bytes)
    }

    /// The writer's program name, from its `sys.program` info record.
    pub fn program(&self) -> Option<String> {
        self.info("sys.program")
    }

    /// The text of the info record `name`, if any.
    pub fn info(&self, name: &str) -> Option<String> {
        let stats = self.stats().ok()?;
        stats
            .records()
            .map_while(Result::ok)
            .find(|r| r.name == name)
            .and_then(|r| match r.value {
                mutornadomon_core::Value::Info(text) => Some(text.to_owned()),
                _ => None,
            })
    }
}

/// The largest region the std backend makes (`MonitorBuilder::capacity` stops there): no
/// file is read past it.
const MAX_BYTES: u64 = 1 << 30;

/// The first read of a file: its header and, for most files, every record.
const FIRST_READ: u64 = 64 * 1024;

/// Reads `len` bytes of `file` from where it stands (fewer if it ends first) into `bytes`.
fn read_prefix(file: &mut std::fs::File, len: u64, bytes: &mut Vec<u8>) -> io::Result<()> {
    use std::io::Read;
    bytes.reserve(usize::try_from(len).unwrap_or(usize::MAX));
    file.take(len).read_to_end(bytes)?;
    Ok(())
}

/// The end of the records a file's header commits, when it lies past the bytes read so far
/// (what the parser calls truncated); `None` when the bytes hold all it commits, or are not a
/// stats file at all (the parser says why later).
fn committed_past(bytes: &[u8]) -> Option<u64> {
    match parse(bytes) {
        Err(e) => match e.kind() {
            ParseErrorKind::Truncated { needed } => Some(needed),
            _ => None,
        },
        Ok(_) => None,
    }
}

/// Seconds since the Unix epoch, now (0 before 1970): what the tools compare writers' times
/// with.
///
/// ```
/// assert!(mmstats::reader::now_seconds() > 1.7e9);
/// ```
pub fn now_seconds() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Nanoseconds since the Unix epoch, now (0 before 1970).
fn now_ns() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}
