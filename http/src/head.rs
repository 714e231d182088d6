//! Reading a request head out of a connection's buffer, with httparse, inside fixed limits.

use crate::request::Request;
use std::net::IpAddr;
use std::time::Duration;

/// The most headers a request may have (431 past it).
pub const MAX_HEADERS: usize = 64;

/// Bounds on what a client may make the endpoint hold or wait for.
///
/// ```
/// use std::time::Duration;
/// let limits = mutornadomon_http::Limits::default().head_timeout(Duration::from_secs(2));
/// assert_eq!(limits.max_head_bytes, 8 * 1024);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest request head, bytes (431 past it; 414 if the request line alone is longer).
    pub max_head_bytes: usize,
    /// Longest request target, bytes (414 past it).
    pub max_target_bytes: usize,
    /// Time a client has to send a whole request head once it started one (or once it
    /// connected): a slower client (slowloris) gets 408 and is dropped.
    pub head_timeout: Duration,
    /// Time an idle keep-alive connection is kept.
    pub idle_timeout: Duration,
    /// Time a response may take to be written (a client that does not read is dropped).
    pub write_timeout: Duration,
    /// Connections served at once; those over it get 503 and are closed.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_head_bytes: 8 * 1024,
            max_target_bytes: 2 * 1024,
            head_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            write_timeout: Duration::from_secs(10),
            max_connections: 1024,
        }
    }
}

impl Limits {
    /// Sets [`max_head_bytes`](Self::max_head_bytes) (at least 256).
    pub fn max_head_bytes(mut self, bytes: usize) -> Self {
        self.max_head_bytes = bytes.max(256);
        self
    }

    /// Sets [`max_target_bytes`](Self::max_target_bytes).
    pub fn max_target_bytes(mut self, bytes: usize) -> Self {
        self.max_target_bytes = bytes.max(1);
        self
    }

    /// Sets [`head_timeout`](Self::head_timeout).
    pub fn head_timeout(mut self, timeout: Duration) -> Self {
        self.head_timeout = timeout;
        self
    }

    /// Sets [`idle_timeout`](Self::idle_timeout).
    pub fn idle_timeout(mut self, timeout: Duration) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// Sets [`write_timeout`](Self::write_timeout).
    pub fn write_timeout(mut self, timeout: Duration) -> Self {
        self.write_timeout = timeout;
        self
    }

    /// Sets [`max_connections`](Self::max_connections) (at least 1).
    pub fn max_connections(mut self, connections: usize) -> Self {
        self.max_connections = connections.max(1);
        self
    }
}

/// What the bytes so far hold.
#[derive(Debug)]
pub enum Head<'b> {
    /// A whole head, `len` bytes long; whatever follows belongs to the next request.
    Complete {
        /// The request.
        request: Request<'b>,
        /// Bytes the head took.
        len: usize,
        /// Whether the request has a body (the server answers it, then closes: bodies are not
        /// read).
        has_body: bool,
        /// Whether the client asked to close (or speaks HTTP/1.0 without keep-alive).
        close: bool,
    },
    /// More bytes are needed.
    Partial,
    /// The head is refused with this status (400, 414 or 431); the connection closes.
    Refused(u16),
}

