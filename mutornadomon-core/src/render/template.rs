//! Pages compiled once per layout. Of a rendered page only the numbers change from one snapshot
//! to the next; names, help, types, labels and bucket edges change only when a metric is
//! registered. A [`PageTemplate`] keeps that text with the places of the numbers, and fills it
//! from each new snapshot by reading the numbers where they lie: no record walk, no text
//! checks, no escaping, no bucket-edge formatting.

use super::hole::{write_hole, Cursor, Hole, PageWrite, ProcessField};
use super::json::write_json_page;
use super::numbers::Style;
use super::prometheus::write_prometheus_page;
use super::{BufWriter, ProcessStats, RenderError, TextFormat};
use crate::layout::header;
use crate::parse::Stats;
use crate::region::Region;
use crate::sync::Ordering;
use crate::values::{Live, Values};
use crate::words::Words;
use core::fmt;

/// Which page a [`PageTemplate`] renders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Page {
    /// mutornadomon's JSON, as [`render_json`](crate::render_json).
    Json,
    /// Prometheus text or OpenMetrics, as [`render_prometheus`](crate::render_prometheus).
    Prometheus(TextFormat),
}

/// Where a number goes in a template's text and where it is read from. A template's holes
/// live in a caller's slice of these (start with [`PlacedHole::EMPTY`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlacedHole {
    at: usize,
    hole: Hole,
}

impl PlacedHole {
    /// A placeholder to fill buffers with before [`PageTemplate::compile`] writes them.
    pub const EMPTY: PlacedHole = PlacedHole {
        at: 0,
        hole: Hole::Process {
            field: ProcessField::Uptime,
            style: Style::Json,
        },
    };
}

impl Default for PlacedHole {
    fn default() -> Self {
        PlacedHole::EMPTY
    }
}

/// Why compiling or filling a template failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TemplateError {
    /// The text or hole buffer given to [`PageTemplate::compile`] is too small: retry with at
    /// least these lengths.
    TooSmall {
        /// Bytes of text the template needs.
        text: usize,
        /// Holes the template needs.
        holes: usize,
    },
    /// The stats do not have the layout the template was compiled from (a metric was
    /// registered since, they come from another region, the process statistics appeared or
    /// went), or the buffers are not the ones it was compiled into: compile again.
    LayoutChanged,
    /// Rendering failed: the output buffer is too small, or a record is malformed.
    Render(RenderError),
}

impl fmt::Display for TemplateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TemplateError::TooSmall { text, holes } => write!(
                f,
                "template buffers too small: need {text} bytes of text and {holes} holes"
            ),
            TemplateError::LayoutChanged => f.write_str("the stats' layout changed: recompile"),
            TemplateError::Render(e) => e.fmt(f),
        }
    }
}

impl core::error::Error for TemplateError {}

impl From<RenderError> for TemplateError {
    fn from(e: RenderError) -> Self {
        TemplateError::Render(e)
    }
}

/// What a page's shape depends on besides the page itself: the records (a region only ever
/// appends them, so its committed end and record count name its layout), which region they
/// are in, and which process statistics are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LayoutKey {
    committed: u64,
    record_count: u64,
    capacity: u64,
    creation_time_ns: u64,
    start_time_ns: u64,
    pid: u64,
    big_endian: bool,
    /// `None` without process statistics; else whether the descriptor limit is known.
    process: Option<bool>,
}

impl LayoutKey {
    /// The key of a live region, as a snapshot of it would show it.
    fn of_region(region: &Region<'_>, process: Option<&ProcessStats>) -> LayoutKey {
        let committed = region.committed() as u64;
        // Relaxed: header fields read on their own; `committed` above is the Acquire.
        let field = |i: usize| region.words[i].load(Ordering::Relaxed);
        LayoutKey {
            committed,
            record_count: field(header::RECORD_COUNT),
            capacity: field(header::CAPACITY),
            creation_time_ns: field(header::CREATION_TIME),
            start_time_ns: field(header::START_TIME),
            pid: field(header::PID),
            big_endian: cfg!(target_endian = "big"),
            process: process.map(|p| p.max_fds.is_some()),
        }
    }

