//! The publisher loop, and a ready statsd publisher.

use crate::shared::Shared;
use crate::snapshot::Snapshot;
use mutornadomon_core::StatsdEncoder;
use std::io;
use std::net::{ToSocketAddrs, UdpSocket};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A publisher: called with a snapshot every publish interval, on the monitor's own thread.
pub type Publisher = Box<dyn FnMut(&Snapshot) + Send + 'static>;

/// The publisher as a state machine, for whatever sleeps: the monitor's thread, a smol task
/// (`mutornadomon-smol`) or a program's own event loop. Sleep until
/// [`deadline`](Self::deadline), then call [`wake`](Self::wake).
///
/// Every publish interval it calls the publisher with a [`Snapshot`] (a panic in it is caught,
/// logged and counted in `publisher_panics`), then rolls the gauge min/max windows.
///
/// ```
/// use std::time::{Duration, Instant};
/// let (monitor, mut drivers) = mutornadomon_std::Monitor::builder()
///     .in_memory()
///     .publish_interval(Duration::from_millis(1))
///     .publisher(|snapshot| println!("{}", snapshot.to_json()))
///     .start_undriven()?;
/// let publisher = &mut drivers.publisher;
/// publisher.begin(Instant::now());
/// std::thread::sleep(publisher.deadline().saturating_duration_since(Instant::now()));
/// assert!(publisher.wake(Instant::now())); // published
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct PublishDriver {
    shared: Arc<Shared>,
    publisher: Option<Publisher>,
    interval: Duration,
    next: Instant,
}

impl PublishDriver {
    pub(crate) fn new(
        shared: Arc<Shared>,
        publisher: Option<Publisher>,
        interval: Duration,
    ) -> PublishDriver {
        PublishDriver {
            shared,
            publisher,
            interval,
            next: Instant::now() + interval,
        }
    }

    /// Starts the schedule at `now`: the first publication is one interval later.
    pub fn begin(&mut self, now: Instant) {
        self.next = now + self.interval;
    }

    /// When the next publication is due.
    pub fn deadline(&self) -> Instant {
        self.next
    }

    /// Woken at `now`: if a publication is due, publishes (panics contained), rolls the gauge
    /// windows, schedules the next one and returns `true`.
    pub fn wake(&mut self, now: Instant) -> bool {
        if now < self.next {
            return false;
        }
        self.next += self.interval;
        if let Some(publisher) = self.publisher.as_mut() {
            let snapshot = Snapshot::take(&self.shared, false);
            if let Err(panic) = catch_unwind(AssertUnwindSafe(|| publisher(&snapshot))) {
                let what = panic
                    .downcast_ref::<&str>()
                    .copied()
                    .or_else(|| panic.downcast_ref::<String>().map(String::as_str));
                log::error!(
                    "metrics publisher panicked: {}",
                    what.unwrap_or("(no message)")
                );
                let panics = self.shared.region().counter(
                    "publisher_panics",
                    mutornadomon_core::Meta::new().help("Publisher calls that panicked"),
                );
                if let Ok(panics) = panics {
                    panics.inc();
                }
            }
        }
        self.shared.region().roll();
        let now = Instant::now();
        if self.next < now {
            self.next = now + self.interval; // a slow publisher: skip, don't pile up
        }
        true
    }

    /// Drives the publisher on the current thread until the monitor stops.
    pub(crate) fn run(mut self) {
        let shared = Arc::clone(&self.shared);
        self.begin(Instant::now());
        while !shared.sleep_until(self.next) {
            self.wake(Instant::now());
        }
    }
}

impl std::fmt::Debug for PublishDriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PublishDriver")
            .field("interval", &self.interval)
            .field("publisher", &self.publisher.is_some())
            .field("next", &self.next)
            .finish_non_exhaustive()
    }
}

/// Pushes metrics to a statsd server over UDP, as the core's [`StatsdEncoder`] packs them:
/// counters as deltas (`|c`), gauges (`|g`, with `.min` and `.max`; a negative value sent as
/// `0` then the value, so that statsd stores it rather than adding it), histograms as `.count`
/// (delta, `|c`), `.p50`/`.p90`/`.p99` and the exact `.min`/`.max` (`|g`, in the recorded
/// unit). Datagrams of at most 1,400 bytes; one metric's lines never straddle two.
///
/// ```no_run
/// use mutornadomon_std::{Monitor, StatsdPublisher};
/// let mut statsd = StatsdPublisher::new("127.0.0.1:8125", "myapp.")?;
/// let monitor = Monitor::builder().publisher(move |s| statsd.publish(s)).start()?;
/// # Ok::<(), std::io::Error>(())
/// ```
#[derive(Debug)]
pub struct StatsdPublisher {
    socket: UdpSocket,
    prefix: String,
    encoder: Box<StatsdEncoder<STATSD_COUNTERS>>,
}

/// Counters (histogram counts included) whose previous value the publisher keeps for deltas.
const STATSD_COUNTERS: usize = 4096;

/// The largest datagram sent: one Ethernet frame's payload, headers taken off.
const DATAGRAM: usize = 1400;

impl StatsdPublisher {
    /// A publisher sending to `server`, every name prefixed with `prefix` (an error if the
    /// prefix holds a character statsd gives a meaning to).
    pub fn new(server: impl ToSocketAddrs, prefix: &str) -> io::Result<StatsdPublisher> {
        StatsdEncoder::<1>::check_prefix(prefix)
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let server = server.to_socket_addrs()?.next().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                "no address for the statsd server",
            )
        })?;
        let local = if server.is_ipv4() {
            "0.0.0.0:0"
        } else {
            "[::]:0"
        };
        let socket = UdpSocket::bind(local)?;
        socket.connect(server)?;
        Ok(StatsdPublisher {
            socket,
            prefix: prefix.to_owned(),
            encoder: Box::default(),
        })
    }

    /// The statsd lines for `snapshot` (counters as deltas since the previous call), as the
    /// core's [`StatsdEncoder`] writes them.
    pub fn lines(&mut self, snapshot: &Snapshot) -> Vec<String> {
        let mut lines = Vec::new();
        if let Ok(stats) = snapshot.stats() {
            let _ = self
                .encoder
                .encode::<DATAGRAM>(&stats, &self.prefix, |datagram| {
                    let text = String::from_utf8_lossy(datagram);
                    lines.extend(text.lines().map(str::to_owned));
                });
        }
        lines
    }

    /// Sends `snapshot` in datagrams of up to 1,400 bytes; errors are logged, never panics.
    pub fn publish(&mut self, snapshot: &Snapshot) {
        let stats = match snapshot.stats() {
            Ok(stats) => stats,
            Err(e) => return log::warn!("statsd: snapshot unreadable: {e}"),
        };
        let socket = &self.socket;
        let sent = self
            .encoder
            .encode::<DATAGRAM>(&stats, &self.prefix, |datagram| {
                if let Err(e) = socket.send(datagram) {
                    log::warn!("statsd send failed: {e}");
                }
            });
        match sent {
            Err(e) => log::warn!("statsd: {e}"),
            Ok(encoded) if encoded.skipped > 0 => log::warn!(
                "statsd: {} metrics left out (over {STATSD_COUNTERS} counters, or a line over {DATAGRAM} bytes)",
                encoded.skipped
            ),
            Ok(_) => {}
        }
    }
}
