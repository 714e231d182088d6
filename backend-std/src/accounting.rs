//! Request accounting for the program's own HTTP server: mutornadomon's `requests`,
//! `localhost_requests`, `private_requests`, plus responses by status class and a duration
//! histogram.

use crate::shared::Shared;
use crate::Monitor;
use mutornadomon_core::address::{classify, AddressClass};
use mutornadomon_core::{Counter, Histogram, Meta, RegisterError};
use std::net::IpAddr;
use std::sync::Arc;
use std::time::Instant;

/// Counts and times the program's own requests. One [`start`](Self::start) per request, one
/// [`RequestTimer::finish`] per response: a few atomic adds and two clock reads, no locks.
/// `'static`, `Send + Sync` and cheap to clone, like the monitor's other handles: it goes into
/// a server's threads or an [`Endpoint`](https://docs.rs/mutornadomon-http) that outlives the
/// call that made it.
///
/// ```
/// let monitor = mutornadomon_std::Monitor::builder().in_memory().start()?;
/// let requests = monitor.request_accounting()?;
/// let timer = requests.start(Some("127.0.0.1".parse()?));
/// timer.finish(200);
/// assert_eq!(monitor.counter("localhost_requests", Default::default())?.get(), 1);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct RequestAccounting {
    requests: Counter<'static>,
    localhost: Counter<'static>,
    private: Counter<'static>,
    by_class: [Counter<'static>; 5],
    other_status: Counter<'static>,
    duration: Histogram<'static>,
    /// Keeps the memory the handles point into (see `sys::kept_words`).
    _memory: Arc<Shared>,
}

/// One request in flight; [`finish`](Self::finish) it with the response status.
#[must_use = "finish the timer with the response status"]
pub struct RequestTimer<'a> {
    accounting: &'a RequestAccounting,
    started: Instant,
}

impl Monitor {
    /// Registers the request metrics and returns the accounting handle.
    pub fn request_accounting(&self) -> Result<RequestAccounting, RegisterError> {
        let region = crate::sys::kept_region(self.shared());
        let counter = |name: &str, help: &str| region.counter(name, Meta::new().help(help));
        let class = |c: char| {
            let name = format!("responses_{c}xx");
            let help = format!("Responses with a {c}xx status");
            region.counter(&name, Meta::new().help(&help))
        };
        Ok(RequestAccounting {
            requests: counter("requests", "Requests received")?,
            localhost: counter("localhost_requests", "Requests from loopback addresses")?,
            private: counter(
                "private_requests",
                "Requests from loopback, link-local or private addresses",
            )?,
            by_class: [
                class('1')?,
                class('2')?,
                class('3')?,
                class('4')?,
                class('5')?,
            ],
            other_status: counter("responses_other", "Responses with a status outside 100-599")?,
            duration: region.histogram(
                "request_duration",
                Meta::new()
                    .help("Time from request start to response")
                    .unit("nanoseconds"),
            )?,
            _memory: Arc::clone(self.shared()),
        })
    }
}

impl RequestAccounting {
    /// Counts a request from `peer` (the connection's address) and starts its timer. As in
    /// mutornadomon, loopback requests count as private too.
    pub fn start(&self, peer: Option<IpAddr>) -> RequestTimer<'_> {
        self.requests.inc();
        if let Some(peer) = peer {
            let class = classify(peer);
            if class == AddressClass::Loopback {
                self.localhost.inc();
            }
            if class.is_internal() {
                self.private.inc();
            }
        }
        RequestTimer {
            accounting: self,
            started: Instant::now(),
        }
    }

    /// [`start`](Self::start) for a tiny-http request.
    #[cfg(feature = "tiny-http")]
    pub fn start_request(&self, request: &tiny_http::Request) -> RequestTimer<'_> {
        self.start(request.remote_addr().map(|a| a.ip()))
    }
}

impl RequestTimer<'_> {
    /// Records the response's status class and the request's duration.
    pub fn finish(self, status: u16) {
        let a = self.accounting;
        match status {
            100..=599 => a.by_class[usize::from(status / 100 - 1)].inc(),
            _ => a.other_status.inc(),
        }
        a.duration
            .record(u64::try_from(self.started.elapsed().as_nanos()).unwrap_or(u64::MAX));
    }
}

impl std::fmt::Debug for RequestAccounting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestAccounting")
            .field("requests", &self.requests)
            .finish_non_exhaustive()
    }
}
