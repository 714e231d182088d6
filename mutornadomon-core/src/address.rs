//! Address rules: which peers count as loopback, private or link-local, the parsing of
//! `X-Forwarded-For` and RFC 7239 `Forwarded`, and the endpoint's default "local only" decision.
//!
//! The decision fails closed: a request is allowed only if its peer and every hop named in its
//! forwarding headers is loopback; any header that does not parse refuses it.
//!
//! ```
//! use mutornadomon_core::address::check_local_only;
//! let peer = "127.0.0.1".parse()?;
//! assert!(check_local_only(peer, [(&b"X-Forwarded-For"[..], &b"127.0.0.2"[..])]).is_ok());
//! assert!(check_local_only(peer, [(&b"X-Forwarded-For"[..], &b"127.0.0.1, 8.8.8.8"[..])]).is_err());
//! # Ok::<(), core::net::AddrParseError>(())
//! ```

use core::fmt;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Where an address points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddressClass {
    /// 127.0.0.0/8, ::1 (and IPv4-mapped forms such as `::ffff:127.0.0.1`).
    Loopback,
    /// 169.254.0.0/16, fe80::/10.
    LinkLocal,
    /// 10/8, 172.16/12, 192.168/16 (RFC 1918) and fc00::/7 (unique local).
    Private,
    /// Anything else, including unspecified addresses.
    Public,
}

impl AddressClass {
    /// Whether the address is not public: loopback, link-local or private. This is what
    /// mutornadomon's `private_requests` counts (its loopback requests count there too).
    pub const fn is_internal(self) -> bool {
        !matches!(self, AddressClass::Public)
    }
}

/// Classifies an address; IPv4-mapped IPv6 addresses are classified as their IPv4 address.
///
/// ```
/// use mutornadomon_core::address::{classify, AddressClass};
/// assert_eq!(classify("::ffff:127.0.0.1".parse()?), AddressClass::Loopback);
/// assert_eq!(classify("fc00::1".parse()?), AddressClass::Private);
/// assert_eq!(classify("8.8.8.8".parse()?), AddressClass::Public);
/// # Ok::<(), core::net::AddrParseError>(())
/// ```
pub fn classify(ip: IpAddr) -> AddressClass {
    match ip {
        IpAddr::V4(v4) => classify_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => classify_v4(v4),
            None if v6.is_loopback() => AddressClass::Loopback,
            None if v6.is_unicast_link_local() => AddressClass::LinkLocal,
            None if v6.is_unique_local() => AddressClass::Private,
            None => AddressClass::Public,
        },
    }
}

fn classify_v4(ip: Ipv4Addr) -> AddressClass {
    if ip.is_loopback() {
        AddressClass::Loopback
    } else if ip.is_link_local() {
        AddressClass::LinkLocal
    } else if ip.is_private() {
        AddressClass::Private
    } else {
        AddressClass::Public
    }
}

/// Why a forwarding header entry is not an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AddressError {
    /// The header is not valid UTF-8.
    NotUtf8,
    /// An empty list entry.
    Empty,
    /// Not an IP address (with optional port): `unknown`, an obfuscated `_name`, garbage.
    NotAnAddress,
    /// A `Forwarded` element without a `for=` parameter, or with two.
    MissingFor,
    /// A `Forwarded` element that is not `name=value` pairs, or has an unterminated quote.
    Malformed,
}

impl fmt::Display for AddressError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            AddressError::NotUtf8 => "forwarding header is not UTF-8",
            AddressError::Empty => "empty entry in forwarding header",
            AddressError::NotAnAddress => "forwarding header entry is not an IP address",
            AddressError::MissingFor => "Forwarded element needs exactly one for= parameter",
            AddressError::Malformed => "malformed Forwarded element",
        })
    }
}

impl core::error::Error for AddressError {}

