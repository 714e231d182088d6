//! One connection: read a head within the limits, answer, repeat.

use async_io::{Async, Timer};
use futures_lite::{future, AsyncReadExt, AsyncWriteExt};
use mutornadomon_http::policy::{LINGER, LINGER_BYTES};
use mutornadomon_http::{Endpoint, Exchange, Limits, Request, Response, Step};
use std::io::{self, ErrorKind, IoSlice, Read};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

/// Closes our side, then reads and drops whatever the client still sends until it closes,
/// `deadline` passes or [`LINGER_BYTES`] were dropped. Closing a socket with unread input makes
/// the kernel send a reset, which can destroy the answer before the client reads it.
pub(super) async fn linger(stream: &mut Async<TcpStream>, deadline: Instant) {
    let _ = stream.get_ref().shutdown(std::net::Shutdown::Write);
    let mut sink = [0u8; 4096];
    let mut timer = LazyTimer::new();
    let mut dropped = 0;
    while let Ok(n) = timer.until(deadline, stream.read(&mut sink)).await {
        dropped += n;
        if n == 0 || dropped >= LINGER_BYTES {
            break;
        }
    }
}

fn timed_out() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "timed out")
}

/// A connection's timer, set again only when it must be. Deadlines that keep moving later
/// (the usual case: each request pushes the next one on) cost nothing until the timer fires
/// at the earlier deadline, finds it moved, and is set for the new one. Setting an async-io
/// timer is a trip through its reactor (and a wake-up of the reactor thread); once per read
/// and write it was a good part of the cost of a small answer.
pub(super) struct LazyTimer {
    timer: Timer,
    /// When the timer is set to fire, unless it fired or was never set.
    armed: Option<Instant>,
}

impl LazyTimer {
    pub(super) fn new() -> LazyTimer {
        LazyTimer {
            timer: Timer::never(),
            armed: None,
        }
    }

    /// `io` unless `timeout` passes first. `io` is tried once before the clock is read: most
    /// writes complete at once, and then no deadline is needed.
    async fn within<T>(
        &mut self,
        timeout: Duration,
        io: impl std::future::Future<Output = io::Result<T>>,
    ) -> io::Result<T> {
        let mut io = std::pin::pin!(io);
        if let Some(done) = future::poll_once(io.as_mut()).await {
            return done;
        }
        self.until(Instant::now() + timeout, io).await
    }

    /// `io` unless `deadline` passes first.
    pub(super) async fn until<T>(
        &mut self,
        deadline: Instant,
        io: impl std::future::Future<Output = io::Result<T>>,
    ) -> io::Result<T> {
        let mut io = std::pin::pin!(io);
        loop {
            if self.armed.is_none_or(|at| deadline < at) {
                self.timer.set_at(deadline);
                self.armed = Some(deadline);
            }
            let timer = &mut self.timer;
            let done = future::or(async { Some(io.as_mut().await) }, async {
                timer.await;
                None
            })
            .await;
            match done {
                Some(result) => return result,
                None if Instant::now() >= deadline => return Err(timed_out()),
                None => self.armed = None, // fired for an earlier deadline: set it again
            }
        }
    }
}

/// Serves one connection: requests one after another (pipelined ones from the buffer).
pub(super) async fn serve(
    endpoint: &Endpoint<'_>,
    mut stream: Async<TcpStream>,
    peer: SocketAddr,
) -> io::Result<()> {
    let limits = endpoint.server_limits();
    let mut exchange = Exchange::new(limits, Some(peer.ip()));
    let (mut head, mut body) = (Vec::new(), Vec::new());
    let (mut read_timer, mut write_timer) = (LazyTimer::new(), LazyTimer::new());
    let mut read_first = ReadFirst::default();
    loop {
        let answer = |request: &Request<'_>| endpoint.answer(request);
        match exchange.next_split(answer, &mut head, &mut body) {
            Step::Write { close, drain } => {
                // A page comes with its head written in front of it (`head` is empty): one
                // buffer, no copy. Another small body is copied behind its head and sent with
                // it. Either stays in `body` for the exchange to recycle (with its bytes: a
                // page rendered into it next needs no zeroing first).
                let bytes = &body[exchange.body_from()..];
                let body_left: &[u8] = if !head.is_empty() && bytes.len() <= SMALL_BODY {
                    head.extend_from_slice(bytes);
                    &[]
                } else {
                    bytes
                };
                let both = write_both(&mut stream, &head, body_left);
                write_timer.within(limits.write_timeout, both).await?;
                if drain {
                    linger(&mut stream, Instant::now() + LINGER).await;
                }
                if close {
                    return Ok(());
                }
                continue;
            }
            Step::Refuse(status) => return refuse(&mut stream, status, &limits).await,
            Step::Read => {}
        }
        // A read tried at once spares the wait (and the deadline's clock reading) when the
        // bytes are there already; `read_first` says when that is likely.
        let room = exchange.read_buffer().len();
        let tried = if read_first.now() {
            read_now(&stream, exchange.read_buffer())
        } else {
            None
        };
        let read = match tried {
            Some(read) => read,
            None => {
                read_first.came_empty();
                let deadline = exchange.read_deadline();
                let wait = read_when_ready(&stream, exchange.read_buffer());
                read_timer.until(deadline, wait).await
            }
        };
        match read {
            Ok(0) => return Ok(()),
            Ok(n) => {
                read_first.read(n, room);
                exchange.filled(n);
            }
            Err(e) if e.kind() == io::ErrorKind::TimedOut => {
                return match exchange.timed_out() {
                    Some(status) => refuse(&mut stream, status, &limits).await,
                    None => Ok(()), // idle too long
                };
            }
            Err(e) => return Err(e),
        }
    }
}

