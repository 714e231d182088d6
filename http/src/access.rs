//! Who may read the metrics: the default loopback-only rule, a program's own filter, and the
//! `Host` allowlist (the defence against DNS rebinding for a server on loopback).

use crate::Request;
use mutornadomon_core::address::check_local_only;
use std::sync::Arc;

/// Decides whether a request may read the metrics (true = allowed).
pub type AccessFilter<'a> = Arc<dyn Fn(&Request<'_>) -> bool + Send + Sync + 'a>;

/// An endpoint's access rule: the filter (loopback only when `None`) and the Host allowlist.
#[derive(Clone, Default)]
pub(crate) struct Access<'a> {
    pub(crate) filter: Option<AccessFilter<'a>>,
    pub(crate) hosts: Option<Arc<[String]>>,
}

impl Access<'_> {
    /// Whether `request` passes the Host allowlist and the access filter.
    pub(crate) fn allows(&self, request: &Request<'_>) -> bool {
        if let Some(hosts) = &self.hosts {
            if !host_allowed(hosts, request.header("host")) {
                return false;
            }
        }
        match &self.filter {
            Some(filter) => filter(request),
            None => is_local_request(request),
        }
    }
}

/// The default rule: the peer and every forwarded hop are loopback.
///
/// ```
/// use mutornadomon_http::{is_local_request, Request};
/// let spoofed = [("X-Forwarded-For", &b"8.8.8.8"[..])];
/// assert!(!is_local_request(&Request::new("GET", "/", Some("127.0.0.1".parse()?), &spoofed)));
/// assert!(is_local_request(&Request::new("GET", "/", Some("::1".parse()?), &[])));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn is_local_request(request: &Request<'_>) -> bool {
    let Some(peer) = request.peer() else {
        return false;
    };
    let headers = request.headers().map(|(n, v)| (n.as_bytes(), v));
    check_local_only(peer, headers).is_ok()
}

/// Whether a request's `Host` header (its port ignored, case-insensitive) names one of
/// `allowed`. A missing or non-UTF-8 header is refused.
///
/// ```
/// use mutornadomon_http::host_allowed;
/// let allowed = ["localhost".to_string()];
/// assert!(host_allowed(&allowed, Some(b"LOCALHOST:8080")));
/// assert!(!host_allowed(&allowed, Some(b"evil.example")));
/// assert!(!host_allowed(&allowed, None));
/// ```
pub fn host_allowed(allowed: &[String], host: Option<&[u8]>) -> bool {
    let Some(host) = host.and_then(|h| std::str::from_utf8(h).ok()) else {
        return false;
    };
    let name = strip_port(host.trim());
    allowed.iter().any(|h| h.eq_ignore_ascii_case(name))
}

fn strip_port(host: &str) -> &str {
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest);
    }
    host.rsplit_once(':')
        .filter(|(_, port)| port.bytes().all(|b| b.is_ascii_digit()))
        .map_or(host, |(name, _)| name)
}
