//! The endpoint's own server: accept connections within the cap and hand each to a spawner,
//! yours ([`EndpointServer::run_with`]) or a small executor inside the server's future
//! ([`EndpointServer::run`]).

use super::conn::{linger, serve, LazyTimer};
use crate::stop::{StopListener, Stopper};
use async_io::{Async, Timer};
use futures_lite::future;
use futures_lite::AsyncWriteExt;
use mutornadomon_http::policy::{TurningAway, ACCEPT_RETRY, BUSY, LINGER};
use mutornadomon_http::Endpoint;
use std::future::Future;
use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

/// An [`Endpoint`] with a bound listener ([`EndpointServer::bind`]). Run it on your executor with
/// [`run_with`](Self::run_with) (each connection a task of yours) or
/// [`run`](Self::run) (one task for everything). Either serves until the monitor stops or the
/// future is dropped, and its connections end with it.
///
/// A connection waits for the socket to be readable before it reads the next request once
/// a read tried at once has found nothing: a client that sends each request after the last
/// answer (most do) would make every such try a wasted system call. It tries first again
/// after a read that filled its buffer, as a pipelining client may have more queued.
#[must_use = "the server answers only in the future of `run` or `run_with`: bind it and run it"]
pub struct EndpointServer<'a> {
    endpoint: Endpoint<'a>,
    listener: Async<TcpListener>,
    local_addr: SocketAddr,
}

impl<'a> EndpointServer<'a> {
    /// Binds a listener for `endpoint` (`127.0.0.1:0` picks a free port), to be run with
    /// [`run_with`](Self::run_with) or [`run`](Self::run). The server ends when the
    /// endpoint's monitor stops.
    ///
    /// ```
    /// use mutornadomon_smol::{AsyncMonitor, EndpointServer, Monitor};
    ///
    /// let (monitor, tasks) = AsyncMonitor::start(Monitor::builder().in_memory())?;
    /// let server = EndpointServer::bind(monitor.endpoint(), "127.0.0.1:0")?;
    /// println!("curl http://{}/mutornadomon", server.local_addr());
    /// let ex = async_executor::Executor::new();
    /// let (tasks, server) = (ex.spawn(tasks), ex.spawn(server.run()));
    /// monitor.stop(); // both end
    /// futures_lite::future::block_on(ex.run(async { tasks.await; server.await }));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn bind(endpoint: Endpoint<'a>, addr: impl ToSocketAddrs) -> io::Result<Self> {
        let listener = Async::new(TcpListener::bind(addr)?)?;
        let local_addr = listener.get_ref().local_addr()?;
        Ok(EndpointServer {
            endpoint,
            listener,
            local_addr,
        })
    }

    /// The address it listens on (useful with port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// Serves until the monitor stops (or this future is dropped), handing each accepted
    /// connection to `spawn`, which runs it as a task of its own: on your executor, instrumented
    /// or not. A [`Connection`] ends by itself when its client leaves, when this future ends,
    /// or when it is dropped.
    ///
    /// Each connection's wake-ups then go straight to your executor, and a multi-threaded one
    /// serves connections on all its threads. With [`run`](Self::run), every wake-up passes
    /// through two executors (the server's own, then yours) and one thread serves them all:
    /// on one thread, `run_with` answered 1-2% more pages a second (BENCHMARKS.md).
    ///
    /// The server's future borrows what `spawn` uses, so run it where that lives: the future
    /// given to your executor's `run` is the usual place.
    ///
    /// ```
    /// use async_io::Async;
    /// use futures_lite::{future, AsyncReadExt, AsyncWriteExt};
    /// use mutornadomon_smol::{AsyncMonitor, Monitor};
    ///
    /// let (monitor, tasks) = AsyncMonitor::start(Monitor::builder().in_memory())?;
    /// let timing = monitor.task_timing()?;
    /// let server = mutornadomon_smol::EndpointServer::bind(monitor.endpoint(), "127.0.0.1:0")?;
    /// let addr = server.local_addr();
    /// let ex = async_executor::Executor::new(); // after the monitor: its tasks borrow it
    /// let tasks = ex.spawn(tasks);
    /// let serve = server.run_with(|connection| ex.spawn(timing.instrument(connection)).detach());
    /// let ask = async {
    ///     let mut stream = Async::<std::net::TcpStream>::connect(addr).await?;
    ///     stream.write_all(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").await?;
    ///     let mut answer = String::new();
    ///     stream.read_to_string(&mut answer).await?;
    ///     monitor.stop(); // ends the server's future, its connections and the monitor's tasks
    ///     std::io::Result::Ok(answer)
    /// };
    /// let ((), answer) = future::block_on(ex.run(future::zip(timing.instrument(serve), ask)));
    /// assert!(answer?.starts_with("HTTP/1.1 200 OK"));
    /// future::block_on(ex.run(tasks));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub async fn run_with(self, spawn: impl FnMut(Connection<'a>)) {
        let monitor = self.endpoint.monitor().clone();
        if monitor.is_stopped() {
            return;
        }
        // Dropped when this future ends or is dropped: that ends every connection it handed out.
        let serving = Stopper::new();
        let accept = accept_loop(
            Arc::new(self.endpoint),
            &self.listener,
            serving.listener(),
            spawn,
        );
        future::or(accept, monitor.stopped()).await;
    }

    /// Serves until the monitor stops (or this future is dropped). Connections are tasks of a
    /// small executor inside this future, so the endpoint never occupies more than the one
    /// thread polling it, and needs nothing from you. [`run_with`](Self::run_with) is faster.
    pub async fn run(self) {
        let connections = async_executor::Executor::new();
        let serve = self.run_with(|connection| connections.spawn(connection).detach());
        connections.run(serve).await;
    }
}