/// Parses the request head at the start of `buf` (`buf_full`: no more bytes can be added).
///
/// ```
/// use mutornadomon_http::{parse_head, Head, Limits, MAX_HEADERS};
/// let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
/// let bytes = b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\nGET /next";
/// match parse_head(bytes, false, &mut headers, None, &Limits::default()) {
///     Head::Complete { request, len, .. } => {
///         assert_eq!(request.path(), "/metrics");
///         assert_eq!(&bytes[len..], b"GET /next");
///     }
///     other => panic!("{other:?}"),
/// }
/// ```
pub fn parse_head<'b>(
    buf: &'b [u8],
    buf_full: bool,
    headers: &'b mut [httparse::Header<'b>; MAX_HEADERS],
    peer: Option<IpAddr>,
    limits: &Limits,
) -> Head<'b> {
    let mut parsed = httparse::Request::new(headers);
    let len = match parsed.parse(buf) {
        Ok(httparse::Status::Complete(len)) => len,
        Ok(httparse::Status::Partial) if buf_full || buf.len() >= limits.max_head_bytes => {
            let line_done = buf.contains(&b'\n');
            return Head::Refused(if line_done { 431 } else { 414 });
        }
        Ok(httparse::Status::Partial) => return Head::Partial,
        Err(httparse::Error::TooManyHeaders) => return Head::Refused(431),
        Err(_) => return Head::Refused(400),
    };
    if len > limits.max_head_bytes {
        return Head::Refused(431);
    }
    let (Some(method), Some(target), Some(version)) = (parsed.method, parsed.path, parsed.version)
    else {
        return Head::Refused(400);
    };
    if target.len() > limits.max_target_bytes {
        return Head::Refused(414);
    }
    let headers: &'b [httparse::Header<'b>] = parsed.headers;
    let mut has_body = false;
    let mut close = version == 0;
    for header in headers {
        if header.name.eq_ignore_ascii_case("content-length") {
            let value = std::str::from_utf8(header.value).ok().map(str::trim);
            match value.map(str::parse::<u64>) {
                Some(Ok(0)) => {}
                Some(Ok(_)) => has_body = true,
                _ => return Head::Refused(400),
            }
        } else if header.name.eq_ignore_ascii_case("transfer-encoding") {
            has_body = true;
        } else if header.name.eq_ignore_ascii_case("connection") {
            for token in header.value.split(|&b| b == b',') {
                let token = token.trim_ascii();
                if token.eq_ignore_ascii_case(b"close") {
                    close = true;
                } else if token.eq_ignore_ascii_case(b"keep-alive") && version == 0 {
                    close = false;
                }
            }
        }
    }
    let request = Request::parsed(method, target, peer, headers, version == 0);
    if !request.target().starts_with('/') && request.target() != "*" {
        return Head::Refused(400);
    }
    Head::Complete {
        request,
        len,
        has_body,
        close: close || has_body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(bytes: &[u8], limits: Limits) -> String {
        let mut headers = [httparse::EMPTY_HEADER; MAX_HEADERS];
        match parse_head(bytes, false, &mut headers, None, &limits) {
            Head::Complete {
                request,
                len,
                has_body,
                close,
            } => format!(
                "{} {} len={len} body={has_body} close={close}",
                request.method(),
                request.target()
            ),
            Head::Partial => "partial".into(),
            Head::Refused(status) => format!("refused {status}"),
        }
    }

    #[test]
    fn heads_parse_or_get_the_right_refusal() {
        let l = Limits::default();
        let cases: &[(&[u8], &str)] = &[
            (
                b"GET / HTTP/1.1\r\n\r\n",
                "GET / len=18 body=false close=false",
            ),
            (
                b"GET / HTTP/1.0\r\n\r\n",
                "GET / len=18 body=false close=true",
            ),
            (
                b"GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n",
                "GET / len=42 body=false close=false",
            ),
            (
                b"GET / HTTP/1.1\r\nConnection: foo, close\r\n\r\n",
                "GET / len=42 body=false close=true",
            ),
            (
                b"POST /metrics HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello",
                "POST /metrics len=45 body=true close=true",
            ),
            (
                b"GET http://h:1/metrics HTTP/1.1\r\n\r\n",
                "GET /metrics len=35 body=false close=false",
            ),
            (
                b"OPTIONS * HTTP/1.1\r\n\r\n",
                "OPTIONS * len=22 body=false close=false",
            ),
            (b"GET / HTTP/1.1\r\nHost: x", "partial"),
            (b"", "partial"),
            (b"\x00\x01garbage\r\n\r\n", "refused 400"),
            (b"GET / HTTP/2.0\r\n\r\n", "refused 400"),
            (b"GET foo HTTP/1.1\r\n\r\n", "refused 400"),
            (
                b"GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n",
                "refused 400",
            ),
            (b"GET / HTTP/1.1\r\nBad Header: x\r\n\r\n", "refused 400"),
        ];
        for (bytes, want) in cases {
            assert_eq!(parse(bytes, l), *want, "{}", String::from_utf8_lossy(bytes));
        }
    }

    #[test]
    fn limits_give_414_and_431() {
        let l = Limits::default();
        let long_target = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(3000));
        assert_eq!(parse(long_target.as_bytes(), l), "refused 414");
        let endless_line = format!("GET /{}", "a".repeat(9000));
        assert_eq!(parse(endless_line.as_bytes(), l), "refused 414");
        let big_header = format!("GET / HTTP/1.1\r\nX: {}\r\n", "a".repeat(9000));
        assert_eq!(parse(big_header.as_bytes(), l), "refused 431");
        let many: String = (0..100).map(|i| format!("X-{i}: y\r\n")).collect();
        let many = format!("GET / HTTP/1.1\r\n{many}\r\n");
        assert_eq!(parse(many.as_bytes(), l), "refused 431");
    }
}
