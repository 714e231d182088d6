//! Query strings as the tools and the profiler read them: percent-decoding is total, a `glob`
//! parameter becomes a pattern only if it cannot leave the stats directory, and a `/profiler`
//! request is refused or within its bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mmstats::reader::file_name_pattern;
use mutornadomon_http::{percent_decode, query_pairs, ProfileRequest, MAX_PROFILE};

fuzz_target!(|query: &str| {
    for (name, value) in query_pairs(query) {
        assert!(name.len() <= query.len() * 3 && value.len() <= query.len() * 3);
        if let Ok(pattern) = file_name_pattern(&value) {
            let text = pattern.as_str();
            // Patterns are matched against the names of the directory's own entries only; what
            // matters is that the pattern itself names nothing outside it.
            assert!(!text.contains('/') && !text.contains("..") && !text.contains('\0'));
        }
    }
    // The profiler's parameters: refused, or within bounds.
    if let Ok(request) = ProfileRequest::from_query(query) {
        assert!(!request.duration.is_zero() && request.duration <= MAX_PROFILE);
        assert!((1..=10_000).contains(&request.top));
    }
    let decoded = percent_decode(query);
    assert!(decoded.len() <= query.len() * 3);
});
