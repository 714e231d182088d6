//! Where the metrics live: a stats file (mmap'd), or process memory.

use crate::stats_file::{stats_dir, stats_file_name, StatsFile};
use mutornadomon_core::{AtomicU64, Region};
use std::io;
use std::path::{Path, PathBuf};

/// Where the metrics live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Backing {
    /// A stats file in [`stats_dir`], falling back to memory if it cannot be created.
    DefaultFile,
    /// A stats file in this directory (an error if it cannot be created).
    FileIn(PathBuf),
    /// Process memory only: no file, no readers outside the process.
    Memory,
}

/// The metric storage: a stats file, or process memory.
pub(crate) enum Memory {
    File(StatsFile),
    Heap(Box<[AtomicU64]>),
}

impl Memory {
    pub(crate) fn new(
        backing: &Backing,
        program: &str,
        capacity: usize,
        mode: u32,
    ) -> io::Result<Memory> {
        let file = |dir: &Path| {
            let path = dir.join(stats_file_name(program, std::process::id()));
            StatsFile::create(path, capacity as u64, mode)
        };
        let memory = match backing {
            Backing::Memory => Memory::heap(capacity),
            Backing::FileIn(dir) => Memory::File(file(dir)?),
            Backing::DefaultFile => match file(&stats_dir()) {
                Ok(f) => Memory::File(f),
                Err(e) => {
                    log::warn!("no stats file ({e}); keeping metrics in memory only");
                    Memory::heap(capacity)
                }
            },
        };
        Region::format(memory.words()).map_err(io::Error::other)?;
        Ok(memory)
    }

    /// Puts a stats file under its name (it was created under a hidden one): call once the
    /// region is formatted and its header written. Nothing to do for process memory.
    pub(crate) fn publish(&mut self) -> io::Result<()> {
        match self {
            Memory::File(f) => f.publish(),
            Memory::Heap(_) => Ok(()),
        }
    }

    fn heap(capacity: usize) -> Memory {
        Memory::Heap((0..capacity / 8).map(|_| AtomicU64::new(0)).collect())
    }

    pub(crate) fn words(&self) -> &[AtomicU64] {
        match self {
            Memory::File(f) => f.words(),
            Memory::Heap(words) => words,
        }
    }

    /// Removes the stats file, if any (once); the memory stays usable.
    pub(crate) fn unlink(&self) {
        if let Memory::File(f) = self {
            f.unlink();
        }
    }

    /// The stats file's path, if the metrics live in one.
    pub(crate) fn path(&self) -> Option<&Path> {
        match self {
            Memory::File(f) => f.path(),
            Memory::Heap(_) => None,
        }
    }
}
