//! Allocation-free metrics for programs that cannot or will not run Tokio: constrained and
//! `no_std` binaries, thread-based daemons, smol services.
//!
//! Metrics live in a **region**: a block of 8-byte atomic words that is at once the in-memory
//! store and a self-describing file layout ([FORMAT.md] describes it byte by byte). A no_std
//! program keeps the region in a `static`; the std backend puts it in an mmap'd file that other
//! processes read without disturbing the writer.
//!
//! - **Kinds**: [`Counter`], [`ShardedCounter`] (single-writer shards, one total), [`Gauge`]
//!   (`f64` with min/max over the previous and the current window), [`Histogram`] (log-linear, ≤ 6.25% error), info text.
//! - **Labels** (feature `labels`): a family (`requests{status,method}`) has at most `limit`
//!   series, each an ordinary handle found by its label values without locks or allocation;
//!   past the limit, new values fold into one overflow series (`otel_metric_overflow="true"`)
//!   and are counted, so a label taken from a request cannot fill the region.
//! - **Hot path**: handles are `Copy` references; a counter add is one atomic add; no locks,
//!   no syscalls, no heap. mutornadomon-style by-name calls ([`Region::count`],
//!   [`Region::set`], [`Region::record`]) look names up in a lock-free index.
//! - **Readers** copy a region with [`Region::snapshot`] and read it with [`parse`], which is
//!   total on any bytes. [`render_json`] writes mutornadomon's JSON, [`render_prometheus`]
//!   Prometheus text or OpenMetrics, both into caller buffers. A program serving the same page
//!   again and again compiles it once into a [`PageTemplate`] (the names, help and labels,
//!   with the places of the numbers) and fills only the numbers from each new snapshot (half
//!   to a third of the instructions of rendering), until a registration changes the layout.
//! - **Address rules** in [`address`]: loopback/private classification, `X-Forwarded-For` and
//!   `Forwarded` parsing, and the fail-closed "local only" endpoint filter.
//!
//! ```
//! use mutornadomon_core::{parse, render_prometheus, Meta, Storage, TextFormat};
//!
//! static STATS: Storage<4096> = Storage::new();
//!
//! let stats = STATS.region();
//! let requests = stats.counter("requests", Meta::new().help("Requests served"))?;
//! let latency = stats.histogram("latency", Meta::new().unit("nanoseconds"))?;
//! requests.inc();
//! latency.record(1_250_000);
//! stats.set("queue_depth", 3.0)?; // by name, registered on first use
//!
//! let mut snapshot = [0u8; 32 * 1024];
//! let len = stats.snapshot(&mut snapshot)?;
//! let mut text = [0u8; 16 * 1024];
//! let n = render_prometheus(&parse(&snapshot[..len])?, None, TextFormat::Prometheus, &mut text)?;
//! assert!(core::str::from_utf8(&text[..n])?.contains("requests_total 1\n"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Crate features
//!
//! The default is everything a std program uses; a firmware picks what it calls (each feature
//! is additive, and none brings std or an allocator):
//!
//! - `perf` (default): the speed-tuned code: histogram summaries that sum buckets in blocks of
//!   eight and pass over whole blocks, the parser's and the Prometheus page's inner steps
//!   inlined into their loops, record names copied and compared a word at a time, statsd
//!   integers written two digits at a time. Without it the same bytes come out of smaller,
//!   slower code (a firmware linking both pages is 2.6 KB smaller and renders them 3-5%
//!   slower, a statsd firmware 2.1 KB smaller; BENCHMARKS.md, "Code size"): a firmware that
//!   counts flash leaves it out;
//! - `json` (default): [`render_json`], mutornadomon's JSON page;
//! - `prometheus` (default): [`render_prometheus`], [`write_prometheus_family`],
//!   [`TextFormat`]: Prometheus text 0.0.4 and OpenMetrics; and registration refusing a name
//!   that would render on that page like one already registered
//!   ([`RegisterError::NameClash`]): a build without the page registers any valid name;
//! - `templates` (default; needs `json` and `prometheus`): [`PageTemplate`], a page compiled
//!   once and filled from each snapshot or the live region;
//! - `statsd` (default): [`StatsdEncoder`], statsd lines in heapless datagrams, from a parsed
//!   snapshot or read from the live region in place ([`StatsdEncoder::encode_region`]);
//! - `labels` (default): labelled families ([`Region::counter_family`] and its kin) with
//!   bounded series, read, rendered and encoded everywhere; without it, a family's and a
//!   series' records are kinds this build does not know (skipped, as a 1.1 reader does);
//! - `std` (off): every error type converts into `std::io::Error` (so `?` works in
//!   `fn main() -> std::io::Result<()>`); the std backends turn it on;
//! - `serde` (off): `Serialize` for the parsed view ([`Record`], [`Stats`], the readings) and
//!   `MutornadomonPage` (the JSON page through serde): a program's own JSON, CBOR or
//!   MessagePack message; no_std programs write JSON with `serde-json-core`.
//!
//! Registration, the region, snapshots and the parser are always there. Every error type
//! implements `core::error::Error`, so `?` into `Box<dyn Error>` works without any feature.
//! 64-bit atomics come from `portable-atomic`, so targets without them still build (enable one
//! of its fallback features, e.g. `critical-section`, in your binary).
//!
//! [FORMAT.md]: https://github.com/mutornadomon-rs/mutornadomon-rs/blob/main/FORMAT.md
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![deny(clippy::std_instead_of_core, clippy::alloc_instead_of_core)]