    fn of(stats: &Stats<'_>, process: Option<&ProcessStats>) -> LayoutKey {
        let h = stats.header();
        LayoutKey {
            committed: h.committed,
            record_count: h.record_count,
            capacity: h.capacity,
            creation_time_ns: h.creation_time_ns,
            start_time_ns: h.start_time_ns,
            pid: h.pid,
            big_endian: h.big_endian,
            process: process.map(|p| p.max_fds.is_some()),
        }
    }
}

/// A page compiled for one layout of stats: its text, without the numbers, in a caller's byte
/// buffer, and the numbers' places in a caller's [`PlacedHole`] buffer. [`fill`](Self::fill)
/// renders a fresh snapshot of the same layout with those two buffers, writing exactly what
/// the page's renderer would, at a fraction of the cost (a `/metrics` page is mostly names,
/// help and bucket edges that do not change between scrapes).
///
/// A template trusts the layout it was compiled from: filling reads each number at its
/// place without walking or checking the records again. A snapshot of another layout is
/// refused with [`TemplateError::LayoutChanged`]; bytes that changed in place (a file
/// overwritten by another writer) give wrong numbers, never a panic or malformed text.
///
/// ```
/// use mutornadomon_core::{parse, render_json, Meta, Page, PageTemplate, PlacedHole, Storage};
/// static STATS: Storage<1024> = Storage::new();
/// let requests = STATS.region().counter("requests", Meta::new())?;
/// let mut snap = [0u8; 1024];
/// let (mut text, mut holes) = ([0u8; 512], [PlacedHole::EMPTY; 16]);
/// let n = STATS.region().snapshot(&mut snap)?;
/// let template = PageTemplate::compile(Page::Json, &parse(&snap[..n])?, None, &mut text, &mut holes)?;
///
/// requests.inc_by(3);
/// let n = STATS.region().snapshot(&mut snap)?;
/// let stats = parse(&snap[..n])?;
/// let (mut filled, mut rendered) = ([0u8; 512], [0u8; 512]);
/// let len = template.fill(&text, &holes, &stats, None, &mut filled)?;
/// let direct = render_json(&stats, None, &mut rendered)?;
/// assert_eq!(&filled[..len], &rendered[..direct]);
/// assert!(core::str::from_utf8(&filled[..len])?.contains(r#""requests":3"#));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageTemplate {
    page: Page,
    key: LayoutKey,
    text_len: usize,
    holes_len: usize,
}

impl PageTemplate {
    /// Compiles `page` for the layout of `stats` (and whether `process` is given) into `text`
    /// and `holes`.
    pub fn compile(
        page: Page,
        stats: &Stats<'_>,
        process: Option<&ProcessStats>,
        text: &mut [u8],
        holes: &mut [PlacedHole],
    ) -> Result<PageTemplate, TemplateError> {
        let mut compiler = Compiler {
            text: BufWriter::new(text),
            holes,
            holes_len: 0,
        };
        match page {
            Page::Json => write_json_page(&mut compiler, stats, process)?,
            Page::Prometheus(format) => {
                write_prometheus_page(&mut compiler, stats, process, format)?
            }
        }
        let (text_len, holes_len) = (compiler.text.len, compiler.holes_len);
        if text_len > compiler.text.buf.len() || holes_len > compiler.holes.len() {
            return Err(TemplateError::TooSmall {
                text: text_len,
                holes: holes_len,
            });
        }
        Ok(PageTemplate {
            page,
            key: LayoutKey::of(stats, process),
            text_len,
            holes_len,
        })
    }

    /// The page this template renders.
    pub fn page(&self) -> Page {
        self.page
    }