/// Parses one node: `1.2.3.4`, `1.2.3.4:80`, `::1`, `[::1]`, `[::1]:80`.
pub fn parse_node(node: &str) -> Result<IpAddr, AddressError> {
    let node = node.trim_matches([' ', '\t']);
    if node.is_empty() {
        return Err(AddressError::Empty);
    }
    if let Some(rest) = node.strip_prefix('[') {
        let (ip, after) = rest.split_once(']').ok_or(AddressError::NotAnAddress)?;
        let ip: Ipv6Addr = ip.parse().map_err(|_| AddressError::NotAnAddress)?;
        return match after {
            "" => Ok(IpAddr::V6(ip)),
            _ => after
                .strip_prefix(':')
                .filter(|p| is_port(p))
                .map(|_| IpAddr::V6(ip))
                .ok_or(AddressError::NotAnAddress),
        };
    }
    if let Ok(ip) = node.parse::<IpAddr>() {
        return Ok(ip);
    }
    match node.split_once(':') {
        Some((host, port)) if is_port(port) => host
            .parse::<Ipv4Addr>()
            .map(IpAddr::V4)
            .map_err(|_| AddressError::NotAnAddress),
        _ => Err(AddressError::NotAnAddress),
    }
}

fn is_port(port: &str) -> bool {
    !port.is_empty()
        && port.len() <= 5
        && port.bytes().all(|b| b.is_ascii_digit())
        && port.parse::<u16>().is_ok()
}

/// The addresses of an `X-Forwarded-For` value, client first: comma-separated nodes, spaces
/// allowed, ports and bracketed IPv6 accepted.
///
/// ```
/// use mutornadomon_core::address::forwarded_for;
/// let hops: Vec<_> = forwarded_for(b"10.0.0.1:443, [::1]:80").collect();
/// assert_eq!(hops, [Ok("10.0.0.1".parse()?), Ok("::1".parse()?)]);
/// # Ok::<(), core::net::AddrParseError>(())
/// ```
pub fn forwarded_for(value: &[u8]) -> impl Iterator<Item = Result<IpAddr, AddressError>> + '_ {
    let text = core::str::from_utf8(value);
    let bad = text.is_err().then_some(Err(AddressError::NotUtf8));
    let nodes = text
        .ok()
        .into_iter()
        .flat_map(|t| t.split(','))
        .map(parse_node);
    bad.into_iter().chain(nodes)
}

/// The `for=` addresses of an RFC 7239 `Forwarded` value, one per element, client first.
///
/// ```
/// use mutornadomon_core::address::forwarded;
/// let hops: Vec<_> = forwarded(br#"for="[::1]:1234";proto=http, for=127.0.0.1"#).collect();
/// assert_eq!(hops, [Ok("::1".parse()?), Ok("127.0.0.1".parse()?)]);
/// # Ok::<(), core::net::AddrParseError>(())
/// ```
pub fn forwarded(value: &[u8]) -> impl Iterator<Item = Result<IpAddr, AddressError>> + '_ {
    let text = core::str::from_utf8(value);
    let bad = text.is_err().then_some(Err(AddressError::NotUtf8));
    let elements = text
        .ok()
        .into_iter()
        .flat_map(|t| split_unquoted(t, ','))
        .map(forwarded_element);
    bad.into_iter().chain(elements)
}

/// The `for` node of one `Forwarded` element.
fn forwarded_element(element: &str) -> Result<IpAddr, AddressError> {
    let mut found = None;
    for pair in split_unquoted(element, ';') {
        let (name, value) = pair.split_once('=').ok_or(AddressError::Malformed)?;
        if !name.trim_matches([' ', '\t']).eq_ignore_ascii_case("for") {
            continue;
        }
        if found.is_some() {
            return Err(AddressError::MissingFor);
        }
        let value = value.trim_matches([' ', '\t']);
        let node = match value.strip_prefix('"') {
            Some(quoted) => quoted
                .strip_suffix('"')
                .filter(|q| !q.contains(['"', '\\']))
                .ok_or(AddressError::Malformed)?,
            None => value,
        };
        found = Some(parse_node(node)?);
    }
    found.ok_or(AddressError::MissingFor)
}

