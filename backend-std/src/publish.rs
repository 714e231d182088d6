//! The publisher loop, and a ready statsd publisher.

use crate::shared::Shared;
use crate::snapshot::Snapshot;
use mutornadomon_core::Value;
use std::collections::HashMap;
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

/// Pushes metrics to a statsd server over UDP: counters as deltas (`|c`), gauges (`|g`, with
/// `.min` and `.max`), histograms as `.count` (delta, `|c`) and `.p50`/`.p90`/`.p99`/`.max`
/// (`|g`, in the recorded unit). Lines are batched into datagrams of at most 1,400 bytes.
///
/// ```no_run
/// use mutornadomon_std::{Monitor, StatsdPublisher};
/// let mut statsd = StatsdPublisher::new("127.0.0.1:8125", "myapp.")?;
/// let monitor = Monitor::builder().publisher(move |s| statsd.publish(s)).start()?;
/// # Ok::<(), std::io::Error>(())
/// ```
pub struct StatsdPublisher {
    socket: UdpSocket,
    prefix: String,
    last: HashMap<String, u64>,
}

impl StatsdPublisher {
    /// A publisher sending to `server`, every name prefixed with `prefix`.
    pub fn new(server: impl ToSocketAddrs, prefix: &str) -> io::Result<StatsdPublisher> {
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
            last: HashMap::new(),
        })
    }

    /// The statsd lines for `snapshot` (counters as deltas since the previous call).
    pub fn lines(&mut self, snapshot: &Snapshot) -> Vec<String> {
        let mut lines = Vec::new();
        let Ok(stats) = snapshot.stats() else {
            return lines;
        };
        let prefix = &self.prefix;
        let mut delta = |name: String, now: u64| {
            let before = self.last.insert(name.clone(), now).unwrap_or(0);
            format!("{name}:{}|c", now.wrapping_sub(before))
        };
        for record in stats.records().map_while(Result::ok) {
            let name = format!("{prefix}{}", record.name);
            match record.value {
                Value::Counter(n) => lines.push(delta(name, n)),
                Value::Gauge(g) => {
                    for (suffix, v) in [("", g.value), (".min", g.min), (".max", g.max)] {
                        if v.is_finite() {
                            lines.push(format!("{name}{suffix}:{v}|g"));
                        }
                    }
                }
                Value::Histogram(h) => {
                    lines.push(delta(format!("{name}.count"), h.count()));
                    for (suffix, q) in [(".p50", 0.5), (".p90", 0.9), (".p99", 0.99), (".max", 1.0)]
                    {
                        if let Some(v) = h.quantile(q) {
                            lines.push(format!("{name}{suffix}:{v}|g"));
                        }
                    }
                }
                Value::Info(_) => {}
            }
        }
        lines
    }

    /// Sends `snapshot`; send errors are logged, never panics.
    pub fn publish(&mut self, snapshot: &Snapshot) {
        let mut datagram = String::new();
        for line in self.lines(snapshot) {
            if !datagram.is_empty() && datagram.len() + line.len() + 1 > 1400 {
                self.send(&datagram);
                datagram.clear();
            }
            if !datagram.is_empty() {
                datagram.push('\n');
            }
            datagram.push_str(&line);
        }
        if !datagram.is_empty() {
            self.send(&datagram);
        }
    }

    fn send(&self, datagram: &str) {
        if let Err(e) = self.socket.send(datagram.as_bytes()) {
            log::warn!("statsd send failed: {e}");
        }
    }
}
