//! How both servers refuse, turn away and linger: one policy, whatever drives the sockets.
//!
//! - Past [`Limits::max_connections`](crate::Limits::max_connections) a new connection is
//!   answered [`BUSY`] (503, `Retry-After: 1`) by a short-lived worker (a thread in the std
//!   server, a task in the smol one), at most [`MAX_TURNING_AWAY`] at once; past that it is
//!   closed unanswered.
//! - After an answer that closes the connection with the client's bytes unread (a refusal, a
//!   request body, the 503), the server reads and drops what the client sends for up to
//!   [`LINGER`] (and at most [`LINGER_BYTES`]) before closing, so that the close does not
//!   reset the connection before the client has read the answer. A client still pushing
//!   bytes after that (an endless header after its 431) is cut off.
//! - A failed `accept` (out of file descriptors, a connection reset before it was accepted)
//!   is retried after [`ACCEPT_RETRY`] rather than in a spin.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The answer to a connection over the cap.
pub const BUSY: &[u8] =
    b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n\
Content-Length: 21\r\nRetry-After: 1\r\nConnection: close\r\n\r\ntoo many connections\n";

/// Connections being answered [`BUSY`] at once, at most.
pub const MAX_TURNING_AWAY: usize = 16;

/// How long a closing connection's unread bytes are read and dropped, at most.
pub const LINGER: Duration = Duration::from_secs(1);

/// How many of a closing connection's unread bytes are read and dropped, at most: enough for
/// a request body or a pipelined request or two in flight, and a bound on what a client that
/// keeps streaming after its answer costs (the 1 s of [`LINGER`] is 300 MB on loopback).
pub const LINGER_BYTES: usize = 256 * 1024;

/// How long the accept loop waits after a failed `accept`.
pub const ACCEPT_RETRY: Duration = Duration::from_millis(50);

/// One connection being turned away; the slot is free again when it is dropped.
#[derive(Debug)]
pub struct TurningAway(Arc<AtomicUsize>);

impl TurningAway {
    /// A slot among the [`MAX_TURNING_AWAY`] counted by `count`, if one is free.
    ///
    /// ```
    /// use mutornadomon_http::policy::{TurningAway, MAX_TURNING_AWAY};
    /// let count = Default::default();
    /// let slots: Vec<_> = (0..MAX_TURNING_AWAY).map(|_| TurningAway::try_new(&count)).collect();
    /// assert!(slots.iter().all(Option::is_some));
    /// assert!(TurningAway::try_new(&count).is_none());
    /// drop(slots);
    /// assert!(TurningAway::try_new(&count).is_some());
    /// ```
    pub fn try_new(count: &Arc<AtomicUsize>) -> Option<TurningAway> {
        // Relaxed: a counter compared with a limit; no other memory depends on it.
        if count.fetch_add(1, Ordering::Relaxed) >= MAX_TURNING_AWAY {
            count.fetch_sub(1, Ordering::Relaxed);
            return None;
        }
        Some(TurningAway(Arc::clone(count)))
    }
}

impl Drop for TurningAway {
    fn drop(&mut self) {
        // Relaxed: see `try_new`.
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}
