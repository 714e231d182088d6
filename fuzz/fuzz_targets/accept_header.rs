//! Content negotiation on arbitrary `Accept` header bytes: never panics, and always picks one
//! of the two formats; a value without "openmetrics" never picks OpenMetrics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mutornadomon_core::TextFormat;

fuzz_target!(|accept: &[u8]| {
    let format = TextFormat::from_accept(accept);
    let lower = accept.to_ascii_lowercase();
    if !lower.windows(11).any(|w| w == b"openmetrics") {
        assert_eq!(format, TextFormat::Prometheus);
    }
    let _ = format.content_type();
});
