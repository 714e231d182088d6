//! One connection's bytes between reads, and what to do next: the sans-IO core that the std
//! (blocking) and smol (async) servers both drive, each with its own sockets and timers.

use crate::head::{parse_head, Head, Limits, MAX_HEADERS};
use crate::{Endpoint, Request, Response};
use std::net::IpAddr;
use std::time::Instant;

/// What the server does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Write the response now in the output buffer; then, if `drain`, read and drop what the
    /// client still sends for a moment (an unread body); then close if `close`.
    Write {
        /// Close the connection after writing.
        close: bool,
        /// The request had a body that was not read.
        drain: bool,
    },
    /// Read more into [`Exchange::read_buffer`] (then call [`Exchange::filled`]). A read that
    /// has to wait waits no later than [`Exchange::read_deadline`]; past it, ask
    /// [`Exchange::timed_out`].
    Read,
    /// Answer the head with [`Response::refusal`] of this status and close.
    Refuse(u16),
}

/// The bytes of one connection and its deadlines. Requests are answered one after another,
/// pipelined ones straight from the buffer.
///
/// ```
/// use mutornadomon_http::{Exchange, Limits, Response, Step};
/// let mut exchange = Exchange::new(Limits::default(), None);
/// let mut out = Vec::new();
/// assert_eq!(exchange.next(|_| Response::text(200, "hi"), &mut out), Step::Read);
/// let request = b"GET / HTTP/1.1\r\n\r\n";
/// exchange.read_buffer()[..request.len()].copy_from_slice(request);
/// exchange.filled(request.len());
/// let step = exchange.next(|r| Response::text(200, r.path()), &mut out);
/// assert_eq!(step, Step::Write { close: false, drain: false });
/// assert!(out.ends_with(b"\r\n\r\n/"));
/// ```
#[derive(Debug)]
pub struct Exchange {
    limits: Limits,
    peer: Option<IpAddr>,
    buf: Vec<u8>,
    filled: usize,
    /// Runs from the connection's start, then from each request's first byte (set when a read
    /// first waits for the rest); `None` while idle between requests.
    head_deadline: Option<Instant>,
    /// Runs from the end of the last answer while no byte of the next request has come; set
    /// when a read first waits.
    idle_deadline: Option<Instant>,
    /// Where the last answer's bytes start in the body buffer of [`Exchange::next_split`].
    body_from: usize,
}

impl Exchange {
    /// A new connection from `peer`.
    pub fn new(limits: Limits, peer: Option<IpAddr>) -> Exchange {
        Exchange {
            buf: vec![0u8; limits.max_head_bytes],
            filled: 0,
            head_deadline: Some(Instant::now() + limits.head_timeout),
            idle_deadline: None,
            body_from: 0,
            limits,
            peer,
        }
    }

