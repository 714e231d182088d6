//! Monitor a thread-based (non-async) Rust program: everything mutornadomon did for a Tornado
//! app, plus mmstats' shared-memory stats file.
//!
//! A [`Monitor`] owns:
//!
//! - a **stats file** holding the metrics region (see FORMAT.md), in `$MMSTATS_PATH`, else
//!   `/dev/shm`, else the temp dir, named `mutornadomon-<program>-<pid>.stats`, created
//!   `O_EXCL|O_NOFOLLOW` with mode 0600, removed on stop. Updates are atomic stores into the
//!   mapping: no syscalls. Other processes read it with `mutornadomon_core::parse`;
//! - a **latency probe** thread measuring how late its own timer fires
//!   (`ioloop_excess_callback_latency`), and [`LoopProbe::tick`] for the program's own loop;
//! - **process stats** (rss, vsz, cpu, threads, fds) refreshed every probe interval;
//! - a **publisher** thread calling your closure with a [`Snapshot`] (or [`StatsdPublisher`]);
//! - an **HTTP endpoint** ([`Endpoint`]): `/mutornadomon` and `/metrics`, loopback-only by
//!   default, on a small blocking server of its own (heads parsed by httparse within
//!   [`Limits`]: 431, 414, 408, 503 past them), inside your tiny-http server (feature
//!   `tiny-http`), or for any server through [`Responder`];
//! - **request accounting** for your own server ([`RequestAccounting`]).
//!
//! ```
//! use mutornadomon_core::Meta;
//! use mutornadomon_std::Monitor;
//!
//! let monitor = Monitor::builder().in_memory().start()?;
//! let jobs = monitor.counter("jobs", Meta::new().help("Jobs done"))?;
//! jobs.inc();
//! monitor.kv("queue_depth", 4.0)?; // mutornadomon's name for setting a gauge
//! let server = monitor.endpoint().serve("127.0.0.1:0")?; // GET /mutornadomon, /metrics
//! assert!(monitor.snapshot().to_json().contains(r#""jobs":1"#));
//! drop(server);
//! monitor.stop(); // threads end at once; the stats file (if any) is removed
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! The probe and publisher can also run on a loop or executor of the program's own
//! ([`MonitorBuilder::start_undriven`], [`ProbeDriver`], [`PublishDriver`]): the smol backend
//! (`mutornadomon-smol`) builds on that, and on [`MonitorHandle::render_page`] for its endpoint.
//!
//! # Crate features
//!
//! - `tiny-http` (on by default): `Endpoint::handle` for a tiny-http server of the program's,
//!   [`http_server`] and `RequestAccounting::start_request`. The smol backend turns it off.
//! - `tools` (on by default): the `mmstats` reader binary (dump, poll, clean, serve).
//! - `profiler` (off by default): `Endpoint::profiler` serves `GET /profiler`, a CPU profile
//!   of the process (top-N text or flamegraph SVG) taken with pprof, as the original's
//!   profiler endpoint did.
#![deny(unsafe_code)]
#![warn(missing_docs)]

mod accounting;
mod http;
mod monitor;
mod pages;
mod probe;
mod process;
#[cfg(feature = "profiler")]
mod profiler;
mod publish;
pub mod reader;
mod scratch;
mod stats_file;
#[allow(unsafe_code)]
mod sys;
mod timer;

pub use accounting::{RequestAccounting, RequestTimer};
#[cfg(feature = "tiny-http")]
pub use http::{http_server, Handled};
pub use http::{
    is_local_request, parse_head, AccessFilter, Endpoint, EndpointServer, Exchange, Head, Limits,
    Request, Responder, Response, Step, MAX_HEADERS,
};
pub use http::{percent_decode, query_pairs, ProfileFormat, ProfileRequest, MAX_PROFILE};
pub use monitor::{Drivers, Monitor, MonitorBuilder, MonitorHandle, Publisher};
pub use pages::{host_allowed, MetricsPage, RenderedPage};
pub use probe::{LoopProbe, ProbeDriver, LATENCY_GAUGE, LATENCY_HISTOGRAM};
pub use process::{process_start_time_ns, process_stats, start_time_ns_of};
pub use publish::{PublishDriver, Snapshot, StatsdPublisher};
pub use stats_file::{stats_dir, stats_file_name};
pub use timer::ScopeTimer;
