//! The monitor: a builder, the monitor and its handles, and a prompt stop.

use crate::memory::{Backing, Memory};
use crate::probe::{LoopProbe, ProbeDriver};
use crate::process::{self, now_ns};
use crate::publish::{PublishDriver, Publisher};
use crate::shared::{lock, Shared};
use crate::snapshot::Snapshot;
use crate::stop::Stopped;
use mutornadomon_core::{Meta, ProcessStats, Region, RegisterError};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

/// The probe's default resolution on its own thread.
const THREAD_RESOLUTION: Duration = Duration::from_millis(10);
/// The probe's default resolution when the program's loop drives it.
const DRIVEN_RESOLUTION: Duration = Duration::from_millis(20);

/// Configures and starts a [`Monitor`]. Defaults are the original's: probe every 100 ms,
/// publish every 10 s.
///
/// ```
/// use std::time::Duration;
/// let monitor = mutornadomon_std::Monitor::builder()
///     .in_memory() // no stats file, for this example
///     .publish_interval(Duration::from_secs(5))
///     .publisher(|snapshot| println!("{}", snapshot.to_json()))
///     .start()?;
/// monitor.count("jobs", 1)?;
/// monitor.stop();
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct MonitorBuilder {
    probe_interval: Duration,
    /// `None`: the default, which depends on who drives the probe.
    probe_resolution: Option<Duration>,
    publish_interval: Duration,
    publisher: Option<Publisher>,
    backing: Backing,
    file_mode: u32,
    capacity: usize,
    program: Option<String>,
}

impl Default for MonitorBuilder {
    fn default() -> Self {
        MonitorBuilder {
            probe_interval: Duration::from_millis(100),
            probe_resolution: None,
            publish_interval: Duration::from_secs(10),
            publisher: None,
            backing: Backing::DefaultFile,
            file_mode: 0o600,
            capacity: 256 * 1024,
            program: None,
        }
    }
}

impl MonitorBuilder {
    /// How often the latency probe reports (default 100 ms): the gauge
    /// `ioloop_excess_callback_latency` holds the worst lateness seen in each such window.
    pub fn probe_interval(mut self, interval: Duration) -> Self {
        self.probe_interval = interval.max(Duration::from_millis(1));
        self
    }

    /// How finely the probe samples: a stall is measured to within this. The default is 10 ms
    /// with [`start`](Self::start) (the probe's own thread) and 20 ms with
    /// [`start_undriven`](Self::start_undriven), where every wake runs on the program's own
    /// loop (a wake of the program's loop costs 50-150 µs of CPU on the project's VMs: 20 ms
    /// keeps the smol probe near 0.3% of a core and still reads a 200 ms stall as 180-200 ms).
    pub fn probe_resolution(mut self, resolution: Duration) -> Self {
        self.probe_resolution = Some(resolution.max(Duration::from_micros(100)));
        self
    }

    /// How often the publisher runs and gauge min/max windows roll (default 10 s).
    pub fn publish_interval(mut self, interval: Duration) -> Self {
        self.publish_interval = interval.max(Duration::from_millis(1));
        self
    }

    /// Calls `publisher` with a snapshot every publish interval. A panic in it is caught,
    /// counted (`publisher_panics`) and logged; the loop goes on.
    pub fn publisher(mut self, publisher: impl FnMut(&Snapshot) + Send + 'static) -> Self {
        self.publisher = Some(Box::new(publisher));
        self
    }

