//! Responses: a status, a content type and a body, written as HTTP/1.1.

use crate::date::http_date_now;
use std::borrow::Cow;

/// A response from the endpoint or from a fallback handler.
///
/// ```
/// let response = mutornadomon_http::Response::text(404, "not found\n");
/// assert_eq!(response.status(), 404);
/// ```
#[derive(Debug, Clone)]
pub struct Response {
    status: u16,
    content_type: Cow<'static, str>,
    /// The body from byte `front` on: a page is rendered after room for its head, so a
    /// server can send head and page from one buffer without copying the page
    /// ([`place_head`](Self::place_head)).
    buffer: Vec<u8>,
    front: usize,
    allow: Option<&'static str>,
}

impl PartialEq for Response {
    fn eq(&self, other: &Response) -> bool {
        (self.status, &self.content_type, self.body(), self.allow)
            == (other.status, &other.content_type, other.body(), other.allow)
    }
}

impl Eq for Response {}

impl Response {
    /// A response with this status, content type and body. CR and LF in the content type
    /// become spaces, so it cannot add header lines.
    pub fn new(
        status: u16,
        content_type: impl Into<Cow<'static, str>>,
        body: impl Into<Vec<u8>>,
    ) -> Response {
        Response {
            status,
            content_type: header_safe(content_type.into()),
            buffer: body.into(),
            front: 0,
            allow: None,
        }
    }

    /// A response whose body is `buffer` from byte `front` on (the bytes before it are room
    /// for the head), with one of the monitor's own content types (no CR or LF to replace).
    pub(crate) fn with_front(
        status: u16,
        content_type: &'static str,
        buffer: Vec<u8>,
        front: usize,
    ) -> Response {
        debug_assert!(!content_type.contains(['\r', '\n']));
        Response {
            status,
            content_type: Cow::Borrowed(content_type),
            front: front.min(buffer.len()),
            buffer,
            allow: None,
        }
    }

    /// A `text/plain` response.
    pub fn text(status: u16, body: &str) -> Response {
        Response::new(status, "text/plain; charset=utf-8", body)
    }

    /// The answer to a request head refused by [`parse_head`](crate::parse_head) (400, 414,
    /// 431) or not received in time (408).
    ///
    /// ```
    /// let response = mutornadomon_http::Response::refusal(431);
    /// assert_eq!(response.body(), b"request head too large\n");
    /// ```
    pub fn refusal(status: u16) -> Response {
        let message = match status {
            408 => "request head not received in time\n",
            414 => "request target too long\n",
            431 => "request head too large\n",
            _ => "bad request\n",
        };
        Response::text(status, message)
    }

    /// Adds an `Allow` header (for 405).
    pub fn with_allow(mut self, methods: &'static str) -> Response {
        self.allow = Some(methods);
        self
    }

    /// The status code.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The body.
    pub fn body(&self) -> &[u8] {
        &self.buffer[self.front..]
    }

    /// The body, taken out of the response.
    pub fn into_body(mut self) -> Vec<u8> {
        self.buffer.drain(..self.front);
        self.buffer
    }

    /// The answer's bytes in one buffer where the body left room for the head: writes the
    /// head (as [`write_head_to`](Self::write_head_to)) into `head`, then, if it fits in the
    /// room before the body, moves it there and clears `head`. Returns the buffer and where
    /// the bytes to send start in it: send `head`, then the buffer from there (the body
    /// alone, when the head did not fit; nothing when `head_only`, the answer to a `HEAD`
    /// request, whose head stays in `head`). Pages from [`Endpoint`](crate::Endpoint)
    /// leave room; other bodies do not, and their head stays in `head`. The buffer comes back
    /// either way, to be handed to [`Endpoint::recycle`](crate::Endpoint::recycle) once
    /// written.
    ///
    /// ```
    /// let (mut head, response) = (Vec::new(), mutornadomon_http::Response::text(200, "hi"));
    /// let (buffer, from) = response.place_head(&mut head, false, false);
    /// assert!(head.starts_with(b"HTTP/1.1 200 OK\r\n"));
    /// assert_eq!(&buffer[from..], b"hi");
    /// ```
    pub fn place_head(self, head: &mut Vec<u8>, head_only: bool, close: bool) -> (Vec<u8>, usize) {
        head.clear();
        self.write_head_to(head, close);
        let Response {
            mut buffer, front, ..
        } = self;
        if head_only {
            let end = buffer.len();
            return (buffer, end);
        }
        match front.checked_sub(head.len()) {
            Some(from) => {
                buffer[from..front].copy_from_slice(head);
                head.clear();
                (buffer, from)
            }
            None => (buffer, front),
        }
    }

    /// The content type.
    pub fn content_type(&self) -> &str {
        &self.content_type
    }