    /// What to do next. A whole head is answered with `answer` into `out` (cleared first).
    pub fn next(
        &mut self,
        answer: impl FnOnce(&Request<'_>) -> Response,
        out: &mut Vec<u8>,
    ) -> Step {
        let mut body = Vec::new();
        let step = self.next_split(answer, out, &mut body);
        out.extend_from_slice(&body[self.body_from..]);
        Endpoint::recycle(body);
        step
    }

    /// As [`next`](Self::next), but without copying the body: the answer is `head` (cleared
    /// first) followed by `body` from [`body_from`](Self::body_from) on. A page comes with
    /// its head already in `body`, written into the room the page left before itself
    /// ([`Response::place_head`]), and `head` empty: one buffer, one plain write. Other
    /// answers have their head in `head`, for one vectored write of both or a copy. The
    /// body's old buffer, written by now, is handed to [`Endpoint::recycle`] for a later
    /// page.
    ///
    /// ```
    /// use mutornadomon_http::{Exchange, Limits, Response, Step};
    /// let mut exchange = Exchange::new(Limits::default(), None);
    /// let request = b"GET / HTTP/1.1\r\n\r\n";
    /// exchange.read_buffer()[..request.len()].copy_from_slice(request);
    /// exchange.filled(request.len());
    /// let (mut head, mut body) = (Vec::new(), Vec::new());
    /// let step = exchange.next_split(|_| Response::text(200, "hi"), &mut head, &mut body);
    /// assert_eq!(step, Step::Write { close: false, drain: false });
    /// assert!(head.ends_with(b"\r\n\r\n"));
    /// assert_eq!(&body[exchange.body_from()..], b"hi");
    /// ```
    pub fn next_split(
        &mut self,
        answer: impl FnOnce(&Request<'_>) -> Response,
        head: &mut Vec<u8>,
        body: &mut Vec<u8>,
    ) -> Step {
        if self.filled > 0 {
            let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
            let full = self.filled == self.buf.len();
            let bytes = &self.buf[..self.filled];
            match parse_head(bytes, full, &mut headers, self.peer, &self.limits) {
                Head::Complete {
                    request,
                    len,
                    has_body,
                    close,
                } => {
                    let response = answer(&request);
                    let head_only = request.method() == "HEAD";
                    let (new_body, from) = response.place_head(head, head_only, close);
                    Endpoint::recycle(std::mem::replace(body, new_body));
                    self.body_from = from;
                    self.buf.copy_within(len..self.filled, 0);
                    self.filled -= len;
                    // The next request's deadlines start when a read first waits for it.
                    (self.head_deadline, self.idle_deadline) = (None, None);
                    return Step::Write {
                        close: close || has_body,
                        drain: has_body,
                    };
                }
                Head::Refused(status) => return Step::Refuse(status),
                Head::Partial => {}
            }
        }
        Step::Read
    }

    /// Where the last answer's bytes start in the body buffer after
    /// [`next_split`](Self::next_split) returned [`Step::Write`].
    pub fn body_from(&self) -> usize {
        self.body_from
    }

    /// When a read that has to wait gives up: the head's deadline while one is under way
    /// (from the connection's start, or from the first wait after a request's first bytes),
    /// else the idle deadline (from the first wait after the last answer). Each is set once,
    /// so asking again, say after a read that ended early, does not move it; servers ask only
    /// when a read has to wait, which spares a clock reading per request when it need not.
    pub fn read_deadline(&mut self) -> Instant {
        let limits = &self.limits;
        if self.filled > 0 || self.head_deadline.is_some() {
            *self
                .head_deadline
                .get_or_insert_with(|| Instant::now() + limits.head_timeout)
        } else {
            *self
                .idle_deadline
                .get_or_insert_with(|| Instant::now() + limits.idle_timeout)
        }
    }

    /// Where the next read goes.
    pub fn read_buffer(&mut self) -> &mut [u8] {
        &mut self.buf[self.filled..]
    }

    /// `n` bytes were read into [`read_buffer`](Self::read_buffer).
    pub fn filled(&mut self, n: usize) {
        if n > 0 {
            self.idle_deadline = None;
        }
        self.filled = (self.filled + n).min(self.buf.len());
    }

    /// The read deadline passed: `Some(408)` if a head was under way, `None` if the connection
    /// was idle (close it quietly).
    pub fn timed_out(&self) -> Option<u16> {
        (self.filled > 0).then_some(408)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    const HEAD: Duration = Duration::from_secs(10);
    const IDLE: Duration = Duration::from_secs(100);

    fn feed(exchange: &mut Exchange, bytes: &[u8]) {
        exchange.read_buffer()[..bytes.len()].copy_from_slice(bytes);
        exchange.filled(bytes.len());
    }

    /// Which timeout a deadline ran from (they are far enough apart to tell).
    fn runs_from(deadline: Instant) -> Duration {
        let left = deadline.saturating_duration_since(Instant::now());
        if left > HEAD * 2 {
            IDLE
        } else {
            HEAD
        }
    }

    #[test]
    fn read_deadlines_are_the_head_while_one_is_under_way_else_idle_and_do_not_move() {
        let limits = Limits::default().head_timeout(HEAD).idle_timeout(IDLE);
        let mut exchange = Exchange::new(limits, None);
        let mut out = Vec::new();
        let answer = |_: &Request<'_>| Response::text(200, "hi");
        // A new connection has the head timeout to send its first head.
        assert_eq!(exchange.next(answer, &mut out), Step::Read);
        let first = exchange.read_deadline();
        assert_eq!(runs_from(first), HEAD);
        feed(&mut exchange, b"GET / HTTP/1.1\r\n");
        assert_eq!(exchange.next(answer, &mut out), Step::Read);
        assert_eq!(
            exchange.read_deadline(),
            first,
            "the same head, the same deadline"
        );
        feed(&mut exchange, b"\r\n");
        assert!(matches!(
            exchange.next(answer, &mut out),
            Step::Write { .. }
        ));

        // Between requests: the idle deadline, set once however often it is asked for.
        assert_eq!(exchange.next(answer, &mut out), Step::Read);
        let idle = exchange.read_deadline();
        assert_eq!(runs_from(idle), IDLE);
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(exchange.read_deadline(), idle);
        assert_eq!(exchange.timed_out(), None, "idle: closed quietly");

        // The next request's first bytes: the head timeout, from the first wait for the rest.
        feed(&mut exchange, b"GET /");
        assert_eq!(exchange.next(answer, &mut out), Step::Read);
        let head = exchange.read_deadline();
        assert_eq!(runs_from(head), HEAD);
        assert!(head > first);
        assert_eq!(exchange.timed_out(), Some(408), "a head under way: 408");
    }
}