    /// Keeps the stats file in `dir` instead of the default location ([`stats_dir`](crate::stats_dir)).
    pub fn stats_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.backing = Backing::FileIn(dir.into());
        self
    }

    /// Keeps metrics in process memory only: no stats file.
    pub fn in_memory(mut self) -> Self {
        self.backing = Backing::Memory;
        self
    }

    /// File mode of the stats file (default `0o600`: only this user's processes read it).
    pub fn file_mode(mut self, mode: u32) -> Self {
        self.file_mode = mode;
        self
    }

    /// Bytes of metric storage (default 256 KiB: about 3,000 metrics, or ~50 histograms).
    pub fn capacity(mut self, bytes: usize) -> Self {
        self.capacity = bytes.clamp(mutornadomon_core::MIN_WORDS * 8, 1 << 30) / 8 * 8;
        self
    }

    /// The program name in the file name and the `sys.program` info (default: the
    /// executable's file name).
    pub fn program_name(mut self, name: impl Into<String>) -> Self {
        self.program = Some(name.into());
        self
    }

    /// Creates the stats file, registers the built-in metrics and starts the threads.
    pub fn start(mut self) -> io::Result<Monitor> {
        self.probe_resolution = self.probe_resolution.or(Some(THREAD_RESOLUTION));
        let (monitor, drivers) = self.start_undriven()?;
        let Drivers { probe, publisher } = drivers;
        *lock(&monitor.threads) = vec![
            spawn("mutornadomon-probe", move || probe.run())?,
            spawn("mutornadomon-publish", move || publisher.run())?,
        ];
        Ok(monitor)
    }

    /// Like [`start`](Self::start) but starts no threads: the probe and the publisher are
    /// handed back as [`Drivers`] for the caller's own loop or executor to run (the smol
    /// backend runs them as tasks). Until they run, the latency gauge, heartbeat and process
    /// stats stay as they were at start, and nothing is published.
    ///
    /// ```
    /// let (monitor, drivers) = mutornadomon_std::Monitor::builder().in_memory().start_undriven()?;
    /// println!("probe due at {:?}", drivers.probe.deadline());
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn start_undriven(self) -> io::Result<(Monitor, Drivers)> {
        let program = self.program.clone().unwrap_or_else(default_program_name);
        let mut memory = Memory::new(&self.backing, &program, self.capacity, self.file_mode)?;
        // The header and the `sys.*` records are written before the file appears under its
        // name: a reader never finds it unformatted, or without its writer's pid.
        let created = now_ns();
        {
            let region = Region::attach(memory.words()).map_err(io::Error::other)?;
            region.set_pid(u64::from(std::process::id()));
            region.set_start_time(process::process_start_time_ns().unwrap_or(created));
            region.set_creation_time(created);
            region.set_heartbeat(created);
            register_info(&region, &program, created).map_err(io::Error::other)?;
        }
        if let Err(e) = memory.publish() {
            if self.backing != Backing::DefaultFile {
                return Err(e);
            }
            log::warn!("no stats file ({e}); keeping metrics in memory only");
        }
        let shared = Arc::new(Shared {
            memory,
            stop: Arc::default(),
            process: Mutex::new(process::process_stats()),
        });

        let probe = ProbeDriver::new(
            Arc::clone(&shared),
            self.probe_interval,
            self.probe_resolution.unwrap_or(DRIVEN_RESOLUTION),
        )
        .map_err(io::Error::other)?;
        let publisher =
            PublishDriver::new(Arc::clone(&shared), self.publisher, self.publish_interval);
        let monitor = Monitor {
            shared,
            threads: Mutex::default(),
        };
        Ok((monitor, Drivers { probe, publisher }))
    }
}

/// The monitor's periodic work, for a caller that runs it (see
/// [`MonitorBuilder::start_undriven`]).
#[derive(Debug)]
#[must_use = "the probe and the publisher run only when driven"]
pub struct Drivers {
    /// The latency probe, heartbeat and process stats refresh.
    pub probe: ProbeDriver,
    /// The publisher and the gauge window roll.
    pub publisher: PublishDriver,
}

fn spawn(name: &str, f: impl FnOnce() + Send + 'static) -> io::Result<JoinHandle<()>> {
    std::thread::Builder::new().name(name.into()).spawn(f)
}

fn default_program_name() -> String {
    std::env::current_exe()
        .ok()
        .and_then(|p| p.file_name().map(|n| n.to_string_lossy().into_owned()))
        .unwrap_or_else(|| "program".into())
}

/// mmstats' `sys.*` fields, as info records.
fn register_info(region: &Region<'_>, program: &str, created: u64) -> Result<(), RegisterError> {
    let (uid, gid) = crate::sys::uid_gid();
    let info = |name: &str, help: &str, text: &str| region.info(name, Meta::new().help(help), text);
    info(
        "sys.pid",
        "Process id of the writer",
        &std::process::id().to_string(),
    )?;
    info("sys.uid", "User id of the writer", &uid.to_string())?;
    info("sys.gid", "Group id of the writer", &gid.to_string())?;
    let program: String = program
        .chars()
        .filter(|c| !c.is_control())
        .take(256)
        .collect();
    info("sys.program", "Program name of the writer", &program)?;
    info(
        "sys.version",
        "mutornadomon-std version",
        env!("CARGO_PKG_VERSION"),
    )?;
    info(
        "sys.created",
        "Stats file creation time, ns since the Unix epoch",
        &created.to_string(),
    )
}

/// A running monitor: the stats region, a latency probe thread and a publisher thread. Gives
/// the core's registration API. Dropping it stops everything and removes the stats file
/// (once the last [`MonitorHandle`] is gone too).
#[must_use = "dropping the monitor stops it and removes its stats file: bind it (`let monitor = ...`)"]
pub struct Monitor {
    shared: Arc<Shared>,
    threads: Mutex<Vec<JoinHandle<()>>>,
}

impl Monitor {
    /// A builder with the defaults.
    pub fn builder() -> MonitorBuilder {
        MonitorBuilder::default()
    }

