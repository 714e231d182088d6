//! Which exposition format a scraper asks for: Prometheus text 0.0.4 or OpenMetrics 1.0, by
//! its `Accept` header.

/// Which text exposition format to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TextFormat {
    /// Prometheus text format 0.0.4.
    #[default]
    Prometheus,
    /// OpenMetrics 1.0 text (`# UNIT` lines, `info` type, ends with `# EOF`).
    OpenMetrics,
}

impl TextFormat {
    /// The `Content-Type` to serve this format with.
    pub const fn content_type(self) -> &'static str {
        match self {
            TextFormat::Prometheus => "text/plain; version=0.0.4; charset=utf-8",
            TextFormat::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
        }
    }

    /// Picks the format an HTTP `Accept` header asks for: OpenMetrics when it names
    /// `application/openmetrics-text` (with a non-zero q), else Prometheus text.
    ///
    /// ```
    /// use mutornadomon_core::TextFormat;
    /// let prometheus = b"application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5";
    /// assert_eq!(TextFormat::from_accept(prometheus), TextFormat::OpenMetrics);
    /// assert_eq!(TextFormat::from_accept(b"*/*"), TextFormat::Prometheus);
    /// ```
    pub fn from_accept(accept: &[u8]) -> TextFormat {
        let wants_openmetrics = accept.split(|&b| b == b',').any(|range| {
            let mut params = range.split(|&b| b == b';').map(trim);
            let media = params.next().unwrap_or(b"");
            media.eq_ignore_ascii_case(b"application/openmetrics-text")
                && !params.any(|p| {
                    let p: &[u8] = p;
                    p.len() >= 2
                        && p[..2].eq_ignore_ascii_case(b"q=")
                        && trim(&p[2..]).iter().all(|&b| b == b'0' || b == b'.')
                })
        });
        if wants_openmetrics {
            TextFormat::OpenMetrics
        } else {
            TextFormat::Prometheus
        }
    }
}

fn trim(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &bytes[start..end]
}
