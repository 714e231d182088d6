//! The monitor's paths for any HTTP server: a request head in, the answer out.

use crate::{host_allowed, Request, Response};
use mutornadomon_core::address::check_local_only;
use mutornadomon_std::{recycle_page_buffer, MetricsPage, Monitor, MonitorHandle};
use std::sync::Arc;

/// Decides whether a request may read the metrics (true = allowed).
pub type AccessFilter<'a> = Arc<dyn Fn(&Request<'_>) -> bool + Send + Sync + 'a>;

/// Answers `/mutornadomon` and `/metrics` for whatever server parsed the request: the std
/// backend's endpoint, the smol backend's, or a server of the program's own.
///
/// By default only loopback may read: the peer and every `X-Forwarded-For` and `Forwarded` hop
/// must be loopback, and anything unparseable is refused (403).
///
/// A page's body is the buffer it was rendered into (no copy); a server that hands written
/// bodies back with [`Responder::recycle`] has later pages rendered into them instead of new
/// buffers (both endpoint servers do).
///
/// ```
/// use mutornadomon_http::{Request, Responder};
/// let monitor = mutornadomon_std::Monitor::builder().in_memory().start()?;
/// let responder = Responder::new(&monitor);
/// let local = Request::new("GET", "/mutornadomon", Some("127.0.0.1".parse()?), &[]);
/// assert_eq!(responder.respond(&local).map(|r| r.status()), Some(200));
/// let remote = Request::new("GET", "/metrics", Some("8.8.8.8".parse()?), &[]);
/// assert_eq!(responder.respond(&remote).map(|r| r.status()), Some(403));
/// assert!(responder.respond(&Request::new("GET", "/", None, &[])).is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Responder<'a> {
    handle: MonitorHandle,
    filter: Option<AccessFilter<'a>>,
    hosts: Option<Arc<[String]>>,
    roll_on_read: bool,
}

impl Responder<'static> {
    /// A responder for `monitor`'s pages: loopback only, no Host allowlist.
    pub fn new(monitor: &Monitor) -> Responder<'static> {
        Responder::for_handle(monitor.handle())
    }

    /// [`new`](Self::new) for a monitor known by its handle.
    pub fn for_handle(handle: MonitorHandle) -> Responder<'static> {
        Responder {
            handle,
            filter: None,
            hosts: None,
            roll_on_read: false,
        }
    }
}

impl<'a> Responder<'a> {
    /// Replaces the default loopback-only rule with `filter` (true = allowed). The Host
    /// allowlist, if any, still applies.
    pub fn filter<'b>(
        self,
        filter: impl Fn(&Request<'_>) -> bool + Send + Sync + 'b,
    ) -> Responder<'b>
    where
        'a: 'b,
    {
        let mut responder: Responder<'b> = self; // covariant: a shorter lifetime is a coercion
        responder.filter = Some(Arc::new(filter));
        responder
    }

    /// Answers only requests whose `Host` header (port ignored) is one of `hosts`.
    pub fn allow_hosts<S: Into<String>>(mut self, hosts: impl IntoIterator<Item = S>) -> Self {
        self.hosts = Some(hosts.into_iter().map(Into::into).collect());
        self
    }

    /// mutornadomon's "min/max since last read": each `/mutornadomon` read rolls the gauge
    /// windows. Off by default: with several readers, each would see only its share.
    pub fn min_max_since_last_read(mut self, on: bool) -> Self {
        self.roll_on_read = on;
        self
    }

    /// The answer to `request` if it is for one of the monitor's paths (`None` otherwise): the
    /// page, 403 (not allowed) or 405 (not `GET` or `HEAD`).
    pub fn respond(&self, request: &Request<'_>) -> Option<Response> {
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
        let (content_type, body) = self.handle.render_page_bytes(page, accept, roll);
        Some(match body {
            Ok((buffer, front)) => Response::with_front(200, content_type, buffer, front),
            Err(text) => Response::new(200, content_type, text),
        })
    }

    /// Hands back a response body once it is written, so that a later page rendered on this
    /// thread goes into its buffer instead of a new one. Optional (without it, each page gets
    /// a new buffer); any `Vec` will do.
    ///
    /// ```
    /// use mutornadomon_http::{Request, Responder};
    /// let monitor = mutornadomon_std::Monitor::builder().in_memory().start()?;
    /// let responder = Responder::new(&monitor);
    /// let request = Request::new("GET", "/metrics", Some("127.0.0.1".parse()?), &[]);
    /// let body = responder.respond(&request).unwrap().into_body();
    /// // ... write `body` to the client, then:
    /// Responder::recycle(body);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn recycle(body: Vec<u8>) {
        recycle_page_buffer(body);
    }

    /// The monitor whose pages this responder serves.
    pub fn monitor(&self) -> &MonitorHandle {
        &self.handle
    }

    /// Whether `request` passes the Host allowlist and the access filter.
    pub fn allowed(&self, request: &Request<'_>) -> bool {
        if let Some(hosts) = &self.hosts {
            if !host_allowed(hosts, request.header("host")) {
                return false;
            }
        }
        match &self.filter {
            Some(filter) => filter(request),
            None => is_local_request(request),
        }
    }
}

/// The default rule: the peer and every forwarded hop are loopback.
///
/// ```
/// use mutornadomon_http::{is_local_request, Request};
/// let spoofed = [("X-Forwarded-For", &b"8.8.8.8"[..])];
/// assert!(!is_local_request(&Request::new("GET", "/", Some("127.0.0.1".parse()?), &spoofed)));
/// assert!(is_local_request(&Request::new("GET", "/", Some("::1".parse()?), &[])));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn is_local_request(request: &Request<'_>) -> bool {
    let Some(peer) = request.peer() else {
        return false;
    };
    let headers = request.headers().map(|(n, v)| (n.as_bytes(), v));
    check_local_only(peer, headers).is_ok()
}

impl std::fmt::Debug for Responder<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Responder")
            .field("hosts", &self.hosts)
            .field("roll_on_read", &self.roll_on_read)
            .field("filter", &self.filter.is_some())
            .finish_non_exhaustive()
    }
}
