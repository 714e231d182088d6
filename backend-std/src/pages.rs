//! The monitor's two pages, independent of any HTTP server: which path names which page, the
//! rendered body with its content type, and the `Host` allowlist check. The tiny-http endpoint
//! and the smol backend's endpoint both answer with these.

use crate::scratch::{text_of, with_buffers, HEAD_ROOM};
use crate::MonitorHandle;
use mutornadomon_core::{Page, TextFormat};

/// One of the monitor's pages.
///
/// ```
/// use mutornadomon_std::MetricsPage;
/// assert_eq!(MetricsPage::for_path("/mutornadomon"), Some(MetricsPage::Json));
/// assert_eq!(MetricsPage::for_path("/metrics"), Some(MetricsPage::Prometheus));
/// assert_eq!(MetricsPage::for_path("/"), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MetricsPage {
    /// `/mutornadomon`: mutornadomon's JSON.
    Json,
    /// `/metrics`: Prometheus text or OpenMetrics, by the `Accept` header.
    Prometheus,
}

impl MetricsPage {
    /// The page served at `path` (the request target without its query), if any.
    pub fn for_path(path: &str) -> Option<MetricsPage> {
        match path {
            "/mutornadomon" => Some(MetricsPage::Json),
            "/metrics" => Some(MetricsPage::Prometheus),
            _ => None,
        }
    }
}

/// A rendered page: its body and content type (see [`MonitorHandle::render_page`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedPage {
    /// The `Content-Type` to send.
    pub content_type: &'static str,
    /// The body.
    pub body: String,
}

impl MonitorHandle {
    /// Renders `page` from the monitor's region as it is now. `accept` is the request's
    /// `Accept` header (it picks OpenMetrics or Prometheus text for
    /// [`MetricsPage::Prometheus`]); `roll` rolls the gauge windows once the page has read
    /// them (mutornadomon's "min/max since last read").
    ///
    /// ```
    /// use mutornadomon_std::MetricsPage;
    /// let monitor = mutornadomon_std::Monitor::builder().in_memory().start()?;
    /// monitor.count("jobs", 2)?;
    /// let page = monitor.handle().render_page(MetricsPage::Prometheus, None, false);
    /// assert!(page.body.contains("jobs_total 2"));
    /// assert!(page.content_type.starts_with("text/plain"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn render_page(
        &self,
        page: MetricsPage,
        accept: Option<&[u8]>,
        roll: bool,
    ) -> RenderedPage {
        let (content_type, body) = self.render_page_with(page, accept, roll);
        let body = body.map_or_else(
            |text| text,
            |(mut buffer, front)| {
                buffer.drain(..front);
                text_of(buffer)
            },
        );
        RenderedPage { content_type, body }
    }

    /// Renders `page` as [`render_page`](Self::render_page) does, as bytes in the buffer
    /// they were rendered into (no copy), after the room left for an HTTP head: the buffer
    /// and where the page starts in it. `Err` is a text body explaining why there is no
    /// page. With the content type to send.
    pub(crate) fn render_page_with(
        &self,
        page: MetricsPage,
        accept: Option<&[u8]>,
        roll: bool,
    ) -> (&'static str, Result<(Vec<u8>, usize), String>) {
        let process = self.process_stats();
        let (content_type, page) = match page {
            MetricsPage::Json => ("application/json", Page::Json),
            MetricsPage::Prometheus => {
                let format = accept.map_or(TextFormat::Prometheus, TextFormat::from_accept);
                (format.content_type(), Page::Prometheus(format))
            }
        };
        let rendered = with_buffers(|buffers| {
            let n = buffers
                .render_page(page, self.shared(), &process, roll)?
                .len();
            Ok((buffers.take_page(n), HEAD_ROOM))
        });
        match rendered {
            Ok(body) => (content_type, Ok(body)),
            Err(text) => ("text/plain; charset=utf-8", Err(text)),
        }
    }
}

/// Whether a request's `Host` header (its port ignored, case-insensitive) names one of
/// `allowed`. A missing or non-UTF-8 header is refused.
///
/// ```
/// use mutornadomon_std::host_allowed;
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