/// One accepted connection, from [`EndpointServer::run_with`]: a future that answers its
/// requests until the client leaves, the server's future ends or the monitor stops. Spawn it;
/// dropping it closes the connection.
#[must_use = "a connection is answered only while it is polled"]
pub struct Connection<'a> {
    work: Pin<Box<dyn Future<Output = ()> + Send + 'a>>,
}

impl Future for Connection<'_> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        self.work.as_mut().poll(cx)
    }
}

impl std::fmt::Debug for Connection<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection").finish_non_exhaustive()
    }
}

/// Accepts connections until the listener fails for good; `spawn` runs each. Every connection
/// ends when `serving` says the server has.
async fn accept_loop<'a>(
    endpoint: Arc<Endpoint<'a>>,
    listener: &Async<TcpListener>,
    serving: StopListener,
    mut spawn: impl FnMut(Connection<'a>),
) {
    let open = Arc::new(AtomicUsize::new(0));
    let turning_away = Arc::new(AtomicUsize::new(0));
    loop {
        let (stream, peer) = match accept(listener).await {
            Ok(accepted) => accepted,
            Err(e) => {
                // Out of file descriptors, or a connection reset before accept: wait a little
                // rather than spin, and keep serving.
                log::warn!("metrics endpoint accept failed: {e}");
                Timer::after(ACCEPT_RETRY).await;
                continue;
            }
        };
        let serving = serving.clone();
        // Relaxed: a counter compared with a limit; no other memory depends on it.
        if open.load(Ordering::Relaxed) >= endpoint.server_limits().max_connections {
            // Over the cap: answer 503 from a short task (it reads what the client sent, so
            // closing does not reset the connection before the client reads the answer). Those
            // tasks are capped too; past that, the connection is just closed.
            if let Some(slot) = TurningAway::try_new(&turning_away) {
                spawn(Connection {
                    work: Box::pin(async move {
                        let _slot = slot;
                        serving.or_stopped(turn_away(stream)).await;
                    }),
                });
            }
            continue;
        }
        let _ = stream.get_ref().set_nodelay(true);
        let guard = OpenConnection::new(&open);
        let endpoint = Arc::clone(&endpoint);
        spawn(Connection {
            work: Box::pin(async move {
                let _guard = guard;
                let answered = serving.or_stopped(serve(&endpoint, stream, peer)).await;
                if let Some(Err(e)) = answered {
                    log::debug!("metrics connection from {peer} ended: {e}");
                }
            }),
        });
    }
}

/// The next connection on `listener`, accepted only once it is readable.
///
/// `Async::accept` calls `accept` again each time its future is polled after a wait, event or
/// not; and an accept loop shares its task with whatever else the future given to an
/// executor's `run` holds, so it is polled at each of that task's wake-ups. Under load that
/// was a wasted `accept4` (`EAGAIN`) per turn of the reactor (perf stat: 0.15 a request).
/// Here a poll without an event from the reactor makes no system call.
async fn accept(listener: &Async<TcpListener>) -> io::Result<(Async<TcpStream>, SocketAddr)> {
    loop {
        match listener.get_ref().accept() {
            Ok((stream, peer)) => return Ok((Async::new(stream)?, peer)),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => listener.readable().await?,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// Answers 503, then reads (and drops) what the client sends for up to a second.
async fn turn_away(mut stream: Async<TcpStream>) {
    let deadline = Instant::now() + LINGER;
    let mut timer = LazyTimer::new();
    if timer.until(deadline, stream.write_all(BUSY)).await.is_ok() {
        linger(&mut stream, deadline).await;
    }
}

/// Counts a connection as open while it lives.
struct OpenConnection(Arc<AtomicUsize>);

impl OpenConnection {
    fn new(open: &Arc<AtomicUsize>) -> OpenConnection {
        // Relaxed: see the load in `accept_loop`.
        open.fetch_add(1, Ordering::Relaxed);
        OpenConnection(Arc::clone(open))
    }
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        // Relaxed: see the load in `accept_loop`.
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

impl std::fmt::Debug for EndpointServer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EndpointServer")
            .field("local_addr", &self.local_addr)
            .finish_non_exhaustive()
    }
}
