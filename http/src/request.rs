//! A parsed request head: the endpoint's view of a request, whatever server parsed it.

use std::net::IpAddr;

/// The headers of a [`Request`]: as httparse left them, or name/value pairs from a server of
/// the program's own.
#[derive(Debug, Clone, Copy)]
enum Headers<'b> {
    Parsed(&'b [httparse::Header<'b>]),
    Pairs(&'b [(&'b str, &'b [u8])]),
}

/// A request head: method, target, headers and the connection's peer address.
///
/// The endpoint's server builds these from the bytes it reads; a program with an HTTP server of
/// its own builds one with [`Request::new`] and asks [`Endpoint::respond`](crate::Endpoint::respond).
///
/// ```
/// use mutornadomon_http::Request;
/// let headers = [("Host", &b"localhost"[..]), ("Accept", &b"text/plain"[..])];
/// let request = Request::new("GET", "/metrics?x=1", Some("127.0.0.1".parse()?), &headers);
/// assert_eq!(request.path(), "/metrics");
/// assert_eq!(request.query(), "x=1");
/// assert_eq!(request.header("accept"), Some(&b"text/plain"[..]));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Request<'b> {
    method: &'b str,
    target: &'b str,
    peer: Option<IpAddr>,
    headers: Headers<'b>,
    http10: bool,
}

impl<'b> Request<'b> {
    /// A request from its parts. `target` is the request target as sent (origin form, or
    /// absolute form whose scheme and authority are ignored).
    pub fn new(
        method: &'b str,
        target: &'b str,
        peer: Option<IpAddr>,
        headers: &'b [(&'b str, &'b [u8])],
    ) -> Request<'b> {
        Request {
            method,
            target: origin_form(target),
            peer,
            headers: Headers::Pairs(headers),
            http10: false,
        }
    }

    pub(crate) fn parsed(
        method: &'b str,
        target: &'b str,
        peer: Option<IpAddr>,
        headers: &'b [httparse::Header<'b>],
        http10: bool,
    ) -> Request<'b> {
        Request {
            method,
            target: origin_form(target),
            peer,
            headers: Headers::Parsed(headers),
            http10,
        }
    }

    /// The method, as sent (`GET`, `HEAD`, ...).
    pub fn method(&self) -> &'b str {
        self.method
    }

    /// The target in origin form (`/path?query`).
    pub fn target(&self) -> &'b str {
        self.target
    }

    /// The target's path.
    pub fn path(&self) -> &'b str {
        self.target.split_once('?').map_or(self.target, |(p, _)| p)
    }

    /// The target's query (empty if none).
    pub fn query(&self) -> &'b str {
        self.target.split_once('?').map_or("", |(_, q)| q)
    }

    /// The connection's peer address, if known.
    pub fn peer(&self) -> Option<IpAddr> {
        self.peer
    }

    /// Whether the request said `HTTP/1.0`.
    pub fn is_http10(&self) -> bool {
        self.http10
    }

    /// Every header as (name, value bytes), in the order sent.
    pub fn headers(&self) -> impl Iterator<Item = (&'b str, &'b [u8])> + 'b {
        let (parsed, pairs): (&[httparse::Header<'b>], &[(&str, &[u8])]) = match self.headers {
            Headers::Parsed(h) => (h, &[]),
            Headers::Pairs(p) => (&[], p),
        };
        parsed
            .iter()
            .map(|h| (h.name, h.value))
            .chain(pairs.iter().copied())
    }

    /// The first header called `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&'b [u8]> {
        self.headers()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v)
    }
}

/// `http://host:port/path?q` -> `/path?q`; `http://host` -> `/`; anything else as it is.
fn origin_form(target: &str) -> &str {
    let rest = if let Some(rest) = target.strip_prefix("http://") {
        rest
    } else if let Some(rest) = target.strip_prefix("https://") {
        rest
    } else {
        return target;
    };
    match rest.find(['/', '?']) {
        Some(i) if rest.as_bytes()[i] == b'/' => &rest[i..],
        _ => "/",
    }
}

#[cfg(test)]
mod tests {
    use super::origin_form;

    #[test]
    fn absolute_form_targets_become_origin_form() {
        assert_eq!(origin_form("http://localhost:8080/metrics"), "/metrics");
        assert_eq!(
            origin_form("https://x/mutornadomon?a=b"),
            "/mutornadomon?a=b"
        );
        assert_eq!(origin_form("http://localhost"), "/");
        assert_eq!(origin_form("http://localhost?x"), "/");
        assert_eq!(origin_form("/metrics"), "/metrics");
        assert_eq!(origin_form("*"), "*");
    }
}