/// Splits on `sep` outside double-quoted strings (honouring backslash escapes inside them).
fn split_unquoted(text: &str, sep: char) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    core::iter::from_fn(move || {
        let s = rest?;
        let (mut quoted, mut escaped) = (false, false);
        for (i, c) in s.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' if quoted => escaped = true,
                '"' => quoted = !quoted,
                c if c == sep && !quoted => {
                    rest = Some(&s[i + 1..]);
                    return Some(&s[..i]);
                }
                _ => {}
            }
        }
        rest = None;
        Some(s)
    })
}

/// Why [`check_local_only`] refused a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// The connection itself does not come from loopback.
    PeerNotLoopback(IpAddr),
    /// A forwarding header names a hop that is not loopback.
    HopNotLoopback(IpAddr),
    /// A forwarding header does not parse.
    BadHeader(AddressError),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::PeerNotLoopback(ip) => write!(f, "peer {ip} is not loopback"),
            Refusal::HopNotLoopback(ip) => write!(f, "forwarded hop {ip} is not loopback"),
            Refusal::BadHeader(e) => write!(f, "refused: {e}"),
        }
    }
}

impl core::error::Error for Refusal {}

/// The default endpoint filter: allows a request only if `peer` and every hop in every
/// `X-Forwarded-For` and `Forwarded` header among `headers` (name, value) is loopback.
/// Header names match case-insensitively; anything unparseable refuses.
///
/// ```
/// use mutornadomon_core::address::{check_local_only, Refusal};
/// let peer = "127.0.0.1".parse()?;
/// let forwarded = [(&b"forwarded"[..], &br#"for="[::1]:1234""#[..])];
/// assert_eq!(check_local_only(peer, forwarded), Ok(()));
/// let public = [(&b"X-Forwarded-For"[..], &b"8.8.8.8"[..])];
/// assert_eq!(check_local_only(peer, public), Err(Refusal::HopNotLoopback("8.8.8.8".parse()?)));
/// # Ok::<(), core::net::AddrParseError>(())
/// ```
pub fn check_local_only<'h>(
    peer: IpAddr,
    headers: impl IntoIterator<Item = (&'h [u8], &'h [u8])>,
) -> Result<(), Refusal> {
    if classify(peer) != AddressClass::Loopback {
        return Err(Refusal::PeerNotLoopback(peer));
    }
    for hop in forwarded_hops(headers) {
        let hop = hop.map_err(Refusal::BadHeader)?;
        if classify(hop) != AddressClass::Loopback {
            return Err(Refusal::HopNotLoopback(hop));
        }
    }
    Ok(())
}

/// Every hop named by the `X-Forwarded-For` and `Forwarded` headers among `headers` (name,
/// value; names match case-insensitively), in header order; other headers are skipped. What
/// an access rule checks besides the peer.
///
/// ```
/// use mutornadomon_core::address::forwarded_hops;
/// let headers = [
///     (&b"Host"[..], &b"example"[..]),
///     (&b"x-forwarded-for"[..], &b"10.0.0.1, 10.0.0.2"[..]),
///     (&b"Forwarded"[..], &br#"for="[::1]:80""#[..]),
/// ];
/// let hops: Vec<_> = forwarded_hops(headers).collect::<Result<_, _>>()?;
/// assert_eq!(hops, ["10.0.0.1".parse::<core::net::IpAddr>()?, "10.0.0.2".parse()?, "::1".parse()?]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn forwarded_hops<'h, I>(
    headers: I,
) -> impl Iterator<Item = Result<IpAddr, AddressError>> + use<'h, I>
where
    I: IntoIterator<Item = (&'h [u8], &'h [u8])>,
{
    headers.into_iter().flat_map(|(name, value)| {
        let xff = name.eq_ignore_ascii_case(b"x-forwarded-for");
        let fwd = name.eq_ignore_ascii_case(b"forwarded");
        let (a, b) = if xff {
            (Some(forwarded_for(value)), None)
        } else if fwd {
            (None, Some(forwarded(value)))
        } else {
            (None, None)
        };
        a.into_iter().flatten().chain(b.into_iter().flatten())
    })
}
