//! A no_std, no-alloc consumer of mutornadomon-core: a static region, every kind, a snapshot,
//! the parser and both renderers; with feature `statsd`, the statsd encoder too (heapless
//! datagrams); with feature `serde`, the JSON page through serde and serde-json-core; with
//! feature `labels`, a labelled family's series.
#![no_std]

use core::panic::PanicInfo;
use mutornadomon_core::{parse, render_json, render_prometheus, Meta, Storage, TextFormat};

static STATS: Storage<1024> = Storage::new();

/// Updates metrics and renders them into `out`; returns the bytes written, or 0.
#[no_mangle]
pub extern "C" fn mutornadomon_no_std_check(out: *mut u8, len: usize) -> usize {
    let region = STATS.region();
    if region.count("ticks", 1).is_err() || region.set("level", 0.5).is_err() {
        return 0;
    }
    if let Ok(h) = region.histogram_with_max("h", Meta::new(), 1023) {
        h.record(7);
    }
    #[cfg(feature = "labels")]
    if let Ok(requests) = region.counter_family("requests", Meta::new(), &["status"], 4) {
        if let Ok(ok) = requests.series(&["200"]) {
            ok.inc();
        }
    }
    let mut snapshot = [0u8; 8192];
    let Ok(n) = region.snapshot(&mut snapshot) else { return 0 };
    let Ok(stats) = parse(&snapshot[..n]) else { return 0 };
    #[cfg(feature = "statsd")]
    {
        let mut encoder = mutornadomon_core::StatsdEncoder::<8>::new();
        let mut statsd_bytes = 0;
        let _ = encoder.encode::<256>(&stats, "fw.", |datagram| statsd_bytes += datagram.len());
        if statsd_bytes == 0 {
            return 0;
        }
    }
    if out.is_null() {
        return 0;
    }
    // SAFETY: the C caller promises `out` points to `len` writable bytes.
    let out = unsafe { core::slice::from_raw_parts_mut(out, len) };
    let _ = render_prometheus(&stats, None, TextFormat::OpenMetrics, out);
    #[cfg(feature = "serde")]
    {
        let page = mutornadomon_core::MutornadomonPage::new(&stats, None);
        if serde_json_core::to_slice(&page, out).is_err() {
            return 0;
        }
    }
    render_json(&stats, None, out).unwrap_or(0)
}

#[panic_handler]
fn panic(_: &PanicInfo) -> ! {
    loop {}
}
