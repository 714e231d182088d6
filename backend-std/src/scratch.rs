//! Per-thread scratch buffers for snapshots and rendering: a page served again and again
//! reuses them instead of allocating (and zeroing) a buffer the size of the region each time,
//! and reuses its compiled [`PageTemplate`] (filled from the region itself, no snapshot) until
//! a registration changes the layout.

use crate::shared::Shared;
use mutornadomon_core::{
    parse, Page, PageTemplate, PlacedHole, ProcessStats, RenderError, Stats, TemplateError,
};
use std::cell::RefCell;

#[derive(Default)]
pub(crate) struct Buffers {
    snapshot: Vec<u8>,
    out: Vec<u8>,
    /// A response body handed back after it was written ([`Buffers::recycle`]): the page
    /// after the next one is rendered into it.
    spare: Vec<u8>,
    templates: Vec<Compiled>,
}

/// A page template with the text and holes it was compiled into.
struct Compiled {
    template: PageTemplate,
    text: Vec<u8>,
    holes: Vec<PlacedHole>,
}

impl Compiled {
    fn new(
        page: Page,
        stats: &Stats<'_>,
        process: Option<&ProcessStats>,
    ) -> Result<Compiled, TemplateError> {
        let (mut text, mut holes) = (Vec::new(), Vec::new());
        loop {
            match PageTemplate::compile(page, stats, process, &mut text, &mut holes) {
                Ok(template) => {
                    return Ok(Compiled {
                        template,
                        text,
                        holes,
                    })
                }
                Err(TemplateError::TooSmall {
                    text: bytes,
                    holes: n,
                }) => {
                    text.resize(bytes, 0);
                    holes.resize(n, PlacedHole::EMPTY);
                }
                Err(e) => return Err(e),
            }
        }
    }
}

impl Buffers {
    /// The output buffer.
    pub(crate) fn out(&mut self) -> &mut Vec<u8> {
        &mut self.out
    }

    /// Hands over the buffer holding the last page rendered (`n` bytes after
    /// [`HEAD_ROOM`]), with no copy; the next page is rendered into a recycled buffer, else
    /// a new one of the size.
    pub(crate) fn take_page(&mut self, n: usize) -> Vec<u8> {
        let mut next = std::mem::take(&mut self.spare);
        if next.len() < HEAD_ROOM + n {
            // Room for the page to grow a little before the next render has to retry.
            next.resize(HEAD_ROOM + n + n / 8, 0);
        }
        let mut page = std::mem::replace(&mut self.out, next);
        page.truncate(HEAD_ROOM + n);
        page
    }

    /// Keeps `body` to render a later page into, if it is bigger than the spare buffer but
    /// not over [`MAX_SPARE`] (a server's other answers come back too: a 16 MiB download
    /// must not stay in the thread for good).
    pub(crate) fn recycle(&mut self, body: Vec<u8>) {
        if body.capacity() > self.spare.capacity() && body.capacity() <= MAX_SPARE {
            self.spare = body;
        }
    }

    /// Renders `page` of the monitor's region through this thread's template for it, filled
    /// from the region itself; a template is compiled from a snapshot when there is none yet
    /// or the layout changed. `roll` rolls the gauge windows once the page has read them.
    /// The page's bytes are in this thread's output buffer after [`HEAD_ROOM`] bytes left
    /// for an HTTP head (the renderers write UTF-8; the
    /// HTTP endpoints send the bytes as they are). `Err` is a text saying why there is no page
    /// (a snapshot that does not parse, a page that cannot be rendered).
    pub(crate) fn render_page(
        &mut self,
        page: Page,
        shared: &Shared,
        process: &ProcessStats,
        roll: bool,
    ) -> Result<&[u8], String> {
        let region = shared.region();
        if let Some(at) = self
            .templates
            .iter()
            .position(|c| c.template.page() == page)
        {
            let c = &self.templates[at];
            let filled = until_it_fits(&mut self.out, HEAD_ROOM, |out| {
                c.template
                    .fill_region(&c.text, &c.holes, &region, Some(process), out)
            });
            if let Ok(n) = filled {
                if roll {
                    region.roll();
                }
                return Ok(&self.out[HEAD_ROOM..HEAD_ROOM + n]);
            }
            // The layout changed: compile again, below.
            self.templates.swap_remove(at);
        }
        let n = shared.snapshot_into(&mut self.snapshot, roll);
        let stats = parse(&self.snapshot[..n]).map_err(|e| format!("corrupt snapshot: {e}"))?;
        let compiled = Compiled::new(page, &stats, Some(process))
            .map_err(|e| format!("cannot render: {e}"))?;
        let (template, text, holes) = (&compiled.template, &compiled.text, &compiled.holes);
        // Compiled from these very stats, the template fits them.
        let n = until_it_fits(&mut self.out, HEAD_ROOM, |out| {
            template.fill(text, holes, &stats, Some(process), out)
        })
        .map_err(|e| format!("cannot render: {e}"))?;
        self.templates.push(compiled);
        Ok(&self.out[HEAD_ROOM..HEAD_ROOM + n])
    }
}

