//! The monitor's two pages, independent of any HTTP server: which path names which page, and
//! the rendered body with its content type. Every server of the project answers with these
//! (through `mutornadomon-http`).

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
        let (content_type, body) = self.render_page_bytes(page, accept, roll);
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
    /// they were rendered into (no copy), after the room left for an HTTP head
    /// ([`PAGE_HEAD_ROOM`] bytes): the buffer and where the page starts in it. `Err` is a text
    /// body explaining why there is no page. With the content type to send. The buffer comes
    /// from this thread's pool: hand it back with [`recycle_page_buffer`] once written.
    ///
    /// ```
    /// use mutornadomon_std::{recycle_page_buffer, MetricsPage, PAGE_HEAD_ROOM};
    /// let monitor = mutornadomon_std::Monitor::builder().in_memory().start()?;
    /// let (content_type, body) = monitor.handle().render_page_bytes(MetricsPage::Json, None, false);
    /// let (buffer, start) = body.unwrap();
    /// assert_eq!((content_type, start), ("application/json", PAGE_HEAD_ROOM));
    /// assert!(buffer[start..].starts_with(b"{"));
    /// recycle_page_buffer(buffer);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[allow(clippy::type_complexity)] // the pair is documented above; a struct adds nothing
    pub fn render_page_bytes(
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

/// Bytes left free in front of a page rendered by [`MonitorHandle::render_page_bytes`], for
/// an HTTP head written in place.
pub const PAGE_HEAD_ROOM: usize = HEAD_ROOM;

/// Hands back a page's buffer (or any written response body) once it is written, so that a
/// later page rendered on this thread goes into it instead of a new one. Optional: without it,
/// each page gets a new buffer.
pub fn recycle_page_buffer(buffer: Vec<u8>) {
    with_buffers(|buffers| buffers.recycle(buffer));
}
