//! One connection's bytes between reads, and what to do next: the sans-IO core that the std
//! (blocking) and smol (async) servers both drive, each with its own sockets and timers.

use super::head::{parse_head, Head, Limits, MAX_HEADERS};
use super::{Request, Response};
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
    /// Read more into [`Exchange::read_buffer`] (then call [`Exchange::filled`]), waiting no
    /// later than `deadline`; past it, ask [`Exchange::timed_out`].
    Read {
        /// When waiting for bytes ends.
        deadline: Instant,
    },
    /// Answer the head with [`Response::refusal`] of this status and close.
    Refuse(u16),
}

/// The bytes of one connection and its deadlines. Requests are answered one after another,
/// pipelined ones straight from the buffer.
///
/// ```
/// use mutornadomon_std::{Exchange, Limits, Response, Step};
/// let mut exchange = Exchange::new(Limits::default(), None);
/// let mut out = Vec::new();
/// assert!(matches!(exchange.next(|_| Response::text(200, "hi"), &mut out), Step::Read { .. }));
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
    /// Runs from the connection's start, then from each request's first byte; `None` while
    /// idle between requests.
    head_deadline: Option<Instant>,
}

impl Exchange {
    /// A new connection from `peer`.
    pub fn new(limits: Limits, peer: Option<IpAddr>) -> Exchange {
        Exchange {
            buf: vec![0u8; limits.max_head_bytes],
            filled: 0,
            head_deadline: Some(Instant::now() + limits.head_timeout),
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
        out.extend_from_slice(&body);
        step
    }

    /// As [`next`](Self::next), but the answer's head goes into `head` (cleared first) and its
    /// body is moved into `body` (empty for `HEAD`), not copied after the head: a server
    /// writes both with one vectored write. The body's old buffer is dropped.
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
                    head.clear();
                    response.write_head_to(head, close);
                    *body = if request.method() == "HEAD" {
                        Vec::new()
                    } else {
                        response.into_body()
                    };
                    self.buf.copy_within(len..self.filled, 0);
                    self.filled -= len;
                    self.head_deadline =
                        (self.filled > 0).then(|| Instant::now() + self.limits.head_timeout);
                    return Step::Write {
                        close: close || has_body,
                        drain: has_body,
                    };
                }
                Head::Refused(status) => return Step::Refuse(status),
                Head::Partial => {}
            }
        }
        let deadline = self
            .head_deadline
            .unwrap_or_else(|| Instant::now() + self.limits.idle_timeout);
        Step::Read { deadline }
    }

    /// Where the next read goes.
    pub fn read_buffer(&mut self) -> &mut [u8] {
        &mut self.buf[self.filled..]
    }

    /// `n` bytes were read into [`read_buffer`](Self::read_buffer).
    pub fn filled(&mut self, n: usize) {
        if self.filled == 0 && self.head_deadline.is_none() && n > 0 {
            self.head_deadline = Some(Instant::now() + self.limits.head_timeout);
        }
        self.filled = (self.filled + n).min(self.buf.len());
    }

    /// The read deadline passed: `Some(408)` if a head was under way, `None` if the connection
    /// was idle (close it quietly).
    pub fn timed_out(&self) -> Option<u16> {
        (self.filled > 0).then_some(408)
    }
}