    /// The `Allow` header's value, if set.
    pub fn allow(&self) -> Option<&'static str> {
        self.allow
    }

    /// Appends the response as HTTP/1.1 to `out`: the head (`Date`, `Content-Type`,
    /// `Content-Length`, `Allow` if set, `Connection: close` if `close`), then the body unless
    /// `head_only` (the answer to a `HEAD` request).
    ///
    /// ```
    /// let mut out = Vec::new();
    /// mutornadomon_http::Response::text(200, "hi").write_to(&mut out, false, true);
    /// assert!(out.starts_with(b"HTTP/1.1 200 OK\r\n"));
    /// assert!(out.ends_with(b"Connection: close\r\n\r\nhi"));
    /// ```
    pub fn write_to(&self, out: &mut Vec<u8>, head_only: bool, close: bool) {
        let body = if head_only { &[][..] } else { self.body() };
        out.reserve(128 + self.content_type.len() + body.len());
        self.write_head_to(out, close);
        out.extend_from_slice(body);
    }

    /// Appends the response's head alone to `out` (what [`write_to`](Self::write_to) writes
    /// before the body), for a server that sends the body from [`body`](Self::body) without
    /// copying it (one vectored write of both).
    ///
    /// ```
    /// let mut head = Vec::new();
    /// let response = mutornadomon_http::Response::text(200, "hi");
    /// response.write_head_to(&mut head, false);
    /// assert!(head.ends_with(b"Content-Length: 2\r\n\r\n"));
    /// ```
    pub fn write_head_to(&self, out: &mut Vec<u8>, close: bool) {
        let status = if (100..=999).contains(&self.status) {
            self.status
        } else {
            500
        };
        // Pieces, not `write!`: the head costs a few copies instead of a formatting pass.
        out.extend_from_slice(b"HTTP/1.1 ");
        out.extend_from_slice(itoa::Buffer::new().format(status).as_bytes());
        out.push(b' ');
        out.extend_from_slice(reason(status).as_bytes());
        out.extend_from_slice(b"\r\nDate: ");
        out.extend_from_slice(&http_date_now());
        out.extend_from_slice(b"\r\nContent-Type: ");
        out.extend_from_slice(self.content_type.as_bytes());
        out.extend_from_slice(b"\r\nContent-Length: ");
        out.extend_from_slice(itoa::Buffer::new().format(self.body().len()).as_bytes());
        out.extend_from_slice(b"\r\n");
        if let Some(allow) = self.allow {
            out.extend_from_slice(b"Allow: ");
            out.extend_from_slice(allow.as_bytes());
            out.extend_from_slice(b"\r\n");
        }
        if close {
            out.extend_from_slice(b"Connection: close\r\n");
        }
        out.extend_from_slice(b"\r\n");
    }
}

/// An answer placed by [`Response::place_head`] as one slice to write: `rest` (the buffer
/// from where its bytes start) alone when the head went in front of it, else copied behind
/// `head`.
#[cfg(any(feature = "server", feature = "tiny-http"))]
pub(crate) fn one_slice<'a>(head: &'a mut Vec<u8>, rest: &'a [u8]) -> &'a [u8] {
    if head.is_empty() {
        rest
    } else {
        head.extend_from_slice(rest);
        head
    }
}

/// `text` with CR and LF replaced by spaces (allocating only when there are some).
fn header_safe(text: Cow<'static, str>) -> Cow<'static, str> {
    if text.bytes().any(|b| b == b'\r' || b == b'\n') {
        Cow::Owned(text.replace(['\r', '\n'], " "))
    } else {
        text
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        304 => "Not Modified",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Content Too Large",
        414 => "URI Too Long",
        429 => "Too Many Requests",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

#[cfg(test)]
mod tests {
    use super::Response;

    #[test]
    fn responses_serialise_with_length_and_no_body_for_head() {
        let mut out = Vec::new();
        Response::text(405, "no\n")
            .with_allow("GET, HEAD")
            .write_to(&mut out, false, true);
        assert_eq!(
            without_date(out),
            "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: text/plain; charset=utf-8\r\n\
             Content-Length: 3\r\nAllow: GET, HEAD\r\nConnection: close\r\n\r\nno\n"
        );
        let mut out = Vec::new();
        Response::new(200, "a\r\nInjected: yes", "body").write_to(&mut out, true, false);
        assert_eq!(
            without_date(out),
            "HTTP/1.1 200 OK\r\nContent-Type: a  Injected: yes\r\nContent-Length: 4\r\n\r\n"
        );
    }

    #[test]
    fn a_head_goes_into_the_room_before_the_body_when_it_fits() {
        let page = |room: usize| {
            let mut buffer = vec![b'#'; room];
            buffer.extend_from_slice(b"{}");
            Response::with_front(200, "application/json", buffer, room)
        };
        let mut expected = Vec::new();
        page(0).write_to(&mut expected, false, true);
        let head_len = expected.len() - 2;
        let expected = without_date(expected);
        for room in [head_len, head_len + 40, 256] {
            let mut head = b"stale".to_vec();
            let (buffer, from) = page(room).place_head(&mut head, false, true);
            assert!(head.is_empty(), "room {room}");
            assert_eq!(
                without_date(buffer[from..].to_vec()),
                expected,
                "room {room}"
            );
        }
        // Too little room: the head stays apart, the body is where it was.
        let mut head = Vec::new();
        let (buffer, from) = page(10).place_head(&mut head, false, true);
        assert_eq!((&buffer[from..], from), (&b"{}"[..], 10));
        head.extend_from_slice(b"{}");
        assert_eq!(without_date(head), expected);
        // The body alone is what the response shows and gives up.
        assert_eq!(page(7).body(), b"{}");
        assert_eq!(page(7).into_body(), b"{}");
        assert_eq!(page(7), Response::new(200, "application/json", "{}"));
    }

    /// The response with its `Date` line taken out, after checking that the line follows the
    /// status line and holds a date within a few seconds of now.
    fn without_date(out: Vec<u8>) -> String {
        let text = String::from_utf8(out).unwrap();
        let start = text.find("\r\n").unwrap() + 2;
        let line_end = start + text[start..].find("\r\n").unwrap() + 2;
        let value = text[start..line_end - 2].strip_prefix("Date: ").unwrap();
        let date = httpdate::parse_http_date(value).unwrap();
        let now = std::time::SystemTime::now();
        assert!(now.duration_since(date).unwrap_or_default().as_secs() < 5);
        format!("{}{}", &text[..start], &text[line_end..])
    }
}
