//! The endpoint inside a tiny-http server of the program's own (feature `tiny-http`).
//!
//! What tiny-http leaves unbounded, measured, is in the crate docs ("tiny-http: what it does
//! not bound").

use crate::response::one_slice;
use crate::{Endpoint, Request};
use std::cell::Cell;
use std::io::{self, Write};
use std::net::ToSocketAddrs;
use tiny_http::{HTTPVersion, Method, Server};

/// What the endpoint did with a request.
#[derive(Debug)]
pub enum Handled {
    /// Answered (with metrics, 403 or 405), with this status.
    Answered(u16),
    /// Not one of the monitor's paths: the request, for the program to answer.
    NotOurs(tiny_http::Request),
}

impl Endpoint<'_> {
    /// Answers a tiny-http `request` if its path is `/mutornadomon` or `/metrics` (or
    /// `/profiler` when enabled); otherwise hands it back.
    ///
    /// The answer is the head the monitor's own servers send (`Date`, `Content-Type`,
    /// `Content-Length`, `Connection: close` when tiny-http will close the connection after
    /// it) and the page, written to the connection in one write rather than through
    /// `Request::respond` (which takes two system calls for a JSON page, three for a 9 KB
    /// `/metrics`: its head and body go through a 1 KiB buffer). The
    /// connection stays tiny-http's: keep-alive, pipelining and closing work as for its own
    /// responses.
    ///
    /// ```no_run
    /// use mutornadomon_http::{Endpoint, Handled};
    /// let monitor = mutornadomon_std::Monitor::builder().in_memory().start()?;
    /// let endpoint = Endpoint::new(&monitor);
    /// let server = mutornadomon_http::http_server("127.0.0.1:8080")?;
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
        let head_only = *request.method() == Method::Head;
        let close = closes_after(&request);
        // One write of our own serialisation (see above). tiny-http reads no further
        // request after one that asked to close (`closes_after`), and dropping the writer
        // lets it answer the next pipelined request.
        WIRE.with(|wire| {
            let mut head = wire.take();
            // A page comes with room for its head in front of it: head and page go out from
            // that one buffer; other answers are copied behind their head.
            let (body, from) = response.place_head(&mut head, head_only, close);
            let bytes = one_slice(&mut head, &body[from..]);
            let mut writer = request.into_writer();
            if let Err(e) = writer.write_all(bytes).and_then(|()| writer.flush()) {
                log::debug!("metrics response not delivered: {e}");
            }
            drop(writer);
            Endpoint::recycle(body);
            if head.capacity() <= MAX_SPARE {
                wire.set(head);
            }
        });
        Handled::Answered(status)
    }
}

/// The largest answer buffer a thread keeps for the next answer.
const MAX_SPARE: usize = 1 << 20;

thread_local! {
    /// The bytes of this thread's last answer: kept so an answer costs no allocation.
    static WIRE: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// Whether tiny-http closes the connection after answering `request` (the rule in its
/// `ClientConnection`): then the answer says `Connection: close`, which tiny-http itself
/// leaves out.
fn closes_after(request: &tiny_http::Request) -> bool {
    let http_1_0 = *request.http_version() == HTTPVersion(1, 0);
    let connection = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Connection"))
        .map(|h| h.value.as_str().to_ascii_lowercase());
    match connection {
        Some(value) if value.contains("close") || value.contains("upgrade") => true,
        Some(value) => http_1_0 && !value.contains("keep-alive"),
        None => http_1_0,
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
/// let server = mutornadomon_http::http_server("127.0.0.1:0")?;
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
