//! The one endpoint builder: the monitor's paths, the access rules, the program's own routes
//! and request accounting, for whichever server runs it.

use crate::access::{parse_networks, Access, NetworkError};
use crate::{Limits, Request, Response};
use mutornadomon_std::{
    recycle_page_buffer, MetricsPage, Monitor, MonitorHandle, RequestAccounting,
};
use std::sync::Arc;

/// A handler for the requests the monitor's paths do not take (see [`Endpoint::fallback`]).
pub type Fallback<'a> = Arc<dyn Fn(&Request<'_>) -> Response + Send + Sync + 'a>;

/// The monitor's HTTP paths: `/mutornadomon` (JSON) and `/metrics` (Prometheus text or
/// OpenMetrics by `Accept`), plus, if asked, the program's own routes
/// ([`fallback`](Self::fallback)), request accounting and `/profiler`.
///
/// Built once and run by any server: its own bounded blocking server
/// ([`serve`](Self::serve), feature `server`), a tiny-http server of the program's (`handle`,
/// feature `tiny-http`), the smol backend's `EndpointServer`, or any server at all
/// ([`answer`](Self::answer), [`respond`](Self::respond)).
///
/// By default only loopback may read: the peer and every `X-Forwarded-For` and `Forwarded`
/// hop must be loopback, and anything unparseable is refused (403).
///
/// ```
/// use mutornadomon_http::{Endpoint, Request};
/// let monitor = mutornadomon_std::Monitor::builder().in_memory().start()?;
/// let endpoint = Endpoint::new(&monitor);
/// let local = Request::new("GET", "/mutornadomon", Some("127.0.0.1".parse()?), &[]);
/// assert_eq!(endpoint.respond(&local).map(|r| r.status()), Some(200));
/// let remote = Request::new("GET", "/metrics", Some("8.8.8.8".parse()?), &[]);
/// assert_eq!(endpoint.respond(&remote).map(|r| r.status()), Some(403));
/// assert!(endpoint.respond(&Request::new("GET", "/", None, &[])).is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// A page's body is the buffer it was rendered into (no copy); a server that hands written
/// bodies back with [`Endpoint::recycle`] has later pages rendered into them instead of new
/// buffers (the project's servers do).
#[derive(Clone)]
pub struct Endpoint<'a> {
    monitor: MonitorHandle,
    access: Access<'a>,
    roll_on_read: bool,
    limits: Limits,
    fallback: Option<Fallback<'a>>,
    accounting: Option<RequestAccounting>,
    profiler: bool,
}

impl Endpoint<'static> {
    /// The endpoint for `monitor`'s pages, with the defaults: loopback only, default
    /// [`Limits`], 404 for other paths, no accounting.
    pub fn new(monitor: &Monitor) -> Endpoint<'static> {
        Endpoint::for_handle(monitor.handle())
    }

    /// [`new`](Self::new) for a monitor known by its handle.
    pub fn for_handle(handle: MonitorHandle) -> Endpoint<'static> {
        Endpoint {
            monitor: handle,
            access: Access::default(),
            roll_on_read: false,
            limits: Limits::default(),
            fallback: None,
            accounting: None,
            profiler: false,
        }
    }
}

impl<'a> Endpoint<'a> {
    /// Replaces the default loopback-only rule with `filter` (true = allowed). The Host
    /// allowlist, if any, still applies.
    pub fn filter<'b>(
        self,
        filter: impl Fn(&Request<'_>) -> bool + Send + Sync + 'b,
    ) -> Endpoint<'b>
    where
        'a: 'b,
    {
        let mut endpoint: Endpoint<'b> = self; // covariant: a shorter lifetime is a coercion
        endpoint.access.filter = Some(Arc::new(filter));
        endpoint
    }

    /// Answers only requests whose `Host` header (port ignored) is one of `hosts`.
    pub fn allow_hosts<S: Into<String>>(mut self, hosts: impl IntoIterator<Item = S>) -> Self {
        self.access.hosts = Some(hosts.into_iter().map(Into::into).collect());
        self
    }

