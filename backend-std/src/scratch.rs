//! Per-thread scratch buffers for snapshots and rendering: a page served again and again
//! reuses them instead of allocating (and zeroing) a buffer the size of the region each time,
//! and reuses its compiled [`PageTemplate`] until a registration changes the layout.

use mutornadomon_core::{
    Page, PageTemplate, PlacedHole, ProcessStats, RenderError, Stats, TemplateError,
};
use std::cell::RefCell;

#[derive(Default)]
pub(crate) struct Buffers {
    snapshot: Vec<u8>,
    out: Vec<u8>,
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

    /// The snapshot buffer and the rest, borrowed apart.
    pub(crate) fn split(&mut self) -> (&mut Vec<u8>, Scratch<'_>) {
        (
            &mut self.snapshot,
            Scratch {
                out: &mut self.out,
                templates: &mut self.templates,
            },
        )
    }
}

/// The output buffer and compiled templates of a thread.
pub(crate) struct Scratch<'b> {
    out: &'b mut Vec<u8>,
    templates: &'b mut Vec<Compiled>,
}

impl Scratch<'_> {
    /// Renders `page` of `stats` through this thread's template for it (compiled again when
    /// the layout changed) and returns a copy of the text.
    pub(crate) fn render(
        &mut self,
        page: Page,
        stats: &Stats<'_>,
        process: Option<&ProcessStats>,
    ) -> String {
        if self.out.is_empty() {
            self.out.resize(4096, 0);
        }
        let mut compiled_now = false;
        loop {
            let at = self
                .templates
                .iter()
                .position(|c| c.template.page() == page);
            let compiled = match at {
                Some(at) => &self.templates[at],
                None => match Compiled::new(page, stats, process) {
                    Ok(c) => {
                        compiled_now = true;
                        self.templates.push(c);
                        &self.templates[self.templates.len() - 1]
                    }
                    Err(e) => return format!("cannot render: {e}"),
                },
            };
            let (template, text, holes) = (&compiled.template, &compiled.text, &compiled.holes);
            match template.fill(text, holes, stats, process, self.out) {
                Ok(n) => return text_of(&self.out[..n]),
                Err(TemplateError::Render(RenderError::BufferTooSmall { needed })) => {
                    self.out.resize(needed, 0)
                }
                // A template compiled from these very stats fits them; anything else is a
                // bug, reported rather than looped on.
                Err(e) if compiled_now => return format!("cannot render: {e}"),
                Err(_) => {
                    self.templates.retain(|c| c.template.page() != page);
                }
            }
        }
    }
}

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
    if out.is_empty() {
        out.resize(4096, 0);
    }
    loop {
        match render(stats, out) {
            Ok(n) => return text_of(&out[..n]),
            Err(RenderError::BufferTooSmall { needed }) => out.resize(needed, 0),
            Err(e) => return format!("cannot render: {e}"),
        }
    }
}

/// The rendered bytes as text (renderers write UTF-8; anything else is shown, not dropped).
fn text_of(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec())
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}