/// Bytes a page buffer keeps before the page for the HTTP head, which a server writes there
/// to send head and page from one buffer without copying the page
/// (`mutornadomon_http::Response::place_head`). The monitor's heads take up to
/// ~180 bytes (the longest content type is OpenMetrics', plus `Connection: close`).
pub(crate) const HEAD_ROOM: usize = 256;

/// The largest buffer kept for a later page: pages of a few thousand metrics fit.
pub(crate) const MAX_SPARE: usize = 1 << 20;

thread_local! {
    static BUFFERS: RefCell<Buffers> = RefCell::default();
}

/// Runs `f` with this thread's buffers (fresh ones if `f` is re-entered, say by a publisher
/// rendering from inside a render).
pub(crate) fn with_buffers<R>(f: impl FnOnce(&mut Buffers) -> R) -> R {
    let mut f = Some(f);
    let reused = BUFFERS.try_with(|buffers| {
        let mut buffers = buffers.try_borrow_mut().ok()?;
        f.take().map(|f| f(&mut buffers))
    });
    match (reused, f) {
        (Ok(Some(result)), _) => result,
        (_, Some(f)) => f(&mut Buffers::default()),
        (_, None) => unreachable!("f ran only if it returned"),
    }
}

/// Renders with `render` into `out` (grown to what the renderer says it needs) and returns a
/// copy of the text.
pub(crate) fn render_text(
    stats: &Stats<'_>,
    out: &mut Vec<u8>,
    render: impl Fn(&Stats<'_>, &mut [u8]) -> Result<usize, RenderError>,
) -> String {
    match until_it_fits(out, 0, |out| {
        render(stats, out).map_err(TemplateError::Render)
    }) {
        Ok(n) => text_of(out[..n].to_vec()),
        Err(e) => format!("cannot render: {e}"),
    }
}

/// Runs `fill` into `out` after its first `front` bytes, grown to what it says it needs,
/// and returns the length it filled.
fn until_it_fits(
    out: &mut Vec<u8>,
    front: usize,
    mut fill: impl FnMut(&mut [u8]) -> Result<usize, TemplateError>,
) -> Result<usize, TemplateError> {
    if out.len() <= front {
        out.resize(front + 4096, 0);
    }
    loop {
        match fill(&mut out[front..]) {
            Err(TemplateError::Render(RenderError::BufferTooSmall { needed })) => {
                out.resize(front + needed, 0)
            }
            filled => return filled,
        }
    }
}

/// The rendered bytes as text (renderers write UTF-8; anything else is shown, not dropped).
pub(crate) fn text_of(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recycling_keeps_the_bigger_buffer_and_never_a_huge_one() {
        let mut buffers = Buffers::default();
        buffers.recycle(Vec::with_capacity(100));
        buffers.recycle(Vec::with_capacity(50));
        assert_eq!(buffers.spare.capacity(), 100);
        buffers.recycle(vec![0u8; MAX_SPARE + 1]);
        assert_eq!(
            buffers.spare.capacity(),
            100,
            "a huge body is dropped, not kept"
        );
        buffers.recycle(vec![7u8; 4096]);
        assert_eq!(buffers.spare.capacity(), 4096);
        // Taking a page hands over the output buffer and puts the spare in its place.
        buffers.out = vec![b' '; HEAD_ROOM];
        buffers.out.extend_from_slice(b"page and stale bytes");
        let page = buffers.take_page(4);
        assert_eq!(&page[HEAD_ROOM..], b"page");
        assert_eq!(
            buffers.out.len(),
            4096,
            "the recycled buffer, bytes and all"
        );
        assert!(buffers.spare.is_empty());
    }
}
