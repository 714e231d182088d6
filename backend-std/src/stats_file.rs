//! Where stats files live, what they are called, and creating them safely.

use crate::sys::{self, MappedWords};
use std::fs::{File, OpenOptions};
use std::io;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

/// The directory stats files go in: `$MMSTATS_PATH` if set, else `/dev/shm` when it is a
/// writable directory (memory-backed: a disk-backed mapping can stall writers on writeback),
/// else the temp dir. Readers use the same rule to find files.
///
/// ```
/// let dir = mutornadomon_std::stats_dir();
/// assert!(dir.is_absolute());
/// ```
pub fn stats_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("MMSTATS_PATH").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let shm = Path::new("/dev/shm");
    if is_writable_dir(shm) {
        return shm.to_path_buf();
    }
    std::env::temp_dir()
}

fn is_writable_dir(dir: &Path) -> bool {
    let Ok(c) = std::ffi::CString::new(dir.as_os_str().as_encoded_bytes()) else {
        return false;
    };
    dir.is_dir() && sys::can_write_dir(&c)
}

/// The file name for `program` and `pid`: `mutornadomon-<program>-<pid>.stats`, with the
/// program name cut to 64 bytes of `[A-Za-z0-9_.-]` (others become `_`).
pub fn stats_file_name(program: &str, pid: u32) -> String {
    let program: String = program
        .chars()
        .take(64)
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("mutornadomon-{program}-{pid}.stats")
}

/// A stats file this process created and maps; removed when dropped.
///
/// It is created under a hidden staging name in the same directory (`.<name>.<ns>.new`, which
/// no reader's pattern matches) and appears under its name only when
/// [`publish`](Self::publish)ed, once formatted: a reader never finds a file of ours that is
/// still being set up.
pub(crate) struct StatsFile {
    path: PathBuf,
    state: State,
    /// Set once the file was removed by `unlink` (the mapping stays).
    unlinked: AtomicBool,
    words: MappedWords,
    _file: File,
}

/// Where the file is.
enum State {
    /// Under this staging name, not yet published.
    Staging(PathBuf),
    /// Under its name.
    Published,
    /// Nowhere: publishing failed (another file has the name) and the staging name is gone.
    /// The mapping still works; no reader sees it, and dropping removes nothing.
    Unlinked,
}

impl StatsFile {
    /// Creates the file (`O_CREAT|O_EXCL|O_NOFOLLOW`, so an existing file or a symlink planted
    /// there is never clobbered) under a staging name next to `path`, with `mode`, sizes it to
    /// `bytes`, and maps it.
    pub(crate) fn create(path: PathBuf, bytes: u64, mode: u32) -> io::Result<StatsFile> {
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let staging = path.with_file_name(format!(
            ".{}.{}.new",
            name.unwrap_or_default(),
            crate::process::now_ns()
        ));
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .mode(mode)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(&staging)?;
        let mapped = file.set_len(bytes).and_then(|_| MappedWords::new(&file));
        match mapped {
            Ok(words) => Ok(StatsFile {
                path,
                state: State::Staging(staging),
                unlinked: AtomicBool::new(false),
                words,
                _file: file,
            }),
            Err(e) => {
                let _ = std::fs::remove_file(&staging);
                Err(e)
            }
        }
    }

    /// Gives the file its name: a hard link (which, like `O_EXCL`, never replaces an existing
    /// file), then the staging name removed.
    pub(crate) fn publish(&mut self) -> io::Result<()> {
        let State::Staging(staging) = &self.state else {
            return Ok(());
        };
        let linked = std::fs::hard_link(staging, &self.path);
        let _ = std::fs::remove_file(staging);
        self.state = match linked {
            Ok(()) => State::Published,
            Err(_) => State::Unlinked,
        };
        linked
    }

    pub(crate) fn words(&self) -> &[mutornadomon_core::AtomicU64] {
        self.words.words()
    }

    /// Where readers find it (`None` before it is published, when publishing failed, or once
    /// unlinked).
    pub(crate) fn path(&self) -> Option<&Path> {
        // Relaxed: a flag of its own; nothing is published through it.
        let unlinked = self.unlinked.load(Ordering::Relaxed);
        (matches!(self.state, State::Published) && !unlinked).then_some(self.path.as_path())
    }

    /// Removes the file (once); the mapping stays usable, seen by no other process.
    pub(crate) fn unlink(&self) {
        // Relaxed: only makes the removal happen once.
        if self.unlinked.swap(true, Ordering::Relaxed) {
            return;
        }
        self.remove();
    }

    fn remove(&self) {
        let path = match &self.state {
            State::Staging(staging) => staging,
            State::Published => &self.path,
            State::Unlinked => return,
        };
        if let Err(e) = std::fs::remove_file(path) {
            log::warn!("could not remove stats file {}: {e}", path.display());
        }
    }
}

impl Drop for StatsFile {
    fn drop(&mut self) {
        self.unlink();
    }
}