    /// Opens the monitor's paths to these networks as well as loopback: CIDR notation
    /// (`10.0.0.0/8`, `fd00::/8`) or single addresses. The peer and every `X-Forwarded-For` and
    /// `Forwarded` hop must be loopback or inside one of them; a header that does not parse
    /// refuses (403), and an IPv4-mapped IPv6 address is matched as IPv4. An entry that does not
    /// parse is an error. A [filter](Self::filter) replaces this rule.
    ///
    /// ```
    /// use mutornadomon_http::{Endpoint, Request};
    /// let monitor = mutornadomon_std::Monitor::builder().in_memory().start()?;
    /// let endpoint = Endpoint::new(&monitor).allow_networks(["10.0.0.0/8", "fd00::/8"])?;
    /// let scraper = Request::new("GET", "/metrics", Some("10.1.2.3".parse()?), &[]);
    /// assert_eq!(endpoint.respond(&scraper).map(|r| r.status()), Some(200));
    /// let outsider = Request::new("GET", "/metrics", Some("192.0.2.1".parse()?), &[]);
    /// assert_eq!(endpoint.respond(&outsider).map(|r| r.status()), Some(403));
    /// assert!(Endpoint::new(&monitor).allow_networks(["10.0.0.0/33"]).is_err());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn allow_networks<S: AsRef<str>>(
        mut self,
        networks: impl IntoIterator<Item = S>,
    ) -> Result<Self, NetworkError> {
        self.access.networks = parse_networks(networks)?;
        Ok(self)
    }

    /// mutornadomon's "min/max since last read": each `/mutornadomon` read rolls the gauge
    /// windows. Off by default: with several readers, each would see only its share.
    pub fn min_max_since_last_read(mut self, on: bool) -> Self {
        self.roll_on_read = on;
        self
    }

    /// The limits of the server that runs the endpoint (head size, timeouts, connections).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Requests for other paths go to `handler` (404 without one). It runs on the thread or
    /// task that serves the connection: with a blocking server, a thread of its own per
    /// connection; with the smol server, the connection's task. Requests with a body are
    /// answered without reading it, and the connection is then closed.
    ///
    /// ```
    /// use mutornadomon_http::{Endpoint, Request, Response};
    /// let monitor = mutornadomon_std::Monitor::builder().in_memory().start()?;
    /// let endpoint = Endpoint::new(&monitor).fallback(|r| Response::text(200, r.path()));
    /// let app = Request::new("GET", "/hello", Some("127.0.0.1".parse()?), &[]);
    /// assert_eq!(endpoint.answer(&app).status(), 200);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn fallback<'b>(
        self,
        handler: impl Fn(&Request<'_>) -> Response + Send + Sync + 'b,
    ) -> Endpoint<'b>
    where
        'a: 'b,
    {
        let mut endpoint: Endpoint<'b> = self;
        endpoint.fallback = Some(Arc::new(handler));
        endpoint
    }

    /// Counts and times every request the server answers (the monitor's paths and the
    /// fallback's) with `accounting`: mutornadomon's `requests`, `localhost_requests`,
    /// `private_requests`, plus status classes and `request_duration`.
    ///
    /// ```
    /// use mutornadomon_http::{Endpoint, Request};
    /// let monitor = mutornadomon_std::Monitor::builder().in_memory().start()?;
    /// let accounting = monitor.request_accounting()?;
    /// let endpoint = Endpoint::new(&monitor).request_accounting(accounting);
    /// endpoint.answer(&Request::new("GET", "/nowhere", Some("127.0.0.1".parse()?), &[]));
    /// assert_eq!(monitor.counter("responses_4xx", Default::default())?.get(), 1);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn request_accounting(mut self, accounting: RequestAccounting) -> Self {
        self.accounting = Some(accounting);
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

    /// The answer to `request` if it is for one of the monitor's paths (`None` otherwise): the
    /// page, 403 (not allowed) or 405 (not `GET` or `HEAD`).
    ///
    /// ```
    /// use mutornadomon_http::{Endpoint, Request};
    /// let monitor = mutornadomon_std::Monitor::builder().in_memory().start()?;
    /// let request = Request::new("GET", "/metrics", Some("127.0.0.1".parse()?), &[]);
    /// assert_eq!(Endpoint::new(&monitor).respond(&request).map(|r| r.status()), Some(200));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn respond(&self, request: &Request<'_>) -> Option<Response> {
        if self.profiler && request.path() == "/profiler" {
            return Some(self.profile(request));
        }
        let page = MetricsPage::for_path(request.path())?;
        if !matches!(request.method(), "GET" | "HEAD") {
            return Some(Response::text(405, "method not allowed\n").with_allow("GET, HEAD"));
        }
        if !self.allowed(request) {
            return Some(Response::text(403, "forbidden\n"));
        }
        let roll = page == MetricsPage::Json && self.roll_on_read;
        // The page's bytes go out as they are, in the buffer they were rendered into: no
        // copy, no UTF-8 check.
        let accept = request.header("accept");
        let (content_type, body) = self.monitor.render_page_bytes(page, accept, roll);
        Some(match body {
            Ok((buffer, front)) => Response::with_front(200, content_type, buffer, front),
            Err(text) => Response::new(200, content_type, text),
        })
    }

    /// Whether `request` may read the metrics: it passes the Host allowlist, if any, and the
    /// access rule (loopback only, or the [filter](Self::filter)).
    pub fn allowed(&self, request: &Request<'_>) -> bool {
        self.access.allows(request)
    }

    /// Hands back a response body once it is written, so that a later page rendered on this
    /// thread goes into its buffer instead of a new one. Optional (without it, each page gets
    /// a new buffer); any `Vec` will do.
    ///
    /// ```
    /// use mutornadomon_http::{Endpoint, Request};
    /// let monitor = mutornadomon_std::Monitor::builder().in_memory().start()?;
    /// let request = Request::new("GET", "/metrics", Some("127.0.0.1".parse()?), &[]);
    /// let body = Endpoint::new(&monitor).respond(&request).unwrap().into_body();
    /// // ... write `body` to the client, then:
    /// Endpoint::recycle(body);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn recycle(body: Vec<u8>) {
        recycle_page_buffer(body);
    }

    /// The answer to any request: the monitor's, else the fallback's, else 404; counted and
    /// timed when the endpoint has [request accounting](Self::request_accounting). This is
    /// what the project's servers call for each request.
    pub fn answer(&self, request: &Request<'_>) -> Response {
        let timer = self.accounting.as_ref().map(|a| a.start(request.peer()));
        let response = self
            .respond(request)
            .unwrap_or_else(|| match &self.fallback {
                Some(fallback) => fallback(request),
                None => Response::text(404, "not found\n"),
            });
        if let Some(timer) = timer {
            timer.finish(response.status());
        }
        response
    }

    /// The limits a server running this endpoint keeps to (see [`limits`](Self::limits)).
    pub fn server_limits(&self) -> Limits {
        self.limits
    }

    /// The monitor whose pages this endpoint serves.
    pub fn monitor(&self) -> &MonitorHandle {
        &self.monitor
    }

    #[cfg(feature = "profiler")]
    fn profile(&self, request: &Request<'_>) -> Response {
        if request.method() != "GET" {
            return Response::text(405, "method not allowed\n").with_allow("GET");
        }
        if !self.allowed(request) {
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
}

impl std::fmt::Debug for Endpoint<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("hosts", &self.access.hosts)
            .field("filter", &self.access.filter.is_some())
            .field("networks", &self.access.networks)
            .field("min_max_since_last_read", &self.roll_on_read)
            .field("limits", &self.limits)
            .field("fallback", &self.fallback.is_some())
            .field("accounting", &self.accounting.is_some())
            .field("profiler", &self.profiler)
            .finish()
    }
}