#[cfg(any(test, feature = "std"))]
extern crate std;

pub mod address;
pub mod bucket;
mod by_name;
mod exposed_name;
#[cfg(feature = "labels")]
mod family;
mod framing;
mod gauge;
mod histogram_reading;
mod index;
#[cfg(feature = "std")]
mod io_error;
#[cfg(feature = "labels")]
mod label_rules;
#[cfg(feature = "labels")]
mod labelled_records;
mod labels;
mod layout;
#[cfg(feature = "statsd")]
mod live_records;
mod metrics;
mod name;
mod name_clash;
mod parse;
mod parse_error;
mod record;
mod record_words;
mod records;
mod region;
mod register_error;
mod registry;
mod render;
#[cfg(feature = "serde")]
mod serde_impls;
#[cfg(feature = "statsd")]
mod statsd;
mod sync;
mod values;
mod words;

pub use exposed_name::ExposedName;
#[cfg(feature = "labels")]
pub use family::{CounterFamily, GaugeFamily, HistogramFamily};
pub use gauge::Gauge;
pub use histogram_reading::HistogramReading;
#[cfg(feature = "labels")]
pub use label_rules::{LabelError, MAX_LABELS, MAX_LABEL_NAME_LEN, MAX_LABEL_VALUE_LEN};
pub use labels::{SeriesLabels, OVERFLOW_LABEL};
pub use layout::{
    ENDIAN_MARKER, HEADER_BYTES, MAGIC, MAX_HELP_LEN, MAX_INFO_LEN, MAX_SHARDS, MAX_UNIT_LEN,
    MAX_WORDS, MIN_WORDS, VERSION_MAJOR, VERSION_MINOR,
};
pub use metrics::{
    Counter, CounterShard, DurationUnitError, Histogram, Kind, Meta, ShardedCounter,
};
pub use name::{validate_name, TextError, MAX_NAME_LEN};
pub use parse::{parse, Header, Stats};
pub use parse_error::{ParseError, ParseErrorKind};
pub use records::{Record, Records, Value};
#[cfg(not(loom))]
pub use region::Storage;
pub use region::{BufferTooSmall, FormatError, Region};
pub use register_error::ClashingName;
pub use register_error::RegisterError;
#[cfg(feature = "json")]
pub use render::render_json;
#[cfg(feature = "prometheus")]
pub use render::{
    render_prometheus, write_process_families, write_prometheus_family, Labels, TextFormat,
};
#[cfg(feature = "templates")]
pub use render::{Page, PageTemplate, PlacedHole, TemplateError};
pub use render::{ProcessStats, RenderError};
#[cfg(feature = "serde")]
pub use serde_impls::MutornadomonPage;
#[cfg(feature = "statsd")]
pub use statsd::{Encoded, StatsdEncoder, StatsdError};
pub use sync::AtomicU64;
pub use values::{GaugeReading, HistogramSummary};
