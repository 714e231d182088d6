//! The std backend's endpoint: the monitor's paths on a listener of their own (a small
//! blocking server, bounded like the smol one), or inside a tiny-http server of the program's.

use super::{Limits, Request, Responder, Response};
use crate::Monitor;
use std::io;
use std::net::ToSocketAddrs;

/// The monitor's HTTP paths: `/mutornadomon` (JSON) and `/metrics` (Prometheus text or
/// OpenMetrics by `Accept`), on a listener of their own ([`serve`](Self::serve)), for a
/// tiny-http server of the program's (`handle`, feature `tiny-http`), or for any server
/// ([`respond`](Self::respond)).
///
/// By default only loopback may read: the peer and every `X-Forwarded-For` and `Forwarded`
/// hop must be loopback, and anything unparseable is refused (403).
///
/// ```
/// let monitor = mutornadomon_std::Monitor::builder().in_memory().start()?;
/// let server = monitor.endpoint().serve("127.0.0.1:0")?;
/// println!("curl http://{}/mutornadomon", server.addr());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct Endpoint {
    pub(crate) responder: Responder<'static>,
    pub(crate) limits: Limits,
    profiler: bool,
}

impl Monitor {
    /// The HTTP endpoint for this monitor's metrics.
    pub fn endpoint(&self) -> Endpoint {
        Endpoint {
            responder: self.responder(),
            limits: Limits::default(),
            profiler: false,
        }
    }
}

impl Endpoint {
    /// Replaces the default loopback-only rule with `filter` (true = allowed). The Host
    /// allowlist, if any, still applies.
    pub fn filter(mut self, filter: impl Fn(&Request<'_>) -> bool + Send + Sync + 'static) -> Self {
        self.responder = self.responder.filter(filter);
        self
    }

    /// Answers only requests whose `Host` header (port ignored) is one of `hosts`.
    pub fn allow_hosts<S: Into<String>>(mut self, hosts: impl IntoIterator<Item = S>) -> Self {
        self.responder = self.responder.allow_hosts(hosts);
        self
    }

    /// mutornadomon's "min/max since last read": each `/mutornadomon` read rolls the gauge
    /// windows. Off by default: with several readers, each would see only its share.
    pub fn min_max_since_last_read(mut self, on: bool) -> Self {
        self.responder = self.responder.min_max_since_last_read(on);
        self
    }

    /// The limits of [`serve`](Self::serve)'s server (head size, timeouts, connections).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Also serves `GET /profiler` (feature `profiler`): a CPU profile of the whole process
    /// for `profiletime` ms (default 2000, at most 60000) as a top-N text (`format=text`,
    /// `top=N`) or a flamegraph (`format=svg`). Same access rules as the metrics; one profile at
    /// a time (409 otherwise). The request's thread is busy for the profile's duration.
    #[cfg(feature = "profiler")]
    pub fn profiler(mut self, on: bool) -> Self {
        self.profiler = on;
        self
    }

    /// The answer to `request` if it is for one of the monitor's paths (`None` otherwise).
    ///
    /// ```
    /// use mutornadomon_std::{Monitor, Request};
    /// let monitor = Monitor::builder().in_memory().start()?;
    /// let request = Request::new("GET", "/metrics", Some("127.0.0.1".parse()?), &[]);
    /// assert_eq!(monitor.endpoint().respond(&request).map(|r| r.status()), Some(200));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn respond(&self, request: &Request<'_>) -> Option<Response> {
        if self.profiler && request.path() == "/profiler" {
            return Some(self.profile(request));
        }
        self.responder.respond(request)
    }

    #[cfg(feature = "profiler")]
    fn profile(&self, request: &Request<'_>) -> Response {
        if request.method() != "GET" {
            return Response::text(405, "method not allowed\n").with_allow("GET");
        }
        if !self.responder.allowed(request) {
            return Response::text(403, "forbidden\n");
        }
        match crate::profiler::profile(request.query()) {
            Ok((content_type, body)) => Response::new(200, content_type, body),
            Err(crate::profiler::Refused(status, message)) => Response::text(status, &message),
        }
    }

    #[cfg(not(feature = "profiler"))]
    fn profile(&self, _: &Request<'_>) -> Response {
        // Unreachable: `profiler` cannot be switched on without the feature.
        Response::text(404, "not found\n")
    }

    /// Serves the endpoint on its own listener (`127.0.0.1:0` picks a free port): a thread per
    /// connection, up to [`Limits::max_connections`] (503 past it), heads parsed by httparse
    /// within the limits (431, 414, 408 for a slow head), other paths 404. Stops, closing every
    /// connection, when the returned server is dropped.
    pub fn serve(self, addr: impl ToSocketAddrs) -> io::Result<EndpointServer> {
        super::server::serve(self, addr)
    }
}

pub use super::server::EndpointServer;
