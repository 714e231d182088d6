//! The endpoint inside a tiny-http server of the program's own (feature `tiny-http`).
//!
//! tiny-http reads request heads without limits (a 1 MB header or 10,000 headers are read
//! whole, and an idle connection keeps its thread): serve the monitor on its own listener
//! ([`Endpoint::serve`]) where the program's server faces untrusted clients.

use super::{Endpoint, Request};
use std::io;
use std::net::ToSocketAddrs;
use tiny_http::{Header, Response, Server};

/// What the endpoint did with a request.
#[derive(Debug)]
pub enum Handled {
    /// Answered (with metrics, 403 or 405), with this status.
    Answered(u16),
    /// Not one of the monitor's paths: the request, for the program to answer.
    NotOurs(tiny_http::Request),
}

impl Endpoint {
    /// Answers a tiny-http `request` if its path is `/mutornadomon` or `/metrics` (or
    /// `/profiler` when enabled); otherwise hands it back.
    ///
    /// ```no_run
    /// use mutornadomon_std::{Handled, Monitor};
    /// let monitor = Monitor::builder().in_memory().start()?;
    /// let endpoint = monitor.endpoint();
    /// let server = mutornadomon_std::http_server("127.0.0.1:8080")?;
    /// for request in server.incoming_requests() {
    ///     if let Handled::NotOurs(request) = endpoint.handle(request) {
    ///         let _ = request.respond(tiny_http::Response::from_string("HELO"));
    ///     }
    /// }
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn handle(&self, request: tiny_http::Request) -> Handled {
        let headers: Vec<(&str, &[u8])> = request
            .headers()
            .iter()
            .map(|h| (h.field.as_str().as_str(), h.value.as_bytes()))
            .collect();
        let method = request.method().as_str();
        let peer = request.remote_addr().map(|a| a.ip());
        let view = Request::new(method, request.url(), peer, &headers);
        let Some(response) = self.respond(&view) else {
            drop(headers);
            return Handled::NotOurs(request);
        };
        drop(headers);
        let status = response.status();
        let content_type = header("Content-Type", response.content_type());
        let allow = response.allow().map(|allow| header("Allow", allow));
        let mut reply = Response::from_data(response.into_body())
            .with_status_code(status)
            .with_header(content_type);
        if let Some(allow) = allow {
            reply = reply.with_header(allow);
        }
        if let Err(e) = request.respond(reply) {
            log::debug!("metrics response not delivered: {e}");
        }
        Handled::Answered(status)
    }
}

/// A tiny-http server whose connections have TCP_NODELAY.
///
/// tiny-http writes a response through a 1 KiB buffer and leaves Nagle's algorithm on, so on a
/// keep-alive connection any response over about 1 KiB (a metrics page) leaves its last segment
/// waiting for the client's delayed ACK: 40 ms per request on Linux. This binds the listener
/// itself with TCP_NODELAY (accepted sockets inherit it) and hands it to tiny-http.
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

fn header(name: &str, value: &str) -> Header {
    // Header values we send are ASCII; a content type from a fallback with other bytes gets
    // a safe default rather than a panic.
    Header::from_bytes(name.as_bytes(), value.as_bytes())
        .or_else(|()| Header::from_bytes(name.as_bytes(), &b"application/octet-stream"[..]))
        .unwrap_or_else(|()| unreachable!("static ASCII header"))
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
