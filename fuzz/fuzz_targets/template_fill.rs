//! Page templates on raw bytes: a template compiled from a file renders exactly what the
//! renderers write for it, and filling it from the same file with bytes changed in place (a
//! writer scribbling over its values, or over anything else while keeping the layout) never
//! panics and always gives UTF-8.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mutornadomon_core::{
    parse, render_json, render_prometheus, Page, PageTemplate, PlacedHole, ProcessStats,
    TemplateError, TextFormat,
};

const PAGES: [Page; 3] = [
    Page::Json,
    Page::Prometheus(TextFormat::Prometheus),
    Page::Prometheus(TextFormat::OpenMetrics),
];

// Input: a flags byte (bit 0: with process statistics), a count `k` (at most 16), `k`
// scribbles of three bytes (a little-endian offset past the header and a byte to XOR there),
// then the file.
fuzz_target!(|input: &[u8]| {
    let [flags, k, rest @ ..] = input else { return };
    let (k, with_process) = (usize::from(*k % 17), flags & 1 == 1);
    let Some((scribbles, data)) = rest.split_at_checked(3 * k) else { return };
    let scribbles = scribbles.chunks_exact(3).map(|s| (u16::from_le_bytes([s[0], s[1]]), s[2]));
    let Ok(stats) = parse(data) else { return };
    let process = ProcessStats { max_fds: Some(1024), num_threads: 3, ..ProcessStats::default() };
    let process = with_process.then_some(&process);
    let mut changed = data.to_vec();
    for (at, xor) in scribbles {
        // Past the header: the layout fields stay, so the template still applies.
        if let Some(byte) = changed.get_mut(128 + at as usize) {
            *byte ^= xor;
        }
    }
    let changed_stats = parse(&changed).ok();
    let (mut text, mut holes) = (vec![0u8; 64 * 1024], vec![PlacedHole::EMPTY; 4096]);
    let mut out = vec![0u8; 256 * 1024];
    for page in PAGES {
        let template = match PageTemplate::compile(page, &stats, process, &mut text, &mut holes) {
            Ok(template) => template,
            Err(TemplateError::TooSmall { .. }) => continue,
            Err(e) => {
                // Compiling fails exactly when rendering does.
                let direct = match page {
                    Page::Json => render_json(&stats, process, &mut out),
                    Page::Prometheus(f) => render_prometheus(&stats, process, f, &mut out),
                };
                assert_eq!(direct.err().map(TemplateError::Render), Some(e));
                continue;
            }
        };
        let n = template.fill(&text, &holes, &stats, process, &mut out).expect("same stats");
        let filled = out[..n].to_vec();
        let direct = match page {
            Page::Json => render_json(&stats, process, &mut out),
            Page::Prometheus(f) => render_prometheus(&stats, process, f, &mut out),
        }
        .expect("compiled, so renderable");
        assert_eq!(filled, &out[..direct], "template and renderer disagree");
        if let Some(changed) = &changed_stats {
            if let Ok(n) = template.fill(&text, &holes, changed, process, &mut out) {
                assert!(core::str::from_utf8(&out[..n]).is_ok(), "filled page is not UTF-8");
            }
        }
    }
});