    /// Renders `stats` (of the layout compiled from) into `out` with the `text` and `holes`
    /// that [`compile`](Self::compile) wrote; returns the bytes written.
    pub fn fill(
        &self,
        text: &[u8],
        holes: &[PlacedHole],
        stats: &Stats<'_>,
        process: Option<&ProcessStats>,
        out: &mut [u8],
    ) -> Result<usize, TemplateError> {
        if LayoutKey::of(stats, process) != self.key {
            return Err(TemplateError::LayoutChanged);
        }
        self.fill_from(text, holes, &stats.words(), process, out)
    }

    /// Renders the live `region` (of the layout compiled from) into `out` with the `text` and
    /// `holes` that [`compile`](Self::compile) wrote, reading each number from the region
    /// itself: no snapshot is copied, and the page touches only the words it shows (for a
    /// histogram, the buckets between its min's and max's). Each number is read on its own,
    /// as a snapshot reads them.
    ///
    /// ```
    /// use mutornadomon_core::{parse, Meta, Page, PageTemplate, PlacedHole, Storage, TextFormat};
    /// static STATS: Storage<1024> = Storage::new();
    /// let jobs = STATS.region().counter("jobs", Meta::new())?;
    /// let mut snap = [0u8; 1024];
    /// let (mut text, mut holes) = ([0u8; 512], [PlacedHole::EMPTY; 16]);
    /// let n = STATS.region().snapshot(&mut snap)?;
    /// let page = Page::Prometheus(TextFormat::Prometheus);
    /// let template = PageTemplate::compile(page, &parse(&snap[..n])?, None, &mut text, &mut holes)?;
    ///
    /// jobs.inc_by(5);
    /// let mut out = [0u8; 512];
    /// let len = template.fill_region(&text, &holes, &STATS.region(), None, &mut out)?;
    /// assert!(core::str::from_utf8(&out[..len])?.ends_with("jobs_total 5\n"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn fill_region(
        &self,
        text: &[u8],
        holes: &[PlacedHole],
        region: &Region<'_>,
        process: Option<&ProcessStats>,
        out: &mut [u8],
    ) -> Result<usize, TemplateError> {
        // The committed end is read first (Acquire): every record before it, and so every
        // place this template reads, was fully written.
        if LayoutKey::of_region(region, process) != self.key {
            return Err(TemplateError::LayoutChanged);
        }
        self.fill_from(text, holes, &Live(region.words), process, out)
    }

    fn fill_from(
        &self,
        text: &[u8],
        holes: &[PlacedHole],
        words: &impl Values,
        process: Option<&ProcessStats>,
        out: &mut [u8],
    ) -> Result<usize, TemplateError> {
        let (Some(text), Some(holes)) = (text.get(..self.text_len), holes.get(..self.holes_len))
        else {
            return Err(TemplateError::LayoutChanged);
        };
        let mut w = BufWriter::new(out);
        let mut cursor = Cursor::default();
        let mut from = 0;
        for placed in holes {
            let Some(piece) = text.get(from..placed.at) else {
                return Err(TemplateError::LayoutChanged);
            };
            w.write_bytes(piece);
            // A BufWriter takes every write.
            let _ = write_hole(&mut w, &placed.hole, words, process, &mut cursor);
            from = placed.at;
        }
        w.write_bytes(text.get(from..).unwrap_or_default());
        Ok(w.finish()?)
    }
}

/// Writes a page's text into one buffer and notes its holes in another, each counting past
/// its end so one pass tells what both need.
struct Compiler<'t, 'h> {
    text: BufWriter<'t>,
    holes: &'h mut [PlacedHole],
    holes_len: usize,
}

impl fmt::Write for Compiler<'_, '_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.text.write_str(s)
    }
}

impl PageWrite for Compiler<'_, '_> {
    fn hole(
        &mut self,
        hole: Hole,
        _words: &Words<'_>,
        _process: Option<&ProcessStats>,
    ) -> fmt::Result {
        if let Some(slot) = self.holes.get_mut(self.holes_len) {
            *slot = PlacedHole {
                at: self.text.len,
                hole,
            };
        }
        self.holes_len += 1;
        Ok(())
    }
}
