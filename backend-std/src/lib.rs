//! The monitor runtime both backends share: everything mutornadomon did for a Tornado app,
//! plus mmstats' shared-memory stats file, with no HTTP and no command line in it.
//!
//! A [`Monitor`] owns:
//!
//! - a **stats file** holding the metrics region (see FORMAT.md), in `$MMSTATS_PATH`, else
//!   `/dev/shm`, else the temp dir, named `mutornadomon-<program>-<pid>.stats`, created
//!   `O_EXCL|O_NOFOLLOW` with mode 0600, removed when the monitor and its handles are gone.
//!   Updates are atomic stores into the mapping: no syscalls. Other processes read it with
//!   `mutornadomon_core::parse` or the `mmstats` tools;
//! - a **latency probe** thread measuring how late its own timer fires
//!   (`ioloop_excess_callback_latency`), and [`LoopProbe::tick`] for the program's own loop;
//! - **process stats** (rss, vsz, cpu, threads, fds) refreshed every probe interval;
//! - a **publisher** thread calling your closure with a [`Snapshot`] (or [`StatsdPublisher`]);
//! - **request accounting** for your own server ([`RequestAccounting`]) and scope timers;
//! - **labelled families** ([`Monitor::counter_family`] and its kin): series found by label
//!   values, at most a limit of them, the rest folded into an overflow series;
//! - its two **pages** ([`MetricsPage`]): mutornadomon's JSON and Prometheus text, rendered by
//!   [`MonitorHandle::render_page`]. They are served over HTTP by `mutornadomon-http` (a
//!   bounded blocking server, or inside tiny-http) and by `mutornadomon-smol`.
//!
//! ```
//! use mutornadomon_core::Meta;
//! use mutornadomon_std::Monitor;
//!
//! let monitor = Monitor::builder().in_memory().start()?;
//! let jobs = monitor.counter("jobs", Meta::new().help("Jobs done"))?;
//! jobs.inc();
//! monitor.kv("queue_depth", 4.0)?; // mutornadomon's name for setting a gauge
//! assert!(monitor.snapshot().to_json().contains(r#""jobs":1"#));
//! monitor.stop(); // threads end at once
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The probe and publisher can also run on a loop or executor of the program's own
//! ([`MonitorBuilder::start_undriven`], [`ProbeDriver`], [`PublishDriver`]): the smol backend
//! (`mutornadomon-smol`) builds on that, and on [`MonitorHandle::stopped`] to end with the
//! monitor.
//!
//! # Crate features
//!
//! - `tiny-http` (off by default): `RequestAccounting::start_request` for a tiny-http
//!   request. `mutornadomon-http`'s `tiny-http` feature turns it on.
//! - `metrics` (off by default): `Monitor::metrics_recorder` and
//!   `Monitor::install_metrics_recorder`, the `metrics` crate's recorder over the monitor
//!   (module `facade`): `counter!`, `gauge!` and `histogram!` from any library land in the
//!   stats file and the pages, with no async runtime.
#![deny(unsafe_code)]
#![warn(missing_docs)]

mod accounting;
#[cfg(feature = "metrics")]
pub mod facade;
mod families;
mod handles;
mod memory;
mod monitor;
mod pages;
mod probe;
mod process;
mod publish;
mod scratch;
mod shared;
mod snapshot;
mod stats_file;
mod stop;
#[allow(unsafe_code)]
mod sys;
mod timer;

pub use accounting::{RequestAccounting, RequestTimer};
pub use families::{CounterFamily, GaugeFamily, HistogramFamily};
pub use handles::{Counter, CounterShard, Gauge, Histogram, ShardedCounter};
pub use monitor::{Drivers, Monitor, MonitorBuilder, MonitorHandle};
pub use pages::{recycle_page_buffer, MetricsPage, RenderedPage, PAGE_HEAD_ROOM};
pub use probe::{LoopProbe, ProbeDriver, LATENCY_GAUGE, LATENCY_HISTOGRAM};
pub use process::{process_start_time_ns, process_stats, process_stats_of, start_time_ns_of};
pub use publish::{PublishDriver, Publisher, StatsdPublisher};
pub use snapshot::Snapshot;
pub use stats_file::{stats_dir, stats_file_name};
pub use stop::Stopped;
pub use timer::ScopeTimer;
