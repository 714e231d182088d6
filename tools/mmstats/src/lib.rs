//! The library under the `mmstats` reader tools: finding the stats files of every
//! mutornadomon-rs writer on a host, reading them safely (never mapped: a writer truncating its
//! file gives a parse error, not a SIGBUS), and telling a live writer from a dead, reused-pid
//! or stalled one.
//!
//! ```no_run
//! use mmstats::reader::{expand, StatsFileCopy};
//! let (paths, _unmatched) = expand(&[]); // the default directory's stats files
//! for path in paths {
//!     let copy = StatsFileCopy::read(&path)?;
//!     println!("{}: {:?}", path.display(), copy.stats().map(|s| s.header().pid));
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod host_page;
pub mod printable;
pub mod reader;
pub mod series;
pub mod writers;
