//! Per-thread scratch buffers for snapshots and rendering: a page served again and again
//! reuses them instead of allocating (and zeroing) a buffer the size of the region each time.

use mutornadomon_core::{RenderError, Stats};
use std::cell::RefCell;

#[derive(Default)]
struct Buffers {
    snapshot: Vec<u8>,
    out: Vec<u8>,
}

thread_local! {
    static BUFFERS: RefCell<Buffers> = RefCell::default();
}

/// Runs `f` with this thread's snapshot and output buffers (fresh ones if `f` is re-entered,
/// say by a publisher rendering from inside a render).
pub(crate) fn with_buffers<R>(f: impl FnOnce(&mut Vec<u8>, &mut Vec<u8>) -> R) -> R {
    let mut f = Some(f);
    let reused = BUFFERS.try_with(|buffers| {
        let mut buffers = buffers.try_borrow_mut().ok()?;
        let buffers = &mut *buffers;
        f.take().map(|f| f(&mut buffers.snapshot, &mut buffers.out))
    });
    match (reused, f) {
        (Ok(Some(result)), _) => result,
        (_, Some(f)) => f(&mut Vec::new(), &mut Vec::new()),
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
            Ok(n) => {
                return String::from_utf8(out[..n].to_vec())
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
            }
            Err(RenderError::BufferTooSmall { needed }) => out.resize(needed, 0),
            Err(e) => return format!("cannot render: {e}"),
        }
    }
}
