//! The bounded blocking server: an accept thread and a thread per connection, each bounded
//! in time and bytes, all closed when the server is dropped. It serves an [`Endpoint`], or
//! any handler of a program's own ([`serve`]).

use crate::policy::{TurningAway, ACCEPT_RETRY, BUSY, LINGER, LINGER_BYTES};
use crate::response::one_slice;
use crate::{Endpoint, Exchange, Limits, Request, Response, Step};
use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A bounded server on its own listener (the endpoint's, or [`serve`]'s); stops (promptly,
/// closing every connection) when dropped.
#[must_use = "the server stops when this is dropped: bind it (`let server = ...`)"]
pub struct EndpointServer {
    addr: SocketAddr,
    shared: Arc<ServerState>,
    acceptor: Option<JoinHandle<()>>,
}

/// A clone of a connection's stream (to shut it down on stop) and its thread.
type OpenConnection = (TcpStream, JoinHandle<()>);

/// What the accept thread and the connection threads share.
struct ServerState {
    stopped: AtomicBool,
    /// Open connections by id.
    open: Mutex<HashMap<u64, OpenConnection>>,
    turning_away: Arc<AtomicUsize>,
}

/// Locks, shrugging off poisoning: the registry stays valid after a panic.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Endpoint<'static> {
    /// Serves the endpoint on its own listener (`127.0.0.1:0` picks a free port): a thread per
    /// connection, up to [`Limits::max_connections`](crate::Limits::max_connections) (503 past
    /// it), heads parsed by httparse within the limits (431, 414, 408 for a slow head), the
    /// monitor's paths and the [fallback](Self::fallback)'s (404 without one). Stops, closing
    /// every connection, when the returned server is dropped.
    ///
    /// ```
    /// let monitor = mutornadomon_std::Monitor::builder().in_memory().start()?;
    /// let server = mutornadomon_http::Endpoint::new(&monitor).serve("127.0.0.1:0")?;
    /// println!("curl http://{}/mutornadomon", server.local_addr());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn serve(self, addr: impl ToSocketAddrs) -> io::Result<EndpointServer> {
        let limits = self.server_limits();
        serve(addr, limits, move |request: &Request<'_>| {
            self.answer(request)
        })
    }
}

/// Serves `handler` on its own listener with the endpoint's bounded server: a thread per
/// connection, up to `limits.max_connections` (503 past it), heads parsed by httparse within
/// `limits` (431, 414, 408 for a slow head, 400 for what is not HTTP/1.x), keep-alive and
/// pipelining, `HEAD` answered without the body, a `Date` on every answer. For a program's own
/// routes with no monitor behind them (`mmstats serve` is one); with a monitor, use
/// [`Endpoint::serve`] and its fallback. Stops, closing every connection, when the returned
/// server is dropped.
///
/// ```
/// use mutornadomon_http::{Limits, Request, Response};
/// let server = mutornadomon_http::serve("127.0.0.1:0", Limits::default(), |request: &Request<'_>| {
///     Response::text(200, &format!("you asked for {}", request.path()))
/// })?;
/// println!("curl http://{}/anything", server.local_addr());
/// # Ok::<(), std::io::Error>(())
/// ```
pub fn serve<H>(addr: impl ToSocketAddrs, limits: Limits, handler: H) -> io::Result<EndpointServer>
where
    H: Fn(&Request<'_>) -> Response + Send + Sync + 'static,
{
    let listener = TcpListener::bind(addr)?;
    let addr = listener.local_addr()?;
    let shared = Arc::new(ServerState {
        stopped: AtomicBool::new(false),
        open: Mutex::new(HashMap::new()),
        turning_away: Arc::default(),
    });
    let service = Arc::new(Service { limits, handler });
    let acceptor = std::thread::Builder::new()
        .name("mutornadomon-http".into())
        .spawn({
            let shared = Arc::clone(&shared);
            move || accept_loop(&service, &listener, &shared)
        })?;
    Ok(EndpointServer {
        addr,
        shared,
        acceptor: Some(acceptor),
    })
}

/// What the server answers with, and within which limits.
struct Service<H> {
    limits: Limits,
    handler: H,
}

impl EndpointServer {
    /// The address it listens on (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops the listener and closes every connection.
    pub fn stop(self) {}
}

impl Drop for EndpointServer {
    fn drop(&mut self) {
        // SeqCst: pairs with the loads in the accept loop and in each connection, which must
        // see the flag once they are woken by the connect or the shutdowns below.
        self.shared.stopped.store(true, Ordering::SeqCst);
        // Wake the accept thread with a connection of our own.
        let mut wake = self.addr;
        if wake.ip().is_unspecified() {
            wake.set_ip(match wake {
                SocketAddr::V4(_) => [127, 0, 0, 1].into(),
                SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
            });
        }
        let _ = TcpStream::connect_timeout(&wake, Duration::from_secs(1));
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
        let open: Vec<_> = lock(&self.shared.open).drain().collect();
        for (_, (stream, _)) in &open {
            let _ = stream.shutdown(Shutdown::Both);
        }
        for (_, (_, thread)) in open {
            let _ = thread.join();
        }
    }
}

impl std::fmt::Debug for EndpointServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EndpointServer")
            .field("local_addr", &self.addr)
            .finish_non_exhaustive()
    }
}

