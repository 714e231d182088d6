//! The async HTTP endpoint: `/mutornadomon` and `/metrics` over HTTP/1.1 on async-io sockets,
//! with the std backend's head parser, limits and [`Responder`]; bounded in every dimension a
//! client controls.

mod conn;
mod server;

pub use server::{Connection, EndpointServer};

use crate::stop::StopListener;
use crate::AsyncMonitor;
use async_io::Async;
use mutornadomon_std::{Limits, Request, RequestAccounting, Responder, Response};
use std::io;
use std::net::{TcpListener, ToSocketAddrs};
use std::sync::Arc;

type Fallback<'a> = Arc<dyn Fn(&Request<'_>) -> Response + Send + Sync + 'a>;

/// The monitor's HTTP paths for a smol program: answer requests from a server of your own with
/// [`respond`](Self::respond), or [`bind`](Self::bind) a listener and run the endpoint's own
/// server on your executor.
///
/// By default only loopback may read: the peer and every `X-Forwarded-For` and `Forwarded` hop
/// must be loopback, and anything unparseable is refused (403), as in the std backend.
///
/// ```
/// use mutornadomon_smol::AsyncMonitor;
/// use mutornadomon_std::Monitor;
///
/// let (monitor, tasks) = AsyncMonitor::start(Monitor::builder().in_memory())?;
/// let server = monitor.endpoint().bind("127.0.0.1:0")?;
/// println!("curl http://{}/mutornadomon", server.local_addr());
/// let ex = async_executor::Executor::new();
/// let (tasks, server) = (ex.spawn(tasks), ex.spawn(server.run()));
/// monitor.stop(); // both end
/// futures_lite::future::block_on(ex.run(async { tasks.await; server.await }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct Endpoint<'a> {
    responder: Responder<'a>,
    stop: StopListener,
    limits: Limits,
    fallback: Option<Fallback<'a>>,
    accounting: Option<RequestAccounting<'a>>,
}

impl AsyncMonitor {
    /// The HTTP endpoint for this monitor's metrics.
    pub fn endpoint(&self) -> Endpoint<'static> {
        Endpoint {
            responder: self.responder(),
            stop: self.stop_listener(),
            limits: Limits::default(),
            fallback: None,
            accounting: None,
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
        endpoint.responder = endpoint.responder.filter(filter);
        endpoint
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

    /// The server's limits (head size, timeouts, connections).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    /// Requests for other paths go to `handler` (404 without one). It runs on the endpoint's
    /// task: a handler that blocks, blocks that task's executor thread. Requests with a body
    /// are answered without reading it, and the connection is then closed.
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
    /// use mutornadomon_smol::AsyncMonitor;
    /// let (monitor, _tasks) = AsyncMonitor::start(mutornadomon_std::Monitor::builder().in_memory())?;
    /// let accounting = monitor.request_accounting()?;
    /// let endpoint = monitor.endpoint().request_accounting(accounting);
    /// # drop(endpoint);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn request_accounting<'b>(self, accounting: RequestAccounting<'b>) -> Endpoint<'b>
    where
        'a: 'b,
    {
        let mut endpoint: Endpoint<'b> = self;
        endpoint.accounting = Some(accounting);
        endpoint
    }

    /// The answer to `request` if it is for one of the monitor's paths (`None` otherwise): the
    /// page, or 403 / 405.
    ///
    /// ```
    /// use mutornadomon_smol::{AsyncMonitor, Request};
    /// let (monitor, _tasks) = AsyncMonitor::start(mutornadomon_std::Monitor::builder().in_memory())?;
    /// let endpoint = monitor.endpoint();
    /// let local = Request::new("GET", "/mutornadomon", Some("127.0.0.1".parse()?), &[]);
    /// assert_eq!(endpoint.respond(&local).map(|r| r.status()), Some(200));
    /// let remote = Request::new("GET", "/metrics", Some("8.8.8.8".parse()?), &[]);
    /// assert_eq!(endpoint.respond(&remote).map(|r| r.status()), Some(403));
    /// assert!(endpoint.respond(&Request::new("GET", "/", None, &[])).is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn respond(&self, request: &Request<'_>) -> Option<Response> {
        self.responder.respond(request)
    }

    /// The answer to any request: ours, else the fallback's, else 404.
    pub(crate) fn answer(&self, request: &Request<'_>) -> Response {
        let timer = self.accounting.map(|a| a.start(request.peer()));
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

    /// Binds a listener (`127.0.0.1:0` picks a free port) for [`EndpointServer::run_with`]
    /// or [`EndpointServer::run`].
    pub fn bind(self, addr: impl ToSocketAddrs) -> io::Result<EndpointServer<'a>> {
        let listener = Async::new(TcpListener::bind(addr)?)?;
        let local_addr = listener.get_ref().local_addr()?;
        Ok(EndpointServer {
            endpoint: self,
            listener,
            local_addr,
        })
    }
}

impl std::fmt::Debug for Endpoint<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("responder", &self.responder)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}
