//! The crate's only `unsafe`: the mmap'd stats file viewed as atomic words, and the few libc
//! calls std does not wrap. Everything else in the crate is `deny(unsafe_code)`.

use memmap2::MmapMut;
use mutornadomon_core::AtomicU64;
use std::ffi::CStr;
use std::fs::File;
use std::io;

/// A shared, writable mapping of a whole stats file, viewed as 8-byte atomic words.
pub(crate) struct MappedWords {
    map: MmapMut,
}

impl MappedWords {
    /// Maps all of `file`, whose length must be a non-zero multiple of 8.
    pub(crate) fn new(file: &File) -> io::Result<MappedWords> {
        let len = file.metadata()?.len();
        if len == 0 || len % 8 != 0 {
            let msg = "stats file length must be a non-zero multiple of 8";
            return Err(io::Error::new(io::ErrorKind::InvalidInput, msg));
        }
        // SAFETY: the file was just created by this process with O_EXCL and mode 0600 (or the
        // caller's mode), so no one else truncates it under us, which is what would make the
        // mapping unsound; readers only read. Its bytes are only accessed through `words`.
        let map = unsafe { MmapMut::map_mut(file)? };
        Ok(MappedWords { map })
    }

    /// The mapping as atomic words.
    pub(crate) fn words(&self) -> &[AtomicU64] {
        let ptr = self.map.as_ptr();
        // SAFETY: the mapping is page-aligned (so 8-byte aligned), its length is a multiple
        // of 8 (checked in `new`), and it lives as long as `self`. `AtomicU64` has the size and
        // layout of `u64` (portable-atomic documents it). Every access to the mapped memory
        // goes through these atomics, and no `&mut` to the bytes is ever created while this
        // view exists, so shared mutation through it is sound.
        unsafe { core::slice::from_raw_parts(ptr.cast::<AtomicU64>(), self.map.len() / 8) }
    }
}

/// Whether this process may create files in `dir` (access(2) with W_OK|X_OK).
pub(crate) fn can_write_dir(dir: &CStr) -> bool {
    // SAFETY: `dir` is a valid NUL-terminated string; access(2) only reads it.
    unsafe { libc::access(dir.as_ptr(), libc::W_OK | libc::X_OK) == 0 }
}

/// The soft limit on open file descriptors, if known.
pub(crate) fn max_fds() -> Option<u64> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: `limit` is a valid, writable rlimit for getrlimit to fill.
    let ok = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } == 0;
    // rlim_t is u64 on Linux but not on every Unix.
    #[allow(clippy::unnecessary_cast)]
    let current = limit.rlim_cur as u64;
    (ok && limit.rlim_cur != libc::RLIM_INFINITY).then_some(current)
}

/// CPU times (user, system) in seconds and max RSS in bytes, from getrusage(RUSAGE_SELF).
pub(crate) fn rusage() -> Option<(f64, f64, u64)> {
    // SAFETY: an all-zero rusage is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { core::mem::zeroed() };
    // SAFETY: `usage` is valid and writable for getrusage to fill.
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) } != 0 {
        return None;
    }
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    // ru_maxrss is in kilobytes on Linux and the BSDs, bytes on macOS.
    let rss_unit = if cfg!(target_os = "macos") { 1 } else { 1024 };
    Some((
        secs(usage.ru_utime),
        secs(usage.ru_stime),
        usage.ru_maxrss as u64 * rss_unit,
    ))
}

/// Clock ticks per second (for /proc times).
pub(crate) fn clock_ticks() -> u64 {
    // SAFETY: sysconf has no memory-safety preconditions.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    if ticks > 0 {
        ticks as u64
    } else {
        100
    }
}

/// The page size in bytes.
pub(crate) fn page_size() -> u64 {
    // SAFETY: sysconf has no memory-safety preconditions.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if size > 0 {
        size as u64
    } else {
        4096
    }
}

/// The real user and group ids.
pub(crate) fn uid_gid() -> (u32, u32) {
    // SAFETY: getuid and getgid cannot fail and touch no memory of ours.
    unsafe { (libc::getuid(), libc::getgid()) }
}

/// The region of `shared`, as `'static`, for handles that hold `shared` beside them (see
/// [`kept_words`]).
pub(crate) fn kept_region(
    shared: &std::sync::Arc<crate::shared::Shared>,
) -> mutornadomon_core::Region<'static> {
    crate::shared::attach(kept_words(shared))
}

/// The metric words of `shared`, as `'static`, for handles that hold `shared` beside them.
///
/// The returned words, and anything made from them, must only be used while the `Arc` they
/// are stored with is alive: the crate keeps each such value next to its own clone of the
/// `Arc` (`handles.rs`, `accounting.rs`, `probe.rs`) and gives it out only with a lifetime
/// bound to that owner (`as_core(&self)`), never as `'static`.
fn kept_words(shared: &std::sync::Arc<crate::shared::Shared>) -> &'static [AtomicU64] {
    let words = shared.memory.words();
    // SAFETY: the words live in `shared.memory`: a mapping (`MappedWords`, unmapped only when
    // dropped) or a boxed slice, neither of which moves or is freed while the `Shared` is
    // alive, and a `Shared` lives in an `Arc` from its creation to its drop. Every user of the
    // extended borrow holds a clone of that `Arc` for as long as it uses it (see above), so
    // the words outlive every use. Only shared references are made, and the words are atomics.
    unsafe { &*core::ptr::from_ref::<[AtomicU64]>(words) }
}
