//! The HTTP endpoint on tiny-http: `/mutornadomon` (JSON) and `/metrics` (Prometheus or
//! OpenMetrics), behind a fail-closed access filter.

use crate::{host_allowed, MetricsPage, Monitor, MonitorHandle};
use mutornadomon_core::address::check_local_only;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;
use std::thread::JoinHandle;
use tiny_http::{Header, Method, Request, Response, Server};

/// Decides whether a request may read the metrics.
pub type AccessFilter = Arc<dyn Fn(&Request) -> bool + Send + Sync>;

/// The monitor's HTTP paths, for a tiny-http server of the program's own
/// ([`handle`](Self::handle)) or on a listener of its own ([`serve`](Self::serve)).
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
#[derive(Clone)]
pub struct Endpoint {
    monitor: MonitorHandle,
    filter: Option<AccessFilter>,
    hosts: Option<Arc<[String]>>,
    roll_on_read: bool,
    profiler: bool,
}

impl Monitor {
    /// The HTTP endpoint for this monitor's metrics.
    pub fn endpoint(&self) -> Endpoint {
        Endpoint {
            monitor: self.handle(),
            filter: None,
            hosts: None,
            roll_on_read: false,
            profiler: false,
        }
    }
}

/// What the endpoint did with a request.
#[derive(Debug)]
pub enum Handled {
    /// Answered (with metrics, 403 or 405), with this status.
    Answered(u16),
    /// Not one of the monitor's paths: the request, for the program to answer.
    NotOurs(Request),
}