/// Whether a connection's next read is tried before waiting for the socket to be readable.
///
/// A client that waits for each answer before it sends the next request (browsers, scrapers,
/// `curl`, load generators) has sent nothing yet when the answer is out: a read tried then
/// is a system call that finds nothing (`EAGAIN`), once per request. So once a tried read
/// comes back empty, reads wait first. Waiting first costs nothing extra when bytes are
/// there after all: the reactor reports them at its next turn. Reads are tried first again
/// after a read fills all the room it had, since a pipelining client may have more queued
/// behind it; and at the start, when the first request is often there already.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ReadFirst(bool);

impl Default for ReadFirst {
    fn default() -> ReadFirst {
        ReadFirst(true)
    }
}

impl ReadFirst {
    /// Whether to try the next read before waiting.
    fn now(self) -> bool {
        self.0
    }

    /// A read tried at once found nothing (or none was tried).
    fn came_empty(&mut self) {
        self.0 = false;
    }

    /// A read brought `n` bytes into `room` bytes of space.
    fn read(&mut self, n: usize, room: usize) {
        if n >= room {
            self.0 = true;
        }
    }
}

/// A read that does not wait: `None` if no bytes are there yet.
fn read_now(stream: &Async<TcpStream>, buf: &mut [u8]) -> Option<io::Result<usize>> {
    // The socket is non-blocking (`Async` made it so).
    match stream.get_ref().read(buf) {
        Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::Interrupted) => None,
        read => Some(read),
    }
}

/// Waits until bytes come, then reads them (the read `read_now` found nothing for).
async fn read_when_ready(stream: &Async<TcpStream>, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        stream.readable().await?;
        if let Some(read) = read_now(stream, buf) {
            return read;
        }
    }
}

/// Bodies up to this size are copied behind the head and sent with one plain write: measured
/// (an A/B of two builds, BENCHMARKS.md), a `writev` of head and a 1.2 KB JSON page cost 4% of
/// the endpoint's throughput against copying, and at 12 KB the two were even.
const SMALL_BODY: usize = 32 * 1024;

/// Writes `head` then `body`: with vectored writes while both have bytes left (the body, a
/// page of up to tens of KB, is not copied behind the head first), else with plain ones
/// (`send`: measured with perf, the kernel's `writev` path costs about 200 ns more a call).
async fn write_both(stream: &mut Async<TcpStream>, head: &[u8], body: &[u8]) -> io::Result<()> {
    let (mut head, mut body) = (head, body);
    while !head.is_empty() || !body.is_empty() {
        let n = match (head.is_empty(), body.is_empty()) {
            (false, false) => {
                let both = [IoSlice::new(head), IoSlice::new(body)];
                stream.write_vectored(&both).await?
            }
            (false, true) => stream.write(head).await?,
            _ => stream.write(body).await?,
        };
        if n == 0 {
            return Err(io::ErrorKind::WriteZero.into());
        }
        let from_head = n.min(head.len());
        head = &head[from_head..];
        body = body.get(n - from_head..).unwrap_or_default();
    }
    Ok(())
}

/// Answers a refused head with `status` and closes.
async fn refuse(stream: &mut Async<TcpStream>, status: u16, limits: &Limits) -> io::Result<()> {
    let mut out = Vec::new();
    Response::refusal(status).write_to(&mut out, false, true);
    LazyTimer::new()
        .within(limits.write_timeout, stream.write_all(&out))
        .await?;
    linger(stream, Instant::now() + LINGER).await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::ReadFirst;

    #[test]
    fn reads_wait_first_after_one_came_empty_until_one_fills_its_room() {
        let mut read_first = ReadFirst::default();
        assert!(
            read_first.now(),
            "a new connection's request is often there already"
        );
        read_first.read(18, 8192);
        assert!(read_first.now(), "nothing came empty yet");
        read_first.came_empty();
        assert!(!read_first.now());
        read_first.read(18, 8192);
        assert!(
            !read_first.now(),
            "a short read: the client waits for its answer"
        );
        read_first.read(8192, 8192);
        assert!(
            read_first.now(),
            "a full read: more may be queued behind it"
        );
        read_first.read(100, 4000);
        assert!(
            read_first.now(),
            "trying first goes on until a try comes empty"
        );
    }
}
