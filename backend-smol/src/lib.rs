//! Monitor a smol program (async-executor, async-io, async-net): everything mutornadomon did
//! for a Tornado app, with the std backend's stats file, as futures on your executor.
//!
//! - [`AsyncMonitor`]: the shared runtime's [`Monitor`] (stats file, process stats, counters,
//!   gauges, histograms, request accounting) whose periodic work is a future,
//!   [`MonitorTasks`], that you spawn; [`AsyncMonitor::stop`] ends it at once.
//! - **Executor lag probe**: a task on your executor, woken at each deadline by the monitor's
//!   clock thread, measuring how late the executor polls it; reported as
//!   `ioloop_excess_callback_latency` (seconds, gauge with min/max) and its histogram
//!   `ioloop_excess_callback_latency_distribution` (ns), every 100 ms. It wakes every 20 ms
//!   (`MonitorBuilder::probe_resolution`), so a 200 ms block reads as 180-200 ms, for about
//!   0.3% of a core on the project's VMs (a bare async-io timer at the same rate costs 0.7%:
//!   BENCHMARKS.md).
//! - **Task timing** ([`TaskTiming`]): mutornadomon's callback stats for futures: polls, poll
//!   durations, slow polls and the executor's busy ratio ([`timing`] has the name mapping).
//! - **Publisher**: the builder's publisher, run by the same future; panics contained and
//!   counted.
//! - **HTTP endpoint** ([`Endpoint`], the builder shared with the std backend): `/mutornadomon`
//!   and `/metrics` over HTTP/1.1 with keep-alive, loopback-only by default, request heads
//!   parsed by httparse inside [`Limits`] (head size 431, target 414, header count 431, slow
//!   heads 408, connection cap 503), on its own listener ([`EndpointServer`]: each
//!   [`Connection`] a task of your executor, or all inside one task) or answering for a
//!   server of yours ([`Endpoint::respond`]).
//!
//! Everything a smol program needs is re-exported here: one crate to import.
//!
//! The crate picks no executor: anything that polls futures runs it (smol, async-executor,
//! `futures_lite::future::block_on`).
//!
//! ```
//! use mutornadomon_smol::{AsyncMonitor, EndpointServer, Monitor};
//!
//! let (monitor, tasks) = AsyncMonitor::start(Monitor::builder().in_memory())?;
//! let server = EndpointServer::bind(monitor.endpoint(), "127.0.0.1:0")?;
//! let ex = async_executor::Executor::new();
//! let (tasks, server) = (ex.spawn(tasks), ex.spawn(server.run()));
//! let timing = monitor.task_timing()?;
//! futures_lite::future::block_on(ex.run(timing.instrument(async {
//!     monitor.count("jobs", 1).unwrap();
//! })));
//! assert!(monitor.snapshot().to_json().contains(r#""jobs":1"#));
//! monitor.stop();
//! futures_lite::future::block_on(ex.run(async { tasks.await; server.await }));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod clock;
mod http;
mod monitor;
mod probe;
mod stop;
pub mod timing;

pub use http::{Connection, EndpointServer};
pub use monitor::{AsyncMonitor, MonitorTasks};
pub use mutornadomon_core::Meta;
pub use mutornadomon_http::{
    is_local_request, parse_head, Endpoint, Head, Limits, Request, Response, MAX_HEADERS,
};
pub use mutornadomon_std::{
    Counter, CounterShard, Gauge, Histogram, Monitor, MonitorBuilder, MonitorHandle,
    RequestAccounting, RequestTimer, ShardedCounter, Snapshot, LATENCY_GAUGE, LATENCY_HISTOGRAM,
};
pub use timing::{Instrumented, TaskTiming};

/// The README's examples (std, smol and core), compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;