fn accept_loop<H>(service: &Arc<Service<H>>, listener: &TcpListener, shared: &Arc<ServerState>)
where
    H: Fn(&Request<'_>) -> Response + Send + Sync + 'static,
{
    let mut next_id = 0u64;
    loop {
        let accepted = listener.accept();
        // SeqCst: see `EndpointServer::drop`.
        if shared.stopped.load(Ordering::SeqCst) {
            return;
        }
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors, or a connection reset before accept: wait a little
                // rather than spin, and keep serving.
                log::warn!("metrics endpoint accept failed: {e}");
                std::thread::sleep(ACCEPT_RETRY);
                continue;
            }
        };
        // Held until the new connection is registered: its thread leaves the registry under the
        // same lock, so it can never try to leave before it was entered.
        let mut open = lock(&shared.open);
        if open.len() >= service.limits.max_connections {
            drop(open);
            turn_away(stream, shared);
            continue;
        }
        let Ok(clone) = stream.try_clone() else {
            continue;
        };
        next_id += 1;
        let id = next_id;
        let thread = std::thread::Builder::new()
            .name("mutornadomon-http-conn".into())
            .spawn({
                let (service, shared) = (Arc::clone(service), Arc::clone(shared));
                move || {
                    let closer = stream.try_clone();
                    if let Err(e) = serve_connection(&service, stream, peer, &shared) {
                        log::debug!("metrics connection from {peer} ended: {e}");
                    }
                    // The registry holds a clone of the socket: shut it down so that the client
                    // sees the close now, then leave the registry.
                    if let Ok(closer) = closer {
                        let _ = closer.shutdown(Shutdown::Both);
                    }
                    lock(&shared.open).remove(&id);
                }
            });
        match thread {
            Ok(thread) => {
                open.insert(id, (clone, thread));
            }
            Err(e) => log::warn!("no thread for a metrics connection: {e}"),
        }
    }
}

/// Answers 503 from a short thread that reads what the client sent (closing with unread input
/// would reset the connection before the client reads the answer). Capped: past the cap the
/// connection is just closed.
fn turn_away(stream: TcpStream, shared: &Arc<ServerState>) {
    let Some(slot) = TurningAway::try_new(&shared.turning_away) else {
        return;
    };
    let spawned = std::thread::Builder::new().spawn(move || {
        let _slot = slot;
        let mut stream = stream;
        let _ = stream.set_write_timeout(Some(LINGER));
        if stream.write_all(BUSY).is_ok() {
            linger(&mut stream);
        }
    });
    if spawned.is_err() {
        log::warn!("no thread to answer 503");
    }
}

/// Closes our side, then reads and drops what the client still sends for up to [`LINGER`]
/// and [`LINGER_BYTES`].
fn linger(stream: &mut TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let deadline = Instant::now() + LINGER;
    let mut sink = [0u8; 4096];
    let mut dropped = 0;
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        if left.is_zero() || dropped >= LINGER_BYTES || stream.set_read_timeout(Some(left)).is_err()
        {
            break;
        }
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => dropped += n,
        }
    }
}

/// Serves one connection: requests one after another (pipelined ones from the buffer).
fn serve_connection<H>(
    service: &Service<H>,
    mut stream: TcpStream,
    peer: SocketAddr,
    shared: &ServerState,
) -> io::Result<()>
where
    H: Fn(&Request<'_>) -> Response,
{
    stream.set_nodelay(true)?;
    stream.set_write_timeout(Some(service.limits.write_timeout))?;
    let mut exchange = Exchange::new(service.limits, Some(peer.ip()));
    let (mut head, mut body) = (Vec::new(), Vec::new());
    let mut read_timeout: Option<Duration> = None;
    let answer = |request: &Request<'_>| (service.handler)(request);
    loop {
        match exchange.next_split(answer, &mut head, &mut body) {
            Step::Write { close, drain } => {
                // A page arrives with its head in front of it; other answers are copied
                // behind their head, for one write either way.
                stream.write_all(one_slice(&mut head, &body[exchange.body_from()..]))?;
                if drain {
                    linger(&mut stream);
                }
                if close {
                    return Ok(());
                }
                continue;
            }
            Step::Refuse(status) => return refuse(&mut stream, status),
            Step::Read => {}
        }
        // SeqCst: see `EndpointServer::drop`.
        if shared.stopped.load(Ordering::SeqCst) {
            return Ok(());
        }
        let left = exchange
            .read_deadline()
            .saturating_duration_since(Instant::now());
        if left.is_zero() {
            return match exchange.timed_out() {
                Some(status) => refuse(&mut stream, status),
                None => Ok(()), // idle too long
            };
        }
        // The socket's timeout is set only when it would overshoot the deadline or wake far too
        // early (a syscall per request otherwise): a read that ends early just loops here.
        if read_timeout.is_none_or(|t| t > left || t < left / 2) {
            stream.set_read_timeout(Some(left))?;
            read_timeout = Some(left);
        }
        match stream.read(exchange.read_buffer()) {
            Ok(0) => return Ok(()),
            Ok(n) => exchange.filled(n),
            // A timeout: the deadline check above decides.
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) => {}
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Answers a refused head with `status` and closes.
fn refuse(stream: &mut TcpStream, status: u16) -> io::Result<()> {
    let mut out = Vec::new();
    Response::refusal(status).write_to(&mut out, false, true);
    stream.write_all(&out)?;
    linger(stream);
    Ok(())
}
