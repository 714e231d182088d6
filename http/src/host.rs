//! The `Host` allowlist check: the defence against DNS rebinding for a server on loopback.

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