impl Endpoint {
    /// Replaces the default loopback-only rule with `filter` (true = allowed). The Host
    /// allowlist, if any, still applies.
    pub fn filter(mut self, filter: impl Fn(&Request) -> bool + Send + Sync + 'static) -> Self {
        self.filter = Some(Arc::new(filter));
        self
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

    /// Also serves `GET /profiler` (feature `profiler`): a CPU profile of the whole process
    /// for `profiletime` ms (default 2000, at most 60000) as a top-N text (`format=text`,
    /// `top=N`) or a flamegraph (`format=svg`). Same access rules as the metrics; one profile at
    /// a time (409 otherwise). The request's thread is busy for the profile's duration, so serve
    /// it on the endpoint's own listener, whose second worker keeps answering metrics.
    #[cfg(feature = "profiler")]
    pub fn profiler(mut self, on: bool) -> Self {
        self.profiler = on;
        self
    }

    /// Answers `request` if its path is `/mutornadomon` or `/metrics` (or `/profiler` when
    /// enabled); otherwise hands it back.
    pub fn handle(&self, request: Request) -> Handled {
        let (path, query) = request.url().split_once('?').unwrap_or((request.url(), ""));
        if self.profiler && path == "/profiler" {
            let response = self.profile(&request, query);
            return self.send(request, response);
        }
        if path != "/mutornadomon" && path != "/metrics" {
            return Handled::NotOurs(request);
        }
        let response = self.respond_to(&request, path == "/mutornadomon");
        self.send(request, response)
    }

    fn send(&self, request: Request, response: Response<io::Cursor<Vec<u8>>>) -> Handled {
        let status = response.status_code().0;
        if let Err(e) = request.respond(response) {
            log::debug!("metrics response not delivered: {e}");
        }
        Handled::Answered(status)
    }

    #[cfg(feature = "profiler")]
    fn profile(&self, request: &Request, query: &str) -> Response<io::Cursor<Vec<u8>>> {
        if !matches!(request.method(), Method::Get) {
            return text(405, "method not allowed\n").with_header(header("Allow", "GET"));
        }
        if !self.allowed(request) {
            return text(403, "forbidden\n");
        }
        match crate::profiler::profile(query) {
            Ok((content_type, body)) => {
                Response::from_data(body).with_header(header("Content-Type", content_type))
            }
            Err(crate::profiler::Refused(status, message)) => text(status, &message),
        }
    }

    #[cfg(not(feature = "profiler"))]
    fn profile(&self, _: &Request, _: &str) -> Response<io::Cursor<Vec<u8>>> {
        text(404, "not found\n") // unreachable: `profiler` cannot be switched on without the feature
    }

    fn respond_to(&self, request: &Request, json: bool) -> Response<io::Cursor<Vec<u8>>> {
        if !matches!(request.method(), Method::Get | Method::Head) {
            return text(405, "method not allowed\n").with_header(header("Allow", "GET, HEAD"));
        }
        if !self.allowed(request) {
            return text(403, "forbidden\n");
        }
        let page = if json {
            MetricsPage::Json
        } else {
            MetricsPage::Prometheus
        };
        let accept = request.headers().iter().find(|h| h.field.equiv("Accept"));
        let accept = accept.map(|h| h.value.as_bytes());
        let page = self
            .monitor
            .render_page(page, accept, json && self.roll_on_read);
        Response::from_string(page.body).with_header(header("Content-Type", page.content_type))
    }

    fn allowed(&self, request: &Request) -> bool {
        if let Some(hosts) = &self.hosts {
            let host = request.headers().iter().find(|h| h.field.equiv("Host"));
            if !host_allowed(hosts, host.map(|h| h.value.as_bytes())) {
                return false;
            }
        }
        match &self.filter {
            Some(filter) => filter(request),
            None => is_local_request(request),
        }
    }

    /// Serves the endpoint on its own listener (`127.0.0.1:0` picks a free port) with two
    /// worker threads; other paths get 404. Stops when the returned server is dropped.
    pub fn serve(self, addr: impl ToSocketAddrs) -> io::Result<EndpointServer> {
        let server = Arc::new(http_server(addr)?);
        let addr = server
            .server_addr()
            .to_ip()
            .ok_or_else(|| io::Error::other("not an IP listener"))?;
        let workers = (0..2)
            .map(|i| {
                let (server, endpoint) = (Arc::clone(&server), self.clone());
                std::thread::Builder::new()
                    .name(format!("mutornadomon-http-{i}"))
                    .spawn(move || {
                        while let Ok(request) = server.recv() {
                            if let Handled::NotOurs(request) = endpoint.handle(request) {
                                let _ = request.respond(text(404, "not found\n"));
                            }
                        }
                    })
            })
            .collect::<io::Result<Vec<_>>>()?;
        Ok(EndpointServer {
            server,
            workers,
            addr,
        })
    }
}

/// A tiny-http server whose connections have TCP_NODELAY.
///
/// tiny-http writes a response through a 1 KiB buffer and leaves Nagle's algorithm on, so on a
/// keep-alive connection any response over about 1 KiB (a metrics page) leaves its last segment
/// waiting for the client's delayed ACK: 40 ms per request on Linux. This binds the listener
/// itself with TCP_NODELAY (accepted sockets inherit it) and hands it to tiny-http. Use it for
/// a program's own server too when it serves the monitor's paths.
///
/// ```
/// let server = mutornadomon_std::http_server("127.0.0.1:0")?;
/// assert!(server.server_addr().to_ip().is_some());
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn http_server(addr: impl ToSocketAddrs) -> io::Result<Server> {
    let listener = std::net::TcpListener::bind(addr)?;
    if let Err(e) = crate::sys::set_listener_nodelay(&listener) {
        log::warn!(
            "TCP_NODELAY not set on the metrics listener ({e}): expect 40 ms stalls on keep-alive"
        );
    }
    Server::from_listener(listener, None).map_err(io::Error::other)
}

/// The default rule: the peer and every forwarded hop are loopback.
pub fn is_local_request(request: &Request) -> bool {
    let Some(peer) = request.remote_addr() else {
        return false;
    };
    let headers = request
        .headers()
        .iter()
        .map(|h| (h.field.as_str().as_bytes(), h.value.as_bytes()));
    check_local_only(peer.ip(), headers).is_ok()
}

fn text(status: u16, body: &str) -> Response<io::Cursor<Vec<u8>>> {
    Response::from_string(body)
        .with_status_code(status)
        .with_header(header("Content-Type", "text/plain; charset=utf-8"))
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes())
        .unwrap_or_else(|()| unreachable!("static ASCII header"))
}

/// The endpoint on its own listener; stops (promptly) when dropped.
pub struct EndpointServer {
    server: Arc<Server>,
    workers: Vec<JoinHandle<()>>,
    addr: SocketAddr,
}

impl EndpointServer {
    /// The address it listens on (useful with port 0).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops the listener and its workers.
    pub fn stop(self) {}
}

impl Drop for EndpointServer {
    fn drop(&mut self) {
        for _ in &self.workers {
            self.server.unblock();
        }
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

#[cfg(test)]
mod tests {
    /// Regression: metrics pages over tiny-http's 1 KiB buffer took 40 ms each on keep-alive
    /// (Nagle holding the tail for the client's delayed ACK). The fix relies on accepted sockets
    /// inheriting TCP_NODELAY from the listener; check that they do.
    #[test]
    fn accepted_sockets_inherit_nodelay_from_the_listener() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        crate::sys::set_listener_nodelay(&listener).unwrap();
        let _client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (accepted, _) = listener.accept().unwrap();
        assert!(accepted.nodelay().unwrap());
    }
}
