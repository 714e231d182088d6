//! The stats parser on raw bytes: parse, walk every record, compute quantiles, render both
//! formats. Any panic, out-of-bounds read or hang is a bug.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mutornadomon_core::{parse, render_json, render_prometheus, TextFormat, Value};

fuzz_target!(|data: &[u8]| {
    let Ok(stats) = parse(data) else { return };
    let _ = stats.header();
    for record in stats.records() {
        let Ok(record) = record else { break };
        if let Value::Histogram(h) = record.value {
            let _ = (h.quantile(0.5), h.quantile(0.999), h.min(), h.max(), h.count_below(1 << 30));
        }
    }
    let mut out = vec![0u8; 64 * 1024];
    if let Ok(n) = render_json(&stats, None, &mut out) {
        assert!(core::str::from_utf8(&out[..n]).is_ok(), "JSON output is not UTF-8");
    }
    for format in [TextFormat::Prometheus, TextFormat::OpenMetrics] {
        if let Ok(n) = render_prometheus(&stats, None, format, &mut out) {
            assert!(core::str::from_utf8(&out[..n]).is_ok(), "text output is not UTF-8");
        }
    }
});
