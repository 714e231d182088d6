//! Who may read the metrics: the default loopback-only rule, a program's own filter, and the
//! `Host` allowlist (the defence against DNS rebinding for a server on loopback).

use crate::Request;
use ipnet::IpNet;
use mutornadomon_core::address::{check_local_only, classify, forwarded_hops, AddressClass};
use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

/// Decides whether a request may read the metrics (true = allowed).
pub type AccessFilter<'a> = Arc<dyn Fn(&Request<'_>) -> bool + Send + Sync + 'a>;

/// An endpoint's access rule: the filter (loopback only when `None`) and the Host allowlist.
#[derive(Clone, Default)]
pub(crate) struct Access<'a> {
    pub(crate) filter: Option<AccessFilter<'a>>,
    pub(crate) hosts: Option<Arc<[String]>>,
    /// Networks allowed besides loopback (empty: loopback only).
    pub(crate) networks: Arc<[IpNet]>,
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
            None if self.networks.is_empty() => is_local_request(request),
            None => request_within(request, &self.networks),
        }
    }
}

/// A network allowlist entry that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetworkError {
    entry: String,
}

impl fmt::Display for NetworkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:?} is not a network (like 10.0.0.0/8 or fd00::/8) or an address",
            self.entry
        )
    }
}

impl std::error::Error for NetworkError {}

impl From<NetworkError> for std::io::Error {
    fn from(e: NetworkError) -> Self {
        std::io::Error::new(std::io::ErrorKind::InvalidInput, e)
    }
}

/// Parses allowlist entries: networks in CIDR notation (`10.0.0.0/8`, `fd00::/8`) or single
/// addresses (`192.0.2.7`, as a /32 or /128).
pub(crate) fn parse_networks<S: AsRef<str>>(
    entries: impl IntoIterator<Item = S>,
) -> Result<Arc<[IpNet]>, NetworkError> {
    entries
        .into_iter()
        .map(|entry| {
            let text = entry.as_ref().trim();
            text.parse::<IpNet>()
                .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
                .map(|net| net.trunc())
                .map_err(|_| NetworkError {
                    entry: text.to_owned(),
                })
        })
        .collect()
}

/// Whether `ip` is loopback or inside one of `networks`; an IPv4-mapped IPv6 address is
/// matched as the IPv4 address it carries.
fn within(ip: IpAddr, networks: &[IpNet]) -> bool {
    let ip = ip.to_canonical();
    classify(ip) == AddressClass::Loopback || networks.iter().any(|net| net.contains(&ip))
}

/// The allowlist rule: the peer and every `X-Forwarded-For` and `Forwarded` hop are loopback
/// or inside one of `networks`; a header that does not parse refuses (fail closed).
fn request_within(request: &Request<'_>, networks: &[IpNet]) -> bool {
    let Some(peer) = request.peer() else {
        return false;
    };
    if !within(peer, networks) {
        return false;
    }
    let headers = request.headers().map(|(n, v)| (n.as_bytes(), v));
    forwarded_hops(headers).all(|hop| hop.is_ok_and(|hop| within(hop, networks)))
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

/// The access rule on its own, for a server that serves something other than one monitor's
/// pages (`mmstats serve`): loopback only by default, opened to networks with
/// [`allow_networks`](Self::allow_networks), and, with [`allow_hosts`](Self::allow_hosts), a
/// `Host` allowlist (the defence against DNS rebinding). An [`Endpoint`](crate::Endpoint) holds
/// the same rule.
///
/// ```
/// use mutornadomon_http::{AccessRule, Request};
/// let rule = AccessRule::loopback_only()
///     .allow_networks(["10.0.0.0/8"])?
///     .allow_hosts(["localhost"]);
/// let host = [("Host", &b"localhost:8099"[..])];
/// assert!(rule.allows(&Request::new("GET", "/", Some("10.0.0.9".parse()?), &host)));
/// let rebinding = [("Host", &b"evil.example"[..])];
/// assert!(!rule.allows(&Request::new("GET", "/", Some("127.0.0.1".parse()?), &rebinding)));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Default)]
pub struct AccessRule(Access<'static>);

impl AccessRule {
    /// Loopback only: the peer and every forwarded hop; no Host allowlist.
    pub fn loopback_only() -> AccessRule {
        AccessRule::default()
    }

    /// Also allows these networks (CIDR or single addresses); see
    /// [`Endpoint::allow_networks`](crate::Endpoint::allow_networks).
    pub fn allow_networks<S: AsRef<str>>(
        mut self,
        networks: impl IntoIterator<Item = S>,
    ) -> Result<AccessRule, NetworkError> {
        self.0.networks = parse_networks(networks)?;
        Ok(self)
    }

    /// Answers only requests whose `Host` header (port ignored) is one of `hosts`.
    pub fn allow_hosts<S: Into<String>>(mut self, hosts: impl IntoIterator<Item = S>) -> Self {
        self.0.hosts = Some(hosts.into_iter().map(Into::into).collect());
        self
    }

    /// Whether `request` may be answered.
    pub fn allows(&self, request: &Request<'_>) -> bool {
        self.0.allows(request)
    }
}

impl fmt::Debug for AccessRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AccessRule")
            .field("hosts", &self.0.hosts)
            .field("networks", &self.0.networks)
            .finish()
    }
}