    /// Starts a monitor with the defaults.
    pub fn start() -> io::Result<Monitor> {
        MonitorBuilder::default().start()
    }

    /// The metrics region (the core's full API).
    pub fn region(&self) -> Region<'_> {
        self.shared.region()
    }

    /// mutornadomon's `count(stat, n)`.
    pub fn count(&self, name: &str, n: u64) -> Result<(), RegisterError> {
        self.region().count(name, n)
    }

    /// mutornadomon's `kv(stat, value)`.
    pub fn kv(&self, name: &str, value: f64) -> Result<(), RegisterError> {
        self.region().set(name, value)
    }

    /// A snapshot of every metric and the latest process stats.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot::take(&self.shared, false)
    }

    /// The latest process stats (refreshed every probe interval).
    pub fn process_stats(&self) -> ProcessStats {
        self.shared.process_stats()
    }

    /// The stats file's path, if the metrics live in one.
    pub fn stats_file(&self) -> Option<&Path> {
        self.shared.memory.path()
    }

    /// A cheap, cloneable, `'static` handle to the metrics, for threads and tasks that cannot
    /// borrow the monitor (it keeps the stats memory alive, not the monitor's threads).
    pub fn handle(&self) -> MonitorHandle {
        MonitorHandle {
            shared: Arc::clone(&self.shared),
        }
    }

    /// A probe for the program's own loop, expected to iterate every `expected`.
    pub fn loop_probe(&self, name: &str, expected: Duration) -> Result<LoopProbe, RegisterError> {
        LoopProbe::register(&self.shared, name, expected)
    }

    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// Stops the monitor's periodic work: its threads end promptly (they wake on the stop, not
    /// at their next interval) and are joined, and whatever waits on
    /// [`MonitorHandle::stopped`] (the smol backend's tasks and server) ends. The metrics stay
    /// readable and writable; the stats file is removed when the monitor and its last handle
    /// are dropped. Stopping twice does nothing more. Dropping the monitor stops it.
    ///
    /// ```
    /// let monitor = mutornadomon_std::Monitor::builder().in_memory().start()?;
    /// let handle = monitor.handle();
    /// monitor.stop();
    /// assert!(handle.is_stopped());
    /// monitor.count("after_stop", 1)?; // still counts
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn stop(&self) {
        self.shared.stop.stop();
        let threads = std::mem::take(&mut *lock(&self.threads));
        for thread in threads {
            if thread.join().is_err() {
                log::error!("a mutornadomon thread panicked");
            }
        }
    }
}

impl Drop for Monitor {
    /// Stops the monitor and removes its stats file. Handles still held keep working on the
    /// memory, which no other process sees any more.
    fn drop(&mut self) {
        self.stop();
        self.shared.memory.unlink();
    }
}

/// A shared, `'static` view of a monitor's metrics: see [`Monitor::handle`].
///
/// ```
/// let monitor = mutornadomon_std::Monitor::builder().in_memory().start()?;
/// let handle = monitor.handle();
/// std::thread::spawn(move || handle.region().count("jobs", 1)).join().unwrap()?;
/// assert!(monitor.snapshot().to_json().contains(r#""jobs":1"#));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct MonitorHandle {
    shared: Arc<Shared>,
}

impl MonitorHandle {
    /// The metrics region (the core's full API).
    pub fn region(&self) -> Region<'_> {
        self.shared.region()
    }

    /// A snapshot of every metric and the latest process stats.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot::take(&self.shared, false)
    }

    /// A snapshot, rolling the gauge min/max windows (mutornadomon's "since last read").
    pub fn snapshot_and_roll(&self) -> Snapshot {
        Snapshot::take(&self.shared, true)
    }

    /// The latest process stats.
    pub fn process_stats(&self) -> ProcessStats {
        self.shared.process_stats()
    }

    /// Whether the monitor was stopped ([`Monitor::stop`], or dropped).
    pub fn is_stopped(&self) -> bool {
        self.shared.stop.is_stopped()
    }

    /// A future that completes when the monitor stops: servers and tasks that should end with
    /// the monitor wait on it. Any executor polls it.
    ///
    /// ```
    /// let monitor = mutornadomon_std::Monitor::builder().in_memory().start()?;
    /// let stopped = monitor.handle().stopped();
    /// monitor.stop();
    /// futures_lite::future::block_on(stopped); // returns at once
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn stopped(&self) -> Stopped {
        Stopped::new(Arc::clone(&self.shared.stop))
    }

    pub(crate) fn shared(&self) -> &Shared {
        &self.shared
    }
}

impl std::fmt::Debug for MonitorHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MonitorHandle").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Monitor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Monitor")
            .field("stats_file", &self.stats_file())
            .field("region", &self.region())
            .finish()
    }
}
